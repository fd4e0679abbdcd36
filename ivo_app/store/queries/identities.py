"""Identities read by IPP or id for a view (training, report annexes, browse, the identity's page), and
read in raw keyset pages for the rules and the matcher."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, func, or_, select
from sqlalchemy.orm import Session

from ivo_app.rules.normalize import normalize_name
from ivo_app.store.models import Extraction, Identity
from ivo_app.store.models.core import normal_form_where
from ivo_app.store.models.rules import FindingRow

_CHUNK = 500  # values per IN list


def by_ipps(session: Session, extraction_id: int, ipps: Sequence[str]) -> dict[str, Identity]:
    """IPP → its identity, detached from the session (readable after it closes)."""
    result: dict[str, Identity] = {}
    for start in range(0, len(ipps), _CHUNK):
        rows = session.scalars(
            select(Identity).where(
                Identity.extraction_id == extraction_id, Identity.ipp.in_(ipps[start : start + _CHUNK])
            )
        )
        for identity in rows:
            session.expunge(identity)
            result[identity.ipp] = identity
    return result


def ipps(session: Session, extraction_id: int) -> list[str]:
    """The extraction's IPPs in id order (import order)."""
    return list(
        session.scalars(
            select(Identity.ipp).where(Identity.extraction_id == extraction_id).order_by(Identity.id)
        )
    )


def ipps_and_statuses(session: Session, extraction_id: int) -> list[tuple[str, str | None]]:
    return list(
        session.execute(
            select(Identity.ipp, Identity.status).where(Identity.extraction_id == extraction_id)
        ).tuples()
    )


def id_by_ipp(session: Session, extraction_id: int, ipp: str) -> int | None:
    return session.scalar(
        select(Identity.id).where(Identity.extraction_id == extraction_id, Identity.ipp == ipp)
    )


def names_by_ipp(
    session: Session, extraction_id: int, ipps: Sequence[str]
) -> list[tuple[str, str | None, str | None, date | None]]:
    """(ipp, birth name, first first name, birth date) of those records (the report's annexes)."""
    rows: list[tuple[str, str | None, str | None, date | None]] = []
    for start in range(0, len(ipps), _CHUNK):
        rows += session.execute(
            select(Identity.ipp, Identity.birth_name, Identity.first_first_name, Identity.birth_date).where(
                Identity.extraction_id == extraction_id, Identity.ipp.in_(ipps[start : start + _CHUNK])
            )
        ).tuples()
    return rows


def names_by_id(
    session: Session, identity_ids: Sequence[int]
) -> list[tuple[int, str | None, str | None, date | None]]:
    """(id, birth name, first names, birth date) of those identities."""
    rows: list[tuple[int, str | None, str | None, date | None]] = []
    for start in range(0, len(identity_ids), _CHUNK):
        rows += session.execute(
            select(Identity.id, Identity.birth_name, Identity.first_names, Identity.birth_date).where(
                Identity.id.in_(identity_ids[start : start + _CHUNK])
            )
        ).tuples()
    return rows


@dataclass
class IdentityFilter:
    """The identities table's filters (the window's search bar)."""

    text: str = ""  # IPP, or the start of a birth/used name
    birth_date: date | None = None
    status: str | None = None
    attribute: str | None = None
    rule: str | None = None
    severity: str | None = None


def _filtered(extraction_id: int, flt: IdentityFilter) -> Select[tuple[Identity]]:
    query = select(Identity).where(Identity.extraction_id == extraction_id)
    text = flt.text.strip()
    if text:
        norm = normalize_name(text)
        conditions = [Identity.ipp == text]
        if norm:
            conditions += [
                normal_form_where("birth_name", lambda c: c.startswith(norm)),
                normal_form_where("used_name", lambda c: c.startswith(norm)),
            ]
        query = query.where(or_(*conditions))
    if flt.birth_date:
        query = query.where(Identity.birth_date == flt.birth_date)
    if flt.status:
        query = query.where(Identity.status == flt.status)
    if flt.attribute:
        query = query.where(Identity.attributes.contains(flt.attribute))
    if flt.rule or flt.severity:
        sub = select(FindingRow.identity_id).where(FindingRow.extraction_id == extraction_id)
        if flt.rule:
            sub = sub.where(FindingRow.rule_id == flt.rule)
        if flt.severity:
            sub = sub.where(FindingRow.severity == flt.severity)
        query = query.where(Identity.id.in_(sub))
    return query


