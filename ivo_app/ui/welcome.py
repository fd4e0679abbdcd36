"""What an empty base shows first: the three ways to start."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from ivo_app.ui.icons import icon

ICONS = {"import": "file-import", "demo": "school", "open": "search"}


class WelcomePage(QWidget):
    title = "Bienvenue"

    def __init__(self, actions: list[tuple[str, str, Callable[[], None]]]) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addStretch()
        heading = QLabel(
            "<h1>Bienvenue dans IVO</h1><p>Cette base ne contient encore aucune extraction. "
            "Pour commencer :</p>"
        )
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(heading)
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in actions:
            button = QPushButton(icon(ICONS.get(key, "")), text)
            button.setMinimumWidth(360)
            button.setMinimumHeight(44)
            button.clicked.connect(lambda _=False, s=slot: s())
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
            self.buttons[key] = button
        hint = QLabel(
            "<p>Importer : l'export des identités du logiciel d'admission (CSV, Excel, HL7, FHIR).<br>"
            "Démonstration : un établissement fictif pour découvrir l'outil ou former.<br>"
            "Ouvrir : une base IVO existante (fichier SQLite ou base partagée).</p>"
        )
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(hint)
        layout.addStretch()
