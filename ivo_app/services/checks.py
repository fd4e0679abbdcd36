"""Check use case: run every RNIV rule over an extraction and store the findings."""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ivo_app import __version__, collector
from ivo_app.io.values import parse_date
from ivo_app.progress import CancelFn, Progress, ProgressFn
from ivo_app.rules.catalogue import RULES, SEVERITIES, message
from ivo_app.rules.columnar import COLUMNS, ColumnarRules
from ivo_app.rules.engine import CheckContext, CrossRecordRules, Finding, RuleSettings
from ivo_app.rules.evolution import CASE as EVOLUTION_CASE
from ivo_app.rules.evolution import RULE as EVOLUTION_RULE
from ivo_app.rules.evolution import Change, PreviousExtraction, explain, traits_of
from ivo_app.rules.findings import configured
from ivo_app.rules.normalize import fold_header
from ivo_app.rules.record import IdentityRecord
from ivo_app.services import pair_findings
from ivo_app.services.cog_reference import reference_for
from ivo_app.services.identities import RECORD_COLUMNS, iter_columns, iter_records
from ivo_app.services.rule_settings import load_settings
from ivo_app.store import journal
from ivo_app.store.db import Database
from ivo_app.store.dialect import bulk_insert
from ivo_app.store.models.base import utcnow
from ivo_app.store.models.rules import FINDING_COLUMNS, FindingRow
from ivo_app.store.queries import findings as finding_queries
from ivo_app.store.queries import identities as identity_queries
from ivo_app.store.repositories import CheckRunRepository, ExtractionRepository
from ivo_app.store.uow import BulkWork, UnitOfWork


@dataclass
class CheckResult:
    extraction_id: int
    identities: int
    findings: int
    by_rule: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)


@dataclass
class FindingView:
    ipp: str | None
    identity_id: int | None
    rule: str
    severity: str
    message: str
    fields: list[str]
    params: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "ipp": self.ipp,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "fields": self.fields,
        }


