"""Reading identities page by page for the window's tables (keyset pagination, SQL filters)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from ivo_app.rules.normalize import normalize_name
from ivo_app.store.db import Database
from ivo_app.store.models import Identity
from ivo_app.store.models.rules import FindingRow
from ivo_app.store.uow import UnitOfWork

COLUMNS = (
    ("ipp", "IPP"), ("birth_name", "Nom de naissance"), ("first_names", "Prénoms"), ("used_name", "Nom utilisé"),
    ("birth_date", "Naissance"), ("sex", "Sexe"), ("birthplace", "Lieu"), ("ins_matricule", "Matricule INS"),
    ("status", "Statut"), ("attributes", "Attributs"), ("document_type", "Justificatif"),
)  # fmt: skip


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
        from sqlalchemy import or_

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
    db: Database, extraction_id: int, after_id: int = 0, limit: int = 500, flt: IdentityFilter | None = None
) -> list[dict[str, Any]]:
    """Up to `limit` identities with id > after_id, as plain dicts (id + COLUMNS)."""
    with UnitOfWork(db) as uow:
        rows = uow.session.scalars(
            _query(extraction_id, flt or IdentityFilter())
            .where(Identity.id > after_id)
            .order_by(Identity.id)
            .limit(limit)
        ).all()
        return [{"id": r.id, **{c: _display(r, c) for c, _ in COLUMNS}} for r in rows]


def _display(r: Identity, column: str) -> Any:
    if column == "birth_date":
        return r.birth_date.strftime("%d/%m/%Y") if r.birth_date else (r.birth_date_raw or "")
    return getattr(r, column) or ""