def count_filtered(session: Session, extraction_id: int, flt: IdentityFilter) -> int:
    sub = _filtered(extraction_id, flt).subquery()
    return int(session.scalar(select(func.count()).select_from(sub)) or 0)


def filtered_page(
    session: Session,
    extraction_id: int,
    flt: IdentityFilter,
    *,
    limit: int,
    after_id: int = 0,
    order: tuple[str, bool] | None = None,
    offset: int = 0,
) -> Sequence[Identity]:
    """Up to `limit` identities: in id order after `after_id` (keyset, fast at any depth), or sorted
    on `order` = (column, descending) from `offset`; the caller checks that the column may be sorted."""
    query = _filtered(extraction_id, flt)
    if order is None:
        query = query.where(Identity.id > after_id).order_by(Identity.id)
    else:
        column, descending = order
        sort = getattr(Identity, column)
        query = query.order_by(sort.desc() if descending else sort.asc(), Identity.id).offset(offset)
    return session.scalars(query.limit(limit)).all()


def findings_of(session: Session, identity_id: int) -> Sequence[FindingRow]:
    """The identity's findings in the order they were stored."""
    return session.scalars(
        select(FindingRow).where(FindingRow.identity_id == identity_id).order_by(FindingRow.id)
    ).all()


def same_ipp_in_facility(session: Session, facility_id: int, ipp: str) -> list[tuple[Identity, date]]:
    """The facility's records of that IPP in each of its extractions, with the extraction date, oldest
    first."""
    return list(
        session.execute(
            select(Identity, Extraction.extracted_on)
            .join(Extraction, Extraction.id == Identity.extraction_id)
            .where(Extraction.facility_id == facility_id, Identity.ipp == ipp)
            .order_by(Extraction.extracted_on, Extraction.id)
        ).tuples()
    )


def raw_pages(
    conn: Connection, extraction_id: int, columns: Sequence[Any], batch_size: int
) -> Iterator[list[Any]]:
    """The extraction's identities, `columns` only (the first must be Identity.id), in keyset pages
    of `batch_size` rows: flat memory on a million rows.

    Rows come straight from the driver's cursor: on a million identities, SQLAlchemy's per-row result
    processing costs more than the rules. Only integers are inlined in the SQL text.

    Each page is a range of the primary key, bounded by the extraction's last id. The extraction is
    matched as `extraction_id + 0` so that the planner cannot pick the (extraction_id, ipp) index
    instead: that plan reads every remaining identity of the extraction and sorts them by id for each
    page, quadratic in the extraction's size (7,000,000 identities: 140 pages of up to 7,000,000 rows).
    """
    (high,) = conn.execute(select(func.max(Identity.id)).where(Identity.extraction_id == extraction_id)).one()
    if high is None:
        return
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    last = 0
    try:
        while True:
            stmt = (
                select(*columns)
                .where(
                    Identity.id > int(last),
                    Identity.id <= int(high),
                    Identity.extraction_id + 0 == int(extraction_id),
                )
                .order_by(Identity.id)
                .limit(batch_size)
            )
            cursor.execute(str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})))
            rows = cursor.fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][0]
    finally:
        cursor.close()


def extras_sample(conn: Connection, extraction_id: int, limit: int) -> list[dict[str, Any] | None]:
    """The unmapped cells of up to `limit` records that have some (which optional columns exist)."""
    return list(
        conn.execute(
            select(Identity.extra)
            .where(Identity.extraction_id == extraction_id, Identity.extra.is_not(None))
            .limit(limit)
        ).scalars()
    )


def extras(conn: Connection, extraction_id: int) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(identity id, unmapped cells) of every record that has some, streamed."""
    return iter(
        conn.execute(
            select(Identity.id, Identity.extra).where(
                Identity.extraction_id == extraction_id, Identity.extra.is_not(None)
            )
        ).tuples()
    )
