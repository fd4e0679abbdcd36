"""Unit of work: one session, one transaction; commit explicitly, roll back on any error."""

from __future__ import annotations

from contextlib import ExitStack
from types import TracebackType

from sqlalchemy import Connection, RootTransaction
from sqlalchemy.orm import Session

from ivo_app.store.db import Database
from ivo_app.store.dialect import bulk_session
from ivo_app.store.repositories import (
    CheckRunRepository,
    ExtractionRepository,
    FacilityRepository,
    IdentityRepository,
    SettingRepository,
)


class UnitOfWork:
    """`with UnitOfWork(db) as uow: ...; uow.commit()`. Nothing is written without commit()."""

    session: Session

    def __init__(self, db: Database) -> None:
        self.db = db

    def __enter__(self) -> UnitOfWork:
        self._open(self.db.sessions())
        return self

    def _open(self, session: Session) -> None:
        """The session and its repositories (one list, whatever the kind of unit of work)."""
        self.session = session
        self.facilities = FacilityRepository(session)
        self.extractions = ExtractionRepository(session)
        self.identities = IdentityRepository(session)
        self.settings = SettingRepository(session)
        self.check_runs = CheckRunRepository(session)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed, and leaves loaded objects readable
        # (detached, not expired) for the caller.
        self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()


class BulkWork(UnitOfWork):
    """A unit of work for a large write (an import): `with BulkWork(db) as uow: ...; uow.commit()`.

    Its own connection with the bulk settings (`store.dialect.bulk_session`, set before the transaction
    begins), one transaction on it, `connection` for `bulk_insert` and Core statements and savepoints,
    `session` (bound to that connection, inside the same transaction) for ORM objects and the
    repositories. Nothing is written without commit(); any error or cancel rolls everything back.
    """

    connection: Connection
    _transaction: RootTransaction
    _stack: ExitStack
    _committed: bool

    def __enter__(self) -> BulkWork:
        self._stack = ExitStack()
        try:
            self.connection = self._stack.enter_context(self.db.engine.connect())
            self._stack.enter_context(bulk_session(self.connection))
            self._transaction = self.connection.begin()
            self._committed = False
        except BaseException:
            self._stack.close()
            raise
        self._open(Session(bind=self.connection))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.session.close()  # bound to the connection: leaves its transaction to us
            if not self._committed:  # also after a failed statement (no longer "active", still to undo)
                self._transaction.rollback()
        finally:
            self._stack.close()  # the bulk settings restored, the connection back to the pool

    def commit(self) -> None:
        self.session.flush()
        self._transaction.commit()
        self._committed = True

    def rollback(self) -> None:
        self._transaction.rollback()
