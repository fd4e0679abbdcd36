"""The duplicate engine's pairs and the findings they give (`services.pair_findings`), on a session
or on the connection of a bulk write."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, or_, select
from sqlalchemy.orm import Session

from ivo_app.store.dialect import bulk_insert
from ivo_app.store.models import Extraction, Identity
from ivo_app.store.models.duplicates import DuplicatePair, PairDecision
from ivo_app.store.models.rules import FINDING_COLUMNS, FindingRow

Bind = Session | Connection
Pair = tuple[str, str]  # (ipp_a, ipp_b), ipp_a < ipp_b as pairs and decisions store them


def pairs(bind: Bind, extraction_id: int, only: Collection[Pair] | None = None) -> list[Row[Any]]:
    """The extraction's pairs (identity_a, identity_b, ipp_a, ipp_b, score, level, kind); of `only`
    when given."""
    query = select(
        DuplicatePair.identity_a,
        DuplicatePair.identity_b,
        DuplicatePair.ipp_a,
        DuplicatePair.ipp_b,
        DuplicatePair.score,
        DuplicatePair.level,
        DuplicatePair.kind,
    ).where(DuplicatePair.extraction_id == extraction_id)
    if only is not None and len(only) == 1:
        (a, b), *_ = only
        query = query.where(DuplicatePair.ipp_a == a, DuplicatePair.ipp_b == b)
    return [p for p in bind.execute(query) if only is None or (p.ipp_a, p.ipp_b) in only]


def decided(bind: Bind, facility_id: int, decision: str) -> set[Pair]:
    """The facility's pairs that reviewers gave this decision."""
    return {
        (a, b)
        for a, b in bind.execute(
            select(PairDecision.ipp_a, PairDecision.ipp_b).where(
                PairDecision.facility_id == facility_id, PairDecision.decision == decision
            )
        ).tuples()
    }


def identities_under_oids(bind: Bind, extraction_id: int, oids: Collection[str]) -> list[tuple[int, str]]:
    """(id, ipp) of the extraction's identities whose matricule is under one of those OIDs."""
    return list(
        bind.execute(
            select(Identity.id, Identity.ipp).where(
                Identity.extraction_id == extraction_id, Identity.ins_oid.in_(list(oids))
            )
        ).tuples()
    )


def facility_of(bind: Bind, extraction_id: int) -> int:
    return int(
        bind.execute(select(Extraction.facility_id).where(Extraction.id == extraction_id)).scalar_one()
    )


def facility_extraction_ids(bind: Bind, facility_id: int) -> list[int]:
    return list(bind.execute(select(Extraction.id).where(Extraction.facility_id == facility_id)).scalars())


def findings_of_rules(
    bind: Bind, extraction_id: int, rule_ids: Collection[str], ipps: Collection[str] | None = None
) -> list[tuple[int, dict[str, Any] | None]]:
    """(id, params) of the extraction's findings of those rules; on the records of `ipps` only, when
    given."""
    query = select(FindingRow.id, FindingRow.params).where(
        FindingRow.extraction_id == extraction_id, FindingRow.rule_id.in_(list(rule_ids))
    )
    if ipps is not None:
        ids = bind.execute(
            select(Identity.id).where(Identity.extraction_id == extraction_id, Identity.ipp.in_(list(ipps)))
        ).scalars()
        query = query.where(FindingRow.identity_id.in_(list(ids)))
    return list(bind.execute(query).tuples())


def delete_findings(bind: Bind, finding_ids: Sequence[int]) -> None:
    for start in range(0, len(finding_ids), 10_000):
        bind.execute(delete(FindingRow).where(FindingRow.id.in_(finding_ids[start : start + 10_000])))


def insert_findings(bind: Bind, rows: list[tuple[Any, ...]]) -> None:
    """Finding rows in FINDING_COLUMNS order, their params as JSON text."""
    if isinstance(bind, Connection):
        bulk_insert(bind, FindingRow.__table__, FINDING_COLUMNS, rows)
    elif rows:
        # The session's JSON column encodes the params itself.
        values = [dict(zip(FINDING_COLUMNS, r, strict=True)) for r in rows]
        bind.execute(insert(FindingRow), [{**v, "params": json.loads(v["params"])} for v in values])


def pairs_of_identity(
    session: Session, extraction_id: int, facility_id: int, identity_id: int
) -> list[tuple[DuplicatePair, str | None, str | None]]:
    """The identity's pairs, best score first, each with the facility's decision and its comment."""
    return list(
        session.execute(
            select(DuplicatePair, PairDecision.decision, PairDecision.comment)
            .outerjoin(
                PairDecision,
                (PairDecision.facility_id == facility_id)
                & (PairDecision.ipp_a == DuplicatePair.ipp_a)
                & (PairDecision.ipp_b == DuplicatePair.ipp_b),
            )
            .where(
                DuplicatePair.extraction_id == extraction_id,
                or_(DuplicatePair.identity_a == identity_id, DuplicatePair.identity_b == identity_id),
            )
            .order_by(DuplicatePair.score.desc())
        ).tuples()
    )
