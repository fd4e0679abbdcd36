"""A date typed as a person types it: 01/02/1980, 1/2/1980, 01021980, 1980-02-01. No default date
(an untouched field is empty, never 01/01/1980), and a wrong date is said at once, never silently
replaced by another."""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QWidget

from ivo_app.io.values import parse_date

_SHORT = re.compile(r"^\s*(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})\s*$")  # 1/2/1980


def read_date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    short = _SHORT.match(text)
    if short:
        day, month, year = (int(g) for g in short.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return parse_date(text)


class DateField(QLineEdit):
    date_changed = Signal(object)  # the date, or None when empty or not a date

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("JJ/MM/AAAA")
        self.setMaxLength(10)
        self.textChanged.connect(self._changed)

    def value(self) -> date | None:
        return read_date(self.text())

    def problem(self) -> str | None:
        """None when empty or a real date; otherwise the French sentence to show."""
        text = self.text().strip()
        if not text or self.value() is not None:
            return None
        return f"« {text} » n'est pas une date : saisissez-la en JJ/MM/AAAA (par exemple 01/02/1980)."

    def _changed(self, _text: str) -> None:
        self.setStyleSheet("" if self.problem() is None else "background: #ffebee")
        self.date_changed.emit(self.value())
