"""The detail of one identity: every trait, its anomalies with the fix, its duplicate pairs and
their decisions, the same IPP in the facility's other extractions. Opened from Identités,
Anomalies, Doublons and the search before creation; one window, reused, never modal."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from ivo_app.errors import IvoError
from ivo_app.services.identity_detail import IdentityDetail, identity_detail
from ivo_app.services.journal import record_view
from ivo_app.ui.models import ListTableModel, field_headers
from ivo_app.ui.state import AppState
from ivo_app.ui.tables import setup_table


class IdentityPanel(QDialog):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.detail: IdentityDetail | None = None
        self.setWindowTitle("Fiche d'identité")
        self.heading = QLabel()
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.traits = ListTableModel(["Trait", "Valeur"])
        self.findings = ListTableModel(["Règle", "Sévérité", "Anomalie", "Corriger"])
        self.pairs = ListTableModel(["Autre IPP", "Type", "Niveau", "Score", "Décision", "Commentaire"])
        self.history = ListTableModel(
            ["Extraction", "Date", *field_headers("status", "birth_name", "first_names", "birth_date")]
        )
        self.views: dict[str, QTableView] = {}
        self.tabs = QTabWidget()
        for key, title, model in (
            ("traits", "Traits", self.traits),
            ("findings", "Anomalies", self.findings),
            ("pairs", "Doublons", self.pairs),
            ("history", "Historique", self.history),
        ):
            view = QTableView()
            view.setModel(model)
            setup_table(view, stretch_last=True)
            view.setWordWrap(True)
            view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            self.views[key] = view
            self.tabs.addTab(view, title)
        self.views["pairs"].setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.views["pairs"].doubleClicked.connect(self._open_other)
        self.views["pairs"].activated.connect(self._open_other)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(900, 560)

    _shown_id: int | None = None

    def show_identity(self, identity_id: int) -> None:
        try:
            detail = identity_detail(self.state.db, identity_id)
        except IvoError as exc:
            self.heading.setText(escape(exc.message))
            return
        again = self.isVisible() and self._shown_id == identity_id  # a double-click also "activates"
        self.detail, self._shown_id = detail, identity_id
        if not again:
            record_view(self.state.db, "fiche", detail.extraction_id, 1)
        self.setWindowTitle(f"Fiche d'identité — IPP {detail.ipp}")
        self.heading.setText(
            f"<h3>{escape(detail.title)}</h3>IPP <b>{escape(detail.ipp)}</b> — {escape(detail.facility)}, "
            f"extraction n° {detail.extraction_id} du {detail.extracted_on}"
        )
        self.traits.set_rows([[name, value] for name, value in detail.traits])
        self.findings.set_rows([[f.title, f.severity, f.message, f.fix] for f in detail.findings])
        self.pairs.set_rows(
            [[p.other_ipp, p.kind, p.level, p.score, p.decision, p.comment] for p in detail.pairs]
        )
        self.history.set_rows(
            [
                [
                    f"n° {h.extraction_id}" + (" (celle-ci)" if h.current else ""),
                    h.extracted_on,
                    h.status,
                    h.birth_name,
                    h.first_names,
                    h.birth_date,
                ]
                for h in detail.history
            ]
        )
        counts = (
            ("Anomalies", len(detail.findings)),
            ("Doublons", len(detail.pairs)),
            ("Historique", len(detail.history)),
        )
        for name, count in counts:
            index = [self.tabs.tabText(i).split(" (")[0] for i in range(self.tabs.count())].index(name)
            self.tabs.setTabText(index, f"{name} ({count})")
        for view in self.views.values():
            view.resizeRowsToContents()
        self.show()
        self.raise_()

    def _open_other(self, index) -> None:  # type: ignore[no-untyped-def]
        if self.detail is not None and 0 <= index.row() < len(self.detail.pairs):
            self.show_identity(self.detail.pairs[index.row()].other_id)


def open_identity(widget: QWidget, state: AppState, identity_id: int | None) -> IdentityPanel | None:
    """Show `identity_id` in the window's one detail panel (created on first use)."""
    if identity_id is None:
        return None
    window = widget.window()
    panel = getattr(window, "_identity_panel", None)
    if panel is None:
        panel = IdentityPanel(state, window)
        window._identity_panel = panel  # type: ignore[attr-defined]
    panel.show_identity(identity_id)
    return panel
