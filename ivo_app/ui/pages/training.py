"""Formation: practice on an exercise, or run a session for a group in a locked trainee mode.

Everything but the widgets lives in services/training.py (the same exercises and sessions as
`ivo formation`). Practice: draw, answer, correct once (the answers are then frozen). Session: the
trainer creates it (names, size, level; the key is sealed in the base), then starts the trainee mode:
the other pages, the menus and the shortcuts of the window are out of reach, each trainee picks their
name, answers and hands in once; only the trainer's code leaves the mode. The trainer corrects the
batch and prints the sheets.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from ivo_app.errors import IvoError
from ivo_app.labels import plural
from ivo_app.services import training
from ivo_app.ui import compare, dialogs, file_actions
from ivo_app.ui.models import Index, ListTableModel
from ivo_app.ui.pages.base import Page
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
            items = (
                [(q.id, "Identité") for q in exercise.identities]
                + [(q.id, "Paire") for q in exercise.pairs]
                + [(q.id, "Scénario") for q in exercise.scenarios]
            )
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


class SessionDialog(QDialog):
    """A new session: its title, the trainees (one per line), the number of questions, the level."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Nouvelle session de formation")
        self.title_edit = QLineEdit()
        self.trainees_edit = QPlainTextEdit()
        self.trainees_edit.setPlaceholderText("Un nom par ligne")
        self.size_box = QSpinBox()
        self.size_box.setRange(training.MIN_SIZE, training.MAX_SIZE)
        self.size_box.setValue(20)
        self.level_box = QComboBox()
        for value, (label, _) in training.LEVELS.items():
            self.level_box.addItem(label, value)
        self.level_box.setCurrentIndex(self.level_box.findData(training.DEFAULT_LEVEL))
        self.scenarios_box = QSpinBox()
        self.scenarios_box.setRange(0, training.MAX_SIZE)
        form = QFormLayout(self)
        form.addRow("Titre :", self.title_edit)
        form.addRow("Stagiaires :", self.trainees_edit)
        form.addRow("Questions :", self.size_box)
        form.addRow("Niveau :", self.level_box)
        form.addRow("Scénarios d'accueil :", self.scenarios_box)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def trainees(self) -> list[str]:
        return [line for line in self.trainees_edit.toPlainText().splitlines() if line.strip()]


