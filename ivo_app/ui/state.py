"""What every page shares: the database and the extraction being looked at."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ivo_app.store.db import Database


class AppState(QObject):
    extraction_changed = Signal(object)  # extraction id or None
    data_changed = Signal()  # an import, a check... happened: pages refresh

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.extraction_id: int | None = None

    def select_extraction(self, extraction_id: int | None) -> None:
        self.extraction_id = extraction_id
        self.extraction_changed.emit(extraction_id)
