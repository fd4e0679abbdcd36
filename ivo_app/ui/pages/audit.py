"""Audit IVO3: the four steps as a guided workflow. The questionnaire form is generated from the
audit's grid; the record sample is drawn, then checked record by record, trait by trait."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from ivo_app.audit.grid import ANSWER_LABELS, ANSWERS
from ivo_app.audit.results import SAMPLE_TRAITS
from ivo_app.errors import IvoError
from ivo_app.services import audit
from ivo_app.services.extractions import list_extractions
from ivo_app.ui.state import AppState

NO_ANSWER = "—"


class AuditPage(QWidget):
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
        self.bars = {step: QProgressBar() for step in audit.STEPS}
        steps = QHBoxLayout()
        for step, bar in self.bars.items():
            bar.setFormat(f"{audit.STEP_LABELS[step]} — %p %")
            steps.addWidget(bar)
        self.questions = QTableWidget(0, 4)
        self.questions.setHorizontalHeaderLabels(["Question", "Intitulé", "Référence", "Réponse"])
        self.questions.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.sample = QTableWidget(0, 2 + len(SAMPLE_TRAITS))
        self.sample.setHorizontalHeaderLabels(["IPP", "Statut", *SAMPLE_TRAITS.values()])
        self.sample.itemChanged.connect(self._sample_checked)
        draw = QPushButton("Tirer l'échantillon…")
        draw.clicked.connect(self.draw)
        sample_tab = QWidget()
        sample_layout = QVBoxLayout(sample_tab)
        sample_layout.addWidget(draw)
        sample_layout.addWidget(self.sample)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.questions, "1. Questionnaire")
        self.tabs.addTab(sample_tab, "3. Échantillon de fiches")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Audit IVO3</h2>"))
        layout.addLayout(top)
        layout.addWidget(self.score)
        layout.addLayout(steps)
        layout.addWidget(self.tabs, 1)
        state.data_changed.connect(self.refresh_list)
        self.refresh_list()

    def refresh_list(self) -> None:
        current = self.audit_id
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for audit_id, facility, _title, started in audit.list_audits(self.state.db):
            self.chooser.addItem(f"n° {audit_id} — {facility} ({started or ''})", audit_id)
        self.chooser.blockSignals(False)
        if self.chooser.count():
            index = self.chooser.findData(current) if current else self.chooser.count() - 1
            self.chooser.setCurrentIndex(max(index, 0))
            self.load(self.chooser.currentData())

    def create(self) -> None:
        facilities = sorted({e.facility for e in list_extractions(self.state.db)})
        if not facilities:
            QMessageBox.information(self, "IVO", "Importez d'abord la table d'identités de l'établissement.")
            return
        facility, ok = QInputDialog.getItem(self, "Nouvel audit", "Établissement :", facilities, 0, False)
        if ok:
            self.audit_id = audit.create_audit(self.state.db, facility)
            self.refresh_list()

    def load(self, audit_id: int | None) -> None:
        self.audit_id = audit_id
        if audit_id is None:
            return
        view = audit.get_audit(self.state.db, audit_id)
        score = view.score()
        self.score.setText(
            f"{view.facility} — score global {('—' if score.score is None else f'{100 * score.score:.1f} %')}"
            f" ({score.level})"
        )
        for step, value in view.progress().items():
            self.bars[step].setValue(round(100 * value))
        answers = view.of("answer")
        self.questions.setRowCount(len(view.grid.questions))
        self.combos: dict[str, QComboBox] = {}
        for row, q in enumerate(view.grid.questions):
            for col, text in enumerate((q.id, q.text + (" (critique)" if q.critical else ""), q.reference)):
                self.questions.setItem(row, col, QTableWidgetItem(text))
            combo = QComboBox()
            combo.addItem(NO_ANSWER, None)
            for code in ANSWERS:
                combo.addItem(ANSWER_LABELS[code], code)
            combo.setCurrentIndex(max(0, combo.findData(answers.get(q.id, {}).get("answer"))))
            combo.currentIndexChanged.connect(
                lambda _=0, qid=q.id, c=combo: self.answer(qid, c.currentData())
            )
            self.questions.setCellWidget(row, 3, combo)
            self.combos[q.id] = combo
        self._fill_sample(view)

    def propose(self) -> None:
        if self.audit_id is None:
            return
        count = audit.propose(self.state.db, self.audit_id)
        QMessageBox.information(
            self, "IVO", f"{count} constats proposés à partir des données (à relire dans le livrable)."
        )
        self.load(self.audit_id)

    def answer(self, question_id: str, code: str | None) -> None:
        if self.audit_id is None or code is None:
            return
        audit.set_answer(self.state.db, self.audit_id, question_id, code)
        view = audit.get_audit(self.state.db, self.audit_id)
        score = view.score()
        self.score.setText(
            f"{view.facility} — score global {('—' if score.score is None else f'{100 * score.score:.1f} %')}"
            f" ({score.level})"
        )
        self.bars["questionnaire"].setValue(round(100 * view.progress()["questionnaire"]))

    def draw(self) -> None:
        if self.audit_id is None:
            return
        size, ok = QInputDialog.getInt(self, "Échantillon", "Nombre de fiches :", 30, 1, 2000)
        if not ok:
            return
        try:
            audit.draw_sample(self.state.db, self.audit_id, size)
        except IvoError as exc:
            QMessageBox.warning(self, "IVO", exc.message)
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
