"""Import benchmark: N-row canonical CSV through `import_file` vs a bare sqlite3 executemany.

    .venv/bin/python benchmarks/bench_import.py [--rows 1000000] [--csv FILE]

Prints time, rows/s and peak RSS of each, and the ratio (target: ≤ 3×, peak < 500 MB). Each side
runs in a fresh process on a fresh database file, in the same run, so the machine's noise hits both.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import run_measured

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
from ivo_app.services.records import IDENTITY_COLUMNS, RowBuilder, rows as rows_of
from ivo_app.store.db import open_database
from ivo_app.store.models import Identity
source = open_source(Path(sys.argv[1]))
builder = RowBuilder(1, source.mapping, dates_as_text=True)
rows = [
    row for batch in source.batches(10_000)
    for row in rows_of(builder.derive(builder.build(batch, [v.strip() for v in batch.columns["ipp"]])))
]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--csv", type=Path, help="an existing canonical CSV (e.g. from `ivo demo --csv`)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ivo-bench-") as tmp:
        csv_path = args.csv or Path(tmp) / "identities.csv"
        if args.csv is None:
            write_csv(csv_path, args.rows)
        size_mb = csv_path.stat().st_size / 1e6
        bare = run_measured(BARE, str(csv_path), str(Path(tmp) / "bare.sqlite"))
        stored = run_measured(STORED, str(csv_path), str(Path(tmp) / "stored.sqlite"))
        ours = run_measured(OURS, str(csv_path), str(Path(tmp) / "ivo.sqlite"))
        rows = int(ours.stdout.splitlines()[0])
    print(f"fichier : {csv_path.name}, {rows} lignes, {size_mb:.0f} Mo")
    print(f"{'':30}{'temps (s)':>10}{'CPU (s)':>9}{'lignes/s':>12}{'pic RSS (Mo)':>14}")
    for label, run in (
        ("sqlite3 executemany brut", bare),
        ("executemany lignes stockées", stored),
        ("ivo import", ours),
    ):
        print(
            f"{label:30}{run.seconds:>10.2f}{run.cpu_seconds:>9.2f}{rows / run.seconds:>12,.0f}"
            f"{run.peak_rss_mb:>14.0f}"
        )
    print(
        f"rapport ivo / brut : {ours.seconds / bare.seconds:.2f}× en temps écoulé, "
        f"{ours.cpu_seconds / bare.cpu_seconds:.2f}× en temps CPU (objectif ≤ 3×) ; "
        f"pic mémoire ivo : {ours.peak_rss_mb:.0f} Mo (objectif < 500 Mo)"
    )


if __name__ == "__main__":
    main()
