"""Import use case: a file (or records) → one new extraction, all or nothing."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert

from ivo_app import collector
from ivo_app.errors import IvoError, MappingError
from ivo_app.io.mapping import CANONICAL_FIELDS, ColumnMapping, guess_mapping
from ivo_app.io.sources import (
    REJECTION_REASONS,
    RawRecord,
    RecordSource,
    SourceRejection,
    file_facts,
    open_source,
)
from ivo_app.io.tabular import TabularSource
from ivo_app.progress import CancelFn, Progress, ProgressFn
from ivo_app.services import settings
from ivo_app.services.read_ahead import prepared_batches
from ivo_app.services.records import IDENTITY_COLUMNS, Rejection, RowBuilder
from ivo_app.store import journal
from ivo_app.store.db import Database
from ivo_app.store.dialect import bulk_columns
from ivo_app.store.models import Extraction, Identity, ImportRejection
from ivo_app.store.uow import BulkWork

log = logging.getLogger(__name__)
BATCH = 10_000


@dataclass
class ImportResult:
    extraction_id: int
    facility: str
    rows: int
    rejections: list[Rejection] = field(default_factory=list)
    source_format: str = ""
    encoding: str | None = None
    separator: str | None = None
    mapping: dict[str, Any] | None = None
    # Per source system / identifier domain: read, kept, updated, merged, refused with reasons; the
    # events that changed a patient and the notes (re-decoding, key choices). See `import_report`.
    report: dict[str, Any] = field(default_factory=dict)


@dataclass
class FilePreview:
    """What the import wizard shows before importing."""

    format: str
    encoding: str | None
    separator: str | None
    headers: list[str]
    rows: list[list[str]]
    mapping: ColumnMapping | None
    mapping_error: str | None = None


def preview_file(path: Path, mapping: ColumnMapping | None = None, limit: int = 20) -> FilePreview:
    """First rows of a file with the detected encoding, separator and proposed mapping.

    A mapping that cannot be completed is reported, not raised: the wizard lets the user finish it.
    """
    source = open_source(Path(path), mapping)
    proposed: ColumnMapping | None = None
    error: str | None = None
    try:
        proposed = source.mapping
    except MappingError as exc:
        error = exc.message
        if isinstance(source, TabularSource):
            proposed = guess_mapping(source.headers)  # what could be recognised, for the user to complete
    if isinstance(source, TabularSource):
        headers, rows = source.headers, source.raw_rows(limit)
    else:  # message formats: show the canonical fields they produce
        headers = list(CANONICAL_FIELDS)
        rows = [
            [item.fields.get(f, "") for f in headers]
            for item in islice((i for i in source if isinstance(i, RawRecord)), limit)
        ]
    return FilePreview(
        format=source.format,
        encoding=source.encoding,
        separator=getattr(source, "separator", None),
        headers=headers,
        rows=rows,
        mapping=proposed,
        mapping_error=error,
    )


def import_file(
    db: Database,
    path: Path,
    facility: str,
    *,
    mapping: ColumnMapping | None = None,
    extracted_on: date | None = None,
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
    read_ahead: bool | None = None,
) -> ImportResult:
    """Import `path` as a new extraction of `facility`. Raises IvoError; the base is unchanged then."""
    path = Path(path)
    facts = file_facts(path) if path.is_file() else None
    authority = settings.facility_settings(db, facility, new_facility_ok=True).ipp_authority
    if authority and not (mapping and mapping.expected_authority):  # Paramètres; a mapping file wins
        mapping = dataclasses.replace(mapping or ColumnMapping(), expected_authority=authority)
    source = open_source(path, mapping, facts)
    sha = facts.sha256 if facts else getattr(source, "sha256", "")
    return load_records(
        db,
        source,
        facility,
        source_file=path.name,
        source_sha256=sha,
        extracted_on=extracted_on,
        progress=progress,
        is_cancelled=is_cancelled,
        read_ahead=read_ahead,
    )


def load_records(
    db: Database,
    source: RecordSource | Iterable[RawRecord | SourceRejection],
    facility: str,
    *,
    source_file: str,
    source_sha256: str = "",
    source_format: str | None = None,
    extracted_on: date | None = None,
    is_demo: bool = False,
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
    on_loaded: Callable[[Connection, int], None] | None = None,
    read_ahead: bool | None = None,
) -> ImportResult:
    """Stream records into a new extraction in one transaction (rolled back on error or cancel).

    `on_loaded(conn, extraction_id)` runs inside that transaction once the identities are written
    (the demo generator stores its ground truth there, so truth and data land together).
    `read_ahead` reads a file in a second process (None: when the file is large).
    """
    tracker = Progress(progress, is_cancelled)
    mapping: ColumnMapping | None = getattr(source, "mapping", None)
    fmt = str(source_format or getattr(source, "format", "records"))
    rejections: list[Rejection] = []
    rows = 0
    # One transaction: the facility, the extraction, its identities, rejections and journal entry;
    # BulkWork rolls it all back on any error or a cancel.
    with BulkWork(db) as uow, collector.paused():
        conn, session = uow.connection, uow.session
        fac = uow.facilities.get_or_create(facility)
        defaults = settings.status_mapping(uow, fac.id)
        if defaults:  # the facility's default status mapping (Paramètres); a mapping file's entries win
            given = mapping or ColumnMapping()
            mapping = dataclasses.replace(given, status={**defaults, **given.status})
        extraction = Extraction(
            facility_id=fac.id,
            extracted_on=extracted_on or date.today(),
            source_file=source_file[:500],
            source_sha256=source_sha256,
            source_format=fmt,
            encoding=getattr(source, "encoding", None),
            mapping=mapping.to_json() if mapping else None,
            is_demo=is_demo,
        )
        session.add(extraction)
        session.flush()
        builder = RowBuilder(extraction.id, mapping, dates_as_text=conn.dialect.name == "sqlite")
        rows, rejections = _write_identities(conn, source, builder, tracker, read_ahead)
        tracker.check()
        rejections.sort(key=lambda r: r.line_no)
        if rows == 0:
            raise IvoError(
                "Aucune identité importée : le fichier ne contient aucune ligne valide"
                + _why_nothing(rejections)
                + "."
            )
        report = import_report(source, rows, rejections, builder)
        if rejections:
            conn.execute(
                insert(ImportRejection),
                [
                    {
                        "extraction_id": extraction.id,
                        "line_no": r.line_no,
                        "reason": r.reason,
                        "detail": r.detail[:1000] or None,
                    }
                    for r in rejections
                ],
            )
        extraction.row_count = rows
        extraction.rejected_count = len(rejections)
        session.flush()
        if on_loaded is not None:
            on_loaded(conn, extraction.id)
        journal.record(
            conn,
            "import",
            f"extraction:{extraction.id}",
            {
                "facility_id": fac.id,
                "file": source_file,
                "sha256": source_sha256,
                "rows": rows,
                "rejected": len(rejections),
                "format": fmt,
                "report": journal_summary(report),
            },
        )
        tracker.check()
        uow.commit()
        tracker.report(rows, rows, f"{rows} identités importées", force=True)
        extraction_id = extraction.id
    log.info("import: extraction %s, %s rows, %s rejected", extraction_id, rows, len(rejections))
    return ImportResult(
        extraction_id=extraction_id,
        facility=facility,
        rows=rows,
        rejections=rejections,
        source_format=fmt,
        encoding=getattr(source, "encoding", None),
        separator=getattr(source, "separator", None),
        mapping=mapping.to_json() if mapping else None,
        report=report,
    )


def _why_nothing(rejections: list[Rejection]) -> str:
    """Why a file gave no identity: its first refusals with their exact reasons."""
    if not rejections:
        return ""
    shown = "; ".join(r.label for r in rejections[:3])
    more = f" ; … et {len(rejections) - 3} autres" if len(rejections) > 3 else ""
    return f" ({len(rejections)} refusées : {shown}{more})"


def import_report(
    source: Any, rows: int, rejections: list[Rejection], builder: RowBuilder | None = None
) -> dict[str, Any]:
    """The import report: per identifier domain (message formats: what their reader counted; a
    table: one domain, the file), the events, the notes, the rejections by reason."""
    reasons: dict[str, int] = {}
    for r in rejections:
        reasons[r.reason] = reasons.get(r.reason, 0) + 1
    read_report = getattr(source, "report", None)
    if read_report is not None and read_report.domains:
        data: dict[str, Any] = read_report.to_json()
        data["domaines"] = [d for d in data["domaines"] if d["lus"] or d["refuses"]]
    else:
        data = {
            "domaines": [
                {
                    "domaine": "(fichier)",
                    "systemes_source": [],
                    "lus": rows + len(rejections),
                    "gardes": rows,
                    "mis_a_jour": 0,
                    "fusionnes": 0,
                    "refuses": len(rejections),
                    "motifs": reasons,
                    "ipp_qualifies": False,
                }
            ],
            "evenements": [],
            "remarques": list(getattr(read_report, "notes", [])),
        }
    kept = sum(d["gardes"] for d in data["domaines"])
    if kept != rows:  # the import itself refused some (repeated IPP...): say so rather than disagree
        data["remarques"].append(f"{kept - rows} patients lus refusés à l'enregistrement (voir les rejets).")
    if builder is not None:
        data["remarques"] += getattr(builder, "date_notes", [])
    data["refus_par_motif"] = reasons
    return data


def journal_summary(report: dict[str, Any]) -> dict[str, Any]:
    """Counts only (no event text) for the journal: identifiers and numbers, never names."""
    return {
        "domaines": [
            {k: d[k] for k in ("domaine", "lus", "gardes", "mis_a_jour", "fusionnes", "refuses")}
            for d in report.get("domaines", [])
        ],
        "evenements": len(report.get("evenements", [])),
        "remarques": len(report.get("remarques", [])),
    }


def report_lines(report: dict[str, Any]) -> list[str]:
    """The import report in French, for the CLI and the window."""
    lines = []
    for d in report.get("domaines", []):
        systems = f" — {', '.join(d['systemes_source'])}" if d.get("systemes_source") else ""
        qualified = " (IPP enregistrés en IPP@AUTORITE)" if d.get("ipp_qualifies") else ""
        lines.append(
            f"Domaine {d['domaine']}{systems}{qualified} : {d['lus']} lus, {d['gardes']} gardés, "
            f"{d['mis_a_jour']} mis à jour par un événement ultérieur, {d['fusionnes']} fusionnés, "
            f"{d['refuses']} refusés"
        )
        for reason, n in d.get("motifs", {}).items():
            lines.append(f"    refus « {REJECTION_REASONS.get(reason, reason)} » : {n}")
    lines += [f"  {e}" for e in report.get("evenements", [])]
    lines += [f"Remarque : {n}" for n in report.get("remarques", [])]
    return lines


def _write_identities(
    conn: Connection,
    source: RecordSource | Iterable[RawRecord | SourceRejection],
    builder: RowBuilder,
    tracker: Progress,
    read_ahead: bool | None,
) -> tuple[int, list[Rejection]]:
    """Write the source's identities in the caller's transaction: a plain canonical file through
    the columnar path (`services.columnar`), anything else, or a file that turns out not to be
    plain, through the general reader. What the columnar path wrote before it stopped is rolled
    back to a savepoint, so the rows stored are those of one reading of the file."""
    from ivo_app.services import columnar  # noqa: PLC0415  loads pyarrow (0.5 s): only when a file is imported

    if not columnar.eligible(source):
        return _write_batches(conn, source, builder, tracker, read_ahead, False)
    savepoint = conn.begin_nested()
    try:
        written = _write_batches(conn, source, builder, tracker, read_ahead, True)
    except columnar.ColumnarUnavailable:
        savepoint.rollback()
        log.info("import: columnar path stopped, general reader used")
        return _write_batches(conn, source, builder, tracker, read_ahead, False)
    savepoint.commit()
    return written


def _write_batches(
    conn: Connection,
    source: RecordSource | Iterable[RawRecord | SourceRejection],
    builder: RowBuilder,
    tracker: Progress,
    read_ahead: bool | None,
    fast: bool,
) -> tuple[int, list[Rejection]]:
    rows = 0
    rejections: list[Rejection] = []
    batches = prepared_batches(source, builder, BATCH, read_ahead, fast)
    with bulk_columns(conn, Identity.__table__, IDENTITY_COLUMNS) as write:
        for columns, batch_rejections, read in batches:
            tracker.check()
            rejections.extend(batch_rejections)
            write(builder.derive(columns))
            rows += len(columns[0])
            done, total = read if read else (rows, 0)
            tracker.report(done, total, f"{rows} identités lues", force=True)
    return rows, rejections


def write_report(result: ImportResult, out: Path) -> None:
    """The import report as a JSON file (with the rejections), for the CIV's records."""
    data = {
        "extraction": result.extraction_id,
        "etablissement": result.facility,
        "identites": result.rows,
        "format": result.source_format,
        "rapport": result.report,
        "rejets": [{"ligne": r.line_no, "motif": r.reason, "detail": r.detail} for r in result.rejections],
    }
    try:
        out.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    except OSError as exc:
        raise IvoError(f"Impossible d'écrire le rapport : {out} ({exc.strerror}).") from exc
