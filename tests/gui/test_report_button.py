"""The Rapport page's button, clicked as a user does: the file dialog answered, the PDF written and
previewed; a new audit is listed without restarting."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import QPoint, Qt

from ivo_app.ui.pages.audit import AuditPage
from ivo_app.ui.pages.report import ReportPage
from tests.gui.dialogs import Answerer, type_text


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


def test_the_deliverable_context_is_typed_in_the_window_and_the_annex_is_a_separate_file(
    window, demo_db, qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """From Rapport, « Modifier le contexte du livrable… » leads to the audit's En-tête tab; what is
    typed there is in the base and in the PDF; the nominative annex checkbox says it is a separate file."""
    from ivo_app.services import audit
    from ivo_app.services.extractions import list_extractions
    from ivo_app.services.report import nominative_annex_path

    audit_id = audit.create_audit(demo_db, list_extractions(demo_db)[0].facility)
    window.state.audits_changed.emit()
    report = page(window, ReportPage)
    window.nav.setCurrentRow(window.pages.index(report))
    assert not report.context_button.isVisible()  # the quality report has no audit context
    assert "IPP seulement" in report.personal.text()
    report.kind.setCurrentIndex(
        report.kind.findText(f"Livrable de l'audit n° {audit_id}", Qt.MatchFlag.MatchStartsWith)
    )
    assert report.context_button.isVisible()
    assert "fichier séparé « …-annexe-nominative.pdf »" in report.personal.text()

    qtbot.mouseClick(report.context_button, Qt.MouseButton.LeftButton)
    audits = page(window, AuditPage)
    assert window.stack.currentWidget() is audits and audits.audit_id == audit_id
    assert audits.tabs.currentIndex() == 0 and audits.tabs.tabText(0) == "En-tête"
    typed = {
        "mandate": "Lettre de mission de la direction du 05/01/2026",
        "objectives": "Évaluer l'identification primaire\nVérifier la qualification de l'INS",
        "people_met": "Mme Lefèvre, cadre des admissions",
        "signatures": "Dr Alix Verdier ; Auditrice ; 04/03/2026",
        "version": "1.1",
    }
    for key, text in typed.items():
        edit = audits.context_edits[key]
        edit.setFocus()
        type_text(edit, text)
    audits.auditors.setFocus()
    qtbot.keyClicks(audits.auditors, "Dr Alix Verdier")
    qtbot.mouseClick(audits.save_header_button, Qt.MouseButton.LeftButton)
    view = audit.get_audit(demo_db, audit_id)
    assert view.context["mandate"] == typed["mandate"]
    assert view.context["objectives"] == [
        "Évaluer l'identification primaire",
        "Vérifier la qualification de l'INS",
    ]
    assert view.context["signatures"] == [
        {"name": "Dr Alix Verdier", "role": "Auditrice", "date": "2026-03-04"}
    ]
    assert view.context["version"] == "1.1" and view.auditors == ["Dr Alix Verdier"]
    assert "contexte de l'audit" in window.statusBar().currentMessage()
    assert audits.context_edits["signatures"].toPlainText() == "Dr Alix Verdier ; Auditrice ; 04/03/2026"

    window.nav.setCurrentRow(window.pages.index(report))
    report.kind.setCurrentIndex(
        report.kind.findText(f"Livrable de l'audit n° {audit_id}", Qt.MatchFlag.MatchStartsWith)
    )
    qtbot.mouseClick(report.personal, Qt.MouseButton.LeftButton)
    assert report.personal.isChecked()
    target = tmp_path / "livrable.pdf"
    answers = Answerer(tmp_path, {"Enregistrer le rapport": target})
    try:
        qtbot.mouseClick(report.generate_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: report.preview.page_count > 0, timeout=120_000)
    finally:
        answers.stop()
    annex = nominative_annex_path(target)
    assert annex.exists() and f"fichier séparé : {annex.name}" in report.result.text()
    text = " ".join(" ".join(p.extract_text() or "" for p in PdfReader(target).pages).split())
    for expected in ("Lettre de mission de la direction du 05/01/2026", "Vérifier la qualification de l'INS",
                     "Mme Lefèvre, cadre des admissions", "Auditrice", "04/03/2026", "1.1"):  # fmt: skip
        assert expected in text, expected
