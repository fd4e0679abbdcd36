"""The window's icons (Tabler Icons, MIT, in resources/icons) and the application icon."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from ivo_app.paths import resource

PAGE_ICONS = {
    "Établissements et extractions": "file-import",
    "Tableau de bord": "chart-bar",
    "Identités": "users",
    "Anomalies": "alert-triangle",
    "Doublons": "copy",
    "Audit IVO3": "clipboard-check",
    "Rapport": "file-text",
    "Formation": "school",
    "Journal": "list-details",
    "Paramètres": "settings",
}


@cache
def icon(name: str) -> QIcon:
    path = resource("icons", f"{name}.svg")
    return QIcon(str(path)) if path.exists() else QIcon()


def app_icon() -> QIcon:
    return icon("ivo")
