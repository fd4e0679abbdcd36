"""The two questions pages ask the user (pages wrap them in methods that tests replace)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def ask_yes_no(parent: QWidget, question: str) -> bool:
    answer = QMessageBox.question(
        parent, "IVO", question, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    )
    return answer == QMessageBox.StandardButton.Yes


def warn(parent: QWidget, message: str) -> None:
    """A warning shown as plain text: messages quote file names and file content, which Qt would
    otherwise render as HTML when they look like it (« <b>… » in a name, a crafted cell)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "IVO", message, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


def plain_label(text: str = "") -> QLabel:
    """A label for messages that may quote what a file holds: never rendered as HTML."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
