"""The two questions pages ask the user (pages wrap them in methods that tests replace)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_yes_no(parent: QWidget, question: str) -> bool:
    answer = QMessageBox.question(
        parent, "IVO", question, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    )
    return answer == QMessageBox.StandardButton.Yes


def warn(parent: QWidget, message: str) -> None:
    QMessageBox.warning(parent, "IVO", message)
