"""The Outils menu: what acts on the whole base rather than on one page (the INSEE's commune history,
encryption, the pseudonymised export for training)."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMainWindow, QMessageBox

from ivo_app.errors import IvoError
from ivo_app.io.cog import import_insee_history
from ivo_app.labels import plural
from ivo_app.services import protection, pseudonymise
from ivo_app.store.db import open_database
from ivo_app.ui import file_actions
from ivo_app.ui.search_dialog import SearchDialog
from ivo_app.ui.state import AppState
from ivo_app.ui.tasks import run_task


def ask_new_passphrase(window: QMainWindow) -> str | None:
    """Typed twice, masked; None when cancelled or when the two differ (said to the user)."""
    first, ok = QInputDialog.getText(
        window,
        "Chiffrer la base",
        f"Nouvelle phrase secrète (au moins {protection.MIN_PASSPHRASE} caractères).\n"
        "Sans elle, personne ne pourra plus lire la base : conservez-la.",
        QLineEdit.EchoMode.Password,
    )
    if not ok or not first:
        return None
    again, ok = QInputDialog.getText(
        window, "Chiffrer la base", "Confirmez la phrase secrète :", QLineEdit.EchoMode.Password
    )
    if not ok:
        return None
    if again != first:
        QMessageBox.warning(window, "IVO", "Les deux saisies diffèrent : la base n'a pas été chiffrée.")
        return None
    return first


class ToolsMenu:
    def __init__(self, window: QMainWindow, state: AppState) -> None:
        self.window, self.state = window, state
        menu = window.menuBar().addMenu("&Outils")
        self.actions: dict[str, QAction] = {}
        for key, label, slot in (
            ("search", "&Rechercher une identité avant création…", self.search),
            ("cog", "Charger le fichier historique des &communes (INSEE)…", self.load_cog),
            ("pseudonymise", "Export &pseudonymisé pour la formation…", self.pseudonymise),
            ("encrypt", "&Chiffrer la base…", self.encrypt),
        ):
            action = QAction(label, window)
            action.triggered.connect(slot)
            menu.addAction(action)
            self.actions[key] = action

    def search(self) -> None:
        SearchDialog(self.state, self.window).open()

    def load_cog(self) -> None:
        path = file_actions.ask_open_path(
            self.window, "Fichier historique des communes", "Fichier INSEE (*.txt *.csv)"
        )
        if path is None:
            return
        run_task(
            self.window,
            "Chargement du fichier historique des communes",
            file_actions.without_progress(import_insee_history),
            path,
            on_done=lambda n: QMessageBox.information(
                self.window, "IVO", f"Fichier historique chargé : {n} codes de communes."
            ),
        )

    def pseudonymise(self) -> None:
        file_actions.save_with(
            self.window,
            "Export pseudonymisé pour la formation",
            "formation-pseudonymisee.csv",
            lambda db, extraction, out: pseudonymise.export_pseudonymised(db, extraction, out)[0],
            self.state.db,
            self.state.extraction_id,
            describe=lambda n, path: (
                f"{n} identités pseudonymisées écrites dans {path} (aucune donnée personnelle)."
            ),
        )

    def encrypt(self) -> None:
        try:
            if protection.is_database_encrypted(self.state.db):
                QMessageBox.information(self.window, "IVO", "La base est déjà chiffrée.")
                return
            protection.database_file(self.state.db)
        except IvoError as exc:
            QMessageBox.warning(self.window, "IVO", exc.message)
            return
        secret = ask_new_passphrase(self.window)
        if secret is None:
            return
        url = self.state.db.url
        run_task(
            self.window,
            "Chiffrement de la base et de ses sauvegardes",
            file_actions.without_progress(protection.encrypt_database),
            self.state.db,
            secret,
            on_done=lambda result: self._encrypted(url, result),
        )

    def _encrypted(self, url: str, result: protection.EncryptionResult) -> None:
        self.state.reopen(open_database(url))  # the passphrase is remembered by this process
        QMessageBox.information(
            self.window,
            "IVO",
            f"Base chiffrée ({plural(len(result.backups), 'sauvegarde chiffrée', 'sauvegardes chiffrées')} aussi). "
            "La phrase secrète sera demandée à chaque ouverture.",
        )
