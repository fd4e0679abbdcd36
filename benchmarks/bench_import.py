"""Import benchmark: N-row canonical CSV through `import_file` vs a bare sqlite3 executemany.

    .venv/bin/python benchmarks/bench_import.py [--rows 1000000] [--csv FILE] [--no-synthetic]
        [--pg-admin postgresql://postgres:PASSWORD@127.0.0.1:5432/postgres]

Input: the realistic file of `benchmarks/realistic_file.py` (INSEE spread of names; written once in
~/.cache/ivo-bench), or --csv FILE; then, as a second line, the old synthetic file (20 surnames, 10
first names). For each: the import inside a process (`import_file`), the whole `ivo import`
command (interpreter start-up included), and a bare sqlite3 executemany of the file's columns,
each in a fresh process on a fresh database, in the same run so the machine's noise hits all.
Prints time, CPU, rows/s, peak RSS, the ratios (target: whole process ≤ 2×, peak ≤ 500 MB) and the
file's distinct counts.

PostgreSQL (realistic file only): with --pg-admin (or IVO_BENCH_PG_ADMIN; `bash
scripts/postgres-test-server.sh` starts a server and prints that URL), the whole `ivo import` on a
fresh database beside two bare COPYs of the file's columns, each on its own fresh database: the file
streamed as it is (the server parses it) and csv.reader rows written with psycopg's write_row (the
analogue of the SQLite reference). Times are the client's wall time (the server's work is in it),
CPU the client's. Without a server the line says so and the rest runs.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import Run, run_measured, run_process
from benchmarks.realistic_file import describe, realistic_file

HEADER = (
    "ipp;nom_naissance;prenoms_naissance;premier_prenom;nom_utilise;prenom_utilise;date_naissance;"
    "sexe;lieu_naissance;matricule_ins;oid_ins;statut;attributs;justificatif;date_derniere_venue"
)
NAMES = [
    "MARTIN",
    "BERNARD",
    "DUBOIS",
    "THOMAS",
    "ROBERT",
    "RICHARD",
    "PETIT",
    "DURAND",
    "LEROY",
    "MOREAU",
    "SIMON",
    "LAURENT",
    "LEFEBVRE",
    "MICHEL",
    "GARCIA",
    "DAVID",
    "BERTRAND",
    "ROUX",
    "VINCENT",
    "FOURNIER",
]
FIRST = ["JEAN", "MARIE", "PIERRE", "ANNE", "LOUIS", "CLAIRE", "PAUL", "JULIE", "LUC", "SOPHIE"]


def write_csv(path: Path, rows: int, seed: int = 1) -> None:
    """A synthetic canonical CSV (`ivo demo --csv` gives a realistic one; this needs nothing)."""
    rnd = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER + "\n")
        for i in range(rows):
            name = rnd.choice(NAMES) + ("" if i % 3 else f"-{rnd.choice(NAMES)}")
            first = rnd.choice(FIRST)
            firsts = f"{first} {rnd.choice(FIRST)}"
            y, m, d = rnd.randint(1930, 2024), rnd.randint(1, 12), rnd.randint(1, 28)
            sex = rnd.choice("MF")
            status = rnd.choice(("QUAL", "QUAL", "PROV", "VALI", "RECUP"))
            order, key = rnd.randint(1, 999), rnd.randint(1, 97)
            ins = f"{1 if sex == 'M' else 2}{y % 100:02d}{m:02d}31555{order:03d}{key:02d}"
            has_ins = status in ("QUAL", "RECUP")
            fh.write(
                f"{100000 + i};{name};{firsts};{first};;;{d:02d}/{m:02d}/{y};{sex};31555;"
                f"{ins if has_ins else ''};{'1.2.250.1.213.1.4.8' if has_ins else ''};{status};;"
                f"{'CN' if status in ('QUAL', 'VALI') else ''};2024-0{rnd.randint(1, 9)}-15\n"
            )


BARE = """
import csv, sqlite3, sys
path, db = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(db)
conn.execute("PRAGMA journal_mode=WAL"); conn.execute("PRAGMA synchronous=NORMAL")
with open(path, encoding="utf-8-sig", newline="") as fh:
    width = len(next(csv.reader(fh, delimiter=";")))  # the file's own columns, all as text
conn.execute("CREATE TABLE identity (" + ", ".join(f"c{i} TEXT" for i in range(width)) + ")")
start()
with open(path, encoding="utf-8-sig", newline="") as fh:
    reader = csv.reader(fh, delimiter=";")
    next(reader)
    with conn:
        conn.executemany("INSERT INTO identity VALUES (" + ",".join("?" * width) + ")", reader)
