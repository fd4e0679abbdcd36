"""Rapport: generate the audit deliverable or the data-quality report in a worker, then preview it in
the page (rendered lazily, page by page) or open it in the system's viewer."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from ivo_app.errors import IvoError
from ivo_app.labels import format_int
from ivo_app.services import audit
from ivo_app.services.report import generate_audit_report, generate_quality_report, nominative_annex_path
from ivo_app.ui import file_actions
from ivo_app.ui.feedback import notify
from ivo_app.ui.pages.audit import AuditPage
from ivo_app.ui.pages.base import Page
from ivo_app.ui.pdf_preview import PdfPreview
from ivo_app.ui.state import AppState
from ivo_app.ui.tasks import run_task


class ReportPage(Page):
    title = "Rapport"

    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.kind = QComboBox()
        self.kind.currentIndexChanged.connect(lambda _: self._kind_chosen())
        self.personal = QCheckBox()
        self.context_button = QPushButton("Modifier le contexte du livrable…")
        self.context_button.setToolTip(
            "Page Audit IVO3, onglet En-tête : auditeurs, dates, mandat, signataires…"
        )
        self.context_button.clicked.connect(self.edit_context)
        self.generate_button = QPushButton("Générer le PDF…")
        # clicked(bool) would reach generate() as its target: the checked flag, not a path.
        self.generate_button.clicked.connect(lambda _checked=False: self.generate())
        self.result = QLabel()
        self.open_button = QPushButton("Ouvrir dans la visionneuse")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open)
        self.last: Path | None = None
        self.preview = PdfPreview()
        row = QHBoxLayout()
        row.addWidget(self.kind, 1)
        row.addWidget(self.generate_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Rapport</h2>"))
        layout.addLayout(row)
        options = QHBoxLayout()
        options.addWidget(self.personal, 1)
        options.addWidget(self.context_button)
        layout.addLayout(options)
        layout.addWidget(self.result)
        layout.addWidget(self.open_button)
        layout.addWidget(self.preview, 1)
        state.data_changed.connect(self.refresh)
        state.extraction_changed.connect(lambda _: self.refresh())
        state.audits_changed.connect(self.refresh)
        state.database_changed.connect(lambda _: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        chosen = self.kind.currentData()
        self.kind.clear()
        if self.state.extraction_id is not None:
            self.kind.addItem(
                f"Rapport de qualité de l'extraction n° {self.state.extraction_id}",
                ("qualite", self.state.extraction_id),
            )
        for audit_id, facility, _title, _started in audit.list_audits(self.state.db):
            self.kind.addItem(f"Livrable de l'audit n° {audit_id} — {facility}", ("audit", audit_id))
        if chosen is not None and self.kind.findData(chosen) >= 0:
            self.kind.setCurrentIndex(self.kind.findData(chosen))
        self.generate_button.setEnabled(self.kind.count() > 0)
        self._kind_chosen()
        if not self.kind.count():
            self.result.setText("Rien à rapporter : importez une extraction ou créez un audit.")

    def _kind_chosen(self) -> None:
        """The checkbox says what it does for the report chosen: the deliverable's nominative annexes
        are a separate file beside it; the quality report names patients in its own annex."""
        choice = self.kind.currentData()
        is_audit = bool(choice) and choice[0] == "audit"
        if is_audit:
            self.personal.setText(
                "Écrire aussi l'annexe nominative, dans un fichier séparé « …-annexe-nominative.pdf » "
                "(le livrable lui-même ne cite que des IPP)"
            )
        else:
            self.personal.setText(
                "Nommer les patients dans l'annexe des anomalies critiques (par défaut : IPP seulement)"
            )
        self.context_button.setVisible(is_audit)

    def edit_context(self) -> None:
        """The deliverable's context is edited where the audit is: its page, on the En-tête tab."""
        choice = self.kind.currentData()
        window = self.window()
        pages = getattr(window, "pages", [])
        page = next((p for p in pages if isinstance(p, AuditPage)), None)
        if not choice or choice[0] != "audit" or page is None:
            return
        window.nav.setCurrentRow(pages.index(page))  # type: ignore[attr-defined]
        page.show_audit(choice[1], tab=0)

    def generate(self, target: Path | None = None) -> None:
        choice = self.kind.currentData()
        if not choice:
            return
        kind, ident = choice
        if target is None:
            suggested = (
                f"livrable-audit-{ident}.pdf" if kind == "audit" else f"qualite-extraction-{ident}.pdf"
            )
            target = file_actions.ask_save_path(self, "Enregistrer le rapport", "PDF (*.pdf)", suggested)
            if target is None:
                return
        fn = generate_audit_report if kind == "audit" else generate_quality_report
        run_task(
            self,
            "Génération du rapport",
            fn,
            self.state.db,
            ident,
            target,
            include_personal_data=self.personal.isChecked(),
            on_done=lambda size: self._done(target, size, kind == "audit" and self.personal.isChecked()),
        )

    def _done(self, path: Path, size: int, annex: bool = False) -> None:
        self.last = path
        text = f"Rapport écrit : {path} ({format_int(max(1, size // 1024))} Ko)"
        annex_path = nominative_annex_path(path)
        if annex and annex_path.exists():
            text += f" ; annexe nominative, fichier séparé : {annex_path.name}"
        self.result.setText(text)
        notify(self, f"Rapport enregistré : {path.name}" + (f" et {annex_path.name}" if annex else ""))
        self.open_button.setEnabled(True)
        try:
            self.preview.load(path)
        except IvoError as exc:
            self.result.setText(f"{self.result.text()} — {exc.message}")

    def open(self) -> None:
        if self.last:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last)))
