"""Where find_duplicates spends its time and its memory, stage by stage, on a stored extraction.

A sampling thread reads the process's resident memory (/proc/self/status VmRSS) every 50 ms and the
main thread's stack; each sample is charged to the innermost function of ivo_app's matching and
duplicate code on that stack (columns.py, duplicates.py). Printed per function: the seconds sampled
in it (itself and what it calls outside those modules), and the highest resident memory seen there.

    .venv/bin/python benchmarks/rss_stages.py --db /tmp/dupspeed/ind1m.sqlite [--extraction N]

The base's pairs are replaced, as by any detection: give a copy of a base you did not create.
"""

from __future__ import annotations

import argparse
import resource
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from types import FrameType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ivo_app.services.duplicates import find_duplicates
from ivo_app.store.db import open_database

WATCHED = ("rules/matching/columns.py", "services/duplicates.py")
STEP = 0.05


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def stage_of(frame: FrameType | None) -> str:
    """The innermost watched function on the stack (the outer ones as a path: find_scored>level_matrix)."""
    names = []
    while frame is not None:
        if frame.f_code.co_filename.endswith(WATCHED):
            names.append(frame.f_code.co_name)
        frame = frame.f_back
    return ">".join(reversed(names[:3])) if names else "(hors détection)"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--extraction", type=int)
    args = parser.parse_args()
    seconds: dict[str, float] = defaultdict(float)
    peak: dict[str, float] = defaultdict(float)
    order: list[str] = []
    done = threading.Event()
    main_id = threading.get_ident()

    def sample() -> None:
        while not done.wait(STEP):
            stage = stage_of(sys._current_frames().get(main_id))
            if stage not in seconds:
                order.append(stage)
            seconds[stage] += STEP
            peak[stage] = max(peak[stage], rss_mb())

    db = open_database(f"sqlite:///{args.db}")
    sampler = threading.Thread(target=sample, daemon=True)
    start = time.perf_counter()
    sampler.start()
    run = find_duplicates(db, args.extraction)
    done.set()
    sampler.join()
    elapsed = time.perf_counter() - start
    db.dispose()
    print(f"{run.identities} identités, {run.candidates} paires candidates, {run.pairs} retenues")
    print(f"{'étape':<70} {'s':>7} {'Mo max':>8}")
    for stage in order:
        print(f"{stage:<70} {seconds[stage]:7.1f} {peak[stage]:8.0f}")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"total {elapsed:.1f} s, pic mémoire (ru_maxrss) {maxrss:.0f} Mo")


if __name__ == "__main__":
    main()
