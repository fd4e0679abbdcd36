"""What CSV and spreadsheet readers share: header + rows → mapped RawRecords."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from operator import itemgetter

from ivo_app.io.mapping import ColumnMapping, resolve_mapping
from ivo_app.io.sources import RawRecord, SourceRejection


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


class TabularSource:
    """Base of the tabular readers: subclasses set `headers` and implement `_cells()`.

    The mapping is resolved lazily so the import wizard can show the columns of a file whose
    mapping is not complete yet; the import itself asks for `mapping` first and fails early.
    """

    format = "csv"
    encoding: str | None = None
    separator: str | None = None
    headers: list[str]

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

    def raw_rows(self, limit: int) -> list[list[str]]:
        return [cells for _, cells in islice(self._cells(), limit)]

    def __iter__(self) -> Iterator[RawRecord | SourceRejection]:
        """Apply the mapping; unmapped columns go to `extra`, wrong column counts are rejected."""
        mapping = self.mapping
        index = {h: i for i, h in enumerate(self.headers)}
        keys = tuple(mapping.columns)
        mapped = [index[mapping.columns[k]] for k in keys]
        extra_names = tuple(h for h, i in index.items() if i not in set(mapped))
        extra_idx = [index[h] for h in extra_names]
        # itemgetter builds the tuples in C: this loop runs once per row of million-row files.
        pick = itemgetter(*mapped) if len(mapped) > 1 else (lambda cells: (cells[mapped[0]],))
        pick_extra = itemgetter(*extra_idx, 0) if extra_idx else None  # the 0 keeps a tuple result
        width = len(self.headers)
        for line_no, cells in self._cells():
            if len(cells) != width:
                if len(cells) > width and not any(c.strip() for c in cells[width:]):
                    cells = cells[:width]  # trailing separators are common in exports
                else:
                    yield SourceRejection(line_no, "colonnes", f"{len(cells)} colonnes au lieu de {width}")
                    continue
            extra = {}
            if pick_extra is not None:
                extra = {
                    h: v
                    for h, v in zip(extra_names, pick_extra(cells), strict=False)
                    if v and not v.isspace()
                }
            yield RawRecord(line_no, dict(zip(keys, pick(cells), strict=True)), extra)
