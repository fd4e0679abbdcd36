"""Search before creating: an admission agent (or a trainee) types one identity and sees at once the
existing records it may duplicate, with the reasons (the RNIV's search for an existing record)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from ivo_app import labels
from ivo_app.errors import IvoError
from ivo_app.labels import plural
from ivo_app.services import duplicates
from ivo_app.services.browse import names_of
from ivo_app.services.identity_detail import identity_id_by_ipp
from ivo_app.ui.date_field import DateField
from ivo_app.ui.identity_panel import open_identity
from ivo_app.ui.models import IdRole, ListTableModel, field_headers
from ivo_app.ui.state import AppState
from ivo_app.ui.tables import setup_table


class SearchDialog(QDialog):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setWindowTitle("Rechercher une identité avant de la créer")
        self.name = QLineEdit()
        self.first = QLineEdit()
        self.born = DateField()
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
        self.summary.setWordWrap(True)
        self.model = ListTableModel(
            [
                *field_headers("ipp", "birth_name", "first_names", "birth_date"),
                "Proximité",
                "Niveau",
                "Raisons",
            ]
        )
        table = QTableView()
        table.setModel(self.model)
        setup_table(table, stretch_last=True)
        table.doubleClicked.connect(self._open)
        table.activated.connect(self._open)
        table.setToolTip("Double-cliquez (ou Entrée) pour ouvrir la fiche de l'identité.")
        self.table = table
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.search_button)
        layout.addWidget(self.summary)
        layout.addWidget(table, 1)
        layout.addWidget(close)
        self.resize(980, 600)

    def search(self) -> None:
        if not self.name.text().strip() or not self.first.text().strip():
            self.summary.setText("Saisissez au moins le nom de naissance et le premier prénom.")
            return
        problem = self.born.problem()
        born = self.born.value()
        if problem or born is None:
            self.summary.setText(problem or "Saisissez la date de naissance (JJ/MM/AAAA).")
            self.born.setFocus()
            return
        extraction_id = self.state.extraction_id
        if extraction_id is None:  # the window selects the last extraction: none means an empty base
            self.summary.setText("Aucune extraction : importez d'abord une table d'identités.")
            return
        try:
            found = duplicates.search_identity(
                self.state.db,
                extraction_id,
                nom=self.name.text(),
                prenom=self.first.text(),
                naissance=born,
                sexe=self.sex.currentData(),
                lieu=self.place.text().strip() or None,
            )
        except IvoError as exc:
            self.summary.setText(exc.message)
            return
        ids = {c.ipp: identity_id_by_ipp(self.state.db, extraction_id, c.ipp) for c in found}
        people = names_of(self.state.db, [i for i in ids.values() if i is not None])
        self.model.set_rows(
            [
                [
                    c.ipp,
                    *people.get(ids[c.ipp] or -1, ("", "", None)),
                    _closeness(c.score),
                    labels.label(labels.LEVELS, c.level),
                    " ; ".join(c.reasons),
                ]
                for c in found
            ],
            keys=[ids[c.ipp] for c in found],
        )
        self.summary.setText(
            f"{plural(len(found), 'identité existante', 'identités existantes')} à vérifier avant toute création."
            if found
            else "Aucune identité approchante : la création ne devrait pas faire de doublon."
        )

    def _open(self, index: Any) -> None:
        open_identity(self.parentWidget() or self, self.state, index.data(IdRole))


def _closeness(score: float) -> str:
    """The matcher's score is a log-odds weight; below zero it means "rather not the same person",
    which a raw "-3,2" does not say."""
    return labels.format_decimal(score) if score > 0 else "faible"
