"""Unit of work: one session, one transaction; commit explicitly, roll back on any error."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session

from ivo_app.store.db import Database
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
        self.session = self.db.sessions()
        self.facilities = FacilityRepository(self.session)
        self.extractions = ExtractionRepository(self.session)
        self.identities = IdentityRepository(self.session)
        self.settings = SettingRepository(self.session)
        self.check_runs = CheckRunRepository(self.session)
        return self

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
