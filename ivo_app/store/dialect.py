"""The few things that differ between SQLite (embedded default) and PostgreSQL (shared)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import repeat
from operator import is_not
from typing import Any

from sqlalchemy import Connection, Table, event
from sqlalchemy.engine import Engine
from sqlalchemy.sql import FromClause

# The sqlite3 driver (and sqlcipher3, its copy) binds None through its adapter protocol: a tuple
# key, a dictionary miss, then `__adapt__` / `__conform__` looked up and an AttributeError raised
# and cleared, for every NULL. An import binds several million of them (used names, INS of
# unqualified identities...): that was a third of the insert's time. An adapter registered for
# NoneType is found at the first lookup; `{}.get` is a C function returning None, bound as NULL.
_NO_ADAPTER: dict[None, None] = {}
_BIND_NULL: Callable[[None], None | None] = _NO_ADAPTER.get


def configure_engine(engine: Engine) -> None:
    """Per-connection settings: foreign keys and WAL on SQLite; a fast NULL for the driver."""
    if engine.dialect.name != "sqlite":
        return
    engine.dialect.loaded_dbapi.register_adapter(type(None), _BIND_NULL)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()


def bulk_insert(
    conn: Connection, table: FromClause, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Insert many rows given as tuples in `columns` order, inside the caller's transaction.

    Goes to the driver's executemany directly: the ORM and per-row dicts cost more than the
    insert itself on million-row imports. `rows` may be an iterator (consumed once). `table` is typed
    as the ORM types a model's `__table__` (a FromClause): it must be a plain table.
    """
    if not isinstance(table, Table):
        raise TypeError(f"bulk_insert writes to a table, not to {type(table).__name__}")
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


ColumnsWriter = Callable[[Sequence[Sequence[Any]]], None]


@contextlib.contextmanager
def bulk_columns(conn: Connection, table: FromClause, columns: Sequence[str]) -> Iterator[ColumnsWriter]:
    """A writer of many batches, each given as columns in `columns` order, inside the caller's
    transaction. PostgreSQL: ONE COPY for every batch, so the server inserts a batch while the next
    one is sent (a COPY per batch waited for the server at each end); nothing else may run on the
    connection until the block ends, and an error in it aborts the COPY. SQLite: executemany per
    batch, the columns empty in the whole batch left out (the driver binds None slowly, and the
    table has no defaults: they are NULL anyway)."""
    if not isinstance(table, Table):
        raise TypeError(f"bulk_columns writes to a table, not to {type(table).__name__}")
    if conn.dialect.name != "postgresql":

        def insert_batch(values: Sequence[Sequence[Any]]) -> None:
            kept = [j for j, column in enumerate(values) if any(map(is_not, column, repeat(None)))]
            if values and len(values[0]):
                rows = zip(*(values[j] for j in kept), strict=True)
                bulk_insert(conn, table, [columns[j] for j in kept], rows)

        yield insert_batch
        return
    raw: Any = conn.connection.driver_connection
    cols = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
        write_row = copy.write_row

        def copy_batch(values: Sequence[Sequence[Any]]) -> None:
            for row in zip(*values, strict=True):
                write_row(row)

        yield copy_batch


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
