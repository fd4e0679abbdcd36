"""RawRecords (text from any source) → stored identity rows, the one conversion every import uses.

This is the hot loop of million-row imports, so it works column by column on a batch: each column's
distinct values are parsed once (memo dictionaries), and rows are zipped into tuples in C.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from operator import itemgetter
from typing import Any

from ivo_app.io.mapping import FIELD_LABELS, ColumnMapping
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

IDENTITY_COLUMNS: tuple[str, ...] = (
    "extraction_id", "line_no", "ipp", "birth_name", "first_names", "first_first_name",
    "birth_date", "birth_date_raw", "sex", "birthplace", "used_name", "used_first_name",
    "ins_matricule", "ins_oid", "status", "status_source", "attributes", "document_type",
    "last_visit", "birth_date_completed", "extra", "birth_name_norm", "first_first_name_norm",
    "first_names_norm", "used_name_norm",
)  # fmt: skip

Columns = tuple[Sequence[Any], ...]  # one sequence per column
BUILT_COLUMNS = IDENTITY_COLUMNS[:-4]  # what `RowBuilder.build` reads from a file
# The normal forms `RowBuilder.derive` adds, in IDENTITY_COLUMNS order, from these built columns.
_NORMALISED = tuple(
    BUILT_COLUMNS.index(c) for c in ("birth_name", "first_first_name", "first_names", "used_name")
)
assert IDENTITY_COLUMNS[-4:] == (
    "birth_name_norm",
    "first_first_name_norm",
    "first_names_norm",
    "used_name_norm",
)

_MEMO_LIMIT = 250_000  # distinct values kept per column before the memo starts afresh


def rows(columns: Columns) -> Iterator[tuple[Any, ...]]:
    """Rows of a batch's columns, made as the driver consumes them (no list of a batch's rows)."""
    return zip(*columns, strict=True)


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
    """Builds rows in IDENTITY_COLUMNS order for one extraction."""

    def __init__(self, extraction_id: int, mapping: ColumnMapping | None, dates_as_text: bool) -> None:
        self.extraction_id = extraction_id
        self._settings = {"extraction_id": extraction_id, "mapping": mapping, "dates_as_text": dates_as_text}
        status_overrides = dict(mapping.status) if mapping else {}
        date_format = mapping.date_format if mapping else None
        self.date_format = date_format
        # Date order per column (values.column_date_order), decided on the first batch holding such
        # dates and kept for the whole import: a value is never read in an order of its own.
        self.date_orders: dict[str, tuple[str | None, str | None]] = {}
        self.date_notes: list[str] = []
        orders = self.date_orders

        def stored_date(value: date | None) -> Any:
            if value is None:
                return None
            return value.isoformat() if dates_as_text else value

        def birth(raw: str | None) -> tuple[Any, str | None]:
            """(stored date, raw text kept only when it does not parse)."""
            text = clean_text(raw, 40)
            if text is None:
                return None, None
            parsed = parse_date(text, date_format, *orders.get("date_naissance", (None, None)))
            return (stored_date(parsed), None) if parsed else (None, text)

        def status(raw: str | None) -> tuple[str, str | None]:
            text = clean_text(raw, 40)
            return parse_status(text, status_overrides), text

        self.text = Memo(clean_text)
        self.norm = Memo(lambda v: normalize_name(v) or None)
        self.short = {size: Memo(partial(clean_text, limit=size)) for size in (20, 64)}
        self.birth = Memo(birth)
        self.visit = Memo(
            lambda v: stored_date(
                parse_date(clean_text(v, 40), date_format, *orders.get("date_derniere_venue", (None, None)))
            )
        )
        self.sex = Memo(lambda v: parse_sex(clean_text(v, 40)))
        self.status = Memo(status)
        self.attributes = Memo(lambda v: parse_attributes(clean_text(v, 100)))
        self.document = Memo(lambda v: parse_document(clean_text(v, 60)))
        self.flag = Memo(lambda v: parse_bool(v) if v else None)

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

        def split(memo: Memo, values: Sequence[Any]) -> tuple[Sequence[Any], Sequence[Any]]:
            """A column of pairs as two columns, by one transposition in C."""
            pairs = memo.column(values)
            return tuple(zip(*pairs, strict=True)) if size else ((), ())  # type: ignore[return-value]

        text = self.text.column
        birth_name = text(col("nom_naissance"))
        first_names = text(col("prenoms_naissance"))
        first_first = text(col("premier_prenom"))
        if None in first_first:  # the first first name is derivable from the list (import format)
            first_first = [
                ff if ff is not None or fl is None else fl.split()[0]
                for ff, fl in zip(first_first, first_names, strict=True)
            ]
        used_name = text(col("nom_utilise"))
        self.decide_dates("date_naissance", col("date_naissance"))
        self.decide_dates("date_derniere_venue", col("date_derniere_venue"))
        birth_dates, birth_raws = split(self.birth, col("date_naissance"))
        statuses, status_sources = split(self.status, col("statut"))
        return (
            [self.extraction_id] * size,
            line_nos,
            ipps,
            birth_name,
            first_names,
            first_first,
            birth_dates,
            birth_raws,
            self.sex.column(col("sexe")),
            self.short[20].column(col("lieu_naissance")),
            used_name,
            text(col("prenom_utilise")),
            list(map(compact_matricule, col("matricule_ins"))),
            self.short[64].column(col("oid_ins")),
            statuses,
            status_sources,
            self.attributes.column(col("attributs")),
            self.document.column(col("justificatif")),
            self.visit.column(col("date_derniere_venue")),
            self.flag.column(col("date_completee")),
            [json.dumps(e, ensure_ascii=False) if e else None for e in extras]
            if any(extras)
            else [None] * size,
        )

    def decide_dates(self, name: str, values: Sequence[str | None]) -> None:
        """Fix the column's date order from its values, once (see `date_orders`)."""
        if self.date_format or name in self.date_orders or not any(values):
            return
        compact, slashed = column_date_order(values)
        if compact is None and slashed is None:
            return
        self.date_orders[name] = (compact, slashed)
        label = FIELD_LABELS.get(name, name)
        if compact:
            self.date_notes.append(
                f"{label} : les dates à 8 chiffres sont lues en {ORDER_LABELS[compact]} pour toute la colonne."
            )
        if slashed == "mdy":
            self.date_notes.append(
                f"{label} : dates lues en MM/JJ/AAAA pour toute la colonne (format américain)."
            )

    def derive(self, built: Columns) -> Columns:
        """All IDENTITY_COLUMNS: the built ones and the normal forms of the names. Run where the rows
        are written: with a reader process, that is the less busy of the two."""
        if len(built) == len(IDENTITY_COLUMNS):
            return built  # the columnar path computed the normal forms with the rest
        norm = self.norm.column
        return (*built, *(norm(built[i]) for i in _NORMALISED))


