"""Reading identities as pure `IdentityRecord`s, a batch at a time (for the rules and the matcher)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection

from ivo_app.rules.record import RECORD_FIELDS, IdentityRecord
from ivo_app.store.models import Identity
from ivo_app.store.queries.identities import raw_pages

# The record's own attributes, named as the identity table's columns (the field table, ivo_app.identity),
# in the record's order: each row is a record's arguments by construction, so the record is built by
# one positional call (by keyword costs twice as much per row on a million identities).
RECORD_COLUMNS = tuple(name for name in RECORD_FIELDS if name != "extra")
_COLUMNS = RECORD_COLUMNS
_DATES = (_COLUMNS.index("birth_date"), _COLUMNS.index("last_visit"))
_FLAG = _COLUMNS.index("birth_date_completed")


def iter_records(conn: Connection, extraction_id: int, batch_size: int = 20_000) -> Iterator[IdentityRecord]:
    """Every identity of an extraction in id order, as pure records."""
    for rows in raw_pages(conn, extraction_id, [getattr(Identity, c) for c in _COLUMNS], batch_size):
        for row in rows:
            yield IdentityRecord(*_typed(row))


def iter_columns(
    conn: Connection, extraction_id: int, columns: Sequence[str], batch_size: int = 50_000
) -> Iterator[dict[str, Sequence[Any]]]:
    """Every identity of an extraction in id order, a page of `columns` (record attribute names,
    "id" first) at a time, one sequence per column: no object per row. Dates come as dates, each
    distinct date parsed once (and shared), the completion flag as a boolean."""
    dates = _Dates({None: None})
    for rows in raw_pages(conn, extraction_id, [getattr(Identity, c) for c in columns], batch_size):
        page: dict[str, Sequence[Any]] = dict(zip(columns, zip(*rows, strict=True), strict=True))
        # Loops in C (`map`): Python runs only for a date not seen yet.
        for name in ("birth_date", "last_visit"):
            if name in page:
                page[name] = list(map(dates.__getitem__, page[name]))
        if "birth_date_completed" in page:
            page["birth_date_completed"] = list(map(_FLAGS.__getitem__, page["birth_date_completed"]))
        yield page


class _Dates(dict[Any, "date | None"]):
    """Stored value → date, each distinct one parsed once (and shared)."""

    def __missing__(self, value: Any) -> date | None:
        found = self[value] = date.fromisoformat(value) if isinstance(value, str) else value
        return found


# The completion flag as SQLite (0/1) or PostgreSQL (booleans) hands it back → a boolean.
_FLAGS: dict[Any, bool | None] = {None: None, 0: False, 1: True}


def _typed(row: Any) -> list[Any]:
    """SQLite hands dates back as ISO text and booleans as 0/1; PostgreSQL as Python types."""
    values = list(row)
    for i in _DATES:
        if isinstance(values[i], str):
            values[i] = date.fromisoformat(values[i])
    if values[_FLAG] is not None:
        values[_FLAG] = bool(values[_FLAG])
    return values
