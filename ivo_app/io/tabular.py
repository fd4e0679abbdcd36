"""What CSV and spreadsheet readers share: header + rows → mapped RawRecords."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice

from ivo_app.io.mapping import ColumnMapping, resolve_mapping
from ivo_app.io.sources import RawRecord, RecordBatch, SourceRejection


def unique_headers(headers: list[str]) -> list[str]:
    """Blank or repeated headers get a suffix so no column is lost in `extra`."""
    seen: dict[str, int] = {}
    result = []
    for i, header in enumerate(headers):
        name = header.strip() or f"colonne_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        result.append(name)
    return result


def _without_nul_rows(
    line_nos: Sequence[int], rows: list[list[str]]
) -> tuple[list[int], list[list[str]], list[SourceRejection]]:
    """A NUL character is no part of a name or a date: the line is damaged, rejected with its number."""
    kept_lines, kept, rejections = [], [], []
    for line_no, cells in zip(line_nos, rows, strict=True):
        if any("\x00" in cell for cell in cells):
            rejections.append(
                SourceRejection(line_no, "ligne_illisible", "caractère nul (octet 0) dans la ligne")
            )
        else:
            kept_lines.append(line_no)
            kept.append(cells)
    return kept_lines, kept, rejections


class TabularSource:
    """Base of the tabular readers: subclasses set `headers` and implement `_cells()`.

    The mapping is resolved lazily so the import wizard can show the columns of a file whose
    mapping is not complete yet; the import itself asks for `mapping` first and fails early.
    """

    format = "csv"
    encoding: str | None = None
    separator: str | None = None
    headers: list[str]
    may_contain_nul = False  # set by a reader whose file holds NUL bytes: those lines are rejected

    def __init__(self, given: ColumnMapping | None) -> None:
        self._given = given
        self._mapping: ColumnMapping | None = None

    @property
    def mapping(self) -> ColumnMapping:
        if self._mapping is None:
            self._mapping = resolve_mapping(self.headers, self._given)
        return self._mapping

    def _cells(self) -> Iterator[tuple[int, list[str]]]:
        raise NotImplementedError

    def position(self) -> tuple[int, int]:
        raise NotImplementedError

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Every row as (line number, cells), unmapped: for files that are not identity tables."""
        return self._cells()

    def raw_rows(self, limit: int) -> list[list[str]]:
        return [cells for _, cells in islice(self._cells(), limit)]

    def _chunks(self, size: int) -> Iterator[tuple[Sequence[int], list[list[str]]]]:
        """(line numbers, rows) `size` rows at a time; readers with a faster way override it."""
        cells = self._cells()
        while chunk := list(islice(cells, size)):
            line_nos, rows = zip(*chunk, strict=True)
            yield line_nos, list(rows)

    def batches(self, size: int) -> Iterator[RecordBatch]:
        """Mapped columns a batch at a time; unmapped columns go to `extras`, rows with a wrong
        column count are rejected. When every row has the header's width (the usual case) there is
        no per-row Python work: the columns come from one transposition (`zip(*rows)`) in C."""
        mapping = self.mapping
        index = {h: i for i, h in enumerate(self.headers)}
        mapped = {field: index[header] for field, header in mapping.columns.items()}
        extra_names = [h for h, i in index.items() if i not in set(mapped.values())]
        extra_idx = [index[h] for h in extra_names]
        width = len(self.headers)
        for chunk_lines, chunk in self._chunks(size):
            rejections: list[SourceRejection] = []
            if self.may_contain_nul:
                chunk_lines, chunk, rejections = _without_nul_rows(chunk_lines, chunk)
            if set(map(len, chunk)) == {width}:
                line_nos, good = list(chunk_lines), chunk
            else:
                line_nos, good = [], []
                for line_no, cells in zip(chunk_lines, chunk, strict=True):
                    if len(cells) != width:
                        if not any(c.strip() for c in cells[width:] or cells):
                            if len(cells) < width:
                                continue  # blank line
                            cells = cells[:width]  # trailing separators are common in exports
                        else:
                            detail = f"{len(cells)} colonnes au lieu de {width}"
                            rejections.append(SourceRejection(line_no, "colonnes", detail))
                            continue
                    line_nos.append(line_no)
                    good.append(cells)
            columns = list(zip(*good, strict=True)) if good else [()] * width
            extras: list[dict[str, str] | None] = [None] * len(good)
            if extra_idx and good:
                extras = [
                    {h: v for h, v in zip(extra_names, values, strict=True) if v and not v.isspace()} or None
                    for values in zip(*(columns[i] for i in extra_idx), strict=True)
                ]
            yield RecordBatch(
                line_nos=line_nos,
                columns={field: columns[i] for field, i in mapped.items()},
                extras=extras,
                rejections=rejections,
            )

    def __iter__(self) -> Iterator[RawRecord | SourceRejection]:
        """Record by record (previews, tests); imports use `batches`."""
        for batch in self.batches(1_000):
            yield from batch.rejections
            names = list(batch.columns)
            for i, line_no in enumerate(batch.line_nos):
                fields = {name: batch.columns[name][i] or "" for name in names}
                yield RawRecord(line_no, fields, batch.extras[i] or {})
