"""Decisions typed in a spreadsheet, recorded as one batch (`ivo decide-batch`)."""

from __future__ import annotations

from pathlib import Path

from ivo_app.errors import IvoError
from ivo_app.io.decisions import read_decisions
from ivo_app.progress import CancelFn, ProgressFn
from ivo_app.services.duplicates import DECISIONS, Decision, decide_many
from ivo_app.store.db import Database

# What reviewers type, as read by io.decisions (lowercase ASCII, "_" for spaces and hyphens).
_ALIASES = {
    "doublon": "doublon",
    "doublon_avere": "doublon",
    "oui": "doublon",
    "non_doublon": "non_doublon",
    "non": "non_doublon",
    "homonymes": "non_doublon",
    "a_revoir": "a_revoir",
    "revoir": "a_revoir",
}


def decide_from_file(
    db: Database,
    extraction_id: int | None,
    path: Path,
    author: str | None = None,
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
) -> int:
    """Check every line first, then record all decisions in one transaction (or none)."""
    decisions = []
    for row in read_decisions(path):
        decision = _ALIASES.get(row.decision)
        if decision is None:
            raise IvoError(
                f"Ligne {row.line_no} : décision « {row.decision} » inconnue "
                f"({', '.join(DECISIONS)}) ; aucune décision enregistrée."
            )
        if not row.ipp_a or not row.ipp_b or row.ipp_a == row.ipp_b:
            raise IvoError(
                f"Ligne {row.line_no} : il faut deux IPP différents ; aucune décision enregistrée."
            )
        decisions.append(Decision(row.ipp_a, row.ipp_b, decision, row.comment))
    if not decisions:
        raise IvoError(f"{Path(path).name} : aucune décision renseignée (colonne decision vide).")
    return decide_many(db, extraction_id, decisions, author, progress, is_cancelled)
