"""Indicators of an identity table (dashboard, `ivo indicators`, audit report: the same dict)."""

from __future__ import annotations

from datetime import date
from typing import NotRequired, TypedDict, cast

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ivo_app.rules.record import ATTRIBUTES, STATUSES
from ivo_app.services import settings
from ivo_app.services.checks import findings_summary
from ivo_app.services.duplicates import DuplicateSummary, duplicate_summary
from ivo_app.store.db import Database
from ivo_app.store.models import Extraction, Identity
from ivo_app.store.models.rules import FindingRow
from ivo_app.store.repositories import CheckRunRepository
from ivo_app.store.uow import UnitOfWork


# The indicators are a JSON-ready dict (exported by `ivo indicators --format json`, kept in audits and
# read back by the follow-up), typed key by key for the dashboard, the CLI and the reports.
class ExtractionFigures(TypedDict):
    id: int
    facility: str
    extracted_on: str  # ISO date
    source_file: str | None
    source_sha256: NotRequired[str | None]  # added by the reports (services.report)
    row_count: NotRequired[int | None]


class FindingsSummary(TypedDict):
    """`services.checks.findings_summary`."""

    checked: bool
    total: int
    by_rule: dict[str, int]
    by_severity: dict[str, int]
    identities_with_findings: int


class Change(TypedDict):
    before: float
    now: float
    delta: float


class Trend(TypedDict):
    previous_extraction: int
    previous_extracted_on: str
    identities: Change
    qualification_rate: Change
    recup_share: Change
    with_ins: Change
    anomalies_total: Change


class HistoryPoint(TypedDict):
    id: int
    extracted_on: str
    identities: int
    qual_share: float
    qualification_rate: float  # QUAL / active file of that extraction (what the target is about)
    anomalies: int | None  # None: not checked


class Figures(TypedDict):
    """The figures of one extraction (the trend compares two of them)."""

    extraction: ExtractionFigures
    identities: int
    active_period_years: int
    active_since: str
    active_identities: int
    statuses: dict[str, int]
    qualification_rate: float
    recup_share: float
    with_ins: int
    attributes: dict[str, int]
    unknown_birthplace: int
    completed_dates: int
    anomalies: FindingsSummary


class Indicators(Figures):
    trend: Trend | None
    history: list[HistoryPoint]
    duplicates: DuplicateSummary | None


def compute_indicators(
    db: Database, extraction_id: int | None = None, *, active_years: int | None = None
) -> Indicators:
    """Indicators of an extraction, JSON-ready. Keys:

    - `extraction`: id, facility, extracted_on, source_file;
    - `identities`: count; `active_period_years`, `active_since`, `active_identities` (last visit within
      the period before the extraction date; identities without a last visit count as active). The
      period is `active_years`, or else the facility's setting (Paramètres, `services.settings`);
    - `statuses`: count per status (PROV, RECUP, VALI, QUAL, other); `qualification_rate`: QUAL / active
      identities (percent, one decimal); `recup_share`: RECUP / active (percent);
    - `attributes`: count per attribute; `unknown_birthplace` (99999); `completed_dates` (flagged or
      TRAIT-DATE-COMPLETEE); `with_ins`: identities carrying a matricule;
    - `anomalies`: the findings summary (checked, total, by_rule, by_severity, identities_with_findings);
    - `duplicates`: the duplicate engine's summary, or None when it has not run;
    - `trend`: the same key figures for the previous extraction of the facility and the differences, or None;
    - `history`: every extraction of the facility up to this one, oldest first: id, extracted_on,
      identities, qual_share (QUAL among all its identities, percent), anomalies (None if unchecked).
    """
    with UnitOfWork(db) as uow:
        extraction = uow.extractions.resolve(extraction_id)
        if active_years is None:
            active_years = settings.active_years_in_session(uow.session, extraction.facility_id)
        figures = _figures(uow.session, extraction, active_years)
        previous = uow.extractions.previous(extraction)
        trend: Trend | None = None
        if previous is not None:
            before = _figures(uow.session, previous, active_years)
            trend = {
                "previous_extraction": previous.id,
                "previous_extracted_on": previous.extracted_on.isoformat(),
                "identities": _change(before["identities"], figures["identities"]),
                "qualification_rate": _change(before["qualification_rate"], figures["qualification_rate"]),
                "recup_share": _change(before["recup_share"], figures["recup_share"]),
                "with_ins": _change(before["with_ins"], figures["with_ins"]),
                "anomalies_total": _change(before["anomalies"]["total"], figures["anomalies"]["total"]),
            }
        history = _history(uow.session, extraction, active_years)
    # Keys in the order `ivo indicators --format json` has always printed them.
    return {
        **figures,
        "trend": trend,
        "history": history,
        "duplicates": duplicate_summary(db, figures["extraction"]["id"]),
    }


def _change(before: float, now: float) -> Change:
    return {"before": before, "now": now, "delta": _delta(before, now)}


