"""Exports of what the engines found, as CSV or XLSX (formula-safe writers), journaled.

The window and `ivo check --format csv` / `ivo duplicates --format csv` write the same files.
"""

from __future__ import annotations

from pathlib import Path

from ivo_app.io.writers import write_table
from ivo_app.services.checks import list_findings
from ivo_app.services.duplicates import list_pairs
from ivo_app.services.extractions import resolve_extraction_id
from ivo_app.store import journal
from ivo_app.store.db import Database
from ivo_app.store.uow import UnitOfWork

FINDING_COLUMNS = ["ipp", "regle", "severite", "message", "champs"]
PAIR_COLUMNS = ["ipp_a", "ipp_b", "score", "level", "reasons"]


def export_findings(db: Database, extraction_id: int | None, out: Path) -> int:
    extraction_id = resolve_extraction_id(db, extraction_id)
    views = list_findings(db, extraction_id)
    count = write_table(
        out, FINDING_COLUMNS, ([v.ipp, v.rule, v.severity, v.message, " ".join(v.fields)] for v in views)
    )
    _journal(db, "export_anomalies", extraction_id, count, out)
    return count


def export_pairs(db: Database, extraction_id: int | None, out: Path, min_level: str = "a_examiner") -> int:
    """One row per pair, `ipp_a < ipp_b`, levels `probable` / `a_examiner`, reasons joined by " ; "."""
    extraction_id = resolve_extraction_id(db, extraction_id)
    pairs = list_pairs(db, extraction_id, min_level=min_level)
    count = write_table(
        out, PAIR_COLUMNS, ([p.ipp_a, p.ipp_b, p.score, p.level, " ; ".join(p.reasons)] for p in pairs)
    )
    _journal(db, "export_doublons", extraction_id, count, out)
    return count


def _journal(db: Database, action: str, extraction_id: int, count: int, out: Path) -> None:
    with UnitOfWork(db) as uow:
        journal.record(
            uow.session, action, f"extraction:{extraction_id}", {"rows": count, "format": out.suffix}
        )
        uow.commit()
