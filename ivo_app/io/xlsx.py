"""Spreadsheets (XLSX, XLS, ODS) through python-calamine: the first sheet, first row as header."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from python_calamine import CalamineError, CalamineWorkbook

from ivo_app.errors import UnreadableFileError
from ivo_app.io.mapping import ColumnMapping
from ivo_app.io.sources import FileFacts, register_reader
from ivo_app.io.tabular import TabularSource, unique_headers

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}

# The reader builds the sheet as a dense rectangle and keeps every shared string: both are checked
# in the archive before it allocates anything (one stray cell at XFD1048576 asks for 512 GiB).
MAX_COLUMNS = 500
MAX_CELLS = 60_000_000
MAX_XML_BYTES = 2 << 30  # one part of the archive, uncompressed
MAX_SHARED_STRINGS_BYTES = 256 << 20
MAX_RATIO = 200  # uncompressed / compressed: beyond, a "zip bomb", not an export
# Cell references (r="XFD1048576"): the columns as a set of letters, the rows by their number of
# digits first (the longest numbers hold the largest row), so a sheet of a million cells costs a few
# passes of the regular expression engine, not a million Python steps.
# They start with the literal r= (whatever space precedes it, either quote) so the engine skips ahead by a fast
# literal search; another attribute ending in "r" can only make the count larger, never hide a cell.
_CELL_COLUMN = re.compile(rb"""r=["']([A-Z]{1,3})[0-9]""")
_CELL_ROW = {n: re.compile(rb"""r=["'][A-Z]{0,3}([0-9]{%d})["']""" % n) for n in range(7, 0, -1)}
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


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
        if facts.head.startswith(_ZIP):
            check_archive_limits(path)
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


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _refuse(path: Path, reason: str) -> UnreadableFileError:
    return UnreadableFileError(f"Classeur refusé : {path.name}, {reason} ; rien n'a été importé.")


def _first_sheet(archive: zipfile.ZipFile) -> str | None:
    """The part holding the workbook's first sheet (the one the reader opens)."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    sheet = next((e for e in book.iter() if e.tag.endswith("}sheet")), None)
    if sheet is None:
        return None
    rel_id = sheet.get(_NS_REL)
    for rel in rels:
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
    return None


def check_archive_limits(path: Path) -> None:
    """Sizes an XLSX/ODS archive declares, and the first sheet's extent, checked before reading."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            for info in infos:
                limit = (
                    MAX_SHARED_STRINGS_BYTES if info.filename.endswith("sharedStrings.xml") else MAX_XML_BYTES
                )
                ratio = info.file_size / max(1, info.compress_size)
                if info.file_size > limit or (info.file_size > (1 << 20) and ratio > MAX_RATIO):
                    raise _refuse(
                        path,
                        f"la partie {info.filename} occupe {info.file_size // (1 << 20)} Mo décompressée "
                        f"(taux {ratio:.0f} pour 1) : trop pour une table d'identités",
                    )
            sheet = _first_sheet(archive)
            if sheet is None or sheet not in archive.namelist():
                return  # not an XLSX (ODS, ...): the reader judges it
            rows = cols = 0
            tail = b""
            with archive.open(sheet) as stream:
                while chunk := stream.read(1 << 22):
                    data = tail + chunk
                    for letters in set(_CELL_COLUMN.findall(data)):
                        cols = max(cols, _column_number(letters))
                    for pattern in _CELL_ROW.values():  # rows r="5" and cells r="A5"
                        if found := pattern.findall(data):
                            rows = max(rows, int(max(found)))
                            break
                    tail = data[-64:]  # a reference cut by the chunk boundary is read whole next time
                    if cols > MAX_COLUMNS or rows * cols > MAX_CELLS:
                        break
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # the reader says it cannot read the file, in its own words
    if cols > MAX_COLUMNS or rows * cols > MAX_CELLS:
        raise _refuse(
            path,
            f"la feuille s'étend jusqu'à la cellule {_column_letters(cols)}{rows} "
            f"({cols:,} colonnes × {rows:,} lignes ; au plus {MAX_COLUMNS} colonnes et "
            f"{MAX_CELLS:,} cellules)".replace(",", "\u202f"),
        )


register_reader("spreadsheet", is_spreadsheet, SpreadsheetSource, priority=20)
