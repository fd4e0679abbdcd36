"""BulkWork, the unit of work of large writes (the import): all or nothing, settings restored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ivo_app.store.db import Database
from ivo_app.store.models import Facility
from ivo_app.store.uow import BulkWork, UnitOfWork


def _facilities(db: Database) -> list[str]:
    with UnitOfWork(db) as uow:
        return sorted(uow.session.scalars(select(Facility.name)))


def _foreign_keys(db: Database) -> int | None:
    with db.engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA foreign_keys").scalar() if conn.dialect.name == "sqlite" else None


def test_nothing_is_written_without_commit_or_after_an_error(db: Database) -> None:
    with BulkWork(db) as uow:
        uow.facilities.get_or_create("CH Sans Commit")
    with pytest.raises(RuntimeError), BulkWork(db) as uow:
        uow.facilities.get_or_create("CH Erreur")
        uow.session.flush()  # written in the transaction, then undone
        raise RuntimeError("panne")
    assert _facilities(db) == []


def test_commit_writes_session_and_connection_together(db: Database) -> None:
    with BulkWork(db) as uow:
        facility = uow.facilities.get_or_create("CH Bulk")
        uow.session.flush()
        count = uow.connection.scalar(select(func.count()).select_from(Facility))
        uow.commit()
    assert count == 1  # the connection sees what the session flushed: one transaction
    assert facility.id is not None and _facilities(db) == ["CH Bulk"]
    if db.engine.dialect.name == "sqlite":
        assert _foreign_keys(db) == 1  # the bulk settings are undone on the pooled connection
