"""Journal: who did what, when, on which identifiers (never names); filtered and exported."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from ivo_app.labels import journal_action_label, journal_details_label, journal_target_label, plural
from ivo_app.services import journal
from ivo_app.ui import file_actions
from ivo_app.ui.models import ListTableModel
from ivo_app.ui.pages.base import Page
from ivo_app.ui.state import AppState
from ivo_app.ui.tables import setup_table, sortable

LIMIT = 5000  # the newest entries; the export writes them all


class JournalPage(Page):
    title = "Journal"

    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.model = ListTableModel(["Date", "Utilisateur", "Poste", "Action", "Objet", "Détails"])
        self.table = QTableView()
        self.table.setModel(self.model)
        setup_table(self.table, stretch_last=True)
        sortable(self.table)
        self.action = QComboBox()
        self.action.addItem("Toutes les actions", None)
        self.action.currentIndexChanged.connect(lambda _: self.refresh())
        self.export_button = QPushButton("Exporter le journal…")
        self.export_button.clicked.connect(self.export)
        self.count = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.action)
        top.addWidget(self.export_button)
        top.addWidget(self.count, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Journal des actions</h2>"))
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        state.data_changed.connect(self.refresh)
        state.database_changed.connect(lambda _: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        lines = journal.read_journal(
            self.state.db, action=self.action.currentData(), limit=LIMIT, newest_first=True
        )
        known = {self.action.itemData(i) for i in range(self.action.count())}
        for action in sorted({line.action for line in lines} - known, key=journal_action_label):
            self.action.addItem(journal_action_label(action), action)
        self.model.set_rows(
            [
                [
                    line.at,
                    line.user,
                    line.workstation,
                    journal_action_label(line.action),
                    journal_target_label(line.target),
                    journal_details_label(line.details),
                ]
                for line in lines
            ]
        )
        self.count.setText(
            plural(len(lines), "entrée affichée", "entrées affichées") + " (les plus récentes)"
        )

    def export(self) -> None:
        file_actions.save_with(
            self,
            "Exporter le journal",
            "journal-ivo.csv",
            journal.export_journal,
            self.state.db,
            describe=lambda n, path: f"{n} entrées du journal écrites dans {path}.",
        )
