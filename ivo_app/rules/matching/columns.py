"""Vectorised matching: the levels and weights of engine.py, computed on columns of integer codes.

Records become codes once (one vocabulary of normalised names shared by birth, used and first names,
so that "birth name of one = first name of the other" is an integer comparison; dates as YYYYMMDD
integers). Blocking sorts integer keys with numpy. The string comparisons (Jaro-Winkler,
Damerau-Levenshtein, token prefixes) run once per distinct pair of values with rapidfuzz's cpdist and
numpy's string functions, so a million candidate pairs cost array operations, never a Python loop over
record pairs. engine.levels / engine.score_pair stay the readable reference: a unit test checks that
both give the same levels, scores and decisions.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import chain, repeat
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler
from rapidfuzz.process import cpdist

from ivo_app.identity import inline_label
from ivo_app.rules.matching.engine import (
    GENERATION_YEARS,
    LEVEL_LABELS,
    LIST_WORDS,
    NARROW_CAP,
    TRAITS,
    Keyed,
    Match,
    Model,
    department,
    place_code,
    two_slips,
    typo_of_a_word,
)
from ivo_app.rules.matching.phonetic import soundex2_many
from ivo_app.rules.memo import Memo
from ivo_app.rules.normalize import normalize_name
from ivo_app.rules.record import IdentityRecord

Int = npt.NDArray[np.int64]
Small = npt.NDArray[np.int8]
Bool = npt.NDArray[np.bool_]
Float = npt.NDArray[np.float64]

# Levels of each trait in LEVEL_LABELS order; a level is stored as its index in this tuple.
TRAIT_LEVELS: dict[str, tuple[str, ...]] = {
    t: tuple(lvl for (trait, lvl) in LEVEL_LABELS if trait == t) for t in TRAITS
}
# Complementary traits (address, phone, another identifier...): compared when a source has them, m
# estimated by EM on the extraction (the configuration cannot know them), never a sign of two persons.
COMPLEMENTARY_LEVELS = ("exact", "close", "far", "else", "missing")
COMPLEMENTARY_LABELS = {
    "address": ("même adresse", "adresse à une faute près", "adresses proches", "adresses différentes",
                "adresse absente"),
    "postcode": ("même code postal", "code postal à un chiffre près", "codes postaux proches",
                 "codes postaux différents", "code postal absent"),
    "city": ("même commune de résidence", "commune de résidence à une faute près",
             "communes de résidence proches", "communes de résidence différentes", "commune de résidence absente"),
    "phone": ("même téléphone", "téléphone à un chiffre près", "téléphones proches", "téléphones différents",
              "téléphone absent"),
    "other_id": ("même identifiant complémentaire", "identifiant complémentaire à un caractère près",
                 "identifiants complémentaires proches", "identifiants complémentaires différents",
                 "identifiant complémentaire absent"),
}  # fmt: skip
COMPLEMENTARY_PRIOR_M = {"exact": 0.8, "close": 0.08, "far": 0.04, "else": 0.03, "missing": 0.05}
_IDENTIFIERS = ("phone", "other_id")  # blocked on their exact value
for _trait in COMPLEMENTARY_LABELS:
    TRAIT_LEVELS[_trait] = COMPLEMENTARY_LEVELS
_L = {t: {lvl: np.int8(k) for k, lvl in enumerate(levels)} for t, levels in TRAIT_LEVELS.items()}


# The matching traits in a pair's reasons: those an identity stores are labelled by the field table;
# the complementary ones (FEBRL's, not stored) here.
TRAIT_FIELDS = {"birth_name": "birth_name", "first_name": "first_first_name", "birth_date": "birth_date",
                "sex": "sex", "birthplace": "birthplace", "ins": "ins_matricule"}  # fmt: skip
TRAIT_LABELS = {trait: inline_label(name) for trait, name in TRAIT_FIELDS.items()} | {
    "address": "adresse", "postcode": "code postal", "city": "commune de résidence", "phone": "téléphone",
    "other_id": "identifiant complémentaire"}  # fmt: skip


def label(trait: str, level: str) -> str:
    """The French reason for a level of any trait."""
    if trait in COMPLEMENTARY_LABELS:
        return COMPLEMENTARY_LABELS[trait][COMPLEMENTARY_LEVELS.index(level)]
    return LEVEL_LABELS[(trait, level)]


PROBABLE, TO_REVIEW = 0, 1
DOUBLON, COLLISION = 0, 1
KIND_NAMES = ("doublon", "collision")
LEVEL_NAMES = ("probable", "a_examiner")


class _Vocab(dict[Any, int]):
    """Values → dense codes of their clean form, on first sight; 0 is missing (None, or empty once clean).

    Raw values and clean forms share the dict (a clean form is its own clean form), so one dict serves as
    both the memo and the vocabulary, and values seen before are plain dict hits (no Python call).
    """

    def __init__(self, clean: Callable[[Any], str] | None = None) -> None:
        super().__init__({None: 0, "": 0})
        self.forms: list[str] = [""]
        self.clean = clean

    def __missing__(self, raw: Any) -> int:
        value = raw if self.clean is None else self.clean(raw)
        code = self.get(value)
        if code is None:
            code = self[value] = len(self.forms)
            self.forms.append(value)
        self[raw] = code
        return code

    def code(self, value: str) -> int:
        return self[value]

    def encode(self, values: Sequence[Any]) -> Int:
        """The codes of a column of raw values: one dict pass in C for the values seen before, each new
        value once, in order of first sight (so codes are those `self[value]` row by row would give)."""
        if self.clean is not None and self.clean is not _as_text:
            return _encode(self, values)
        # Values that are their own clean form (normal forms read from the identity table, identifiers):
        # the new ones take the next codes in bulk, no call per value.
        out = np.fromiter(map(self.get, values, repeat(-1)), dtype=np.int64, count=len(values))
        missing = np.flatnonzero(out < 0)
        if len(missing):
            fresh = list(dict.fromkeys(map(values.__getitem__, missing.tolist())))  # first sight, once each
            start = len(self.forms)
            self.forms.extend(fresh)
            self.update(zip(fresh, range(start, start + len(fresh)), strict=True))
            out[missing] = np.fromiter(map(self.__getitem__, map(values.__getitem__, missing.tolist())),
                                       dtype=np.int64, count=len(missing))  # fmt: skip
        return out


def _encode(lookup: dict[Any, Any], values: Sequence[Any]) -> Int:
    """Codes (non-negative integers) of a column through a memo that makes what it misses: the values
    seen before in one dict pass in C, the others through the memo in row order."""
    out = np.fromiter(map(lookup.get, values, repeat(-1)), dtype=np.int64, count=len(values))
    missing = np.flatnonzero(out < 0)
    if len(missing):
        out[missing] = np.fromiter(map(lookup.__getitem__, map(values.__getitem__, missing.tolist())),
                                   dtype=np.int64, count=len(missing))  # fmt: skip
    return out


def _deletion_neighbourhood(values: list[str]) -> tuple[Int, Int]:
    """Per value (by code): the codes of itself and of itself less one character (CSR layout)."""
    vocab = _Vocab()
    starts: list[int] = [0]
    codes: list[int] = []
    for value in values:
        if value:
            codes.extend(
                {vocab.code(value), *(vocab.code(value[:k] + value[k + 1 :]) for k in range(len(value)))}
            )
        starts.append(len(codes))
    return np.asarray(starts, dtype=np.int64), np.asarray(codes, dtype=np.int64)


def _as_date(yyyymmdd: int) -> date:
    return date(yyyymmdd // 10_000, yyyymmdd // 100 % 100, yyyymmdd % 100)


def _yyyymmdd(value: Any) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, date):
        return value.year * 10_000 + value.month * 100 + value.day
    try:  # SQLite hands dates back as ISO text
        parsed = date.fromisoformat(str(value)[:10])
    except ValueError:
        return 0
    return parsed.year * 10_000 + parsed.month * 100 + parsed.day


_SX_BITS = 20  # a SOUNDEX2 key (at most 4 letters) as a base-27 number fits in 20 bits


def soundex_number(key: str) -> int:
    """A phonetic key as a number that does not depend on the extraction (so blocking keys can be
    stored and looked up later by the desk search)."""
    out = 0
    for letter in key[:4]:
        out = out * 27 + (ord(letter) - 64 if "A" <= letter <= "Z" else 0)
    return out


def soundex_numbers(keys: Sequence[str], width: int = 4) -> Int:
    """soundex_number of each key (engine.name_prefix's with width 2), with numpy on the keys' first
    `width` code points: a vocabulary's numbers without a Python call per value."""
    points = np.array(keys, dtype=f"<U{width}").view(np.uint32).reshape(-1, width).astype(np.int64)
    letter = np.where((points >= 65) & (points <= 90), points - 64, 0)
    out = np.zeros(len(points), dtype=np.int64)
    for k in range(width):  # as the Python loop: only the letters a key has (a padding \0 is none)
        out = np.where(points[:, k] > 0, out * 27 + letter[:, k], out)
    return out


_PLACE_MASK = (1 << 22) - 1


def stable_hash(value: str) -> int:
    """A value as a 32-bit number that does not depend on the extraction (stored search keys); 0 if empty."""
    return zlib.crc32(value.encode()) | 1 if value else 0


def _as_text(value: str | None) -> str:
    return value or ""


def _compact(value: str | None) -> str:
    return "".join((value or "").split()).upper()


# Column order of a row given to TableBuilder.add_rows.
ROW_FIELDS = ("id", "ipp", "birth_name", "first_names", "first_first_name", "birth_date", "sex",
              "birthplace", "used_name", "ins_matricule", "attributes")  # fmt: skip


_SEXES = {"M": 1, "F": 2}


def _joined(value: str) -> str:
    return " ".join(value.split())


class TableBuilder:
    """Accumulates identities a batch at a time, keeping codes only (flat memory on millions)."""

    def __init__(self, normalised: bool = False) -> None:
        # normalised: the name columns given are already normal forms (the identity table's *_norm
        # columns), so the per-value normalisation is skipped.
        norm: Callable[[Any], str] = _as_text if normalised else normalize_name
        self.names = _Vocab(norm)  # birth, used and first names share one vocabulary
        self.lists = _Vocab(lambda raw: _joined(norm(raw)))  # first-name lists, space separated
        self.places = _Vocab(place_code)
        self.ins_vocab = _Vocab()
        self._date_of = Memo(_yyyymmdd)
        self._homonym_of = Memo(lambda raw: bool(raw) and "HOMONYME" in raw.split(","))
        self._ipps: list[str] = []
        self._cols: dict[str, list[npt.NDArray[Any]]] = {c: [] for c in ("id", "name", "used", "first_first",
                                                         "list", "first_first_list", "birth", "sex", "place", "ins",
                                                         "homonym")}  # fmt: skip

    def add_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        """Rows as tuples in ROW_FIELDS order (straight from a database cursor)."""
        if not rows:
            return
        ids, ipps, names, lists, ffns, births, sexes, places, useds, inss, attrs = zip(*rows, strict=True)
        n = len(ids)
        c = self._cols

        def codes(values: Iterable[Any], dtype: Any = np.int64) -> npt.NDArray[Any]:
            return np.fromiter(values, dtype=dtype, count=n)

        c["id"].append(codes(ids))
        self._ipps.extend(ipps)
        # One column at a time, in the order codes are first given (names, used names, first first
        # names share the vocabulary): the codes do not depend on how a column is encoded.
        c["name"].append(self.names.encode(names))
        c["used"].append(self.names.encode(useds))
        c["first_first"].append(self.names.encode(ffns))
        c["list"].append(self.lists.encode(lists))
        c["first_first_list"].append(self.lists.encode(ffns))
        c["birth"].append(_encode(self._date_of, births))
        c["sex"].append(codes(map(_SEXES.get, sexes, repeat(0))))
        c["place"].append(self.places.encode(places))
        c["ins"].append(self.ins_vocab.encode(inss))
        c["homonym"].append(_encode(self._homonym_of, attrs).astype(np.bool_))

    def add_records(self, records: Iterable[IdentityRecord]) -> None:
        rows = [
            (r.id, r.ipp, r.birth_name, r.first_names, r.first_first_name, r.birth_date, r.sex, r.birthplace,
             r.used_name, r.ins_matricule, r.attributes)
            for r in records
        ]  # fmt: skip
        self.add_rows(rows)

    def build(self) -> Table:
        def column(name: str, dtype: Any = np.int64) -> npt.NDArray[Any]:
            parts = self._cols[name]
            return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)

        # As Keyed.of: the first names are the list, else the first first name's words; the first first
        # name is the one given, else the list's first word.
        first_first, first_names = column("first_first"), column("list")
        # Each first-name list's words as name codes (CSR): blocking meets any first name of the list.
        words = [form.split() for form in self.lists.forms]
        list_head = self.names.encode([w[0] if w else "" for w in words])
        tokens = self.names.encode(list(chain.from_iterable(words)))
        token_starts = np.zeros(len(words) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, words), dtype=np.int64, count=len(words)), out=token_starts[1:])
        return Table(
            token_starts=token_starts,
            tokens=tokens,
            ids=column("id"),
            ipps=self._ipps,
            name=column("name"),
            used=column("used"),
            first=np.where(first_first > 0, first_first, list_head[first_names]),
            firsts=np.where(first_names > 0, first_names, column("first_first_list")),
            birth=column("birth"),
            sex=column("sex"),
            place=column("place"),
            ins=column("ins"),
            homonym=column("homonym", np.bool_),
            names=self.names.forms,
            lists=self.lists.forms,
            places=self.places.forms,
            ins_values=self.ins_vocab.forms,
            soundex=soundex_numbers(soundex2_many(self.names.forms)),
            name_length=np.fromiter(map(len, self.names.forms), dtype=np.int64, count=len(self.names.forms)),
            name_prefix=soundex_numbers(self.names.forms, 2),  # engine.name_prefix of each
            name_hash=np.asarray([stable_hash(v) for v in self.names.forms], dtype=np.int64),
            place_hash=np.asarray([stable_hash(v) & _PLACE_MASK for v in self.places.forms], dtype=np.int64),
        )


