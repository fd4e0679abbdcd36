"""Table models fed by services. Identities load lazily, a page at a time (a million rows scroll)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ivo_app.labels import field_label, format_date, format_datetime, format_decimal, format_int
from ivo_app.services.browse import COLUMNS, IdentityFilter, count_identities, identity_page
from ivo_app.store.db import Database

Index = QModelIndex | QPersistentModelIndex
IdRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2  # the raw value: numbers and dates sort as such
TOOLTIP_FROM = 12  # characters: longer cells may be elided, their tooltip shows them whole


def display(value: Any) -> str:
    """A cell in French: 5 000, 53,7, JJ/MM/AAAA."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return format_int(value)
    if isinstance(value, float):
        return format_decimal(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    return str(value)


def two_lines(label: str, longest: int = 12) -> str:
    """A long column header on two lines, cut at the space nearest its middle: a dense table keeps
    the field's one label ("Date de naissance") without a column wider than its values."""
    if len(label) <= longest or " " not in label:
        return label
    middle = len(label) / 2
    cut = min((i for i, c in enumerate(label) if c == " "), key=lambda i: abs(i - middle))
    return label[:cut] + "\n" + label[cut + 1 :]


def field_headers(*names: str) -> list[str]:
    """Column headers of identity fields: their labels in the field table, long ones on two lines."""
    return [two_lines(field_label(name)) for name in names]


def sort_key(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


class _RowsModel(QAbstractTableModel):
    """Rows in a list, headers given: what both models share."""

    headers: list[str]
    rows: list[Any]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.headers)
        ):
            return self.headers[section]
        return None


class IdentityTableModel(_RowsModel):
    PAGE = 500

    def __init__(self, db: Database, extraction_id: int | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.db = db
        self.headers = [two_lines(label) for _, label in COLUMNS]
        self.extraction_id = extraction_id
        self.filter = IdentityFilter()
        self.rows: list[dict[str, Any]] = []
        self.total = 0
        self._exhausted = True
        self._fetching = False
        self.order: tuple[str, bool] | None = None  # (column, descending) chosen by a header click

    on_loaded: Callable[[int | None, int], None] | None = None

    def load(self, extraction_id: int | None, flt: IdentityFilter | None = None) -> None:
        self._fetching = True  # no fetch from listeners while the reset is in flight
        try:
            self.beginResetModel()
            self.extraction_id = extraction_id
            self.filter = flt or IdentityFilter()
            self.rows = []
            self.total = count_identities(self.db, extraction_id, self.filter) if extraction_id else 0
            self._exhausted = extraction_id is None
            self.endResetModel()
        finally:
            self._fetching = False
        if extraction_id is not None:
            self.fetchMore(QModelIndex())
        if self.on_loaded is not None:  # the page journals what it shows (ui/views.py)
            self.on_loaded(extraction_id, self.total)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, SortRole):
            return str(row[COLUMNS[index.column()][0]])
        if role == Qt.ItemDataRole.ToolTipRole:
            text = str(row[COLUMNS[index.column()][0]])
            return text if len(text) >= TOOLTIP_FROM else None
        if role == IdRole:
            return row["id"]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted in SQL, over the whole filtered table (not only the rows already fetched)."""
        if not (0 <= column < len(COLUMNS)):
            self.order = None
        else:
            self.order = (COLUMNS[column][0], order == Qt.SortOrder.DescendingOrder)
        self.load(self.extraction_id, self.filter)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or self._exhausted or self.extraction_id is None or self._fetching:
            return
        self._fetching = True  # views may ask for more while rows are being inserted
        try:
            if self.order is None:
                after = self.rows[-1]["id"] if self.rows else 0
                page = identity_page(self.db, self.extraction_id, after, self.PAGE, self.filter)
            else:
                page = identity_page(
                    self.db,
                    self.extraction_id,
                    0,
                    self.PAGE,
                    self.filter,
                    order=self.order,
                    offset=len(self.rows),
                )
            if len(page) < self.PAGE:
                self._exhausted = True
            if page:
                self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(page) - 1)
                self.rows.extend(page)
                self.endInsertRows()
        finally:
            self._fetching = False


class ListTableModel(_RowsModel):
    """A small read-only table from a list of rows (extractions, rules, findings, indicators)."""

    def __init__(self, headers: list[str], rows: list[list[Any]] | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.headers = headers
        self.rows: list[list[Any]] = rows or []
        self.keys: list[Any] = []

    def set_rows(self, rows: list[list[Any]], keys: list[Any] | None = None) -> None:
        """`keys`: what each row stands for (an id, a pair), read back with IdRole whatever the sort."""
        self.beginResetModel()
        self.rows = rows
        self.keys = list(keys) if keys is not None else list(range(len(rows)))
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        row = self.rows[index.row()]
        if not (0 <= index.column() < len(row)):
            return None
        value = row[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return display(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = display(value)
            return text if len(text) >= TOOLTIP_FROM else None
        if role == SortRole:
            return sort_key(value)
        if (
            role == Qt.ItemDataRole.TextAlignmentRole
            and isinstance(value, int | float)
            and not isinstance(value, bool)
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == IdRole:
            return self.keys[index.row()] if index.row() < len(self.keys) else None
        return None
