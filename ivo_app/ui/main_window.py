"""The main window: a navigation list and one page per capability."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ivo_app import __version__
from ivo_app.services.extractions import list_extractions
from ivo_app.ui.context_bar import ContextBar
from ivo_app.ui.pages.anomalies import AnomaliesPage
from ivo_app.ui.pages.audit import AuditPage
from ivo_app.ui.pages.dashboard import DashboardPage
from ivo_app.ui.pages.duplicates import DuplicatesPage
from ivo_app.ui.pages.extractions import ExtractionsPage
from ivo_app.ui.pages.identities import IdentitiesPage
from ivo_app.ui.pages.journal import JournalPage
from ivo_app.ui.pages.report import ReportPage
from ivo_app.ui.pages.settings import SettingsPage, shown_url
from ivo_app.ui.pages.training import TrainingPage
from ivo_app.ui.state import AppState
from ivo_app.ui.tools_menu import ToolsMenu
from ivo_app.ui.welcome import WelcomePage


class MainWindow(QMainWindow):
    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.setWindowTitle(f"IVO {__version__} — identitovigilance")
        self.extractions = ExtractionsPage(state)
        self.pages: list[QWidget] = [
            self.extractions,
            DashboardPage(state),
            IdentitiesPage(state),
            AnomaliesPage(state),
            DuplicatesPage(state),
            AuditPage(state),
            ReportPage(state),
            TrainingPage(state),
            JournalPage(state),
            SettingsPage(state),
        ]
        self.nav = QListWidget()
        self.nav.setFixedWidth(190)
        self.stack = QStackedWidget()
        for page in self.pages:
            self.nav.addItem(page.title)  # type: ignore[attr-defined]
            self.stack.addWidget(page)
        self.settings_page = next(p for p in self.pages if isinstance(p, SettingsPage))
        self.welcome = WelcomePage(
            [
                ("import", "Importer un fichier…", self.extractions.open_import),
                ("demo", "Créer une démonstration…", self.extractions.create_demo),
                ("open", "Ouvrir une base…", self._open_base),
            ]
        )
        self.stack.addWidget(self.welcome)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.context = ContextBar(state)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.context)
        right_layout.addWidget(self.stack, 1)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self.nav)
        layout.addWidget(right, 1)
        self.setCentralWidget(central)
        self._menus()
        self.tools = ToolsMenu(self, state)
        self.base = QLabel()
        self.statusBar().addPermanentWidget(self.base)
        self._show_base(state.db.url)
        state.database_changed.connect(self._show_base)
        state.data_changed.connect(self._welcome_if_empty)
        state.database_changed.connect(lambda _: self._welcome_if_empty())
        settings = QSettings("IVO", "IVO")
        geometry = settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 720)
        self.nav.setCurrentRow(1 if state.extraction_id else 0)
        self._welcome_if_empty()

    def _show_base(self, url: str) -> None:
        self.base.setText(f"Base : {shown_url(url)}")

    def _welcome_if_empty(self) -> None:
        """An empty base opens on the welcome page; the first extraction leads to the dashboard."""
        empty = not list_extractions(self.state.db)
        if empty:
            self.nav.blockSignals(True)
            self.nav.clearSelection()
            self.nav.setCurrentRow(-1)
            self.nav.blockSignals(False)
            self.stack.setCurrentWidget(self.welcome)
        elif self.stack.currentWidget() is self.welcome:
            self.nav.setCurrentRow(1)

    def _open_base(self) -> None:
        self.settings_page.choose_and_open_database()

    def _menus(self) -> None:
        file_menu = self.menuBar().addMenu("&Fichier")
        for label, shortcut, slot in (
            ("&Importer un fichier…", QKeySequence.StandardKey.Open, self.extractions.open_import),
            ("Créer une &démonstration…", None, self.extractions.create_demo),
            ("&Vérifier l'extraction", None, self.extractions.run_check),
            ("&Quitter", QKeySequence.StandardKey.Quit, self.close),
        ):
            action = QAction(label, self)
            if shortcut is not None:
                action.setShortcut(shortcut)
            action.triggered.connect(slot)
            file_menu.addAction(action)
        for row in range(min(9, len(self.pages))):  # Ctrl+1 … Ctrl+9
            action = QAction(self)
            action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key(Qt.Key.Key_1 + row)))
            action.triggered.connect(lambda _=False, r=row: self.nav.setCurrentRow(r))
            self.addAction(action)

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        QSettings("IVO", "IVO").setValue("geometry", self.saveGeometry())
        super().closeEvent(event)
