"""Identités: the whole table (lazy model), searched and filtered in SQL."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ivo_app.io.values import parse_date
from ivo_app.rules.catalogue import RULES, SEVERITIES
from ivo_app.rules.record import ATTRIBUTES, STATUSES
from ivo_app.services.browse import IdentityFilter
from ivo_app.ui.models import IdentityTableModel
from ivo_app.ui.state import AppState


class IdentitiesPage(QWidget):
    title = "Identités"

    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.model = IdentityTableModel(state.db)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.search = QLineEdit()
        self.search.setPlaceholderText("IPP, nom de naissance ou d'usage (début), ou date JJ/MM/AAAA")
        self.status = _combo("Tous statuts", STATUSES)
        self.attribute = _combo("Tous attributs", ATTRIBUTES)
        self.rule = _combo("Toutes règles", tuple(RULES))
        self.severity = _combo("Toutes sévérités", SEVERITIES)
        self.count = QLabel()
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        for combo in (self.status, self.attribute, self.rule, self.severity):
            filters.addWidget(combo)
            combo.currentIndexChanged.connect(self.apply)
        self.search.returnPressed.connect(self.apply)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Identités</h2>"))
        layout.addLayout(filters)
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)
        state.extraction_changed.connect(lambda _: self.apply())
        state.data_changed.connect(self.apply)
        self.apply()

    def current_filter(self) -> IdentityFilter:
        text = self.search.text().strip()
        birth = parse_date(text) if text else None
        return IdentityFilter(
            text="" if birth else text,
            birth_date=birth,
            status=self.status.currentData(),
            attribute=self.attribute.currentData(),
            rule=self.rule.currentData(),
            severity=self.severity.currentData(),
        )

    def apply(self) -> None:
        self.model.db = self.state.db  # the database may have been reopened (Paramètres)
        self.model.load(self.state.extraction_id, self.current_filter())
        self.count.setText(f"{self.model.total} identités")


def _combo(everything: str, values: tuple[str, ...]) -> QComboBox:
    combo = QComboBox()
    combo.addItem(everything, None)
    for value in values:
        combo.addItem(value, value)
    return combo
