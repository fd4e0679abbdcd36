"""The context bar, the welcome page of an empty base, deleting an extraction, confirmations."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt

from ivo_app.cli import main
from ivo_app.services.demo import create_demo
from ivo_app.services.extractions import list_extractions
from ivo_app.services.journal import read_journal
from ivo_app.ui.pages.dashboard import DashboardPage
from ivo_app.ui.pages.extractions import ExtractionsPage
from ivo_app.ui.pages.identities import IdentitiesPage
from tests.gui.dialogs import Answerer


def page(window, cls):  # type: ignore[no-untyped-def]
    return next(p for p in window.pages if isinstance(p, cls))


def test_an_empty_base_opens_on_the_welcome_page(qtbot, db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ivo_app.ui.app import application, build_window

    application()
    window = build_window(db.url)
    qtbot.addWidget(window)
    window.show()
    assert window.stack.currentWidget() is window.welcome
    assert set(window.welcome.buttons) == {"import", "demo", "open"}
    assert not window.context.isVisible()
    answers = Answerer(tmp_path)
    answers.texts["Nombre d'identités :"] = "120"
    try:
        qtbot.mouseClick(window.welcome.buttons["demo"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(list_extractions(db)), timeout=60_000)
        qtbot.waitUntil(lambda: window.stack.currentWidget() is page(window, DashboardPage), timeout=10_000)
    finally:
        answers.stop()
    assert window.context.isVisible() and "Démonstration créée" in window.statusBar().currentMessage()
    assert window.context.demo.text() == "Données de démonstration"  # never silently on demo data


def test_empty_pages_say_why_they_are_empty(qtbot, db) -> None:  # type: ignore[no-untyped-def]
    from ivo_app.ui.app import application, build_window

    application()
    window = build_window(db.url)
    qtbot.addWidget(window)
    window.show()
    from ivo_app.ui.pages.anomalies import AnomaliesPage
    from ivo_app.ui.pages.duplicates import DuplicatesPage

    for kind, text in ((AnomaliesPage, lambda p: p.status.text()), (DuplicatesPage, lambda p: p.reasons.text()),
                       (IdentitiesPage, lambda p: p.count.text())):  # fmt: skip
        empty = page(window, kind)
        window.nav.setCurrentRow(window.pages.index(empty))
        assert "Aucune extraction" in text(empty)  # said, not a blank box
    dups = page(window, DuplicatesPage)
    assert not dups.detect_button.isEnabled() and not any(
        b.isEnabled() for b in dups.decision_buttons.values()
    )


def test_the_context_bar_shows_and_switches_the_extraction(window, demo_db, qtbot) -> None:  # type: ignore[no-untyped-def]
    later = create_demo(demo_db, size=150, seed=4, extracted_on=date(2026, 9, 1))
    window.state.data_changed.emit()
    bar = window.context
    assert bar.isVisible() and bar.facility.currentText()
    assert bar.extraction.count() == 2 and "01/06/2026" in bar.extraction.itemText(0)
    identities = page(window, IdentitiesPage)
    window.nav.setCurrentRow(window.pages.index(identities))
    before = window.state.extraction_id
    bar.extraction.setFocus()
    qtbot.keyClick(bar.extraction, Qt.Key.Key_Up if bar.extraction.currentIndex() else Qt.Key.Key_Down)
    assert window.state.extraction_id != before
    assert (
        window.state.extraction_id in {later.extraction_id, before}
        and identities.model.extraction_id == window.state.extraction_id
    )


def test_delete_an_extraction_after_confirmation(window, demo_db, qtbot, tmp_path: Path, db_url: str) -> None:  # type: ignore[no-untyped-def]
    extra = create_demo(demo_db, size=120, seed=5, extracted_on=date(2026, 9, 1))
    window.state.extraction_id = extra.extraction_id
    window.state.data_changed.emit()
    extractions = page(window, ExtractionsPage)
    window.nav.setCurrentRow(window.pages.index(extractions))
    answers = Answerer(tmp_path)
    try:
        qtbot.mouseClick(extractions.delete_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(list_extractions(demo_db)) == 1, timeout=10_000)
    finally:
        answers.stop()
    assert any("Supprimer l'extraction" in m for m in answers.messages)
    assert window.state.extraction_id != extra.extraction_id
    assert "supprimée" in window.statusBar().currentMessage()
    assert read_journal(demo_db)[-1].action == "suppression_extraction"
    # the command line does the same, and refuses without --oui
    remaining = list_extractions(demo_db)[0].id
    assert main(["supprimer-extraction", str(remaining), "--db", db_url]) == 2
    assert main(["supprimer-extraction", str(remaining), "--db", db_url, "--oui"]) == 0
    assert list_extractions(demo_db) == []


def test_a_check_says_it_finished(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    extractions = page(window, ExtractionsPage)
    window.nav.setCurrentRow(window.pages.index(extractions))
    qtbot.mouseClick(extractions.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Vérification terminée" in window.statusBar().currentMessage(), timeout=60_000)
