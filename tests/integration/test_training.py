"""Trainer mode: exercises drawn from a demo facility, scored against its ground truth (service and CLI)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ivo_app.cli import main
from ivo_app.errors import IvoError
from ivo_app.rules.catalogue import RULES
from ivo_app.services import training
from ivo_app.services.demo import create_demo, load_truth
from ivo_app.services.imports import import_file

DAY = date(2026, 6, 1)


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    return create_demo(db, size=400, seed=2, extracted_on=DAY).extraction_id


def right_answers(db, exercise: training.Exercise) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What a perfect trainee answers, read from the generator's truth."""
    truth = load_truth(db, exercise.extraction_id)
    answers = {}
    for q in exercise.identities:
        anomalies = truth[q.ipp]["anomalies"]
        answers[q.id] = min(anomalies) if anomalies else "conforme"
    for p in exercise.pairs:
        same = truth[p.a["ipp"]]["person_key"] == truth[p.b["ipp"]]["person_key"]
        answers[p.id] = "doublon" if same else "non_doublon"
    return answers


def test_an_exercise_is_reproducible_and_mixes_clean_faulty_duplicates_and_lookalikes(db, demo) -> None:  # type: ignore[no-untyped-def]
    exercise = training.create_exercise(db, demo, size=20, seed=5)
    again = training.create_exercise(db, demo, size=20, seed=5)
    other = training.create_exercise(db, demo, size=20, seed=6)
    assert (exercise.identities, exercise.pairs) == (again.identities, again.pairs)
    assert [q.ipp for q in exercise.identities] != [q.ipp for q in other.identities]
    assert exercise.size == 20 and len(exercise.identities) == 12 and len(exercise.pairs) == 8
    truth = load_truth(db, demo)
    faulty = [q for q in exercise.identities if truth[q.ipp]["anomalies"]]
    assert len(faulty) == 6
    assert all(not truth[q.ipp]["anomalies"] & training.CROSS_RECORD_RULES for q in faulty)
    same = [p for p in exercise.pairs if truth[p.a["ipp"]]["person_key"] == truth[p.b["ipp"]]["person_key"]]
    assert len(same) == 4
    lookalikes = [p for p in exercise.pairs if p not in same]
    assert all(truth[p.a["ipp"]]["kind"] in training.HARD_NEGATIVE_KINDS for p in lookalikes)
    # the traits shown are those imported
    q = exercise.identities[0]
    assert q.traits["ipp"] == q.ipp and q.traits["birth_name"]