@dataclass
class Table:
    """An extraction as columns of codes (index = row number, not the database id)."""

    ids: Int
    ipps: list[str]
    name: Int
    used: Int
    first: Int
    firsts: Int
    birth: Int  # YYYYMMDD, 0 when missing
    sex: Int  # 0 missing, 1 M, 2 F
    place: Int
    ins: Int
    homonym: Bool
    names: list[str]
    lists: list[str]
    places: list[str]
    ins_values: list[str]
    soundex: Int  # SOUNDEX2 key of each vocabulary name as a number (soundex_number; 0: empty)
    name_length: Int  # length of each vocabulary name
    name_prefix: Int  # engine.name_prefix of each vocabulary name
    name_hash: Int  # stable_hash of each vocabulary name (0: empty)
    place_hash: Int  # stable_hash of each birthplace, 22 bits (0: empty)
    token_starts: Int  # list code → its words: tokens[token_starts[c]:token_starts[c + 1]]
    tokens: Int  # name codes of the lists' words
    extras: dict[str, Int] = field(default_factory=dict)  # complementary trait → codes (0: missing)
    extra_values: dict[str, list[str]] = field(default_factory=dict)
    # Identifier code → its deletion neighbourhood (starts, codes): codes[starts[c]:starts[c + 1]]
    extra_variants: dict[str, tuple[Int, Int]] = field(default_factory=dict)

    # The vocabularies as numpy strings, made at the first comparison that needs them: a pair's names
    # gathered by index in C (from the lists, a Python object per pair and a conversion: a fifth of
    # the comparison levels' time on a million identities).
    _arrays: dict[str, npt.NDArray[Any]] = field(default_factory=dict, repr=False, compare=False)

    def name_strings(self) -> npt.NDArray[Any]:
        return self._strings_of("names")

    def list_strings(self) -> npt.NDArray[Any]:
        return self._strings_of("lists")

    def _strings_of(self, vocabulary: str) -> npt.NDArray[Any]:
        if vocabulary not in self._arrays:
            self._arrays[vocabulary] = np.asarray(getattr(self, vocabulary), dtype=np.dtypes.StringDType())
        return self._arrays[vocabulary]

    @property
    def traits(self) -> tuple[str, ...]:
        return TRAITS + tuple(self.extras)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def of(
        cls, records: Iterable[IdentityRecord], complementary: dict[str, Sequence[str | None]] | None = None
    ) -> Table:
        """`complementary`: trait (a COMPLEMENTARY_LABELS key) → one value per record."""
        builder = TableBuilder()
        builder.add_records(records)
        table = builder.build()
        for trait, values in (complementary or {}).items():
            if trait not in COMPLEMENTARY_LABELS:
                raise ValueError(f"unknown complementary trait: {trait}")
            vocab = _Vocab(normalize_name if trait in ("address", "city") else _compact)
            table.extras[trait] = np.fromiter(
                map(vocab.__getitem__, values), dtype=np.int64, count=len(values)
            )
            table.extra_values[trait] = vocab.forms
            if trait in _IDENTIFIERS:
                table.extra_variants[trait] = _deletion_neighbourhood(vocab.forms)
        return table

    def keyed(self, i: int) -> Keyed:
        b = int(self.birth[i])
        return Keyed(
            int(self.ids[i]), self.ipps[i], self.names[self.name[i]], self.names[self.used[i]],
            self.names[self.first[i]], tuple(self.lists[self.firsts[i]].split()),
            date(b // 10_000, b // 100 % 100, b % 100) if b else None, ("", "M", "F")[self.sex[i]],
            self.places[self.place[i]], self.ins_values[self.ins[i]], bool(self.homonym[i]),
        )  # fmt: skip


# --- blocking -----------------------------------------------------------------------------------------


def _passes(t: Table, mirrors: bool = True, probe: bool = False) -> Iterator[list[tuple[Int, Int]]]:
    """The blocking passes of engine.blocking_keys, one at a time (flat memory on millions): each is a
    list of (key, row) arrays, one integer key per pass value, the pass in the key's low bits.

    The mirror keys (day and month swapped, names inverted) are what makes two records with swapped
    traits meet; one side having them is enough, so the stored search keys leave them out and the typed
    identity carries them (probe: with the used name's mirrors too, which only a record's direct keys
    can meet).
    """
    rows = np.arange(len(t), dtype=np.int64)
    born = t.birth > 0
    year, month, day = t.birth // 10_000, t.birth // 100 % 100, t.birth % 100
    swapped = year * 10_000 + day * 100 + month
    can_swap = born & (day <= 12) & (day != month) & mirrors
    sx = 1 << _SX_BITS
    n, u, f = t.soundex[t.name], t.soundex[t.used], t.soundex[t.first]
    # The first words of each record's first-name list (engine.LIST_WORDS): (row, name code) of each.
    count = np.minimum(t.token_starts[t.firsts + 1] - t.token_starts[t.firsts], LIST_WORDS)
    token_rows = np.repeat(rows, count)
    at = (
        np.repeat(t.token_starts[t.firsts], count)
        + np.arange(count.sum())
        - np.repeat(np.cumsum(count) - count, count)
    )
    token = t.tokens[at]
    token_sx = t.soundex[token]

    def key(pass_id: int, value: Int, mask: Bool, at_rows: Int = rows) -> tuple[Int, Int]:
        return (value[mask] << 5) | pass_id, at_rows[mask]

    t_born, t_swap = born[token_rows], can_swap[token_rows]
    # The date with any of the names (birth, used, any first name): names inverted, a used name entered
    # as birth name, first names reordered meet with a typo on the way.
    yield [
        key(1, t.birth * sx + n, born & (n > 0)),
        key(1, t.birth * sx + u, born & (u > 0)),  # used name entered as birth name
        key(1, t.birth * sx + f, born & (f > 0)),
        key(1, t.birth[token_rows] * sx + token_sx, t_born & (token_sx > 0), token_rows),
        key(1, swapped * sx + n, can_swap & (n > 0)),  # day and month swapped
        key(1, swapped * sx + f, can_swap & (f > 0)),
        key(1, swapped[token_rows] * sx + token_sx, t_swap & (token_sx > 0), token_rows),
        key(1, swapped * sx + u, can_swap & (u > 0) & probe),
    ]
    # Both names exactly, the date aside (a date wrong in two places, or completed): stable hashes.
    hn, hu, hf, ht = t.name_hash[t.name], t.name_hash[t.used], t.name_hash[t.first], t.name_hash[token]
    mix = 1_000_003
    low = (1 << 57) - 1
    yield [
        key(2, (hn * mix + hf) & low, (hn > 0) & (hf > 0)),
        key(2, (hu * mix + hf) & low, (hu > 0) & (hf > 0)),
        key(2, (hn[token_rows] * mix + ht) & low, (hn[token_rows] > 0), token_rows),
        key(2, (hu[token_rows] * mix + ht) & low, (hu[token_rows] > 0), token_rows),
    ]
    place = t.place_hash[t.place]
    for pass_id, part in ((3, year), (4, month * 100 + day)):  # a wrong date is wrong in one part
        yield [
            key(pass_id, (n * sx + f) * 10_000 + part, born & (n > 0) & (f > 0)),
            key(pass_id, (f * sx + n) * 10_000 + part, born & (n > 0) & (f > 0) & mirrors),  # names inverted
            key(pass_id, (u * sx + f) * 10_000 + part, born & (u > 0) & (f > 0)),
            key(pass_id, (f * sx + u) * 10_000 + part, born & (u > 0) & (f > 0) & probe),
        ]
    yield [key(5, t.ins, t.ins > 0)]
    width = _PLACE_MASK + 1
    has_place = born & (place > 0)
    for pass_id, part in ((6, year), (7, month * 100 + day)):
        # A name (birth or first) and the birthplace with one part of the date: the other name typed
        # otherwise; the day and month also swapped.
        yield [
            key(pass_id, (n * width + place) * 10_000 + part, has_place & (n > 0)),
            key(pass_id, (f * width + place) * 10_000 + part, has_place & (f > 0)),
            *(
                [key(7, (n * width + place) * 10_000 + day * 100 + month, has_place & can_swap & (n > 0)),
                 key(7, (f * width + place) * 10_000 + day * 100 + month, has_place & can_swap & (f > 0))]
                if pass_id == 7 else []
            ),
        ]  # fmt: skip
    prefix = t.name_prefix[t.name]
    for pass_id, part in ((8, year), (9, month * 100 + day)):
        # The first name and the birth name's first two letters (typos seldom hit them), a date part.
        yield [
            key(pass_id, (f * 1024 + prefix) * 10_000 + part, born & (f > 0) & (t.name_length[t.name] >= 2))
        ]
    pass_id = 10
    for trait, codes in t.extras.items():
        if trait in _IDENTIFIERS:
            # The value and the value less any one character: two values meet when equal or one
            # character apart (replaced, missing, added, or two swapped: 1234567 / 1243567).
            starts, variants = t.extra_variants[trait]
            count = starts[codes + 1] - starts[codes]
            first = np.repeat(starts[codes], count)
            at = first + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
            yield [((variants[at] << 5) | pass_id, np.repeat(rows, count))]
            pass_id += 1
        else:  # an address or a town is shared by many: with one of the names, or with the birth date
            yield [
                key(pass_id, codes * sx + n, (codes > 0) & (n > 0)),
                key(pass_id, codes * sx + f, (codes > 0) & (f > 0)),
            ]
            yield [key(pass_id + 1, codes * 100_000_000 + t.birth, (codes > 0) & born)]
            pass_id += 2


NARROW_PASSES = (2, 8, 9)  # engine.NARROW: the date aside, or all of it but the year or the day
SEARCH_PASSES = (
    1,
    2,
    3,
    4,
    6,
    7,
    8,
    9,
)  # passes on names and dates: their keys are stable, stored for the search


def _sorted_unique(parts: list[tuple[Int, Int]]) -> tuple[Int, Int]:
    """The (key, row) pairs sorted by key then row, each once."""
    if not parts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    keys = np.concatenate([k for k, _ in parts])
    rows = np.concatenate([r for _, r in parts])
    order = np.lexsort((rows, keys))
    keys, rows = keys[order], rows[order]
    fresh = np.ones(len(keys), dtype=np.bool_)
    fresh[1:] = (keys[1:] != keys[:-1]) | (rows[1:] != rows[:-1])
    return keys[fresh], rows[fresh]


def search_keys(t: Table, probe: bool = False) -> tuple[Int, Int]:
    """(key, row) of the name-and-date blocking keys, each once, sorted within each pass: stored for every
    record at detection (probe=False: without the mirror keys), looked up for a typed identity."""
    out = [_sorted_unique(parts) for pass_id, parts in enumerate(_passes(t, mirrors=probe, probe=probe), 1)
           if pass_id in SEARCH_PASSES]  # fmt: skip
    return np.concatenate([k for k, _ in out]), np.concatenate([r for _, r in out])


KEY_BUCKET_BITS = 18  # a bucket's arrays fit in its B-tree page on a million identities (no overflow pages)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: spreads keys whose low bits repeat (the pass)


def key_bucket(keys: Int) -> Int:
    """The bucket of each search key (0 .. 2**KEY_BUCKET_BITS - 1), the same in every extraction: the
    stored keys are grouped by it, the desk search reads the buckets of the typed identity's keys."""
    with np.errstate(over="ignore"):
        mixed = keys.astype(np.uint64) * _GOLDEN  # modulo 2**64
    out: Int = (mixed >> np.uint64(64 - KEY_BUCKET_BITS)).astype(np.int64)
    return out


BLOCK_CHUNK_PAIRS = 4_000_000  # pairs built at a time: a pass's temporaries stay ~200 MB at 7,000,000


def _block_pairs(keys: Int, rows: Int, cap: int, size: int) -> Iterator[Int]:
    """Pair codes (i * size + j, i < j) of the records sharing a key, blocks bigger than cap skipped,
    BLOCK_CHUNK_PAIRS at a time (whole blocks), each chunk sorted and unique: a pass of 7,000,000
    identities makes tens of millions of pairs, and building them at once held six copies."""
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, len(keys)])
    keep = (sizes > 1) & (sizes <= cap)
    starts, sizes = starts[keep], sizes[keep]
    total = np.cumsum(sizes * (sizes - 1) // 2)
    first = 0
    while first < len(starts):
        done = int(total[first - 1]) if first else 0
        last = max(int(np.searchsorted(total, done + BLOCK_CHUNK_PAIRS, side="right")), first + 1)
        yield _pairs_of_blocks(rows, starts[first:last], sizes[first:last], size)
        first = last


def _pairs_of_blocks(rows: Int, starts: Int, sizes: Int, size: int) -> Int:
    # Every member of a block pairs with the members after it in that block.
    member = np.repeat(starts, sizes) + np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    after = np.repeat(starts + sizes, sizes) - member - 1
    left = np.repeat(member, after)
    right = left + 1 + np.arange(len(left)) - np.repeat(np.cumsum(after) - after, after)
    a, b = rows[left], rows[right]
    del left, right
    return np.unique(np.minimum(a, b) * size + np.maximum(a, b))


def candidate_pairs(t: Table, cap: int) -> tuple[Int, Int]:
    """Row pairs (i < j) sharing a blocking key, blocks bigger than `cap` skipped (stop values)."""
    size = len(t)
    pair = np.empty(0, np.int64)
    for pass_id, parts in enumerate(_passes(t), 1):
        keys, rows = _sorted_unique(parts)  # a record once per block
        del parts
        narrow = min(cap, NARROW_CAP) if pass_id in NARROW_PASSES else cap
        chunks = list(_block_pairs(keys, rows, narrow, size))
        del keys, rows
        # Merged pass by pass: never every pass's pairs at once (7,000,000 identities: GBs of duplicates
        # between passes). A stable sort of sorted runs is a merge (timsort).
        merged = np.concatenate([pair, *chunks])
        del pair, chunks
        merged.sort(kind="stable")
        fresh = np.ones(len(merged), dtype=np.bool_)
        fresh[1:] = merged[1:] != merged[:-1]
        pair = merged[fresh]
        del merged, fresh
    return pair // size, pair % size


# --- comparison levels ----------------------------------------------------------------------------------


def _distinct(a: Int, b: Int, symmetric: bool = True) -> tuple[Int, Int, Int]:
    """Distinct (a, b) value pairs and, for each input pair, the index of its distinct pair."""
    if symmetric:
        a, b = np.minimum(a, b), np.maximum(a, b)
    width = int(max(a.max(initial=0), b.max(initial=0))) + 1
    uniq, inverse = np.unique(a * width + b, return_inverse=True)
    return uniq // width, uniq % width, inverse.reshape(-1)


def _strings(values: list[str], codes: Int) -> list[str]:
    return list(map(values.__getitem__, codes.tolist()))


def _jw_dl(values: list[str], a: Int, b: Int, with_dl: bool) -> tuple[Float, Int | None]:
    """Jaro-Winkler similarity (and Damerau-Levenshtein distance) per pair, computed per distinct pair."""
    if len(a) == 0:
        return np.empty(0), (np.empty(0, np.int64) if with_dl else None)
    ua, ub, inverse = _distinct(a, b)
    sa, sb = _strings(values, ua), _strings(values, ub)
    jw = cpdist(sa, sb, scorer=JaroWinkler.similarity, dtype=np.float64)[inverse]
    dl = cpdist(sa, sb, scorer=DamerauLevenshtein.distance, dtype=np.int64)[inverse] if with_dl else None
    return jw, dl


class _Chooser:
    """Assigns levels strongest first: a pair keeps the first level whose condition it meets."""

    def __init__(self, size: int, fallback: np.int8) -> None:
        self.level = np.full(size, fallback, dtype=np.int8)
        self.done = np.zeros(size, dtype=np.bool_)

    def take(self, mask: Bool, level: np.int8) -> None:
        hit = mask & ~self.done
        self.level[hit] = level
        self.done |= hit


def _near(t: Table, a: Int, b: Int) -> Bool:
    """engine._near per pair: equal, or one typo apart when both have at least 4 letters."""
    out: Bool = a == b
    rest = np.flatnonzero(~out & (a > 0) & (b > 0))
    if len(rest):
        jw, dl = _jw_dl(t.names, a[rest], b[rest], with_dl=True)
        assert dl is not None
        long_enough = np.minimum(t.name_length[a[rest]], t.name_length[b[rest]]) >= 4
        out[rest] = (long_enough & ((dl <= 1) | (jw >= 0.9))) | _part_of(t, a[rest], b[rest])
    return out


def _part_of(t: Table, a: Int, b: Int) -> Bool:
    """engine._part_of per pair: one name a whole-word part of the other's, per distinct pair."""
    if len(a) == 0:
        return np.zeros(0, dtype=np.bool_)
    ua, ub, inverse = _distinct(a, b)
    short_first = t.name_length[ua] < t.name_length[ub]
    short, long = np.where(short_first, ua, ub), np.where(short_first, ub, ua)
    ss, ls = t.name_strings()[short], t.name_strings()[long]
    hit: Bool = (
        (ua != ub) & (ua > 0) & (ub > 0) & (t.name_length[short] >= 3)
        & (np.strings.find(np.strings.add(np.strings.add(" ", ls), " "), np.strings.add(np.strings.add(" ", ss), " ")) >= 0)
    )  # fmt: skip
    # engine.typo_of_a_word, on the distinct pairs of a single word and a compound name.
    ask = np.flatnonzero(
        ~hit & (ua != ub) & (ua > 0) & (ub > 0) & (t.name_length[short] >= 4)
        & (np.strings.find(ss, " ") < 0) & (np.strings.find(ls, " ") >= 0)
    )  # fmt: skip
    if len(ask):
        hit[ask] = [
            typo_of_a_word(t.names[a], t.names[b])
            for a, b in zip(short[ask].tolist(), long[ask].tolist(), strict=True)
        ]
    return hit[inverse]


def inverted(t: Table, i: Int, j: Int, undecided: Bool) -> Bool:
    """engine._inverted on the undecided pairs (False elsewhere)."""
    out = np.zeros(len(i), dtype=np.bool_)
    na, nb, fa, fb = t.name[i], t.name[j], t.first[i], t.first[j]
    ask = np.flatnonzero(undecided & (na > 0) & (nb > 0) & (fa > 0) & (fb > 0))
    if len(ask):
        near = _near(t, na[ask], fb[ask])
        out[ask[near]] = _near(t, nb[ask[near]], fa[ask[near]])
    return out


def _both_inverted(t: Table, i: Int, j: Int) -> Bool:
    """inverted() where the birth names or the first names differ: what name_levels and first_levels ask
    of it (its answer on a pair does not depend on which asks), computed once for both."""
    return inverted(t, i, j, (t.name[i] != t.name[j]) | (t.first[i] != t.first[j]))


def name_levels(t: Table, i: Int, j: Int, flipped: Bool | None = None) -> Small:
    """`flipped`: _both_inverted(t, i, j) when the caller has it."""
    L = _L["birth_name"]
    na, nb = t.name[i], t.name[j]
    c = _Chooser(len(i), L["else"])
    c.take((na == 0) | (nb == 0), L["missing"])
    c.take(na == nb, L["exact"])
    c.take(inverted(t, i, j, ~c.done) if flipped is None else flipped, L["inverted"])
    c.take(((t.used[i] > 0) & (t.used[i] == nb)) | ((t.used[j] > 0) & (t.used[j] == na)), L["cross_used"])
    ask = np.flatnonzero(~c.done)
    part = np.zeros(len(i), dtype=np.bool_)
    part[ask] = _part_of(t, na[ask], nb[ask])
    c.take(part, L["part"])
    rest = np.flatnonzero(~c.done)
    jw, dl = _jw_dl(t.names, na[rest], nb[rest], with_dl=True)
    assert dl is not None
    sub = _Chooser(len(rest), L["else"])
    sub.take((t.soundex[na[rest]] == t.soundex[nb[rest]]) & (jw > 0.8), L["phonetic"])
    sub.take((dl <= 1) | (jw >= 0.94), L["close"])
    sub.take(jw >= 0.88, L["far"])
    c.level[rest] = sub.level
    return c.level


def _token_prefix(t: Table, a: Int, b: Int) -> Bool:
    """One first name's words begin the other's (JEAN-PIERRE entered as JEAN), per distinct pair."""
    if len(a) == 0:
        return np.zeros(0, dtype=np.bool_)
    ua, ub, inverse = _distinct(a, b)
    sa = np.strings.add(t.name_strings()[ua], " ")
    sb = np.strings.add(t.name_strings()[ub], " ")
    hit: Bool = np.strings.startswith(sa, sb) | np.strings.startswith(sb, sa)
    return hit[inverse]


def _in_list(t: Table, first: Int, lists: Int) -> Bool:
    """The first name is one of the words of the other's first-name list, per distinct pair."""
    if len(first) == 0:
        return np.zeros(0, dtype=np.bool_)
    uf, ul, inverse = _distinct(first, lists, symmetric=False)
    word, words = t.name_strings()[uf], t.list_strings()[ul]
    hit: Bool = (np.strings.find(word, " ") < 0) & (
        np.strings.find(np.strings.add(np.strings.add(" ", words), " "), np.strings.add(np.strings.add(" ", word), " "))
        >= 0
    )  # fmt: skip
    return hit[inverse]


def first_levels(t: Table, i: Int, j: Int, flipped: Bool | None = None) -> Small:
    """`flipped`: _both_inverted(t, i, j) when the caller has it."""
    L = _L["first_name"]
    fa, fb = t.first[i], t.first[j]
    c = _Chooser(len(i), L["else"])
    c.take((fa == 0) | (fb == 0), L["missing"])
    c.take(fa == fb, L["exact"])
    c.take(inverted(t, i, j, ~c.done) if flipped is None else flipped, L["inverted"])
    rest = np.flatnonzero(~c.done)
    ra, rb = fa[rest], fb[rest]
    sub = _Chooser(len(rest), L["else"])
    sub.take(_token_prefix(t, ra, rb), L["truncated"])
    sub.take(_in_list(t, ra, t.firsts[j][rest]) | _in_list(t, rb, t.firsts[i][rest]), L["in_list"])
    jw, dl = _jw_dl(t.names, ra, rb, with_dl=True)
    assert dl is not None
    sub.take((t.soundex[ra] == t.soundex[rb]) & (jw > 0.8), L["phonetic"])
    long_enough = np.minimum(t.name_length[ra], t.name_length[rb]) >= 4
    sub.take((jw >= 0.92) | ((dl <= 1) & long_enough), L["close"])
    c.level[rest] = sub.level
    return c.level


def _digits(yyyymmdd: Int) -> Int:
    powers = 10 ** np.arange(7, -1, -1, dtype=np.int64)
    out: Int = (yyyymmdd[:, None] // powers) % 10
    return out


def _completed(x: Int, y: Int) -> Bool:
    """engine._completed: x looks like y completed (31/12, its month's 1st, its day in January)."""
    mx, dx, my, dy = x // 100 % 100, x % 100, y // 100 % 100, y % 100
    out: Bool = ((mx == 12) & (dx == 31)) | ((dx == 1) & (mx == my)) | ((mx == 1) & (dx == dy))
    return out


def _days(yyyymmdd: Int) -> Int:
    """Days since 1970 of YYYYMMDD dates (valid dates: they come from date objects)."""
    year, month, day = yyyymmdd // 10_000, yyyymmdd // 100 % 100, yyyymmdd % 100
    when = (year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1).astype(
        "timedelta64[M]"
    )
    out: Int = (when.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")).astype(np.int64)
    return out


def date_levels(t: Table, i: Int, j: Int) -> Small:
    L = _L["birth_date"]
    da, db = t.birth[i], t.birth[j]
    c = _Chooser(len(i), L["else"])
    c.take((da == 0) | (db == 0), L["missing"])
    c.take(da == db, L["exact"])
    c.take((da // 10_000 == db // 10_000) & (da // 100 % 100 == db % 100) & (da % 100 == db // 100 % 100),
           L["swapped"])  # fmt: skip
    rest = np.flatnonzero(~c.done)
    xa, xb = _digits(da[rest]), _digits(db[rest])
    diff = xa != xb
    wrong = diff.sum(axis=1)
    # Damerau-Levenshtein ≤ 1 between two 8-digit strings: one digit replaced, or two adjacent swapped.
    swap = (diff[:, :-1] & diff[:, 1:] & (xa[:, :-1] == xb[:, 1:]) & (xa[:, 1:] == xb[:, :-1])).any(axis=1)
    sub = _Chooser(len(rest), L["else"])
    years = np.abs(da[rest] // 10_000 - db[rest] // 10_000)
    next_year = (da[rest] % 10_000 == db[rest] % 10_000) & ((years == 1) | (years == 10))
    next_day = np.abs(_days(da[rest]) - _days(db[rest])) == 1
    sub.take((wrong <= 1) | ((wrong == 2) & swap) | next_year | next_day, L["one_digit"])
    sub.take(da[rest] // 100 == db[rest] // 100, L["year_month"])
    # engine._date_level: two slips, or one date completed as RNIV says within the same year.
    same_year = da[rest] // 10_000 == db[rest] // 10_000
    completed = _completed(da[rest], db[rest]) | _completed(db[rest], da[rest])
    near = same_year & completed
    ask = np.flatnonzero(~sub.done & ~near)
    if len(ask):
        ua, ub, inverse = _distinct(da[rest][ask], db[rest][ask])
        dl = cpdist([str(x) for x in ua.tolist()], [str(x) for x in ub.tolist()],
                    scorer=DamerauLevenshtein.distance, dtype=np.int64)[inverse]  # fmt: skip
        near[ask] = dl <= 2
    sub.take(near, L["near"])
    c.level[rest] = sub.level
    return c.level


def presence_levels(trait: str, a: Int, b: Int) -> Small:
    L = _L[trait]
    out = np.where(a == b, L["equal"], L["different"]).astype(np.int8)
    out[(a == 0) | (b == 0)] = L["missing"]
    return out


def complementary_levels(t: Table, trait: str, i: Int, j: Int) -> Small:
    L = _L[trait]
    a, b = t.extras[trait][i], t.extras[trait][j]
    c = _Chooser(len(i), L["else"])
    c.take((a == 0) | (b == 0), L["missing"])
    c.take(a == b, L["exact"])
    rest = np.flatnonzero(~c.done)
    jw, dl = _jw_dl(t.extra_values[trait], a[rest], b[rest], with_dl=True)
    assert dl is not None
    sub = _Chooser(len(rest), L["else"])
    sub.take((dl <= 1) | (jw >= 0.95), L["close"])
    sub.take(jw >= 0.85, L["far"])
    c.level[rest] = sub.level
    return c.level


# Candidate pairs compared and scored at a time: a chunk's full-length temporaries (codes, similarities,
# masks: some 150 bytes a pair) stay near 300 MB whatever the number of candidates (tens of millions on
# 7,000,000 identities); what is kept of all of them is their int8 level matrix.
CHUNK_PAIRS = 2_000_000


def level_matrix(t: Table, i: Int, j: Int) -> Small:
    """One column per trait (t.traits order), the level index of each pair, CHUNK_PAIRS pairs at a time."""
    out = np.empty((len(i), len(t.traits)), dtype=np.int8)
    for start in range(0, len(i), CHUNK_PAIRS):
        a, b = i[start : start + CHUNK_PAIRS], j[start : start + CHUNK_PAIRS]
        flipped = _both_inverted(t, a, b)
        out[start : start + len(a)] = np.stack(
            [
                name_levels(t, a, b, flipped),
                first_levels(t, a, b, flipped),
                date_levels(t, a, b),
                presence_levels("sex", t.sex[a], t.sex[b]),
                presence_levels("birthplace", t.place[a], t.place[b]),
                presence_levels("ins", t.ins[a], t.ins[b]),
                *(complementary_levels(t, trait, a, b) for trait in t.extras),
            ],
            axis=1,
        )
    return out


# --- weights and decisions ------------------------------------------------------------------------------


def estimate_u(model: Model, t: Table, samples: int = 20_000, seed: int = 1) -> None:
    """u per level from random (almost surely different-person) pairs, and name frequencies."""
    n = len(t)
    model.population = n
    if n < 1_000:  # too few identities to measure u: keep the configured priors
        model.name_freq = {}
        model.first_freq = {}
        return
    rnd = np.random.default_rng(seed)
    i, j = rnd.integers(0, n, samples), rnd.integers(0, n, samples)
    i, j = i[i != j], j[i != j]
    levels = level_matrix(t, i, j)
    for trait in t.extras:
        model.m.setdefault(trait, dict(COMPLEMENTARY_PRIOR_M))
    for k, trait in enumerate(t.traits):
        counts = np.bincount(levels[:, k], minlength=len(TRAIT_LEVELS[trait]))
        counter = {lvl: int(counts[x]) for x, lvl in enumerate(TRAIT_LEVELS[trait])}
        total = sum(counter.values()) + len(model.m[trait])
        model.u[trait] = {lvl: (counter.get(lvl, 0) + 1) / total for lvl in model.m[trait]}
    freq = np.bincount(t.name, minlength=len(t.names))
    model.name_freq = {t.names[k]: int(freq[k]) / n for k in np.flatnonzero(freq).tolist() if k}
    freq = np.bincount(t.first, minlength=len(t.names))
    model.first_freq = {t.names[k]: int(freq[k]) / n for k in np.flatnonzero(freq).tolist() if k}


def weight_table(model: Model, traits: tuple[str, ...] = TRAITS) -> list[Float]:
    return [np.array([model.weight(trait, lvl) for lvl in TRAIT_LEVELS[trait]]) for trait in traits]


def _exact_name_weights(model: Model, t: Table, codes: Int, trait: str = "birth_name") -> Float:
    """The exact weight of the vocabulary names `codes` as birth names or first names (term frequency:
    MARTIN and MARIE weigh less), computed once per distinct code."""
    default = model.weight(trait, "exact")
    m = max(model.m[trait].get("exact", 0.01), 1e-6)
    freq = model.name_freq if trait == "birth_name" else model.first_freq
    uniq, inverse = np.unique(codes, return_inverse=True)
    names = _strings(t.names, uniq)
    weights = np.array(
        [math.log2(m / max(freq[v], 1e-7)) if v in freq else default for v in names], np.float64
    )
    out: Float = weights[inverse.reshape(-1)]
    return out


@dataclass
class Scored:
    """Every candidate pair with its levels and weights; `keep` marks the pairs the cell reviews."""

    i: Int
    j: Int
    levels: Small  # (pairs, traits)
    weights: Float  # (pairs, traits)
    score: Float
    keep: Bool
    level: Small  # PROBABLE | TO_REVIEW (meaningful where keep)
    kind: Small  # DOUBLON | COLLISION
    model: Model = field(repr=False)
    traits: tuple[str, ...] = TRAITS
    estimate: Estimate | None = None  # the EM estimate of m the weights use (find_scored)
    held: dict[str, Bool] = field(default_factory=dict)  # guard → the pairs it holds back from probable
    candidates: int = 0  # candidate pairs scored (more than len(i) when only the kept ones are here)

    def __post_init__(self) -> None:
        self.candidates = self.candidates or len(self.i)

    def take(self, rows: Int) -> Scored:
        """The pairs `rows` only (the same candidates count)."""
        return Scored(
            self.i[rows], self.j[rows], self.levels[rows], self.weights[rows], self.score[rows], self.keep[rows],
            self.level[rows], self.kind[rows], self.model, self.traits, self.estimate,
            {name: mask[rows] for name, mask in self.held.items()}, self.candidates,
        )  # fmt: skip

    def reasons(self, k: int) -> list[tuple[str, float]]:
        out = []
        for x, trait in enumerate(self.traits):
            lvl = TRAIT_LEVELS[trait][self.levels[k, x]]
            if lvl != "missing":
                out.append((label(trait, lvl), round(float(self.weights[k, x]), 1)))
        return out


def _weights(model: Model, t: Table, i: Int, levels: Small) -> Float:
    """The weight of each pair's level of each trait (pairs, traits); exact names by their frequency."""
    table = weight_table(model, t.traits)
    weights = np.empty(levels.shape, dtype=np.float64)
    for x in range(levels.shape[1]):
        weights[:, x] = table[x][levels[:, x]]
    name_exact = np.flatnonzero(levels[:, 0] == _L["birth_name"]["exact"])
    if model.name_freq and len(name_exact):
        weights[name_exact, 0] = _exact_name_weights(model, t, t.name[i[name_exact]])
    first_exact = np.flatnonzero(levels[:, 1] == _L["first_name"]["exact"])
    if model.first_freq and len(first_exact):
        weights[first_exact, 1] = _exact_name_weights(model, t, t.first[i[first_exact]], "first_name")
    return weights


def _total(weights: Float) -> Float:
    score = weights[:, 0].copy()
    for x in range(1, weights.shape[1]):
        score += weights[:, x]  # left to right, as the scalar sum
    return score


def score_pairs(model: Model, t: Table, i: Int, j: Int, levels: Small | None = None) -> Scored:
    """engine.score_pair on arrays of row pairs (a = row i); `levels`: their level_matrix if known.

    The guards (other date outweighed, twins, a generation apart...) only decide among the pairs the
    score could keep (same INS, or at the lower of the probable and review thresholds): elsewhere a pair
    is dropped whatever they say, so they are computed on those few (a tenth of the candidates of a
    million identities) and `held` says False elsewhere but for the score.
    """
    if levels is None:
        levels = level_matrix(t, i, j)
    traits = t.traits
    for trait in t.extras:
        model.m.setdefault(trait, dict(COMPLEMENTARY_PRIOR_M))
    weights = _weights(model, t, i, levels)
    score = _total(weights)
    same_ins = levels[:, TRAITS.index("ins")] == _L["ins"]["equal"]
    could = np.flatnonzero(same_ins | (score >= min(model.probable_threshold(), model.review_threshold())))
    keep, level, kind, held = _decide(model, t, i[could], j[could], levels[could], score[could])
    out_keep = np.zeros(len(i), dtype=np.bool_)
    out_keep[could] = keep
    out_level = np.full(len(i), TO_REVIEW, dtype=np.int8)
    out_level[could] = level
    out_kind = np.full(len(i), DOUBLON, dtype=np.int8)
    out_kind[could] = kind
    out_held = {}
    for name, mask in held.items():
        full = score < model.probable_threshold() if name == "score" else np.zeros(len(i), dtype=np.bool_)
        full[could] = mask
        out_held[name] = full
    return Scored(i, j, levels, weights, score, out_keep, out_level, out_kind, model, traits, held=out_held)


def _decide(
    model: Model, t: Table, i: Int, j: Int, levels: Small, score: Float
) -> tuple[Bool, Small, Small, dict[str, Bool]]:
    """engine.score_pair's decision on scored pairs: (keep, level, kind, the guards holding them back)."""
    traits = t.traits
    lv = {trait: levels[:, x] for x, trait in enumerate(TRAITS)}

    def at(trait: str, level: str) -> Bool:
        out: Bool = lv[trait] == _L[trait][level]
        return out

    same_ins = at("ins", "equal")
    strict_divergence = at("birth_date", "else") | at("first_name", "else") | at("sex", "different")
    # engine.score_pair: a different birthplace or sex is evidence, not a verdict (reviewed; probable only
    # where engine._sex_outweighed / _birthplace_outweighed say what outweighs it).
    strict = at("first_name", "else") | at("birth_date", "else") | at("ins", "different")
    # engine.Model.common_disagreement: a strict trait this file's duplicates often disagree on is
    # weighed evidence (never probable), not a reason to drop the pair.
    dropping = at("ins", "different")
    for trait in ("first_name", "birth_date"):
        if not model.common_disagreement(trait):
            dropping |= at(trait, "else")
    evidence = at("sex", "different")
    if "other_id" in t.extras:
        # Another identifier (a social security number...) shared by both records outweighs a first
        # name or a date typed differently: twins and homonyms do not share one.
        shared = levels[:, traits.index("other_id")] == COMPLEMENTARY_LEVELS.index("exact")
        strict &= ~shared
        dropping &= ~shared
        evidence &= ~shared
    two_persons = dropping | evidence
    later = _same_later_first_names(t, i, j)
    years = np.abs(t.birth[i] // 10_000 - t.birth[j] // 10_000)
    # engine._other_date_outweighed, on the few pairs it may concern (one Python call each).
    ask = np.flatnonzero(
        strict & at("birth_date", "else") & ~at("ins", "different") & later
        & at("birthplace", "equal") & at("sex", "equal") & (years < GENERATION_YEARS)
    )  # fmt: skip
    if len(ask):
        births = zip(t.birth[i[ask]].tolist(), t.birth[j[ask]].tolist(), strict=True)
        slips = np.fromiter((two_slips(_as_date(x), _as_date(y)) for x, y in births), np.bool_, len(ask))
        strict[ask[slips]] = False  # the same list: the first names agree
    sex_apart = at("sex", "different")
    # engine._sex_outweighed, _birthplace_outweighed, _near_date_outweighed.
    sex_outweighed = later | (
        (at("first_name", "exact") | at("first_name", "inverted"))
        & (at("birth_date", "exact") | at("birth_date", "swapped") | at("birth_date", "one_digit"))
        & at("birthplace", "equal")
    )
    departments = _departments(t)
    same_department = (departments[t.place[i]] > 0) & (departments[t.place[i]] == departments[t.place[j]])
    place_outweighed = later & ~sex_apart & (same_department | _two_later_first_names(t, i, later))
    da, db = t.birth[i], t.birth[j]
    completed = (da // 10_000 == db // 10_000) & (_completed(da, db) | _completed(db, da))
    near_outweighed = (
        (later | completed) & at("birthplace", "equal") & at("sex", "equal") & (years < GENERATION_YEARS)
    )
    thresholds = model.thresholds
    # engine.score_pair: birth names that differ beyond what the levels explain are reviewed, never probable.
    # What holds a pair back from probable, by name (benchmarks/queue_breakdown.py counts them).
    held = {
        "score": score < model.probable_threshold(),
        "strict": strict,
        "sex": evidence & ~sex_outweighed,
        "birthplace": at("birthplace", "different") & ~place_outweighed,
        "birth_name": at("birth_name", "else"),
        "near_date": at("birth_date", "near") & ~near_outweighed,
        "twin": _twin_shaped(model, t, i, j, at),
        "generation": _generation_apart(t, i, j, at),
    }
    probable = ~same_ins
    for mask in held.values():
        probable &= ~mask
    dropped = ~same_ins & ~probable & two_persons & (score < thresholds["two_persons_review"])
    review = ~same_ins & ~probable & ~dropped & (score >= model.review_threshold())
    keep = same_ins | ((probable | review) & ~(t.homonym[i] & t.homonym[j]))
    level = np.where(same_ins | probable, PROBABLE, TO_REVIEW).astype(np.int8)
    kind = np.where(same_ins & strict_divergence, COLLISION, DOUBLON).astype(np.int8)
    return keep, level, kind, held


def _same_later_first_names(t: Table, i: Int, j: Int) -> Bool:
    """engine._same_later_first_names: one list of first names with first names after the first one."""
    words = t.token_starts[1:] - t.token_starts[:-1]
    out: Bool = (t.firsts[i] == t.firsts[j]) & (words[t.firsts[i]] >= 2)
    ask = np.flatnonzero(
        (t.firsts[i] != t.firsts[j]) & (words[t.firsts[i]] >= 2) & (words[t.firsts[i]] == words[t.firsts[j]])
    )
    if len(ask):  # the same words in another order, once per distinct pair of lists
        la, lb, inverse = _distinct(t.firsts[i[ask]], t.firsts[j[ask]])
        same = np.fromiter(
            (sorted(t.lists[x].split()) == sorted(t.lists[y].split()) for x, y in zip(la.tolist(), lb.tolist(), strict=True)),
            np.bool_, len(la),
        )  # fmt: skip
        out[ask] = same[inverse]
    ask = np.flatnonzero(out)
    if len(ask):  # the first first name's words, once per distinct first first name (both records)
        for side in (i, j):
            codes, inverse = np.unique(t.first[side[ask]], return_inverse=True)
            first_words = np.fromiter((len(t.names[c].split()) for c in codes.tolist()), np.int64, len(codes))
            out[ask] &= words[t.firsts[side[ask]]] > first_words[inverse.reshape(-1)]
    return out


def _two_later_first_names(t: Table, i: Int, where: Bool) -> Bool:
    """Where `where`: the list of row i holds two first names or more after its first first name."""
    out = np.zeros(len(i), dtype=np.bool_)
    ask = np.flatnonzero(where)
    if len(ask):
        words = t.token_starts[1:] - t.token_starts[:-1]
        codes, inverse = np.unique(t.first[i[ask]], return_inverse=True)
        first_words = np.fromiter((len(t.names[c].split()) for c in codes.tolist()), np.int64, len(codes))
        out[ask] = words[t.firsts[i[ask]]] >= first_words[inverse.reshape(-1)] + 2
    return out


def _departments(t: Table) -> Int:
    """engine.department of each birthplace code of the vocabulary, as a number (0: none)."""
    codes: dict[str, int] = {"": 0}
    return np.fromiter(
        (codes.setdefault(department(p), len(codes)) for p in t.places), dtype=np.int64, count=len(t.places)
    )


def _twin_shaped(model: Model, t: Table, i: Int, j: Int, at: Callable[[str, str], Bool]) -> Bool:
    """engine._twin_shaped: same birth name and date, first names twins could bear."""
    close = at("first_name", "close") | at("first_name", "phonetic")
    same = at("birth_name", "exact") & at("birth_date", "exact")
    out: Bool = same & close
    ask = np.flatnonzero(out)
    if len(ask):  # known first names, once per distinct first name of these pairs
        codes, inverse = np.unique(np.concatenate([t.first[i[ask]], t.first[j[ask]]]), return_inverse=True)
        known = np.fromiter(map(model.is_first_name, _strings(t.names, codes)), np.bool_, len(codes))
        hit = known[inverse.reshape(-1)]
        out[ask] = hit[: len(ask)] & hit[len(ask) :]
    ask = np.flatnonzero(same & close & ~out)
    if len(ask):  # engine._twin_shaped: two given names two edits apart (TIPHAINE, TIPHANY)
        fa, fb = t.first[i[ask]], t.first[j[ask]]
        _, dl = _jw_dl(t.names, fa, fb, with_dl=True)
        assert dl is not None
        codes = np.unique(np.concatenate([fa, fb]))
        given = np.zeros(len(t.names), dtype=np.bool_)
        given[codes] = [model.is_given(t.names[c]) for c in codes.tolist()]
        out[ask] = (dl >= 2) & given[fa] & given[fb]
    ask = np.flatnonzero(same & (close | at("first_name", "truncated")) & ~out)
    if len(ask):  # later first names all different (LILOU CANDIDE, LILLA EMMA): once per list pair
        la, lb = t.firsts[i[ask]].tolist(), t.firsts[j[ask]].tolist()
        later = {code: t.lists[code].split()[1:] for code in {*la, *lb}}
        disjoint = {
            (x, y): len(later[x]) >= 1 and len(later[y]) >= 1 and set(later[x]).isdisjoint(later[y])
            for x, y in set(zip(la, lb, strict=True))
        }
        out[ask] = [disjoint[pair] for pair in zip(la, lb, strict=True)]
    ask = np.flatnonzero(same & at("first_name", "in_list"))
    if len(ask):  # neither list holds the other's names, or their first names differ: once per list pair
        la, lb = t.firsts[i[ask]].tolist(), t.firsts[j[ask]].tolist()
        lists = {code: t.lists[code].split() for code in {*la, *lb}}
        words = {code: set(w) for code, w in lists.items()}
        apart = {
            (x, y): not (words[x] <= words[y] or words[y] <= words[x])
            or (words[x] != words[y] and lists[x][:1] != lists[y][:1])
            for x, y in set(zip(la, lb, strict=True))
        }
        out[ask] = [apart[pair] for pair in zip(la, lb, strict=True)]
    return out


def _generation_apart(t: Table, i: Int, j: Int, at: Callable[[str, str], Bool]) -> Bool:
    """engine._generation_apart: dates one digit apart, a generation between them."""
    years = np.abs(t.birth[i] // 10_000 - t.birth[j] // 10_000)
    out: Bool = at("birth_date", "one_digit") & (years >= GENERATION_YEARS)
    return out


Labeller = Callable[[Int, Int], Small]  # candidate pairs (i, j) → 1 duplicate, 0 not, -1 undecided
EM_PRIOR_PAIRS = 200.0  # the configured m weighs as much as 200 duplicates in EM's estimate


def find_scored(model: Model, t: Table, labels: Labeller | None = None, *, kept_only: bool = False) -> Scored:
    """Blocking, u measured on random pairs of the extraction, m estimated by EM on the candidate pairs
    (reviewers' decisions as labels; again on the pairs the configured model would review when the
    estimate is not `plausible`), then every candidate pair scored with them.

    The configured m is EM's starting point and prior: a facility whose file shows few errors of a kind
    keeps the configured knowledge, one whose file is full of them (FEBRL's corrupted first names)
    learns that such a difference is common among its duplicates. The estimate is on `scored.estimate`.

    kept_only: the result holds the kept pairs only (`candidates` counts them all), scored CHUNK_PAIRS
    at a time: memory follows the pairs kept, not the candidates' weights and guards.
    """
    estimate_u(model, t)
    i, j = candidate_pairs(t, model.block_cap)
    levels = level_matrix(t, i, j)
    estimate = None
    if len(i):
        estimate = fit_m(model, t, i, j, levels, None if labels is None else labels(i, j))
        model.m.update(estimate.m)
    if not kept_only:
        scored = score_pairs(model, t, i, j, levels)
    else:
        parts = []
        for start in range(0, len(i), CHUNK_PAIRS):
            end = start + CHUNK_PAIRS
            part = score_pairs(model, t, i[start:end], j[start:end], levels[start:end])
            parts.append(part.take(np.flatnonzero(part.keep)))
        scored = _joined_scored(parts, model, t) if parts else score_pairs(model, t, i, j, levels)
        scored.candidates = len(i)
    scored.estimate = estimate
    return scored


def _joined_scored(parts: list[Scored], model: Model, t: Table) -> Scored:
    def cat(arrays: list[npt.NDArray[Any]]) -> npt.NDArray[Any]:
        return np.concatenate(arrays)

    return Scored(
        cat([p.i for p in parts]), cat([p.j for p in parts]), cat([p.levels for p in parts]),
        cat([p.weights for p in parts]), cat([p.score for p in parts]), cat([p.keep for p in parts]),
        cat([p.level for p in parts]), cat([p.kind for p in parts]), model, t.traits,
        held={name: cat([p.held[name] for p in parts]) for name in parts[0].held},
    )  # fmt: skip


def _scores(model: Model, t: Table, i: Int, j: Int, levels: Small) -> Float:
    """The score of each pair (score_pairs' without the guards), CHUNK_PAIRS pairs at a time."""
    out = np.empty(len(i), dtype=np.float64)
    for start in range(0, len(i), CHUNK_PAIRS):
        end = start + CHUNK_PAIRS
        out[start:end] = _total(_weights(model, t, i[start:end], levels[start:end]))
    return out


# Levels that say "two persons" (RNIV's strict traits differ): their m is the configuration's at most
# when EM learns on the pairs the configured model selected (fit_m).
DISAGREEMENTS = {"birth_name": ("else",), "first_name": ("else",), "birth_date": ("else",),
                 "sex": ("different",), "birthplace": ("different",), "ins": ("different",)}  # fmt: skip


def fit_m(model: Model, t: Table, i: Int, j: Int, levels: Small, given: Small | None = None) -> Estimate:
    """m estimated by EM on the candidate pairs (reviewers' decisions `given` as labels); again on the
    pairs the configured model would review when that estimate is not `plausible`."""
    estimate = estimate_m(model, levels, given, traits=t.traits, prior_pairs=EM_PRIOR_PAIRS)
    if plausible(estimate):
        return estimate
    # On all candidates of a million identities, pairs sharing a surname and a first name but nothing
    # else can outnumber the duplicates, and EM takes that family likeness for theirs (a class of a
    # third of the pairs, birth dates "different"). EM learns again on the pairs the configured model
    # would show the cell (and those it decided): above the review threshold as the file's size raises
    # it. Above the unraised one, on a million identities, strangers sharing a first name and a birth
    # date made 80-86 % of that set "duplicates" and EM learnt that duplicates' birth names differ one
    # time in seven (m 0.14-0.29 instead of 0.01).
    for trait in t.extras:
        model.m.setdefault(trait, dict(COMPLEMENTARY_PRIOR_M))
    shown = _scores(model, t, i, j, levels) >= model.review_threshold()
    if given is not None:
        shown |= given >= 0
    if shown.sum() < 50:
        return estimate
    refit = estimate_m(
        model,
        levels[shown],
        None if given is None else given[shown],
        traits=t.traits,
        prior_pairs=EM_PRIOR_PAIRS,
    )
    # That set is chosen by the configured model and its strangers agree on names and dates as
    # duplicates do: EM finds no class of non-duplicates in it (share of duplicates → 1), so what it
    # measures of a disagreement is how many strangers the set holds, not how often duplicates show it
    # (1,000,000 identities: birth names "different" m 0.05-0.07, birthplaces 0.08-0.12, against a
    # configured 0.01; the queue then held 15,000 strangers sharing a first name and a birth date).
    # A disagreement keeps at most the configured m; EM's knowledge of the agreements stays.
    for trait, disagreements in DISAGREEMENTS.items():
        shares = dict(refit.m[trait])
        for level in disagreements:
            shares[level] = min(shares[level], model.m[trait].get(level, shares[level]))
        total = sum(shares.values())
        refit.m[trait] = {level: share / total for level, share in shares.items()}
    return refit


def plausible(estimate: Estimate) -> bool:
    """Duplicates agree on their birth date and on their first name more often than not (RNIV's strict
    traits): an estimate whose class of duplicates does not found another likeness than theirs."""
    date_m, first_m = estimate.m["birth_date"], estimate.m["first_name"]
    dates = date_m["exact"] + date_m["swapped"] + date_m["one_digit"]
    firsts = first_m["exact"] + first_m["inverted"] + first_m["in_list"] + first_m["truncated"]
    return dates >= 0.5 and firsts >= 0.5


def matches(scored: Scored, t: Table) -> list[Match]:
    """The kept pairs as engine.Match objects (only these few become Python objects)."""
    out = []
    for k in np.flatnonzero(scored.keep).tolist():
        out.append(
            Match(
                t.keyed(int(scored.i[k])),
                t.keyed(int(scored.j[k])),
                round(float(scored.score[k]), 2),
                LEVEL_NAMES[scored.level[k]],
                KIND_NAMES[scored.kind[k]],
                scored.reasons(k),
            )
        )
    return out


# --- EM estimation of m ---------------------------------------------------------------------------------


@dataclass
class Estimate:
    """m per level estimated by EM on the candidate pairs (u stays the random-sampling one)."""

    m: dict[str, dict[str, float]]
    prior: dict[str, dict[str, float]]  # the m it started from (the configuration)
    match_share: float  # share of the candidate pairs EM believes are duplicates
    pairs: int
    labelled: int  # pairs whose reviewers' decision replaced EM's guess
    iterations: int
    converged: bool


def estimate_m(
    model: Model,
    levels: Small,
    labels: Small | None = None,
    *,
    traits: tuple[str, ...] = TRAITS,
    prior_pairs: float = 20.0,
    max_iterations: int = 200,
    tolerance: float = 1e-7,
) -> Estimate:
    """Expectation-maximisation over the comparison vectors of the candidate pairs (Fellegi-Sunter with
    conditional independence, Jaro 1989), started from the configured m.

    Candidate pairs are not random pairs (blocking made them agree on a name or a date), so the
    non-duplicates' level shares are estimated here as a nuisance, and u stays the one measured on
    random pairs. `prior_pairs` pseudo-pairs at the configured m keep rare levels from collapsing to 0.
    `labels` (1 duplicate, 0 not, -1 unknown) are the reviewers' decisions: a decided pair counts as
    what the cell said, not as EM's guess.
    """
    names = traits
    count = len(names)
    sizes = [len(TRAIT_LEVELS[t]) for t in names]
    if labels is None:
        labels = np.full(len(levels), -1, dtype=np.int8)
    # Work on distinct (comparison vector, label): a few hundred rows for a million pairs.
    radix = np.cumprod([1, *sizes])
    code = labels.astype(np.int64) + 1  # column by column: no (pairs, traits) int64 temporary
    for x in range(count):
        code += levels[:, x].astype(np.int64) * (int(radix[x]) * 3)
    if radix[count] * 3 <= 1 << 24:  # few possible vectors: counted without sorting the pairs
        counts = np.bincount(code, minlength=int(radix[count]) * 3)
        uniq = np.flatnonzero(counts)
        counts = counts[uniq]
    else:
        uniq, counts = np.unique(code, return_counts=True)
    label = (uniq % 3) - 1
    vec = np.stack([(uniq // 3) // radix[x] % sizes[x] for x in range(count)], axis=1)
    weight = counts.astype(np.float64)
    prior_m = [np.array([max(model.m[t].get(lvl, 0.01), 1e-6) for lvl in TRAIT_LEVELS[t]]) for t in names]
    prior_m = [p / p.sum() for p in prior_m]
    m = [p.copy() for p in prior_m]
    # The non-duplicates start as random pairs look (u): started from the candidates' own level shares,
    # EM may explain every pair as a non-duplicate when most candidates are duplicates.
    u = [
        np.array([model.u[t].get(lvl, 1e-6) for lvl in TRAIT_LEVELS[t]]) + 1e-6
        if t in model.u
        else np.bincount(vec[:, x], weights=weight, minlength=sizes[x]) + 1.0
        for x, t in enumerate(names)
    ]
    u = [p / p.sum() for p in u]
    prior_u, anchor = [p.copy() for p in u], 10.0
    share = 0.5
    converged = False
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007
        log_m = sum(np.log(np.maximum(m[x][vec[:, x]], 1e-300)) for x in range(count))
        log_u = sum(np.log(np.maximum(u[x][vec[:, x]], 1e-300)) for x in range(count))
        odds = np.exp(np.clip(np.log(share / (1 - share)) + log_m - log_u, -700, 700))
        post = np.where(label >= 0, label, odds / (1 + odds))
        w_match, w_other = weight * post, weight * (1 - post)
        new_m = [
            (np.bincount(vec[:, x], weights=w_match, minlength=sizes[x]) + prior_pairs * prior_m[x])
            / (w_match.sum() + prior_pairs)
            for x in range(count)
        ]
        # The non-duplicates keep a few pseudo-pairs as random pairs look: when nearly every candidate
        # is a duplicate, an unanchored class of non-duplicates would take them all.
        u = [
            (np.bincount(vec[:, x], weights=w_other, minlength=sizes[x]) + anchor * prior_u[x])
            / (w_other.sum() + anchor)
            for x in range(count)
        ]
        share = float(min(max(w_match.sum() / weight.sum(), 1e-9), 1 - 1e-9))
        change = max(float(np.abs(a - b).max()) for a, b in zip(new_m, m, strict=True))
        m = new_m
        if change < tolerance:
            converged = True
            break
    return Estimate(
        m={t: {lvl: float(m[x][k]) for k, lvl in enumerate(TRAIT_LEVELS[t])} for x, t in enumerate(names)},
        prior={t: dict(model.m[t]) for t in names},
        match_share=share,
        pairs=len(levels),
        labelled=int((labels >= 0).sum()),
        iterations=iteration,
        converged=converged,
    )


def parameters(model: Model, estimate: Estimate | None = None) -> dict[str, Any]:
    """What the cell can read of the model: per trait and level, the French label, m (configured and as
    EM estimated it), u (measured on the extraction) and the weight log2(m/u) scoring used."""
    traits: dict[str, list[dict[str, Any]]] = {}
    configured = model.m if estimate is None else estimate.prior
    for trait in [*TRAITS, *(t for t in COMPLEMENTARY_LABELS if t in model.m)]:
        traits[trait] = [
            {
                "level": lvl,
                "label": label(trait, lvl),
                "m": configured[trait].get(lvl, 0.01),
                "m_em": None
                if estimate is None or trait not in estimate.m
                else round(estimate.m[trait][lvl], 6),
                "u": round(model.u.get(trait, {}).get(lvl, 0.5), 8),
                "weight": round(model.weight(trait, lvl), 3),
            }
            for lvl in TRAIT_LEVELS[trait]
        ]
    em = None
    if estimate is not None:
        em = {"pairs": estimate.pairs, "labelled": estimate.labelled, "match_share": round(estimate.match_share, 6),
              "iterations": estimate.iterations, "converged": estimate.converged}  # fmt: skip
    return {
        "trait_labels": {t: TRAIT_LABELS[t] for t in traits},
        "identities": model.population,
        "thresholds": {
            **model.thresholds,
            "probable_effective": round(model.probable_threshold(), 3),
            **(
                {"review_effective": round(model.review_threshold(), 3)}
                if "a_examiner" in model.thresholds
                else {}
            ),
        },
        "em": em,
        "traits": traits,
    }
