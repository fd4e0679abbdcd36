"""Runs the Alembic migrations at start-up: back up the database file, upgrade, raise typed errors."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from ivo_app import paths
from ivo_app.errors import IvoError, MigrationError

log = logging.getLogger(__name__)


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(paths.MIGRATIONS))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def backup_sqlite_file(engine: Engine, label: str = "avant-migration") -> Path | None:
    """A verified copy of the SQLite file in its backup folder (store.copies); returns its path."""
    from ivo_app.store import copies, encryption

    db = engine.url.database
    if engine.dialect.name != "sqlite" or not db or db == ":memory:":
        return None
    src = Path(db)
    key = engine.url.password if encryption.is_encrypted(src) else None
    return copies.backup_file(src, label, str(key) if key else None)


def upgrade(engine: Engine) -> Path | None:
    """Bring the schema to head. Backs the file up first when there is something to migrate."""
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
