"""The findings the duplicate engine's pairs give (DOUBLON-POTENTIEL, and COLLISION-SUSPECTE for a
shared matricule with divergent traits), kept in step with the pairs and the reviewers' decisions.

They are stored with the check's findings, so every list, count and filter reads one table. To never
go stale they are recomputed whenever their sources change on a checked extraction: by the check
itself, by a detection (new pairs) and by a decision or its undo (a pair decided "non_doublon" is no
longer a potential duplicate). Their severity comes from where every rule's does: the catalogue,
then the facility's settings.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.orm import Session

from ivo_app.rules.findings import NSS_OIDS, RuleSettings
from ivo_app.store.dialect import bulk_insert
from ivo_app.store.models import Extraction, Identity
from ivo_app.store.models.duplicates import DuplicatePair, PairDecision
from ivo_app.store.models.rules import FINDING_COLUMNS, FindingRow
from ivo_app.store.repositories import CheckRunRepository

DUPLICATE, COLLISION = "DOUBLON-POTENTIEL", "COLLISION-SUSPECTE"
PAIR_RULES = (DUPLICATE, COLLISION)
Pair = tuple[str, str]  # (ipp_a, ipp_b), ipp_a < ipp_b as pairs and decisions store them

Bind = Session | Connection


def rows(
    bind: Bind,
    extraction_id: int,
    facility_id: int,
    settings: RuleSettings,
    pairs: Collection[Pair] | None = None,
) -> list[tuple[Any, ...]]:
    """The pair findings of the extraction (of `pairs` only, when given) as finding rows."""
    query = select(
        DuplicatePair.identity_a,
        DuplicatePair.identity_b,
        DuplicatePair.ipp_a,
        DuplicatePair.ipp_b,
        DuplicatePair.score,
        DuplicatePair.level,
        DuplicatePair.kind,
    ).where(DuplicatePair.extraction_id == extraction_id)
    if pairs is not None and len(pairs) == 1:
        (a, b), *_ = pairs
        query = query.where(DuplicatePair.ipp_a == a, DuplicatePair.ipp_b == b)
    found = [p for p in bind.execute(query) if pairs is None or (p.ipp_a, p.ipp_b) in pairs]
    if not found:
        return []
    not_duplicates = {
        (a, b)
        for a, b in bind.execute(
            select(PairDecision.ipp_a, PairDecision.ipp_b).where(
                PairDecision.facility_id == facility_id, PairDecision.decision == "non_doublon"
            )
        )
    }
    # A number under an NSS OID is the insured person's (ouvrant droit): INS-NSS says what to do,
    # never a collision.
    nss_rows = bind.execute(
        select(Identity.id, Identity.ipp).where(
            Identity.extraction_id == extraction_id, Identity.ins_oid.in_(NSS_OIDS)
        )
    ).all()
    nss, nss_ipps = {r.id for r in nss_rows}, {r.ipp for r in nss_rows}
    out: list[tuple[Any, ...]] = []
    for p in found:
        rule = COLLISION if p.kind == "collision" else DUPLICATE
        if rule in settings.disabled or (rule == DUPLICATE and (p.ipp_a, p.ipp_b) in not_duplicates):
            continue
        severity = settings.severity(rule)
        level = "probable" if p.level == "probable" else "a_examiner"  # codes the catalogue words
        for identity, other in ((p.identity_a, p.ipp_b), (p.identity_b, p.ipp_a)):
            if rule == COLLISION and (identity in nss or other in nss_ipps):
                continue
            params: dict[str, Any] = {"other": other, "score": p.score, "level": level}
            if rule == COLLISION:
                params["reason"] = "paire"
            out.append(
                (
                    extraction_id,
                    identity,
                    rule,
                    severity,
                    None,
                    json.dumps(params, ensure_ascii=False, default=str),
                )
            )
    return out


def refresh(
    bind: Bind, extraction_id: int, settings: RuleSettings, pairs: Collection[Pair] | None = None
) -> None:
    """Recompute the pair findings of a checked extraction (of `pairs` only, when given), in the
    caller's transaction. An extraction not checked yet gets them at its check."""
    if not CheckRunRepository(bind).is_checked(extraction_id):
        return
    facility_id = bind.execute(
        select(Extraction.facility_id).where(Extraction.id == extraction_id)
    ).scalar_one()
    stale = select(FindingRow.id, FindingRow.identity_id, FindingRow.params).where(
        FindingRow.extraction_id == extraction_id, FindingRow.rule_id.in_(PAIR_RULES)
    )
    if pairs is not None:
        members = {ipp for pair in pairs for ipp in pair}
        ids = bind.execute(
            select(Identity.id).where(Identity.extraction_id == extraction_id, Identity.ipp.in_(members))
        ).scalars()
        stale = stale.where(FindingRow.identity_id.in_(list(ids)))
    # COLLISION-SUSPECTE has other sources (the engine, the trait history): only the pairs' findings,
    # which carry their score, are replaced.
    drop = [
        row.id
        for row in bind.execute(stale)
        if "score" in (row.params or {}) and (pairs is None or (row.params or {}).get("other") in members)
    ]
    for start in range(0, len(drop), 10_000):
        bind.execute(delete(FindingRow).where(FindingRow.id.in_(drop[start : start + 10_000])))
    fresh = rows(bind, extraction_id, facility_id, settings, pairs)
    if isinstance(bind, Connection):
        bulk_insert(bind, FindingRow.__table__, FINDING_COLUMNS, fresh)
    elif fresh:
        # The session's JSON column encodes the params itself.
        values = [dict(zip(FINDING_COLUMNS, r, strict=True)) for r in fresh]
        bind.execute(insert(FindingRow), [{**v, "params": json.loads(v["params"])} for v in values])


def refresh_facility(
    session: Session, facility_id: int, settings: RuleSettings, pairs: Collection[Pair]
) -> None:
    """After decisions (kept per facility): the pair findings of every checked extraction of the
    facility that holds one of the pairs."""
    extraction_ids = session.execute(
        select(Extraction.id).where(Extraction.facility_id == facility_id)
    ).scalars()
    for extraction_id in sorted(CheckRunRepository(session).checked(extraction_ids)):
        refresh(session, extraction_id, settings, pairs)
