"""One identity seen whole: its traits (labels, not codes), its anomalies with the fix, the duplicate
pairs it belongs to with their decisions, and the same IPP in the facility's other extractions.

The window's detail panel reads this; `ivo`-side tools can print it the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ivo_app.errors import IvoError
from ivo_app.identity import labelled
from ivo_app.labels import (
    DECISIONS,
    KINDS,
    LEVELS,
    SEVERITIES,
    SEXES,
    attributes_label,
    format_date,
    format_decimal,
    label,
    status_label,
)
from ivo_app.rules.catalogue import RULES, message
from ivo_app.store.db import Database
from ivo_app.store.models import Extraction, Identity
from ivo_app.store.queries import identities as identity_queries
from ivo_app.store.queries import pairs as pair_queries
from ivo_app.store.uow import UnitOfWork

# What the identity's card shows, in this order; labels from the field table.
TRAIT_LABELS = labelled(
    ("ipp", "birth_name", "first_names", "first_first_name", "used_name", "used_first_name", "birth_date", "sex",
     "birthplace", "ins_matricule", "ins_oid", "status", "status_source", "attributes", "document_type",
     "last_visit", "line_no")
)  # fmt: skip


@dataclass
class FindingLine:
    rule: str
    title: str
    severity: str  # label
    message: str
    fix: str


@dataclass
class PairLine:
    other_ipp: str
    other_id: int
    kind: str  # labels
    level: str
    score: str
    decision: str
    comment: str
    reasons: list[str]


@dataclass
class HistoryLine:
    extraction_id: int
    extracted_on: str
    status: str
    birth_name: str
    first_names: str
    birth_date: str
    current: bool


@dataclass
class IdentityDetail:
    id: int
    ipp: str
    title: str  # "DUPONT Jean, né(e) le 01/02/1980"
    facility: str
    extraction_id: int
    extracted_on: str
    traits: list[tuple[str, str]] = field(default_factory=list)
    findings: list[FindingLine] = field(default_factory=list)
    pairs: list[PairLine] = field(default_factory=list)
    history: list[HistoryLine] = field(default_factory=list)


def _value(identity: Identity, attr: str) -> str:
    value: Any = getattr(identity, attr)
    if attr == "birth_date":
        return format_date(value) if value else (identity.birth_date_raw or "")
    if attr == "last_visit":
        return format_date(value)
    if attr == "status":
        return status_label(value)
    if attr == "attributes":
        return attributes_label(value)
    if attr == "sex":
        return f"{label(SEXES, value)} ({value})" if value else ""
    return "" if value is None else str(value)


def identity_detail(db: Database, identity_id: int) -> IdentityDetail:
    with UnitOfWork(db) as uow:
        s = uow.session
        identity = s.get(Identity, identity_id)
        if identity is None:
            raise IvoError("Identité introuvable : elle a peut-être été supprimée avec son extraction.")
        extraction = s.get(Extraction, identity.extraction_id)
        assert extraction is not None
        born = format_date(identity.birth_date) if identity.birth_date else (identity.birth_date_raw or "?")
        title = (
            f"{identity.birth_name or '?'} {identity.first_first_name or identity.first_names or ''}".strip()
        )
        detail = IdentityDetail(
            identity.id,
            identity.ipp,
            f"{title}, né(e) le {born}",
            extraction.facility.name,
            extraction.id,
            format_date(extraction.extracted_on),
            traits=[(name, _value(identity, attr)) for attr, name in TRAIT_LABELS],
        )
        for row in identity_queries.findings_of(s, identity.id):
            rule = RULES.get(row.rule_id)
            detail.findings.append(
                FindingLine(
                    row.rule_id,
                    rule.title if rule else row.rule_id,
                    label(SEVERITIES, row.severity),
                    message(row.rule_id, row.params or {}) if rule else row.rule_id,
                    rule.fix if rule else "",
                )
            )
        pairs = pair_queries.pairs_of_identity(s, extraction.id, extraction.facility_id, identity.id)
        for pair, decision, comment in pairs:
            mine_a = pair.identity_a == identity.id
            detail.pairs.append(
                PairLine(
                    pair.ipp_b if mine_a else pair.ipp_a,
                    pair.identity_b if mine_a else pair.identity_a,
                    label(KINDS, pair.kind),
                    label(LEVELS, pair.level),
                    format_decimal(pair.score),
                    label(DECISIONS, decision, "non décidée"),
                    comment or "",
                    list(pair.reasons or []),
                )
            )
        same = identity_queries.same_ipp_in_facility(s, extraction.facility_id, identity.ipp)
        for other, extracted_on in same:
            detail.history.append(
                HistoryLine(
                    other.extraction_id,
                    format_date(extracted_on),
                    status_label(other.status),
                    other.birth_name or "",
                    other.first_names or "",
                    _value(other, "birth_date"),
                    other.id == identity.id,
                )
            )
        return detail


def identity_id_by_ipp(db: Database, extraction_id: int, ipp: str) -> int | None:
    with UnitOfWork(db) as uow:
        return identity_queries.id_by_ipp(uow.session, extraction_id, ipp)