def _button(text: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.clicked.connect(slot)
    return button


class TrainingPage(Page):
    title = "Formation"
    lock_changed = Signal(bool)  # the trainee mode was entered (True) or left (False)

    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.exercise: training.Exercise | None = None
        self.answers: training.Answers = {}
        self.correction: training.Correction | None = None
        self.corrected = False  # a corrected exercise keeps its answers: no second correction
        self.locked = False
        self.session_id: int | None = None  # the session of the trainee mode
        self.trainee: str | None = None
        self._unlock_code = ""
        self._disabled_actions: list[QAction] = []
        self._hidden_rows: list[int] = []

        self.status = QLabel()
        self.status.setWordWrap(True)
        # A button, not a link: it is reached by Tab and clicked like every other action.
        self.demo_button = _button("Créer un établissement de démonstration…", self.create_demo)
        self.demo_link = QWidget()
        demo_row = QHBoxLayout(self.demo_link)
        demo_row.setContentsMargins(0, 0, 0, 0)
        demo_row.addWidget(self.demo_button)
        demo_row.addWidget(QLabel("taille et graine : la même graine redonne les mêmes identités"), 1)
        self.size_box = QSpinBox()
        self.size_box.setRange(training.MIN_SIZE, training.MAX_SIZE)
        self.size_box.setValue(20)
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, 10**9)
        self.seed_box.setValue(1)
        self.level_box = QComboBox()
        for value, (label, _) in training.LEVELS.items():
            self.level_box.addItem(label, value)
        self.level_box.setCurrentIndex(self.level_box.findData(training.DEFAULT_LEVEL))
        self.scenarios_box = QSpinBox()
        self.scenarios_box.setRange(0, training.MAX_SIZE)
        self.new_button = _button("Nouvel exercice", self.new_exercise)
        self.open_button = _button("Ouvrir…", self._open)
        self.save_button = _button("Enregistrer…", self._save)
        self.correct_button = _button("Corriger", self.correct)
        # The exercise's parameters on one row, its actions on the next: side by side they made the
        # page wider than a 1280-pixel screen.
        self.practice = QWidget()
        rows = QVBoxLayout(self.practice)
        rows.setContentsMargins(0, 0, 0, 0)
        controls, actions = QHBoxLayout(), QHBoxLayout()
        for label, widget in (
            ("Questions :", self.size_box),
            ("Scénarios :", self.scenarios_box),
            ("Graine :", self.seed_box),
            ("Niveau :", self.level_box),
        ):
            controls.addWidget(QLabel(label))
            controls.addWidget(widget)
        for button in (self.new_button, self.open_button, self.save_button, self.correct_button):
            actions.addWidget(button)
        controls.addStretch()
        actions.addStretch()
        rows.addLayout(controls)
        rows.addLayout(actions)

        # Sessions: the trainer's controls, and the trainee's.
        self.session_box = QComboBox()
        self.new_session_button = _button("Nouvelle session…", self.new_session)
        self.lock_button = _button("Mode stagiaire…", self.enter_trainee_mode)
        self.correct_session_button = _button("Corriger la session", self.correct_session)
        self.sheets_button = _button("Fiches PDF…", self.write_sheets)
        self.trainer = QWidget()
        trainer = QHBoxLayout(self.trainer)
        trainer.setContentsMargins(0, 0, 0, 0)
        trainer.addWidget(QLabel("Session :"))
        trainer.addWidget(self.session_box, 1)
        for button in (
            self.new_session_button,
            self.lock_button,
            self.correct_session_button,
            self.sheets_button,
        ):
            trainer.addWidget(button)
        self.start_button = _button("Commencer (choisir son nom)…", self.start_trainee)
        self.submit_button = _button("Remettre mes réponses", self.submit)
        self.unlock_button = _button("Quitter le mode stagiaire…", self.leave_trainee_mode)
        self.trainee_bar = QWidget()
        bar = QHBoxLayout(self.trainee_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        for button in (self.start_button, self.submit_button, self.unlock_button):
            bar.addWidget(button)
        bar.addStretch()
        self.trainee_bar.setVisible(False)

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
        self.results = QPlainTextEdit()
        self.results.setReadOnly(True)
        self.results.setVisible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Formation</h2>"))
        layout.addWidget(self.status)
        layout.addWidget(self.demo_link)
        layout.addWidget(self.practice)
        layout.addWidget(self.trainer)
        layout.addWidget(self.trainee_bar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.results)
        layout.addWidget(self.score)
        state.database_changed.connect(self._database_changed)
        state.extraction_changed.connect(lambda _: self.refresh())
        state.data_changed.connect(self.refresh)
        self.refresh()

    # State -------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reopen the exercise kept for the current extraction, or say what is possible here."""
        if self.locked:
            return  # the trainee mode shows its session only
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
                    "questions, la graine et le niveau, puis « Nouvel exercice » ; ou ouvrez une session pour "
                    "un groupe. Identité : « conforme » ou l'anomalie (la règle) ; paire : « doublon », "
                    "« non-doublon » ou « collision »."
                )
                kept = training.load_current_state(self.state.db, extraction.id)
        if kept is None and (
            self.exercise is None or self.exercise.extraction_id != self.state.extraction_id
        ):
            self._set_exercise(None, {})
        elif kept is not None and kept[0] != self.exercise:
            self._set_exercise(kept[0], kept[1])
            if kept[2]:  # corrected before: the correction comes back, the answers stay frozen
                self._correct_now()
        self.new_button.setEnabled(self.demo_ok)
        self._fill_sessions()

    def _fill_sessions(self) -> None:
        current = self.session_box.currentData()
        self.session_box.clear()
        try:
            sessions = training.list_sessions(self.state.db)
        except IvoError:
            sessions = []
        for s in sessions:
            state = "corrigée" if s.corrected_at else f"{len(s.submitted)}/{len(s.trainees)} remises"
            self.session_box.addItem(f"n° {s.id} — {s.title} ({state})", s.id)
        if current is not None and self.session_box.findData(current) >= 0:
            self.session_box.setCurrentIndex(self.session_box.findData(current))
        has = self.session_box.count() > 0
        for button in (self.lock_button, self.correct_session_button, self.sheets_button):
            button.setEnabled(has)

    def _database_changed(self, _url: str) -> None:
        self._set_exercise(None, {})  # an exercise belongs to the base it was drawn from

    def _set_exercise(self, exercise: training.Exercise | None, answers: training.Answers) -> None:
        self.exercise, self.answers, self.correction = exercise, dict(answers), None
        self.corrected = False
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
        self.save_button.setEnabled(self.exercise is not None)
        self.correct_button.setEnabled(self.exercise is not None and not self.corrected)
        self.submit_button.setEnabled(self.locked and self.exercise is not None)
        self.start_button.setEnabled(self.locked and self.exercise is None)
        if self.correction is not None:
            self.score.setText(self.correction.summary())
        elif self.exercise is not None:
            answered = sum(1 for i in self.exercise.item_ids if self.answers.get(i))
            self.score.setText(f"{plural(answered, 'réponse')} sur {plural(self.exercise.size, 'question')}.")
        else:
            self.score.setText("")

    def _current_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _current_item(
        self,
    ) -> training.IdentityQuestion | training.PairQuestion | training.ScenarioQuestion | None:
        row = self._current_row()
        if self.exercise is None or row is None:
            return None
        items: list[training.IdentityQuestion | training.PairQuestion | training.ScenarioQuestion] = [
            *self.exercise.identities,
            *self.exercise.pairs,
            *self.exercise.scenarios,
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
        if isinstance(item, training.ScenarioQuestion):
            self.question.setText(f"<b>{item.id}</b> — à l'accueil : quel statut, quels attributs ?")
            rows = training.scenario_rows(item.facts)
            self.traits.setRowCount(len(rows))
            self.traits.setColumnCount(1)
            self.traits.setVerticalHeaderLabels([label for label, _ in rows])
            self.traits.setHorizontalHeaderLabels(["Situation"])
            compare.fill(self.traits, [[value for _, value in rows]], first_row_is_id=False)
            self._fill_answers(item.id, training.scenario_choices())
            return
        self.traits.setRowCount(len(training.TRAITS))
        self.traits.setVerticalHeaderLabels([label for _, label in training.TRAITS])
        if isinstance(item, training.IdentityQuestion):
            self.question.setText(f"<b>{item.id}</b> — cette identité est-elle conforme au RNIV ?")
            columns = [item.traits]
            choices = training.identity_choices()
        else:
            self.question.setText(
                f"<b>{item.id}</b> — ces deux dossiers désignent-ils la même personne, deux personnes, "
                "ou deux personnes qui partagent un identifiant ?"
            )
            columns = [item.a, item.b]
            choices = training.pair_choices()
        self.traits.setColumnCount(len(columns))
        self.traits.setHorizontalHeaderLabels(
            ["Identité"] if len(columns) == 1 else ["Dossier A", "Dossier B"]
        )
        compare.fill(self.traits, [[value for _, value in training.trait_rows(traits)] for traits in columns])
        self._fill_answers(item.id, choices)

    def _fill_answers(self, item_id: str, choices: list[tuple[str, str]]) -> None:
        self.answer.addItem("(choisir une réponse)", None)
        for value, label in choices:
            self.answer.addItem(label, value)
        current = self.answers.get(item_id)
        self.answer.setCurrentIndex(max(0, self.answer.findData(current)) if current else 0)
        self.answer.setEnabled(not self.corrected)
        self.answer.blockSignals(False)
        self._show_explanation(item_id)

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
        if item is None or self.exercise is None or self.corrected:
            return
        value = self.answer.currentData()
        if value:
            self.answers[item.id] = value
        else:
            self.answers.pop(item.id, None)
        self.correction = None
        self.explanation.setText("")
        if not self.locked:  # a session's answers stay on screen until handed in
            training.save_current(self.state.db, self.exercise, self.answers)
        self._show_list()

    # Practice ----------------------------------------------------------------------------------
    def create_demo(self, *_: Any) -> None:
        """The demo facility is created where it always is: the extractions page (size, seed)."""
        extractions = getattr(self.window(), "extractions", None)
        if extractions is not None:
            extractions.create_demo()

    def new_exercise(self) -> None:
        if not self.demo_ok or self.state.extraction_id is None or self.locked:
            return
        self.worker = run_task(
            self,
            "Tirage de l'exercice",
            training.create_exercise,
            self.state.db,
            self.state.extraction_id,
            self.size_box.value(),
            self.seed_box.value(),
            level=self.level_box.currentData(),
            scenarios=self.scenarios_box.value(),
            on_done=self._created,
        )

    def _created(self, exercise: training.Exercise) -> None:
        training.save_current(self.state.db, exercise, {})
        self._set_exercise(exercise, {})

    def correct(self) -> None:
        """Correct once: the answers are frozen with their correction (no second try after seeing it)."""
        if self.exercise is None or self.corrected or self.locked:
            return
        if self._correct_now():
            training.save_current(self.state.db, self.exercise, self.answers, corrected=True)

    def _correct_now(self) -> bool:
        assert self.exercise is not None
        try:
            self.correction = training.correct_exercise(self.state.db, self.exercise, self.answers)
        except IvoError as exc:
            dialogs.warn(self, exc.message)
            return False
        self.corrected = True
        self.answer.setEnabled(False)
        self._show_list()
        item = self._current_item()
        if item is not None:
            self._show_explanation(item.id)
        return True

    def save_to(self, path: Path) -> None:
        if self.exercise is not None:
            training.write_exercise(path, self.exercise, self.answers)

    def open_from(self, path: Path) -> None:
        exercise, answers = training.read_exercise(path)
        if exercise.session_token:
            raise IvoError("Cet exercice appartient à une session : ouvrez-le en mode stagiaire.")
        self._set_exercise(exercise, answers)

    def _save(self) -> None:
        path = file_actions.ask_save_path(self, "Enregistrer l'exercice", "JSON (*.json)", "exercice.json")
        if path is not None:
            try:
                self.save_to(path)
            except IvoError as exc:
                dialogs.warn(self, exc.message)

    def _open(self) -> None:
        path = file_actions.ask_open_path(self, "Ouvrir un exercice", "JSON (*.json)")
        if path is not None:
            try:
                self.open_from(path)
            except IvoError as exc:
                dialogs.warn(self, exc.message)

    # Sessions: the trainer ---------------------------------------------------------------------------
    def new_session(self) -> None:
        if not self.demo_ok or self.state.extraction_id is None:
            dialogs.warn(self, "Une session se tire d'une démonstration : choisissez-en une.")
            return
        dialog = SessionDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            info, _ = training.create_session(
                self.state.db,
                dialog.title_edit.text(),
                dialog.trainees(),
                self.state.extraction_id,
                dialog.size_box.value(),
                dialog.level_box.currentData(),
                scenarios=dialog.scenarios_box.value(),
            )
        except IvoError as exc:
            dialogs.warn(self, exc.message)
            return
        self._fill_sessions()
        self.session_box.setCurrentIndex(self.session_box.findData(info.id))
        self.status.setText(
            f"Session n° {info.id} « {info.title} » créée : {len(info.trainees)} stagiaires, {info.size} questions ; "
            "la clé est scellée dans la base. « Mode stagiaire… » pour faire passer l'exercice."
        )

    def correct_session(self) -> None:
        session_id = self.session_box.currentData()
        if session_id is None:
            return
        try:
            results = training.correct_session(self.state.db, session_id)
        except IvoError as exc:
            dialogs.warn(self, exc.message)
            return
        self.last_results = results
        self.results.setPlainText(training.results_text(results))
        self.results.setVisible(True)
        self._fill_sessions()

    def write_sheets(self) -> None:
        """The exercise, the answer grids and, once corrected, the commented correction, as PDF."""
        session_id = self.session_box.currentData()
        if session_id is None:
            return
        folder = file_actions.ask_directory(self, "Dossier des fiches PDF")
        if folder is None:
            return
        try:
            info = training.session_info(self.state.db, session_id)
            exercise = training.session_exercise(self.state.db, session_id)
            out = folder
            training.write_pdf(out / "exercice.pdf", training.exercise_pdf(exercise, info.title))
            training.write_pdf(out / "grilles.pdf", training.answer_grid_pdf(exercise, info.trainees))
            written = ["exercice.pdf", "grilles.pdf"]
            if info.corrected_at is not None:
                results = training.session_results(self.state.db, session_id)
                training.write_pdf(
                    out / "correction.pdf", training.correction_pdf(exercise, results.corrections(), results)
                )
                written.append("correction.pdf")
        except IvoError as exc:
            dialogs.warn(self, exc.message)
            return
        self.status.setText(f"Fiches écrites dans {folder} : {', '.join(written)}.")

    # Sessions: the trainee mode --------------------------------------------------------------------
    def enter_trainee_mode(self) -> None:
        """Lock the window on this page for the selected session; the trainer's code unlocks it."""
        session_id = self.session_box.currentData()
        if session_id is None or self.locked:
            return
        info = training.session_info(self.state.db, session_id)
        if info.corrected_at is not None:
            dialogs.warn(self, f"La session « {info.title} » est déjà corrigée.")
            return
        code = dialogs.ask_text(
            self,
            "Mode stagiaire",
            "Code du formateur (il sera demandé pour quitter le mode stagiaire) :",
            secret=True,
        )
        if not code:
            return
        self._unlock_code = code
        self.session_id = session_id
        self._lock_window(True)
        self._set_exercise(None, {})
        self.status.setText(
            f"Session « {info.title} » : chaque stagiaire choisit son nom, répond, puis remet."
        )

    def _lock_window(self, locked: bool) -> None:
        self.locked = locked
        window = self.window()
        nav = getattr(window, "nav", None)
        if locked:
            if nav is not None:
                pages: list[Page] = getattr(window, "pages", [])  # the main window's (it imports this page)
                mine = next(r for r, p in enumerate(pages) if p is self)
                nav.setCurrentRow(mine)
                self._hidden_rows = [
                    r for r in range(nav.count()) if r != mine and not nav.item(r).isHidden()
                ]
                for r in self._hidden_rows:
                    nav.item(r).setHidden(True)
            # menus and shortcuts (Ctrl+1…9 lead to the other pages): out of reach while locked
            self._disabled_actions = [a for a in window.findChildren(QAction) if a.isEnabled()]
            for action in self._disabled_actions:
                action.setEnabled(False)
            if hasattr(window, "menuBar"):
                window.menuBar().setEnabled(False)
        else:
            if nav is not None:
                for r in self._hidden_rows:
                    nav.item(r).setHidden(False)
            for action in self._disabled_actions:
                action.setEnabled(True)
            if hasattr(window, "menuBar"):
                window.menuBar().setEnabled(True)
            self._hidden_rows, self._disabled_actions = [], []
        for widget in (self.practice, self.trainer, self.demo_link):
            widget.setVisible(not locked)
        self.trainee_bar.setVisible(locked)
        self.results.setVisible(False)
        self.lock_changed.emit(locked)

    def start_trainee(self) -> None:
        if not self.locked or self.session_id is None:
            return
        info = training.session_info(self.state.db, self.session_id)
        waiting = [n for n in info.trainees if n not in info.submitted]
        if not waiting:
            self.status.setText(
                "Tous les stagiaires ont remis leurs réponses : le formateur peut quitter le mode."
            )
            return
        name = dialogs.ask_item(self, "Stagiaire", "Votre nom :", waiting)
        if not name:
            return
        self.trainee = name
        self._set_exercise(training.session_exercise(self.state.db, self.session_id), {})
        self.status.setText(
            f"{name} : répondez à chaque question, puis « Remettre mes réponses » (une seule fois)."
        )

    def submit(self) -> None:
        if not self.locked or self.exercise is None or self.trainee is None or self.session_id is None:
            return
        missing = sum(1 for i in self.exercise.item_ids if not self.answers.get(i))
        question = "Remettre vos réponses ? Elles ne pourront plus être modifiées."
        if missing:
            question = f"{missing} questions sans réponse. " + question
        if not dialogs.ask_yes_no(self, question, "Remettre les réponses"):
            return
        try:
            count = training.submit_answers(self.state.db, self.session_id, self.trainee, self.answers)
        except IvoError as exc:
            dialogs.warn(self, exc.message)
            return
        name, self.trainee = self.trainee, None
        self._set_exercise(None, {})  # the next trainee never sees these answers
        self.status.setText(
            f"{name} : {plural(count, 'réponse remise', 'réponses remises')}. Stagiaire suivant : « Commencer »."
        )

    def leave_trainee_mode(self) -> None:
        if not self.locked:
            return
        code = dialogs.ask_text(self, "Quitter le mode stagiaire", "Code du formateur :", secret=True)
        if code is None:
            return
        if code != self._unlock_code:
            dialogs.warn(self, "Code incorrect : le mode stagiaire reste actif.")
            return
        self.session_id, self.trainee, self._unlock_code = None, None, ""
        self._lock_window(False)
        self._set_exercise(None, {})
        self.refresh()
