"""The questions pages ask the user (pages wrap them in methods that tests replace).

Every box shows plain text: messages quote file names, session titles and file content, which Qt
would otherwise render as HTML when they look like it (« <b>… » in a name, a crafted cell). The
buttons are Qt's standard ones, French through the qtbase translation installed by `ui.app`."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QMessageBox, QWidget


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


# Input dialogs: Qt sizes them to their label and box (200 pixels for a number), so the window
# manager cuts their title ("Démonstr…"); these give them room for the title and its buttons.
MIN_INPUT_WIDTH = 360


def _input(parent: QWidget | None, title: str, label: str) -> QInputDialog:
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setOkButtonText("OK")
    dialog.setCancelButtonText("Annuler")
    return dialog


def _run(dialog: QInputDialog) -> bool:
    """Exec once sized: the dialog's layout fixes its own minimum, so the room is asked of its label."""
    dialog.setLabelText(dialog.labelText())  # builds the layout for the input mode chosen
    dialog.ensurePolished()
    title_room = dialog.fontMetrics().horizontalAdvance(dialog.windowTitle()) + 160  # icon, buttons
    label = dialog.findChild(QLabel)
    if label is not None:
        label.setMinimumWidth(max(MIN_INPUT_WIDTH, title_room) - 40)  # the dialog's margins
    return dialog.exec() == QInputDialog.DialogCode.Accepted


def ask_int(parent: QWidget | None, title: str, label: str, value: int, minimum: int, maximum: int,
            step: int = 1) -> int | None:  # fmt: skip
    """A whole number, or None when cancelled."""
    dialog = _input(parent, title, label)
    dialog.setInputMode(QInputDialog.InputMode.IntInput)
    dialog.setIntRange(minimum, maximum)
    dialog.setIntStep(step)
    dialog.setIntValue(value)
    try:
        return dialog.intValue() if _run(dialog) else None
    finally:
        dialog.deleteLater()


def ask_item(parent: QWidget | None, title: str, label: str, items: list[str]) -> str | None:
    """One of `items` (not editable), or None when cancelled."""
    dialog = _input(parent, title, label)
    dialog.setComboBoxItems(items)
    dialog.setComboBoxEditable(False)
    try:
        return dialog.textValue() if _run(dialog) else None
    finally:
        dialog.deleteLater()


def ask_text(parent: QWidget | None, title: str, label: str, *, secret: bool = False) -> str | None:
    """A line of text (masked when `secret`), or None when cancelled."""
    dialog = _input(parent, title, label)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Password if secret else QLineEdit.EchoMode.Normal)
    try:
        return dialog.textValue() if _run(dialog) else None
    finally:
        dialog.deleteLater()
