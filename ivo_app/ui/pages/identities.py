"""Identités: the whole table (lazy model), searched and filtered in SQL."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
)

from ivo_app import labels
from ivo_app.io.values import parse_date
from ivo_app.rules.catalogue import RULES, SEVERITIES
from ivo_app.rules.record import ATTRIBUTES, STATUSES
from ivo_app.services.browse import COLUMNS, IdentityFilter
from ivo_app.ui.identity_panel import open_identity
from ivo_app.ui.models import IdentityTableModel, IdRole
from ivo_app.ui.pages.base import Page
from ivo_app.ui.state import AppState
from ivo_app.ui.tables import fit_columns, setup_table
from ivo_app.ui.views import SeenViews


class IdentitiesPage(Page):
    title = "Identités"

    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.model = IdentityTableModel(state.db)
        self.table = QTableView()
        self.table.setModel(self.model)
        setup_table(self.table)
        keys = [key for key, _ in COLUMNS]
        self.table.setProperty(
            "whole_columns", [keys.index(k) for k in ("ipp", "birth_date", "ins_matricule", "sex")]
        )
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)  # the model sorts in SQL, over every filtered identity
        self.table.doubleClicked.connect(self.open_selected)
        self.table.activated.connect(self.open_selected)  # Enter on a row
        self.table.setToolTip("Double-cliquez (ou Entrée) pour ouvrir la fiche de l'identité.")
        self.search = QLineEdit()
        self.search.setPlaceholderText("IPP, nom de naissance ou d'usage (début), ou date JJ/MM/AAAA")
        self.status = _combo("Tous statuts", {code: labels.STATUSES[code] for code in STATUSES})
        self.attribute = _combo("Tous attributs", {code: labels.ATTRIBUTES[code] for code in ATTRIBUTES})
        self.rule = _combo("Toutes règles", {rule.id: rule.title for rule in RULES.values()})
        self.rule.setMaximumWidth(240)
        self.search.setMinimumWidth(200)
        self.severity = _combo("Toutes sévérités", {code: labels.SEVERITIES[code] for code in SEVERITIES})
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
        self.seen = SeenViews(self, state)
        self.model.on_loaded = lambda extraction_id, total: self.seen.shown("liste", extraction_id, total)
        state.extraction_changed.connect(lambda _: self.apply())
        state.data_changed.connect(self.apply)
        self.apply()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.seen.page_shown()

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
        if self.state.extraction_id is None:
            self.count.setText(
                "Aucune extraction : importez un fichier (page « Établissements et extractions »)."
            )
        else:
            self.count.setText(
                labels.plural(self.model.total, "identité") + " — double-clic ou Entrée : la fiche"
            )
        fit_columns(self.table)

    def open_selected(self, index: QModelIndex | None = None) -> None:
        if index is None or not index.isValid():
            rows = self.table.selectionModel().selectedRows()
            if not rows:
                return
            index = rows[0]
        open_identity(self, self.state, index.data(IdRole))


def _combo(everything: str, values: dict[str, str]) -> QComboBox:
    combo = QComboBox()
    combo.addItem(everything, None)
    for code, text in values.items():
        combo.addItem(text, code)
        combo.setItemData(combo.count() - 1, code, Qt.ItemDataRole.ToolTipRole)
    return combo
