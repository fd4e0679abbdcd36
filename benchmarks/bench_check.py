"""`ivo check` at scale: N identities imported, then every rule run and the findings stored.

    .venv/bin/python benchmarks/bench_check.py [--rows 1000000] [--csv FILE] [--no-demo]

Input: the realistic file of `benchmarks/realistic_file.py` (INSEE spread of names, written once in
~/.cache/ivo-bench) or --csv FILE; then, as a second line, the demo file (`ivo demo --csv`).
Prints time, identities/s and peak RSS of the check (targets: 1,000,000 identities in 20 s and
1 GB) and the file's distinct counts. Files are imported first (not measured), in a temporary folder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import run_measured
from benchmarks.realistic_file import describe, realistic_file

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


def measure(csv_path: Path, db_path: Path) -> None:
    from ivo_app.services.imports import import_file
    from ivo_app.store.db import open_database

    t = time.perf_counter()
    db = open_database(f"sqlite:///{db_path}")
    import_file(db, csv_path, "Benchmark")
    db.dispose()
    print(describe(csv_path))
    print(f"préparation (import, non mesurée) : {time.perf_counter() - t:.1f} s")
    run = run_measured(CHECK, str(db_path))
    identities, findings = (int(x) for x in run.stdout.splitlines()[0].split())
    print(f"ivo check : {identities} identités, {findings} anomalies stockées")
    print(
        f"temps {run.seconds:.1f} s (CPU {run.cpu_seconds:.1f} s), {identities / run.seconds:,.0f} identités/s, "
        f"pic RSS {run.peak_rss_mb:.0f} Mo (objectifs : ≤ 20 s, ≤ 1 000 Mo)".replace(",", " ")
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--csv", type=Path, help="an existing canonical CSV instead of the realistic file")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo file's line")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ivo-bench-") as tmp:
        measure(args.csv or realistic_file(args.rows), Path(tmp) / "realistic.sqlite")
        if not args.no_demo:
            from ivo_app.services.demo import write_demo_csv

            demo = Path(tmp) / "demo.csv"
            write_demo_csv(demo, args.rows, seed=1)
            print()
            measure(demo, Path(tmp) / "demo.sqlite")


if __name__ == "__main__":
    main()