def run_checks(
    db: Database,
    extraction_id: int | None = None,
    *,
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
) -> CheckResult:
    """Run all enabled rules; replace the extraction's findings in one unit of work.

    The identities are read a page of columns at a time; the per-record rules run through
    `rules.columnar` (each rule once per distinct value of the fields it reads, `engine.check_record`
    being the reference), the cross-record rules keep what they group on, and the findings are
    written in bulk, each distinct finding encoded once."""
    tracker = Progress(progress, is_cancelled)
    started_at, started = utcnow(), time.perf_counter()
    reference = reference_for(db)  # the database's dated COG, if `ivo cog import` loaded one
    with BulkWork(db) as uow, collector.paused():
        extraction = uow.extractions.resolve(extraction_id)
        extraction_id, facility_id = extraction.id, extraction.facility_id
        total = uow.identities.count(extraction_id)
        previous = uow.extractions.previous(extraction)
        previous_id = previous.id if previous is not None else None
        ctx = CheckContext(
            today=extraction.extracted_on,
            cog=reference,
            settings=load_settings(uow.session, facility_id),
        )
        conn = uow.connection
        rows: list[tuple[Any, ...]] = []
        cross = CrossRecordRules(ctx)
        rules: ColumnarRules[tuple[Any, ...]] = ColumnarRules(ctx, _encoded)
        evolution = EVOLUTION_RULE not in ctx.settings.disabled and previous_id is not None
        before = PreviousExtraction()
        if evolution:
            assert previous_id is not None
            for r in iter_records(conn, previous_id):
                before.add(r.ipp, r.status, r.sex, traits_of(r))
        changed: dict[str, tuple[Change, IdentityRecord]] = {}
        optional = _optional_dates(conn, extraction_id)
        # The evolution compares whole records: it reads every column, the rules only theirs.
        columns = RECORD_COLUMNS if evolution else COLUMNS
        done = 0
        for page in iter_columns(conn, extraction_id, columns):
            ids = page["id"]
            extras = {i: optional[x] for i, x in enumerate(ids) if x in optional} if optional else None
            for i, found in rules.check(page, extras):
                identity = (extraction_id, ids[i])
                rows.extend(identity + f for f in found)
            cross.add_page(page)
            if evolution:
                for values in zip(*(page[c] for c in RECORD_COLUMNS), strict=True):
                    record = IdentityRecord(*values)
                    if (change := before.compare(record)) is not None:
                        changed[record.ipp] = (change, record)
            done += len(ids)
            tracker.check()
            tracker.report(done, total, f"{done} identités vérifiées", force=True)
        if changed:
            assert previous_id is not None
            rows.extend(_evolution_rows(conn, extraction_id, previous_id, changed, ctx.settings))
        rows.extend((extraction_id, identity_id, *_encoded(f)) for identity_id, f in cross.findings())
        rows.extend(pair_findings.rows(conn, extraction_id, facility_id, ctx.settings))
        conn.execute(delete(FindingRow).where(FindingRow.extraction_id == extraction_id))
        for start in range(0, len(rows), 50_000):
            bulk_insert(conn, FindingRow.__table__, FINDING_COLUMNS, rows[start : start + 50_000])
        tracker.check()
        severities = Counter(map(itemgetter(3), rows))
        uow.check_runs.add(
            extraction_id,
            started_at=started_at,
            ended_at=utcnow(),
            seconds=round(time.perf_counter() - started, 3),
            rules_version=rules_version(),
            settings_hash=settings_hash(ctx.settings),
            identities=total,
            by_severity={s: severities.get(s, 0) for s in SEVERITIES},
        )
        journal.record(conn, "check", f"extraction:{extraction_id}", {"findings": len(rows)})
        uow.commit()
    tracker.report(total, total, f"{len(rows)} anomalies", force=True)
    by_rule = Counter(map(itemgetter(2), rows))
    return CheckResult(extraction_id, total, len(rows), dict(by_rule), dict(severities))


# One encoder for every finding: json.dumps with arguments builds a new one per call.
_PARAMS = json.JSONEncoder(ensure_ascii=False, default=str)


def _encoded(f: Finding) -> tuple[Any, ...]:
    """A configured finding as the finding table's (rule, severity, fields, params) columns."""
    return (
        f.rule_id,
        f.severity,
        ",".join(f.fields) or None,
        _PARAMS.encode(f.params),
    )


# Optional columns a table may carry (kept by the import among the unmapped columns): the date of
# the INSi call and the expiry date of the identity document, checked when present.
OPTIONAL_DATE_COLUMNS = {
    "date_appel_insi": "insi_call",
    "date_insi": "insi_call",
    "date_dernier_appel_insi": "insi_call",
    "date_interrogation_insi": "insi_call",
    "date_expiration_justificatif": "document_expiry",
    "date_expiration": "document_expiry",
    "expiration_justificatif": "document_expiry",
    "date_fin_validite_justificatif": "document_expiry",
    "date_validite_justificatif": "document_expiry",
}


def _optional_dates(conn: Any, extraction_id: int) -> dict[int, dict[str, Any]]:
    """identity id → {"insi_call": date or unreadable text, "document_expiry": …, "columns": the
    optional columns the table has}; empty (one cheap query) when the table has none of them."""
    # The import keeps only the non-empty unmapped cells: a sample of rows tells the columns.
    sample = identity_queries.extras_sample(conn, extraction_id, 2000)
    names = {k for extra in sample for k in (extra or {})}
    keys = {
        k: OPTIONAL_DATE_COLUMNS[fold_header(k)] for k in names if fold_header(k) in OPTIONAL_DATE_COLUMNS
    }
    if not keys:
        return {}
    present = sorted(set(keys.values()))
    out: dict[int, dict[str, Any]] = {}
    for identity_id, extra in identity_queries.extras(conn, extraction_id):
        values: dict[str, Any] = {"columns": present}
        for key, name in keys.items():
            raw = (extra or {}).get(key)
            if raw:
                values[name] = parse_date(raw) or raw
        out[identity_id] = values
    return out


