"""What every page of the main window is."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtWidgets import QWidget

from ivo_app.ui.state import AppState


class Page(QWidget):
    """A page of the main window: one entry of its navigation list.

    `title` names the entry, picks its icon (`ui.icons.PAGE_ICONS`) and the screenshot's file name;
    `state` is the window's shared state (the base, the selected extraction) that the page follows.
    """

    title: ClassVar[str]
    state: AppState
