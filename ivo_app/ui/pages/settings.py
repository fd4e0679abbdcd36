"""Paramètres: rules (enabled, severity), per-facility settings (status mapping at import, active-file
period, duplicate thresholds), the database in use and its backups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ivo_app.errors import IvoError
from ivo_app.labels import format_decimal, format_int, plural
from ivo_app.progress import CancelFn, ProgressFn
from ivo_app.rules.catalogue import RULES, SEVERITIES
from ivo_app.rules.record import STATUSES
from ivo_app.services import backup, rule_settings, settings
from ivo_app.services.extractions import list_extractions
from ivo_app.store.db import Database, display_url, open_database
from ivo_app.ui import dialogs, file_actions
from ivo_app.ui.feedback import notify
from ivo_app.ui.models import ListTableModel
from ivo_app.ui.pages.base import Page
from ivo_app.ui.passphrase import unlock
from ivo_app.ui.state import AppState
from ivo_app.ui.tasks import run_task

DISABLED = "désactivée"
ALL_FACILITIES = "Tous les établissements (valeurs par défaut)"


def open_database_task(url: str, *, progress: ProgressFn, is_cancelled: CancelFn) -> Database:
    progress(0, 1, "ouverture et mise à jour du schéma")
    return open_database(url)


def restore_task(
    db: Database, path: Path, *, progress: ProgressFn, is_cancelled: CancelFn
) -> tuple[Path, Database]:
    """Restore, then reopen on the restored file (the page switches the whole window to it)."""
    progress(0, 2, "vérification et copie de la sauvegarde")
    safety = backup.restore_backup(db, path)
    progress(1, 2, "réouverture de la base")
    return safety, open_database(db.url)


def backup_task(db: Database, *, progress: ProgressFn, is_cancelled: CancelFn) -> Path:
    progress(0, 1, "copie de la base")
    return backup.create_backup(db)


class SettingsPage(Page):
    title = "Paramètres"

    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._rules_tab(), "Règles du RNIV")
        self.tabs.addTab(self._facility_tab(), "Import, file active et doublons")
        self.tabs.addTab(self._database_tab(), "Base de données")
        self.tabs.addTab(self._backups_tab(), "Sauvegardes")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Paramètres</h2>"))
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        state.database_changed.connect(lambda _: self.refresh_all())
        state.data_changed.connect(self.refresh_facilities)
        self.refresh_all()

    # --- building ---------------------------------------------------------------------------------

    def _rules_tab(self) -> QWidget:
        self.table = QTableWidget(len(RULES), 3)
        self.table.setHorizontalHeaderLabels(["Règle", "Intitulé", "Sévérité"])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.combos: dict[str, QComboBox] = {}
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(QLabel("Règles du RNIV (pour tous les établissements) :"))
        layout.addWidget(self.table, 1)
        return tab

    def _facility_tab(self) -> QWidget:
        # One save for the whole tab: the changed parts are written together (all or nothing), and
        # the tab says while something typed is not saved yet.
        self._dirty: set[str] = set()
        self._loading = False
        self._thresholds_reset = False
        self._loaded_facility: str | None = None
        self.facility = QComboBox()
        self.facility.currentIndexChanged.connect(lambda _: self._facility_chosen())
        self.statuses = QTableWidget(0, 2)
        self.statuses.setHorizontalHeaderLabels(["Valeur dans le fichier", "Statut RNIV"])
        self.statuses.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        add = QPushButton("Ajouter une valeur")
        add.clicked.connect(lambda: self.add_status_row("", "PROV"))
        remove = QPushButton("Retirer la valeur choisie")
        remove.clicked.connect(self.remove_status_row)
        self.statuses.itemChanged.connect(lambda _: self._mark("statuses"))
        buttons = QHBoxLayout()
        for button in (add, remove):
            buttons.addWidget(button)
        buttons.addStretch()
        statuses_box = QGroupBox("Correspondance des statuts à l'import (flux anciens : VIDE, VALI…)")
        box_layout = QVBoxLayout(statuses_box)
        explanation = QLabel(
            "Appliquée à chaque import de l'établissement ; un fichier de correspondance qui donne "
            "une valeur l'emporte. Sans réglage, les valeurs usuelles sont reconnues (VIDE → PROV…)."
        )
        explanation.setWordWrap(True)
        box_layout.addWidget(explanation)
        box_layout.addWidget(self.statuses)
        box_layout.addLayout(buttons)

        self.active_years = QSpinBox()
        self.active_years.setRange(1, 50)
        self.active_years.setSuffix(" ans")
        self.active_years.valueChanged.connect(lambda _: self._mark("years"))
        active_box = QGroupBox("File active (indicateurs, tableau de bord, rapports)")
        active_layout = QHBoxLayout(active_box)
        active_layout.addWidget(QLabel("Identités venues dans les"))
        active_layout.addWidget(self.active_years)
        active_layout.addWidget(QLabel("précédant l'extraction"))
        active_layout.addStretch()

        self.probable = _score_box()
        self.review = _score_box()
        for box in (self.probable, self.review):
            box.valueChanged.connect(lambda _: self._mark("thresholds"))
        self.model_thresholds = QLabel()
        reset_thresholds = QPushButton("Revenir aux seuils du modèle")
        reset_thresholds.clicked.connect(self.reset_thresholds)
        thresholds_box = QGroupBox("Seuils des doublons (score de la paire)")
        form = QFormLayout(thresholds_box)
        form.addRow("Doublon probable à partir de :", self.probable)
        form.addRow("Paire à examiner à partir de :", self.review)
        form.addRow(self.model_thresholds)
        row = QHBoxLayout()
        row.addWidget(reset_thresholds)
        row.addStretch()
        form.addRow(row)

        self.save_button = QPushButton("Enregistrer")
        self.save_button.setToolTip("Enregistre la correspondance des statuts, la file active et les seuils")
        self.save_button.clicked.connect(self.save_facility)
        self.unsaved = QLabel()
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.unsaved, 1)

        tab = QWidget()
        layout = QVBoxLayout(tab)
        top = QHBoxLayout()
        top.addWidget(QLabel("Établissement :"))
        top.addWidget(self.facility, 1)
        layout.addLayout(top)
        layout.addWidget(statuses_box, 1)
        layout.addWidget(active_box)
        layout.addWidget(thresholds_box)
        layout.addLayout(save_row)
        return tab

    def _database_tab(self) -> QWidget:
        self.database_label = QLabel()
        self.database_label.setWordWrap(True)
        self.database_url = QLineEdit()
        self.database_url.setPlaceholderText(
            "Fichier SQLite, ou adresse SQLAlchemy (postgresql://utilisateur@serveur/base)"
        )
        self.database_url.returnPressed.connect(lambda: self.open_database_url(self.database_url.text()))
        choose = QPushButton("Choisir un fichier SQLite…")
        choose.clicked.connect(self.choose_and_open_database)
        open_button = QPushButton("Ouvrir cette base")
        open_button.clicked.connect(lambda: self.open_database_url(self.database_url.text()))
        row = QHBoxLayout()
        row.addWidget(self.database_url, 1)
        row.addWidget(open_button)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(self.database_label)
        layout.addLayout(row)
        layout.addWidget(choose)
        layout.addWidget(
            QLabel(
                "La base choisie vaut pour cette session ; au prochain démarrage, IVO rouvre la base "
                "habituelle. Un fichier absent est créé (base vide)."
            )
        )
        layout.addStretch()
        return tab

    def _backups_tab(self) -> QWidget:
        self.backups_model = ListTableModel(["Date", "Taille", "Fichier"])
        self.backups_view = QTableView()
        self.backups_view.setModel(self.backups_model)
        self.backups_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.backups_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.backups_view.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.backups_state = QLabel()
        self.backups_state.setWordWrap(True)
        self.create_backup_button = QPushButton("Sauvegarder maintenant")
        self.create_backup_button.clicked.connect(self.create_backup)
        self.restore_button = QPushButton("Restaurer la sauvegarde choisie…")
        self.restore_button.clicked.connect(self.restore_selected)
        self.restore_file_button = QPushButton("Restaurer depuis un fichier…")
        self.restore_file_button.clicked.connect(self.restore_from_file)
        row = QHBoxLayout()
        for button in (self.create_backup_button, self.restore_button, self.restore_file_button):
            row.addWidget(button)
        row.addStretch()
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(self.backups_state)
        layout.addWidget(self.backups_view, 1)
        layout.addLayout(row)
        return tab

    # --- refreshing -------------------------------------------------------------------------------

    def refresh_all(self) -> None:
        self.refresh()
        self.refresh_facilities()
        self.database_label.setText(f"Base de données ouverte : <b>{_esc(shown_url(self.state.db.url))}</b>")
        self.refresh_backups()

    def refresh(self) -> None:
        """The rules table."""
        current = rule_settings.effective_settings(self.state.db)
        for row, rule in enumerate(RULES.values()):
            self.table.setItem(row, 0, QTableWidgetItem(rule.id))
            self.table.setItem(row, 1, QTableWidgetItem(rule.title))
            combo = QComboBox()
            combo.addItems([*SEVERITIES, DISABLED])
            value = DISABLED if rule.id in current.disabled else current.severity(rule.id)
            combo.setCurrentText(value)
            combo.currentTextChanged.connect(lambda text, rid=rule.id: self.change(rid, text))
            self.table.setCellWidget(row, 2, combo)
            self.combos[rule.id] = combo

    def refresh_facilities(self) -> None:
        current = self.facility.currentData()
        self.facility.blockSignals(True)
        self.facility.clear()
        self.facility.addItem(ALL_FACILITIES, None)
        for name in sorted({e.facility for e in list_extractions(self.state.db)}):
            self.facility.addItem(name, name)
        self.facility.setCurrentIndex(max(0, self.facility.findData(current)))
        self.facility.blockSignals(False)
        self.load_facility_settings()

    def load_facility_settings(self) -> None:
        self._loading = True
        try:
            self._load_facility_settings()
        finally:
            self._loading = False
        self._dirty.clear()
        self._thresholds_reset = False
        self._show_dirty()

    def _load_facility_settings(self) -> None:
        facility = self._loaded_facility = self.facility.currentData()
        self.statuses.setRowCount(0)
        stored = settings.facility_settings(self.state.db, facility, own_statuses=True)
        for source, target in sorted(stored.statuses.items()):
            self.add_status_row(source, target)
        self.active_years.setValue(stored.active_years)
        thresholds = stored.thresholds
        self.probable.setValue(thresholds["probable"])
        self.review.setValue(thresholds["a_examiner"])
        model = settings.model_thresholds()
        self.model_thresholds.setText(
            f"Seuils du modèle : probable {_score(model['probable'])}, à examiner {_score(model['a_examiner'])}. "
            "Ils s'appliquent à la prochaine recherche de doublons."
        )

    def refresh_backups(self) -> None:
        try:
            found = backup.list_backups(self.state.db)
        except IvoError as exc:  # PostgreSQL: the server's tools do it
            self.backups_model.set_rows([])
            self.backups_state.setText(exc.message)
            for button in (self.create_backup_button, self.restore_button, self.restore_file_button):
                button.setEnabled(False)
            return
        for button in (self.create_backup_button, self.restore_button, self.restore_file_button):
            button.setEnabled(True)
        self.backups_paths = [b.path for b in reversed(found)]  # newest first
        self.backups_model.set_rows(
            [
                [f"{b.created:%d/%m/%Y %H:%M:%S}", f"{max(1, b.size // 1024)} Ko", b.path.name]
                for b in reversed(found)
            ]
        )
        self.backups_state.setText(
            f"{plural(len(found), 'sauvegarde')} dans {_esc(str(found[0].path.parent))}"
            if found
            else "Aucune sauvegarde pour l'instant (une copie est faite avant chaque mise à jour du schéma)."
        )

    # --- rules ------------------------------------------------------------------------------------

    def change(self, rule_id: str, text: str) -> None:
        """A rule's combo is saved as soon as it changes (one value, nothing to gather): said at once."""
        if text == DISABLED:
            rule_settings.set_rule(self.state.db, rule_id, enabled=False)
            self.say(
                f"Règle {rule_id} désactivée (enregistré ; elle s'applique à la prochaine vérification)."
            )
        else:
            rule_settings.set_rule(self.state.db, rule_id, enabled=True, severity=text)
            self.say(f"Règle {rule_id} : sévérité « {text} » enregistrée (prochaine vérification).")

    # --- per-facility settings --------------------------------------------------------------------

    def add_status_row(self, source: str, target: str) -> None:
        row = self.statuses.rowCount()
        self.statuses.insertRow(row)
        self.statuses.setItem(row, 0, QTableWidgetItem(source))
        combo = QComboBox()
        combo.addItems(list(STATUSES))
        combo.setCurrentText(target)
        combo.currentTextChanged.connect(lambda _: self._mark("statuses"))
        self.statuses.setCellWidget(row, 1, combo)
        self._mark("statuses")

    def remove_status_row(self) -> None:
        row = self.statuses.currentRow()
        if row >= 0:
            self.statuses.removeRow(row)
            self._mark("statuses")

    def _mark(self, part: str) -> None:
        if self._loading:
            return
        if part == "thresholds":
            self._thresholds_reset = False
        self._dirty.add(part)
        self._show_dirty()

    def _show_dirty(self) -> None:
        parts = {"statuses": "correspondance des statuts", "years": "file active", "thresholds": "seuils"}
        changed = [label for key, label in parts.items() if key in self._dirty]
        self.save_button.setEnabled(bool(changed))
        self.unsaved.setText(
            f"Modifications non enregistrées : {', '.join(changed)}." if changed else "Tout est enregistré."
        )
        self.unsaved.setStyleSheet("color: #8a4b00; font-weight: bold;" if changed else "")

    def has_unsaved_changes(self) -> bool:
        return bool(self._dirty)

    def _facility_chosen(self) -> None:
        """Another facility: what was typed for the previous one is saved or dropped, never lost silently."""
        if self._dirty:
            previous = self._loaded_facility or "tous les établissements"
            question = f"Enregistrer les modifications des réglages de « {previous} » ?"
            if self.confirm(question) and not self.save_facility(self._loaded_facility):
                self.facility.blockSignals(True)
                self.facility.setCurrentIndex(max(0, self.facility.findData(self._loaded_facility)))
                self.facility.blockSignals(False)
                return
        self.load_facility_settings()

    def save_facility(self, facility: Any = False) -> bool:
        """The one save of the tab: the changed parts together; False (and nothing written) if refused."""
        if facility is False:  # clicked(bool) passes the checked flag: the facility shown is meant
            facility = self._loaded_facility
        if not self._dirty:
            return True
        parts: dict[str, Any] = {}
        if "statuses" in self._dirty:
            parts["statuses"] = self.status_rows()
        if "years" in self._dirty:
            parts["years"] = self.active_years.value()
        if "thresholds" in self._dirty:
            parts["thresholds"] = (
                (None, None) if self._thresholds_reset else (self.probable.value(), self.review.value())
            )
        scope = facility or "tous les établissements"
        if not self._attempt(lambda: settings.save_facility_settings(self.state.db, facility, **parts)):
            return False
        saved = [label for key, label in (("statuses", "correspondance des statuts"), ("years", "file active"),
                                          ("thresholds", "seuils des doublons")) if key in parts]  # fmt: skip
        if facility == self.facility.currentData():
            self.load_facility_settings()  # what is stored now, folded as the import folds it
        self.say(f"Réglages enregistrés ({scope}) : {', '.join(saved)}.")
        if "years" in parts:
            self.state.data_changed.emit()  # the dashboard's figures depend on it
        return True

    def status_rows(self) -> dict[str, str]:
        rows: dict[str, str] = {}
        for row in range(self.statuses.rowCount()):
            item = self.statuses.item(row, 0)
            combo = self.statuses.cellWidget(row, 1)
            source = item.text().strip() if item else ""
            if source and isinstance(combo, QComboBox):
                rows[source] = combo.currentText()
        return rows

    def reset_thresholds(self) -> None:
        """The model's thresholds back in the form; « Enregistrer » removes the override."""
        model = settings.model_thresholds()
        self.probable.setValue(model["probable"])
        self.review.setValue(model["a_examiner"])
        self._dirty.add("thresholds")
        self._thresholds_reset = True
        self._show_dirty()

    def _scope(self) -> str:
        return self.facility.currentData() or "tous les établissements"

    # --- database ---------------------------------------------------------------------------------

    def choose_database_file(self) -> Path | None:
        """Overridable in tests: the file dialog."""
        return file_actions.file_dialog(
            self,
            "Choisir la base de données",
            "Base SQLite (*.sqlite *.db);;Tous les fichiers (*)",
            str(Path(self.state.db.engine.url.database or "ivo.sqlite").parent),
            save=True,
            overwrite=False,  # an existing base is opened, not replaced
        )

    def choose_and_open_database(self) -> None:
        path = self.choose_database_file()
        if path is not None:
            self.database_url.setText(str(path))
            self.open_database_url(str(path))

    def open_database_url(self, url: str) -> None:
        url = url.strip()
        if not url:
            self.warn("Indiquez un fichier SQLite ou une adresse de base de données.")
            return
        try:
            if not unlock(url, parent=self):  # an encrypted file: its passphrase, asked here
                return
        except IvoError as exc:
            self.warn(exc.message)
            return
        run_task(
            self, "Ouverture de la base de données", open_database_task, url, on_done=self._database_opened
        )

    def _database_opened(self, db: Database) -> None:
        self.state.reopen(db)
        self.say(f"Base de données ouverte : {shown_url(db.url)}")

    # --- backups ----------------------------------------------------------------------------------

    def create_backup(self) -> None:
        run_task(self, "Sauvegarde de la base", backup_task, self.state.db, on_done=self._backup_created)

    def _backup_created(self, path: Path) -> None:
        self.refresh_backups()
        self.say(f"Sauvegarde créée : {path}")

    def selected_backup(self) -> Path | None:
        rows = self.backups_view.selectionModel().selectedRows()
        return self.backups_paths[rows[0].row()] if rows else None

    def restore_selected(self) -> None:
        path = self.selected_backup()
        if path is None:
            self.warn("Choisissez d'abord une sauvegarde dans la liste.")
            return
        self.restore(path)

    def choose_backup_file(self) -> Path | None:
        """Overridable in tests: the file dialog."""
        return file_actions.file_dialog(
            self, "Restaurer une sauvegarde", "Base SQLite (*.sqlite *.db);;Tous les fichiers (*)", save=False
        )

    def restore_from_file(self) -> None:
        path = self.choose_backup_file()
        if path is not None:
            self.restore(path)

    def restore(self, path: Path) -> None:
        question = (
            f"Remplacer toute la base actuelle par la sauvegarde « {path.name} » ?\n\n"
            "Les données saisies depuis cette sauvegarde seront remplacées ; l'état actuel est d'abord "
            "copié dans le dossier des sauvegardes, d'où il peut être restauré à son tour."
        )
        if not self.confirm(question):
            return
        run_task(
            self, "Restauration de la sauvegarde", restore_task, self.state.db, path, on_done=self._restored
        )

    def _restored(self, result: tuple[Path, Database]) -> None:
        safety, db = result
        self.state.reopen(db)
        self.say(f"Sauvegarde restaurée ; l'état précédent est conservé dans {safety.name}.")

    # --- dialogs (overridable in tests) -----------------------------------------------------------

    def confirm(self, question: str) -> bool:
        return dialogs.ask_yes_no(self, question)

    def warn(self, message: str) -> None:
        dialogs.warn(self, message)

    def say(self, message: str) -> None:
        self.message.setText(message)
        notify(self, message)

    def _attempt(self, action: Any) -> bool:
        try:
            action()
        except IvoError as exc:
            self.warn(exc.message)
            return False
        return True


def _score(value: float) -> str:
    """A score in French: 12,5 ; a whole score without decimals (12)."""
    return format_int(value) if float(value).is_integer() else format_decimal(value)


def _score_box() -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(-99.0, 99.0)
    box.setDecimals(1)
    box.setSingleStep(0.5)
    return box


def shown_url(url: str) -> str:
    """The URL without its password (it may sit on a shared screen): store.db's one rule for it."""
    return display_url(url)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
