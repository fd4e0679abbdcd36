"""RawRecords (text from any source) → stored identity rows, the one conversion every import uses.

This is the hot loop of million-row imports, so it works column by column on a batch: each column's
distinct values are parsed once (memo dictionaries), and rows are zipped into tuples in C.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import compress
from operator import itemgetter
from typing import Any

from ivo_app.identity import BY_HEADER, FILE_FIELDS, NORMALISED, Field, inline_label
from ivo_app.io.mapping import ColumnMapping
from ivo_app.io.sources import REJECTION_REASONS, RecordBatch
from ivo_app.io.values import (
    ORDER_LABELS,
    column_date_order,
    compact_matricule,
    parse_attributes,
    parse_bool,
    parse_date,
    parse_document,
    parse_sex,
    parse_status,
)
from ivo_app.rules.normalize import normalize_name


def _built_columns() -> tuple[str, ...]:
    """The columns `RowBuilder.build` makes: each field a file provides (and the second column its
    parse fills), between the extraction and line number and the extra attributes."""
    names = ["extraction_id", "line_no"]
    for f in FILE_FIELDS:
        names += [f.name, f.companion] if f.companion else [f.name]
    return (*names, "extra")


Columns = tuple[Sequence[Any], ...]  # one sequence per column, in IDENTITY_COLUMNS order
BUILT_COLUMNS = _built_columns()  # what `RowBuilder.build` reads from a file
# Every stored column of an import: the built ones, then the names' normal forms `RowBuilder.derive`
# adds (the field table's `normalised` columns).
IDENTITY_COLUMNS: tuple[str, ...] = (*BUILT_COLUMNS, *NORMALISED.values())
_NORMALISED_FROM = tuple(BUILT_COLUMNS.index(name) for name in NORMALISED)
TEXT_FIELDS = tuple(f for f in FILE_FIELDS if f.parse == "text")  # names: longer ones are rejected
DATE_FIELDS = tuple(f for f in FILE_FIELDS if f.parse in ("birth_date", "date"))


def ordered(columns: dict[str, Sequence[Any]], names: Sequence[str] = BUILT_COLUMNS) -> Columns:
    """Columns made by name, in the stored order (a missing or unknown name fails here, not in the
    database)."""
    if len(columns) != len(names):
        raise ValueError(f"columns {sorted(set(columns) ^ set(names))}")
    return tuple(columns[name] for name in names)


def first_of_list(firsts: list[str | None], lists: Sequence[str | None]) -> list[int]:
    """Fill, in place, a missing first first name with the first word of the list of first names
    (the import format allows either); the positions filled."""
    filled: list[int] = []
    if None not in firsts:
        return filled  # the usual case: one C loop
    for i in compress(range(len(firsts)), [v is None for v in firsts]):
        listed = lists[i]
        if listed is not None:
            firsts[i] = listed.split()[0]
            filled.append(i)
    return filled


_MEMO_LIMIT = 250_000  # distinct values kept per column before the memo starts afresh


def rows(columns: Columns) -> Iterator[tuple[Any, ...]]:
    """Rows of a batch's columns, made as the driver consumes them (no list of a batch's rows)."""
    return zip(*columns, strict=True)


def stored_norm(value: str | None) -> str | None:
    """What a name's `*_norm` column holds: its normal form (rules.normalize.normalize_name) only
    when that differs from the stored value, "" when the name has none (no letter), else NULL. Most
    names of an export are their own normal form: storing them twice was a third of the insert.
    Readers take `COALESCE(<name>_norm, <name>)` (store.models.core.normal_form)."""
    if value is None:
        return None
    normal = normalize_name(value)
    return None if normal == value else normal


def clean_text(raw: str | None, limit: int = 255) -> str | None:
    """Trimmed value or None; NUL removed (PostgreSQL refuses it), cut to the column size."""
    if not raw:
        return None
    if not raw[0].isspace() and not raw[-1].isspace() and len(raw) <= limit and "\x00" not in raw:
        return raw  # already clean: the usual case
    text = raw.replace("\x00", "").strip()
    return text[:limit] if text else None


class Memo:
    """Applies `fn` to a column, computing each distinct value once."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn
        self.values: dict[Any, Any] = {}

    def column(self, raw: Sequence[Any]) -> list[Any]:
        values = self.values
        if len(raw) < 2:  # itemgetter of one key returns the value, not a tuple
            for v in raw:
                if v not in values:
                    values[v] = self.fn(v)
            return [values[v] for v in raw]
        get = itemgetter(*raw)
        try:
            return list(get(values))  # a warm memo: one C loop over the batch
        except KeyError:
            pass  # new values (it stops at the first one, so trying cost little)
        if len(values) > _MEMO_LIMIT:
            values.clear()
        # set.difference(dict) walks the batch, not the memo (`- values.keys()` walks the memo)
        new = set(raw).difference(values)
        values.update(zip(new, map(self.fn, new), strict=True))
        return list(get(values))


