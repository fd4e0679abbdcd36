"""Steps 2 to 4 of an audit edited in the window (documents, on-site observations, interviews, findings,
recommendations, action plan, header), then found in the database and in the deliverable's text."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit

from ivo_app.services import audit
from ivo_app.services.extractions import list_extractions
from ivo_app.services.report import generate_audit_report
from ivo_app.ui.audit_items import ItemEditor
from ivo_app.ui.pages.audit import AuditPage


@pytest.fixture
def page(window, demo_db):  # type: ignore[no-untyped-def]
    page_ = next(p for p in window.pages if isinstance(p, AuditPage))
    window.nav.setCurrentRow(window.pages.index(page_))
    audit_id = audit.create_audit(demo_db, list_extractions(demo_db)[0].facility)
    page_.refresh_list()
    assert page_.audit_id == audit_id
    page_.warnings = []
    page_.warn = page_.warnings.append
    return page_


def fill(editor: ItemEditor, **values: object) -> None:
    """Type into the form as a user would: text, or the label of a combo's entry."""
    for key, value in values.items():
        widget = editor.editors[key]
        if isinstance(widget, QComboBox):
            index = widget.findText(str(value))
            assert index >= 0, f"{value} not offered for {key}"
            widget.setCurrentIndex(index)
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(str(value))
        elif isinstance(widget, QLineEdit):
            widget.setText(str(value))


def save(qtbot, editor: ItemEditor) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(path).pages).split())


