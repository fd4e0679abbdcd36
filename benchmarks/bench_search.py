"""Latency of the desk search (`ivo search`: search_identity) on a large extraction: before duplicate
detection (a scan of the extraction) and after it (the buckets of match keys it stores, the name
frequencies of its run), against the issue's 100 ms.

    .venv/bin/python benchmarks/bench_search.py --db /tmp/ivo1m.sqlite [--probes 200]

--db: a database holding a demo extraction (benchmarks/bench_duplicates.py --db creates one); a copy
is searched, the file itself is left as it is. Without --db: the realistic file of
benchmarks/realistic_file.py (INSEE spread of names; --rows, default 1,000,000) imported first.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from ivo_app.services.duplicates import find_duplicates, search_identity
from ivo_app.store.db import open_database
from ivo_app.store.models import Identity
from ivo_app.store.models.duplicates import MatchKey


def probes(db, extraction: int, count: int, seed: int) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Identities as a desk would type them again: some exact, some with a typo or a wrong digit."""
    rnd = random.Random(seed)
    with db.engine.connect() as conn:
        top = conn.scalar(select(func.max(Identity.id)).where(Identity.extraction_id == extraction))
        out = []
        while len(out) < count:
            row = conn.execute(
                select(
                    Identity.birth_name, Identity.first_first_name, Identity.birth_date, Identity.sex
                ).where(Identity.id == rnd.randint(1, int(top)), Identity.extraction_id == extraction)
            ).first()
            if row is None or not row.birth_name or not row.first_first_name or row.birth_date is None:
                continue
            name, born = row.birth_name, row.birth_date
            if rnd.random() < 0.3 and len(name) > 3:
                k = rnd.randrange(1, len(name) - 1)
                name = name[:k] + name[k + 1] + name[k] + name[k + 2 :]  # two letters swapped
            if rnd.random() < 0.2:
                born = born.replace(year=born.year + 1) if not (born.month == 2 and born.day == 29) else born
            out.append({"nom": name, "prenom": row.first_first_name, "naissance": born, "sexe": row.sex})
    return out


def timed(db, extraction: int, typed: list[dict[str, object]]) -> tuple[list[float], int]:  # type: ignore[no-untyped-def]
    times, found = [], 0
    for probe in typed:
        start = time.perf_counter()
        result = search_identity(db, extraction, **probe)  # type: ignore[arg-type]
        times.append((time.perf_counter() - start) * 1000)
        found += bool(result)
    return times, found


TARGET_MS = 100.0  # issue 16: the desk search within 100 ms


def report(label: str, times: list[float], found: int) -> None:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"{label:<28} médiane {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   max {times[-1]:7.1f} ms"
          f"   ({found}/{len(times)} recherches avec un résultat ; p95 à {p95 / TARGET_MS:.2f}× "
          f"l'objectif de {TARGET_MS:.0f} ms)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, help="a base holding the extraction (default: the realistic file)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.db.parent if args.db else None) as tmp:
        path = Path(tmp) / "search.sqlite"
        if args.db:
            shutil.copyfile(args.db, path)
            db = open_database(f"sqlite:///{path}")
        else:
            from benchmarks.realistic_file import describe, realistic_file
            from ivo_app.services.imports import import_file

            csv_path = realistic_file(args.rows)
            print(describe(csv_path))
            db = open_database(f"sqlite:///{path}")
            import_file(db, csv_path, "Banc d'essai")
        with db.engine.connect() as conn:
            extraction = int(conn.execute(select(func.max(Identity.extraction_id))).scalar_one())
            size = conn.scalar(select(func.count()).where(Identity.extraction_id == extraction))
            conn.execute(MatchKey.__table__.delete().where(MatchKey.extraction_id == extraction))
            conn.commit()
        typed = probes(db, extraction, args.probes, args.seed)
        print(
            f"{size} identités ; {len(typed)} recherches (30 % avec une faute de frappe, 20 % l'année fausse)"
        )
        report("sans clés (parcours)", *timed(db, extraction, typed[:20]))
        start = time.perf_counter()
        find_duplicates(db, extraction)
        print(f"détection des doublons (écrit les clés) : {time.perf_counter() - start:.1f} s")
        report("avec les clés indexées", *timed(db, extraction, typed))
        db.dispose()


if __name__ == "__main__":
    main()
