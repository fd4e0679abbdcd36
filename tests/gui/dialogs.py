"""Answering the window's dialogs through their real widgets, as a user does: type a file name in
the file dialog and press Enter, click a message box's button, accept an input dialog."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QSpinBox,
    QWidget,
    QWizard,
)  # fmt: skip


def type_file_name(dialog: QFileDialog, path: Path) -> None:
    """Go to the folder, then type the name and press Enter (the dialog's own path, as a user does:
    a full path typed at once races the dialog's folder listing, which greys the button meanwhile)."""
    name = dialog.findChild(QLineEdit, "fileNameEdit")
    assert name is not None, "a Qt file dialog (not the platform's) is expected"
    dialog.setDirectory(str(path.parent))
    QTest.qWait(50)
    name.selectAll()
    QTest.keyClicks(name, path.name)
    completer = name.completer()
    if completer is not None and completer.popup().isVisible():
        completer.popup().hide()  # as Escape would: the suggestion list would take the Enter key
    QTest.keyClick(name, Qt.Key.Key_Return)


class Answerer:
    """Polls for the modal dialog in front and answers it; keeps what every message box said.

    `files` gives the path to type in each file dialog, by its title (or `default_file`); message
    boxes get their Yes/OK button clicked; input dialogs are accepted with their proposed value
    (unless `texts` gives one); wizards and other dialogs are cancelled (they have their own tests).
    """

    def __init__(self, folder: Path, files: dict[str, Path] | None = None) -> None:
        self.folder = folder
        self.files = files or {}
        self.messages: list[str] = []
        self.titles: list[str] = []
        self.texts: dict[str, str] = {}
        self.cut_titles: list[str] = []  # dialogs narrower than their title (the window manager cuts it)
        self.running = True
        self.custom: Callable[[QWidget], bool] | None = None
        QTimer.singleShot(50, self._poll)

    def stop(self) -> None:
        self.running = False

    def _poll(self) -> None:
        if not self.running:
            return
        widget = QApplication.activeModalWidget()
        if widget is not None and widget.isVisible() and not isinstance(widget, QProgressDialog):
            self.answer(widget)
        QTimer.singleShot(50, self._poll)

    def answer(self, widget: QWidget) -> None:
        if self.custom is not None and self.custom(widget):
            return
        self.titles.append(widget.windowTitle())
        # The title bar holds the title plus its buttons (about 120 pixels on common desktops).
        if widget.width() < widget.fontMetrics().horizontalAdvance(widget.windowTitle()) + 120:
            self.cut_titles.append(f"{widget.windowTitle()} ({widget.width()} px)")
        assert len(self.titles) < 500, f"the same dialog again and again: {self.titles[-5:]}"
        if isinstance(widget, QFileDialog):
            title = widget.windowTitle()
            path = self.files.get(title)
            if path is None:
                if widget.acceptMode() == QFileDialog.AcceptMode.AcceptSave:
                    path = self.folder / f"sortie-{len(self.titles)}"
                else:
                    widget.reject()  # nothing to open: the user changes their mind
                    return
            type_file_name(widget, path)
        elif isinstance(widget, QMessageBox):
            self.messages.append(widget.text())
            for wanted in (QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Ok):
                button = widget.button(wanted)
                if button is not None:
                    button.click()
                    return
            widget.accept()
        elif isinstance(widget, QInputDialog):
            text = self.texts.get(widget.labelText())
            if text is not None:
                edit = widget.findChild(QLineEdit)
                assert edit is not None
                edit.selectAll()
                QTest.keyClicks(edit, text)
            widget.accept()
        elif isinstance(widget, QWizard | QDialog):
            widget.reject()


Reply = Callable[[QWidget], None]


class Script:
    """Answers the next modal dialogs in order, one reply each, through their widgets; keeps every
    message box's text and buttons, and what each input dialog offered. A dialog nobody expected fails
    the test (it is left for `unexpected`), so a test sees each dialog its clicks open."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.messages: list[str] = []
        self.buttons: list[list[str]] = []
        self.formats: list[Qt.TextFormat] = []  # each message box's: plain text never renders HTML
        self.offered: list[list[str]] = []
        self.unexpected: list[str] = []
        self._last: QWidget | None = None
        self.running = True
        QTimer.singleShot(50, self._poll)

    def then(self, *replies: Reply) -> Script:
        self.replies.extend(replies)
        return self

    def stop(self) -> None:
        self.running = False

    def _poll(self) -> None:
        if not self.running:
            return
        widget = QApplication.activeModalWidget()
        answered = widget is not None and widget is self._last  # still closing after its reply
        if (
            widget is not None
            and widget.isVisible()
            and not answered
            and not isinstance(widget, QProgressDialog)
        ):
            self._last = widget
            if isinstance(widget, QMessageBox):
                self.messages.append(widget.text())
                self.buttons.append([b.text() for b in widget.buttons()])
                self.formats.append(widget.textFormat())
            if isinstance(widget, QInputDialog) and widget.comboBoxItems():
                self.offered.append(list(widget.comboBoxItems()))
            try:
                if self.replies:
                    self.replies.pop(0)(widget)
                else:
                    self.unexpected.append(widget.windowTitle())
                    widget.close()
            except AssertionError as exc:  # a reply that does not fit: said, and the dialog closed
                self.unexpected.append(f"{widget.windowTitle()}: {exc}")
                widget.close()
        QTimer.singleShot(50, self._poll)


def click(which: QMessageBox.StandardButton) -> Reply:
    """Click a message box's button (Oui, Non, OK) as the mouse does."""

    def reply(widget: QWidget) -> None:
        assert isinstance(widget, QMessageBox), widget
        button = widget.button(which)
        assert button is not None, [b.text() for b in widget.buttons()]
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)

    return reply


