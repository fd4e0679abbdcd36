"""Where the review queue's false pairs come from, on a base kept by eval_duplicates.py --keep.

Scores the extraction as detection does (same model, u and EM) without writing, then prints, for the
pairs the queue keeps: true and false pairs per level pattern (the levels of the six strict traits),
per score band above the review threshold, and per frequency of the shared birth name. A pattern with
many false pairs and few true ones is a cause to fix; a threshold is not.

    .venv/bin/python benchmarks/queue_breakdown.py /tmp/keep/demo-1000000-1.sqlite [--top 25]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ivo_app.rules.matching import columns
from ivo_app.services.demo import load_truth
from ivo_app.services.duplicates import load_model, read_table
from ivo_app.store.db import open_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("base", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    db = open_database(f"sqlite:///{args.base}")
    with db.engine.connect() as conn:
        extraction = int(conn.exec_driver_sql("SELECT MAX(id) FROM extraction").scalar_one())
        table = read_table(conn, extraction)
    truth = load_truth(db, extraction)
    db.dispose()
    person = np.asarray([truth[ipp]["person_key"] for ipp in table.ipps], dtype=object)
    kinds = [str(truth[ipp]["kind"]) for ipp in table.ipps]
    model = load_model()
    start = time.perf_counter()
    scored = columns.find_scored(model, table)
    print(
        f"{len(table)} identités, {len(scored.i)} paires candidates, score {time.perf_counter() - start:.1f} s"
    )
    print(
        f"seuils effectifs : probable {model.probable_threshold():.2f}, à examiner {model.review_threshold():.2f}"
    )
    keep = np.flatnonzero(scored.keep)
    i, j = scored.i[keep], scored.j[keep]
    same = person[i] == person[j]
    level = scored.level[keep]
    names = columns.TRAITS
    print(f"file : {len(keep)} paires, {int(same.sum())} vraies, {int((~same).sum())} fausses ; probable : "
          f"{int((level == columns.PROBABLE).sum())} dont {int(((level == columns.PROBABLE) & ~same).sum())} fausses")  # fmt: skip
    patterns: Counter[tuple[str, ...]] = Counter()
    good: Counter[tuple[str, ...]] = Counter()
    levels = scored.levels[keep]
    for k in range(len(keep)):
        key = tuple(columns.TRAIT_LEVELS[t][levels[k, x]] for x, t in enumerate(names))
        (good if same[k] else patterns)[key] += 1
    print(f"\n{'motif (nom, prénom, date, sexe, lieu, INS)':<62} {'fausses':>8} {'vraies':>8}")
    for key, n in patterns.most_common(args.top):
        print(f"{' '.join(key):<62} {n:>8} {good.get(key, 0):>8}")
    score = scored.score[keep]
    base = model.review_threshold()
    print("\nbande de score au-dessus du seuil d'examen : fausses / vraies")
    for lo in range(0, 16, 2):
        band = (score >= base + lo) & (score < base + lo + 2)
        print(f"  +{lo:>2}..+{lo + 2:<2} {int((band & ~same).sum()):>8} {int((band & same).sum()):>8}")
    freq = np.bincount(table.name, minlength=len(table.names))
    shared = table.name[i] == table.name[j]
    f = freq[table.name[i]]
    print("\nnom de naissance identique, par fréquence du nom dans le fichier : fausses / vraies")
    for lo, hi in ((1, 10), (10, 100), (100, 1000), (1000, 10_000), (10_000, 10**9)):
        band = shared & (f >= lo) & (f < hi)
        print(f"  {lo:>6}..{hi:<10} {int((band & ~same).sum()):>8} {int((band & same).sum()):>8}")
    # The true pairs of the queue that are not probable, by the guards holding them back (Scored.held):
    # which evidence would move them up, and what it would cost in false pairs holding the same guards.
    held_true: Counter[tuple[str, ...]] = Counter()
    held_false: Counter[tuple[str, ...]] = Counter()
    reviewed = level != columns.PROBABLE
    guards = {name: mask[keep] for name, mask in scored.held.items()}
    for k in np.flatnonzero(reviewed).tolist():
        key = tuple(name for name, mask in guards.items() if mask[k])
        (held_true if same[k] else held_false)[key] += 1
    print("\nà examiner, par garde qui retient la paire de « probable » : vraies / fausses")
    for key, n in held_true.most_common(args.top):
        print(f"  {' + '.join(key) or '-':<40} {n:>8} {held_false.get(key, 0):>8}")
    label_pairs: Counter[str] = Counter()
    for k in np.flatnonzero(~same).tolist():
        a, b = sorted((kinds[i[k]], kinds[j[k]]))
        label_pairs[f"{a} / {b}"] += 1
    print("\nfausses paires par sorte d'enregistrement (vérité du générateur) :")
    for key, n in label_pairs.most_common(12):
        print(f"  {key:<50} {n:>8}")


if __name__ == "__main__":
    main()
