"""The main window: a navigation list and one page per capability."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ivo_app import __version__
from ivo_app.paths import resource
from ivo_app.services.extractions import list_extractions
from ivo_app.ui.context_bar import ContextBar
from ivo_app.ui.icons import PAGE_ICONS, app_icon, icon
from ivo_app.ui.pages.anomalies import AnomaliesPage
from ivo_app.ui.pages.audit import AuditPage
from ivo_app.ui.pages.base import Page
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
        self.pages: list[Page] = [
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
        self.nav.setIconSize(QSize(20, 20))
        for page in self.pages:
            item = QListWidgetItem(icon(PAGE_ICONS.get(page.title, "")), page.title)
            self.nav.addItem(item)
            self.stack.addWidget(page)
        self.nav.setSpacing(2)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        longest = max(self.nav.fontMetrics().horizontalAdvance(p.title) for p in self.pages)
        self.nav.setFixedWidth(longest + 20 + 2 * 12 + 8)  # icon, margins: every title whole
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
        self._help_menu()
        self.setWindowIcon(app_icon())
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

    def _help_menu(self) -> None:
        menu = self.menuBar().addMenu("&Aide")
        guide = QAction(icon("help"), "&Guide d'utilisation", self)
        guide.setShortcut(QKeySequence.StandardKey.HelpContents)
        guide.triggered.connect(self.show_guide)
        about = QAction(icon("info-circle"), "À &propos d'IVO", self)
        about.triggered.connect(self.show_about)
        menu.addAction(guide)
        menu.addAction(about)
        self.help_actions = {"guide": guide, "about": about}

    def show_guide(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("Guide d'utilisation d'IVO")
        browser = QTextBrowser()
        path = resource("help", "guide.html")
        browser.setHtml(path.read_text(encoding="utf-8") if path.exists() else "")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(browser)
        layout.addWidget(buttons)
        dialog.resize(760, 600)
        self.guide = dialog
        dialog.open()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "À propos d'IVO",
            f"<h3>IVO {__version__}</h3><p>Identitovigilance : qualité des identités (RNIV, INS), "
            "doublons et collisions, audit IVO3, formation.</p>"
            "<p>Les données restent sur ce poste ou sur la base de l'établissement ; le journal ne "
            "contient jamais de nom de patient.</p>"
            "<p>Icônes : Tabler Icons (licence MIT). Police des rapports : DejaVu. "
            "Interface : Qt / PySide6 (LGPL).</p>",
        )

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        QSettings("IVO", "IVO").setValue("geometry", self.saveGeometry())
        super().closeEvent(event)
