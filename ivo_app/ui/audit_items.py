"""One list of audit items (documents, observations, findings…) with the form that edits it.

The fields are data (`Field`), so every kind of item gets the same editor; saving and removing go
through callbacks the Audit page binds to `services.audit` (no rule lives here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

UNKNOWN = "—"
YES_NO = ((True, "oui"), (False, "non"))


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = "text"  # text | long | bool (oui / non / —) | choice | file
    choices: tuple[tuple[Any, str], ...] = ()
    column: bool = True  # shown in the list


class ItemEditor(QWidget):
    def __init__(
        self,
        fields: list[Field],
        save: Callable[[str | None, dict[str, Any]], str | None],
        remove: Callable[[str], bool],
        changed: Callable[[], None],
        choose_file: Callable[[], Path | None] | None = None,
        key_field: str | None = None,
        hint: str = "",
    ) -> None:
        super().__init__()
        self.fields = fields
        self._save, self._remove, self._changed, self._choose_file = save, remove, changed, choose_file
        self.key_field = key_field  # the field that is the item's key (a document's name)
        self.current: str | None = None  # key of the item in the form; None: a new item
        self.keys: list[str] = []
        self.items: dict[str, dict[str, Any]] = {}
        shown = [f for f in fields if f.column]
        self.table = QTableWidget(0, len(shown))
        self.table.setHorizontalHeaderLabels([f.label for f in shown])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selected)
        self.editors: dict[str, QWidget] = {}
        form = QFormLayout()
        for f in fields:
            self.editors[f.key] = editor = self._editor(f)
            if f.kind == "file":
                choose = QPushButton("Choisir…")
                choose.clicked.connect(self._pick_file)
                row = QHBoxLayout()
                row.addWidget(editor, 1)
                row.addWidget(choose)
                form.addRow(f.label + " :", row)
            else:
                form.addRow(f.label + " :", editor)
        self.state = QLabel()
        new = QPushButton("Nouveau")
        new.clicked.connect(self.new)
        self.save_button = QPushButton("Enregistrer")
        self.save_button.clicked.connect(self.save)
        self.remove_button = QPushButton("Supprimer")
        self.remove_button.clicked.connect(self.remove)
        buttons = QHBoxLayout()
        for button in (new, self.save_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addWidget(self.state, 1)
        layout = QVBoxLayout(self)
        if hint:
            note = QLabel(hint)
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.new()

    @staticmethod
    def _editor(f: Field) -> QWidget:
        if f.kind == "long":
            box = QPlainTextEdit()
            box.setFixedHeight(70)
            return box
        if f.kind in ("bool", "choice"):
            combo = QComboBox()
            combo.addItem(UNKNOWN, None)
            for value, label in YES_NO if f.kind == "bool" else f.choices:
                combo.addItem(label, value)
            return combo
        return QLineEdit()

    # --- list -------------------------------------------------------------------------------------

    def set_items(self, items: dict[str, dict[str, Any]]) -> None:
        """Show `items` (key → data), keeping the item being edited when it is still there."""
        current = self.current
        self.items = items
        self.keys = list(items)
        shown = [f for f in self.fields if f.column]
        self.table.blockSignals(True)
        self.table.setRowCount(len(items))
        for row, data in enumerate(items.values()):
            for col, f in enumerate(shown):
                item = QTableWidgetItem(self.display(f, data.get(f.key)))
                item.setToolTip(item.text())
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)
        if current in items:
            self.select(current)
        else:
            self.new()

    @staticmethod
    def display(f: Field, value: Any) -> str:
        if value is None or value == "":
            return UNKNOWN if f.kind in ("bool", "choice") else ""
        labels = dict(YES_NO if f.kind == "bool" else f.choices)
        return str(labels.get(value, value))

    def select(self, key: str) -> None:
        self.table.selectRow(self.keys.index(key))
        self._show(key)

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self._show(self.keys[rows[0].row()])

    # --- form -------------------------------------------------------------------------------------

    def _show(self, key: str) -> None:
        self.current = key
        data = self.items.get(key, {})
        for f in self.fields:
            self.set_value(f.key, data.get(f.key))
        if self.key_field:
            self.editors[self.key_field].setEnabled(False)  # the key of a saved item does not change
        self.remove_button.setEnabled(True)
        self.state.setText(f"Modification : {key}")

    def new(self) -> None:
        self.current = None
        self.table.clearSelection()
        for f in self.fields:
            self.set_value(f.key, None)
        if self.key_field:
            self.editors[self.key_field].setEnabled(True)
        self.remove_button.setEnabled(False)
        self.state.setText("Nouvel élément")

    def set_value(self, key: str, value: Any) -> None:
        editor = self.editors[key]
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(value)))
        elif isinstance(editor, QPlainTextEdit):
            editor.setPlainText("" if value is None else str(value))
        elif isinstance(editor, QLineEdit):
            editor.setText("" if value is None else str(value))

    def values(self) -> dict[str, Any]:
        """The form as item data; an empty field is None (the service removes it)."""
        data: dict[str, Any] = {}
        for f in self.fields:
            editor = self.editors[f.key]
            if isinstance(editor, QComboBox):
                data[f.key] = editor.currentData()
            elif isinstance(editor, QPlainTextEdit):
                data[f.key] = editor.toPlainText().strip() or None
            elif isinstance(editor, QLineEdit):
                data[f.key] = editor.text().strip() or None
        return data

    def _pick_file(self) -> None:
        path = self._choose_file() if self._choose_file else None
        if path is not None:
            field = next(f for f in self.fields if f.kind == "file")
            self.set_value(field.key, str(path))

    def save(self) -> None:
        """Through the page's callback (None: refused, the form is kept as typed)."""
        key = self._save(self.current, self.values())
        if key is not None:
            self.current = key  # the reloaded list shows the saved item in the form
            self._changed()

    def remove(self) -> None:
        if self.current is not None and self._remove(self.current):
            self.current = None
            self._changed()


def choice(values: dict[str, str]) -> tuple[tuple[Any, str], ...]:
    return tuple(values.items())