def type_in(text: str) -> Reply:
    """Type into an input dialog's text box, then click OK (Enter reaches the default button only
    while the dialog is the active window, which an offscreen run after other tests does not ensure)."""

    def reply(widget: QWidget) -> None:
        assert isinstance(widget, QInputDialog), widget
        # The visible box of the dialog's mode: a number's spin box, else the text line (the dialog
        # keeps the other mode's hidden widgets).
        spin = widget.findChild(QSpinBox)
        edit: QWidget | None = spin if widget.inputMode() == QInputDialog.InputMode.IntInput else None
        if edit is None:
            edit = next((e for e in widget.findChildren(QLineEdit) if e.isVisible()), None)
        assert edit is not None
        edit.selectAll()  # type: ignore[attr-defined]
        QTest.keyClicks(edit, text)
        box = widget.findChild(QDialogButtonBox)
        assert box is not None
        ok = box.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None and ok.isEnabled(), f"« {text} » not accepted"
        QTest.mouseClick(ok, Qt.MouseButton.LeftButton)

    return reply


def choose(text: str) -> Reply:
    """Pick an entry of an input dialog's list, then accept it."""

    def reply(widget: QWidget) -> None:
        assert isinstance(widget, QInputDialog), widget
        combo = widget.findChild(QComboBox)
        assert combo is not None and combo.findText(text) >= 0, widget.comboBoxItems()
        combo.setCurrentIndex(combo.findText(text))
        QTest.keyClick(combo, Qt.Key.Key_Return)

    return reply


def folder(path: Path) -> Reply:
    """Type a folder in the directory dialog and press Enter."""

    def reply(widget: QWidget) -> None:
        assert isinstance(widget, QFileDialog), widget
        name = widget.findChild(QLineEdit, "fileNameEdit")
        assert name is not None
        widget.setDirectory(str(path.parent))
        QTest.qWait(50)
        name.selectAll()
        QTest.keyClicks(name, path.name)
        completer = name.completer()
        if completer is not None and completer.popup().isVisible():
            completer.popup().hide()
        QTest.keyClick(name, Qt.Key.Key_Return)

    return reply


def type_text(widget: QWidget, text: str) -> None:
    """Type `text` key by key, accents included (QTest.keyClicks asserts on « è »): each character a
    key press and release carrying its text, as a French keyboard sends them; « \\n » is Enter."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    for char in text:
        key = Qt.Key.Key_Return if char == "\n" else Qt.Key.Key_unknown
        shown = "\r" if char == "\n" else char
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, shown))
    QApplication.processEvents()
