"""Score the rule engine on a demo facility's injected anomalies: recall and false alarms per rule.

    .venv/bin/python benchmarks/score_rules.py [--size 20000] [--seed 1]

Creates the demo facility in a temporary database, runs `ivo check`'s service, compares with the
ground truth the generator wrote. Target: recall ≥ 99 % per rule, no false alarm on clean records.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ivo_app.services.checks import run_checks
from ivo_app.services.demo import create_demo
from ivo_app.services.scoring import score_rules
from ivo_app.store.db import open_database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'score.sqlite'}")
        extraction = create_demo(db, args.size, args.seed).extraction_id
        start = time.perf_counter()
        run_checks(db, extraction)
        elapsed = time.perf_counter() - start
        scores = score_rules(db, extraction)
        db.dispose()
    print(f"{args.size} identités (graine {args.seed}), vérification en {elapsed:.1f} s")
    print(f"{'règle':<22}{'injectées':>10}{'trouvées':>10}{'rappel':>9}{'fausses alertes':>17}")
    worst = 1.0
    alarms = 0
    for s in scores:
        print(f"{s.rule:<22}{s.injected:>10}{s.found:>10}{100 * s.recall:>8.1f}%{s.false_alarms:>17}")
        worst, alarms = min(worst, s.recall), alarms + s.false_alarms
    print(f"rappel minimal : {100 * worst:.1f} % (objectif ≥ 99 %), fausses alertes : {alarms} (objectif 0)")
    return 0 if worst >= 0.99 and alarms == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
