"""Listing and exporting extractions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ivo_app.errors import IvoError, NotFoundError
from ivo_app.io import atomic
from ivo_app.io.fhir_export import bundle, ipp_system, patient
from ivo_app.io.mapping import CANONICAL_FIELDS
from ivo_app.io.sources import REJECTION_REASONS
from ivo_app.io.writers import write_table
from ivo_app.services.settings import ipp_authority
from ivo_app.store import journal
from ivo_app.store.db import Database
from ivo_app.store.models import Extraction, Identity
from ivo_app.store.queries.findings import record_findings
from ivo_app.store.uow import UnitOfWork


@dataclass
class ExtractionInfo:
    id: int
    facility: str
    facility_id: int
    extracted_on: date
    imported_at: datetime
    source_file: str
    source_format: str
    rows: int
    rejected: int
    sha256: str
    is_demo: bool

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["extracted_on"] = self.extracted_on.isoformat()
        data["imported_at"] = self.imported_at.isoformat(timespec="seconds")
        return data


def list_extractions(db: Database, facility_id: int | None = None) -> list[ExtractionInfo]:
    with UnitOfWork(db) as uow:
        return [_info(e) for e in uow.extractions.list(facility_id)]


def _info(e: Extraction) -> ExtractionInfo:
    return ExtractionInfo(
        id=e.id,
        facility=e.facility.name,
        facility_id=e.facility_id,
        extracted_on=e.extracted_on,
        imported_at=e.imported_at,
        source_file=e.source_file,
        source_format=e.source_format,
        rows=e.row_count,
        rejected=e.rejected_count,
        sha256=e.source_sha256,
        is_demo=e.is_demo,
    )


def resolve_extraction_id(db: Database, extraction_id: int | None, facility: str | None = None) -> int:
    """The given extraction id checked, or the most recent one of the facility (store: `resolve`)."""
    with UnitOfWork(db) as uow:
        return uow.extractions.resolve(extraction_id, facility).id


def rejections(db: Database, extraction_id: int) -> list[tuple[int, str, str]]:
    with UnitOfWork(db) as uow:
        return _rejections(uow, extraction_id)


def _rejections(uow: UnitOfWork, extraction_id: int) -> list[tuple[int, str, str]]:
    return [
        (r.line_no, REJECTION_REASONS.get(r.reason, r.reason), r.detail or "")
        for r in uow.extractions.rejections(extraction_id)
    ]


REJECTION_HEADERS = ("ligne", "motif", "detail")


def export_rejections(db: Database, extraction_id: int, out: Path) -> int:
    """Write the rejected lines of an extraction (CSV or XLSX by suffix, formula-safe cells)."""
    with UnitOfWork(db) as uow:
        count = write_table(out, list(REJECTION_HEADERS), _rejections(uow, extraction_id))
        journal.record(uow.session, "export_rejets", f"extraction:{extraction_id}", {"rows": count})
        uow.commit()
    return count


def _canonical_rows(uow: UnitOfWork, extraction_id: int) -> Iterator[list[Any]]:
    attrs = list(CANONICAL_FIELDS.values())
    for batch in uow.identities.iter_batches(extraction_id):
        for identity in batch:
            yield [_export_value(identity, a) for a in attrs]


def _export_value(identity: Identity, attr: str) -> Any:
    if attr == "birth_date":
        return identity.birth_date.isoformat() if identity.birth_date else identity.birth_date_raw
    if attr == "attributes":
        return (identity.attributes or "").replace(",", " ") or None
    if attr == "birth_date_completed":
        return None if identity.birth_date_completed is None else int(identity.birth_date_completed)
    return getattr(identity, attr)


def export_extraction(db: Database, extraction_id: int | None, out: Path) -> int:
    """Write the identities of an extraction: canonical import format (.csv, .xlsx), or a FHIR Bundle
    of FR Core Patients with their findings (.json)."""
    with UnitOfWork(db) as uow:
        extraction = uow.extractions.resolve(extraction_id)
        if out.suffix.lower() == ".json":
            count = _export_fhir(uow, extraction.id, out, extraction.facility_id)
        else:
            count = write_table(out, list(CANONICAL_FIELDS), _canonical_rows(uow, extraction.id))
        journal.record(
            uow.session, "export", f"extraction:{extraction.id}", {"rows": count, "format": out.suffix}
        )
        uow.commit()
        return count


def _export_fhir(uow: UnitOfWork, extraction_id: int, out: Path, facility_id: int) -> int:

    facility = uow.facilities.get(facility_id)
    system = ipp_system(ipp_authority(uow, facility_id), facility.name)
    findings = record_findings(uow.session, extraction_id)
    patients = [
        patient(i, findings.get(i.id, ()), system)
        for batch in uow.identities.iter_batches(extraction_id)
        for i in batch
    ]
    try:
        atomic.write_text(out, json.dumps(bundle(patients), ensure_ascii=False, indent=1))
    except OSError as exc:
        raise IvoError(f"Écriture impossible : {out} ({exc.strerror}).") from exc
    return len(patients)


def delete_extraction(db: Database, extraction_id: int) -> ExtractionInfo:
    """Remove an extraction imported by mistake with everything computed on it (identities,
    anomalies, pairs, rejected lines), in one transaction. The facility's duplicate decisions are
    kept (they belong to the facility, not to one extraction); an audit keeps its answers and loses
    only its link to the extraction. Returns what was removed, for the confirmation."""

    with UnitOfWork(db) as uow:
        try:
            info = _info(uow.extractions.get(extraction_id))
        except NotFoundError:
            raise IvoError(f"Extraction n° {extraction_id} introuvable.") from None
        uow.extractions.delete_rows(extraction_id)
        journal.record(
            uow.session,
            "suppression_extraction",
            f"extraction:{extraction_id}",
            {"rows": info.rows, "facility_id": info.facility_id},
        )
        uow.commit()
    return info
