"""Trainer mode: exercises drawn from a demo facility, scored against a key (service and CLI)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from ivo_app.cli import main
from ivo_app.demo.generator import DemoConfig, generate
from ivo_app.errors import IvoError
from ivo_app.io.cog import load_reference
from ivo_app.rules.catalogue import RULES
from ivo_app.services import training
from ivo_app.services.demo import create_demo, load_truth
from ivo_app.services.imports import import_file
from ivo_app.store.uow import UnitOfWork

DAY = date(2026, 6, 1)


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    return create_demo(db, size=600, seed=2, extracted_on=DAY).extraction_id


def right_answers(db, exercise: training.Exercise) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What a perfect trainee answers, read from the generator's truth."""
    truth = load_truth(db, exercise.extraction_id)
    answers = {}
    for q in exercise.identities:
        anomalies = truth[q.ipp]["anomalies"]
        answers[q.id] = min(anomalies) if anomalies else "conforme"
    for p in exercise.pairs:
        ta, tb = truth[p.a["ipp"]], truth[p.b["ipp"]]
        if ta["person_key"] == tb["person_key"]:
            answers[p.id] = "doublon"
        elif ta["kind"] in training.COLLISION_KINDS:
            answers[p.id] = "collision"
        else:
            answers[p.id] = "non_doublon"
    return answers


def pdf_text(path_or_bytes: Path | bytes) -> str:
    import io

    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(source).pages).split())


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
    q = exercise.identities[0]
    assert q.traits["ipp"] == q.ipp and q.traits["birth_name"]