@dataclass
class Rejection:
    line_no: int
    reason: str
    detail: str = ""

    @property
    def label(self) -> str:
        text = REJECTION_REASONS.get(self.reason, self.reason)
        return f"{text} ({self.detail})" if self.detail else text


NAME_SIZE = 255  # the name columns' size (store.models.core.Identity)
NAME_FIELDS = (
    ("nom_naissance", "nom de naissance"),
    ("prenoms_naissance", "prénoms de naissance"),
    ("premier_prenom", "premier prénom"),
    ("nom_utilise", "nom utilisé"),
    ("prenom_utilise", "prénom utilisé"),
)


def _too_long(batch: RecordBatch) -> dict[int, str]:
    """Records whose name is longer than its column: rejected with the reason, never cut."""
    found: dict[int, str] = {}
    for name, label in NAME_FIELDS:
        values = batch.columns.get(name)
        if not values or max(map(len, filter(None, values)), default=0) <= NAME_SIZE:
            continue  # the usual case: one C loop over the column
        for i, v in enumerate(values):
            if v and len(v.strip()) > NAME_SIZE and i not in found:
                found[i] = f"{label} : {len(v.strip())} caractères ({NAME_SIZE} au plus)"
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
    too_long = too_long or {}
    rejections: list[Rejection] = []
    try:
        ipps = list(map(str.strip, raw))  # type: ignore[arg-type]
    except TypeError:  # a None among them (message formats)
        ipps = [(v or "").strip() for v in raw]
    if ipps and max(map(len, ipps)) > 64:
        ipps = [v[:64] for v in ipps]
    keep: list[int] | None = None
    if too_long or "" in ipps or len(set(ipps)) != len(ipps) or not seen.isdisjoint(ipps):
        keep = []  # some IPPs are missing or repeated, or a name is too long: row by row
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
    else:
        seen.update(ipps)
    return ipps, keep, rejections