class RowBuilder:
    """Builds rows in IDENTITY_COLUMNS order for one extraction, each column by the parse rule of its
    field in the field table (ivo_app.identity): `memos` holds that rule per field, and the columnar
    path (services.columnar) applies the same memos."""

    def __init__(self, extraction_id: int, mapping: ColumnMapping | None, dates_as_text: bool) -> None:
        self.extraction_id = extraction_id
        self._settings = {"extraction_id": extraction_id, "mapping": mapping, "dates_as_text": dates_as_text}
        self.status_overrides = dict(mapping.status) if mapping else {}
        self.date_format = mapping.date_format if mapping else None
        self.dates_as_text = dates_as_text
        # Date order per column (values.column_date_order), decided on the first batch holding such
        # dates and kept for the whole import: a value is never read in an order of its own.
        self.date_orders: dict[str, tuple[str | None, str | None]] = {}
        self.date_notes: list[str] = []
        self.norm = Memo(stored_norm)
        # One memo per field; fields whose rule does not depend on the column (names, codes of one
        # size) share theirs, so a name seen as a birth name is not cleaned again as a used name.
        self.memos: dict[str, Memo] = {}
        shared: dict[tuple[Any, ...], Memo] = {}
        for f in FILE_FIELDS:
            if f.parse in ("ipp", "matricule", None):
                continue  # check_ipps; compact_matricule, already as fast as a memo lookup
            key = (f.parse, f.limit) if f.parse in ("text", "code") else (f.name,)
            if key not in shared:
                shared[key] = Memo(self._rule(f))
            self.memos[f.name] = shared[key]

    def _rule(self, f: Field) -> Callable[[Any], Any]:
        """The function that turns one raw text of field `f` into its stored value (a pair for the
        fields with a companion column)."""
        limit = f.limit or 255
        orders = self.date_orders
        date_format = self.date_format
        dates_as_text = self.dates_as_text
        header = f.header or f.name

        def stored_date(value: date | None) -> Any:
            if value is None:
                return None
            return value.isoformat() if dates_as_text else value

        if f.parse == "text":
            return clean_text if limit == 255 else lambda v: clean_text(v, limit)
        if f.parse == "code":
            return lambda v: clean_text(v, limit)
        if f.parse == "birth_date":

            def birth(raw: str | None) -> tuple[Any, str | None]:
                """(stored date, raw text kept only when it does not parse)."""
                text = clean_text(raw, limit)
                if text is None:
                    return None, None
                parsed = parse_date(text, date_format, *orders.get(header, (None, None)))
                return (stored_date(parsed), None) if parsed else (None, text)

            return birth
        if f.parse == "date":
            return lambda v: stored_date(
                parse_date(clean_text(v, limit), date_format, *orders.get(header, (None, None)))
            )
        if f.parse == "status":
            overrides = self.status_overrides

            def status(raw: str | None) -> tuple[str, str | None]:
                text = clean_text(raw, limit)
                return parse_status(text, overrides), text

            return status
        if f.parse == "sex":
            return lambda v: parse_sex(clean_text(v, limit))
        if f.parse == "attributes":
            return lambda v: parse_attributes(clean_text(v, limit))
        if f.parse == "document":
            return lambda v: parse_document(clean_text(v, limit))
        if f.parse == "flag":
            return lambda v: parse_bool(v) if v else None
        raise ValueError(f"no rule for {f.name} ({f.parse})")

    def settings(self) -> dict[str, Any]:
        """The arguments that build the same RowBuilder in another process."""
        return dict(self._settings)

    def build(self, batch: RecordBatch, ipps: Sequence[str], keep: Sequence[int] | None = None) -> Columns:
        """The columns read from the file (BUILT_COLUMNS), of the records of `batch` at positions
        `keep` (all when None), with their already-cleaned IPPs. `derive` adds the rest."""
        n = len(batch)
        empty: Sequence[str | None] = [None] * n

        def col(name: str) -> Sequence[str | None]:
            values = batch.columns.get(name, empty)
            return values if keep is None else [values[i] for i in keep]

        line_nos = batch.line_nos if keep is None else [batch.line_nos[i] for i in keep]
        extras = batch.extras if keep is None else [batch.extras[i] for i in keep]
        ipps = ipps if keep is None else [ipps[i] for i in keep]
        size = len(line_nos)
        for f in DATE_FIELDS:
            self.decide_dates(f.header or f.name, col(f.header or f.name))
        built: dict[str, Sequence[Any]] = {"extraction_id": [self.extraction_id] * size, "line_no": line_nos}
        for f in FILE_FIELDS:
            raw = col(f.header or f.name)
            if f.parse == "ipp":
                built[f.name] = ipps
            elif f.parse == "matricule":
                built[f.name] = list(map(compact_matricule, raw))
            elif f.companion:  # a column of pairs as two columns, by one transposition in C
                pairs = self.memos[f.name].column(raw)
                built[f.name], built[f.companion] = tuple(zip(*pairs, strict=True)) if size else ((), ())
            else:
                built[f.name] = self.memos[f.name].column(raw)
        first_of_list(built["first_first_name"], built["first_names"])  # type: ignore[arg-type]
        built["extra"] = (
            [json.dumps(e, ensure_ascii=False) if e else None for e in extras]
            if any(extras)
            else [None] * size
        )
        return ordered(built)

    def decide_dates(self, name: str, values: Sequence[str | None]) -> None:
        """Fix the column's date order from its values, once (see `date_orders`)."""
        if self.date_format or name in self.date_orders or not any(values):
            return
        compact, slashed = column_date_order(values)
        if compact is None and slashed is None:
            return
        self.date_orders[name] = (compact, slashed)
        label = BY_HEADER[name].label if name in BY_HEADER else name
        if compact:
            self.date_notes.append(
                f"{label} : les dates à 8 chiffres sont lues en {ORDER_LABELS[compact]} pour toute la colonne."
            )
        if slashed == "mdy":
            self.date_notes.append(
                f"{label} : dates lues en MM/JJ/AAAA pour toute la colonne (format américain)."
            )

    def derive(self, built: Columns) -> Columns:
        """All IDENTITY_COLUMNS: the built ones and the names' normal forms (`stored_norm`). Run where the rows
        are written: with a reader process, that is the less busy of the two."""
        if len(built) == len(IDENTITY_COLUMNS):
            return built  # the columnar path computed the normal forms with the rest
        norm = self.norm.column
        return (*built, *(norm(built[i]) for i in _NORMALISED_FROM))


