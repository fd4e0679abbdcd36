"""Formation: a trainee answers an exercise drawn from a demo facility, then sees the correction.

Everything but the widgets lives in services/training.py (the same exercises as `ivo formation`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from ivo_app.errors import IvoError
from ivo_app.services import training
from ivo_app.ui import compare
from ivo_app.ui.models import Index, ListTableModel
from ivo_app.ui.state import AppState
from ivo_app.ui.tasks import run_task

VERDICT_COLOURS = {"juste": "#c8e6c9", "partiel": "#fff3c4", "faux": "#ffcdd2", "sans_reponse": "#eeeeee"}
RESULT_COLUMN = 3


class ExerciseModel(ListTableModel):
    """The questions of the exercise, the trainee's answers and, once corrected, the verdicts."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(["Question", "Type", "Votre réponse", "Résultat"], parent=parent)
        self.verdicts: list[str | None] = []

    def show(
        self,
        exercise: training.Exercise | None,
        answers: training.Answers,
        correction: training.Correction | None,
    ) -> None:
        rows: list[list[Any]] = []
        self.verdicts = []
        results = {r.item_id: r for r in correction.results} if correction else {}
        if exercise is not None:
            items = [(q.id, "Identité") for q in exercise.identities] + [
                (q.id, "Paire") for q in exercise.pairs
            ]
            for item_id, kind in items:
                result = results.get(item_id)
                verdict = result.verdict if result else None
                rows.append(
                    [
                        item_id,
                        kind,
                        training.answer_short(answers.get(item_id)),
                        training.VERDICTS[verdict] if verdict else "",
                    ]
                )
                self.verdicts.append(verdict)
        self.set_rows(rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.BackgroundRole
            and index.isValid()
            and index.column() == RESULT_COLUMN
            and 0 <= index.row() < len(self.verdicts)
        ):
            verdict = self.verdicts[index.row()]
            return QBrush(QColor(VERDICT_COLOURS[verdict])) if verdict else None
        return super().data(index, role)


