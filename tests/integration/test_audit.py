"""The four-step IVO3 audit driven by the commands alone, the deliverable read back section by section;
the defects that allowed wrong conclusions; answers and questionnaire imports in one transaction;
the reproducible sample that a new draw replaces; the follow-up against the previous complete audit."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from ivo_app.services import audit
from ivo_app.services.checks import run_checks
from ivo_app.services.demo import create_demo
from ivo_app.services.duplicates import find_duplicates
from ivo_app.services.report import generate_audit_report, nominative_annex_path
from tests.cli import ivo_runner

EXAMPLE = Path(__file__).resolve().parent.parent.parent / "docs" / "examples" / "audit-ch-garonne.yaml"
SECTIONS = (
    "Synthèse", "Contexte", "Méthode", "Synthèse par thème", "Résultats détaillés",
    "Étape 1 — Questionnaire d'évaluation", "Étape 2 — Étude de documents", "Cohérence entre étapes",
    "Étape 3 — Audit en présentiel", "Entretiens", "Indicateurs de la table d'identités",
    "Anomalies par règle et par sévérité", "Doublons et collisions", "Constats", "Recommandations",
    "Plan d'actions", "Suivi depuis l'audit précédent", "Validation et diffusion", "Réponse de l'établissement",
    "Liste de diffusion", "Glossaire", "Annexe — grille complète et réponses", "Annexe — catalogue des règles",
    "Annexe — échantillon (par IPP)", "Annexe — anomalies critiques (par IPP)",
)  # fmt: skip


def pages_of(path: Path) -> list[str]:
    return [(p.extract_text() or "").replace("\u00a0", " ") for p in PdfReader(path).pages]


def split_sections(path: Path) -> dict[str, str]:
    """The deliverable's text cut at its headings, in the order of the outline (after the contents)."""
    reader = PdfReader(path)
    text = "\n".join(pages_of(path)[2:])  # cover and contents left out
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    for item in reader.outline:
        if isinstance(item, list):
            titles += [sub.title for sub in item if not isinstance(sub, list)]
    out: dict[str, str] = {}
    positions = []
    cursor = 0
    for title in SECTIONS:
        at = text.find(title + "\n", cursor)
        assert at >= 0, f"section absente ou hors d'ordre : {title}"
        positions.append((title, at))
        cursor = at + len(title)
    for (title, start), (_, end) in zip(positions, [*positions[1:], ("", len(text))], strict=True):
        out[title] = " ".join(text[start + len(title) : end].split())  # line breaks are layout, not text
    assert set(SECTIONS) <= set(titles)
    return out


