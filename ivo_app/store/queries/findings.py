"""Stored findings: read back by IPP (training, audit sample, rules' recall on the demo), listed and counted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ivo_app.store.models import Identity
from ivo_app.store.models.rules import FindingRow


def rules_by_ipp(
    session: Session, extraction_id: int, ipps: Collection[str] | None = None
) -> dict[str, set[str]]:
    """IPP → the rules that found something on that record (records without findings are absent);
    only those `ipps` when given."""
    query = (
        select(Identity.ipp, FindingRow.rule_id)
        .join(FindingRow, FindingRow.identity_id == Identity.id)
        .where(FindingRow.extraction_id == extraction_id)
    )
    if ipps is not None:
        query = query.where(Identity.ipp.in_(list(ipps)))
    found: dict[str, set[str]] = defaultdict(set)
    for ipp, rule in session.execute(query).tuples():
        found[ipp].add(rule)
    return dict(found)


def record_findings(session: Session, extraction_id: int) -> dict[int, list[tuple[str, str]]]:
    """identity id → (rule, severity) of its per-record findings (the FHIR export's flags)."""
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for identity_id, rule, severity in session.execute(
        select(FindingRow.identity_id, FindingRow.rule_id, FindingRow.severity).where(
            FindingRow.extraction_id == extraction_id, FindingRow.identity_id.is_not(None)
        )
    ).tuples():
        if identity_id is not None:
            found[identity_id].append((rule, severity))
    return dict(found)


def findings_page(
    session: Session,
    extraction_id: int,
    *,
    rule: str | None,
    severity: str | None,
    ipp: str | None,
    offset: int,
    limit: int | None,
) -> list[tuple[FindingRow, str | None]]:
    """(finding, IPP of its record or None) in id order, filtered, from `offset`, at most `limit`."""
    query = (
        select(FindingRow, Identity.ipp)
        .outerjoin(Identity, Identity.id == FindingRow.identity_id)
        .where(FindingRow.extraction_id == extraction_id)
        .order_by(FindingRow.id)
        .offset(offset)
    )
    if rule:
        query = query.where(FindingRow.rule_id == rule)
    if severity:
        query = query.where(FindingRow.severity == severity)
    if ipp:
        query = query.where(Identity.ipp == ipp)
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(query).tuples())


def counts_by(session: Session, extraction_id: int, column: Literal["rule_id", "severity"]) -> dict[str, int]:
    """The extraction's findings counted per rule or per severity."""
    key = getattr(FindingRow, column)
    return dict(
        session.execute(
            select(key, func.count()).where(FindingRow.extraction_id == extraction_id).group_by(key)
        )
        .tuples()
        .all()
    )


def identities_with_findings(session: Session, extraction_id: int) -> int:
    """Records with at least one finding (COUNT DISTINCT skips the findings without a record)."""
    found = session.scalar(
        select(func.count(func.distinct(FindingRow.identity_id))).where(
            FindingRow.extraction_id == extraction_id
        )
    )
    return int(found or 0)
