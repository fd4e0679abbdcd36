"""Reading identities page by page for the window's tables (keyset pagination, SQL filters)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ivo_app.identity import labelled
from ivo_app.labels import attributes_label, status_label
from ivo_app.store.db import Database
from ivo_app.store.models import Identity
from ivo_app.store.queries import identities as identity_queries
from ivo_app.store.queries.identities import IdentityFilter
from ivo_app.store.uow import UnitOfWork

# The identities table's columns, in this order; labels from the field table.
COLUMNS = labelled(("ipp", "birth_name", "first_names", "used_name", "birth_date", "sex", "birthplace",
                  "ins_matricule", "status", "attributes", "document_type"))  # fmt: skip


def count_identities(db: Database, extraction_id: int, flt: IdentityFilter | None = None) -> int:
    with UnitOfWork(db) as uow:
        return identity_queries.count_filtered(uow.session, extraction_id, flt or IdentityFilter())


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
    if order is not None and order[0] not in dict(COLUMNS):
        raise ValueError(order[0])
    with UnitOfWork(db) as uow:
        rows = identity_queries.filtered_page(
            uow.session,
            extraction_id,
            flt or IdentityFilter(),
            limit=limit,
            after_id=after_id,
            order=order,
            offset=offset,
        )
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