stop()
print(conn.execute("select count(*) from identity").fetchone()[0])
"""

# A second, stricter reference: the same stored rows (our 25 columns, our unique index), already
# built in memory, inserted by a bare executemany. It isolates what parsing and checking cost.
STORED = """
import sqlite3, sys
from pathlib import Path
from ivo_app.io.sources import open_source
from ivo_app.services.read_ahead import prepared_batches
from ivo_app.services.records import IDENTITY_COLUMNS, RowBuilder, rows as rows_of
from ivo_app.store.db import open_database
source = open_source(Path(sys.argv[1]))
builder = RowBuilder(1, source.mapping, dates_as_text=True)
rows = [row for columns, _, _ in prepared_batches(source, builder, 10_000, False)
        for row in rows_of(builder.derive(columns))]
open_database("sqlite:///" + sys.argv[2]).dispose()
conn = sqlite3.connect(sys.argv[2])
conn.execute("PRAGMA journal_mode=WAL"); conn.execute("PRAGMA synchronous=NORMAL")
conn.execute("INSERT INTO facility (id, name, created_at) VALUES (1, 'B', '2025-01-01')")
conn.execute("INSERT INTO extraction (id, facility_id, extracted_on, imported_at, source_file, source_sha256,"
             " source_format, row_count, rejected_count, is_demo) VALUES (1, 1, '2025-01-01', '2025-01-01',"
             " 'f', '', 'csv', 0, 0, 0)")
conn.commit()
marks = ', '.join('?' * len(IDENTITY_COLUMNS))
sql = f"INSERT INTO identity ({', '.join(IDENTITY_COLUMNS)}) VALUES ({marks})"
start()
with conn:
    conn.executemany(sql, rows)
stop()
print(len(rows))
"""

# The bare reference as a whole process (start-up included), beside the whole `ivo import`.
BARE_PROCESS = """
import csv, sqlite3, sys
path, db = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(db)
conn.execute("PRAGMA journal_mode=WAL"); conn.execute("PRAGMA synchronous=NORMAL")
with open(path, encoding="utf-8-sig", newline="") as fh:
    reader = csv.reader(fh, delimiter=";")
    width = len(next(reader))
    conn.execute("CREATE TABLE identity (" + ", ".join(f"c{i} TEXT" for i in range(width)) + ")")
    with conn:
        conn.executemany("INSERT INTO identity VALUES (" + ",".join("?" * width) + ")", reader)
"""

OURS = """
import sys
from pathlib import Path
from ivo_app.store.db import open_database
from ivo_app.services.imports import import_file
db = open_database("sqlite:///" + sys.argv[2])  # creates and migrates: start-up, not import
start()
result = import_file(db, Path(sys.argv[1]), "Benchmark")
stop()
print(result.rows)
"""


def measure(csv_path: Path, tmp: Path) -> None:
    """Every step on one file, printed as a table."""
    tmp.mkdir()
    bare = run_measured(BARE, str(csv_path), str(tmp / "bare.sqlite"))
    stored = run_measured(STORED, str(csv_path), str(tmp / "stored.sqlite"))
    ours = run_measured(OURS, str(csv_path), str(tmp / "ivo.sqlite"))
    rows = int(ours.stdout.splitlines()[0])
    bare_process = run_process([sys.executable, "-c", BARE_PROCESS, str(csv_path), str(tmp / "bare2.sqlite")])
    db = tmp / "cli.sqlite"
    cli = [sys.executable, "-m", "ivo_app"]
    run_process([*cli, "extractions", "--db", str(db)])  # creates and migrates the base: not measured
    ivo_process = run_process([*cli, "import", str(csv_path), "--facility", "Benchmark", "--db", str(db)])
    print(describe(csv_path) + f", {csv_path.stat().st_size / 1e6:.0f} Mo")
    print(f"{'':34}{'temps (s)':>10}{'CPU (s)':>9}{'lignes/s':>12}{'pic RSS (Mo)':>14}")
    table: list[tuple[str, Run]] = [
        ("sqlite3 executemany brut", bare),
        ("executemany lignes stockées", stored),
        ("import_file", ours),
        ("processus brut entier", bare_process),
        ("ivo import (processus entier)", ivo_process),
    ]
    for label, run in table:
        print(
            f"{label:34}{run.seconds:>10.2f}{run.cpu_seconds:>9.2f}{rows / run.seconds:>12,.0f}"
            f"{run.peak_rss_mb:>14.0f}".replace(",", " ")
        )
    print(
        f"rapport import_file / brut : {ours.seconds / bare.seconds:.2f}× en temps écoulé, "
        f"{ours.cpu_seconds / bare.cpu_seconds:.2f}× en CPU ; "
        f"ivo import / processus brut : {ivo_process.seconds / bare_process.seconds:.2f}× en temps écoulé, "
        f"{ivo_process.cpu_seconds / bare_process.cpu_seconds:.2f}× en CPU (objectif ≤ 2×) ; "
        f"pic mémoire : {max(ours.peak_rss_mb, ivo_process.peak_rss_mb):.0f} Mo (objectif ≤ 500 Mo)"
    )


# Bare COPYs of the file's columns (all text) into a fresh table, whole processes like `ivo import`.
COPY_FILE = """
import sys, psycopg
path, url = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8-sig") as fh:
    width = len(fh.readline().split(";"))
