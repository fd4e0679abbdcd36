"""Unit of work: one session, one transaction; commit explicitly, roll back on any error."""

from __future__ import annotations

from contextlib import ExitStack
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy import Connection, RootTransaction

from ivo_app.store.db import Database
from ivo_app.store.dialect import bulk_session

if TYPE_CHECKING:  # the ORM and the models: imported by the units of work that open a session
    from sqlalchemy.orm import Session


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
        from ivo_app.store.repositories import (  # noqa: PLC0415  start-up: the models, not for ReadWork
            CheckRunRepository,
            ExtractionRepository,
            FacilityRepository,
            IdentityRepository,
            SettingRepository,
        )

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
        from sqlalchemy.orm import Session  # noqa: PLC0415  start-up: the ORM, not for ReadWork

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


class ReadWork:
    """A read through Core alone: `with ReadWork(db) as uow: query(uow.connection)`.

    One connection and one transaction (the reads see one state of the base), rolled back at the end:
    it writes nothing. Neither the ORM nor the models are imported, which is most of a command's
    start-up (`ivo extractions`, issue 20): for the reads a command or a page starts with whose
    queries take a `Connection`. A use case that writes, or needs ORM objects, takes a UnitOfWork.
    """

    connection: Connection

    def __init__(self, db: Database) -> None:
        self.db = db

    def __enter__(self) -> ReadWork:
        self.connection = self.db.engine.connect()
        try:
            self.connection.begin()
        except BaseException:
            self.connection.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.connection.close()  # rolls the read transaction back, the connection back to the pool