@pytest.fixture(autouse=True)
def no_loaded_cog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The example's sample names IPP of the demo generated with the embedded COG only: a COG history
    another test loaded into the shared data folder (and the cached reference) would change the demo."""
    import ivo_app.io.cog as cog

    monkeypatch.setattr(cog, "history_dir", lambda: tmp_path / "cog-absent")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    cog.load_reference.cache_clear()
    yield
    cog.load_reference.cache_clear()


def test_the_documented_example_through_the_commands(db_url: str, tmp_path: Path) -> None:
    ivo = ivo_runner(db_url)
    ivo("demo", "--size", "1500", "--seed", "7", "--facility", "CH de la Garonne", "--date", "2026-10-01")
    ivo("check")
    ivo("duplicates")
    assert (
        "Audit 1 créé"
        in ivo(
            "audit", "new", "--facility", "CH de la Garonne", "--auditor", "Dr Claire Martin (IVO3)"
        ).stdout
    )
    assert "questionnaire 49" in ivo("audit", "answers", "1", str(EXAMPLE)).stdout
    status = json.loads(ivo("audit", "status", "1", "--format", "json").stdout)
    assert status["complete"] and status["chain_gaps"] == [] and status["level"] == "en progrès"
    printed = ivo("audit", "status", "1").stdout
    assert "None" not in printed and "termine" not in printed and "Audit complet." in printed
    assert re.search(r"score \d+,\d %", printed)
    listing = ivo("audit", "list").stdout
    assert "<10" not in listing and "05/10/2026" in listing
    out = tmp_path / "livrable.pdf"
    ivo("report", "--audit", "1", "--out", str(out))
    assert not nominative_annex_path(out).exists()  # the nominative annex only on request
    pages = pages_of(out)
    assert not any("PROJET" in p for p in pages)  # complete: no draft mark
    part = split_sections(out)
    indicators = json.loads(ivo("indicators", "--format", "json").stdout)
    score = f"{status['score']:.1f} %".replace(".", ",")

    # Executive summary: key figures, radar, risks, recommendations.
    assert score in part["Synthèse"] and "Score global de maturité" in part["Synthèse"]
    assert "Score par thème (%)" in part["Synthèse"] and "Politique d'identitovigilance" in part["Synthèse"]
    assert f"{indicators['qualification_rate']:.1f} %".replace(".", ",") in part["Synthèse"]
    assert (
        "Principaux risques : C1 " in part["Synthèse"]
        and "Recommandations prioritaires : R1 " in part["Synthèse"]
    )
    # Context and method: mandate, people met, services, extraction and its fingerprint, active file, references.
    assert "Mandat : Audit ciblé" in part["Contexte"] and "Karim Benali" in part["Contexte"]
    assert "Cardiologie" in part["Contexte"]
    method = part["Méthode"].replace("\n", " ")
    assert (
        "fichier source « démonstration (1500 identités) », sans empreinte SHA-256 (extraction générée"
        in method
    )
    assert "File active : identités dont la dernière venue" in method
    assert "graine 2026" in method and "de son thème seulement" in method
    assert "Limites de l'audit" in method and "pas d'observation de nuit" in method
    for reference in ("forme consolidée 2024", "v2.0, décembre 2024", "v3.0, décembre 2024", "2.3-01"):
        assert reference in method, reference
    # Synthesis per theme crosses the sources.
    for theme in ("Gouvernance", "Situations particulières", "Cohérence des identités entre applications"):
        assert theme in part["Synthèse par thème"]
    assert "Évaluation auditeur" in part["Synthèse par thème"]
    # Results: self vs auditor, documents, cross-step consistency, on site per desk and unit.
    assert (
        "Écarts entre auto-évaluation et évaluation de l'auditeur : 3 questions"
        in part["Étape 1 — Questionnaire d'évaluation"]
    )
    assert (
        "La question T7.4 est évaluée" not in part["Cohérence entre étapes"]
    )  # the auditor rated it non conforme
    assert "Tableau de bord des" in part["Étape 2 — Étude de documents"]
    assert (
        "Bureau des entrées" in part["Étape 3 — Audit en présentiel"]
        and "Chirurgie" in part["Étape 3 — Audit en présentiel"]
    )
    assert f"{indicators['anomalies']['total']} anomalies" in part["Synthèse"].replace("\n", " ")
    # Findings numbered, with source and evidence; each critical or major one carried to an action.
    findings = part["Constats"]
    for source in ("Questionnaire", "Étude de", "Observation", "Données de la", "Cohérence", "Entretien"):
        assert source in findings, source
    numbers = re.findall(r"\bC(\d+) (?:Critique|Majeur|Mineur)\b", findings)
    assert numbers and [int(n) for n in numbers] == list(range(1, len(numbers) + 1))
    assert "collisions suspectées" in findings.replace("\n", " ")
    assert "Écrire et diffuser la procédure de gestion des doublons" in part["Recommandations"].replace(
        "\n", " "
    )
    assert "complète (chaque constat critique ou majeur a une recommandation" in part[
        "Plan d'actions"
    ].replace("\n", " ")
    plan = part["Plan d'actions"]
    assert "Référent" in plan and "05/04/2027" in plan and "À lancer" in plan and "En cours" in plan
    # Signatures, the facility's response, distribution list; annexes last.
    assert (
        "Hélène Roques" in part["Validation et diffusion"] and "27/10/2026" in part["Validation et diffusion"]
    )
    assert "prend acte des constats" in part["Réponse de l'établissement"]
    assert "Président de la CME" in part["Liste de diffusion"]
    assert "Aucun audit antérieur complet" in part["Suivi depuis l'audit précédent"]
    # French typography in the body: no ISO dates, no state codes, no raw status codes, French decimals.
    body = "\n".join(part[s] for s in SECTIONS[: SECTIONS.index("Annexe — grille complète et réponses")])
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", body)
    for code in ("termine", "a_faire", "non_conforme", "QUAL", "PROV", "RECUP", "COLLISION-SUSPECTE"):
        assert not re.search(rf"\b{code}\b", body), code
    assert "1 500 identités" in body
    charts = part["Étape 1 — Questionnaire d'évaluation"] + part["Étape 3 — Audit en présentiel"]
    assert not re.search(r"(?<![\w.])\d{1,3}\.\d(?![\d-])", charts)  # chart labels with a decimal comma
    assert re.search(r"\b\d{1,3},\d\b", charts)


def _audit(db, facility: str = "CH Audit", size: int = 800):  # type: ignore[no-untyped-def]
    extraction = create_demo(
        db, size=size, seed=3, facility=facility, extracted_on=date(2026, 6, 1)
    ).extraction_id
    run_checks(db, extraction)
    find_duplicates(db, extraction)
    return audit.create_audit(db, facility), extraction


def test_an_incomplete_audit_is_a_draft_on_every_page(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Defect: 2 answers of 31 printed « 83,3 % — niveau maîtrisé », with no completeness, no draft mark."""
    audit_id, _ = _audit(db)
    audit.set_answer(db, audit_id, "T1.1", "conforme")
    audit.set_answer(db, audit_id, "T1.2", "partiel")
    out = tmp_path / "projet.pdf"
    generate_audit_report(db, audit_id, out)
    pages = pages_of(out)
    for number, page in enumerate(pages, start=1):
        assert "PROJET" in page, f"page {number}"
        assert "Complétude : questionnaire 2/49 · documents 0/11 · sur site 0/4 · livrable" in page, (
            f"page {number}"
        )
    text = " ".join("\n".join(pages).split())
    assert "niveau maîtrisé" not in text and "maîtrisé Niveau" not in text
    assert "non établi (audit incomplet)" in text and "2/49" in text


