"""The extractions with their facility, read through Core (no ORM, no models: start-up, issue 20).

The statement names the columns of `store/models/core.py`'s `facility` and `extraction` tables and
their types (so SQLite's dates come back as dates); `tests/integration/test_startup.py` compares what
it returns with the ORM's objects, column by column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Boolean, Connection, Date, DateTime, Integer, Row, String, text

_LISTING = """
SELECT e.id, f.name AS facility, e.facility_id, e.extracted_on, e.imported_at, e.source_file,
       e.source_format, e.row_count AS rows, e.rejected_count AS rejected, e.source_sha256 AS sha256,
       e.is_demo
FROM extraction e JOIN facility f ON f.id = e.facility_id
"""

_TYPES = {
    "id": Integer,
    "facility": String,
    "facility_id": Integer,
    "extracted_on": Date,
    "imported_at": DateTime,
    "source_file": String,
    "source_format": String,
    "rows": Integer,
    "rejected": Integer,
    "sha256": String,
    "is_demo": Boolean,
}


def extraction_rows(
    conn: Connection, *, facility_id: int | None = None, extraction_id: int | None = None
) -> Sequence[Row[Any]]:
    """The extractions (of one facility, or the one given), in the order they were imported; each row
    has the fields of `services.extractions.ExtractionInfo` by name."""
    where: list[str] = []
    params: dict[str, int] = {}
    if facility_id is not None:
        where.append("e.facility_id = :facility_id")
        params["facility_id"] = facility_id
    if extraction_id is not None:
        where.append("e.id = :extraction_id")
        params["extraction_id"] = extraction_id
    sql = _LISTING + (f"WHERE {' AND '.join(where)}\n" if where else "") + "ORDER BY e.id"
    return conn.execute(text(sql).columns(**_TYPES), params).all()
