"""Indicators of an identity table (dashboard, `ivo indicators`, audit report: the same dict)."""

from __future__ import annotations

from datetime import date
from typing import NotRequired, TypedDict, cast

from sqlalchemy.orm import Session

from ivo_app.rules.record import ATTRIBUTES, STATUSES
from ivo_app.services import settings
from ivo_app.services.checks import findings_summary
from ivo_app.services.duplicates import DuplicateSummary, duplicate_summary
from ivo_app.store.db import Database
from ivo_app.store.models import Extraction
from ivo_app.store.queries import indicators as q
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
            active_years = settings.active_years(uow, extraction.facility_id)
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
    extractions = q.facility_extractions_until(session, extraction)
    ids = [eid for eid, _ in extractions]
    totals = q.identities_per_extraction(session, ids)
    qualified = q.identities_per_extraction(session, ids, status="QUAL")
    findings = q.findings_per_extraction(session, ids)
    checked = CheckRunRepository(session).checked(ids)
    rates = {eid: _active_qualification(session, eid, on, active_years) for eid, on in extractions}
    return [
        {
            "id": eid,
            "extracted_on": on.isoformat(),
            "identities": totals.get(eid, 0),
            "qual_share": _rate(qualified.get(eid, 0), totals.get(eid, 0)),
            "qualification_rate": rates[eid],
            "anomalies": findings.get(eid, 0) if eid in checked else None,
        }
        for eid, on in extractions
    ]


def _active_qualification(
    session: Session, extraction_id: int, extracted_on: date, active_years: int
) -> float:
    """QUAL / active identities of one extraction, the active file counted back from its own date."""
    total, qualified = q.active_and_qualified(
        session, extraction_id, _years_before(extracted_on, active_years)
    )
    return _rate(qualified, total)


def _delta(before: float | int, now: float | int) -> float | int:
    return round(now - before, 1) if isinstance(now, float) else now - before


def _figures(session: Session, extraction: Extraction, active_years: int) -> Figures:
    eid = extraction.id
    since = _years_before(extraction.extracted_on, active_years)
    counts = q.identity_counts(session, eid, since, ATTRIBUTES)
    statuses = {s: counts.by_status.get(s, 0) for s in STATUSES}
    statuses["autre"] = sum(v for k, v in counts.by_status.items() if k not in STATUSES)
    anomalies = cast(FindingsSummary, findings_summary(session, eid))  # its keys, typed here
    return {
        "extraction": {
            "id": eid,
            "facility": extraction.facility.name,
            "extracted_on": extraction.extracted_on.isoformat(),
            "source_file": extraction.source_file,
        },
        "identities": counts.total,
        "active_period_years": active_years,
        "active_since": since.isoformat(),
        "active_identities": counts.active,
        "statuses": statuses,
        "qualification_rate": _rate(counts.active_by_status.get("QUAL", 0), counts.active),
        "recup_share": _rate(counts.active_by_status.get("RECUP", 0), counts.active),
        "with_ins": counts.with_ins,
        "attributes": counts.by_attribute,
        "unknown_birthplace": counts.unknown_birthplace,
        "completed_dates": counts.completed_dates_flagged
        + anomalies["by_rule"].get("TRAIT-DATE-COMPLETEE", 0),
        "anomalies": anomalies,
    }


def _rate(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