def test_the_exercise_file_holds_the_questions_not_the_answers(db, demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    exercise = training.create_exercise(db, demo, size=10, seed=1)
    path = tmp_path / "exercice.json"
    training.write_exercise(path, exercise)
    text = path.read_text(encoding="utf-8")
    assert "person_key" not in text and "anomalies" not in text and "doublon" not in text
    back, answers = training.read_exercise(path)
    assert back == exercise and answers == {}


def test_scoring_against_the_truth_with_explanations(db, demo) -> None:  # type: ignore[no-untyped-def]
    exercise = training.create_exercise(db, demo, size=20, seed=3)
    perfect = right_answers(db, exercise)
    correction = training.correct_exercise(db, exercise, perfect)
    assert correction.score == 20 and correction.percent == 100
    assert all(r.verdict == "juste" for r in correction.results)

    truth = load_truth(db, demo)
    faulty = next(q for q in exercise.identities if truth[q.ipp]["anomalies"])
    clean = next(q for q in exercise.identities if not truth[q.ipp]["anomalies"])
    pair = exercise.pairs[0]
    wrong_rule = next(r for r in RULES if r not in truth[faulty.ipp]["anomalies"] and r.startswith("TRAIT-"))
    answers = {
        faulty.id: wrong_rule,  # the anomaly is seen, the rule is wrong: half a point
        clean.id: "anomalie",  # a clean record called faulty: nothing
        pair.id: "non_doublon" if perfect[pair.id] == "doublon" else "doublon",
    }
    correction = training.correct_exercise(db, exercise, answers)
    by_id = {r.item_id: r for r in correction.results}
    assert correction.score == 0.5
    assert by_id[faulty.id].verdict == "partiel"
    rule = RULES[min(truth[faulty.ipp]["anomalies"])]
    assert rule.title in by_id[faulty.id].expected_label and rule.fix in by_id[faulty.id].explanation
    assert by_id[clean.id].verdict == "faux" and by_id[clean.id].expected_label == "Conforme"
    assert by_id[pair.id].verdict == "faux"
    kind = truth[pair.b["ipp"]]["kind"] or truth[pair.a["ipp"]]["kind"]
    assert training.PAIR_KINDS[kind] in by_id[pair.id].explanation
    assert sum(r.verdict == "sans_reponse" for r in correction.results) == 17
    assert correction.summary().startswith("Score : 0,5 / 20")


def test_a_real_extraction_is_refused_with_a_french_message(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "export.csv"
    path.write_text("ipp;nom_naissance;premier_prenom;date_naissance;sexe\n1;A;B;01/01/1990;M\n", "utf-8")
    extraction = import_file(db, path, "CH réel").extraction_id
    with pytest.raises(IvoError, match="n'est pas une démonstration"):
        training.create_exercise(db, extraction)
    with pytest.raises(IvoError, match="Taille d'exercice invalide"):
        training.create_exercise(db, extraction, size=1)


def test_wrong_answers_and_another_database_are_refused(db, demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    exercise = training.create_exercise(db, demo, size=6, seed=1)
    with pytest.raises(IvoError, match="invalide pour P1"):
        training.correct_exercise(db, exercise, {"P1": "conforme"})
    with pytest.raises(IvoError, match="question inconnue"):
        training.correct_exercise(db, exercise, {"Z9": "conforme"})
    from ivo_app.store.db import open_database

    other = open_database(f"sqlite:///{tmp_path / 'other.sqlite'}")
    with pytest.raises(IvoError, match="n'est pas dans cette base"):
        training.correct_exercise(other, exercise, {})
    other.dispose()


def test_the_exercise_in_progress_is_kept_per_facility(db, demo) -> None:  # type: ignore[no-untyped-def]
    assert training.load_current(db, demo) is None
    exercise = training.create_exercise(db, demo, size=6, seed=9)
    training.save_current(db, exercise, {"I1": "conforme"})
    kept = training.load_current(db, demo)
    assert kept is not None and kept[0] == exercise and kept[1] == {"I1": "conforme"}
    newer = create_demo(db, size=200, seed=3, facility=exercise.facility, extracted_on=DAY).extraction_id
    assert training.load_current(db, newer) is None  # it belongs to the other extraction


def test_cli_exercise_then_correction(db, db_url: str, demo, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    ex_path, blank = tmp_path / "exercice.json", tmp_path / "reponses.json"
    code = main(["formation", "exercice", "--db", db_url, "--taille", "10", "--seed", "4", "--out", str(ex_path),
                 "--reponses", str(blank)])  # fmt: skip
    assert code == 0
    assert "10 questions" in capsys.readouterr().out
    exercise, _ = training.read_exercise(ex_path)
    template = json.loads(blank.read_text(encoding="utf-8"))
    assert set(template["reponses"]) == set(exercise.item_ids)
    answers = right_answers(db, exercise)
    first_identity = exercise.identities[0].id
    answers[first_identity] = "anomalie" if answers[first_identity] == "conforme" else "conforme"
    template["reponses"] = answers
    blank.write_text(json.dumps(template), encoding="utf-8")

    assert main(["formation", "corriger", "--db", db_url, str(ex_path), str(blank)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Score : 9 / 10 (90 %)")
    assert f"{first_identity} [faux]" in out and "attendu :" in out

    assert main(["formation", "corriger", "--db", db_url, str(ex_path), str(blank), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["score"] == 9 and len(data["items"]) == 10

    blank.write_text(json.dumps({"reponses": {"P1": "peut-être"}}), encoding="utf-8")
    assert main(["formation", "corriger", "--db", db_url, str(ex_path), str(blank)]) == 2
    assert "« peut-être » invalide" in capsys.readouterr().err


def test_cli_on_a_real_extraction_says_why(db, db_url: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "export.csv"
    path.write_text("ipp;nom_naissance;premier_prenom;date_naissance;sexe\n1;A;B;01/01/1990;M\n", "utf-8")
    import_file(db, path, "CH réel")
    code = main(["formation", "exercice", "--db", db_url, "--out", str(tmp_path / "e.json")])
    assert code == 2
    assert "n'est pas une démonstration" in capsys.readouterr().err
    assert not (tmp_path / "e.json").exists()
