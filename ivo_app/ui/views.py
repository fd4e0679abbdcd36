"""Journaling what a page shows of nominative data when the user can see it (issue 19).

A page refreshes when the data changes, visible or not (an import, a deletion elsewhere): such a
refresh shows nobody anything. `SeenViews.shown` journals a view at once when its page is on the
screen, and keeps the latest one of a hidden page until the page is next shown (`page_shown`, from
its showEvent): one entry per view the user has in front of them, never one per refresh or per row.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ivo_app.services.journal import record_view
from ivo_app.ui.state import AppState


class SeenViews:
    def __init__(self, page: QWidget, state: AppState) -> None:
        self.page, self.state = page, state
        self.pending: tuple[str, int | None, int] | None = None

    def shown(self, view: str, extraction_id: int | None, identities: int) -> None:
        if not identities:
            self.pending = None
        elif self.page.isVisible():
            self.pending = None
            record_view(self.state.db, view, extraction_id, identities)
        else:
            self.pending = (view, extraction_id, identities)

    def page_shown(self) -> None:
        if self.pending is not None:
            view, extraction_id, identities = self.pending
            self.pending = None
            record_view(self.state.db, view, extraction_id, identities)
