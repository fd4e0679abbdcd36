"""The Rapport page's button, clicked as a user does: the file dialog answered, the PDF written and
previewed; a new audit is listed without restarting."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import QPoint, Qt

from ivo_app.ui.pages.audit import AuditPage
from ivo_app.ui.pages.report import ReportPage
from tests.gui.dialogs import Answerer


def page(window, cls):  # type: ignore[no-untyped-def]
    return next(p for p in window.pages if isinstance(p, cls))


def test_the_generate_button_writes_and_previews_the_pdf(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = page(window, ReportPage)
    window.nav.setCurrentRow(window.pages.index(report))
    target = tmp_path / "qualite.pdf"
    answers = Answerer(tmp_path, {"Enregistrer le rapport": target})
    try:
        qtbot.mouseClick(report.generate_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: report.preview.page_count > 0, timeout=60_000)
    finally:
        answers.stop()
    assert answers.titles[0] == "Enregistrer le rapport"
    assert not any("interne" in m for m in answers.messages), answers.messages
    assert target.read_bytes().startswith(b"%PDF")
    assert report.preview.page_count == len(PdfReader(target).pages)
    assert "Rapport écrit" in report.result.text()
    assert "qualite.pdf" in window.statusBar().currentMessage()


def test_a_new_audit_is_listed_in_rapport_at_once(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = page(window, ReportPage)
    before = report.kind.count()
    audits = page(window, AuditPage)
    window.nav.setCurrentRow(window.pages.index(audits))
    new = next(b for b in audits.findChildren(type(report.generate_button)) if b.text() == "Nouvel audit…")
    answers = Answerer(tmp_path)  # accepts the facility proposed
    try:
        qtbot.mouseClick(new, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: report.kind.count() == before + 1, timeout=10_000)
    finally:
        answers.stop()
    assert "Livrable de l'audit" in report.kind.itemText(report.kind.count() - 1)


def test_the_nominative_annex_is_journaled_once_with_its_kind(window, demo_db, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Naming the patients in the annexes, written then previewed in the window: one journal entry
    that says personal data were included (issue 19, views and exports of nominative data)."""
    from ivo_app.services.journal import read_journal

    report = page(window, ReportPage)
    window.nav.setCurrentRow(window.pages.index(report))
    box = report.personal  # clicked on its box (the label's far end is outside the hit area)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))
    assert report.personal.isChecked()
    before = len(read_journal(demo_db))
    target = tmp_path / "nominatif.pdf"
    answers = Answerer(tmp_path, {"Enregistrer le rapport": target})
    try:
        qtbot.mouseClick(report.generate_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: report.preview.page_count > 0, timeout=60_000)
    finally:
        answers.stop()
    written = [line for line in read_journal(demo_db)[before:] if line.action == "rapport"]
    assert len(written) == 1
    assert written[0].details is not None and written[0].details["personal_data"] is True
    assert written[0].target == f"extraction:{window.state.extraction_id}"
