"""Search before creating: an admission agent (or a trainee) types one identity and sees at once the
existing records it may duplicate, with the reasons (the RNIV's search for an existing record)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from ivo_app.errors import IvoError
from ivo_app.services import duplicates
from ivo_app.ui.models import ListTableModel
from ivo_app.ui.state import AppState


class SearchDialog(QDialog):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setWindowTitle("Rechercher une identité avant de la créer")
        self.name = QLineEdit()
        self.first = QLineEdit()
        self.born = QDateEdit()
        self.born.setDisplayFormat("dd/MM/yyyy")
        self.born.setCalendarPopup(True)
        self.born.setDate(QDate(1980, 1, 1))
        self.sex = QComboBox()
        for label, value in (("(non précisé)", None), ("Féminin", "F"), ("Masculin", "M")):
            self.sex.addItem(label, value)
        self.place = QLineEdit()
        self.place.setPlaceholderText("code INSEE (facultatif)")
        form = QFormLayout()
        form.addRow("Nom de naissance", self.name)
        form.addRow("Premier prénom", self.first)
        form.addRow("Date de naissance", self.born)
        form.addRow("Sexe", self.sex)
        form.addRow("Lieu de naissance", self.place)
        self.search_button = QPushButton("Rechercher")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)
        self.summary = QLabel()
        self.model = ListTableModel(["IPP", "Score", "Niveau", "Raisons"])
        table = QTableView()
        table.setModel(self.model)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.search_button)
        layout.addWidget(self.summary)
        layout.addWidget(table, 1)
        layout.addWidget(close)
        self.resize(820, 560)

    def search(self) -> None:
        if not self.name.text().strip() or not self.first.text().strip():
            self.summary.setText("Saisissez au moins le nom de naissance et le premier prénom.")
            return
        born = self.born.date()
        try:
            found = duplicates.search_identity(
                self.state.db,
                self.state.extraction_id,
                nom=self.name.text(),
                prenom=self.first.text(),
                naissance=date(born.year(), born.month(), born.day()),
                sexe=self.sex.currentData(),
                lieu=self.place.text().strip() or None,
            )
        except IvoError as exc:
            self.summary.setText(exc.message)
            return
        self.model.set_rows([[c.ipp, f"{c.score:.1f}", c.level, " ; ".join(c.reasons)] for c in found])
        self.summary.setText(
            f"{len(found)} identité(s) existante(s) à vérifier avant toute création."
            if found
            else "Aucune identité approchante : la création ne devrait pas faire de doublon."
        )
