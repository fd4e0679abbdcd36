"""Audit IVO3: the four steps as a guided workflow. The questionnaire form is generated from the
audit's grid; the record sample is drawn, then checked record by record, trait by trait; documents,
on-site observations, wristbands, interviews, findings, recommendations and the action plan are
edited in forms (`ui.audit_items`) that save through `services.audit`, as `ivo audit answers` does."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from ivo_app.audit.grid import ANSWER_LABELS, ANSWERS
from ivo_app.audit.items import ItemError, parse_day
from ivo_app.audit.report.french import day, pct, plural
from ivo_app.audit.results import OBSERVATION_ITEMS, SAMPLE_TRAITS, WRISTBAND_ITEMS
from ivo_app.errors import IvoError
from ivo_app.labels import format_date
from ivo_app.services import audit
from ivo_app.services.extractions import list_extractions
from ivo_app.ui import dialogs, file_actions
from ivo_app.ui.audit_items import Field, ItemEditor, choice
from ivo_app.ui.feedback import notify
from ivo_app.ui.pages.base import Page
from ivo_app.ui.state import AppState

NO_ANSWER = "—"
STATE_LABELS = {"a_faire": "à faire", "en_cours": "en cours", "termine": "terminée"}
SEVERITY_CHOICES = (("critique", "critique"), ("majeur", "majeur"), ("mineur", "mineur"))
# What each form edits: the keys are those of the answers file (docs/audit-format.md) and the report.
ITEM_FIELDS: dict[str, list[Field]] = {
    "document": [
        Field("name", "Document"),
        Field("present", "Présent", "bool"),
        Field("version", "Version"),
        Field("date", "Date"),
        Field("conformity", "Conformité au RNIV", "choice", choice(ANSWER_LABELS)),
        Field("comment", "Commentaire", "long"),
        Field("file", "Fichier examiné", "file"),
    ],
    "observation": [
        Field("poste", "Poste d'accueil"),
        *(Field(k, label, "bool") for k, label in OBSERVATION_ITEMS.items()),
    ],
    "wristband": [
        Field("unite", "Unité de soins"),
        *(Field(k, label, "bool") for k, label in WRISTBAND_ITEMS.items()),
    ],
    "interview": [Field("theme", "Thème"), Field("note", "Notes", "long")],
    "finding": [
        Field("severity", "Sévérité", "choice", SEVERITY_CHOICES),
        Field("theme", "Thème"),
        Field("text", "Constat", "long"),
        Field("reference", "Référence RNIV / HAS"),
    ],
    "recommendation": [
        Field("text", "Recommandation", "long"),
        Field("theme", "Thème"),
        Field("priority", "Priorité"),
    ],
    "action": [
        Field("action", "Action", "long"),
        Field("owner", "Responsable"),
        Field("due", "Échéance"),
        Field("priority", "Priorité"),
    ],
}
HINTS = {
    "document": "Étape 2 : pour chaque document, présence, version, date, conformité ; le fichier examiné est "
    "enregistré avec son empreinte SHA-256.",
    "observation": "Une ligne par admission observée : « — » pour un point non observé.",
    "wristband": "Une ligne par patient vérifié dans les unités de soins.",
    "finding": "Les constats proposés à partir des données se relisent, se corrigent ou se suppriment ici.",
}


class AuditPage(Page):
    title = "Audit IVO3"

    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.audit_id: int | None = None
        self.chooser = QComboBox()
        self.chooser.currentIndexChanged.connect(lambda _: self.load(self.chooser.currentData()))
        new = QPushButton("Nouvel audit…")
        new.clicked.connect(self.create)
        propose = QPushButton("Proposer les constats")
        propose.clicked.connect(self.propose)
        top = QHBoxLayout()
        for w in (QLabel("Audit :"), self.chooser, new, propose):
            top.addWidget(w)
        top.addStretch()
        self.score = QLabel()
        self.score.setWordWrap(True)  # it names the themes critical questions cap: never wider than the page
        self.bars = {step: QProgressBar() for step in audit.STEPS}
        steps = QHBoxLayout()
        for step, bar in self.bars.items():
            bar.setFormat(f"{audit.STEP_LABELS[step]} — %p %")
            steps.addWidget(bar)
        # Column 3 is the facility's self-assessment, column 6 the auditor's own assessment: both are
        # kept, and the deliverable compares them.
        self.questions = QTableWidget(0, 7)
        self.questions.setHorizontalHeaderLabels(
            [
                "Question",
                "Intitulé",
                "Référence",
                "Auto-évaluation",
                "Commentaire",
                "Preuve",
                "Évaluation auditeur",
            ]
        )
        header = self.questions.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (0, 3, 6):  # the code and both assessments: never narrower than their header
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.questions.itemChanged.connect(self._note_changed)
        self.sample = QTableWidget(0, 2 + len(SAMPLE_TRAITS))
        self.sample.setHorizontalHeaderLabels(["IPP", "Statut", *SAMPLE_TRAITS.values()])
        self.sample.itemChanged.connect(self._sample_checked)
        draw = QPushButton("Tirer l'échantillon…")
        draw.clicked.connect(self.draw)
        sample_tab = QWidget()
        sample_layout = QVBoxLayout(sample_tab)
        sample_layout.addWidget(draw)
        sample_layout.addWidget(self.sample)
        self.editors = {
            kind: ItemEditor(
                fields,
                save=partial(self.save_item, kind),
                remove=partial(self.remove_item, kind),
                changed=lambda: self.load(self.audit_id),
                choose_file=lambda: self.choose_document_file(),  # late-bound: tests replace it
                key_field="name" if kind == "document" else None,
                hint=HINTS.get(kind, ""),
            )
            for kind, fields in ITEM_FIELDS.items()
        }
        # One level of tabs: the four IVO3 steps in order, each of their parts a tab of its own (no
        # tab widget inside a tab); a step's number opens its first part, its tooltip names the step.
        # All ten fit 1280 pixels without scroll arrows (tests/gui/test_layout_1280.py).
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        parts: list[tuple[QWidget, str, str]] = [
            (self._header_tab(), "En-tête", "En-tête de l'audit et état des étapes"),
            (self.questions, "1. Questionnaire", "Étape 1 : questionnaire d'évaluation"),
            (self.editors["document"], "2. Documents", "Étape 2 : étude de documents"),
            (self.editors["observation"], "3. Accueils", "Étape 3 : observations aux accueils"),
            (self.editors["wristband"], "Bracelets", "Étape 3 : bracelets d'identification"),
            (self.editors["interview"], "Entretiens", "Étape 3 : entretiens"),
            (sample_tab, "Échantillon", "Étape 3 : échantillon de fiches"),
            (self.editors["finding"], "4. Constats", "Étape 4 : constats"),
            (self.editors["recommendation"], "Recommandations", "Étape 4 : recommandations"),
            (self.editors["action"], "Plan d'action", "Étape 4 : plan d'action"),
        ]
        for widget, label, tooltip in parts:
            index = self.tabs.addTab(widget, label)
            self.tabs.setTabToolTip(index, tooltip)
        self.tabs.setCurrentIndex(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Audit IVO3</h2>"))
        layout.addLayout(top)
        layout.addWidget(self.score)
        layout.addLayout(steps)
        layout.addWidget(self.tabs, 1)
        state.data_changed.connect(self.refresh_list)
        state.audits_changed.connect(self.refresh_list)  # an audit created elsewhere (answers file, tools)
        self.refresh_list()

    def _header_tab(self) -> QWidget:
        self.auditors = QLineEdit()
        self.auditors.setPlaceholderText("Noms séparés par des points-virgules")
        self.scope = QLineEdit()
        self.started_on = QLineEdit()
        self.ended_on = QLineEdit()
        for box in (self.started_on, self.ended_on):
            box.setPlaceholderText("JJ/MM/AAAA")
        self.save_header_button = QPushButton("Enregistrer l'en-tête et le contexte")
        self.save_header_button.clicked.connect(self.save_header)
        self.step_states: dict[str, QComboBox] = {}
        form = QFormLayout()
        form.addRow("Auditeurs :", self.auditors)
        form.addRow("Périmètre :", self.scope)
        form.addRow("Début de l'audit :", self.started_on)
        form.addRow("Fin de l'audit :", self.ended_on)
        for step in audit.STEPS:
            combo = QComboBox()
            for code, label in STATE_LABELS.items():
                combo.addItem(label, code)
            combo.currentIndexChanged.connect(
                lambda _=0, st=step, c=combo: self.set_step(st, c.currentData())
            )
            self.step_states[step] = combo
            form.addRow(f"État — {audit.STEP_LABELS[step]} :", combo)
        # The deliverable's context (what `context` holds in an answers file), typed here: one entry
        # per line for the lists, « Nom ; Fonction ; Date » per signatory.
        self.context_edits: dict[str, QLineEdit | QPlainTextEdit] = {}
        context = QFormLayout()
        for key, label in audit.CONTEXT_FIELDS.items():
            edit: QLineEdit | QPlainTextEdit
            if key == "version":
                edit = QLineEdit()
                edit.setPlaceholderText("1.0")
            else:
                edit = QPlainTextEdit()
                edit.setTabChangesFocus(True)
                edit.setFixedHeight(54)
                if key == "signatures":
                    edit.setPlaceholderText("Nom ; Fonction ; JJ/MM/AAAA (un signataire par ligne)")
                elif key in audit.LIST_CONTEXT:
                    edit.setPlaceholderText("Une entrée par ligne")
            self.context_edits[key] = edit
            context.addRow(f"{label} :", edit)
        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(QLabel("<b>En-tête et état des étapes</b>"))
        left.addLayout(form)
        left.addStretch()
        right = QVBoxLayout()
        right.addWidget(QLabel("<b>Contexte du livrable</b>"))
        right.addLayout(context)
        columns.addLayout(left, 2)
        columns.addLayout(right, 3)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.addLayout(columns)
        layout.addWidget(self.save_header_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch()
        scroll = QScrollArea()  # ten context fields: the tab scrolls vertically on a 720-pixel screen
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(inner)
        return scroll

    def refresh_list(self) -> None:
        current = self.audit_id
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for audit_id, facility, _title, started in audit.list_audits(self.state.db):
            self.chooser.addItem(f"n° {audit_id} — {facility} ({day(started)})", audit_id)
        self.chooser.blockSignals(False)
        if self.chooser.count():
            index = self.chooser.findData(current) if current else self.chooser.count() - 1
            self.chooser.setCurrentIndex(max(index, 0))
            self.load(self.chooser.currentData())
        for bar in self.bars.values():  # no audit: no empty progress bars, a sentence instead
            bar.setVisible(self.chooser.count() > 0)
        if not self.chooser.count():
            self.score.setText("Aucun audit pour l'instant : « Nouvel audit… » pour en commencer un.")

    def show_audit(self, audit_id: int, tab: int | None = None) -> None:
        """Show one audit (chosen elsewhere: the Rapport page), optionally on one of its tabs."""
        if self.chooser.findData(audit_id) < 0:
            self.refresh_list()
        index = self.chooser.findData(audit_id)
        if index >= 0:
            self.chooser.setCurrentIndex(index)
        if tab is not None:
            self.tabs.setCurrentIndex(tab)

    def create(self) -> None:  # type: ignore[override]  # the page's « Nouvel audit… », not QWidget.create
        facilities = sorted({e.facility for e in list_extractions(self.state.db)})
        if not facilities:
            QMessageBox.information(self, "IVO", "Importez d'abord la table d'identités de l'établissement.")
            return
        facility = dialogs.ask_item(self, "Nouvel audit", "Établissement :", facilities)
        if facility:
            self.audit_id = audit.create_audit(self.state.db, facility)
            self.refresh_list()
            self.state.audits_changed.emit()

    def load(self, audit_id: int | None) -> None:
        self.audit_id = audit_id
        if audit_id is None:
            return
        view = audit.get_audit(self.state.db, audit_id)
        self._show_score(view)
        for step, value in view.progress().items():
            self.bars[step].setValue(round(100 * value))
        answers = view.of("answer")
        self.questions.blockSignals(True)
        self.questions.setRowCount(len(view.grid.questions))
        self.combos: dict[str, QComboBox] = {}
        self.auditor_combos: dict[str, QComboBox] = {}
        self.question_rows: dict[str, int] = {}
        for row, q in enumerate(view.grid.questions):
            self.question_rows[q.id] = row
            for col, text in enumerate((q.id, q.text + (" (critique)" if q.critical else ""), q.reference)):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.questions.setItem(row, col, item)
            for col, name in ((4, "comment"), (5, "evidence")):  # free text the auditor types in the cell
                item = QTableWidgetItem(answers.get(q.id, {}).get(name) or "")
                item.setData(Qt.ItemDataRole.UserRole, q.id)
                self.questions.setItem(row, col, item)
            # The facility's answer (column 3) and the auditor's assessment (column 6): the same choice.
            given = answers.get(q.id, {})
            self.combos[q.id] = self._answer_box(row, 3, given.get("answer"), q.id, self.answer)
            self.auditor_combos[q.id] = self._answer_box(row, 6, given.get("auditor"), q.id, self.assess)
        self.questions.blockSignals(False)
        self._fill_sample(view)
        for kind, editor in self.editors.items():
            editor.set_items(view.of(kind))
        self.auditors.setText("; ".join(view.auditors))
        self.scope.setText(view.scope or "")
        self.started_on.setText(f"{view.started_on:%d/%m/%Y}" if view.started_on else "")
        self.ended_on.setText(f"{view.ended_on:%d/%m/%Y}" if view.ended_on else "")
        for key, edit in self.context_edits.items():
            context: Any = view.context.get(key)
            if key == "signatures":
                shown = "\n".join(_signature_line(v) for v in context or [])
            elif isinstance(context, list):
                shown = "\n".join(str(v) for v in context)
            else:
                shown = str(context or "")
            if isinstance(edit, QLineEdit):
                edit.setText(shown)
            else:
                edit.setPlainText(shown)
        for step, combo in self.step_states.items():
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(view.steps.get(step, "a_faire"))))
            combo.blockSignals(False)

    def propose(self) -> None:
        if self.audit_id is None:
            return
        count = audit.propose(self.state.db, self.audit_id)
        QMessageBox.information(
            self, "IVO", f"{count} constats proposés à partir des données (à relire dans le livrable)."
        )
        self.load(self.audit_id)

    def _answer_box(
        self,
        row: int,
        col: int,
        current: str | None,
        question_id: str,
        on_change: Callable[[str, str | None], None],
    ) -> QComboBox:
        """A question's choice of answer in its cell; choosing one calls `on_change(question, code)`."""
        box = QComboBox()
        box.addItem(NO_ANSWER, None)
        for code in ANSWERS:
            box.addItem(ANSWER_LABELS[code], code)
        box.setCurrentIndex(max(0, box.findData(current)))
        box.currentIndexChanged.connect(lambda _=0: on_change(question_id, box.currentData()))
        self.questions.setCellWidget(row, col, box)
        return box

    def answer(self, question_id: str, code: str | None) -> None:
        if self.audit_id is None or code is None:
            return
        row = self.question_rows[question_id]
        comment, evidence = (_cell_text(self.questions.item(row, col)) for col in (4, 5))
        audit.set_answer(self.state.db, self.audit_id, question_id, code, comment, evidence)
        view = audit.get_audit(self.state.db, self.audit_id)
        self._show_score(view)
        self.bars["questionnaire"].setValue(round(100 * view.progress()["questionnaire"]))

    def assess(self, question_id: str, code: str | None) -> None:
        """The auditor's own assessment of a question, recorded beside the self-assessment."""
        if self.audit_id is None:
            return
        audit.set_auditor_answer(self.state.db, self.audit_id, question_id, code)
        self._show_score(audit.get_audit(self.state.db, self.audit_id))

    def _show_score(self, view: audit.AuditView) -> None:
        score = view.score()
        # A critical question caps its theme whatever the other answers: say so even on a draft.
        caps = [f"{t.title} plafonné à « {'insuffisant' if t.critical_failures else 'en progrès'} »"
                for t in score.capped_themes]  # fmt: skip
        self.score.setText(
            f"{view.facility} — score global {pct(score.score)} ({score.level} ; "
            f"{plural(score.answered, 'question renseignée', 'questions renseignées')} sur {score.total})"
            + (" — " + " ; ".join(caps) if caps else "")
        )

    def _note_changed(self, item: QTableWidgetItem) -> None:
        """A comment or an evidence reference typed in the questionnaire: saved with the answer."""
        question_id = item.data(Qt.ItemDataRole.UserRole)
        if not question_id or item.column() not in (4, 5):
            return
        code = self.combos[question_id].currentData()
        if code is None:
            if item.text().strip():
                self.warn("Choisissez d'abord une réponse à cette question.")
            return
        self.answer(question_id, code)

    def draw(self) -> None:
        if self.audit_id is None:
            return
        size = dialogs.ask_int(self, "Échantillon", "Nombre de fiches :", 30, 1, 2000)
        if size is None:
            return
        try:
            audit.draw_sample(self.state.db, self.audit_id, size)
        except IvoError as exc:
            dialogs.warn(self, exc.message)
        self.load(self.audit_id)

    def _fill_sample(self, view: Any) -> None:
        self.sample.blockSignals(True)
        samples = sorted(view.of("sample").items())
        self.sample.setRowCount(len(samples))
        for row, (ipp, data) in enumerate(samples):
            self.sample.setItem(row, 0, QTableWidgetItem(ipp))
            self.sample.setItem(row, 1, QTableWidgetItem(data.get("stratum", "")))
            for col, trait in enumerate(SAMPLE_TRAITS, start=2):
                item = QTableWidgetItem("conforme")
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                value = data.get("traits", {}).get(trait)
                item.setCheckState(Qt.CheckState.Checked if value is not False else Qt.CheckState.Unchecked)
                item.setData(Qt.ItemDataRole.UserRole, (ipp, trait))
                self.sample.setItem(row, col, item)
        self.sample.blockSignals(False)

    def _sample_checked(self, item: QTableWidgetItem) -> None:
        key = item.data(Qt.ItemDataRole.UserRole)
        if self.audit_id is None or not key:
            return
        ipp, trait = key
        audit.record_sample_check(
            self.state.db, self.audit_id, ipp, trait, item.checkState() == Qt.CheckState.Checked
        )

    # --- documents, on-site items, deliverable: through services.audit, as the answers file -----------

    def save_item(self, kind: str, key: str | None, data: dict[str, Any]) -> str | None:
        if self.audit_id is None:
            self.warn("Créez ou choisissez d'abord un audit.")
            return None
        try:
            saved = audit.save_item(self.state.db, self.audit_id, kind, data, key)
        except IvoError as exc:
            self.warn(exc.message)
            return None
        notify(self, f"Enregistré dans l'audit n° {self.audit_id}.")
        return saved

    def remove_item(self, kind: str, key: str) -> bool:
        if self.audit_id is None or not self.confirm(f"Supprimer « {key} » de l'audit ?"):
            return False
        try:
            audit.remove_item(self.state.db, self.audit_id, kind, key)
        except IvoError as exc:
            self.warn(exc.message)
            return False
        return True

    def save_header(self) -> None:
        if self.audit_id is None:
            return
        try:
            context = self.context_values()
            audit.set_header(
                self.state.db,
                self.audit_id,
                auditors=self.auditors.text().split(";"),
                scope=self.scope.text(),
                started_on=self.started_on.text(),
                ended_on=self.ended_on.text(),
            )
            audit.set_context(self.state.db, self.audit_id, context)
        except IvoError as exc:
            self.warn(exc.message)
            return
        self.load(self.audit_id)
        notify(self, f"En-tête et contexte de l'audit n° {self.audit_id} enregistrés.")

    def context_values(self) -> dict[str, Any]:
        """The context as the answers file gives it; a signatory line that is not « Nom ; Fonction ;
        Date » is refused (IvoError) before anything is saved."""
        values: dict[str, Any] = {}
        for key, edit in self.context_edits.items():
            text = edit.text() if isinstance(edit, QLineEdit) else edit.toPlainText()
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            if key == "signatures":
                values[key] = [_signature(line) for line in lines]
            elif key in audit.LIST_CONTEXT:
                values[key] = lines
            else:
                values[key] = text.strip() or None
        return values

    def set_step(self, step: str, state: str) -> None:
        if self.audit_id is not None:
            audit.set_step(self.state.db, self.audit_id, step, state)

    # --- dialogs (overridable in tests) -----------------------------------------------------------

    def choose_document_file(self) -> Path | None:
        return file_actions.ask_open_path(self, "Document examiné", "Tous les fichiers (*)")

    def confirm(self, question: str) -> bool:
        return dialogs.ask_yes_no(self, question)

    def warn(self, message: str) -> None:
        dialogs.warn(self, message)


def _signature(line: str) -> dict[str, str]:
    parts = [p.strip() for p in line.split(";")]
    if len(parts) > 3 or not parts[0]:
        raise IvoError(f"Signataire « {line} » : attendu « Nom ; Fonction ; JJ/MM/AAAA ».")
    parts += [""] * (3 - len(parts))
    try:
        signed = parse_day(parts[2], f"Signataire « {parts[0]} »")
    except ItemError as exc:
        raise IvoError(str(exc)) from exc
    return {"name": parts[0], "role": parts[1], "date": signed.isoformat() if signed else ""}


def _signature_line(value: Any) -> str:
    if isinstance(value, dict):
        signed = format_date(value["date"]) if value.get("date") else ""
        return " ; ".join((str(value.get("name") or ""), str(value.get("role") or ""), signed)).rstrip(" ;")
    return str(value)


def _cell_text(item: QTableWidgetItem | None) -> str | None:
    return (item.text().strip() or None) if item is not None else None
