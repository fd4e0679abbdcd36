"""Reading identities page by page for the window's tables (keyset pagination, SQL filters)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select

from ivo_app.identity import labelled
from ivo_app.labels import attributes_label, status_label
from ivo_app.rules.normalize import normalize_name
from ivo_app.store.db import Database
from ivo_app.store.models import Identity
from ivo_app.store.models.rules import FindingRow
from ivo_app.store.queries import identities as identity_queries
from ivo_app.store.uow import UnitOfWork

# The identities table's columns, in this order; labels from the field table.
COLUMNS = labelled(("ipp", "birth_name", "first_names", "used_name", "birth_date", "sex", "birthplace",
                  "ins_matricule", "status", "attributes", "document_type"))  # fmt: skip


@dataclass
class IdentityFilter:
    text: str = ""  # IPP, or the start of a birth/used name
    birth_date: date | None = None
    status: str | None = None
    attribute: str | None = None
    rule: str | None = None
    severity: str | None = None


def _query(extraction_id: int, flt: IdentityFilter) -> Any:
    query = select(Identity).where(Identity.extraction_id == extraction_id)
    text = flt.text.strip()
    if text:
        norm = normalize_name(text)
        conditions = [Identity.ipp == text]
        if norm:
            conditions += [
                Identity.birth_name_norm.startswith(norm),
                Identity.used_name_norm.startswith(norm),
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


def count_identities(db: Database, extraction_id: int, flt: IdentityFilter | None = None) -> int:
    with UnitOfWork(db) as uow:
        sub = _query(extraction_id, flt or IdentityFilter()).subquery()
        return int(uow.session.scalar(select(func.count()).select_from(sub)) or 0)


def identity_page(
    db: Database,
    extraction_id: int,
    after_id: int = 0,
    limit: int = 500,
    flt: IdentityFilter | None = None,
    *,
    order: tuple[str, bool] | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Up to `limit` identities as plain dicts (id + COLUMNS): in id order after `after_id` (keyset,
    fast at any depth), or sorted on `order` = (column, descending) from `offset`."""
    with UnitOfWork(db) as uow:
        query = _query(extraction_id, flt or IdentityFilter())
        if order is None:
            query = query.where(Identity.id > after_id).order_by(Identity.id)
        else:
            column, descending = order
            if column not in dict(COLUMNS):
                raise ValueError(column)
            sort = getattr(Identity, column)
            query = query.order_by(sort.desc() if descending else sort.asc(), Identity.id).offset(offset)
        rows = uow.session.scalars(query.limit(limit)).all()
        return [{"id": r.id, **{c: _display(r, c) for c, _ in COLUMNS}} for r in rows]


def _display(r: Identity, column: str) -> Any:
    if column == "birth_date":
        return r.birth_date.strftime("%d/%m/%Y") if r.birth_date else (r.birth_date_raw or "")
    if column == "status":
        return status_label(r.status)
    if column == "attributes":
        return attributes_label(r.attributes)
    return getattr(r, column) or ""


def names_of(db: Database, identity_ids: list[int]) -> dict[int, tuple[str, str, date | None]]:
    """(birth name, first names, birth date) of each identity: lists of IPPs become readable."""
    with UnitOfWork(db) as uow:
        rows = identity_queries.names_by_id(uow.session, identity_ids)
    return {ident: (name or "", first or "", born) for ident, name, first, born in rows}
