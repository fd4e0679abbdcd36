"""Runs the Alembic migrations at start-up: back up the database file, upgrade, raise typed errors."""

from __future__ import annotations

import ast
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from ivo_app import paths
from ivo_app.errors import IvoError, MigrationError
from ivo_app.store import copies, encryption

if TYPE_CHECKING:  # Alembic is imported when there is something to migrate (start-up time)
    from alembic.config import Config
    from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)


def alembic_config() -> Config:
    from alembic.config import Config  # noqa: PLC0415  Alembic (1 s) only when there is something to migrate

    cfg = Config()
    cfg.set_main_option("script_location", str(paths.MIGRATIONS))
    return cfg


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory  # noqa: PLC0415  as above

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415  as above

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _single_head_from_files() -> str | None:
    """The head revision read from the revision files' `revision` / `down_revision` assignments,
    without importing Alembic (a third of a command's start-up); None when that is not plain (a
    merge, two heads, an assignment that is not a literal): Alembic then decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (paths.MIGRATIONS / "versions").glob("*.py"):
        found: dict[str, object] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            for target in targets:
                if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                    try:
                        found[target.id] = ast.literal_eval(value)
                    except ValueError:
                        return None
        revision, parent = found.get("revision"), found.get("down_revision")
        if not isinstance(revision, str) or not (parent is None or isinstance(parent, str)):
            return None
        revisions.add(revision)
        if parent:
            parents.add(parent)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def is_up_to_date(engine: Engine) -> bool:
    """Whether the base is at the single head, checked with one query and no Alembic import."""
    head = _single_head_from_files()
    if head is None:
        return False
    try:
        with engine.connect() as conn:
            versions = [r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]
    except Exception:  # no such table, unreadable file: the full path reports it
        return False
    return versions == [head]


def backup_sqlite_file(engine: Engine, label: str = "avant-migration") -> Path | None:
    """A verified copy of the SQLite file in its backup folder (store.copies); returns its path."""
    db = engine.url.database
    if engine.dialect.name != "sqlite" or not db or db == ":memory:":
        return None
    src = Path(db)
    key = engine.url.password if encryption.is_encrypted(src) else None
    return copies.backup_file(src, label, str(key) if key else None)


def upgrade(engine: Engine) -> Path | None:
    """Bring the schema to head. Backs the file up first when there is something to migrate."""
    if is_up_to_date(engine):
        return None
    from alembic import command  # noqa: PLC0415  as above

    head = head_revision()
    try:
        current = current_revision(engine)
    except IvoError:
        raise  # already a French line (wrong password, server unreachable, base locked)
    except Exception as exc:  # unreadable or not a database
        raise MigrationError(f"Base de données illisible : {exc.__class__.__name__}.") from exc
    if current == head:
        return None
    backup = backup_sqlite_file(engine) if current is not None else None
    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except IvoError:
        raise
    except Exception as exc:
        log.exception("migration failed")
        where = f" Une sauvegarde a été faite : {backup}." if backup else ""
        raise MigrationError(
            f"La mise à jour du schéma de la base a échoué ({exc.__class__.__name__}).{where}"
        ) from exc
    return backup
