"""How every table of the window behaves: whole rows selected, sortable by a header click, columns
sized to their content (within a maximum, the rest elided with the full text in a tooltip)."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from ivo_app.ui.models import IdRole, SortRole

MAX_COLUMN = 220  # pixels: a long name or message is elided (its tooltip shows it whole)


def setup_table(view: QTableView, stretch_last: bool = False, single: bool = True) -> None:
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single:
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(stretch_last)
    header.setMaximumSectionSize(MAX_COLUMN * 2)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)  # compact rows
    model = view.model()
    if model is not None:
        model.modelReset.connect(lambda: fit_columns(view))
        model.layoutChanged.connect(lambda: fit_columns(view))


def fit_columns(view: QTableView) -> None:
    """Each column as wide as its header and visible content, at most MAX_COLUMN."""
    view.resizeColumnsToContents()
    header = view.horizontalHeader()
    last = header.count() - 1
    for column in range(header.count()):
        if header.sectionSize(column) > MAX_COLUMN and not (header.stretchLastSection() and column == last):
            header.resizeSection(column, MAX_COLUMN)


def sortable(view: QTableView) -> QSortFilterProxyModel:
    """Put a sorting proxy between the view and its model: a click on a header sorts."""
    source = view.model()
    proxy = QSortFilterProxyModel(view)
    proxy.setSourceModel(source)
    proxy.setSortRole(SortRole)
    proxy.setSortLocaleAware(True)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the service's order until a header is clicked
    return proxy


def selected_key(view: QTableView) -> object | None:
    """The key (IdRole) of the selected row, whatever the sort."""
    selection = view.selectionModel()
    if selection is None:
        return None
    rows = selection.selectedRows()
    return rows[0].data(IdRole) if rows else None


def select_key(view: QTableView, key: object) -> bool:
    """Select the row standing for `key` (kept across a refresh or a sort)."""
    model = view.model()
    for row in range(model.rowCount()):
        if model.index(row, 0).data(IdRole) == key:
            view.selectRow(row)
            view.scrollTo(model.index(row, 0))
            return True
    return False
