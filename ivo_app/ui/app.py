"""Starting the window: Qt's French translations, the database, the demo facility on first start."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from unidecode import unidecode

from ivo_app.errors import IvoError
from ivo_app.services import demo, extractions
from ivo_app.store.db import open_database
from ivo_app.store.encryption import PassphraseFn
from ivo_app.ui.icons import app_icon
from ivo_app.ui.main_window import MainWindow
from ivo_app.ui.passphrase import ask_passphrase, unlock
from ivo_app.ui.state import AppState

log = logging.getLogger(__name__)


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("IVO")

    app.setWindowIcon(app_icon())
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    translator = QTranslator(app)
    if translator.load(
        QLocale(), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(translator)  # French standard buttons (OK, Annuler…)
    return app


def build_window(
    db_url: str | None, demo_if_empty: bool = False, ask: PassphraseFn = ask_passphrase
) -> MainWindow:
    if not unlock(db_url, ask):
        raise IvoError("Base chiffrée non ouverte : la phrase secrète n'a pas été saisie.")
    db = open_database(db_url)
    if demo_if_empty:
        demo.ensure_demo(db)
    state = AppState(db)
    infos = extractions.list_extractions(db)
    state.extraction_id = infos[-1].id if infos else None
    return MainWindow(state)


def run_gui(
    db_url: str | None = None, screenshot_dir: Path | None = None, demo_if_empty: bool = False
) -> int:
    app = application()
    try:
        window = build_window(db_url, demo_if_empty)
    except IvoError as exc:
        QMessageBox.critical(None, "IVO", exc.message)
        return 2
    window.show()
    if screenshot_dir is not None:
        QTimer.singleShot(0, lambda: (save_screenshots(window, screenshot_dir), app.quit()))
    return app.exec()


def save_screenshots(window: MainWindow, folder: Path) -> list[Path]:
    """One PNG per page of the window, on the current data."""
    folder.mkdir(parents=True, exist_ok=True)
    window.resize(1280, 720)  # the smallest screen the window is made for, whatever geometry was saved
    saved = []
    for row, page in enumerate(window.pages):
        window.nav.setCurrentRow(row)
        _settle(page)
        path = folder / f"{row + 1:02d}-{_slug(page.title)}.png"
        window.grab().save(str(path))
        saved.append(path)
    return saved


def _settle(page: QWidget, timeout: float = 60.0) -> None:
    """Let a page that reads in a worker (LatestOnly) show its figures before the picture."""
    loader = getattr(page, "loader", None)
    deadline = time.monotonic() + timeout
    QApplication.processEvents()
    while loader is not None and loader.busy and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)
    QApplication.processEvents()


def _slug(title: str) -> str:
    return "-".join(unidecode(title).lower().split())