@dataclass
class Rejection:
    line_no: int
    reason: str
    detail: str = ""

    @property
    def label(self) -> str:
        text = REJECTION_REASONS.get(self.reason, self.reason)
        return f"{text} ({self.detail})" if self.detail else text


NAME_SIZE = max(f.limit or 0 for f in TEXT_FIELDS)  # the name columns' size (store.models.core.Identity)


def _too_long(batch: RecordBatch) -> dict[int, str]:
    """Records whose name is longer than its column: rejected with the reason, never cut."""
    found: dict[int, str] = {}
    for f in TEXT_FIELDS:
        values = batch.columns.get(f.header or f.name)
        limit = f.limit or NAME_SIZE
        if not values or max(map(len, filter(None, values)), default=0) <= limit:
            continue  # the usual case: one C loop over the column
        for i, v in enumerate(values):
            if v and len(v.strip()) > limit and i not in found:
                found[i] = f"{inline_label(f.name)} : {len(v.strip())} caractères ({limit} au plus)"
    return found


class BatchPreparer:
    """Batches of one source → stored rows and rejections: IPP checks across the whole file, then
    `RowBuilder`. Runs in the import itself or, for large files, in the reader process."""

    def __init__(self, builder: RowBuilder) -> None:
        self.builder = builder
        self.seen: set[str] = set()

    def prepare(self, batch: RecordBatch) -> tuple[Columns, list[Rejection]]:
        rejections = [Rejection(r.line_no, r.reason, r.detail) for r in batch.rejections]
        raw = batch.columns.get("ipp")
        ipps, keep, ipp_rejections = check_ipps(
            raw if raw is not None else [""] * len(batch), batch.line_nos, self.seen, _too_long(batch)
        )
        rejections.extend(ipp_rejections)
        return self.builder.build(batch, ipps, keep), rejections


