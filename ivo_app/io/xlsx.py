"""Spreadsheets (XLSX, XLS, ODS) through python-calamine: the first sheet, first row as header."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from ivo_app.errors import UnreadableFileError
from ivo_app.io.mapping import ColumnMapping
from ivo_app.io.sources import FileFacts, register_reader
from ivo_app.io.tabular import TabularSource, unique_headers

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}


def cell_text(value: object) -> str:
    """A typed cell as the text an export would have written."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def is_spreadsheet(path: Path, head: bytes) -> bool:
    return path.is_file() and (head.startswith((_ZIP, _OLE)) or path.suffix.lower() in SPREADSHEET_SUFFIXES)


class SpreadsheetSource(TabularSource):
    format = "xlsx"

    def __init__(self, path: Path, mapping: ColumnMapping | None, facts: FileFacts) -> None:
        super().__init__(mapping)
        self.path = path
        try:
            self._sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
            first = next(iter(self._sheet.iter_rows()), None)
        except (CalamineError, OSError, ValueError) as exc:
            raise UnreadableFileError(
                f"Classeur illisible : {path.name} ({exc.__class__.__name__})."
            ) from exc
        if not first or sum(1 for c in first if cell_text(c).strip()) < 2:
            raise UnreadableFileError(f"Classeur sans en-tête de colonnes : {path.name}.")
        self.headers = unique_headers([cell_text(c) for c in first])
        self.total = max(0, self._sheet.total_height - 1)
        self._done = 0

    def __getstate__(self) -> dict[str, object]:
        """Sent to the import's reader process: the sheet is opened again there."""
        return {k: v for k, v in self.__dict__.items() if k != "_sheet"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._sheet = CalamineWorkbook.from_path(str(self.path)).get_sheet_by_index(0)

    def position(self) -> tuple[int, int]:
        return (self._done, self.total)

    def _cells(self) -> Iterator[tuple[int, list[str]]]:
        rows = iter(self._sheet.iter_rows())
        next(rows, None)
        width = len(self.headers)
        for line_no, row in enumerate(rows, start=2):
            self._done = line_no - 1
            cells = [cell_text(c) for c in row]
            if not any(c.strip() for c in cells):
                continue
            yield (line_no, (cells + [""] * width)[:width])  # sheet rows share the sheet width


register_reader("spreadsheet", is_spreadsheet, SpreadsheetSource, priority=20)