with psycopg.connect(url) as conn, conn.cursor() as cur:
    cur.execute("CREATE TABLE identity (" + ", ".join(f"c{i} text" for i in range(width)) + ")")
    with open(path, "rb") as fh, cur.copy("COPY identity FROM STDIN (FORMAT csv, DELIMITER ';', HEADER)") as copy:
        while chunk := fh.read(1 << 20):
            copy.write(chunk)
"""
COPY_ROWS = """
import csv, sys, psycopg
path, url = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8-sig", newline="") as fh, psycopg.connect(url) as conn, conn.cursor() as cur:
    reader = csv.reader(fh, delimiter=";")
    width = len(next(reader))
    cur.execute("CREATE TABLE identity (" + ", ".join(f"c{i} text" for i in range(width)) + ")")
    with cur.copy("COPY identity FROM STDIN") as copy:
        for row in reader:
            copy.write_row(row)
"""


def measure_postgresql(csv_path: Path, admin: str | None) -> None:
    """`ivo import` on PostgreSQL against bare COPYs, each on a fresh database."""
    if not admin:
        print("PostgreSQL : pas de serveur (--pg-admin ou IVO_BENCH_PG_ADMIN) : ligne non mesurée.")
        return
    try:
        import psycopg
        from psycopg import sql

        admin_conn = psycopg.connect(admin, autocommit=True)
    except Exception as exc:
        print(f"PostgreSQL : serveur injoignable ({type(exc).__name__}) : ligne non mesurée.")
        return
    base = f"ivo_bench_{os.getpid()}"
    names = [f"{base}_{step}" for step in ("file", "rows", "ivo")]

    def url(name: str) -> str:
        return admin.rsplit("/", 1)[0] + "/" + name

    try:
        for name in names:
            admin_conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        copy_file = run_process([sys.executable, "-c", COPY_FILE, str(csv_path), url(names[0])])
        copy_rows = run_process([sys.executable, "-c", COPY_ROWS, str(csv_path), url(names[1])])
        cli = [sys.executable, "-m", "ivo_app"]
        run_process([*cli, "extractions", "--db", url(names[2])])  # creates and migrates: not measured
        ivo = run_process([*cli, "import", str(csv_path), "--facility", "Benchmark", "--db", url(names[2])])
    finally:
        for name in names:
            admin_conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin_conn.close()
    print(f"PostgreSQL{'':24}{'temps (s)':>10}{'CPU client (s)':>15}{'pic RSS (Mo)':>14}")
    for label, run in (
        ("COPY brut du fichier", copy_file),
        ("COPY brut csv.reader + write_row", copy_rows),
        ("ivo import (processus entier)", ivo),
    ):
        print(f"{label:34}{run.seconds:>10.2f}{run.cpu_seconds:>15.2f}{run.peak_rss_mb:>14.0f}")
    print(
        f"rapport ivo import / COPY brut : {ivo.seconds / copy_rows.seconds:.2f}× (csv.reader + write_row), "
        f"{ivo.seconds / copy_file.seconds:.2f}× (fichier envoyé tel quel) en temps écoulé (objectif ≤ 2×)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--csv", type=Path, help="an existing canonical CSV instead of the realistic file")
    parser.add_argument("--no-synthetic", action="store_true", help="skip the old synthetic file's line")
    parser.add_argument(
        "--pg-admin",
        default=os.environ.get("IVO_BENCH_PG_ADMIN"),
        help="admin URL of a PostgreSQL server (scripts/postgres-test-server.sh prints one)",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="only the PostgreSQL lines")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ivo-bench-") as tmp:
        csv_path = args.csv or realistic_file(args.rows)
        if not args.no_sqlite:
            measure(csv_path, Path(tmp) / "a")
            print()
        measure_postgresql(csv_path, args.pg_admin)
        if args.no_sqlite:
            return
        if not args.no_synthetic:
            synthetic = Path(tmp) / "synthetic.csv"
            write_csv(synthetic, args.rows)
            print()
            measure(synthetic, Path(tmp) / "b")


if __name__ == "__main__":
    main()
