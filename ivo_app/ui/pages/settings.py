"""Paramètres: rules (enabled, severity) and the database in use."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ivo_app.rules.catalogue import RULES, SEVERITIES
from ivo_app.services import rule_settings
from ivo_app.ui.state import AppState

DISABLED = "désactivée"


class SettingsPage(QWidget):
    title = "Paramètres"

    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.table = QTableWidget(len(RULES), 3)
        self.table.setHorizontalHeaderLabels(["Règle", "Intitulé", "Sévérité"])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Paramètres</h2>"))
        layout.addWidget(QLabel(f"Base de données : {state.db.url}"))
        layout.addWidget(QLabel("Règles du RNIV (pour tous les établissements) :"))
        layout.addWidget(self.table, 1)
        self.combos: dict[str, QComboBox] = {}
        self.refresh()

    def refresh(self) -> None:
        settings = rule_settings.effective_settings(self.state.db)
        for row, rule in enumerate(RULES.values()):
            self.table.setItem(row, 0, QTableWidgetItem(rule.id))
            self.table.setItem(row, 1, QTableWidgetItem(rule.title))
            combo = QComboBox()
            combo.addItems([*SEVERITIES, DISABLED])
            current = DISABLED if rule.id in settings.disabled else settings.severity(rule.id, rule.severity)
            combo.setCurrentText(current)
            combo.currentTextChanged.connect(lambda text, rid=rule.id: self.change(rid, text))
            self.table.setCellWidget(row, 2, combo)
            self.combos[rule.id] = combo

    def change(self, rule_id: str, text: str) -> None:
        if text == DISABLED:
            rule_settings.set_rule(self.state.db, rule_id, enabled=False)
        else:
            rule_settings.set_rule(self.state.db, rule_id, enabled=True, severity=text)