def _history(session: Session, extraction: Extraction, active_years: int) -> list[HistoryPoint]:
    """The facility's extractions so far, in grouped queries (cheap on millions of rows), and each
    one's qualification rate of its active file: the figure the qualification target is about."""
    extractions = session.execute(
        select(Extraction.id, Extraction.extracted_on)
        .where(Extraction.facility_id == extraction.facility_id, Extraction.id <= extraction.id)
        .order_by(Extraction.id)
    ).all()
    ids = [e.id for e in extractions]
    in_ids = Identity.extraction_id.in_(ids)
    totals = dict(
        session.execute(
            select(Identity.extraction_id, func.count()).where(in_ids).group_by(Identity.extraction_id)
        )
        .tuples()
        .all()
    )
    qualified = dict(
        session.execute(
            select(Identity.extraction_id, func.count())
            .where(in_ids, Identity.status == "QUAL")
            .group_by(Identity.extraction_id)
        )
        .tuples()
        .all()
    )
    findings = dict(
        session.execute(
            select(FindingRow.extraction_id, func.count())
            .where(FindingRow.extraction_id.in_(ids))
            .group_by(FindingRow.extraction_id)
        )
        .tuples()
        .all()
    )
    checked = CheckRunRepository(session).checked(ids)
    rates = {e.id: _active_qualification(session, e.id, e.extracted_on, active_years) for e in extractions}
    return [
        {
            "id": e.id,
            "extracted_on": e.extracted_on.isoformat(),
            "identities": int(totals.get(e.id, 0)),
            "qual_share": _rate(qualified.get(e.id, 0), totals.get(e.id, 0)),
            "qualification_rate": rates[e.id],
            "anomalies": int(findings.get(e.id, 0)) if e.id in checked else None,
        }
        for e in extractions
    ]


def _active_qualification(
    session: Session, extraction_id: int, extracted_on: date, active_years: int
) -> float:
    """QUAL / active identities of one extraction, the active file counted back from its own date."""
    since = _years_before(extracted_on, active_years)
    active = and_(
        Identity.extraction_id == extraction_id,
        or_(Identity.last_visit.is_(None), Identity.last_visit >= since),
    )
    total = session.scalar(select(func.count()).where(active)) or 0
    qualified = session.scalar(select(func.count()).where(active, Identity.status == "QUAL")) or 0
    return _rate(qualified, total)


def _delta(before: float | int, now: float | int) -> float | int:
    return round(now - before, 1) if isinstance(now, float) else now - before


def _figures(session: Session, extraction: Extraction, active_years: int) -> Figures:
    eid = extraction.id
    since = _years_before(extraction.extracted_on, active_years)
    of_extraction = Identity.extraction_id == eid
    active = and_(of_extraction, or_(Identity.last_visit.is_(None), Identity.last_visit >= since))
    count = session.scalar(select(func.count()).where(of_extraction)) or 0
    active_count = session.scalar(select(func.count()).where(active)) or 0
    by_status = dict(
        session.execute(select(Identity.status, func.count()).where(of_extraction).group_by(Identity.status))
        .tuples()
        .all()
    )
    active_by_status = dict(
        session.execute(select(Identity.status, func.count()).where(active).group_by(Identity.status))
        .tuples()
        .all()
    )
    statuses = {s: int(by_status.get(s, 0)) for s in STATUSES}
    statuses["autre"] = int(sum(v for k, v in by_status.items() if k not in STATUSES))
    attributes = {
        a: int(
            session.scalar(select(func.count()).where(of_extraction, Identity.attributes.contains(a))) or 0
        )
        for a in ATTRIBUTES
    }
    anomalies = cast(FindingsSummary, findings_summary(session, eid))  # its keys, typed here
    completed_flagged = (
        session.scalar(select(func.count()).where(of_extraction, Identity.birth_date_completed.is_(True)))
        or 0
    )
    return {
        "extraction": {
            "id": eid,
            "facility": extraction.facility.name,
            "extracted_on": extraction.extracted_on.isoformat(),
            "source_file": extraction.source_file,
        },
        "identities": int(count),
        "active_period_years": active_years,
        "active_since": since.isoformat(),
        "active_identities": int(active_count),
        "statuses": statuses,
        "qualification_rate": _rate(active_by_status.get("QUAL", 0), active_count),
        "recup_share": _rate(active_by_status.get("RECUP", 0), active_count),
        "with_ins": int(
            session.scalar(select(func.count()).where(of_extraction, Identity.ins_matricule.is_not(None)))
            or 0
        ),
        "attributes": attributes,
        "unknown_birthplace": int(
            session.scalar(select(func.count()).where(of_extraction, Identity.birthplace == "99999")) or 0
        ),
        "completed_dates": int(completed_flagged) + anomalies["by_rule"].get("TRAIT-DATE-COMPLETEE", 0),
        "anomalies": anomalies,
    }


def _rate(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