class TrainingPage(QWidget):
    title = "Formation"

    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.exercise: training.Exercise | None = None
        self.answers: training.Answers = {}
        self.correction: training.Correction | None = None

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.demo_link = QLabel(
            "<a href='demo'>Créer un établissement de démonstration…</a> "
            "(taille et graine : la même graine redonne les mêmes identités)"
        )
        self.demo_link.linkActivated.connect(self.create_demo)
        self.size_box = QSpinBox()
        self.size_box.setRange(training.MIN_SIZE, training.MAX_SIZE)
        self.size_box.setValue(20)
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, 10**9)
        self.seed_box.setValue(1)
        self.new_button = QPushButton("Nouvel exercice")
        self.open_button = QPushButton("Ouvrir…")
        self.save_button = QPushButton("Enregistrer…")
        self.correct_button = QPushButton("Corriger")
        self.new_button.clicked.connect(self.new_exercise)
        self.open_button.clicked.connect(self._open)
        self.save_button.clicked.connect(self._save)
        self.correct_button.clicked.connect(self.correct)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Questions :"))
        controls.addWidget(self.size_box)
        controls.addWidget(QLabel("Graine :"))
        controls.addWidget(self.seed_box)
        for button in (self.new_button, self.open_button, self.save_button, self.correct_button):
            controls.addWidget(button)
        controls.addStretch()

        self.model = ExerciseModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(False)
        self.table.selectionModel().selectionChanged.connect(self._show_item)
        self.traits = QTableWidget(len(training.TRAITS), 1)
        self.traits.setVerticalHeaderLabels([label for _, label in training.TRAITS])
        self.traits.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.traits.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.question = QLabel()
        self.answer = QComboBox()
        self.answer.currentIndexChanged.connect(self._answered)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)  # traits may hold markup: never rendered
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.question)
        right_layout.addWidget(self.traits, 1)
        right_layout.addWidget(self.answer)
        right_layout.addWidget(self.explanation)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(right)
        splitter.setSizes([420, 780])
        self.score = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Formation</h2>"))
        layout.addWidget(self.status)
        layout.addWidget(self.demo_link)
        layout.addLayout(controls)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.score)
        state.database_changed.connect(self._database_changed)
        state.extraction_changed.connect(lambda _: self.refresh())
        state.data_changed.connect(self.refresh)
        self.refresh()

    # State -------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reopen the exercise kept for the current extraction, or say what is possible here."""
        self.demo_ok = False
        kept = None
        if self.state.extraction_id is None:
            self.status.setText("Aucune extraction : créez d'abord un établissement de démonstration.")
        else:
            try:
                extraction = training.demo_extraction(self.state.db, self.state.extraction_id)
            except IvoError as exc:
                self.status.setText(exc.message)
            else:
                self.demo_ok = True
                self.status.setText(
                    f"Démonstration n° {extraction.id} ({extraction.facility.name}) : choisissez le nombre de "
                    "questions et la graine, puis « Nouvel exercice ». Pour chaque identité, répondez "
                    "« conforme » ou l'anomalie (la règle) ; pour chaque paire, « doublon » ou « non-doublon »."
                )
                kept = training.load_current(self.state.db, extraction.id)
        if kept is None and (
            self.exercise is None or self.exercise.extraction_id != self.state.extraction_id
        ):
            self._set_exercise(None, {})
        elif kept is not None and kept[0] != self.exercise:
            self._set_exercise(*kept)
        self.new_button.setEnabled(self.demo_ok)

    def _database_changed(self, _url: str) -> None:
        self._set_exercise(None, {})  # an exercise belongs to the base it was drawn from

    def _set_exercise(self, exercise: training.Exercise | None, answers: training.Answers) -> None:
        self.exercise, self.answers, self.correction = exercise, dict(answers), None
        self._show_list()
        if exercise is not None and self.model.rowCount():
            self.table.selectRow(0)
        else:
            self._show_item()

    def _show_list(self) -> None:
        selected = self._current_row()
        self.model.show(self.exercise, self.answers, self.correction)
        if selected is not None and selected < self.model.rowCount():
            self.table.selectionModel().blockSignals(True)
            self.table.selectRow(selected)
            self.table.selectionModel().blockSignals(False)
        for button in (self.save_button, self.correct_button):
            button.setEnabled(self.exercise is not None)
        if self.correction is not None:
            self.score.setText(self.correction.summary())
        elif self.exercise is not None:
            answered = sum(1 for i in self.exercise.item_ids if self.answers.get(i))
            self.score.setText(f"{answered} réponses sur {self.exercise.size} questions.")
        else:
            self.score.setText("")

    def _current_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _current_item(self) -> training.IdentityQuestion | training.PairQuestion | None:
        row = self._current_row()
        if self.exercise is None or row is None:
            return None
        items: list[training.IdentityQuestion | training.PairQuestion] = [
            *self.exercise.identities,
            *self.exercise.pairs,
        ]
        return items[row] if row < len(items) else None

    # One question ------------------------------------------------------------------------------
    def _show_item(self, *_: Any) -> None:
        item = self._current_item()
        self.answer.blockSignals(True)
        self.answer.clear()
        self.traits.clearContents()
        if item is None:
            self.question.setText("")
            self.explanation.setText("")
            self.answer.setEnabled(False)
            self.answer.blockSignals(False)
            return
        if isinstance(item, training.IdentityQuestion):
            self.question.setText(f"<b>{item.id}</b> — cette identité est-elle conforme au RNIV ?")
            columns = [item.traits]
            choices = training.identity_choices()
        else:
            self.question.setText(f"<b>{item.id}</b> — ces deux dossiers désignent-ils la même personne ?")
            columns = [item.a, item.b]
            choices = training.pair_choices()
        self.traits.setColumnCount(len(columns))
        self.traits.setHorizontalHeaderLabels(
            ["Identité"] if len(columns) == 1 else ["Dossier A", "Dossier B"]
        )
        compare.fill(self.traits, [[value for _, value in training.trait_rows(traits)] for traits in columns])
        self.answer.addItem("(choisir une réponse)", None)
        for value, label in choices:
            self.answer.addItem(label, value)
        current = self.answers.get(item.id)
        self.answer.setCurrentIndex(max(0, self.answer.findData(current)) if current else 0)
        self.answer.setEnabled(True)
        self.answer.blockSignals(False)
        self._show_explanation(item.id)

    def _show_explanation(self, item_id: str) -> None:
        result = (
            next((r for r in self.correction.results if r.item_id == item_id), None)
            if self.correction
            else None
        )
        if result is None:
            self.explanation.setText("")
            return
        self.explanation.setText(
            f"{training.VERDICTS[result.verdict]} — votre réponse : {result.answer_label}\n"
            f"Réponse attendue : {result.expected_label}\n{result.explanation}"
        )

    def _answered(self, *_: Any) -> None:
        item = self._current_item()
        if item is None or self.exercise is None:
            return
        value = self.answer.currentData()
        if value:
            self.answers[item.id] = value
        else:
            self.answers.pop(item.id, None)
        self.correction = None  # a changed answer needs a new correction
        self.explanation.setText("")
        training.save_current(self.state.db, self.exercise, self.answers)
        self._show_list()

    # Actions -----------------------------------------------------------------------------------
    def create_demo(self, *_: Any) -> None:
        """The demo facility is created where it always is: the extractions page (size, seed)."""
        extractions = getattr(self.window(), "extractions", None)
        if extractions is not None:
            extractions.create_demo()

    def new_exercise(self) -> None:
        if not self.demo_ok or self.state.extraction_id is None:
            return
        self.worker = run_task(
            self,
            "Tirage de l'exercice",
            training.create_exercise,
            self.state.db,
            self.state.extraction_id,
            self.size_box.value(),
            self.seed_box.value(),
            on_done=self._created,
        )

    def _created(self, exercise: training.Exercise) -> None:
        training.save_current(self.state.db, exercise, {})
        self._set_exercise(exercise, {})

    def correct(self) -> None:
        if self.exercise is None:
            return
        try:
            self.correction = training.correct_exercise(self.state.db, self.exercise, self.answers)
        except IvoError as exc:
            QMessageBox.warning(self, "IVO", exc.message)
            return
        self._show_list()
        item = self._current_item()
        if item is not None:
            self._show_explanation(item.id)

    def save_to(self, path: Path) -> None:
        if self.exercise is not None:
            training.write_exercise(path, self.exercise, self.answers)

    def open_from(self, path: Path) -> None:
        exercise, answers = training.read_exercise(path)
        self._set_exercise(exercise, answers)

    def _save(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Enregistrer l'exercice", "exercice.json", "JSON (*.json)"
        )
        if name:
            try:
                self.save_to(Path(name))
            except IvoError as exc:
                QMessageBox.warning(self, "IVO", exc.message)

    def _open(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Ouvrir un exercice", "", "JSON (*.json)")
        if name:
            try:
                self.open_from(Path(name))
            except IvoError as exc:
                QMessageBox.warning(self, "IVO", exc.message)
