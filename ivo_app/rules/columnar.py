"""The per-record rules over columns of records, each rule evaluated once per distinct value of the
fields it reads and fanned out to the identities that carry it.

`engine.check_record` is the reference: one record at a time, every family in order. This module
runs the same pieces (`traits`, `ins`, `statuses` expose them, each reading a known set of fields)
with a memo keyed by exactly the fields the piece reads — the first names' per distinct list, the
birth date's per distinct date, the birthplace's per distinct code, the statuses' per distinct
(status, attributes, document, OID, matricule present) — so on a real table, where dates and
statuses repeat, most records cost a few dictionary look-ups. Names are too varied for a memo to pay
(a real table has a distinct first-name list per two records): a clean name is told by its regular
expression, called from C on each value, and only the others go to the memos. The matricules are
checked on their digit columns (numpy): only those that may be faulted go through `ins.check`'s
pieces. Pieces that read many traits at once (the COG at the birth date, the optional dates) run
per record. Findings come out in `check_record`'s order, with the severity `findings.configured`
gives, minus the disabled rules; a unit test compares both, finding by finding, on a table that
breaks every rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from itertools import compress, repeat
from operator import eq, is_not, itemgetter, not_
from typing import Any, Generic, TypeVar

import numpy as np

from ivo_app.rules import ins, statuses, traits
from ivo_app.rules.cog import CogReference
from ivo_app.rules.digit_columns import all_digits, digit_rows, numbers
from ivo_app.rules.findings import INSI_STATUSES, CheckContext, Finding, configured
from ivo_app.rules.memo import Memo
from ivo_app.rules.record import OID_INS_NIA, OID_INS_NIR, IdentityRecord

T = TypeVar("T")

# The columns a page must hold (the identity table's, named as the record's attributes).
COLUMNS = (
    "id",
    "ipp",
    "birth_name",
    "first_names",
    "first_first_name",
    "birth_date",
    "birth_date_raw",
    "sex",
    "birthplace",
    "used_name",
    "used_first_name",
    "ins_matricule",
    "ins_oid",
    "status",
    "status_source",
    "attributes",
    "document_type",
    "birth_date_completed",
)

_NONE: tuple[Any, ...] = ()
# A value the syntax rules pass (`traits.CLEAN_NAME` / `CLEAN_FIRST_NAMES`, not too long): no finding,
# whatever the status (cases: outside INSi, RECUP/QUAL; pair: the cases and the length).
_CLEAN_CASES: tuple[tuple[Any, ...], tuple[Any, ...]] = (_NONE, _NONE)
_CLEAN_PAIR: tuple[Any, ...] = (_CLEAN_CASES, _NONE)
_CLEAN_HEAD: tuple[Any, ...] = (_NONE, _NONE, _NONE)
# Clean and not too long (`_name_pair`, `_first_pair`): the length in a look-ahead (`.` stops at a
# line break, which no clean value holds).
_SHORT_CLEAN_NAME = re.compile(rf"(?=.{{0,{traits.MAX_LENGTH}}}\Z)(?:{traits.CLEAN_NAME.pattern})")
_SHORT_CLEAN_FIRST_NAMES = re.compile(
    rf"(?=.{{0,{traits.MAX_LENGTH}}}\Z)(?:{traits.CLEAN_FIRST_NAMES.pattern})"
)


class ColumnarRules(Generic[T]):
    """`check(page)` → (position in the page, findings) for each record with findings, in order.

    `encode` turns each configured finding into what the caller stores (the finding itself by
    default); a finding shared by many identities is encoded once. The memos live as long as the
    object: give it every page of one extraction.

    Each piece is a pass over the page's columns: the keys are built by `zip`/`map`, the distinct
    ones not yet seen are evaluated, the results fetched by `map` (loops in C), and only the
    positions with findings are visited in Python. The pieces are merged in `check_record`'s order.
    """

    def __init__(self, ctx: CheckContext, encode: Callable[[Finding], T] | None = None) -> None:
        self.ctx = ctx
        self._encode: Callable[[Finding], Any] = encode or (lambda f: f)
        self._disabled = ctx.settings.disabled
        # Each memo computes its missing keys itself (`Memo`); the name memos' functions return the
        # shared clean result for a clean value, so `_dirty` finds the others by identity.
        self._heads = Memo(self._head)
        self._birth_names = Memo(lambda v: self._name_pair("birth_name", v), {None: _CLEAN_PAIR})
        self._used_names = Memo(lambda v: self._name_cases("used_name", v), {None: _CLEAN_CASES})
        self._first_names = Memo(lambda v: self._first_pair("first_names", v), {None: _CLEAN_PAIR})
        self._first_first = Memo(self._first_first_cases, {None: _CLEAN_CASES})
        self._used_first = Memo(self._used_first_cases, {None: _CLEAN_CASES})
        self._coherence: dict[Any, Any] = {}
        self._plain_first: dict[str | None, bool] = {}
        self._dates = Memo(lambda k: _pair(self._out, traits.birth_date_findings(k[0], k[1], k[2], self.ctx)))
        # TRAIT-LIEU-* per birthplace; the status is read only for the unknown place's code.
        self._places = Memo(lambda place: self._place((place, None)))
        self._unknown_places = Memo(self._place)
        # A birth date's year (two digits) and month as yymm, -1 for none (the NIR's prefix).
        self._year_months = Memo(lambda d: (d.year % 100) * 100 + d.month, {None: -1})
        self._five = Memo(_five)

    def _out(self, found: Iterable[Finding]) -> tuple[T, ...]:
        if not found:
            return _NONE
        settings, disabled = self.ctx.settings, self._disabled
        kept = tuple(self._encode(configured(f, settings)) for f in found if f.rule_id not in disabled)
        return kept or _NONE

    def check(
        self, page: Mapping[str, Sequence[Any]], extras: Mapping[int, dict[str, Any]] | None = None
    ) -> list[tuple[int, list[T]]]:
        """`page`: one sequence per name of `COLUMNS`, dates as dates; `extras`: position → the
        optional dates of `statuses.check_optional_dates` (the record's `extra`), when any."""
        ctx, out_of = self.ctx, self._out
        (ids, _, birth_names, first_names, first_firsts, births, raws, sexes, places, used_names,
         used_firsts, matricules, oids, status_col, sources, attributes_col, documents, completed_col) = (
            page[c] for c in COLUMNS
        )  # fmt: skip
        n = len(ids)
        positions = range(n)
        out: dict[int, list[T]] = {}

        def fan(found: Sequence[tuple[T, ...]]) -> None:
            """Append each position's findings (a tuple per position, empty for most)."""
            for i in compress(positions, found):
                _append(out, i, found[i])

        def fan_some(found: Iterable[tuple[int, tuple[T, ...]]]) -> None:
            for i, f in found:
                if f:
                    _append(out, i, f)

        # statuses.check and the trait rules on low-cardinality fields (TRAIT-REQUIS, TRAIT-SEXE) in
        # one pass: status, its source text, attributes, OID, document, sex, which traits are there.
        # Their findings are kept apart to be merged in `check_record`'s order.
        heads = _lookup(
            self._heads,
            zip(
                status_col,
                sources,
                attributes_col,
                map(bool, matricules),
                oids,
                documents,
                sexes,
                map(bool, birth_names),
                map(bool, first_firsts),
                map(bool, births),
                map(bool, raws),
                map(bool, first_names),
                map(bool, places),
                strict=True,
            ),
        )
        head_dirty = _dirty(heads, _CLEAN_HEAD)
        fan_some((i, heads[i][0]) for i in head_dirty)
        fan_some((i, heads[i][1]) for i in head_dirty)
        insi = list(map(INSI_STATUSES.__contains__, status_col))
        # The names: a clean value (most) is told by its regular expression, called from C on each
        # value, without a memo look-up (on real names the memos hold a value per one or two
        # records, and a look-up in them costs more than the match); the others go to the memos.
        bn = _unclean(self._birth_names, birth_names, _SHORT_CLEAN_NAME, _CLEAN_PAIR)
        fan_some((i, r[0][insi[i]]) for i, r in bn)
        un = _unclean(self._used_names, used_names, traits.CLEAN_NAME, _CLEAN_CASES)
        fan_some((i, r[insi[i]]) for i, r in un)
        fan_some((i, r[1]) for i, r in bn)
        fn = _unclean(self._first_names, first_names, _SHORT_CLEAN_FIRST_NAMES, _CLEAN_PAIR)
        fan_some((i, r[0][insi[i]]) for i, r in fn)
        for memo, column in ((self._first_first, first_firsts), (self._used_first, used_firsts)):
            cases = _unclean(memo, column, traits.CLEAN_FIRST_NAMES, _CLEAN_CASES)
            fan_some((i, r[insi[i]]) for i, r in cases)
        fan_some((i, r[1]) for i, r in fn)
        fan_some(
            (i, self._coherent(first_firsts[i], first_names[i]))
            for i in self._incoherent(first_firsts, first_names)
        )
        fan_some((i, heads[i][2]) for i in head_dirty)
        dated = _lookup(self._dates, zip(births, raws, completed_col, strict=True))
        fan(list(map(itemgetter(0), dated)))
        placed = _lookup(self._places, places)
        for i in compress(positions, map(eq, places, repeat(traits.UNKNOWN_PLACE))):
            placed[i] = self._unknown_places[(places[i], status_col[i])]
        fan(list(map(itemgetter(0), placed)))
        if ctx.cog is not None:
            cog = ctx.cog
            # The COG at the birth date, for the codes whose validity depends on it.
            fan_some(
                (
                    i,
                    out_of(
                        traits.birthplace_cog_findings(places[i], births[i] if dated[i][1] else None, cog)
                    ),
                )
                for i in compress(positions, map(itemgetter(1), placed))
            )
        # statuses.check_optional_dates: only where the table has the optional columns
        if extras:
            fan_some(
                (
                    i,
                    out_of(
                        statuses.check_optional_dates(
                            IdentityRecord(
                                0,
                                "",
                                status=status_col[i],
                                ins_matricule=matricules[i],
                                document_type=documents[i],
                                extra=extras[i],
                            ),
                            ctx,
                        )
                    ),
                )
                for i in sorted(extras)
                if extras[i]
            )
        # ins.check: the matricule's own rules, then its coherence with the traits; the plain
        # matricules (most of a real table) are told apart on their digit columns, in numpy.
        with_number = list(compress(positions, matricules))
        if with_number:
            plain = _plain_nirs(
                list(compress(matricules, matricules)),
                list(compress(oids, matricules)),
                list(compress(sexes, matricules)),
                list(map(self._year_months.__getitem__, compress(births, matricules))),
                list(map(self._five.__getitem__, compress(places, matricules))),
            )
            for k in np.flatnonzero(~plain).tolist():
                i = with_number[k]
                nir_found = self._ins(
                    matricules[i], oids[i], status_col[i], sexes[i], births[i], completed_col[i], places[i]
                )
                if nir_found:
                    _append(out, i, nir_found)
        return sorted(out.items())

    def _head(self, k: tuple[Any, ...]) -> tuple[tuple[T, ...], tuple[T, ...], tuple[T, ...]]:
        """statuses.check, TRAIT-REQUIS and TRAIT-SEXE of one key of the first pass."""
        status, source, attributes, matricule, oid, document, sex = k[:7]
        has = ["-" if present else None for present in k[7:]]
        stub = IdentityRecord(
            0,
            "",
            status=status,
            status_source=source,
            attributes=attributes,
            ins_matricule="-" if matricule else None,
            ins_oid=oid,
            document_type=document,
            sex=sex,
            birth_name=has[0],
            first_first_name=has[1],
            birth_date_raw=has[2] or has[3],
            first_names=has[4],
            birthplace=has[5],
        )
        found = (
            self._out(statuses.check(stub, self.ctx)),
            self._out(traits.required(status or "", stub)),
            self._out(traits.sex_findings(sex, status or "")),
        )
        return _CLEAN_HEAD if not any(found) else found

    def _place(self, k: tuple[str | None, str | None]) -> tuple[tuple[T, ...], bool]:
        """TRAIT-LIEU-FORMAT / -INCONNU of (birthplace, status), and whether TRAIT-LIEU-COG is to be
        checked at the birth date (a code valid at any date needs no date)."""
        found, cog_check = traits.birthplace_findings(k[0], k[1] or "", self.ctx.cog is not None)
        if cog_check:
            assert self.ctx.cog is not None
            cog_check = not _always_valid(self.ctx.cog, k[0])
        return self._out(found), cog_check

    def _name_cases(self, attr: str, value: str) -> tuple[tuple[T, ...], tuple[T, ...]]:
        if traits.CLEAN_NAME.fullmatch(value):
            return _CLEAN_CASES
        return (
            self._out(traits.name_findings(attr, value, False)),
            self._out(traits.name_findings(attr, value, True)),
        )

    def _name_pair(self, attr: str, value: str) -> Any:
        if len(value) <= traits.MAX_LENGTH and traits.CLEAN_NAME.fullmatch(value):
            return _CLEAN_PAIR
        return (self._name_cases(attr, value), self._out(traits.length_findings(attr, value)))

    def _first_cases(self, attr: str, value: str) -> tuple[tuple[T, ...], tuple[T, ...]]:
        if traits.CLEAN_FIRST_NAMES.fullmatch(value):
            return _CLEAN_CASES
        return (
            self._out(traits.first_name_findings(attr, value, False)),
            self._out(traits.first_name_findings(attr, value, True)),
        )

    def _first_first_cases(self, value: str) -> tuple[tuple[T, ...], tuple[T, ...]]:
        return self._first_cases("first_first_name", value)

    def _used_first_cases(self, value: str) -> tuple[tuple[T, ...], tuple[T, ...]]:
        return self._first_cases("used_first_name", value)

    def _first_pair(self, attr: str, value: str) -> Any:
        if len(value) <= traits.MAX_LENGTH and traits.CLEAN_FIRST_NAMES.fullmatch(value):
            return _CLEAN_PAIR
        return (self._first_cases(attr, value), self._out(traits.length_findings(attr, value)))

    def _incoherent(self, firsts: Sequence[str | None], lists: Sequence[str | None]) -> list[int]:
        """Positions whose first first name may not begin the list. A list that begins with its
        first first name, made of ASCII letters, then a space is coherent whatever follows (the
        normal form keeps that first word and that space); any other pair is looked at."""
        plain = self._plain_first
        for v in set(firsts).difference(plain):
            plain[v] = bool(v and v.isascii() and v.isalpha())
        return [
            i
            for i, (first, names) in enumerate(zip(firsts, lists, strict=True))
            if first and names and not (plain[first] and (names == first or names.startswith(first + " ")))
        ]

    def _coherent(self, first: str | None, names: str | None) -> tuple[T, ...]:
        key = (first, names)
        found = self._coherence.get(key)
        if found is None:
            found = self._coherence[key] = self._out(traits.coherence_findings(first, names))
        return found

    def _ins(
        self,
        matricule: str,
        oid: str | None,
        status: str | None,
        sex: str | None,
        birth: date | None,
        completed: bool | None,
        place: str | None,
    ) -> tuple[T, ...]:
        found, parts = ins.matricule_findings(matricule, oid)
        if parts is not None:
            found += ins.coherence_findings(
                parts, _Traits(status or "", sex, birth, completed, place), self.ctx
            )
        return self._out(found)


# NIR departments whose rules read the birth date or the COG (INS-LIEU-PLAGE, COH-ETRANGER, Corsica,
# North Africa, overseas): never on the fast path.
_SPECIAL_DEPARTMENTS = frozenset(
    {"00", "20", "2A", "2B", "91", "92", "93", "94", "95", "96", "97", "98", "99"}
)
_PLAIN_OIDS = frozenset({OID_INS_NIR, OID_INS_NIA})


_SEX_DIGITS = {"M": 1, "F": 2}
# The NIR's department (characters 6-7, as a number) on the slow path: see _SPECIAL_DEPARTMENTS.
_SPECIAL_NUMBERS = np.array(sorted(int(d) for d in _SPECIAL_DEPARTMENTS if d.isdigit()))


def _five(place: Any) -> str:
    """A birthplace as 5 characters to compare with the NIR's: itself when it has 5, else a text no
    NIR's characters 6-10 can be (the comparison then fails, as `matricule[5:10] == place` does)."""
    return place if isinstance(place, str) and len(place) == 5 else "-----"


def _plain_nirs(
    matricules: list[str],
    oids: list[str | None],
    sexes: list[Any],
    year_months: list[int],
    places: list[str],
) -> np.ndarray:
    """For each matricule (not empty) with its record's OID, sex, birth yymm (-1 for none) and
    birthplace (as `_five` gives it): whether none of ins.check's rules can fault it. That is an
    INS OID (not a test one), 15 ASCII digits, the record's own sex, year and month, its own
    birthplace in a plain department, an order number, the right key. Computed on the digit
    columns (one row of 15 code points per matricule): no Python per matricule. Anything else goes
    through `ins.check`'s pieces, so this only needs to be exact where it says True."""
    n = len(matricules)
    ok: np.ndarray = np.fromiter(map(len, matricules), np.int64, n) == 15
    ok &= np.fromiter(map(_PLAIN_OIDS.__contains__, oids), bool, n)
    ym = np.array(year_months, dtype=np.int64)
    sex = np.fromiter(map(_SEX_DIGITS.get, sexes, repeat(0)), np.int64, n)
    ok &= (ym >= 0) & (sex > 0)
    if not ok.any():
        return ok
    kept = ok.tolist()
    digits = digit_rows(list(compress(matricules, kept)), 15)
    own_place = digit_rows(list(compress(places, kept)), 5)
    good = all_digits(digits)
    digits = np.where(good[:, None], digits, 0)  # the arithmetic below on digits only
    d = digits.T
    n13 = numbers(digits[:, :13])
    good &= d[0] == sex[ok]
    good &= d[1] * 1000 + d[2] * 100 + d[3] * 10 + d[4] == ym[ok]
    good &= (digits[:, 5:10] == own_place).all(axis=1)
    good &= ~np.isin(d[5] * 10 + d[6], _SPECIAL_NUMBERS)
    good &= d[10] * 100 + d[11] * 10 + d[12] != 0
    good &= 97 - n13 % 97 == d[13] * 10 + d[14]
    ok[ok] = good
    return ok


def _always_valid(cog: CogReference, place: str | None) -> bool:
    """Whether the birthplace code is valid at any birth date (`traits._place_fault` then None)."""
    code = (place or "").upper()
    if code.startswith("99"):
        country = cog.country(code)
        return country is not None and code != "99100" and country.end is None
    return any(v.start is None and v.end is None for v in cog.commune_versions(code))


def _unclean(memo: Memo, column: Sequence[str | None], clean: re.Pattern[str], result: Any) -> list[Any]:
    """(position, memo[value]) where the value is there, `clean` does not fully match it and the
    memo's result is not the shared clean `result` (the memo's function gives `result` for what
    `clean` matches, and nothing for an empty value)."""
    present = compress(range(len(column)), column)
    suspects = compress(present, map(not_, map(clean.fullmatch, compress(column, column))))  # type: ignore[arg-type]
    return [(i, found) for i in suspects if (found := memo[column[i]]) is not result]


def _lookup(memo: Memo, keys: Iterable[Any]) -> list[Any]:
    """memo[k] for each key, each distinct key not yet in the memo computed once."""
    return list(map(memo.__getitem__, keys))


def _dirty(found: Sequence[Any], clean: Any) -> list[int]:
    """Positions whose result is not the shared `clean` one."""
    return list(compress(range(len(found)), map(is_not, found, repeat(clean))))


def _pair(out_of: Callable[[Iterable[Finding]], Any], result: tuple[list[Finding], bool]) -> tuple[Any, bool]:
    return out_of(result[0]), result[1]


def _append(out: dict[int, list[Any]], i: int, found: tuple[Any, ...]) -> None:
    present = out.get(i)
    if present is None:
        out[i] = list(found)
    else:
        present.extend(found)


class _Traits:
    """What `ins.coherence_findings` reads of a record."""

    __slots__ = ("birth_date", "birth_date_completed", "birthplace", "sex", "status")

    def __init__(
        self, status: str, sex: str | None, birth: date | None, completed: bool | None, place: str | None
    ) -> None:
        self.status, self.sex, self.birth_date = status, sex, birth
        self.birth_date_completed, self.birthplace = completed, place


def columns_of(records: Sequence[IdentityRecord]) -> dict[str, list[Any]]:
    """Records as a page of columns (tests, and callers that hold records)."""
    return {c: [getattr(r, c) for r in records] for c in COLUMNS}
