"""Delimited text files (CSV and the like): separator and encoding detected."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import TextIO

from ivo_app.errors import UnreadableFileError
from ivo_app.io.encoding import scan_text
from ivo_app.io.mapping import ColumnMapping
from ivo_app.io.sources import FileFacts, register_reader
from ivo_app.io.tabular import TabularSource, unique_headers

SEPARATORS = (";", ",", "\t", "|")
MAX_FIELD = 1 << 20  # no identity trait is a megabyte long: beyond, the file is not a table
csv.field_size_limit(MAX_FIELD)
MAX_SAMPLE_LINE = 1 << 20


def detect_separator(sample_lines: list[str]) -> str:
    """The separator giving the same, largest field count on the first lines."""
    best, best_score = ";", (-1, -1)
    lines = [line for line in sample_lines if line.strip()][:20]
    for sep in SEPARATORS:
        try:
            counts = [len(next(csv.reader([line], delimiter=sep))) for line in lines]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        score = (sum(1 for c in counts if c == counts[0]), counts[0])
        if score > best_score:
            best, best_score = sep, score
    return best


class DelimitedSource(TabularSource):
    format = "csv"

    def __init__(self, path: Path, mapping: ColumnMapping | None, facts: FileFacts) -> None:
        super().__init__(mapping)
        self.path = path
        self.size = facts.size
        text = scan_text(path, facts.head)
        self.encoding = text.encoding
        self.may_contain_nul = text.has_nul
        sample = _sample_lines(path, self.encoding)
        self.separator = detect_separator(sample)
        header = next(csv.reader(sample[:1] or [""], delimiter=self.separator), [])
        if len(header) < 2:
            raise UnreadableFileError(
                f"Fichier illisible : {path.name} n'a pas d'en-tête de colonnes reconnaissable."
            )
        self.headers = unique_headers(header)
        self._stream: TextIO | None = None

    def __getstate__(self) -> dict[str, object]:
        """Sent to the import's reader process before reading: without an open stream."""
        return {**self.__dict__, "_stream": None}

    def position(self) -> tuple[int, int]:
        if self._stream is None or self._stream.closed:
            return (0, self.size)
        return (self._stream.buffer.tell(), self.size)

    def _cells(self) -> Iterator[tuple[int, list[str]]]:
        for line_nos, rows in self._chunks(1_000):
            yield from zip(line_nos, rows, strict=True)

    def _chunks(self, size: int) -> Iterator[tuple[Sequence[int], list[list[str]]]]:
        """Rows `size` at a time, read by the C parser without a per-row Python step; a row's line
        number is computed only in chunks where a quoted field spans several lines."""
        with open(self.path, encoding=self.encoding, newline="") as stream:
            self._stream = stream
            reader = csv.reader(stream, delimiter=self.separator or ";")
            width = len(self.headers)
            try:
                next(reader, None)  # header
                while True:
                    first = reader.line_num + 1
                    rows = list(islice(reader, size))
                    if not rows:
                        return
                    if reader.line_num - first + 1 == len(rows):
                        if any("\n" in c or "\r" in c for c in rows[-1]):
                            # A line break in a one-line row: the file ended inside a quoted field.
                            raise UnreadableFileError(
                                f"Fichier illisible : guillemet ouvert ligne {reader.line_num} et jamais "
                                "refermé (fin du fichier) ; corrigez le fichier, rien n'a été importé."
                            )
                        yield range(first, reader.line_num + 1), rows
                    else:
                        numbers = _line_numbers(first, rows)
                        _check_quotes(numbers, rows, width, self.separator or ";", reader.line_num)
                        yield numbers, rows
            except UnicodeDecodeError as exc:
                raise UnreadableFileError(
                    f"Fichier illisible : encodage {self.encoding} incohérent ligne {reader.line_num + 1} ;"
                    " rien n'a été importé."
                ) from exc
            except csv.Error as exc:
                raise UnreadableFileError(
                    f"Fichier illisible : {_csv_error_text(exc)} ligne {reader.line_num} ;"
                    " rien n'a été importé."
                ) from exc


def _line_numbers(first: int, rows: list[list[str]]) -> list[int]:
    """The line each row starts on, counting the line breaks kept inside quoted fields
    (\r\n, \r or \n, as the reader splits lines)."""
    numbers = []
    line = first
    for cells in rows:
        numbers.append(line)
        line += 1 + sum(len(_LINE_BREAK.findall(c)) for c in cells)
    return numbers


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _check_quotes(numbers: Sequence[int], rows: list[list[str]], width: int, sep: str, last: int) -> None:
    """An opening quote never closed makes the reader take every following line, up to the next
    quote or the end of the file, as one field: a row spanning several lines that has the wrong
    column count, or whose multi-line field holds what looks like whole records, is that mistake,
    not a field with a line break. Stop the import there rather than lose the lines silently."""
    for i, (line_no, cells) in enumerate(zip(numbers, rows, strict=True)):
        end = numbers[i + 1] - 1 if i + 1 < len(numbers) else last
        if end == line_no:
            continue
        swallowed = any(
            part.count(sep) >= max(1, width - 1)
            for cell in cells
            if _LINE_BREAK.search(cell)
            for part in _LINE_BREAK.split(cell)
        )
        if len(cells) != width or swallowed:
            raise UnreadableFileError(
                f"Fichier illisible : guillemet ouvert ligne {line_no} et non refermé sur la même ligne "
                f"(les lignes {line_no} à {end} seraient lues comme un seul champ) ; corrigez le "
                "fichier, rien n'a été importé."
            )


def _csv_error_text(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"un champ dépasse {MAX_FIELD // (1 << 20)} Mo"
    if "unexpected end of data" in text:
        return "fin de fichier au milieu d'un champ entre guillemets"
    return "structure CSV invalide"


def _sample_lines(path: Path, encoding: str) -> list[str]:
    """The first lines, for the separator and the header; a line over a megabyte stops here."""
    sample = []
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        for line_no in range(1, 22):
            line = fh.readline(MAX_SAMPLE_LINE)
            if not line:
                break
            if len(line) >= MAX_SAMPLE_LINE and not line.endswith(("\n", "\r")):
                raise UnreadableFileError(
                    f"Fichier illisible : {path.name}, ligne {line_no} de plus de "
                    f"{MAX_SAMPLE_LINE // (1 << 20)} Mo (un champ d'identité n'est jamais si long) ;"
                    " rien n'a été importé."
                )
            sample.append(line)
    return sample


register_reader("delimited", lambda path, head: True, DelimitedSource, priority=99)
