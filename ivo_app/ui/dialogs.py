"""The questions pages ask the user (pages wrap them in methods that tests replace).

Every box shows plain text: messages quote file names, session titles and file content, which Qt
would otherwise render as HTML when they look like it (« <b>… » in a name, a crafted cell). The
buttons are Qt's standard ones, French through the qtbase translation installed by `ui.app`."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def _box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str,
         buttons: QMessageBox.StandardButton) -> QMessageBox:  # fmt: skip
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box


def ask_yes_no(parent: QWidget | None, question: str, title: str = "IVO") -> bool:
    box = _box(parent, QMessageBox.Icon.Question, title, question,
               QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)  # fmt: skip
    box.setDefaultButton(QMessageBox.StandardButton.No)  # a stray Enter changes nothing
    return box.exec() == QMessageBox.StandardButton.Yes


def warn(parent: QWidget | None, message: str, title: str = "IVO") -> None:
    _box(parent, QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok).exec()


def inform(parent: QWidget | None, message: str, title: str = "IVO") -> None:
    _box(parent, QMessageBox.Icon.Information, title, message, QMessageBox.StandardButton.Ok).exec()


def plain_label(text: str = "") -> QLabel:
    """A label for messages that may quote what a file holds: never rendered as HTML."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
