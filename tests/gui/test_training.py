"""The Formation page driven with real widgets: draw an exercise, answer, correct, read the explanations."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from ivo_app.rules.catalogue import RULES
from ivo_app.services import training
from ivo_app.services.demo import load_truth
from ivo_app.services.imports import import_file
from ivo_app.ui.pages.training import ExerciseModel, TrainingPage
from ivo_app.ui.state import AppState


def training_page(window) -> TrainingPage:  # type: ignore[no-untyped-def]
    row, page = next((r, p) for r, p in enumerate(window.pages) if isinstance(p, TrainingPage))
    window.nav.setCurrentRow(row)
    assert window.stack.currentWidget() is page
    return page


def draw(qtbot, page: TrainingPage, size: int, seed: int) -> training.Exercise:  # type: ignore[no-untyped-def]
    page.size_box.setValue(size)
    page.seed_box.setValue(seed)
    before = page.exercise
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.exercise is not None and page.exercise is not before, timeout=60_000)
    assert page.exercise is not None
    return page.exercise


def answer(page: TrainingPage, row: int, value: str) -> None:
    page.table.selectRow(row)
    index = page.answer.findData(value)
    assert index > 0, value
    page.answer.setCurrentIndex(index)


def test_draw_answer_and_correct_an_exercise(window, demo_db, qtbot) -> None:  # type: ignore[no-untyped-def]
    page = training_page(window)
    assert page.new_button.isEnabled() and "Démonstration" in page.status.text()
    exercise = draw(qtbot, page, size=10, seed=4)
    assert page.model.rowCount() == 10
    truth = load_truth(demo_db, exercise.extraction_id)
    items = [*exercise.identities, *exercise.pairs]
    right: list[str] = []
    for q in exercise.identities:
        right.append(min(truth[q.ipp]["anomalies"]) if truth[q.ipp]["anomalies"] else "conforme")
    for p in exercise.pairs:
        same = truth[p.a["ipp"]]["person_key"] == truth[p.b["ipp"]]["person_key"]
        collision = truth[p.a["ipp"]]["kind"] in training.COLLISION_KINDS
        right.append("doublon" if same else "collision" if collision else "non_doublon")
    # the first identity answered wrongly, the first pair too, the others rightly
    first_pair = len(exercise.identities)
    for row, value in enumerate(right):
        if row == 0:
            value = "anomalie" if value == "conforme" else "conforme"
        elif row == first_pair:
            value = "non_doublon" if value == "doublon" else "doublon"
        answer(page, row, value)
    assert page.score.text() == "10 réponses sur 10 questions."
    assert page.model.index(1, 2).data() == training.answer_short(right[1])

    qtbot.mouseClick(page.correct_button, Qt.MouseButton.LeftButton)
    assert page.score.text().startswith("Score : 8 / 10 (80,0 %)")
    verdicts = [page.model.index(row, 3).data() for row in range(10)]
    assert verdicts[0] == "Faux" and verdicts[first_pair] == "Faux" and verdicts.count("Juste") == 8
    assert page.model.index(0, 3).data(Qt.ItemDataRole.BackgroundRole) is not None

    faulty = next(r for r, q in enumerate(exercise.identities) if truth[q.ipp]["anomalies"])
    page.table.selectRow(faulty)
    rule = RULES[right[faulty]]
    text = page.explanation.text()
    assert rule.title in text and rule.fix in text and "Réponse attendue" in text
    assert page.traits.item(0, 0).text() == items[faulty].ipp  # type: ignore[union-attr]

    pair = exercise.pairs[0]
    page.table.selectRow(first_pair)
    kind = truth[pair.b["ipp"]]["kind"] or truth[pair.a["ipp"]]["kind"]
    assert page.explanation.text().startswith("Faux")
    assert training.PAIR_KINDS[kind] in page.explanation.text()
    assert page.traits.columnCount() == 2 and page.traits.item(0, 1).text() == pair.b["ipp"]  # type: ignore[union-attr]

    # Corrected once: the answers are frozen, "Corriger" cannot be pressed again (5/10 became 10/10).
    assert not page.correct_button.isEnabled() and not page.answer.isEnabled()
    page.table.selectRow(0)
    assert not page.answer.isEnabled()
    qtbot.mouseClick(page.correct_button, Qt.MouseButton.LeftButton)
    assert page.score.text().startswith("Score : 8 / 10")
    # and reopening the window brings the correction back, still frozen
    from ivo_app.ui.app import build_window

    again = build_window(demo_db.url)
    qtbot.addWidget(again)
    kept = next(p for p in again.pages if isinstance(p, TrainingPage))
    assert kept.corrected and kept.correction is not None and not kept.correct_button.isEnabled()


def test_the_exercise_in_progress_comes_back_with_its_answers(window, demo_db, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ivo_app.ui.app import build_window

    page = training_page(window)
    exercise = draw(qtbot, page, size=6, seed=2)
    answer(page, 0, "conforme")
    again = build_window(demo_db.url)
    qtbot.addWidget(again)
    kept = next(p for p in again.pages if isinstance(p, TrainingPage))
    assert kept.exercise == exercise and kept.answers == {exercise.item_ids[0]: "conforme"}
    assert kept.model.index(0, 2).data() == "Conforme"
    path = tmp_path / "exercice.json"
    page.save_to(path)
    _, answers = training.read_exercise(path)
    assert answers == {exercise.item_ids[0]: "conforme"}


def test_the_exercise_model_is_valid(qtmodeltester, demo_db) -> None:  # type: ignore[no-untyped-def]
    exercise = training.create_exercise(demo_db, None, size=8, seed=1)
    answers = {exercise.item_ids[0]: "conforme", exercise.item_ids[-1]: "doublon"}
    model = ExerciseModel()
    model.show(exercise, answers, training.correct_exercise(demo_db, exercise, answers))
    assert model.rowCount() == 8 and model.columnCount() == 4
    qtmodeltester.check(model)


def test_a_real_extraction_gets_a_french_message_and_a_link_to_the_demo(qtbot, db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "export.csv"
    path.write_text("ipp;nom_naissance;premier_prenom;date_naissance;sexe\n1;A;B;01/01/1990;M\n", "utf-8")
    state = AppState(db)
    state.extraction_id = import_file(db, path, "CH réel").extraction_id
    page = TrainingPage(state)
    qtbot.addWidget(page)
    assert "n'est pas une démonstration" in page.status.text()
    assert not page.new_button.isEnabled() and page.exercise is None


def test_a_demo_created_from_formation_asks_before_switching_the_window(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The trainer keeps the facility shown unless they say so; the status bar says what happened."""
    from ivo_app.services.extractions import list_extractions
    from tests.gui.dialogs import Script, click, type_in

    page = training_page(window)
    shown = window.state.extraction_id
    before = {e.id for e in list_extractions(window.state.db)}
    script = Script(type_in("150"), type_in("7"), click(QMessageBox.StandardButton.No))
    qtbot.mouseClick(page.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Démonstration créée" in window.statusBar().currentMessage() or bool(script.unexpected),
                    timeout=120_000)  # fmt: skip
    assert script.unexpected == [], (script.unexpected, script.messages)
    (created,) = {e.id for e in list_extractions(window.state.db)} - before
    assert script.messages[-1].startswith(f"La démonstration est créée (extraction n° {created})")
    assert window.state.extraction_id == shown  # nothing switched behind the trainer's back
    assert f"reste sur l'extraction n° {shown}" in window.statusBar().currentMessage()
    assert window.context.facility.findText("Démonstration (graine 7)") >= 0  # listed, to choose later

    script.then(type_in("150"), type_in("8"), click(QMessageBox.StandardButton.Yes))
    qtbot.mouseClick(page.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "affiche maintenant" in window.statusBar().currentMessage(), timeout=120_000)
    script.stop()
    newest = max(e.id for e in list_extractions(window.state.db))
    assert window.state.extraction_id == newest and page.demo_ok  # asked, then switched
    assert script.unexpected == []


