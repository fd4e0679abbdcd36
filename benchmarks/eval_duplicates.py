"""The duplicate engine on a demo facility's ground truth: pair completeness, candidates per record,
precision / recall / F1 of `probable` and of the whole review queue, time and peak memory.

    .venv/bin/python benchmarks/eval_duplicates.py [--size 20000] [--seed 1]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ivo_app.rules.matching import columns
from ivo_app.services.demo import create_demo, load_truth, true_pairs
from ivo_app.services.duplicates import find_duplicates, list_pairs, load_model, read_table
from ivo_app.store.db import open_database


def prf(found: set[frozenset[str]], truth: set[frozenset[str]]) -> tuple[float, float, float]:
    tp = len(found & truth)
    p = tp / len(found) if found else 1.0
    r = tp / len(truth) if truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'dup.sqlite'}")
        extraction = create_demo(db, args.size, args.seed).extraction_id
        truth = load_truth(db, extraction)
        truth_pairs = true_pairs(truth)
        with db.engine.connect() as conn:
            table = read_table(conn, extraction)
        i, j = columns.candidate_pairs(table, load_model().block_cap)
        candidates = {
            frozenset((table.ipps[a], table.ipps[b])) for a, b in zip(i.tolist(), j.tolist(), strict=True)
        }
        start = time.perf_counter()
        run = find_duplicates(db, extraction)
        elapsed = time.perf_counter() - start
        pairs = list_pairs(db, extraction)
        db.dispose()
    duplicates = [p for p in pairs if p.kind == "doublon"]
    probable = {frozenset((p.ipp_a, p.ipp_b)) for p in duplicates if p.level == "probable"}
    queue = {frozenset((p.ipp_a, p.ipp_b)) for p in duplicates}
    print(
        f"{args.size} identités, {len(truth_pairs)} vraies paires de doublons, {run.collisions} collisions signalées"
    )
    print(
        f"complétude des paires candidates : {len(candidates & truth_pairs) / max(1, len(truth_pairs)):.4f}, "
        f"{2 * len(candidates) / len(table):.1f} candidats par identité"
    )
    for label, found in (("probable", probable), ("file complète", queue)):
        p, r, f = prf(found, truth_pairs)
        print(f"{label:<14} précision {p:.4f}  rappel {r:.4f}  F1 {f:.4f}  ({len(found)} paires)")
    print(
        f"temps {elapsed:.1f} s, pic RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} Mo"
    )
    missed = truth_pairs - queue
    kinds = defaultdict(int)
    for pair in missed:
        for ipp in pair:
            if truth[ipp]["kind"]:
                kinds[truth[ipp]["kind"]] += 1
    print("manqués par type d'erreur :", dict(kinds))
    fp = probable - truth_pairs
    fkinds = defaultdict(int)
    for pair in fp:
        fkinds[tuple(sorted(str(truth[i]["kind"]) for i in pair))] += 1
    print("faux « probable » :", dict(fkinds))


if __name__ == "__main__":
    main()
