"""Start-up benchmark: `ivo --version` and `ivo extractions`, whole processes, median of 5.

    .venv/bin/python benchmarks/bench_startup.py [--runs 5]

Each command runs as a user runs it (`python -m ivo_app`, interpreter start-up included) on a base
created beforehand (one extraction, the 200-identity demo file: creating and migrating it is not
measured). Prints the median wall and CPU time of each command, beside the bare interpreter's, and
the modules that cost most at import (`python -X importtime`). Target: each command < 0.5 s.

Modules run from their compiled bytecode, as an installed IVO does (pip and the bundle ship it): the
commands write it to a temporary cache (PYTHONPYCACHEPREFIX, even when PYTHONDONTWRITEBYTECODE is
set) during one warm-up run each, not measured. The load average is printed before and after: on a
busy machine the wall time grows with it, the CPU time much less.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import run_process

TARGET_SECONDS = 0.5


def heaviest_imports(command: list[str], count: int = 6) -> list[tuple[str, float]]:
    """The packages whose import took longest (cumulative seconds, each package counted where
    another package imported it), IVO's own modules left out."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *command], capture_output=True, text=True, check=False
    )
    entries = []  # (depth, package, cumulative seconds), children listed before their parent
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)", line)
        if match:
            entries.append((len(match.group(2)), match.group(3).split(".")[0], int(match.group(1)) / 1e6))
    totals: dict[str, float] = {}
    parents: list[tuple[int, str]] = []  # the enclosing imports of the line being read (backwards)
    for depth, package, seconds in reversed(entries):
        while parents and parents[-1][0] >= depth:
            parents.pop()
        if package != "ivo_app" and (not parents or parents[-1][1] != package):
            totals[package] = totals.get(package, 0.0) + seconds
        parents.append((depth, package))
    return sorted(totals.items(), key=lambda kv: -kv[1])[:count]


def _load() -> str:
    return " ; ".join(f"{x:.2f}" for x in os.getloadavg()).replace(".", ",")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ivo-startup-") as tmp:
        db = str(Path(tmp) / "base.sqlite")
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # the children inherit: bytecode as installed
        os.environ["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        cli = [sys.executable, "-m", "ivo_app"]
        run_process([*cli, "demo", "--db", db, "--size", "200"])  # a base with one extraction
        commands = {
            "python -c pass (interpréteur seul)": [sys.executable, "-c", "pass"],
            "ivo --version": [*cli, "--version"],
            "ivo extractions": [*cli, "extractions", "--db", db],
        }
        for command in commands.values():
            run_process(command)  # warm-up: writes the bytecode, fills the OS's file cache
        print("charge (load average 1, 5, 15 min) avant : " + _load())
        print(f"{'':38}{'médiane (s)':>12}{'CPU (s)':>9}{'min (s)':>9}{'max (s)':>9}")
        for label, command in commands.items():
            runs = [run_process(command) for _ in range(args.runs)]
            wall = [r.seconds for r in runs]
            cpu = statistics.median(r.cpu_seconds for r in runs)
            verdict = (
                ""
                if label.startswith("python")
                else ("  ok" if statistics.median(wall) < TARGET_SECONDS else f"  > {TARGET_SECONDS} s")
            )
            print(
                f"{label:38}{statistics.median(wall):>12.3f}{cpu:>9.3f}{min(wall):>9.3f}{max(wall):>9.3f}"
                f"{verdict}".replace(".", ",")
            )
        print("charge après : " + _load())
        print("\nimports les plus lourds de « ivo extractions » (cumulés, s) :")
        for name, seconds in heaviest_imports(["-m", "ivo_app", "extractions", "--db", db]):
            print(f"  {name:30}{seconds:>8.3f}".replace(".", ","))


if __name__ == "__main__":
    main()
