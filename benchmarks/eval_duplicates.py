"""The duplicate engine on two labelled tables made from two ideas of the errors: the demo generator's
(ivo_app/demo/generator.py) and an independent one (benchmarks/independent_identities.py, written
from published descriptions of admission errors). For each: distinct names, pair completeness of
blocking, precision / recall / F1 of `probable` and of the whole review queue, recall and pair
completeness per error kind and per pair of kinds, hard negatives found, time and peak memory. The
figures are compared with a saved baseline (benchmarks/baselines/duplicates_<size>.json) on every run.

    .venv/bin/python benchmarks/eval_duplicates.py [--size 20000] [--seed 1] [--generator both]
        [--save-baseline] [--details]

Tune nothing on one generator without looking at the other: both print in the same run.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.independent_identities import HARD_NEGATIVES, KINDS, load_independent
from ivo_app.rules.matching import columns
from ivo_app.services.demo import create_demo, load_truth, true_pairs
from ivo_app.services.duplicates import find_duplicates, list_pairs, load_model, read_table
from ivo_app.store.db import open_database

BASELINES = Path(__file__).resolve().parent / "baselines"
DEMO_HARD = ("jumeaux", "homonymes", "parent_enfant", "enfant_nir_parent", "homonymes_meme_date",
             "homonymes_signales")  # fmt: skip
GUARDED = {"queue_recall": 0.98, "probable_precision": 0.99, "queue_precision": 0.80}  # the targets


def prf(found: set[frozenset[str]], truth: set[frozenset[str]]) -> dict[str, float]:
    tp = len(found & truth)
    p = tp / len(found) if found else 1.0
    r = tp / len(truth) if truth else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "pairs": len(found)}


def error_set(kind: str | None) -> tuple[str, ...]:
    """The errors of a record ('a+b' → (a, b)); an original or an exact copy has none."""
    if not kind or kind == "exact":
        return ()
    return tuple(kind.split("+"))


def pair_kind(truth: dict[str, dict[str, Any]], pair: frozenset[str]) -> str:
    """What separates the two records of a true pair: the errors of both (in the generator's order)."""
    errors: set[str] = set()
    for ipp in pair:
        errors.update(error_set(truth[ipp]["kind"]))
    order = {k: n for n, k in enumerate(KINDS)}
    return "+".join(sorted(errors, key=lambda k: (order.get(k, 99), k))) or "exact"


def evaluate(generator: str, size: int, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'dup.sqlite'}")
        start = time.perf_counter()
        if generator == "demo":
            extraction = create_demo(db, size, seed).extraction_id
        else:
            extraction = load_independent(db, size, seed)
        generated = time.perf_counter() - start
        truth = load_truth(db, extraction)
        truth_pairs = true_pairs(truth)
        with db.engine.connect() as conn:
            table = read_table(conn, extraction)
            names = conn.exec_driver_sql(
                "SELECT COUNT(DISTINCT birth_name_norm), COUNT(DISTINCT first_names_norm) FROM identity "
                "WHERE extraction_id = ?",
                (extraction,),
            ).one()
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
    queue = {frozenset((p.ipp_a, p.ipp_b)) for p in pairs}
    hard = HARD_NEGATIVES if generator == "independent" else DEMO_HARD
    by_kind: dict[str, list[frozenset[str]]] = defaultdict(list)
    for pair in truth_pairs:
        by_kind[pair_kind(truth, pair)].append(pair)
    kinds = {}
    for kind, members in sorted(by_kind.items()):
        n = len(members)
        kinds[kind] = {
            "pairs": n,
            "completeness": sum(p in candidates for p in members) / n,
            "queue_recall": sum(p in queue for p in members) / n,
            "probable_recall": sum(p in probable for p in members) / n,
        }
    wrong: dict[str, dict[str, int]] = defaultdict(lambda: {"probable": 0, "queue": 0})
    for found, level in ((probable, "probable"), (queue - truth_pairs, "queue")):
        for pair in found - truth_pairs:
            labels = sorted(str(truth[x]["kind"]) for x in pair)
            label = labels[0] if labels[0] == labels[1] and labels[0] in hard else "autre"
            wrong[label][level] += 1
    p, q = prf(probable, truth_pairs), prf(queue, truth_pairs)
    return {
        "generator": generator,
        "identities": len(table),
        "distinct_birth_names": int(names[0]),
        "distinct_first_name_lists": int(names[1]),
        "true_pairs": len(truth_pairs),
        "collisions": run.collisions,
        "completeness": len(candidates & truth_pairs) / max(1, len(truth_pairs)),
        "candidates_per_identity": 2 * len(candidates) / max(1, len(table)),
        "probable_precision": p["precision"],
        "probable_recall": p["recall"],
        "probable_f1": p["f1"],
        "probable_pairs": p["pairs"],
        "queue_precision": q["precision"],
        "queue_recall": q["recall"],
        "queue_f1": q["f1"],
        "queue_pairs": q["pairs"],
        "false_pairs": dict(wrong),
        "seconds": elapsed,
        "generation_seconds": generated,
        "kinds": kinds,
    }


def _pct(x: float) -> str:
    return f"{x:.3f}"


def report(result: dict[str, Any], baseline: dict[str, Any] | None, details: bool) -> list[str]:
    """Prints one generator's figures; returns the regressions against the baseline."""
    r = result
    print(f"\n=== générateur {r['generator']} : {r['identities']} identités, {r['true_pairs']} vraies paires, "
          f"{r['distinct_birth_names']} noms de naissance distincts, {r['distinct_first_name_lists']} listes "
          f"de prénoms distinctes ===")  # fmt: skip
    print(f"complétude des paires candidates {_pct(r['completeness'])}, "
          f"{r['candidates_per_identity']:.1f} candidats par identité, détection {r['seconds']:.1f} s")  # fmt: skip
    for level in ("probable", "queue"):
        name = "probable" if level == "probable" else "file complète"
        print(f"{name:<14} précision {_pct(r[level + '_precision'])}  rappel {_pct(r[level + '_recall'])}  "
              f"F1 {_pct(r[level + '_f1'])}  ({r[level + '_pairs']} paires)")  # fmt: skip
    print("fausses paires (deux personnes) :", json.dumps(r["false_pairs"], ensure_ascii=False))
    regressions = []
    for key, floor in GUARDED.items():
        if r[key] < floor:
            print(f"  sous la cible : {key} {_pct(r[key])} < {floor}")
    base_kinds = (baseline or {}).get("kinds", {})
    rows = sorted(r["kinds"].items(), key=lambda kv: (kv[0].count("+"), kv[1]["queue_recall"], kv[0]))
    print(f"{'type d erreur':<44} {'paires':>6} {'complét.':>8} {'file':>6} {'prob.':>6}  (réf. file)")
    for kind, k in rows:
        base = base_kinds.get(kind)
        mark = ""
        if base is not None and k["queue_recall"] < base["queue_recall"] - 1e-9:
            mark = f"  ▼ {base['queue_recall']:.3f}"
            regressions.append(
                f"{r['generator']} {kind}: file {base['queue_recall']:.3f} -> {k['queue_recall']:.3f}"
            )
        elif base is not None and k["queue_recall"] > base["queue_recall"] + 1e-9:
            mark = f"  ▲ {base['queue_recall']:.3f}"
        if details or k["queue_recall"] < 1.0 or k["completeness"] < 1.0 or mark or "+" not in kind:
            print(f"{kind:<44} {k['pairs']:>6} {k['completeness']:>8.3f} {k['queue_recall']:>6.3f} "
                  f"{k['probable_recall']:>6.3f}{mark}")  # fmt: skip
    if baseline:
        for key in (
            "completeness",
            "probable_precision",
            "probable_recall",
            "queue_precision",
            "queue_recall",
        ):
            before, now = baseline.get(key), r[key]
            if before is None:
                continue
            arrow = "=" if abs(now - before) < 5e-4 else ("▲" if now > before else "▼")
            print(f"  {key:<20} réf. {before:.4f} -> {now:.4f} {arrow}")
            if now < before - 5e-4:
                regressions.append(f"{r['generator']} {key}: {before:.4f} -> {now:.4f}")
    return regressions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--generator", choices=("demo", "independent", "both"), default="both")
    parser.add_argument("--save-baseline", action="store_true", help="write these figures as the baseline")
    parser.add_argument(
        "--details", action="store_true", help="every kind and pair of kinds, not only misses"
    )
    args = parser.parse_args()
    path = BASELINES / f"duplicates_{args.size}_seed{args.seed}.json"
    saved = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    generators = ("demo", "independent") if args.generator == "both" else (args.generator,)
    results = {g: evaluate(g, args.size, args.seed) for g in generators}
    regressions = []
    for g, result in results.items():
        regressions += report(result, saved.get(g), args.details)
    print(f"\npic RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} Mo")
    if saved:
        print(
            f"comparé à {path.name} : "
            + ("aucune régression" if not regressions else f"{len(regressions)} régressions")
        )
        for line in regressions:
            print("  ▼", line)
    if args.save_baseline:
        BASELINES.mkdir(exist_ok=True)
        saved.update(results)
        path.write_text(
            json.dumps(saved, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        print(f"référence enregistrée : {path}")


if __name__ == "__main__":
    main()
