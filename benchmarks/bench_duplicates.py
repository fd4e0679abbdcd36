"""Duplicate detection at scale: a labelled table of --size identities stored in SQLite (the demo
generator's, or with --generator independent benchmarks/independent_identities.py's), then
find_duplicates on the stored extraction end to end (read, block, score, store the pairs), and
Splink (DuckDB) on the same records when it is installed. Each engine runs in its own process so that
its peak memory (ru_maxrss) is its own. The distinct birth names and first-name lists are printed: a
realistic table has as many as a real file (≥ 200,000 and ≥ 500,000 at 1,000,000 identities).

    .venv/bin/python benchmarks/bench_duplicates.py --size 1000000 [--generator independent]
        [--db /tmp/ivo1m.sqlite] [--no-splink] [--profile]

--db keeps the generated database for the next run (generation is not what is measured).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmarks.independent_identities import load_independent
from ivo_app.services.demo import create_demo, load_truth, true_pairs
from ivo_app.store.db import open_database
from ivo_app.store.models.core import normal_form_sql


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ensure_table(path: Path, size: int, seed: int, generator: str) -> int:
    db = open_database(f"sqlite:///{path}")
    try:
        with db.engine.connect() as conn:
            row = conn.exec_driver_sql(
                "SELECT id, row_count FROM extraction WHERE is_demo ORDER BY id DESC LIMIT 1"
            ).first()
        # The generators' clusters may end a record past the size asked (7,000,001 for 7,000,000).
        if row is not None and abs(row[1] - size) <= max(1, size // 1000):
            return int(row[0])
        start = time.perf_counter()
        if generator == "independent":
            extraction = load_independent(db, size, seed)
        else:
            extraction = create_demo(db, size, seed, extracted_on=date(2026, 6, 1)).extraction_id
        print(
            f"table {generator} : {size} identités générées et importées en {time.perf_counter() - start:.0f} s",
            file=sys.stderr,
        )
        return extraction
    finally:
        db.dispose()


def distinct_names(path: Path, extraction: int) -> tuple[int, int]:
    """Distinct birth names and first-name lists of the extraction (how realistic its spread is)."""
    db = open_database(f"sqlite:///{path}")
    try:
        with db.engine.connect() as conn:
            row = conn.exec_driver_sql(
                f"SELECT COUNT(DISTINCT {normal_form_sql('birth_name', True)}), COUNT(DISTINCT {normal_form_sql('first_names', True)}) FROM identity "
                "WHERE extraction_id = ?",
                (extraction,),
            ).one()
        return int(row[0]), int(row[1])
    finally:
        db.dispose()


def stage_ivo(path: Path, extraction: int, profile: bool) -> dict[str, float]:
    from ivo_app.services.duplicates import find_duplicates

    db = open_database(f"sqlite:///{path}")
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    start, cpu = time.perf_counter(), cpu_seconds()
    run = find_duplicates(db, extraction)
    elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False), file=sys.stderr)
    db.dispose()
    return {"seconds": elapsed, "cpu": cpu, "peak_mb": peak_mb(), "identities": run.identities,
            "candidates": run.candidates, "pairs": run.pairs, "probable": run.probable}  # fmt: skip


def stage_splink(path: Path, extraction: int) -> dict[str, float]:
    import sqlite3

    import pandas as pd
    import splink_person

    start = time.perf_counter()
    with sqlite3.connect(path) as conn:
        frame = pd.read_sql_query(
            f"SELECT id AS unique_id, {normal_form_sql('birth_name', True)} AS birth_name, {normal_form_sql('first_first_name', True)} AS first_name, "
            f"birth_date AS dob, sex, birthplace, {normal_form_sql('used_name', True)} AS used_name, ins_matricule AS ins "
            f"FROM identity WHERE extraction_id = {int(extraction)}",
            conn,
        )
    read = time.perf_counter() - start
    pairs, times = splink_person.run(frame, threshold=0.5)
    return {"seconds": read + times["training"] + times["predict"], "read": read, **times,
            "peak_mb": peak_mb(), "pairs": len(pairs)}  # fmt: skip


def quality(path: Path, extraction: int) -> str:
    """Precision and recall of IVO's stored pairs against the demo's ground truth."""
    from ivo_app.services.duplicates import list_pairs

    db = open_database(f"sqlite:///{path}")
    truth_pairs = true_pairs(load_truth(db, extraction))
    pairs = [p for p in list_pairs(db, extraction) if p.kind == "doublon"]
    db.dispose()
    out = []
    for label, found in (
        ("probable", {frozenset((p.ipp_a, p.ipp_b)) for p in pairs if p.level == "probable"}),
        ("file complète", {frozenset((p.ipp_a, p.ipp_b)) for p in pairs}),
    ):
        tp = len(found & truth_pairs)
        out.append(
            f"  {label:<14} précision {tp / max(1, len(found)):.4f}  rappel {tp / max(1, len(truth_pairs)):.4f}"
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--generator", choices=("demo", "independent"), default="demo")
    parser.add_argument("--db", type=Path, help="base SQLite à conserver entre deux mesures")
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--profile", action="store_true", help="profil pyinstrument de find_duplicates")
    parser.add_argument("--stage", choices=("make", "ivo", "splink"), help=argparse.SUPPRESS)
    parser.add_argument("--extraction", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage == "make":
        print(json.dumps({"extraction": ensure_table(args.db, args.size, args.seed, args.generator)}))
        return
    if args.stage:
        result = (stage_ivo(args.db, args.extraction, args.profile) if args.stage == "ivo"
                  else stage_splink(args.db, args.extraction))  # fmt: skip
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.sqlite"

        # Every step in its own process: a child's ru_maxrss starts at its parent's.
        def child(stage: str, extraction: int = 0) -> dict[str, float]:
            cmd = [sys.executable, __file__, "--stage", stage, "--db", str(path), "--extraction", str(extraction),
                   "--size", str(args.size), "--seed", str(args.seed), "--generator", args.generator]  # fmt: skip
            if args.profile:
                cmd.append("--profile")
            done = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
            return dict(json.loads(done.stdout.strip().splitlines()[-1]))

        extraction = int(child("make")["extraction"])
        births, lists = distinct_names(path, extraction)
        print(
            f"table {args.generator} : {births} noms de naissance distincts, {lists} listes de prénoms distinctes"
        )
        ivo = child("ivo", extraction)
        n = ivo["identities"]
        print(f"IVO    : {n:.0f} identités en {ivo['seconds']:.1f} s (CPU {ivo['cpu']:.1f} s, "
              f"{n / ivo['seconds']:,.0f} identités/s), "
              f"pic mémoire {ivo['peak_mb']:.0f} Mo, {2 * ivo['candidates'] / n:.2f} candidats par identité, "
              f"{ivo['pairs']:.0f} paires retenues dont {ivo['probable']:.0f} probables")  # fmt: skip
        import splink_person

        if not args.no_splink and splink_person.available():
            sp = child("splink", extraction)
            print(f"Splink : {sp['seconds']:.1f} s (lecture {sp['read']:.1f} s, apprentissage {sp['training']:.1f} s, "
                  f"prédiction {sp['predict']:.1f} s), pic mémoire {sp['peak_mb']:.0f} Mo, "
                  f"{sp['pairs']:.0f} paires à p ≥ 0,5 ; IVO {sp['seconds'] / ivo['seconds']:.1f} fois plus rapide")  # fmt: skip
        elif not args.no_splink:
            print("Splink non installé (.venv/bin/pip install splink) : comparaison omise.")
        print(f"Qualité d'IVO sur la vérité de la table {args.generator} :")
        print(quality(path, extraction))


if __name__ == "__main__":
    main()