def test_default_conforming_never_covers_a_record_ivo_flags(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Defect: `default_conforming: true` marked every sampled record conforming although IVO's checks
    flagged some of those IPP (status value, document, NIR month)."""
    audit_id, _ = _audit(db)
    answers = tmp_path / "a.yaml"
    answers.write_text(
        "on_site:\n  sample: {size: 60, seed: 5, default_conforming: true}\n", encoding="utf-8"
    )
    counts = audit.apply_answers_file(db, audit_id, answers)
    sample = audit.get_audit(db, audit_id).of("sample")
    flagged = {ipp for ipp, s in sample.items() if s.get("flags")}
    assert flagged and counts["echantillon_a_verifier"] == len(flagged)
    for ipp, s in sample.items():
        assert (s.get("traits") or {}) == ({} if ipp in flagged else {t: True for t in s["traits"]}), ipp
        if ipp not in flagged:
            assert len(s["traits"]) == 7
    one = sorted(flagged)[0]
    answers.write_text(f'on_site:\n  sample: {{size: 60, seed: 5, default_conforming: true, checks: {{"{one}": {{statut: false}}}}}}\n',
                       encoding="utf-8")  # fmt: skip
    audit.apply_answers_file(db, audit_id, answers)
    traits = audit.get_audit(db, audit_id).of("sample")[one]["traits"]
    assert traits["statut"] is False and traits["nom_naissance"] is True  # looked at: the default applies
    assert not audit.get_audit(db, audit_id).completeness().steps[2].complete


def test_redrawing_the_sample_replaces_it(db) -> None:  # type: ignore[no-untyped-def]
    """Defect: re-drawing added to the old sample (40 + 10) and the report printed the new seed only."""
    audit_id, _ = _audit(db)
    audit.draw_sample(db, audit_id, 40, seed=1)
    second = audit.draw_sample(db, audit_id, 10, seed=2)
    view = audit.get_audit(db, audit_id)
    assert sorted(view.of("sample")) == sorted(second) and len(second) == 10 and view.sample_seed == 2


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


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("questionnaire:\n  T1.1: conforme\n  T1.2: partiel\n  T99.9: conforme\n",
         "a.yaml, question T99.9 (ligne 4) : question inconnue « T99.9 »"),
        ("questionnaire:\n  T1.1: conforme\n  T1.2: peut-être\n", "a.yaml, question T1.2 (ligne 3) : réponse « peut-être » inconnue"),
        ("questionnaire:\n  T1.1: conforme\naudit:\n  started_on: 2026-02-31\n",
         "Date invalide : 2026-02-31 (attendu : JJ/MM/AAAA ou AAAA-MM-JJ) — a.yaml, audit (ligne 3)"),
        ("questionnaire:\n  T1.1: conforme\nactions:\n  - {action: Former, due: demain}\n",
         "a.yaml, actions n° 1 (ligne 4) : échéance invalide « demain »"),
        ("questionnaire:\n  T1.1: conforme\nfindings:\n  - {text: X, severity: gravissime}\n",
         "a.yaml, constats n° 1 (ligne 4) : valeur de sévérité « gravissime » inconnue"),
        ("questionnaire:\n  T1.1: conforme\nactions:\n  - {action: X, priority: haute}\n", "priorité invalide « haute »"),
        ("questionnaire:\n  T1.1: conforme\non_site:\n  sample: {size: dix}\n", "taille invalide « dix »"),
        ("questionnaire: [T1.1, T1.2]\n", "a.yaml, questionnaire (ligne 1) : un objet (clé : valeur) est attendu"),
        ("questionnaire:\n  T1.1: conforme\nrecommendations:\n  - {text: X, finding: inconnu}\n",
         "recommandations n° 1 (ligne 4) : constat lié inconnu « inconnu »"),
    ],
)  # fmt: skip
def test_a_bad_answers_file_is_refused_in_french_and_nothing_is_kept(
    db_url: str,
    db,
    tmp_path: Path,
    content: str,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    """Defect: an unknown question, a bad date or a wrong type gave « erreur interne inattendue »
    (exit 1) and kept the lines before the error."""
    audit_id, _ = _audit(db)
    path = tmp_path / "a.yaml"
    path.write_text(content, encoding="utf-8")
    result = ivo_runner(db_url)("audit", "answers", str(audit_id), str(path), code=2)
    assert message in result.stderr and "interne" not in result.stderr
    view = audit.get_audit(db, audit_id)
    assert (
        view.of("answer") == {}
        and view.steps["questionnaire"] == "a_faire"
        and view.started_on == date.today()
    )


def test_questionnaire_xlsx_round_trip_labels_safe_cells_and_one_transaction(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Defects: comments written as live formulas; no header, instructions, widths, locking; codes in the
    drop-down; an import failing without a row number after keeping the rows before it."""
    create_demo(db, size=200, seed=1, facility="CH Questionnaire", extracted_on=date(2026, 6, 1))
    audit_id = audit.create_audit(db, "CH Questionnaire")
    audit.set_answer(db, audit_id, "T1.3", "partiel", '=HYPERLINK("http://exemple.invalid","clic")')
    path = tmp_path / "questionnaire.xlsx"
    assert audit.export_questionnaire_xlsx(db, audit_id, path) == 49
    book = load_workbook(path)
    sheet = book.active
    assert sheet["A1"].value.startswith("Questionnaire d'évaluation — CH Questionnaire")
    assert "Instructions" in sheet["A3"].value
    header = [c.value for c in sheet[4]]
    assert header[:6] == ["id", "thème", "question", "référence", "critique", "réponse"]
    assert sheet.column_dimensions["C"].width == 60 and sheet.protection.sheet
    assert not sheet["F5"].protection.locked and sheet["C5"].protection.locked
    validation = sheet.data_validations.dataValidation[0]
    assert "Partiellement conforme" in validation.formula1 and "non_conforme" not in validation.formula1
    row = next(r for r in range(5, sheet.max_row + 1) if sheet.cell(r, 1).value == "T1.3")
    assert sheet.cell(row, 7).value.startswith("'=HYPERLINK")  # neutralised, not a formula
    assert sheet.cell(row, 6).value == "Partiellement conforme"
    sheet["F5"] = "Partiellement conforme"  # the label...
    sheet["G5"] = "Charte en cours de révision"
    sheet["F6"] = "non_conforme"  # ...or the code
    sheet.cell(row, 6).value = "Non applicable"
    book.save(path)
    assert audit.import_questionnaire_xlsx(db, audit_id, path) == 3
    view = audit.get_audit(db, audit_id)
    assert view.answers == {"T1.1": "partiel", "T1.2": "non_conforme", "T1.3": "non_applicable"}
    assert view.of("answer")["T1.1"]["comment"] == "Charte en cours de révision"
    # A bad row: the message names it; the rows before it are not kept.
    sheet["F5"], sheet["F6"], sheet["F8"] = "Conforme", "Conforme", "Plutôt oui"
    book.save(path)
    with pytest.raises(
        audit.IvoError,
        match=r"questionnaire\.xlsx, ligne 8 \(question T2\.1\) : réponse « Plutôt oui » inconnue",
    ):
        audit.import_questionnaire_xlsx(db, audit_id, path)
    assert audit.get_audit(db, audit_id).answers["T1.1"] == "partiel"


def test_follow_up_against_the_previous_complete_audit(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Defect: a second audit showed one line (previous global score), even when that audit was incomplete."""
    facility = "CH de la Garonne"
    extraction = create_demo(  # as the example's `ivo demo` does
        db, size=1500, seed=7, facility=facility, extracted_on=date(2026, 10, 1)
    ).extraction_id
    run_checks(db, extraction)
    find_duplicates(db, extraction)
    first = audit.create_audit(db, facility)
    audit.apply_answers_file(db, first, EXAMPLE)
    draft = audit.create_audit(db, facility)  # left incomplete: not a reference
    audit.set_answer(db, draft, "T1.1", "non_conforme")
    extraction = create_demo(
        db, size=1500, seed=8, facility=facility, extracted_on=date(2027, 6, 1)
    ).extraction_id
    run_checks(db, extraction)
    find_duplicates(db, extraction)
    third = audit.create_audit(db, facility)
    for qid in ("T3.3", "T4.2"):
        audit.set_answer(db, third, qid, "conforme")
    out = tmp_path / "suivi.pdf"
    generate_audit_report(db, third, out)
    text = "\n".join(pages_of(out))
    section = " ".join(text[text.rfind("Suivi depuis l'audit précédent") :].split())
    complete = audit.get_audit(db, first).completeness().complete
    if complete:
        assert (
            f"audit complet n° {first}" in section and f"non retenus car incomplets : n° {draft}" in section
        )
        for label in ("Levés", "Persistants", "Nouveaux", "État du plan d'actions précédent", "Collisions suspectées",
                      "Anomalies critiques", "Doublons probables"):  # fmt: skip
            assert label in section, label
        assert "Procédure doublons et collisions validée en CIV" in section
    else:
        pytest.fail(
            "the example audit should be complete: "
            + "; ".join(audit.get_audit(db, first).completeness().missing)
        )


def test_nominative_annexes_only_in_a_separate_file_on_request(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Defects: with --personal-data the footers still said « IPP uniquement »; no director's copy."""
    from ivo_app.store.models import Identity
    from ivo_app.store.uow import UnitOfWork

    audit_id, extraction = _audit(db)
    ipp = audit.draw_sample(db, audit_id, 20, seed=4)[0]
    with UnitOfWork(db) as uow:
        name = uow.session.query(Identity).filter_by(extraction_id=extraction, ipp=ipp).one().birth_name
    out = tmp_path / "livrable.pdf"
    generate_audit_report(db, audit_id, out, include_personal_data=True)
    director, annex = pages_of(out), pages_of(nominative_annex_path(out))
    assert name not in "\n".join(director) and ipp in "\n".join(director)
    assert all("patients cités par IPP uniquement" in p for p in director[1:])
    assert name in "\n".join(annex)
    assert all("contient des données nominatives" in p and "IPP uniquement" not in p for p in annex[1:])


def test_the_critical_anomaly_annex_says_when_it_is_truncated(db, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Defect: the annex stopped at 500 rows without saying so."""
    import ivo_app.services.report as report

    audit_id, _ = _audit(db)
    monkeypatch.setattr(report, "ANNEX_LIMIT", 3)
    out = tmp_path / "l.pdf"
    generate_audit_report(db, audit_id, out)
    text = "\n".join(pages_of(out)).replace("\n", " ")
    assert re.search(r"3 anomalies critiques listées sur \d+ : la liste s'arrête aux 3 premières", text)
