"""Every enabled button of every page clicked, its dialogs answered through their real widgets:
no internal error is shown, none is logged."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QAbstractButton, QApplication, QPushButton, QTabWidget, QWidget

from ivo_app.services.duplicates import find_duplicates
from tests.gui.dialogs import Answerer


def idle(pool: QThreadPool, quiet: list[float]) -> bool:
    """True once no worker runs and no dialog is open for 300 ms."""
    busy = pool.activeThreadCount() > 0 or QApplication.activeModalWidget() is not None
    now = time.monotonic()
    if busy:
        quiet[0] = now
    return not busy and now - quiet[0] > 0.3


def reveal_tabs(page: QWidget) -> list[tuple[QTabWidget, int]]:
    """Every (tab widget, index) of the page, nested ones included, so hidden buttons are reached."""
    return [(tabs, i) for tabs in page.findChildren(QTabWidget) for i in range(tabs.count())]


def click_all(window, qtbot, page: QWidget, done: set[int], log: list[str]) -> None:  # type: ignore[no-untyped-def]
    pool = QThreadPool.globalInstance()
    for tabs, index in [(None, 0), *reveal_tabs(page)]:
        if tabs is not None:
            # parents first: a nested tab is only visible when its parent tab is current
            parent = tabs.parentWidget()
            while parent is not None and parent is not page:
                if isinstance(parent.parentWidget(), QWidget) and isinstance(
                    parent.parentWidget().parentWidget(), QTabWidget
                ):
                    outer = parent.parentWidget().parentWidget()
                    outer.setCurrentIndex(outer.indexOf(parent))
                parent = parent.parentWidget()
            tabs.setCurrentIndex(index)
        QApplication.processEvents()
        for button in page.findChildren(QPushButton):
            if id(button) in done or not button.isVisible() or not button.isEnabled():
                continue
            done.add(id(button))
            log.append(f"{page.title} / {button.text()}")  # type: ignore[attr-defined]
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            quiet = [time.monotonic()]
            qtbot.waitUntil(lambda q=quiet: idle(pool, q), timeout=120_000)


def test_click_every_enabled_button(window, demo_db, qtbot, tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    find_duplicates(demo_db, window.state.extraction_id)  # a queue to decide in
    window.state.data_changed.emit()
    answers = Answerer(tmp_path)
    answers.texts["Nombre d'identités :"] = "150"
    clicked: list[str] = []
    done: set[int] = set()
    caplog.set_level(logging.ERROR)
    try:
        # Paramètres comes last: its buttons open, back up and restore bases.
        for row, page in enumerate(window.pages):
            window.nav.setCurrentRow(row)
            click_all(window, qtbot, page, done, clicked)
    finally:
        answers.stop()
    internal = [m for m in answers.messages if "interne" in m]
    assert not internal, (internal, clicked)
    assert answers.cut_titles == [], answers.cut_titles
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.records
    print("\n".join(clicked))
    print(answers.messages, answers.titles)
    assert len(clicked) >= 45, clicked
    assert "Rapport / Générer le PDF…" in clicked and "Doublons / Doublon avéré (D)" in clicked
    assert not [b for b in window.findChildren(QAbstractButton) if b.text().startswith("&&")]


def test_click_every_enabled_button_on_an_empty_base(qtbot, db, tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    from ivo_app.ui.app import application, build_window

    application()
    window = build_window(db.url)
    qtbot.addWidget(window)
    window.show()
    answers = Answerer(tmp_path)
    clicked: list[str] = []
    done: set[int] = set()
    caplog.set_level(logging.ERROR)
    from ivo_app.ui.pages.training import TrainingPage

    training = next(p for p in window.pages if isinstance(p, TrainingPage))
    # a demo would fill the base: the test above clicks both buttons
    skip = {id(window.extractions.demo_button), id(training.demo_button)}
    try:
        for row, page in enumerate(window.pages):
            window.nav.setCurrentRow(row)
            click_all(window, qtbot, page, done | skip, clicked)
    finally:
        answers.stop()
        QThreadPool.globalInstance().waitForDone(60_000)
    assert not [m for m in answers.messages if "interne" in m], (answers.messages, clicked)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.records
    assert "Rapport / Générer le PDF…" not in clicked  # nothing to report: the button waits
