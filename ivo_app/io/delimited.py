"""Delimited text files (CSV and the like): separator and encoding detected."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path

from ivo_app.errors import UnreadableFileError
from ivo_app.io.encoding import detect_encoding
from ivo_app.io.mapping import ColumnMapping
from ivo_app.io.sources import FileFacts, register_reader
from ivo_app.io.tabular import TabularSource, unique_headers

SEPARATORS = (";", ",", "\t", "|")
csv.field_size_limit(1 << 20)  # a huge field is read then judged, not a crash


def detect_separator(sample_lines: list[str]) -> str:
    """The separator giving the same, largest field count on the first lines."""
    best, best_score = ";", (-1, -1)
    lines = [line for line in sample_lines if line.strip()][:20]
    for sep in SEPARATORS:
        counts = [len(next(csv.reader([line], delimiter=sep))) for line in lines]
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
        self.encoding = detect_encoding(path, facts.head)
        with open(path, encoding=self.encoding, errors="replace", newline="") as fh:
            sample = [line for _, line in zip(range(21), fh, strict=False)]
        self.separator = detect_separator(sample)
        header = next(csv.reader(sample[:1] or [""], delimiter=self.separator), [])
        if len(header) < 2:
            raise UnreadableFileError(
                f"Fichier illisible : {path.name} n'a pas d'en-tête de colonnes reconnaissable."
            )
        self.headers = unique_headers(header)
        self._stream: io.TextIOWrapper | None = None

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
            try:
                next(reader, None)  # header
                while True:
                    first = reader.line_num + 1
                    rows = list(islice(reader, size))
                    if not rows:
                        return
                    if reader.line_num - first + 1 == len(rows):
                        yield range(first, reader.line_num + 1), rows
                    else:
                        yield _line_numbers(first, rows), rows
            except UnicodeDecodeError as exc:
                raise UnreadableFileError(
                    f"Fichier illisible : encodage {self.encoding} incohérent ligne {reader.line_num + 1}."
                ) from exc
            except csv.Error as exc:
                raise UnreadableFileError(
                    f"Fichier illisible : structure CSV invalide ligne {reader.line_num} ({exc})."
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


register_reader("delimited", lambda path, head: True, DelimitedSource, priority=99)