def _evolution_rows(
    conn: Any,
    extraction_id: int,
    previous_id: int,
    changed: dict[str, tuple[Change, IdentityRecord]],
    settings: RuleSettings,
) -> list[tuple[Any, ...]]:
    """Trait-history findings (COLLISION-SUSPECTE, "historique" case): the previous versions of the changed identities read back (a second
    pass over the previous extraction, only when something changed) to name the traits."""
    old = {r.ipp: r for r in iter_records(conn, previous_id) if r.ipp in changed}
    out = []
    for ipp, (change, record) in changed.items():
        params = explain(change, old.get(ipp), record)
        finding = configured(Finding(EVOLUTION_RULE, ("status",), params, EVOLUTION_CASE), settings)
        out.append(_row(extraction_id, change.identity_id, finding))
    return out


def _row(extraction_id: int, identity_id: int | None, f: Finding) -> tuple[Any, ...]:
    return (extraction_id, identity_id, *_encoded(f))


def rules_version() -> str:
    """The application's version and a digest of the catalogue (rules, severities, cases, texts):
    two checks with the same version applied the same rules."""
    catalogue = [
        (r.id, r.severity, r.variants, r.message, sorted((k, sorted(v.items())) for k, v in r.texts.items()))
        for r in RULES.values()
    ]
    digest = hashlib.sha256(json.dumps(catalogue, ensure_ascii=False).encode()).hexdigest()[:12]
    return f"{__version__}+{digest}"


def settings_hash(settings: RuleSettings) -> str:
    """SHA-256 of the facility's rule settings as the check applied them."""
    value = {**asdict(settings), "disabled": sorted(settings.disabled)}
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def list_findings(
    db: Database,
    extraction_id: int | None = None,
    *,
    rule: str | None = None,
    severity: str | None = None,
    ipp: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[FindingView]:
    with UnitOfWork(db) as uow:
        extraction_id = uow.extractions.resolve(extraction_id).id
        return [
            FindingView(
                ipp_,
                f.identity_id,
                f.rule_id,
                f.severity,
                message(f.rule_id, f.params or {}),
                (f.fields or "").split(",") if f.fields else [],
                f.params or {},
            )
            for f, ipp_ in finding_queries.findings_page(
                uow.session, extraction_id, rule=rule, severity=severity, ipp=ipp, offset=offset, limit=limit
            )
        ]


def findings_summary(source: Database | Session, extraction_id: int | None = None) -> dict[str, Any]:
    """{"checked": bool, "total": n, "by_rule": {rule: n}, "by_severity": {severity: n},
    "identities_with_findings": n} — the counts every face shows. `source`: the database (the
    extraction resolved as everywhere: None is the latest), or the session of a caller's unit of
    work that reads more beside it (the indicators)."""
    if isinstance(source, Database):
        with UnitOfWork(source) as uow:
            return findings_summary(uow.session, uow.extractions.resolve(extraction_id).id)
    session = source
    if extraction_id is None:
        extraction_id = ExtractionRepository(session).resolve(None).id
    by_rule = finding_queries.counts_by(session, extraction_id, "rule_id")
    by_severity = finding_queries.counts_by(session, extraction_id, "severity")
    identities = finding_queries.identities_with_findings(session, extraction_id)
    checked = CheckRunRepository(session).is_checked(extraction_id)
    return {
        "checked": checked,
        "total": sum(by_rule.values()),
        "by_rule": {rule: by_rule[rule] for rule in RULES if rule in by_rule},
        "by_severity": {s: by_severity.get(s, 0) for s in SEVERITIES},
        "identities_with_findings": identities,
    }
