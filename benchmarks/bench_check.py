"""`ivo check` at scale: a realistic base imported once with `ivo import`, then every rule run and
the findings stored, measured in its own process.

    .venv/bin/python benchmarks/bench_check.py [--rows 1000000] [--csv FILE] [--scale 7] [--no-demo]

Input: the realistic file of `benchmarks/realistic_file.py` (INSEE spread of names, written once in
~/.cache/ivo-bench) or --csv FILE, imported by `ivo import` into a temporary base (not measured).
`--scale K` adds a line for K times as many identities: the base's identities copied K - 1 times by
SQL with new IPPs (IPP.k), the birth name with one letter more (no homonym of its copies) and the
matricule with another order number and its key recomputed (no shared matricule), so the copies
break the same rules as the originals. Then, as a last line, the demo file (`ivo demo --csv`).

Prints, per base: wall and CPU time of `run_checks`, peak RSS, identities, the base's distinct
counts, the findings stored (targets: 1,000,000 identities in 20 s and 1 GB; 7,000,000 in 3 min).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import run_measured, run_process
from benchmarks.realistic_file import realistic_file
from ivo_app.services.demo import write_demo_csv

CHECK = """
import sys
from ivo_app.store.db import open_database
from ivo_app.services.checks import run_checks
db = open_database("sqlite:///" + sys.argv[1])
start()
result = run_checks(db)
stop()
print(result.identities, result.findings)
"""


def _fr(n: float) -> str:
    return f"{n:,.0f}".replace(",", " ")


def import_base(csv_path: Path, db_path: Path) -> None:
    t = time.perf_counter()
    run_process(
        [
            sys.executable,
            "-m",
            "ivo_app",
            "import",
            "--db",
            str(db_path),
            "--etablissement",
            "Benchmark",
            str(csv_path),
        ]
    )
    print(f"{csv_path.name} importé par `ivo import` en {time.perf_counter() - t:.1f} s (non mesuré)")


def replicate(db_path: Path, factor: int) -> None:
    """The base's identities copied `factor - 1` times within their extraction (see the docstring)."""
    t = time.perf_counter()
    con = sqlite3.connect(db_path)
    columns = [row[1] for row in con.execute("PRAGMA table_info(identity)") if row[1] != "id"]
    (last,) = con.execute("SELECT max(id) FROM identity").fetchone()
    numeric = "replace(replace(substr(ins_matricule, 1, 13), '2A', '19'), '2B', '18')"
    for k in range(1, factor):
        order = f"printf('%03d', (cast(substr(ins_matricule, 11, 3) AS INTEGER) + {7 * k} - 1) % 999 + 1)"
        first13 = f"substr(ins_matricule, 1, 10) || {order}"
        new13 = f"replace(replace({first13}, '2A', '19'), '2B', '18')"
        matricule = (
            "CASE WHEN length(ins_matricule) = 15 AND ins_matricule GLOB '[0-9][0-9][0-9][0-9][0-9]*'"
            f" AND substr(ins_matricule, 8) NOT GLOB '*[^0-9]*'"
            f" AND printf('%02d', 97 - cast({numeric} AS INTEGER) % 97) = substr(ins_matricule, 14)"
            f" THEN {first13} || printf('%02d', 97 - cast({new13} AS INTEGER) % 97)"
            " ELSE ins_matricule END"
        )
        values = {
            "ipp": f"ipp || '.{k}'",
            "birth_name": f"birth_name || '{chr(64 + k)}'",
            "ins_matricule": matricule,
        }
        select = ", ".join(values.get(c, c) for c in columns)
        con.execute(
            f"INSERT INTO identity ({', '.join(columns)}) SELECT {select} FROM identity WHERE id <= ?",
            (last,),
        )
    con.execute("UPDATE extraction SET row_count = (SELECT count(*) FROM identity)")
    con.commit()
    con.close()
    print(f"base multipliée par {factor} en SQL en {time.perf_counter() - t:.1f} s (non mesuré)")


def distinct_line(db_path: Path) -> str:
    con = sqlite3.connect(db_path)
    counts = con.execute(
        "SELECT count(*), count(DISTINCT birth_name), count(DISTINCT first_names), count(DISTINCT ins_matricule),"
        " count(DISTINCT birth_date), count(DISTINCT birthplace) FROM identity"
    ).fetchone()
    con.close()
    n, names, firsts, matricules, dates, places = (_fr(c) for c in counts)
    return (
        f"base : {n} identités, {names} noms de naissance, {firsts} listes de prénoms, {matricules} matricules, "
        f"{dates} dates de naissance, {places} lieux de naissance distincts"
    )


def measure(db_path: Path, target_seconds: float) -> None:
    print(distinct_line(db_path))
    run = run_measured(CHECK, str(db_path))
    identities, findings = (int(x) for x in run.stdout.splitlines()[0].split())
    print(
        f"ivo check : {run.seconds:.1f} s (CPU {run.cpu_seconds:.1f} s), {_fr(identities / run.seconds)} identités/s, "
        f"pic RSS {_fr(run.peak_rss_mb)} Mo, {_fr(identities)} identités, {_fr(findings)} anomalies stockées "
        f"(objectifs : ≤ {target_seconds:.0f} s, ≤ 1 000 Mo pour 1 000 000)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--csv", type=Path, help="an existing canonical CSV instead of the realistic file")
    parser.add_argument("--scale", type=int, default=0, help="also measure K times the base (SQL copies)")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo file's line")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ivo-bench-") as tmp:
        db = Path(tmp) / "realistic.sqlite"
        import_base(args.csv or realistic_file(args.rows), db)
        measure(db, 20 * args.rows / 1_000_000)
        if args.scale > 1:
            print()
            replicate(db, args.scale)
            measure(db, 180 * args.rows * args.scale / 7_000_000)
        if not args.no_demo:
            demo, demo_db = Path(tmp) / "demo.csv", Path(tmp) / "demo.sqlite"
            write_demo_csv(demo, args.rows, seed=1)
            print()
            import_base(demo, demo_db)
            measure(demo_db, 20 * args.rows / 1_000_000)


if __name__ == "__main__":
    main()
