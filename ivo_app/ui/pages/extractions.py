"""Établissements et extractions: what is loaded, and the actions that load more."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
)  # fmt: skip

from ivo_app import labels
from ivo_app.errors import IvoError
from ivo_app.services import checks, demo, extractions
from ivo_app.ui import dialogs, file_actions
from ivo_app.ui.feedback import notify
from ivo_app.ui.icons import icon
from ivo_app.ui.import_wizard import ImportWizard
from ivo_app.ui.models import IdRole, ListTableModel
from ivo_app.ui.pages.base import Page
from ivo_app.ui.state import AppState
from ivo_app.ui.tables import select_key, setup_table
from ivo_app.ui.tasks import run_task


class ExtractionsPage(Page):
    title = "Établissements et extractions"

    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.model = ListTableModel(
            ["N°", "Établissement", "Date", "Identités", "Rejets", "Format", "Fichier"]
        )
        self.table = QTableView()
        self.table.setModel(self.model)
        setup_table(self.table, stretch_last=True)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.import_button = QPushButton("Importer un fichier…")
        self.demo_button = QPushButton("Créer une démonstration…")
        self.check_button = QPushButton("Vérifier l'extraction (règles du RNIV)")
        self.export_button = QPushButton("Exporter l'extraction…")
        self.export_button.clicked.connect(self.export)
        self.delete_button = QPushButton("Supprimer l'extraction…")
        self.delete_button.setToolTip("Retirer une extraction importée par erreur (après confirmation).")
        self.delete_button.clicked.connect(self.delete)
        for button, name in ((self.import_button, "file-import"), (self.check_button, "shield-check"),
                             (self.delete_button, "trash")):  # fmt: skip
            button.setIcon(icon(name))
        self.import_button.clicked.connect(self.open_import)
        self.demo_button.clicked.connect(self.create_demo)
        self.check_button.clicked.connect(self.run_check)
        buttons = QHBoxLayout()
        for b in (
            self.import_button,
            self.demo_button,
            self.check_button,
            self.export_button,
            self.delete_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Établissements et extractions</h2>"))
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        state.data_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        infos = extractions.list_extractions(self.state.db)
        self.ids = [i.id for i in infos]
        self.model.set_rows(
            [
                [i.id, i.facility, i.extracted_on, i.rows, i.rejected, i.source_format.upper(), i.source_file]
                for i in infos
            ],
            keys=self.ids,
        )
        for button in (self.check_button, self.export_button, self.delete_button):
            button.setEnabled(bool(self.ids))
        if self.state.extraction_id in self.ids:
            select_key(self.table, self.state.extraction_id)
        elif self.ids:
            self.table.selectRow(len(self.ids) - 1)

    def _selected(self, *_: Any) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows and rows[0].data(IdRole) != self.state.extraction_id:
            self.state.select_extraction(rows[0].data(IdRole))

    def open_import(self) -> None:
        wizard = ImportWizard(self.state.db, self)
        wizard.import_finished.connect(self._imported)
        wizard.open()

    def _imported(self, extraction_id: int, demo: bool = False) -> None:
        shown = self.state.extraction_id
        if (
            demo
            and shown is not None
            and shown != extraction_id
            and not dialogs.ask_yes_no(
                self,
                f"La démonstration est créée (extraction n° {extraction_id}).\n\nAfficher cette démonstration "
                f"dans toute la fenêtre ? Sinon, la fenêtre reste sur l'extraction n° {shown}.",
                "Démonstration créée",
            )
        ):
            # A trainer preparing a demo keeps the facility they were working on: the demo is listed,
            # and chosen later in the context bar.
            self.state.data_changed.emit()
            notify(
                self,
                f"Démonstration créée : extraction n° {extraction_id} ; la fenêtre reste sur l'extraction "
                f"n° {shown} (choisissez la démonstration dans la barre du haut pour l'afficher).",
            )
            return
        self.state.extraction_id = extraction_id
        self.state.data_changed.emit()
        self.state.extraction_changed.emit(extraction_id)
        what = "Démonstration créée" if demo else "Import terminé"
        notify(
            self,
            f"{what} : la fenêtre affiche maintenant l'extraction n° {extraction_id} "
            "(pour revenir à une autre, choisissez-la dans la barre du haut).",
        )

    def create_demo(self) -> None:
        size = dialogs.ask_int(self, "Démonstration", "Nombre d'identités :", 2000, 100, 2_000_000, 1000)
        if size is None:
            return
        seed = dialogs.ask_int(self, "Démonstration", "Graine (même graine, mêmes identités) :", 1, 0, 10**9)
        if seed is not None:
            run_task(
                self,
                "Création de l'établissement de démonstration",
                demo.create_demo,
                self.state.db,
                size,
                seed,
                f"Démonstration (graine {seed})",
                on_done=lambda r: self._imported(r.extraction_id, demo=True),
            )

    def run_check(self) -> None:
        if self.state.extraction_id is None:
            return
        run_task(
            self,
            "Vérification des règles du RNIV",
            checks.run_checks,
            self.state.db,
            self.state.extraction_id,
            on_done=self._checked,
        )

    def _checked(self, result: Any) -> None:
        self.state.data_changed.emit()
        found = getattr(result, "findings", None)
        detail = f" : {labels.plural(found, 'anomalie')}" if isinstance(found, int) else ""
        notify(self, f"Vérification terminée{detail} (page « Anomalies »).")

    def delete(self) -> None:
        extraction_id = self.state.extraction_id
        info = next((i for i in extractions.list_extractions(self.state.db) if i.id == extraction_id), None)
        if info is None:
            return
        question = (
            f"Supprimer l'extraction n° {info.id} ({info.facility}, {labels.format_date(info.extracted_on)}, "
            f"{labels.plural(info.rows, 'identité')}) ?\n\nSes anomalies et ses paires sont supprimées avec elle ; "
            "les décisions sur les doublons de l'établissement sont conservées."
        )
        if not dialogs.ask_yes_no(self, question):
            return
        try:
            extractions.delete_extraction(self.state.db, info.id)
        except IvoError as exc:
            dialogs.warn(self, exc.message)
            return
        remaining = extractions.list_extractions(self.state.db)
        self.state.extraction_id = remaining[-1].id if remaining else None
        self.state.data_changed.emit()
        self.state.extraction_changed.emit(self.state.extraction_id)
        notify(self, f"Extraction n° {info.id} supprimée.")

    def export(self) -> None:
        if self.state.extraction_id is None:
            return
        file_actions.save_with(
            self,
            "Exporter l'extraction (format canonique)",
            f"extraction-{self.state.extraction_id}.csv",
            extractions.export_extraction,
            self.state.db,
            self.state.extraction_id,
            filters=file_actions.TABLES + ";;FHIR FR Core, Bundle JSON (*.json)",
            describe=lambda n, path: f"{n} identités exportées dans {path}.",
        )
