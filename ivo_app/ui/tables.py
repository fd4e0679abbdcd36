"""How every table of the window behaves: whole rows selected, sortable by a header click, columns
sized to their content (within a maximum, the rest elided with the full text in a tooltip)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSortFilterProxyModel, Qt
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
    refit = _Refit(view)
    view.viewport().installEventFilter(refit)
    view._refit = refit  # type: ignore[attr-defined]  # kept alive with the view


class _Refit(QObject):
    """Columns fitted again when the table is resized (a window made smaller, a splitter moved)."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.view = view
        self.width = -1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.view.viewport().width() != self.width:
            self.width = self.view.viewport().width()
            fit_columns(self.view)
        return False


def fit_columns(view: QTableView) -> None:
    """Each column as wide as its header and content, at most MAX_COLUMN; when they do not all fit
    the table's width, the widest are narrowed alike (elided, whole in the tooltip), never below
    their header's text: no horizontal scrollbar while the headers can be read."""
    header = view.horizontalHeader()
    count = header.count()
    if count == 0 or header.sectionResizeMode(0) != QHeaderView.ResizeMode.Interactive:
        return
    view.resizeColumnsToContents()
    metrics = header.fontMetrics()
    model = view.model()
    whole = set(view.property("whole_columns") or ())  # identifiers and dates are never elided
    wanted, least = [], []
    for column in range(count):
        text = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        # a header on two lines (ui.models.two_lines) is as wide as its longer line
        floor = max(map(metrics.horizontalAdvance, text.split("\n"))) + 2 * metrics.averageCharWidth() + 8
        width = max(floor, min(header.sectionSize(column), MAX_COLUMN))
        least.append(width if column in whole else floor)
        wanted.append(width)
    available = view.viewport().width()
    if available > 0 and sum(wanted) > available:
        low, high = 0, max(wanted)
        while low < high:  # the largest cap at which every column still fits
            cap = (low + high + 1) // 2
            if sum(max(f, min(w, cap)) for w, f in zip(wanted, least, strict=True)) <= available:
                low = cap
            else:
                high = cap - 1
        wanted = [max(f, min(w, low)) for w, f in zip(wanted, least, strict=True)]
    for column, width in enumerate(wanted):
        header.resizeSection(column, width)


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