def test_the_exercise_file_holds_the_questions_not_the_answers_nor_their_source(
    db, demo, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    exercise = training.create_exercise(db, demo, size=10, seed=1)
    path = tmp_path / "exercice.json"
    training.write_exercise(path, exercise)
    text = path.read_text(encoding="utf-8")
    for leak in ("person_key", "anomalies", "doublon", "graine", "seed", "source", "démonstration ("):
        assert leak not in text, leak
    back, answers = training.read_exercise(path)
    assert back == exercise and answers == {}


def test_a_session_key_cannot_be_rebuilt_from_the_exercise_file(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The demo drawn with a secret seed, the exercise with another: regenerating demos from the
    seeds a trainee would try gives none of the exercise's records."""
    extraction = create_demo(db, size=500, seed=None, extracted_on=DAY).extraction_id
    _info, exercise = training.create_session(db, "Accueil", ["Ana", "Bruno"], extraction, size=12)
    path = tmp_path / "exercice.json"
    training.write_exercise(path, exercise)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {"format", "version", "extraction_id", "facility", "fingerprint", "size", "level",
                         "created_at", "identities", "pairs", "session_token", "scenarios"}  # fmt: skip
    shown = {(q.ipp, q.traits["birth_name"]) for q in exercise.identities}
    cog = load_reference()
    for seed in range(1, 31):
        rebuilt = {(r.ipp, r.fields["nom_naissance"]) for r in generate(DemoConfig(500, seed, DAY), cog)}
        assert not shown & rebuilt, seed
    # the key is in the base, in the session's row, and the trainee's file cannot correct itself
    with pytest.raises(IvoError, match="appartient à une session"):
        training.correct_exercise(db, exercise, {})


def test_scoring_teaches_with_the_items_own_message_reference_and_action(db, demo) -> None:  # type: ignore[no-untyped-def]
    exercise = training.create_exercise(db, demo, size=30, seed=3)
    perfect = right_answers(db, exercise)
    correction = training.correct_exercise(db, exercise, perfect)
    assert correction.score == 30 and correction.percent == 100
    assert all(r.verdict == "juste" for r in correction.results)

    truth = load_truth(db, demo)
    key = training.build_key(db, exercise)
    faulty = next(q for q in exercise.identities if truth[q.ipp]["anomalies"])
    clean = [q for q in exercise.identities if not truth[q.ipp]["anomalies"]]
    pair = exercise.pairs[0]
    wrong_rule = next(r for r in RULES if r not in truth[faulty.ipp]["anomalies"] and r.startswith("TRAIT-"))
    answers = {
        faulty.id: wrong_rule,  # the anomaly is seen, the rule is wrong: half a point
        clean[0].id: "anomalie",  # a clean record called faulty: nothing
        pair.id: "non_doublon" if perfect[pair.id] == "doublon" else "doublon",
    }
    correction = training.correct_exercise(db, exercise, answers)
    by_id = {r.item_id: r for r in correction.results}
    assert correction.score == 0.5
    assert by_id[faulty.id].verdict == "partiel"
    finding = key[faulty.id]["findings"][0]
    rule = RULES[finding["rule"]]
    explanation = by_id[faulty.id].explanation
    assert rule.title in by_id[faulty.id].expected_label
    assert finding["message"] in explanation  # the item's own message, with its values
    assert rule.reference in explanation and rule.fix in explanation
    assert all(training.TRAIT_LABELS[f] in explanation for f in finding["fields"])  # the traits at fault
    assert by_id[clean[0].id].verdict == "faux" and by_id[clean[0].id].expected_label == "Conforme"
    # "conforme" explained for this identity: its own status and birthplace, by name
    notes = [by_id[q.id].explanation for q in clean]
    assert len(set(notes)) == len(notes)
    assert any(
        training.place_label(q.traits["birthplace"]).split("— ")[-1] in by_id[q.id].explanation for q in clean
    )
    assert by_id[pair.id].verdict == "faux"
    assert sum(r.verdict == "sans_reponse" for r in correction.results) == 27
    assert correction.summary().startswith("Score : 0,5 / 30 (1,7 %)")


def test_the_collision_correction_names_the_collision_procedure(db) -> None:  # type: ignore[no-untyped-def]
    extraction = create_demo(db, size=3000, seed=5, extracted_on=DAY).extraction_id
    with UnitOfWork(db) as uow:  # the exercise's steps, in one transaction as create_exercise runs them
        pool = training._pool(uow, extraction)
        collisions = [p for p in pool.lookalikes if pool.kinds[p] == "enfant_nir_parent"]
        assert collisions
        a, b = collisions[0]
        traits = training._traits(uow, extraction, [a, b])
    exercise = training.create_exercise(db, extraction, size=4, seed=1)
    exercise.identities, exercise.pairs = [], [training.PairQuestion("P1", traits[a], traits[b])]
    for answer, verdict in (("collision", "juste"), ("non_doublon", "partiel"), ("doublon", "faux")):
        result = training.correct_exercise(db, exercise, {"P1": answer}).results[0]
        assert result.verdict == verdict, answer
        assert result.expected_label.startswith("Collision")
        text = result.explanation
        # the RNIV collision procedure, not the homonym advice
        assert "procédure de collision" in text
        assert "retirer le matricule INS" in text and "rétrograder le statut" in text
        assert "nouvel appel au téléservice INSi" in text and "événement indésirable" in text
        assert "poser l'attribut HOMONYME" not in text


def test_a_warning_rule_answered_conforme_gets_half_a_point(db, demo) -> None:  # type: ignore[no-untyped-def]
    """31/12 births are real: TRAIT-DATE-COMPLETEE is a warning, "conforme" is not all wrong."""
    truth = load_truth(db, demo)
    with UnitOfWork(db) as uow:
        pool = training._pool(uow, demo)
        warned = next(ipp for ipp, rules in pool.faulty.items() if rules == {"TRAIT-DATE-COMPLETEE"})
        assert truth[warned]["anomalies"] == {"TRAIT-DATE-COMPLETEE"}
        erroneous = next(ipp for ipp, rules in pool.faulty.items() if rules == {"INS-CLE"})
        traits = training._traits(uow, demo, [warned, erroneous])
    exercise = training.create_exercise(db, demo, size=4, seed=1)
    exercise.pairs = []
    exercise.identities = [
        training.IdentityQuestion("I1", traits[warned]),
        training.IdentityQuestion("I2", traits[erroneous]),
    ]
    results = training.correct_exercise(db, exercise, {"I1": "conforme", "I2": "conforme"}).results
    assert (results[0].verdict, results[0].points) == ("partiel", 0.5)
    assert "Règle d'alerte" in results[0].explanation
    assert (results[1].verdict, results[1].points) == ("faux", 0.0)  # an error stays an error


def test_labels_not_codes_for_documents_birthplaces_and_statuses() -> None:
    rows = dict(
        training.trait_rows(
            {
                "document_type": "CN",
                "birthplace": "31555",
                "status": "QUAL",
                "ins_oid": "1.2.250.1.213.1.4.11",
            }
        )
    )
    assert rows["Justificatif"] == "CN — Carte nationale d'identité"
    assert rows["Lieu de naissance"] == "31555 — Toulouse (31)"
    assert rows["Statut"].startswith("QUAL — Identité qualifiée")
    assert "démonstration" in rows["OID du matricule"]
    assert training.place_label("99350") == "99350 — Maroc"
    assert "AV" not in training.DOCUMENT_LABELS  # debated (see demo.generator.DOCUMENTS): never asked


def test_answers_are_read_tolerantly_and_refused_with_a_reason(db, demo) -> None:  # type: ignore[no-untyped-def]
    exercise = training.create_exercise(db, demo, size=6, seed=1)
    i1, p1 = exercise.identities[0].id, exercise.pairs[0].id
    for typed, canonical in (("Conforme", "conforme"), (" CONFORME ", "conforme"), ("Anomalie", "anomalie"),
                             ("ins-cle", "INS-CLE"), ("Trait_Date", "TRAIT-DATE")):  # fmt: skip
        assert training.check_answers(exercise, {i1: typed}) == {i1: canonical}
    for typed, canonical in (("Non-doublon", "non_doublon"), ("NON DOUBLON", "non_doublon"),
                             ("Doublon", "doublon"), ("Collision", "collision"), ("même personne", "doublon")):  # fmt: skip
        assert training.check_answers(exercise, {p1: typed}) == {p1: canonical}
    with pytest.raises(IvoError, match="invalide pour P1"):
        training.correct_exercise(db, exercise, {"P1": "conforme"})
    with pytest.raises(IvoError, match="question inconnue"):
        training.correct_exercise(db, exercise, {"Z9": "conforme"})
    from ivo_app.store.db import open_database

    other = open_database(f"sqlite:///{Path(str(db.engine.url.database)).parent / 'other.sqlite'}")
    with pytest.raises(IvoError, match="n'est pas dans cette base"):
        training.correct_exercise(other, exercise, {})
    other.dispose()


def test_a_real_extraction_is_refused_with_a_french_message(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "export.csv"
    path.write_text("ipp;nom_naissance;premier_prenom;date_naissance;sexe\n1;A;B;01/01/1990;M\n", "utf-8")
    extraction = import_file(db, path, "CH réel").extraction_id
    with pytest.raises(IvoError, match="n'est pas une démonstration"):
        training.create_exercise(db, extraction)
    with pytest.raises(IvoError, match="Taille d'exercice invalide"):
        training.create_exercise(db, extraction, size=1)
    with pytest.raises(
        IvoError, match="extractions réelles"
    ):  # a demo never disables rules of a real facility
        create_demo(db, size=200, seed=1, facility="CH réel")


def test_the_exercise_in_progress_is_kept_per_facility_and_stays_corrected(db, demo) -> None:  # type: ignore[no-untyped-def]
    assert training.load_current(db, demo) is None
    exercise = training.create_exercise(db, demo, size=6, seed=9)
    training.save_current(db, exercise, {"I1": "conforme"})
    kept = training.load_current_state(db, demo)
    assert kept is not None and kept[0] == exercise and kept[1] == {"I1": "conforme"} and not kept[2]
    training.save_current(db, exercise, {"I1": "conforme"}, corrected=True)
    assert training.load_current_state(db, demo)[2]  # type: ignore[index]
    newer = create_demo(db, size=200, seed=3, facility=exercise.facility, extracted_on=DAY).extraction_id
    assert training.load_current(db, newer) is None  # it belongs to the other extraction


def test_levels_draw_from_their_themes(db, demo) -> None:  # type: ignore[no-untyped-def]
    exercise = training.create_exercise(db, demo, size=30, seed=2, level="accueil")
    key = training.build_key(db, exercise)
    assert {k["theme"] for k in key.values()} <= set(training.LEVELS["accueil"][1])
    with pytest.raises(IvoError, match="Niveau inconnu"):
        training.create_exercise(db, demo, size=10, level="expert")


def test_cli_exercise_then_correction(db, db_url: str, demo, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    ex_path, blank, pdf = tmp_path / "exercice.json", tmp_path / "reponses.json", tmp_path / "exercice.pdf"
    code = main(["formation", "--db", db_url, "exercice", "--taille", "10", "--graine", "4", "--sortie", str(ex_path),
                 "--reponses", str(blank), "--pdf", str(pdf)])  # fmt: skip
    assert code == 0
    assert "10 questions" in capsys.readouterr().out
    exercise, _ = training.read_exercise(ex_path)
    assert exercise.identities[0].traits["birth_name"] in pdf_text(pdf)
    template = json.loads(blank.read_text(encoding="utf-8"))
    assert set(template["reponses"]) == set(exercise.item_ids)
    answers = right_answers(db, exercise)
    first_identity = exercise.identities[0].id
    answers[first_identity] = "anomalie" if answers[first_identity] == "conforme" else "Conforme"
    template["reponses"] = {k: v.upper() if k.startswith("P") else v for k, v in answers.items()}
    blank.write_text(json.dumps(template), encoding="utf-8")

    assert main(["formation", "corriger", str(ex_path), str(blank), "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Score : 9 / 10 (90,0 %)")
    assert f"{first_identity} [faux]" in out and "attendu :" in out

    assert main(["formation", "corriger", "--db", db_url, str(ex_path), str(blank), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["score"] == 9 and len(data["items"]) == 10

    blank.write_text(json.dumps({"reponses": {"P1": "peut-être"}}), encoding="utf-8")
    assert main(["formation", "corriger", "--db", db_url, str(ex_path), str(blank)]) == 2
    assert "« peut-être » invalide" in capsys.readouterr().err


def test_a_twelve_trainee_session_end_to_end_from_the_command_line(
    db, db_url: str, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    create_demo(db, size=1500, seed=None, extracted_on=DAY)
    names = [f"Stagiaire {n:02d}" for n in range(1, 13)]
    folder = tmp_path / "session"
    assert main(["formation", "session", "--db", db_url, "--titre", "Accueil du 3 décembre", "--stagiaires",
                 ";".join(names), "--taille", "20", "--dossier", str(folder)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "12 stagiaires" in out and "clé scellée" in out
    session_id = training.list_sessions(db)[0].id
    exercise, _ = training.read_exercise(folder / "exercice.json")
    assert exercise.session_token and len(list(folder.glob("reponses-*.json"))) == 12
    grids = pdf_text(folder / "grilles.pdf")
    assert all(name in grids for name in names) and "collision" in grids
    assert exercise.pairs[0].id in pdf_text(folder / "exercice.pdf")

    perfect = right_answers(db, exercise)
    for n, sheet in enumerate(sorted(folder.glob("reponses-*.json"))):
        data = json.loads(sheet.read_text(encoding="utf-8"))
        wrong = exercise.item_ids[:n]  # trainee n gets n answers wrong
        data["reponses"] = {
            i: ("anomalie" if perfect[i] == "conforme" else "conforme") if i.startswith("I") and i in wrong
            else ("doublon" if perfect[i] != "doublon" else "non_doublon") if i in wrong
            else perfect[i]
            for i in exercise.item_ids
        }  # fmt: skip
        sheet.write_text(json.dumps(data), encoding="utf-8")
    sheets = [str(p) for p in sorted(folder.glob("reponses-*.json"))]
    assert main(["formation", "remettre", str(session_id), *sheets[:11], "--db", db_url]) == 0
    assert main(["formation", "remettre", str(session_id), sheets[0], "--db", db_url]) == 2  # once only
    assert "déjà remis" in capsys.readouterr().err
    assert main(["formation", "resultats", str(session_id), "--db", db_url]) == 2  # not corrected yet
    capsys.readouterr()

    pdf = tmp_path / "correction.pdf"
    assert main(["formation", "corriger-session", str(session_id), "--db", db_url, "--pdf", str(pdf),
                 "--format", "json"]) == 0  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    by_name = {t["nom"]: t for t in data["stagiaires"]}
    assert by_name["Stagiaire 01"]["score"] == 20
    assert by_name["Stagiaire 12"]["remis"] is False  # the twelfth did not hand in
    assert all(by_name[f"Stagiaire {n + 1:02d}"]["score"] <= 20 - n + 0.5 * n for n in range(11))
    assert len(data["questions"]) == 20 and data["themes"]
    assert main(["formation", "remettre", str(session_id), sheets[11], "--db", db_url]) == 2  # closed
    assert "déjà corrigée" in capsys.readouterr().err
    text = pdf_text(pdf)
    assert "Correction commentée — Stagiaire 05" in text and "Résultats de la session" in text

    assert main(["formation", "sessions", "--db", db_url]) == 0
    assert "Accueil du 3 décembre — 11/12 remises" in capsys.readouterr().out
    assert main(["formation", "historique", "Stagiaire 01", "--db", db_url]) == 0
    assert "100,0 %" in capsys.readouterr().out


def test_cli_on_a_real_extraction_says_why(db, db_url: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "export.csv"
    path.write_text("ipp;nom_naissance;premier_prenom;date_naissance;sexe\n1;A;B;01/01/1990;M\n", "utf-8")
    import_file(db, path, "CH réel")
    code = main(["formation", "exercice", "--db", db_url, "--sortie", str(tmp_path / "e.json")])
    assert code == 2
    assert "n'est pas une démonstration" in capsys.readouterr().err
    assert not (tmp_path / "e.json").exists()


def test_a_document_at_fault_is_named_by_its_label_in_the_correction(db, demo) -> None:  # type: ignore[no-untyped-def]
    with UnitOfWork(db) as uow:
        pool = training._pool(uow, demo)
        ipp = next(i for i, rules in pool.faulty.items() if rules == {"STATUT-JUSTIF"})
        traits = training._traits(uow, demo, [ipp])[ipp]
    exercise = training.create_exercise(db, demo, size=4, seed=1)
    exercise.pairs, exercise.identities = [], [training.IdentityQuestion("I1", traits)]
    result = training.correct_exercise(db, exercise, {"I1": "conforme"}).results[0]
    label = training.DOCUMENT_LABELS[traits["document_type"]]
    assert f"Justificatif : {traits['document_type']} — {label}" in result.explanation
    assert result.verdict == "faux"  # a document without high trust is an error, not a warning


def test_exercises_from_a_pseudonymised_extraction_of_the_facility(
    db, db_url: str, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    from ivo_app.services.extractions import list_extractions
    from ivo_app.services.pseudonymise import export_pseudonymised

    real = tmp_path / "reel.csv"
    source = create_demo(db, size=400, seed=7, extracted_on=DAY).extraction_id
    export_pseudonymised(db, source, real)
    assert (
        main(["formation", "importer", str(real), "--etablissement", "CH — formation", "--db", db_url]) == 0
    )
    extraction = list_extractions(db)[-1].id
    assert "prête pour la formation" in capsys.readouterr().out
    exercise = training.create_exercise(db, extraction, size=10, seed=1)
    assert len(exercise.identities) == 10 and not exercise.pairs  # nobody knows its duplicates
    key = training.build_key(db, exercise)
    answers = {i: (k["expected"][0] if k["expected"] else "conforme") for i, k in key.items()}
    assert training.correct_exercise(db, exercise, answers).percent == 100
    assert any(k["expected"] for k in key.values()) and any(not k["expected"] for k in key.values())

    # a file that is not pseudonymised is refused, the base left as it was
    before = [e.id for e in list_extractions(db)]
    plain = tmp_path / "export.csv"
    plain.write_text(
        "ipp;nom_naissance;premier_prenom;date_naissance;sexe\n1;DUPONT;JEAN;12/03/1980;M\n", "utf-8"
    )
    with pytest.raises(IvoError, match="n'est pas une extraction pseudonymisée"):
        training.import_pseudonymised(db, plain, "CH réel")
    assert [e.id for e in list_extractions(db)] == before
    from ivo_app.store.models import Facility
    from ivo_app.store.uow import UnitOfWork

    with UnitOfWork(db) as uow:
        assert "CH réel" not in {f.name for f in uow.session.query(Facility)}


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"document": "CN", "insi": "trouve", "context": ""}, "QUAL"),
        ({"document": "PA", "insi": "introuvable", "context": ""}, "VALI"),
        ({"document": "IE", "insi": "different", "context": ""}, "VALI"),  # the INS is not recorded
        ({"document": "PC", "insi": "trouve", "context": ""}, "RECUP"),  # a driving licence is not high-trust
        ({"document": "", "insi": "indisponible", "context": ""}, "PROV"),
        ({"document": "CS", "insi": "trouve", "context": "homonyme"}, "QUAL+HOMONYME"),
        ({"document": "CN", "insi": "trouve", "context": "doute"}, "PROV+DOUTEUSE"),
        ({"document": "", "insi": "trouve", "context": "fictive"}, "PROV+FICTIVE"),
    ],
)
def test_desk_scenarios_follow_the_rniv_statuses(facts: dict[str, str], expected: str) -> None:
    answer, why = training.desk_answer({"patient": "M. JEAN DUPONT", **facts})
    assert answer == expected and why


def test_an_exercise_with_desk_scenarios(db, demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    exercise = training.create_exercise(db, demo, size=10, seed=4, scenarios=4)
    assert [q.id for q in exercise.scenarios] == ["S1", "S2", "S3", "S4"] and exercise.size == 14
    path = tmp_path / "e.json"
    training.write_exercise(path, exercise)
    assert training.read_exercise(path)[0] == exercise
    key = training.build_key(db, exercise)
    answers = right_answers(db, exercise) | {
        q.id: key[q.id]["expected"].lower().replace("+", " + ") for q in exercise.scenarios
    }
    correction = training.correct_exercise(db, exercise, answers)
    assert correction.score == 14  # "qual + homonyme" read as QUAL+HOMONYME
    first = exercise.scenarios[0]
    status = key[first.id]["expected"].split("+")[0]
    wrong_attribute = f"{status}+HOMONYME" if "HOMONYME" not in key[first.id]["expected"] else status
    if wrong_attribute in training.SCENARIO_ANSWERS:
        result = training.correct_exercise(db, exercise, {first.id: wrong_attribute}).results[14 - 4]
        assert (result.item_id, result.verdict) == (first.id, "partiel")
    with pytest.raises(IvoError, match="invalide pour S1"):
        training.correct_exercise(db, exercise, {"S1": "QUAL+FICTIVE"})  # FICTIVE only with PROV
    assert "S1" in pdf_text(training.exercise_pdf(exercise)) and "Patient" in pdf_text(
        training.exercise_pdf(exercise)
    )


def test_an_exercise_file_of_the_previous_version_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "ancien.json"
    old = {"format": "ivo-formation-exercice", "version": 1, "extraction_id": 1, "facility": "Démo",
           "source_file": "demo-graine-7-2000", "size": 0, "seed": 7, "created_at": "2026-06-01T10:00:00",
           "identities": [], "pairs": []}  # fmt: skip
    path.write_text(json.dumps(old), encoding="utf-8")
    with pytest.raises(IvoError, match="version antérieure"):
        training.read_exercise(path)
