"""Indicators of an identity table (dashboard, `ivo indicators`, audit report: the same dict)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ivo_app.rules.record import ATTRIBUTES, STATUSES
from ivo_app.services import settings
from ivo_app.services.checks import check_logged, summary_in_session
from ivo_app.store.db import Database
from ivo_app.store.models import Extraction, Identity
from ivo_app.store.models.rules import FindingRow
from ivo_app.store.uow import UnitOfWork


def compute_indicators(
    db: Database, extraction_id: int | None = None, *, active_years: int | None = None
) -> dict[str, Any]:
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
        data = _figures(uow.session, extraction, active_years)
        previous = uow.extractions.previous(extraction)
        if previous is not None:
            before = _figures(uow.session, previous, active_years)
            data["trend"] = {
                "previous_extraction": previous.id,
                "previous_extracted_on": previous.extracted_on.isoformat(),
                **{
                    key: {"before": before[key], "now": data[key], "delta": _delta(before[key], data[key])}
                    for key in ("identities", "qualification_rate", "recup_share", "with_ins")
                },
                "anomalies_total": {
                    "before": before["anomalies"]["total"],
                    "now": data["anomalies"]["total"],
                    "delta": data["anomalies"]["total"] - before["anomalies"]["total"],
                },
            }
        else:
            data["trend"] = None
        data["history"] = _history(uow.session, extraction, active_years)
    data["duplicates"] = _duplicates(db, data["extraction"]["id"])
    return data


def _history(session: Session, extraction: Extraction, active_years: int) -> list[dict[str, Any]]:
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
        ).all()
    )
    qualified = dict(
        session.execute(
            select(Identity.extraction_id, func.count())
            .where(in_ids, Identity.status == "QUAL")
            .group_by(Identity.extraction_id)
        ).all()
    )
    findings = dict(
        session.execute(
            select(FindingRow.extraction_id, func.count())
            .where(FindingRow.extraction_id.in_(ids))
            .group_by(FindingRow.extraction_id)
        ).all()
    )
    checked = {e for e in ids if e in findings or check_logged(session, e)}
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


def _figures(session: Session, extraction: Extraction, active_years: int) -> dict[str, Any]:
    eid = extraction.id
    since = _years_before(extraction.extracted_on, active_years)
    of_extraction = Identity.extraction_id == eid
    active = and_(of_extraction, or_(Identity.last_visit.is_(None), Identity.last_visit >= since))
    count = session.scalar(select(func.count()).where(of_extraction)) or 0
    active_count = session.scalar(select(func.count()).where(active)) or 0
    by_status = dict(
        session.execute(
            select(Identity.status, func.count()).where(of_extraction).group_by(Identity.status)
        ).all()
    )
    active_by_status = dict(
        session.execute(select(Identity.status, func.count()).where(active).group_by(Identity.status)).all()
    )
    statuses = {s: int(by_status.get(s, 0)) for s in STATUSES}
    statuses["autre"] = int(sum(v for k, v in by_status.items() if k not in STATUSES))
    attributes = {
        a: int(
            session.scalar(select(func.count()).where(of_extraction, Identity.attributes.contains(a))) or 0
        )
        for a in ATTRIBUTES
    }
    anomalies = summary_in_session(session, eid)
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


def _duplicates(db: Database, extraction_id: int) -> dict[str, Any] | None:
    try:
        from ivo_app.services.duplicates import duplicate_summary
    except ImportError:
        return None
    return duplicate_summary(db, extraction_id)
