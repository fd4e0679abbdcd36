"""The four-step IVO3 audit driven by the commands alone, the deliverable read back; the questionnaire's
XLSX round trip; the reproducible sample."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from ivo_app.services import audit
from ivo_app.services.demo import create_demo

EXAMPLE = Path(__file__).resolve().parent.parent.parent / "docs" / "examples" / "audit-ch-garonne.yaml"
SECTIONS = ("Sommaire", "Synthèse", "Méthode et périmètre", "Étape 1 — Questionnaire d'évaluation",
            "Étape 2 — Étude de documents", "Étape 3 — Audit en présentiel", "Indicateurs de la table d'identités",
            "Anomalies par règle et par sévérité", "Doublons et collisions", "Constats", "Recommandations",
            "Plan d'actions", "Annexe — grille complète et réponses", "Annexe — catalogue des règles",
            "Annexe — échantillon (par IPP)")  # fmt: skip


def test_the_documented_example_through_the_commands(db_url: str, tmp_path: Path) -> None:
    def ivo(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "ivo_app", *args, "--db", db_url],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    ivo("demo", "--size", "1500", "--seed", "7", "--facility", "CH de la Garonne")
    ivo("check")
    ivo("duplicates")
    assert "Audit 1 créé" in ivo(
        "audit", "new", "--facility", "CH de la Garonne", "--auditor", "Dr Claire Martin (IVO3)"
    )
    assert "questionnaire 31" in ivo("audit", "answers", "1", str(EXAMPLE))
    status = json.loads(ivo("audit", "status", "1", "--format", "json"))
    assert status["score"] is not None and status["level"] in ("insuffisant", "en progrès", "maîtrisé")
    out = tmp_path / "livrable.pdf"
    ivo("report", "--audit", "1", "--out", str(out))
    reader = PdfReader(out)
    assert len(reader.pages) >= 15
    text = "\n".join(p.extract_text() or "" for p in reader.pages)
    for section in SECTIONS:
        assert section in text, section
    indicators = json.loads(ivo("indicators", "--format", "json"))
    assert f"{indicators['qualification_rate']:.1f} %".replace(".", ",") in text
    assert f"{indicators['anomalies']['total']} anomalies" in text
    assert f"{status['score']:.1f} %".replace(".", ",") in text
    outline = [i.title for i in reader.outline if not isinstance(i, list)]
    assert "Constats" in outline and "Plan d'actions" in outline
    assert "Écrire et diffuser la procédure de gestion des doublons" in text  # a recommendation
    assert "Document absent" in text  # a finding proposed from the documents step


def test_sample_is_reproducible_with_its_stored_seed(db) -> None:  # type: ignore[no-untyped-def]
    create_demo(db, size=800, seed=3, facility="CH Échantillon", extracted_on=date(2026, 6, 1))
    first = audit.create_audit(db, "CH Échantillon")
    second = audit.create_audit(db, "CH Échantillon")
    drawn = audit.draw_sample(db, first, 25, seed=11)
    assert drawn == audit.draw_sample(db, second, 25, seed=11)
    assert audit.get_audit(db, first).sample_seed == 11
    assert drawn == audit.draw_sample(db, first, 25)  # the stored seed is reused
    audit.record_sample_check(db, first, drawn[0], "date_naissance", False)
    rates = {r.label: r for r in audit.get_audit(db, first).sample_rates()}
    assert rates["Date de naissance"].failures == 1 and rates["Date de naissance"].checked == 1


def test_questionnaire_xlsx_round_trip(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    create_demo(db, size=200, seed=1, facility="CH Questionnaire", extracted_on=date(2026, 6, 1))
    audit_id = audit.create_audit(db, "CH Questionnaire")
    path = tmp_path / "questionnaire.xlsx"
    assert audit.export_questionnaire_xlsx(db, audit_id, path) == 31
    book = load_workbook(path)
    sheet = book.active
    sheet["F2"] = "Partiellement conforme"  # the facility may type the label...
    sheet["G2"] = "Charte en cours de révision"
    sheet["F3"] = "non_conforme"  # ...or the code
    sheet["F4"] = "non_applicable"
    book.save(path)
    assert audit.import_questionnaire_xlsx(db, audit_id, path) == 3
    view = audit.get_audit(db, audit_id)
    assert view.answers == {"T1.1": "partiel", "T1.2": "non_conforme", "T1.3": "non_applicable"}
    assert view.of("answer")["T1.1"]["comment"] == "Charte en cours de révision"
    assert view.steps["questionnaire"] == "en_cours"
