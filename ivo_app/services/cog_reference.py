"""INSEE's historical commune files kept in the database (`ivo cog import --db …`), so the rules of
every workstation on that database check birthplaces against the same dated reference.

The parsed communes are one `setting` row (key ``cog:historique``, every facility): the names of the
files read, their format and one compact line per code version. Reading it back costs a fraction of
a second, far less than a check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ivo_app.io.cog import history_files, load_reference, read_history
from ivo_app.rules.cog import CogReference, Commune
from ivo_app.store import journal
from ivo_app.store.db import Database
from ivo_app.store.uow import UnitOfWork

KEY = "cog:historique"


@dataclass(frozen=True)
class HistoryImport:
    codes: int
    communes_file: str
    events_file: str | None
    dated: int  # code versions with a start or an end date


def import_history(db: Database, path: Path, events: Path | None = None) -> HistoryImport:
    """Read INSEE's files (validated before anything is written) and keep them in `db`."""
    files = history_files(Path(path), events)
    reference = read_history(files)
    rows = [_row(c) for c in reference.communes()]
    events_name = files.events.name if files.events else None
    value = {
        "fichier": files.communes.name,
        "evenements": events_name,
        "format": files.format,
        "communes": rows,
    }
    with UnitOfWork(db) as uow:
        uow.settings.set(KEY, value)
        journal.record(
            uow.session,
            "cog_import",
            "cog",
            {"fichier": value["fichier"], "evenements": value["evenements"], "codes": len(reference)},
        )
        uow.commit()
    dated = sum(1 for r in rows if r[3] or r[4])
    return HistoryImport(len(reference), files.communes.name, events_name, dated)


def reference_for(db: Database) -> CogReference:
    """The reference the rules use on `db`: embedded (and the user's files), completed by the
    historical files kept in the database if any."""
    base = load_reference()
    with UnitOfWork(db) as uow:
        value = uow.settings.get(KEY)
    if not value:
        return base
    return base.merge(CogReference((_commune(r) for r in value["communes"]), []))


def history_source(db: Database) -> dict[str, Any] | None:
    """Which files the database's reference was read from (None: embedded only)."""
    with UnitOfWork(db) as uow:
        value = uow.settings.get(KEY)
    if not value:
        return None
    return {"fichier": value["fichier"], "evenements": value["evenements"], "format": value["format"]}


def _row(c: Commune) -> list[Any]:
    return [
        c.code,
        c.name,
        c.kind,
        c.start.isoformat() if c.start else None,
        c.end.isoformat() if c.end else None,
        c.successor,
        c.origin,
    ]


def _commune(r: list[Any]) -> Commune:
    code, name, kind, start, end, successor, origin = r
    return Commune(
        code,
        name,
        kind,
        date.fromisoformat(start) if start else None,
        date.fromisoformat(end) if end else None,
        successor=successor,
        origin=origin,
    )
