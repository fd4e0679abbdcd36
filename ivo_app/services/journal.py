"""The journal of user actions: read, filter, export (never patient names: identifiers only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ivo_app.io.writers import write_table
from ivo_app.store import journal
from ivo_app.store.db import Database
from ivo_app.store.journal import ChainCheck, verify_chain
from ivo_app.store.queries import journal as journal_queries
from ivo_app.store.uow import UnitOfWork


@dataclass
class JournalLine:
    at: datetime
    user: str
    workstation: str | None
    action: str
    target: str | None
    details: dict[str, Any] | None

    @property
    def details_text(self) -> str:
        return ", ".join(f"{k} : {v}" for k, v in (self.details or {}).items())

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(timespec="seconds"),
            "user": self.user,
            "workstation": self.workstation,
            "action": self.action,
            "target": self.target,
            "details": self.details,
        }


# What a face shows of nominative data (names, traits), for "who saw whom": one entry per view action
# (opening a record, showing a pair, a list, a search's results), never per row, never the names.
VIEW_KINDS = {
    "fiche": "fiche d'identité",
    "paire": "paire de la file de revue",
    "liste": "liste des identités",
    "anomalies": "identités d'une anomalie",
    "rejets": "lignes rejetées",
}


def record_view(db: Database, view: str, extraction_id: int | None, identities: int) -> None:
    """Journal one view of nominative data: who (the journal's user), which kind of view, which
    extraction, how many identities it showed."""
    assert view in VIEW_KINDS, view
    with UnitOfWork(db) as uow:
        journal.record(
            uow.session,
            "consultation",
            f"extraction:{extraction_id}" if extraction_id is not None else None,
            {"vue": view, "identites": identities},
        )
        uow.commit()


def read_journal(
    db: Database, *, action: str | None = None, limit: int | None = None, newest_first: bool = False
) -> list[JournalLine]:
    with UnitOfWork(db) as uow:
        return [
            JournalLine(e.at, e.user, e.workstation, e.action, e.target, e.details)
            for e in journal_queries.entries(
                uow.session, action=action, limit=limit, newest_first=newest_first
            )
        ]


def export_journal(db: Database, out: Path) -> int:
    lines = read_journal(db)
    return write_table(
        out,
        ["horodatage", "utilisateur", "poste", "action", "objet", "détails"],
        (
            [
                line.at.isoformat(timespec="seconds"),
                line.user,
                line.workstation,
                line.action,
                line.target,
                line.details_text,
            ]
            for line in lines
        ),
    )


def verify_journal(db: Database) -> ChainCheck:
    """Recompute the journal's hash chain (store.journal): where was it altered, if anywhere?"""
    with UnitOfWork(db) as uow:
        return verify_chain(journal_queries.entries(uow.session))


def describe_check(check: ChainCheck) -> str:
    if check.ok:
        older = f" ({check.unchained} entrées antérieures à la chaîne)" if check.unchained else ""
        return f"Journal intègre : {check.entries} entrées, chaîne d'empreintes vérifiée{older}."
    return (
        f"Journal altéré : l'entrée n° {check.broken_at} ne correspond plus à la chaîne d'empreintes "
        f"({check.reason})."
    )
