"""Identities read by IPP or id for a view (training, report annexes, browse, the identity's page)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivo_app.store.models import Identity

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
