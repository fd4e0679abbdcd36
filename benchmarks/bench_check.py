"""`ivo check` at scale: N demo identities imported, then every rule run and the findings stored.

    .venv/bin/python benchmarks/bench_check.py [--rows 1000000]

Prints time, identities/s and peak RSS of the check (target on this 2-core machine: 1,000,000
identities in under 60 s, peak under 1.5 GB). The demo CSV is generated and imported first
(not measured), in a temporary folder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import run_measured

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    from ivo_app.services.demo import write_demo_csv
    from ivo_app.services.imports import import_file
    from ivo_app.store.db import open_database

    with tempfile.TemporaryDirectory(prefix="ivo-bench-") as tmp:
        csv_path, db_path = Path(tmp) / "demo.csv", Path(tmp) / "ivo.sqlite"
        t = time.perf_counter()
        write_demo_csv(csv_path, args.rows, seed=1)
        db = open_database(f"sqlite:///{db_path}")
        import_file(db, csv_path, "Benchmark")
        db.dispose()
        print(f"préparation (démo + import, non mesurée) : {time.perf_counter() - t:.1f} s")
        run = run_measured(CHECK, str(db_path))
    identities, findings = (int(x) for x in run.stdout.splitlines()[0].split())
    print(f"ivo check : {identities} identités, {findings} anomalies stockées")
    print(
        f"temps {run.seconds:.1f} s (CPU {run.cpu_seconds:.1f} s), {identities / run.seconds:,.0f} identités/s, "
        f"pic RSS {run.peak_rss_mb:.0f} Mo (objectifs : < 60 s, < 1 500 Mo)"
    )


if __name__ == "__main__":
    main()
