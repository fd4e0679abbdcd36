"""The auditor's assessment chosen in the questionnaire beside the facility's self-assessment: both are
kept, the retained score follows the auditor, and the deliverable shows the gap."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from ivo_app.services import audit
from ivo_app.services.extractions import list_extractions
from ivo_app.services.report import generate_audit_report
from ivo_app.ui.pages.audit import AuditPage


def test_self_and_auditor_assessments_are_recorded_apart(window, demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = next(p for p in window.pages if isinstance(p, AuditPage))
    window.nav.setCurrentRow(window.pages.index(page))
    audit_id = audit.create_audit(demo_db, list_extractions(demo_db)[0].facility)
    page.refresh_list()
    assert page.audit_id == audit_id
    assert page.questions.horizontalHeaderItem(6).text() == "Évaluation auditeur"
    own, auditor = page.combos["T3.3"], page.auditor_combos["T3.3"]
    own.setCurrentIndex(own.findData("conforme"))
    auditor.setCurrentIndex(auditor.findText("Non conforme"))
    stored = audit.get_audit(demo_db, audit_id).of("answer")["T3.3"]
    assert stored["answer"] == "conforme" and stored["auditor"] == "non_conforme"
    view = audit.get_audit(demo_db, audit_id)
    assert view.answers["T3.3"] == "non_conforme" and view.self_answers["T3.3"] == "conforme"
    assert "1 questions renseignées sur 49" not in page.score.text()
    assert "1 question renseignée sur 49" in page.score.text() and "0,0\u00a0%" in page.score.text()
    own.setCurrentIndex(own.findData("partiel"))  # a new self-assessment keeps the auditor's
    assert audit.get_audit(demo_db, audit_id).of("answer")["T3.3"]["auditor"] == "non_conforme"
    out = tmp_path / "l.pdf"
    generate_audit_report(demo_db, audit_id, out)
    text = " ".join("\n".join(p.extract_text() or "" for p in PdfReader(out).pages).split())
    assert "Écarts entre auto-évaluation et évaluation de l'auditeur : 1 question" in text
