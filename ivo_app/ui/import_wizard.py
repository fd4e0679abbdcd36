"""The import wizard: file → preview (encoding, separator) → column mapping → import → summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)  # fmt: skip

from ivo_app.errors import IvoError
from ivo_app.io.mapping import CANONICAL_FIELDS, FIELD_LABELS, REQUIRED, ColumnMapping
from ivo_app.labels import plural
from ivo_app.rules.normalize import fold_header
from ivo_app.services.extractions import export_rejections, list_extractions
from ivo_app.services.imports import FilePreview, ImportResult, import_file, preview_file, report_lines
from ivo_app.store.db import Database
from ivo_app.ui import dialogs, file_actions
from ivo_app.ui.background import read_off_the_gui_thread
from ivo_app.ui.models import ListTableModel
from ivo_app.ui.worker import Worker, start


class ImportWizard(QWizard):
    import_finished = Signal(int)  # extraction id

    def __init__(self, db: Database, parent: Any = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("Importer une table d'identités")
        self.preview: FilePreview | None = None
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.run_page = RunPage(self)
        for page in (self.file_page, self.mapping_page, self.run_page):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.NextButton, "Suivant >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< Précédent")
        self.setButtonText(QWizard.WizardButton.FinishButton, "Terminer")
        self.setButtonText(QWizard.WizardButton.CancelButton, "Annuler")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)  # the same look everywhere, no side image
        self.resize(1040, 620)  # fits a 1280×720 screen with its title bar and the task bar


class FilePage(QWizardPage):
    _reading = False

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Fichier à importer")
        self.setSubTitle(
            "Export du logiciel d'admission : CSV ou texte délimité, XLSX/XLS/ODS, HL7 v2, FHIR."
        )
        self.path = QLineEdit()
        # An existing facility is chosen from the list (a typo would create another facility);
        # a new one is named explicitly.
        self.facility_choice = QComboBox()
        known = sorted({e.facility for e in list_extractions(wizard.db)})
        for name in known:
            self.facility_choice.addItem(name, name)
        self.facility_choice.addItem("Nouvel établissement…", None)
        self.facility = QLineEdit()
        self.facility.setPlaceholderText("Nom du nouvel établissement")
        self.facility_choice.currentIndexChanged.connect(self._facility_chosen)
        self._facility_chosen()
        self.error = dialogs.plain_label()
        self.error.setWordWrap(True)  # a long French message is read whole, never cut
        self.error.setStyleSheet("color: #b00020")
        browse = QPushButton("Parcourir…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path)
        row.addWidget(browse)
        form = QFormLayout(self)
        form.addRow("Fichier :", row)
        form.addRow("Établissement :", self.facility_choice)
        form.addRow("", self.facility)
        form.addRow(self.error)
        self.path.textChanged.connect(self.completeChanged)
        self.facility.textChanged.connect(self.completeChanged)

    def _facility_chosen(self, *_: Any) -> None:
        new = self.facility_choice.currentData() is None
        self.facility.setEnabled(new)
        self.facility.setVisible(new)
        self.completeChanged.emit()

    def facility_name(self) -> str:
        chosen = self.facility_choice.currentData()
        return str(chosen) if chosen is not None else self.facility.text().strip()

    def _browse(self) -> None:
        path = file_actions.ask_open_path(
            self,
            "Choisir l'export",
            "Exports (*.csv *.txt *.xlsx *.xls *.ods *.hl7 *.json *.ndjson);;Tous (*)",
        )
        if path is not None:
            self.path.setText(str(path))

    def isComplete(self) -> bool:
        return bool(self.path.text().strip() and self.facility_name())

    def validatePage(self) -> bool:
        if self._reading:  # a second click while the file is read
            return False
        self._reading = True
        try:
            # Off the window's thread: a large file takes seconds to hash and sample.
            read = read_off_the_gui_thread(
                self, "Lecture du fichier…", preview_file, Path(self.path.text().strip())
            )
        finally:
            self._reading = False
        if read.cancelled:
            self.error.setText("Lecture du fichier annulée.")
            return False
        if read.error is not None:
            self.error.setText(read.error)
            return False
        self.w.preview = read.value
        self.error.setText("")
        return True


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Aperçu et correspondance des colonnes")
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.missing = QLabel()
        self.missing.setWordWrap(True)
        self.missing.setStyleSheet("color: #b00020")
        self.table = QTableView()
        self.model = ListTableModel([])
        self.table.setModel(self.model)
        self.combos: dict[str, QComboBox] = {}
        fields = QWidget()
        form = QFormLayout(fields)
        for field in CANONICAL_FIELDS:
            combo = QComboBox()
            combo.currentIndexChanged.connect(self.completeChanged)
            combo.currentIndexChanged.connect(self._show_missing)
            self.combos[field] = combo
            form.addRow(FIELD_LABELS[field] + " :", combo)
        scroll = QScrollArea()  # the fields scroll beside the preview: the page fits 1280×720
        scroll.setWidget(fields)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(fields.sizeHint().width() + 24)
        save = QPushButton("Enregistrer la correspondance…")
        save.setToolTip("Pour réutiliser ces choix au prochain import du même logiciel.")
        save.clicked.connect(self._save)
        right = QVBoxLayout()
        right.addWidget(QLabel("<b>Colonne du fichier pour chaque trait</b>"))
        right.addWidget(scroll, 1)
        right.addWidget(save)
        body = QHBoxLayout()
        body.addWidget(self.table, 3)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.facts)
        layout.addWidget(self.missing)
        layout.addLayout(body, 1)

    def initializePage(self) -> None:
        p = self.w.preview
        assert p is not None
        separator = {";": "point-virgule", ",": "virgule", "\t": "tabulation", "|": "barre"}.get(
            p.separator or "", "—"
        )
        self.facts.setText(
            f"Format {p.format.upper()}, encodage {p.encoding or '—'}, séparateur {separator} — "
            f"aperçu des {len(p.rows)} premières lignes."
        )
        self.model.headers = list(p.headers)
        self.model.set_rows([list(r) for r in p.rows])
        self.table.resizeColumnsToContents()
        guessed = refine_guess(list(p.headers), dict(p.mapping.columns) if p.mapping else {})
        for field, combo in self.combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("(aucune)", None)
            for header in p.headers:
                combo.addItem(header, header)
            if field in guessed:
                combo.setCurrentIndex(combo.findData(guessed[field]))
            combo.blockSignals(False)
        tabular = p.format in ("csv", "xlsx")
        for combo in self.combos.values():
            combo.setEnabled(tabular)
        self._show_missing()

    def _show_missing(self, *_: Any) -> None:
        """Say which required traits still lack a column; nothing once they are all chosen."""
        m = self.mapping()
        if m is None:
            self.missing.setText("")
            return
        missing = [FIELD_LABELS[f] for f in REQUIRED if f not in m.columns]
        if not {"premier_prenom", "prenoms_naissance"} & set(m.columns):
            missing.append(FIELD_LABELS["prenoms_naissance"])
        self.missing.setText(
            "Choisissez la colonne du fichier pour : " + ", ".join(missing) + "." if missing else ""
        )

    def mapping(self) -> ColumnMapping | None:
        if self.w.preview is None or self.w.preview.format not in ("csv", "xlsx"):
            return None
        return ColumnMapping(columns={f: c.currentData() for f, c in self.combos.items() if c.currentData()})

    def isComplete(self) -> bool:
        m = self.mapping()
        if m is None:
            return True
        return all(f in m.columns for f in REQUIRED) and bool(
            {"premier_prenom", "prenoms_naissance"} & set(m.columns)
        )

    def _save(self) -> None:
        mapping = self.mapping()
        if mapping is None:
            return
        path = file_actions.ask_save_path(
            self, "Enregistrer la correspondance", "JSON (*.json)", "correspondance.json"
        )
        if path is not None:
            mapping.save(path)


# Headers an admission export uses that the synonym table reads otherwise: a lone "Prénom" column
# holds the birth first names (the first one is derived from it), "N° dossier" is the IPP.
_FIRST_NAME_LIST = {"prenom", "prenom_s", "prenoms"}
_IPP_HEADERS = {"n_dossier", "no_dossier", "num_dossier", "numero_dossier", "dossier", "n_dossier_patient"}


def refine_guess(headers: list[str], guessed: dict[str, str]) -> dict[str, str]:
    columns = dict(guessed)
    first = columns.get("premier_prenom")
    if first and "prenoms_naissance" not in columns and fold_header(first) in _FIRST_NAME_LIST:
        columns["prenoms_naissance"] = columns.pop("premier_prenom")
    if "ipp" not in columns:
        ipp = next((h for h in headers if fold_header(h) in _IPP_HEADERS), None)
        if ipp is not None and ipp not in columns.values():
            columns["ipp"] = ipp
    return columns


class RunPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Import")
        self.bar = QProgressBar()
        self.message = QLabel()
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.cancel_button = QPushButton("Annuler l'import")
        self.export_button = QPushButton("Exporter les lignes rejetées…")
        self.export_button.clicked.connect(self._export_rejections)
        layout = QVBoxLayout(self)
        for widget in (self.bar, self.message, self.cancel_button, self.report, self.export_button):
            layout.addWidget(widget)
        self.result: ImportResult | None = None
        self.worker: Worker | None = None
        self.done = False

    def initializePage(self) -> None:
        self.done, self.result = False, None
        self.report.clear()
        self.export_button.setEnabled(False)
        path = Path(self.w.file_page.path.text().strip())
        facility = self.w.file_page.facility_name()
        self.worker = Worker(import_file, self.w.db, path, facility, mapping=self.w.mapping_page.mapping())
        self.worker.signals.progressed.connect(self._progressed)
        self.worker.signals.finished.connect(self._finished)
        self.worker.signals.failed.connect(
            lambda m: self._ended(f"Échec : {m}\nLa base n'a pas été modifiée.", complete=False)
        )
        self.worker.signals.cancelled.connect(
            lambda: self._ended("Import annulé : la base n'a pas été modifiée.", complete=False)
        )
        self.cancel_button.clicked.connect(self.worker.cancel)
        self.cancel_button.setEnabled(True)
        start(self.worker)

    def _progressed(self, done: int, total: int, message: str) -> None:
        self.bar.setMaximum(max(total, 1))
        self.bar.setValue(min(done, total))
        self.message.setText(message)

    def _finished(self, result: ImportResult) -> None:
        self.result = result
        lines = [
            f"Extraction n° {result.extraction_id} : {plural(result.rows, 'identité importée', 'identités importées')}, "
            f"{plural(len(result.rejections), 'ligne rejetée', 'lignes rejetées')}."
        ]
        # What was read per identifier domain, what each event changed, what was decided for the
        # whole file (a date order): the same report as `ivo importer` prints.
        lines += report_lines(result.report)
        lines += [f"ligne {r.line_no} : {r.label}" for r in result.rejections[:1000]]
        self._ended("\n".join(lines))
        self.export_button.setEnabled(bool(result.rejections))
        self.w.import_finished.emit(result.extraction_id)

    def _export_rejections(self) -> None:
        if self.result is None:
            return
        path = file_actions.ask_save_path(
            self,
            "Exporter les lignes rejetées",
            "CSV (*.csv);;Classeur Excel (*.xlsx)",
            f"rejets-extraction-{self.result.extraction_id}.csv",
        )
        if path is None:
            return
        name = str(path)
        try:
            count = export_rejections(self.w.db, self.result.extraction_id, Path(name))
        except IvoError as exc:
            dialogs.warn(self, exc.message)
            return
        self.message.setText(f"{count} lignes rejetées exportées dans {name}.")

    def _ended(self, text: str, complete: bool = True) -> None:
        self.bar.setMaximum(1)
        self.bar.setValue(1 if complete else 0)  # a cancelled import never shows a full bar
        self.report.setPlainText(text)
        self.cancel_button.setEnabled(False)
        self.done = True
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.done
