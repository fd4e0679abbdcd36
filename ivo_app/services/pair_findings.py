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

from sqlalchemy.orm import Session

from ivo_app.rules.findings import NSS_OIDS, RuleSettings
from ivo_app.store.queries import pairs as pair_queries
from ivo_app.store.queries.pairs import Bind, Pair
from ivo_app.store.repositories import CheckRunRepository

DUPLICATE, COLLISION = "DOUBLON-POTENTIEL", "COLLISION-SUSPECTE"
PAIR_RULES = (DUPLICATE, COLLISION)
__all__ = ["COLLISION", "DUPLICATE", "PAIR_RULES", "Bind", "Pair", "refresh", "refresh_facility", "rows"]


def rows(
    bind: Bind,
    extraction_id: int,
    facility_id: int,
    settings: RuleSettings,
    pairs: Collection[Pair] | None = None,
) -> list[tuple[Any, ...]]:
    """The pair findings of the extraction (of `pairs` only, when given) as finding rows."""
    found = pair_queries.pairs(bind, extraction_id, pairs)
    if not found:
        return []
    not_duplicates = pair_queries.decided(bind, facility_id, "non_doublon")
    # A number under an NSS OID is the insured person's (ouvrant droit): INS-NSS says what to do,
    # never a collision.
    nss_rows = pair_queries.identities_under_oids(bind, extraction_id, NSS_OIDS)
    nss, nss_ipps = {i for i, _ in nss_rows}, {ipp for _, ipp in nss_rows}
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
    facility_id = pair_queries.facility_of(bind, extraction_id)
    members = None if pairs is None else {ipp for pair in pairs for ipp in pair}
    # COLLISION-SUSPECTE has other sources (the engine, the trait history): only the pairs' findings,
    # which carry their score, are replaced.
    drop = [
        finding_id
        for finding_id, params in pair_queries.findings_of_rules(bind, extraction_id, PAIR_RULES, members)
        if "score" in (params or {}) and (members is None or (params or {}).get("other") in members)
    ]
    pair_queries.delete_findings(bind, drop)
    pair_queries.insert_findings(bind, rows(bind, extraction_id, facility_id, settings, pairs))


def refresh_facility(
    session: Session, facility_id: int, settings: RuleSettings, pairs: Collection[Pair]
) -> None:
    """After decisions (kept per facility): the pair findings of every checked extraction of the
    facility that holds one of the pairs."""
    extraction_ids = pair_queries.facility_extraction_ids(session, facility_id)
    for extraction_id in sorted(CheckRunRepository(session).checked(extraction_ids)):
        refresh(session, extraction_id, settings, pairs)
