"""Table writers (CSV, XLSX) safe against formula injection.

A spreadsheet runs a cell starting with = + - @ (or tab / CR before them) as a formula; an
identity table is user-entered text, so such cells are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ivo_app.errors import IvoError

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise text that a spreadsheet would evaluate; other values pass through."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def write_table(path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a CSV (`;`, UTF-8 with BOM for Excel) or an XLSX, chosen by the file's suffix."""
    suffix = path.suffix.lower()
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
