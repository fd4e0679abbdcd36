"""What every page shares: the database and the extraction being looked at."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ivo_app.services.extractions import list_extractions
from ivo_app.store.db import Database


class AppState(QObject):
    extraction_changed = Signal(object)  # extraction id or None
    data_changed = Signal()  # an import, a check... happened: pages refresh
    audits_changed = Signal()  # an audit was created or removed: the Rapport page lists it
    database_changed = Signal(str)  # another database was opened (its URL): pages read state.db again

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.extraction_id: int | None = None

    def select_extraction(self, extraction_id: int | None) -> None:
        self.extraction_id = extraction_id
        self.extraction_changed.emit(extraction_id)

    def reopen(self, db: Database) -> None:
        """Switch every page to `db` (another file, a restored backup) on its latest extraction."""
        previous, self.db = self.db, db
        if previous is not db:
            previous.dispose()
        infos = list_extractions(db)
        self.extraction_id = infos[-1].id if infos else None
        self.database_changed.emit(db.url)
        self.extraction_changed.emit(self.extraction_id)
        self.data_changed.emit()
