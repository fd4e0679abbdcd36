"""The import's fast path for a plain canonical CSV: columns read and prepared in C (pyarrow).

A million-row export passes through Python once per row on the general path (parse, clean,
normalise, tuple). Here pyarrow's CSV reader parses the file into columns in C threads, and each
rule of `records.RowBuilder` is split in two: a vectorised test says which values the rule leaves as
they are (already trimmed, already in normal form, a matricule without separators: nearly all of
them in a real file), and only the others go through the same Python function as on the general
path. Columns with few distinct values (dates, sexes, statuses, codes) go through the builder's own
memos. The stored rows are therefore the general path's, value for value (tests compare both).

The fast path takes only files it reads exactly as the general reader does: UTF-8, every column
mapped, no quote character, no lone carriage return; each physical line then is one row, so line
numbers are exact. Anything else in the file (a line with another column count, a blank line, bytes
that are not UTF-8, a huge field) raises `ColumnarUnavailable`, and the import starts again on the
general reader (io.delimited), which reports or rejects it with its line number.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ivo_app.identity import FILE_FIELDS, NORMALISED
from ivo_app.io.delimited import DelimitedSource
from ivo_app.io.sources import RecordSource
from ivo_app.io.values import compact_matricule
from ivo_app.services.records import (
    DATE_FIELDS,
    IDENTITY_COLUMNS,
    NAME_SIZE,
    TEXT_FIELDS,
    Columns,
    Memo,
    Rejection,
    RowBuilder,
    check_ipps,
    clean_text,
    first_of_list,
    ordered,
    stored_norm,
)

LONGEST_FIELD = 1_000  # characters; longer fields are judged by the general reader
_ISO_START = r"^\s*\d{4}-"  # AAAA-…: neither eight digits nor JJ/MM/AAAA (values.column_date_order)
_BLOCK_BYTES = 1 << 20  # about 10,000 rows of a canonical file per batch


class ColumnarUnavailable(Exception):
    """The file needs the general reader (raised before or during reading; never shown)."""


def eligible(source: RecordSource | Any) -> bool:
    """Whether `source` is a delimited file this path reads exactly like the general reader."""
    if type(source) is not DelimitedSource or source.encoding not in ("utf-8", "utf-8-sig"):
        return False
    if not source.separator or len(source.separator) != 1:
        return False
    try:
        columns = list(source.mapping.columns.values())
    except Exception:  # an incomplete mapping: the general path raises the user's message
        return False
    if set(columns) != set(source.headers) or len(columns) != len(set(columns)):
        return False  # unmapped columns go to `extra`, a column read as two fields: general path
    return _plain_bytes(source.path)


def _plain_bytes(path: Path) -> bool:
    """No quote character, no NUL byte and no carriage return other than in CRLF (read in C)."""
    tail = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            data = tail + chunk
            if (
                b'"' in chunk
                or b"\x00" in chunk  # a NUL line is rejected by the general reader, with its number
                or data.count(b"\r") != data.count(b"\r\n") + data.endswith(b"\r")
            ):
                return False
            tail = data[-1:]
    return not tail.endswith(b"\r")


# What `clean_text` returns unchanged: printable ASCII, neither starting nor ending with a space
# (the length was checked against the column before): `_Text` tests it with three kernels in C.
# Names of letters A-Z separated by single hyphens, apostrophes or spaces: their normal form is the
# name with hyphens and apostrophes as spaces (what `normalize_name` returns for them); with spaces
# only, the name itself (`records.stored_norm` stores NULL then).
_PLAIN_NAME = r"^[A-Z]+(?:[-' ][A-Z]+)*$"
_OWN_NORMAL = r"^[A-Z]+(?: [A-Z]+)*$"


class _Text:
    """One text column: values as `clean_text` leaves them, and the test that says where the
    vectorised result already is that."""

    def __init__(self, array: pa.Array, limit: int = 255) -> None:
        self.array = array
        self.present = pc.not_equal(array, "")
        # a third of the time of the one regular expression `^[!-~](?:[ -~]*[!-~])?$`
        printable = pc.and_not(pc.ascii_is_printable(array), pc.starts_with(array, " "))
        plain = pc.and_not(printable, pc.ends_with(array, " "))
        values = pc.if_else(self.present, array, None).to_numpy(zero_copy_only=False).tolist()
        for i in _to_fix(plain, self.present):
            values[i] = clean_text(values[i], limit)
        self.values: list[str | None] = values
        self.filled: list[int] = []  # empty values filled since (`records.first_of_list`)

    def normal_forms(self) -> list[str | None]:
        """`records.stored_norm` of each cleaned value: NULL for the names that are their own normal
        form (nearly all), a Python call only for those no regular expression settles."""
        array = self.array
        plain_name = pc.match_substring_regex(array, _PLAIN_NAME)
        separated = pc.and_not(plain_name, pc.match_substring_regex(array, _OWN_NORMAL))
        forms: list[str | None] = [None] * len(array)
        # The hyphenated ones (about one in ten) spaced by str.replace: a regular expression
        # replacing over the whole column cost four times as much.
        rows = np.flatnonzero(separated.to_numpy(zero_copy_only=False)).tolist()
        if rows:
            names = pc.filter(array, separated).to_numpy(zero_copy_only=False).tolist()
            for i, name in zip(rows, names, strict=True):
                forms[i] = name.replace("-", " ").replace("'", " ")
        values = self.values
        for i in [*_to_fix(plain_name, self.present), *self.filled]:
            forms[i] = stored_norm(values[i])
        return forms


def _to_fix(done: pa.Array, present: pa.Array) -> list[int]:
    """Positions of the values the vectorised result does not cover (the work left to Python)."""
    flags = pc.and_not(present, done).to_numpy(zero_copy_only=False)
    return np.flatnonzero(flags).tolist()


def _release_gradually(items: set[str]) -> None:
    """Empty a large set a slice at a time, letting other threads run in between: freeing a
    million IPPs at once holds the GIL for a fifth of a second, a freeze of the window whose worker
    thread runs the import."""
    while items:
        for _ in range(min(len(items), 20_000)):
            items.pop()
        time.sleep(0)  # releases the GIL


def _spread(values: list[Any], rows: list[int]) -> list[Any]:
    """`[values[i] for i in rows]`, the loop in C."""
    return list(itemgetter(*rows)(values)) if len(rows) > 1 else [values[i] for i in rows]


class ColumnarReader:
    """Prepared batches (`read_ahead.Prepared`, every IDENTITY_COLUMNS column) of one file."""

    def __init__(self, source: Any, builder: RowBuilder, free_gradually: bool = True) -> None:
        self.source = source
        self.builder = builder
        self._file: Any = None
        # The IPPs seen are freed a slice at a time (the window's thread); in the reader process
        # they are kept until it ends: freeing them there would only delay its last message.
        self.free_gradually = free_gradually
        self.seen: set[str] = set()

    def position(self) -> tuple[int, int]:
        done = self._file.tell() if self._file is not None and not self._file.closed else 0
        return (min(done, self.source.size), self.source.size)

    def batches(self) -> Iterator[tuple[Columns, list[Rejection], tuple[int, int]]]:
        source = self.source
        headers = list(source.headers)
        field_of = {header: field for field, header in source.mapping.columns.items()}
        read = pacsv.ReadOptions(column_names=headers, skip_rows=1, block_size=_BLOCK_BYTES)
        parse = pacsv.ParseOptions(
            delimiter=source.separator,
            quote_char=False,
            ignore_empty_lines=False,  # a blank line is then a wrong-width row: general path
            invalid_row_handler=lambda _row: "error",
        )
        convert = pacsv.ConvertOptions(
            column_types={h: pa.string() for h in headers}, strings_can_be_null=False, null_values=[]
        )
        seen: set[str] = set()
        line = 2  # the header is line 1
        with open(source.path, "rb") as fh:
            self._file = fh
            try:
                reader = pacsv.open_csv(fh, read_options=read, parse_options=parse, convert_options=convert)
                for record_batch in reader:
                    n = record_batch.num_rows
                    if n == 0:
                        continue
                    columns = {field_of[h]: record_batch.column(i) for i, h in enumerate(headers)}
                    line_nos = range(line, line + n)
                    line += n
                    yield (*self._prepare(columns, line_nos, seen), self.position())
            except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
                raise ColumnarUnavailable(str(exc)) from None
            finally:
                self._file = None
                if self.free_gradually:
                    _release_gradually(seen)
                else:
                    self.seen = seen

    def _prepare(
        self, arrays: dict[str, pa.Array], line_nos: Sequence[int], seen: set[str]
    ) -> tuple[Columns, list[Rejection]]:
        for array in arrays.values():
            if pc.max(pc.utf8_length(array)).as_py() > LONGEST_FIELD:
                raise ColumnarUnavailable("long field")
        raw_ipps = (
            arrays["ipp"].to_numpy(zero_copy_only=False).tolist() if "ipp" in arrays else [""] * len(line_nos)
        )
        ipps, keep, rejections = check_ipps(raw_ipps, line_nos, seen)
        if keep is not None:
            taken = pa.array(keep, pa.int64())
            arrays = {name: array.take(taken) for name, array in arrays.items()}
            line_nos = [line_nos[i] for i in keep]
            ipps = [ipps[i] for i in keep]
        size = len(line_nos)
        empty = pa.array([""] * size, pa.string())

        def col(name: str) -> pa.Array:
            return arrays.get(name, empty)

        def memo(memo: Memo, name: str, parts: int = 0) -> Any:
            """The builder's memo applied to the column's distinct values only (dictionary
            encoding in C), spread back over the rows by index; `parts`: results are pairs."""
            encoded = pc.dictionary_encode(col(name))
            results = memo.column(encoded.dictionary.to_pylist())
            rows = encoded.indices.to_numpy().tolist()
            if parts:
                return tuple(_spread([r[k] for r in results], rows) for k in range(parts))
            return _spread(results, rows)

        b = self.builder
        for f in TEXT_FIELDS:
            limit = f.limit or NAME_SIZE
            name = f.header or f.name
            if name in arrays and (pc.max(pc.utf8_length(arrays[name])).as_py() or 0) > limit:
                raise ColumnarUnavailable("name longer than its column")  # rejected there, never cut
        for f in DATE_FIELDS:  # the column's order, as elsewhere
            if f.header in arrays and f.header not in b.date_orders:
                # Only values that may be eight digits or JJ/MM/AAAA count for the decision: an ISO
                # date (a column of them is never decided, so asked again each batch) is left out.
                distinct = pc.unique(arrays[f.header])
                candidates = pc.filter(distinct, pc.invert(pc.match_substring_regex(distinct, _ISO_START)))
                b.decide_dates(f.header, candidates.to_pylist())
        # Each field by its rule in the field table, as RowBuilder.build does: the same memos, and
        # for names and matricules a vectorised test in front of the same functions.
        built: dict[str, Sequence[Any]] = {
            "extraction_id": [b.extraction_id] * size,
            "line_no": list(line_nos),
        }
        texts: dict[str, _Text] = {}
        for f in FILE_FIELDS:
            name = f.header or f.name
            if f.parse == "ipp":
                built[f.name] = ipps
            elif f.parse == "text":
                texts[f.name] = _Text(col(name), f.limit or NAME_SIZE)
                built[f.name] = texts[f.name].values
            elif f.parse == "matricule":
                built[f.name] = _matricules(col(name))
            elif f.companion:
                built[f.name], built[f.companion] = memo(b.memos[f.name], name, parts=2)
            else:
                built[f.name] = memo(b.memos[f.name], name)
        # the first first name derivable from the list; its normal form below follows the filled value
        firsts = texts["first_first_name"]
        firsts.filled = first_of_list(firsts.values, texts["first_names"].values)
        built["extra"] = [None] * size  # every column is mapped: no extra attributes
        # the normal forms (what `RowBuilder.derive` adds elsewhere)
        built.update({column: texts[name].normal_forms() for name, column in NORMALISED.items()})
        return ordered(built, IDENTITY_COLUMNS), rejections


def _matricules(array: pa.Array) -> list[str | None]:
    """`compact_matricule` of each value; digits, or digits and capitals (2A, 2B), are left as they
    are without a Python call."""
    matricules = pc.if_else(pc.equal(array, ""), None, array)
    plain = pc.or_(
        pc.ascii_is_decimal(matricules),
        pc.and_(pc.ascii_is_alnum(matricules), pc.ascii_is_upper(matricules)),
    )
    values: list[str | None] = matricules.to_numpy(zero_copy_only=False).tolist()
    for i in _to_fix(pc.fill_null(plain, True), pc.not_equal(array, "")):
        values[i] = compact_matricule(values[i])
    return values
