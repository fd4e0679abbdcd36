"""The few things that differ between SQLite (embedded default) and PostgreSQL (shared)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat
from operator import is_, itemgetter
from typing import Any

from sqlalchemy import Connection, Table, event
from sqlalchemy.engine import Engine


def is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


def configure_engine(engine: Engine) -> None:
    """Per-connection settings: foreign keys and WAL on SQLite."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert many rows given as tuples in `columns` order, inside the caller's transaction.

    Goes to the driver's executemany directly: the ORM and per-row dicts cost more than the
    insert itself on million-row imports. `rows` may be an iterator (consumed once).
    """
    if isinstance(rows, list | tuple) and not rows:
        return
    raw: Any = conn.connection.driver_connection  # the DBAPI connection under this transaction
    if conn.dialect.name == "postgresql":
        cols = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join("?" for _ in columns)
    cols = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table.name}" ({cols}) VALUES ({placeholders})'
    cursor = raw.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def bulk_insert_columns(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    values: Sequence[Sequence[Any]],
    *,
    numbered: str | None = None,
) -> None:
    """Insert rows given column by column (`values[i]` is the column `columns[i]`), in the caller's
    transaction: the same rows as `bulk_insert(conn, table, columns, zip(*values))`.

    On SQLite, binding None costs the driver an adapter lookup per value (its fast path is int,
    float and str): with ten empty cells a row, that is most of an import's write. So the rows are
    grouped by which columns they leave empty, and each group is inserted naming only the columns
    it fills (the others take NULL, as they would have). `numbered` names the table's INTEGER
    PRIMARY KEY: it is given explicitly, max + 1 onwards in the rows' order, so the ids are the
    ones inserting the rows in order would have given. Without it, rows go in order, None bound.
    """
    if not values or not len(values[0]):
        return
    if conn.dialect.name != "sqlite" or numbered is None:
        bulk_insert(conn, table, columns, zip(*values, strict=True))
        return
    import numpy as np

    size = len(values[0])
    nulls = [column.count(None) for column in values]
    filled = [j for j, count in enumerate(nulls) if count < size]
    sometimes = [j for j in filled if nulls[j]][:62]  # one bit each of an int64 pattern
    pattern = np.zeros(size, dtype=np.int64)
    for bit, j in enumerate(sometimes):
        is_null = np.fromiter(map(is_, values[j], repeat(None)), dtype=bool, count=size)  # in C
        pattern |= is_null.astype(np.int64) << bit
    raw: Any = conn.connection.driver_connection
    cursor = raw.cursor()
    try:
        first = cursor.execute(f'SELECT coalesce(max("{numbered}"), 0) + 1 FROM "{table.name}"').fetchone()[0]
        order = np.argsort(pattern, kind="stable")  # within a pattern, the rows stay in order
        starts = np.flatnonzero(np.diff(pattern[order], prepend=-1))
        for start, end in zip(starts.tolist(), [*starts[1:].tolist(), size], strict=True):
            positions = order[start:end]
            empty = int(pattern[positions[0]])
            kept = [j for j in filled if j not in sometimes or not empty >> sometimes.index(j) & 1]
            names = ", ".join(f'"{c}"' for c in (numbered, *(columns[j] for j in kept)))
            sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * (len(kept) + 1))})'
            if end - start == size:
                group: list[Any] = [range(first, first + size), *(values[j] for j in kept)]
            else:
                take = positions.tolist()
                pick = (lambda c, i=take[0]: (c[i],)) if len(take) == 1 else itemgetter(*take)
                group = [(positions + first).tolist(), *(pick(values[j]) for j in kept)]
            cursor.executemany(sql, zip(*group, strict=True))
    finally:
        cursor.close()


@contextlib.contextmanager
def bulk_session(conn: Connection) -> Iterator[None]:
    """Connection settings for one large write, restored afterwards (the connection is pooled).

    SQLite: a bigger page cache keeps index inserts in memory, and foreign-key checks are off while
    rows reference the extraction the same transaction just created (must be set before BEGIN).
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
    conn.exec_driver_sql("PRAGMA cache_size=-65536")  # 64 MiB: the unique index of a million rows fits
    conn.commit()  # the PRAGMAs autobegan a transaction; the caller starts its own
    try:
        yield
    finally:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.exec_driver_sql("PRAGMA cache_size=-2000")
        conn.commit()
