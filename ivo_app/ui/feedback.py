"""Short confirmations in the main window's status bar ("Vérification terminée", "Paire décidée"):
the user sees that the action happened without a dialog to close."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QWidget

SHOWN_MS = 10_000


def notify(widget: QWidget, message: str) -> None:
    window = widget.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(message, SHOWN_MS)
