"""Table writers (CSV, XLSX) safe against formula injection.

A spreadsheet runs a cell starting with = + - @ (or tab / CR before them) as a formula; an
identity table is user-entered text, so such cells are prefixed with an apostrophe.
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


def write_table(path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a CSV (`;`, UTF-8 with BOM for Excel) or an XLSX, chosen by the file's suffix; whole
    or not at all (a failure leaves no partial file, see io.atomic)."""
    with atomic_path(path) as temp:
        return _write_file(temp, path.suffix.lower(), headers, rows)


def _write_file(path: Path, suffix: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    count = 0
    try:
        if suffix == ".xlsx":
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet("IVO")
            sheet.append(list(headers))
            for row in rows:
                sheet.append([safe_cell(_text(v)) if isinstance(v, str) else v for v in row])
                count += 1
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
    return count
