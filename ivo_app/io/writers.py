"""Table writers (CSV, XLSX) safe against formula injection and control characters.

A spreadsheet runs a cell starting with = + - @ (or tab / CR before them) as a formula; an
identity table is user-entered text, so such cells are prefixed with an apostrophe. The XLSX format
cannot hold C0 control characters (other than tab, line feed, carriage return): they are written as
their code, U+XXXX, visible in the cell, and the writer says which cells it changed.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ivo_app.errors import IvoError
from ivo_app.io.atomic import atomic_path

# Full-width forms too: spreadsheets normalise them and run "＝1+1" like "=1+1".
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# A signed number alone ("+1", "-12", "+33 6 12 34 56") computes nothing: left as it is, so an IPP
# exported then read back (a reviewed queue) is the same IPP.
_PLAIN_NUMBER = re.compile(r"[+\-\uff0b\uff0d]?[0-9 .,]*[0-9]")
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what the XLSX (XML 1.0) format refuses


class WrittenRows(int):
    """The number of rows written, with the cells whose control characters were shown as U+XXXX
    (row number from 1 after the header, column name)."""

    replaced: tuple[tuple[int, str], ...] = ()

    def __new__(cls, count: int, replaced: Sequence[tuple[int, str]] = ()) -> WrittenRows:
        obj = super().__new__(cls, count)
        obj.replaced = tuple(replaced)
        return obj


def xlsx_text(value: str) -> str:
    """`value` with the characters an XLSX cell cannot hold written as U+XXXX."""
    return _XLSX_ILLEGAL.sub(lambda m: f"U+{ord(m.group()):04X}", value)


def safe_cell(value: Any) -> Any:
    """Neutralise text that a spreadsheet would evaluate; other values pass through."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def unguard_cell(text: str) -> str:
    """The value `safe_cell` guarded, for a file of ours read back (a reviewed queue)."""
    if text.startswith("'") and text[1:].startswith(_FORMULA_START):
        return text[1:]
    return text


def write_csv_stream(stream: Any, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """CSV to an open stream (standard output), guarded like the files."""
    writer = csv.writer(stream, delimiter=";", lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([safe_cell(_text(v)) for v in row])


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def write_table(path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> WrittenRows:
    """Write a CSV (`;`, UTF-8 with BOM for Excel) or an XLSX, chosen by the file's suffix; whole
    or not at all (a failure leaves no partial file, see io.atomic)."""
    with atomic_path(path) as temp:
        return _write_file(temp, path.suffix.lower(), headers, rows)


def _write_file(
    path: Path, suffix: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> WrittenRows:
    count = 0
    replaced: list[tuple[int, str]] = []
    try:
        if suffix == ".xlsx":
            from openpyxl import Workbook  # noqa: PLC0415  openpyxl takes 0.6 s to import: only for .xlsx

            book = Workbook(write_only=True)
            sheet = book.create_sheet("IVO")
            sheet.append([xlsx_text(h) for h in headers])
            for row in rows:
                count += 1
                cells = []
                for column, v in enumerate(row):
                    if isinstance(v, str):
                        v = safe_cell(v)
                        if _XLSX_ILLEGAL.search(v):
                            v = xlsx_text(v)
                            replaced.append(
                                (count, headers[column] if column < len(headers) else str(column))
                            )
                    cells.append(v)
                sheet.append(cells)
            book.save(path)
        elif suffix in (".csv", ".txt", ""):
            with open(path, "w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
                writer.writerow(headers)
                for row in rows:
                    writer.writerow([safe_cell(_text(v)) for v in row])
                    count += 1
        else:
            raise IvoError(f"Format de sortie non pris en charge : {suffix} (attendu .csv ou .xlsx).")
    except OSError as exc:
        raise IvoError(f"Écriture impossible : {path} ({exc.strerror}).") from exc
    return WrittenRows(count, replaced)
