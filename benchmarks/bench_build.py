"""The detection's first half on a stored extraction, stage by stage: the SELECT fetched, the table built
(TableBuilder.add_rows, build), the blocking keys of every pass sorted (`_passes` + `_sorted_unique`,
what candidate_pairs blocks on), the search keys (`search_keys`) and their write (`_write_match_keys`,
into a copy of the base's schema, rolled back). The base is only read.

    .venv/bin/python benchmarks/bench_build.py --db /tmp/ivo1m.sqlite [--repeat 1]

Prints wall and CPU seconds per stage, the total, and the process's peak memory.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from ivo_app import collector
from ivo_app.rules.matching import columns
from ivo_app.services import duplicates
from ivo_app.store.db import open_database
from ivo_app.store.models import Extraction
from ivo_app.store.queries import duplicates as duplicate_queries


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Stages:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float]] = []
        self._wall, self._cpu = time.perf_counter(), cpu_seconds()

    def lap(self, name: str) -> None:
        wall, cpu = time.perf_counter(), cpu_seconds()
        self.rows.append((name, wall - self._wall, cpu - self._cpu))
        self._wall, self._cpu = time.perf_counter(), cpu_seconds()


def measure(path: Path, extraction: int | None) -> None:
    db = open_database(f"sqlite:///{path}")
    with db.engine.connect() as conn, collector.paused():
        if extraction is None:
            extraction = int(conn.scalar(select(Extraction.id).order_by(Extraction.id.desc()).limit(1)) or 0)
        stages = Stages()
        fetched = [0]
        duplicate_queries.scan_identities(
            conn,
            extraction,
            duplicates._TABLE_NAMES,
            100_000,
            lambda rows: fetched.__setitem__(0, fetched[0] + len(rows)),
        )
        stages.lap(f"(le SELECT seul, {fetched[0]} lignes lues puis jetées)")
        conn.rollback()
        # The SELECT again, read_table's way: each batch encoded as it comes (no rows kept).
        builder = columns.TableBuilder(normalised=True)
        duplicate_queries.scan_identities(
            conn, extraction, duplicates._TABLE_NAMES, 100_000, builder.add_rows
        )
        stages.lap("SELECT + TableBuilder.add_rows")
        table = builder.build()
        del builder
        stages.lap("TableBuilder.build")
        blocked = 0
        for parts in columns._passes(table):
            blocked += len(columns._sorted_unique(parts)[0])
        stages.lap("clés de blocage (_passes + _sorted_unique)")
        keys, key_rows = columns.search_keys(table)
        key_ids = table.ids[key_rows]
        stages.lap("clés de recherche (search_keys)")
        conn.rollback()
    with tempfile.TemporaryDirectory() as tmp:
        # The write into an empty base of the same schema: what the detection's transaction does.
        target = open_database(f"sqlite:///{tmp}/keys.sqlite")
        with target.engine.connect() as out:
            out.exec_driver_sql("PRAGMA foreign_keys = OFF")
            stages.lap("(base vide créée)")
            duplicates._write_match_keys(out, extraction, keys, key_ids)
            stages.lap("écriture des clés (_write_match_keys)")
            out.rollback()
        target.dispose()
    db.dispose()
    print(f"{len(table)} identités, {len(table.names)} noms, {len(table.lists)} listes de prénoms, "
          f"{blocked} clés de blocage, {len(keys)} clés de recherche")  # fmt: skip
    total_wall = total_cpu = 0.0
    for name, wall, cpu in stages.rows:
        print(f"  {name:<46} {wall:7.2f} s  (CPU {cpu:6.2f} s)")
        if not name.startswith("("):
            total_wall, total_cpu = total_wall + wall, total_cpu + cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {'total':<46} {total_wall:7.2f} s  (CPU {total_cpu:6.2f} s), pic mémoire {peak:.0f} Mo")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--extraction", type=int)
    args = parser.parse_args()
    measure(args.db, args.extraction)


if __name__ == "__main__":
    main()
