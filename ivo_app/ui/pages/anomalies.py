"""Anomalies: counts per rule and severity, the rule's explanation, drill down to the identities."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from ivo_app import labels
from ivo_app.rules.catalogue import RULES
from ivo_app.services.browse import names_of
from ivo_app.services.checks import findings_summary, list_findings
from ivo_app.services.exports import export_findings
from ivo_app.ui import file_actions
from ivo_app.ui.identity_panel import open_identity
from ivo_app.ui.models import IdRole, ListTableModel, field_headers
from ivo_app.ui.pages.base import Page
from ivo_app.ui.state import AppState
from ivo_app.ui.tables import selected_key, setup_table, sortable
from ivo_app.ui.views import SeenViews

NO_EXTRACTION = "Aucune extraction : importez un fichier (page « Établissements et extractions »)."


class AnomaliesPage(Page):
    title = "Anomalies"

    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.seen = SeenViews(self, state)  # nominative data journaled when seen
        self.rules = ListTableModel(["Anomalie", "Sévérité", "Nombre"])
        self.rule_table = QTableView()
        self.rule_table.setModel(self.rules)
        setup_table(self.rule_table)
        sortable(self.rule_table)
        self.rule_table.selectionModel().selectionChanged.connect(self._rule_selected)
        self.help = QLabel()
        self.help.setWordWrap(True)
        self.help.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.findings = ListTableModel(
            [*field_headers("ipp", "birth_name", "first_names", "birth_date"), "Sévérité", "Message"]
        )
        self.finding_table = QTableView()
        self.finding_table.setModel(self.findings)
        setup_table(self.finding_table, stretch_last=True)
        sortable(self.finding_table)
        self.finding_table.doubleClicked.connect(self._open_finding)
        self.finding_table.activated.connect(self._open_finding)
        self.finding_table.setToolTip("Double-cliquez (ou Entrée) pour ouvrir la fiche de l'identité.")
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

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.seen.page_shown()

    def refresh(self) -> None:
        self.rule_ids: list[str] = []
        if self.state.extraction_id is None:
            self.rules.set_rows([])
            self.findings.set_rows([])
            self.help.setText("")
            self.status.setText(NO_EXTRACTION)
            return
        summary = findings_summary(self.state.db, self.state.extraction_id)
        if not summary["checked"]:
            self.status.setText(
                "Vérification non lancée pour cette extraction : « Vérifier l'extraction » sur la page "
                "« Établissements et extractions »."
            )
        else:
            sev = ", ".join(
                f"{labels.label(labels.SEVERITIES, k).lower()} : {labels.format_int(v)}"
                for k, v in summary["by_severity"].items()
            )
            self.status.setText(f"{labels.plural(summary['total'], 'anomalie')} — {sev}")
        self.rule_ids = list(summary["by_rule"])
        self.rules.set_rows(
            [
                [
                    RULES[r].title if r in RULES else r,
                    labels.label(labels.SEVERITIES, RULES[r].severity) if r in RULES else "",
                    n,
                ]
                for r, n in summary["by_rule"].items()
            ],
            keys=self.rule_ids,
        )
        self.findings.set_rows([])
        self.help.setText("")
        if self.rule_ids:
            self.rule_table.selectRow(0)  # the first rule explained at once, not an empty pane

    def _rule_selected(self, *_: Any) -> None:
        rule_id = selected_key(self.rule_table)
        if rule_id not in RULES or self.state.extraction_id is None:
            return
        rule = RULES[str(rule_id)]
        self.help.setText(
            f"<b>{escape(rule.title)}</b> ({rule.id} ; sévérité par défaut : "
            f"{escape(labels.label(labels.SEVERITIES, rule.severity).lower())})<br>{escape(rule.explanation)}"
            f"<br><i>Corriger :</i> {escape(rule.fix)}<br><i>Référence :</i> {escape(rule.reference)}"
        )
        views = list_findings(self.state.db, self.state.extraction_id, rule=rule.id, limit=2000)
        people = names_of(self.state.db, [v.identity_id for v in views if v.identity_id is not None])
        self.seen.shown("anomalies", self.state.extraction_id, len(people))
        self.findings.set_rows(
            [
                [
                    v.ipp or "(toute l'extraction)",
                    *people.get(v.identity_id or -1, ("", "", None)),
                    labels.label(labels.SEVERITIES, v.severity),
                    v.message,
                ]
                for v in views
            ],
            keys=[v.identity_id for v in views],
        )

    def _open_finding(self, index: Any) -> None:
        open_identity(self, self.state, index.data(IdRole))

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