def check_ipps(
    raw: Sequence[str | None],
    line_nos: Sequence[int],
    seen: set[str],
    too_long: dict[int, str] | None = None,
) -> tuple[list[str], list[int] | None, list[Rejection]]:
    """Cleaned IPPs of a batch, the positions to keep (None: all) and the rejections of missing or
    repeated ones, and of rows whose name is longer than its column (`too_long`: position → detail);
    `seen` holds the IPPs of the previous batches of the file and is updated."""
    try:
        ipps = list(map(str.strip, raw))  # type: ignore[arg-type]
    except TypeError:  # a None among them (message formats)
        ipps = [(v or "").strip() for v in raw]
    if ipps and max(map(len, ipps)) > 64:
        ipps = [v[:64] for v in ipps]
    if too_long:  # the general reader's rare case: the row-by-row rules below, in their order
        return (ipps, *_check_rows(ipps, line_nos, seen, too_long))
    # Every loop below runs in C: a batch with one repeated IPP (most batches of a real export
    # have one) no longer walks its ten thousand rows in Python.
    first = dict(zip(reversed(ipps), range(len(ipps) - 1, -1, -1), strict=True))  # IPP → first position
    repeats = seen.intersection(first)  # IPPs of earlier batches
    if len(first) == len(ipps) and "" not in first and not repeats:
        seen.update(first)
        return ipps, None, []
    # a row is refused when its IPP is empty, seen in an earlier batch or earlier in this one
    later = map(operator.ne, map(first.__getitem__, ipps), range(len(ipps)))
    refused = [*compress(range(len(ipps)), later), *(first[ipp] for ipp in repeats)]
    if "" in first:
        refused.append(first[""])
        del first[""]
    refused.sort()
    rejections = [
        Rejection(line_nos[i], "ipp_manquant")
        if not ipps[i]
        else Rejection(line_nos[i], "ipp_double", ipps[i])
        for i in refused
    ]
    seen.update(first)
    keep = sorted(set(range(len(ipps))).difference(refused))
    return ipps, keep, rejections


def _check_rows(
    ipps: list[str], line_nos: Sequence[int], seen: set[str], too_long: dict[int, str]
) -> tuple[list[int], list[Rejection]]:
    """`check_ipps` row by row, for a batch holding a name longer than its column: that row is
    refused first, and its IPP not marked as seen."""
    rejections: list[Rejection] = []
    keep: list[int] = []
    for i, ipp in enumerate(ipps):
        if i in too_long:
            rejections.append(Rejection(line_nos[i], "trait_trop_long", too_long[i]))
        elif not ipp:
            rejections.append(Rejection(line_nos[i], "ipp_manquant"))
        elif ipp in seen:
            rejections.append(Rejection(line_nos[i], "ipp_double", ipp))
        else:
            seen.add(ipp)
            keep.append(i)
    return keep, rejections
