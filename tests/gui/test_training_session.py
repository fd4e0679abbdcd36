"""A training session from the window: the trainer creates it, locks the window in trainee mode,
each trainee hands in once, the trainer unlocks with the code, corrects the batch, prints the sheets."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from ivo_app.services import training
from ivo_app.ui.pages.anomalies import AnomaliesPage
from ivo_app.ui.pages.training import SessionDialog, TrainingPage
from tests.gui.dialogs import Script, choose, click, folder, type_in


def training_page(window) -> TrainingPage:  # type: ignore[no-untyped-def]
    row, page = next((r, p) for r, p in enumerate(window.pages) if isinstance(p, TrainingPage))
    window.nav.setCurrentRow(row)
    return page


def create_session(qtbot, page: TrainingPage, names: list[str]) -> int:  # type: ignore[no-untyped-def]
    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SessionDialog)
        QTest.keyClicks(dialog.title_edit, "Accueil du matin")
        dialog.trainees_edit.setPlainText("\n".join(names))
        dialog.size_box.setValue(10)
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)

    QTimer.singleShot(200, fill)
    qtbot.mouseClick(page.new_session_button, Qt.MouseButton.LeftButton)
    assert page.session_box.count() == 1
    return int(page.session_box.currentData())


def answer_all(page: TrainingPage, value_for) -> None:  # type: ignore[no-untyped-def]
    assert page.exercise is not None
    for row, item_id in enumerate(page.exercise.item_ids):
        page.table.selectRow(row)
        index = page.answer.findData(value_for(item_id))
        assert index > 0
        page.answer.setCurrentIndex(index)


def test_a_trainee_in_locked_mode_cannot_reach_findings_nor_correct(
    window, demo_db, qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    page = training_page(window)
    session_id = create_session(qtbot, page, ["Ana", "Bruno"])
    # Every dialog answered through its widgets, in the order the clicks below open them.
    yes = click(QMessageBox.StandardButton.Yes)
    script = Script(
        type_in("formateur"),  # the trainer's code, to enter trainee mode
        choose("Ana"), yes,  # Ana starts, then hands in
        choose("Bruno"), yes,
        type_in("mauvais"), click(QMessageBox.StandardButton.Ok),  # a wrong code: a warning
        type_in("formateur"),
        folder(tmp_path),  # where the sheets go
    )  # fmt: skip
    offered, warnings = script.offered, script.messages

    qtbot.mouseClick(page.lock_button, Qt.MouseButton.LeftButton)
    assert page.locked
    anomalies_row = next(r for r, p in enumerate(window.pages) if isinstance(p, AnomaliesPage))
    visible = [r for r in range(window.nav.count()) if not window.nav.item(r).isHidden()]
    assert visible == [window.pages.index(page)]  # the other pages are out of reach
    assert window.nav.item(anomalies_row).isHidden()
    assert not window.menuBar().isEnabled()
    QTest.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)  # the Anomalies shortcut
    assert window.stack.currentWidget() is page
    assert not page.correct_button.isVisible() and not page.new_button.isVisible()

    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    assert page.trainee == "Ana" and page.exercise is not None and page.exercise.session_token
    answer_all(page, lambda i: "conforme" if i.startswith("I") else "doublon")
    page.correct()  # the practice correction is not available in trainee mode
    assert page.correction is None and page.explanation.text() == ""
    qtbot.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)
    assert page.exercise is None and page.trainee is None  # the next trainee sees nothing of Ana's
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    assert offered[-1] == ["Bruno"]  # Ana handed in: she cannot hand in again
    answer_all(page, lambda i: "anomalie" if i.startswith("I") else "non_doublon")
    qtbot.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)
    info = training.session_info(demo_db, session_id)
    assert info.submitted == ["Ana", "Bruno"]

    qtbot.mouseClick(page.unlock_button, Qt.MouseButton.LeftButton)  # a wrong code
    assert page.locked and warnings[-1].startswith("Code incorrect")
    qtbot.mouseClick(page.unlock_button, Qt.MouseButton.LeftButton)
    assert not page.locked and window.menuBar().isEnabled()
    assert all(not window.nav.item(r).isHidden() for r in range(window.nav.count()))

    qtbot.mouseClick(page.correct_session_button, Qt.MouseButton.LeftButton)
    text = page.results.toPlainText()
    assert (
        "Ana : Score" in text and "Bruno : Score" in text and "Par thème" in text and "Par question" in text
    )
    qtbot.mouseClick(page.sheets_button, Qt.MouseButton.LeftButton)
    for name in ("exercice.pdf", "grilles.pdf", "correction.pdf"):
        assert (tmp_path / name).exists(), name
    correction = " ".join(p.extract_text() or "" for p in PdfReader(tmp_path / "correction.pdf").pages)
    assert "Ana" in correction and "Bruno" in correction
    script.stop()
    assert script.replies == [] and script.unexpected == []
    assert script.formats == [Qt.TextFormat.PlainText] * 3  # a session title is never rendered as HTML
    assert all(set(b) <= {"&Oui", "&Non", "OK", "&OK"} for b in script.buttons), script.buttons
