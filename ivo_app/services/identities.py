"""Reading identities as pure `IdentityRecord`s, a batch at a time (for the rules and the matcher)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import Connection, select

from ivo_app.rules.record import IdentityRecord
from ivo_app.store.models import Identity

_COLUMNS = (
    "id", "ipp", "birth_name", "first_names", "first_first_name", "birth_date", "birth_date_raw", "sex",
    "birthplace", "used_name", "used_first_name", "ins_matricule", "ins_oid", "status", "status_source",
    "attributes", "document_type", "last_visit", "birth_date_completed", "line_no",
)  # fmt: skip


def iter_records(conn: Connection, extraction_id: int, batch_size: int = 20_000) -> Iterator[IdentityRecord]:
    """Every identity of an extraction in id order (keyset pages: flat memory on a million rows)."""
    columns = [getattr(Identity, c) for c in _COLUMNS]
    last = 0
    while True:
        rows = conn.execute(
            select(*columns)
            .where(Identity.extraction_id == extraction_id, Identity.id > last)
            .order_by(Identity.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return
        for row in rows:
            yield IdentityRecord(*row)
        last = rows[-1][0]


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