def test_opening_another_base_clears_the_exercise(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ivo_app.services.demo import create_demo
    from ivo_app.store.db import open_database

    page = training_page(window)
    exercise = draw(qtbot, page, size=4, seed=1)
    other = open_database(f"sqlite:///{tmp_path / 'autre.sqlite'}")
    assert create_demo(other, size=200, seed=5).extraction_id == exercise.extraction_id  # same number
    window.state.reopen(other)
    assert page.exercise is None and page.model.rowCount() == 0
    assert page.new_button.isEnabled()


def test_a_desk_scenario_is_shown_and_answered_with_a_status(window, demo_db, qtbot) -> None:  # type: ignore[no-untyped-def]
    page = training_page(window)
    page.scenarios_box.setValue(2)
    exercise = draw(qtbot, page, size=4, seed=3)
    assert [q.id for q in exercise.scenarios] == ["S1", "S2"]
    row = exercise.item_ids.index("S1")
    assert page.model.index(row, 1).data() == "Scénario"
    page.table.selectRow(row)
    assert page.traits.verticalHeaderItem(0).text() == "Patient"  # type: ignore[union-attr]
    assert page.traits.item(0, 0).text() == exercise.scenarios[0].facts["patient"]  # type: ignore[union-attr]
    answer(page, row, "QUAL+HOMONYME")
    assert page.answers["S1"] == "QUAL+HOMONYME"
    page.table.selectRow(0)  # back to an identity: its traits again
    assert page.traits.verticalHeaderItem(0).text() == "IPP"  # type: ignore[union-attr]
    qtbot.mouseClick(page.correct_button, Qt.MouseButton.LeftButton)
    page.table.selectRow(row)
    assert "RNIV" in page.explanation.text()
