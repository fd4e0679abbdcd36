"""Audit core: the default grid, scoring (critical caps per theme, completeness), Wilson, sampling,
typed items, cross-step consistency, proposed findings and their chain, follow-up."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ivo_app.audit.completeness import chain_gaps
from ivo_app.audit.consistency import assessment_gaps, check_consistency
from ivo_app.audit.followup import follow_up
from ivo_app.audit.grid import GridError, grid_from_data
from ivo_app.audit.items import ItemError, normalise, normalise_answer
from ivo_app.audit.results import OBSERVATION_ITEMS, WRISTBAND_ITEMS, propose_findings, rates
from ivo_app.audit.scoring import METHOD_TEXT, score_grid
from ivo_app.audit.statistics import stratified_sample, wilson

GRID = Path(__file__).resolve().parent.parent.parent / "resources" / "grids" / "ivo3-rniv-defaut.yaml"


def load() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(GRID.read_text(encoding="utf-8"))


def everything(answer: str = "conforme") -> dict[str, str]:
    return {q.id: answer for q in grid_from_data(load()).questions}


def test_default_grid_covers_the_themes_with_versioned_references() -> None:
    grid = grid_from_data(load())
    assert [t.id for t in grid.themes] == [f"T{i}" for i in range(1, 11)]
    # Every question cites its text and that text's version (RNIV 2024, guide INS v3.0, HAS 2021).
    for q in grid.questions:
        assert any(v in q.reference for v in ("2024", "v3.0", "2021")), q.id
    assert {r.id for r in grid.references} == {"RNIV-1", "RNIV-2", "INS", "HAS"}
    assert any("2.3-01" in r.title for r in grid.references)
    text = " ".join(q.text.lower() for q in grid.questions)
    for topic in ("anonymat", "inconnue", "nouveau-nés", "mineurs", "majeurs protégés", "étrangers",
                  "afflux massif", "fusionner", "carte vitale", "identité numérique", "copie du justificatif",
                  "procédure dégradée", "entre le serveur d'identités et les applications", "ght",
                  "destinataires", "signalés à l'extérieur", "bloc opératoire", "transfusion", "prélèvements",
                  "patients interrogés"):  # fmt: skip
        assert topic in text, topic
    assert grid.targets["qualification_rate"] == 80.0


def test_targets_are_configurable_in_the_grid_and_unknown_ones_refused() -> None:
    data = load()
    data["targets"] = {"qualification_rate": 90}
    assert grid_from_data(data).targets["qualification_rate"] == 90.0
    data["targets"] = {"taux_magique": 1}
    with pytest.raises(GridError, match="objectif inconnu taux_magique"):
        grid_from_data(data)


def test_theme_and_global_scores_with_partial_and_not_applicable_answers() -> None:
    grid = grid_from_data(load())
    answers = {"T1.1": "conforme", "T1.2": "partiel", "T1.3": "non_applicable"}
    t1 = score_grid(grid, answers).themes[0]
    assert t1.score == pytest.approx((2 * 1 + 1 * 0.5) / 3)  # weights 2 and 1; N/A left out
    assert (t1.answered, t1.applicable) == (3, 2)
    full = score_grid(grid, everything())
    assert full.score == pytest.approx(1.0) and full.level == "maîtrisé" and full.complete


def test_no_level_is_stated_on_an_incomplete_questionnaire() -> None:
    """Defect: 2 answers out of 31 printed « 83,3 % — niveau maîtrisé »."""
    grid = grid_from_data(load())
    result = score_grid(grid, {"T1.1": "conforme", "T1.2": "partiel"})
    assert result.score == pytest.approx(2.5 / 3)
    assert result.level == "non établi" and not result.complete
    assert (result.answered, result.total) == (2, 49)
    assert result.themes[0].level == "non établi"  # 2 of its 3 questions


def test_a_critical_question_caps_its_theme_only_as_the_method_text_says() -> None:
    """Defects: the method text said per theme while the code capped the global level; a partial
    answer on a critical question capped nothing."""
    grid = grid_from_data(load())
    answers = everything()
    answers["T2.3"] = "non_conforme"  # référent not named: critical
    result = score_grid(grid, answers)
    t2 = result.themes[1]
    assert t2.score is not None and t2.score > 0.6
    assert t2.level == "insuffisant" and t2.critical_failures == ("T2.3",)
    assert result.level == "maîtrisé"  # the global level is not capped...
    assert [t.theme_id for t in result.capped_themes] == ["T2"]  # ...the capped theme is reported
    assert "de son thème seulement" in METHOD_TEXT
    answers["T2.3"] = "partiel"
    t2 = score_grid(grid, answers).themes[1]
    assert (
        t2.score is not None
        and t2.score >= 0.8
        and t2.level == "en progrès"
        and t2.critical_partials == ("T2.3",)
    )


def test_invalid_grid_is_refused_in_french() -> None:
    data = load()
    data["scale"].pop("partiel")
    with pytest.raises(GridError, match="échelle"):
        grid_from_data(data)
    with pytest.raises(GridError, match="Grille invalide"):
        grid_from_data({"id": "x"})


@pytest.mark.parametrize(
    ("errors", "n", "low", "high"),
    [(0, 10, 0.0, 0.2775), (1, 10, 0.0179, 0.4042), (5, 10, 0.2366, 0.7634), (10, 100, 0.0552, 0.1744)],
)
def test_wilson_interval_against_published_values(errors: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson(errors, n)
    assert lo == pytest.approx(low, abs=1e-4) and hi == pytest.approx(high, abs=1e-4)


def test_stratified_sample_is_reproducible_and_proportional() -> None:
    items = [(f"{i:05d}", "QUAL") for i in range(600)] + [(f"9{i:04d}", "PROV") for i in range(300)]
    items += [(f"8{i:04d}", "VALI") for i in range(100)]
    first = stratified_sample(items, 50, seed=7)
    assert first == stratified_sample(items, 50, seed=7)
    assert first != stratified_sample(items, 50, seed=8)
    strata = {key: s for key, s in items}
    counts = {s: sum(1 for k in first if strata[k] == s) for s in ("QUAL", "PROV", "VALI")}
    assert counts == {"QUAL": 30, "PROV": 15, "VALI": 5}
    assert len(stratified_sample(items[:3], 50, seed=1)) == 3


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("finding", {"text": "x", "severity": "gravissime"}, "valeur de sévérité « gravissime » inconnue"),
        ("action", {"action": "x", "due": "demain"}, "échéance invalide « demain »"),
        ("action", {"action": "x", "priority": "haute"}, "priorité invalide « haute »"),
        ("action", {"action": "x", "status": "fini"}, "valeur de statut « fini » inconnue"),
        ("recommendation", {"priority": 1}, "texte de la recommandation manquant"),
        ("document", {"name": "Charte", "present": "peut-être"}, "« présent » doit valoir oui ou non"),
    ],
)
def test_invalid_item_values_are_refused_naming_where(kind: str, data: dict, message: str) -> None:  # type: ignore[type-arg]
    """Defect: `severity: gravissime`, `due: demain`, `priority: haute` were printed as typed."""
    with pytest.raises(ItemError, match=re.escape(message)) as caught:
        normalise(kind, data, "actions n° 2 (ligne 41)")
    assert str(caught.value).startswith("actions n° 2 (ligne 41) : ")


def test_valid_items_are_stored_in_one_form() -> None:
    action = normalise(
        "action", {"action": "Former", "due": "30/09/2026", "priority": "1", "status": "En cours"}, "x"
    )
    assert (action["due"], action["priority"], action["status"]) == ("2026-09-30", 1, "en_cours")
    assert normalise_answer("Partiellement conforme", "q")["answer"] == "partiel"
    assert (
        normalise_answer({"answer": "conforme", "auditor": "non_conforme"}, "q")["auditor"] == "non_conforme"
    )
    with pytest.raises(ItemError, match="réponse « oui » inconnue"):
        normalise_answer("oui", "question T1.1 (ligne 3)")


def test_documents_are_not_reported_absent_before_the_document_step() -> None:
    """Defect: « Proposer les constats » reported every document absent when step 2 had not started."""
    grid = grid_from_data(load())
    listed = [{"name": "Charte d'identitovigilance"}, {"name": "Procédure bracelet"}]  # presence unknown
    assert not [
        f for f in propose_findings(grid, {}, listed, [], None, grid.targets) if f.source == "documents"
    ]
    listed[1]["present"] = False
    found = [f for f in propose_findings(grid, {}, listed, [], None, grid.targets) if f.source == "documents"]
    assert [f.key for f in found] == ["doc-Procédure bracelet"]


def test_cross_step_consistency_procedure_conforming_but_document_absent() -> None:
    """Defect: « conforme » for the duplicates procedure while the document review found it absent."""
    grid = grid_from_data(load())
    answers = {"T3.3": {"answer": "conforme"}, "T5.3": {"answer": "conforme"}, "T7.4": {"answer": "partiel"}}
    documents = {"Procédure doublons, fusions et collisions": {"present": False}}
    admissions = rates([{"justificatif_demande": False}, {"justificatif_demande": True}], OBSERVATION_ITEMS)
    found = check_consistency(grid, answers, documents, admissions, [])
    questions = sorted(i.question for i in found)
    assert questions == ["T3.3", "T5.3", "T7.4"]  # T7.4 relies on the same procedure
    assert "n'a pas été présenté" in next(i.text for i in found if i.question == "T3.3")
    assert (
        check_consistency(
            grid, answers, {"Procédure doublons, fusions et collisions": {"present": True}}, [], []
        )
        == []
    )


def test_self_and_auditor_assessments_compared() -> None:
    grid = grid_from_data(load())
    gaps = assessment_gaps(grid, {"T1.1": {"answer": "conforme", "auditor": "non_conforme"},
                                  "T1.2": {"answer": "partiel", "auditor": "partiel"}})  # fmt: skip
    assert gaps == [("T1.1", "conforme", "non_conforme", 2)]


def test_on_site_rates_and_critical_data_produce_findings_with_recommendation_and_action() -> None:
    """Defects: collisions and critical anomalies got no recommendation nor action; admissions
    without a checked document, patients without a wristband, unreadable wristbands, no finding."""
    grid = grid_from_data(load())
    admissions = rates(
        [{"justificatif_demande": False}, *[{"justificatif_demande": True}] * 3], OBSERVATION_ITEMS
    )
    bands = rates([{"present": False}, {"present": True, "lisible": False}, {"present": True, "lisible": True}],
                  WRISTBAND_ITEMS)  # fmt: skip
    indicators = {"qualification_rate": 95.0, "duplicates": {"collisions": 3, "duplicate_rate": 0.1},
                  "anomalies": {"by_severity": {"critique": 12}}}  # fmt: skip
    found = {
        f.key: f for f in propose_findings(grid, {}, [], [], indicators, grid.targets, admissions, bands)
    }
    assert set(found) == {
        "obs-justificatif_demande",
        "bra-present",
        "bra-lisible",
        "ind-collisions",
        "ind-critiques",
    }
    for f in found.values():
        assert f.recommendation and f.action and f.indicator and f.evidence, f.key
    assert (
        found["ind-collisions"].severity == "critique" and "3 collisions" in found["ind-collisions"].evidence
    )
    assert found["bra-present"].text.startswith("1 patient contrôlé sur 3")


def test_chain_gaps_name_the_missing_links() -> None:
    findings = {
        "f1": {"text": "Pas de charte", "severity": "critique"},
        "f2": {"text": "Mineur", "severity": "mineur"},
    }
    assert chain_gaps(findings, {}, {}) == ["constat « Pas de charte » sans recommandation"]
    recs = {"r1": {"text": "Écrire la charte", "finding": "f1"}}
    assert chain_gaps(findings, recs, {}) == ["recommandation « Écrire la charte » sans action"]
    assert chain_gaps(findings, recs, {"a1": {"action": "x", "recommendation": "r1"}}) == []


def test_follow_up_closed_persisting_new_and_trends() -> None:
    grid = grid_from_data(load())
    before, now = score_grid(grid, everything("partiel")), score_grid(grid, everything())
    data_before = {"anomalies": {"by_severity": {"critique": 10}}, "duplicates": {"probable": 5, "collisions": 2},
                   "qualification_rate": 40.0}  # fmt: skip
    data_now = {"anomalies": {"by_severity": {"critique": 1}}, "duplicates": {"probable": 2, "collisions": 0},
                "qualification_rate": 70.0}  # fmt: skip
    result = follow_up(1, "01/01/2026", before, now, {"a": {"text": "A"}, "b": {"text": "B"}},
                       {"b": {"text": "B"}, "c": {"text": "C"}}, [], data_before, data_now)  # fmt: skip
    assert (result.closed, result.persisting, result.new) == (["A"], ["B"], ["C"])
    assert result.score == (pytest.approx(0.5), pytest.approx(1.0))
    assert ("Collisions suspectées", 2, 0) in result.trends
    assert ("Anomalies critiques", 10, 1) in result.trends