def test_documents_observations_and_deliverable_edited_in_the_window_reach_the_pdf(
    page: AuditPage, qtbot, demo_db, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    audit_id = page.audit_id
    assert audit_id is not None
    # Step 2: a listed document, with the file the auditor looked at.
    charter = tmp_path / "charte.pdf"
    charter.write_bytes(b"%PDF-1.4 charte d'identitovigilance v3")
    page.choose_document_file = lambda: charter  # type: ignore[method-assign]
    documents = page.editors["document"]
    documents.table.selectRow(0)
    assert documents.current == "Charte d'identitovigilance"
    fill(documents, present="oui", version="v3", date="12/03/2025", conformity="Partiellement conforme")
    fill(documents, comment="Charte signée mais jamais diffusée aux services")
    documents._pick_file()
    save(qtbot, documents)
    doc = audit.get_audit(demo_db, audit_id).of("document")["Charte d'identitovigilance"]
    assert doc["present"] is True and doc["version"] == "v3" and doc["conformity"] == "partiel"
    assert doc["sha256"] == hashlib.sha256(charter.read_bytes()).hexdigest()
    assert documents.current == "Charte d'identitovigilance"  # still in the form after the reload

    documents.new()
    save(qtbot, documents)  # no name: refused in French, nothing stored
    assert page.warnings == ["Le nom du document est obligatoire."]
    fill(documents, name="Procédure des urgences vitales", present="non")
    save(qtbot, documents)
    assert (
        audit.get_audit(demo_db, audit_id).of("document")["Procédure des urgences vitales"]["present"]
        is False
    )

    # Step 3: an admission observed, then corrected (a point finally not observed).
    observations = page.editors["observation"]
    observations.new()
    fill(observations, poste="Accueil des urgences", recherche_existant="oui", insi_appele="non")
    fill(observations, justificatif_demande="non")
    save(qtbot, observations)
    assert audit.get_audit(demo_db, audit_id).of("observation") == {
        "admission-1": {
            "poste": "Accueil des urgences",
            "recherche_existant": True,
            "insi_appele": False,
            "justificatif_demande": False,
        }
    }
    fill(observations, justificatif_demande="—")
    save(qtbot, observations)
    assert "justificatif_demande" not in audit.get_audit(demo_db, audit_id).of("observation")["admission-1"]
    wristbands = page.editors["wristband"]
    fill(wristbands, unite="Cardiologie", present="oui", lisible="non", concordant="oui")
    save(qtbot, wristbands)
    interviews = page.editors["interview"]
    fill(interviews, theme="Gouvernance", note="La cellule ne se réunit plus depuis le printemps")
    save(qtbot, interviews)

    # Step 4: two findings, one corrected and one dropped; a recommendation; an action.
    findings = page.editors["finding"]
    fill(findings, severity="majeur", theme="Identification primaire", text="Premier jet du constat")
    save(qtbot, findings)
    fill(findings, text="Les identités provisoires ne sont relues par personne")
    save(qtbot, findings)  # same item: updated, not added
    findings.new()
    fill(findings, severity="mineur", text="Constat à retirer")
    save(qtbot, findings)
    assert len(audit.get_audit(demo_db, audit_id).of("finding")) == 2
    page.confirm = lambda question: "finding-2" in question  # type: ignore[method-assign]
    qtbot.mouseClick(findings.remove_button, Qt.MouseButton.LeftButton)
    assert list(audit.get_audit(demo_db, audit_id).of("finding")) == ["finding-1"]
    recommendations = page.editors["recommendation"]
    fill(recommendations, text="Réunir la cellule chaque trimestre", priority="1")
    save(qtbot, recommendations)
    actions = page.editors["action"]
    fill(actions, action="Former les agents d'accueil", owner="Cadre des admissions", due="2026-09-30")
    save(qtbot, actions)

    page.auditors.setText("Dr Alix Verdier; Sam Roux")
    page.scope.setText("Admissions et urgences")
    page.started_on.setText("02/03/2026")
    page.ended_on.setText("04/03/2026")
    page.save_header()
    page.step_states["documents"].setCurrentIndex(page.step_states["documents"].findData("termine"))

    view = audit.get_audit(demo_db, audit_id)
    assert view.auditors == ["Dr Alix Verdier", "Sam Roux"] and view.scope == "Admissions et urgences"
    assert view.steps["documents"] == "termine" and view.steps["livrable"] == "en_cours"
    assert view.progress()["sur_site"] == pytest.approx(2 / 3)  # observations and wristbands, no sample

    out = tmp_path / "livrable.pdf"
    generate_audit_report(demo_db, audit_id, out)
    text = pdf_text(out)
    for expected in (
        "Charte signée mais jamais diffusée aux services",
        "Procédure des urgences vitales",
        "1 admission observée",
        "La cellule ne se réunit plus depuis le printemps",
        "Les identités provisoires ne sont relues par personne",
        "Réunir la cellule chaque trimestre",
        "Cadre des admissions",
        "Dr Alix Verdier",
    ):
        assert expected in text, expected
    assert "Premier jet du constat" not in text and "Constat à retirer" not in text
    assert page.warnings == ["Le nom du document est obligatoire."]


def test_a_bad_date_in_the_header_is_refused_and_nothing_changes(page: AuditPage, demo_db) -> None:  # type: ignore[no-untyped-def]
    before = audit.get_audit(demo_db, page.audit_id)
    page.scope.setText("Autre périmètre")
    page.started_on.setText("31/02/2026")
    page.save_header()
    assert page.warnings and "Date invalide" in page.warnings[-1]
    after = audit.get_audit(demo_db, page.audit_id)
    assert (after.scope, after.started_on) == (before.scope, before.started_on)


def test_questionnaire_comment_and_evidence_are_kept_with_the_answer(
    page: AuditPage, demo_db, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    row = page.question_rows["T2.3"]
    page.questions.item(row, 4).setText("Pas de compte rendu depuis un an")
    assert page.warnings == ["Choisissez d'abord une réponse à cette question."]
    combo = page.combos["T2.3"]
    combo.setCurrentIndex(combo.findData("partiel"))
    page.questions.item(row, 5).setText("CR-CIV-2025.pdf")
    combo.setCurrentIndex(combo.findData("non_conforme"))  # a new answer keeps the notes typed
    answer = audit.get_audit(demo_db, page.audit_id).of("answer")["T2.3"]
    assert answer == {
        "answer": "non_conforme",
        "comment": "Pas de compte rendu depuis un an",
        "evidence": "CR-CIV-2025.pdf",
    }
    out = tmp_path / "livrable.pdf"
    generate_audit_report(demo_db, page.audit_id, out)
    assert "Pas de compte rendu depuis un an" in pdf_text(out)
