"""Two records side by side with the traits that differ highlighted (review queue, training)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

DIFFERS = QColor("#ffe0b2")


def fill(table: QTableWidget, columns: Sequence[Sequence[str]], first_row_is_id: bool = True) -> None:
    """One column per record, one row per trait; with two records, differing traits are coloured
    (the identifier row excepted: it always differs)."""
    for col, values in enumerate(columns):
        for row, value in enumerate(values):
            cell = QTableWidgetItem(value)
            cell.setToolTip(value)  # an elided long name is read whole
            other = columns[1 - col][row] if len(columns) == 2 else value
            if value != other and not (first_row_is_id and row == 0):
                cell.setBackground(QBrush(DIFFERS))
            table.setItem(row, col, cell)
