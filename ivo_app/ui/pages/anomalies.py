"""Anomalies: counts per rule and severity, the rule's explanation, drill down to the identities."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from ivo_app.rules.catalogue import RULES
from ivo_app.services.checks import findings_summary, list_findings
from ivo_app.services.exports import export_findings
from ivo_app.ui import file_actions
from ivo_app.ui.models import ListTableModel
from ivo_app.ui.state import AppState


class AnomaliesPage(QWidget):
    title = "Anomalies"

    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.rules = ListTableModel(["Règle", "Intitulé", "Nombre"])
        self.rule_table = QTableView()
        self.rule_table.setModel(self.rules)
        self.rule_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rule_table.selectionModel().selectionChanged.connect(self._rule_selected)
        self.help = QLabel()
        self.help.setWordWrap(True)
        self.help.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.findings = ListTableModel(["IPP", "Sévérité", "Message"])
        self.finding_table = QTableView()
        self.finding_table.setModel(self.findings)
        self.finding_table.horizontalHeader().setStretchLastSection(True)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.help)
        right_layout.addWidget(self.finding_table)
        splitter = QSplitter()
        splitter.addWidget(self.rule_table)
        splitter.addWidget(right)
        self.status = QLabel()
        self.export_button = QPushButton("Exporter les anomalies…")
        self.export_button.clicked.connect(self.export)
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Anomalies</h2>"))
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        state.extraction_changed.connect(lambda _: self.refresh())
        state.data_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.rule_ids: list[str] = []
        if self.state.extraction_id is None:
            self.rules.set_rows([])
            return
        summary = findings_summary(self.state.db, self.state.extraction_id)
        if not summary["checked"]:
            self.status.setText("Vérification non lancée pour cette extraction.")
        else:
            sev = ", ".join(f"{k} : {v}" for k, v in summary["by_severity"].items())
            self.status.setText(f"{summary['total']} anomalies — {sev}")
        self.rule_ids = list(summary["by_rule"])
        self.rules.set_rows([[r, RULES[r].title, n] for r, n in summary["by_rule"].items()])
        self.findings.set_rows([])
        self.help.setText("")

    def _rule_selected(self, *_: Any) -> None:
        rows = self.rule_table.selectionModel().selectedRows()
        if not rows or self.state.extraction_id is None:
            return
        rule = RULES[self.rule_ids[rows[0].row()]]
        self.help.setText(
            f"<b>{rule.id} — {escape(rule.title)}</b> (sévérité par défaut : {rule.severity})<br>{escape(rule.explanation)}"
            f"<br><i>Corriger :</i> {escape(rule.fix)}<br><i>Référence :</i> {escape(rule.reference)}"
        )
        views = list_findings(self.state.db, self.state.extraction_id, rule=rule.id, limit=2000)
        self.findings.set_rows([[v.ipp or "(extraction)", v.severity, v.message] for v in views])

    def export(self) -> None:
        if self.state.extraction_id is None:
            return
        file_actions.save_with(
            self,
            "Exporter les anomalies",
            f"anomalies-{self.state.extraction_id}.csv",
            export_findings,
            self.state.db,
            self.state.extraction_id,
            describe=lambda n, path: f"{n} anomalies écrites dans {path}.",
        )
