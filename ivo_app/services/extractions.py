"""Listing and exporting extractions.

The listing (`ivo extractions`, the window's extraction choosers) reads through Core alone
(`store.uow.ReadWork`): importing this module loads neither the ORM, the models, nor the readers and
writers, which the functions that export, delete or journal import when they run (issue 20: the
command starts in a fraction of a second).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ivo_app.errors import IvoError
from ivo_app.store.db import Database
from ivo_app.store.queries.extractions import extraction_rows
from ivo_app.store.uow import ReadWork, UnitOfWork

if TYPE_CHECKING:
    from ivo_app.store.models import Identity


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
    with ReadWork(db) as uow:
        return [
            ExtractionInfo(**row._mapping) for row in extraction_rows(uow.connection, facility_id=facility_id)
        ]


def resolve_extraction_id(db: Database, extraction_id: int | None, facility: str | None = None) -> int:
    """The given extraction id checked, or the most recent one of the facility (store: `resolve`)."""
    with UnitOfWork(db) as uow:
        return uow.extractions.resolve(extraction_id, facility).id


def rejections(db: Database, extraction_id: int) -> list[tuple[int, str, str]]:
    with UnitOfWork(db) as uow:
        return _rejections(uow, extraction_id)


def _rejections(uow: UnitOfWork, extraction_id: int) -> list[tuple[int, str, str]]:
    from ivo_app.io.sources import REJECTION_REASONS  # noqa: PLC0415  start-up: the readers, not for the listing

    return [
        (r.line_no, REJECTION_REASONS.get(r.reason, r.reason), r.detail or "")
        for r in uow.extractions.rejections(extraction_id)
    ]


REJECTION_HEADERS = ("ligne", "motif", "detail")


def export_rejections(db: Database, extraction_id: int, out: Path) -> int:
    """Write the rejected lines of an extraction (CSV or XLSX by suffix, formula-safe cells)."""
    from ivo_app.io.writers import write_table  # noqa: PLC0415  start-up: the writers, not for the listing
    from ivo_app.store import journal  # noqa: PLC0415  start-up: the models, not for the listing

    with UnitOfWork(db) as uow:
        count = write_table(out, list(REJECTION_HEADERS), _rejections(uow, extraction_id))
        journal.record(uow.session, "export_rejets", f"extraction:{extraction_id}", {"rows": count})
        uow.commit()
    return count


def _canonical_rows(uow: UnitOfWork, extraction_id: int) -> Iterator[list[Any]]:
    from ivo_app.io.mapping import CANONICAL_FIELDS  # noqa: PLC0415  start-up: the readers, not for the listing

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
    from ivo_app.io.mapping import CANONICAL_FIELDS  # noqa: PLC0415  start-up: the readers, not for the listing
    from ivo_app.io.writers import write_table  # noqa: PLC0415  start-up: the writers, not for the listing
    from ivo_app.store import journal  # noqa: PLC0415  start-up: the models, not for the listing

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
    from ivo_app.io import atomic  # noqa: PLC0415  start-up: the writers, not for the listing
    from ivo_app.io.fhir_export import bundle, ipp_system, patient  # noqa: PLC0415  as above
    from ivo_app.services.settings import ipp_authority  # noqa: PLC0415  start-up: the models, not for the listing
    from ivo_app.store.queries.findings import record_findings  # noqa: PLC0415  as above

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
    from ivo_app.store import journal  # noqa: PLC0415  start-up: the models, not for the listing

    with UnitOfWork(db) as uow:
        found = extraction_rows(uow.session.connection(), extraction_id=extraction_id)
        if not found:
            raise IvoError(f"Extraction n° {extraction_id} introuvable.")
        info = ExtractionInfo(**found[0]._mapping)
        uow.extractions.delete_rows(extraction_id)
        journal.record(
            uow.session,
            "suppression_extraction",
            f"extraction:{extraction_id}",
            {"rows": info.rows, "facility_id": info.facility_id},
        )
        uow.commit()
    return info
