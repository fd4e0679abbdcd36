"""Rule family: the rules that compare records of one extraction (shared matricules, homonyms, copied
used names, suspected collisions, share of RECUP identities). `CrossRecordRules` collects a compact key
per record while the records stream by (integers in numpy arrays, a dictionary for the matricules),
then sorts or looks them up, never pairwise."""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from itertools import compress, count, repeat
from operator import ne
from typing import Any

import numpy as np

from ivo_app.rules import nir
from ivo_app.rules.digit_columns import all_digits, digit_rows, numbers
from ivo_app.rules.findings import NSS_OIDS, CheckContext, Finding, configured
from ivo_app.rules.memo import Memo
from ivo_app.rules.normalize import normalize_name
from ivo_app.rules.record import IdentityRecord

# What the rules read of each record (the identity table's columns, named as the record's attributes).
TRAITS = (
    "id",
    "ipp",
    "birth_name",
    "first_first_name",
    "birth_date",
    "sex",
    "used_name",
    "used_first_name",
    "ins_matricule",
    "ins_oid",
    "attributes",
    "birthplace",
    "status",
)
# Other records named in a finding: the first five (the count says how many in all).
NAMED = 5


class CrossRecordRules:
    """Rules over the whole extraction. Feed every record with `add` (or pages of columns with
    `add_page`), in id order, then call `findings`.

    Only what the rules group on is kept: the homonym key and the traits a NIR may designate as
    integers in numpy arrays (each name, place, sex coded once), sorted when the findings are asked
    for; the matricules in one dictionary entry per distinct number holding the first record's
    position (a second record makes it a group). On a million identities a record object or a key
    object per record costs more memory than the rules."""

    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        self.ids = array("q")
        self.ipps: list[str] = []
        self.births: list[date | None] = []
        # Matricules (not NSS-tagged) and their records' positions, grouped when findings are asked.
        # A matricule of 15 ASCII digits (nearly all) as its number, with its record's position, in
        # numpy arrays; any other as text in a list, with its position.
        self._numbers: list[np.ndarray] = []
        self._matricules: list[str] = []
        self._matricule_positions = array("q")
        # Homonym key (normal birth name, normal first first name, birth date, sex) as two integers
        # per record with one: codes, and the records' positions.
        self._homonym_keys: list[np.ndarray] = []
        self._flagged: set[int] = set()  # positions of identities flagged HOMONYME
        self._copies: list[int] = []
        # (sex digit, year, month, birthplace) as one integer per record with them, and positions.
        self._trait_keys: list[np.ndarray] = []
        self._misfits: list[tuple[int, tuple[str, int, int, str]]] = []  # position, what its NIR says
        self._recup = 0
        # Codes, each distinct value coded once (on its first look-up): a name's normal form (0 for
        # none), a sex, a birthplace; a birth date's ordinal (0 for none).
        self._normal_codes: dict[str, int] = {}
        self._normal = Memo(self._normal_code, {None: 0})
        self._sex_codes = Memo(lambda _: len(self._sex_codes))
        self._place_codes = Memo(lambda _: len(self._place_codes))
        self._ordinals = Memo(lambda d: d.toordinal(), {None: 0})

    def add(self, r: IdentityRecord) -> None:
        self.add_page({c: (getattr(r, c),) for c in TRAITS})

    def add_page(self, page: Mapping[str, Sequence[Any]]) -> None:
        """The next records, one sequence per name of `TRAITS` (as the identity table stores them,
        dates as dates), in id order: one tight loop per rule over the columns it reads."""
        base = len(self.ids)
        ids, ipps, births, sexes, places = (page[c] for c in ("id", "ipp", "birth_date", "sex", "birthplace"))
        self.ids.extend(ids)
        self.ipps.extend(ipps)
        self.births.extend(births)
        self._recup += sum(1 for s in page["status"] if s == "RECUP")
        births_names, first_firsts = page["birth_name"], page["first_first_name"]
        self._copies.extend(
            base + i
            for i, (un, bn, uf, ff) in enumerate(
                zip(page["used_name"], births_names, page["used_first_name"], first_firsts, strict=True)
            )
            if (un and un == bn) or (uf and uf == ff)
        )
        self._flagged.update(
            base + i for i, a in enumerate(page["attributes"]) if a and "HOMONYME" in a.split(",")
        )
        # Homonym key of the records with a birth name, a first first name (normal forms not
        # empty), a birth date and a sex; NIR traits of those with a birth date, a birthplace and a
        # sex M or F: integer columns built by `map` over the codes (loops in C), then masked.
        n = len(ids)
        positions = np.arange(base, base + n, dtype=np.int64)
        nb = np.fromiter(map(self._normal.__getitem__, births_names), np.int64, n)
        nf = np.fromiter(map(self._normal.__getitem__, first_firsts), np.int64, n)
        ordinals = np.fromiter(map(self._ordinals.__getitem__, births), np.int64, n)
        has_sex = np.fromiter(map(bool, sexes), bool, n)
        homonym = (nb != 0) & (nf != 0) & (ordinals != 0) & has_sex
        if homonym.any():
            kept_sexes = compress(sexes, homonym.tolist())
            sex_codes = np.fromiter(map(self._sex_codes.__getitem__, kept_sexes), np.int64)
            # birth name; first first name, date (its ordinal < 2**22), sex (< 2**16 codes)
            second = (nf[homonym] << 38) | (ordinals[homonym] << 16) | sex_codes
            self._homonym_keys.append(np.stack((positions[homonym], nb[homonym], second), axis=1))
        female = np.fromiter(map(_FEMALE.get, sexes, repeat(-1)), np.int64, n)
        year_months = _year_months(ordinals)
        traits = (female >= 0) & (year_months >= 0) & np.fromiter(map(bool, places), bool, n)
        if traits.any():
            place_codes = np.fromiter(
                map(self._place_codes.__getitem__, compress(places, traits.tolist())), np.int64
            )
            # _trait_key: (place << 15) | (female << 14) | (year << 7) | month
            trait_keys = (place_codes << 15) | (female[traits] << 14) | year_months[traits]
            self._trait_keys.append(np.stack((positions[traits], trait_keys), axis=1))
        misfits = self._misfits
        matricules, oids = page["ins_matricule"], page["ins_oid"]
        # A social-security number (NSS OID) is the insured person's: no INS-UNIQUE, no collision.
        kept = np.fromiter(map(bool, matricules), bool, n) & ~np.fromiter(
            map(NSS_OIDS.__contains__, oids), bool, n
        )
        local = np.flatnonzero(kept)  # the page's positions of the kept matricules
        numbered = list(compress(matricules, kept.tolist()))
        numeric, digits = _numeric(numbered)
        number_local = local[numeric]
        if len(number_local):
            self._numbers.append(np.stack((number_local + base, numbers(digits)), axis=1))
        texts = local[~numeric]
        if len(texts):
            self._matricules.extend(compress(numbered, (~numeric).tolist()))
            self._matricule_positions.extend((texts + base).tolist())
        # A NIR that begins with its record's own sex digit, year and month differs from the record
        # in its place at most: never a misfit. Only the other numbers of records with a birth date
        # and the texts are looked at.
        d, ym, own_sex = digits.T, year_months[number_local], female[number_local]
        fits = (d[0] == np.where(own_sex >= 0, own_sex + 1, -1)) & (d[1] * 10 + d[2] == ym >> 7)
        fits &= d[3] * 10 + d[4] == ym & 127
        look = np.sort(np.concatenate((number_local[~fits & (ym >= 0)], texts)))
        for i in look.tolist():
            birth, matricule = births[i], matricules[i]
            if birth is None or not nir.has_valid_format(matricule):
                continue
            sex, place = sexes[i], places[i]
            # What the NIR says: sex, year, month, place (department and commune: characters 6-10).
            fit = (matricule[0], int(matricule[1:3]), int(matricule[3:5]), matricule[5:10])
            own = ({"M": "1", "F": "2"}.get(sex or "", "?"), birth.year % 100, birth.month, place or "")
            if (own[0] != fit[0]) + (own[1] != fit[1]) + (own[2] != fit[2]) + (own[3] != fit[3]) >= 2:
                misfits.append((base + i, fit))

    def _normal_code(self, value: str) -> int:
        """The code of the name's normal form (0 for an empty one)."""
        normal = normalize_name.__wrapped__(value)  # the memo calls it once per value: no LRU cache
        return self._normal_codes.setdefault(normal, len(self._normal_codes) + 1) if normal else 0

    def _matricule_groups(self) -> list[list[int]]:
        """The positions of the records of each matricule borne by two records or more, each group
        in position order. (A number and a text never designate the same matricule.)"""
        groups: list[list[int]] = []
        if self._numbers:
            rows = np.concatenate(self._numbers)
            groups += _runs(rows[:, 0], rows[:, 1], np.zeros(len(rows), np.int64))
        matricules = self._matricules
        last = dict(zip(matricules, count(), strict=False))  # each matricule's last occurrence
        shared = set(compress(matricules, map(ne, map(last.__getitem__, matricules), count())))
        others: dict[str, list[int]] = {}
        for i in compress(count(), map(shared.__contains__, matricules)):
            others.setdefault(matricules[i], []).append(self._matricule_positions[i])
        return groups + list(others.values())

    def findings(self) -> Iterator[tuple[int | None, Finding]]:
        disabled = self.ctx.settings.disabled
        for identity_id, finding in self._all():
            if finding.rule_id not in disabled:
                yield identity_id, configured(finding, self.ctx.settings)

    def _all(self) -> Iterator[tuple[int | None, Finding]]:
        yield from self._shared_matricules()
        yield from self._homonyms()
        yield from self._copied_used_names()
        yield from self._collisions()
        yield from self._recup_share()

    def _shared_matricules(self) -> Iterator[tuple[int, Finding]]:
        # Grouped by the matricule itself: the same number under .8 on one record and .10 or no
        # OID on another still designates one person (NSS-tagged numbers are left out in `add`).
        for members in sorted(self._matricule_groups()):
            births = {self.births[m] for m in members}
            for m in members:
                others = [self.ipps[o] for o in members if o != m]
                yield (
                    self.ids[m],
                    Finding(
                        "INS-UNIQUE",
                        ("ins_matricule",),
                        {"count": len(others), "others": others[:NAMED]},
                    ),
                )
                if len(births) > 1:
                    yield (
                        self.ids[m],
                        Finding(
                            "INS-NSS",
                            ("ins_matricule", "birth_date"),
                            {"reason": "ouvrant-droit", "others": others[:NAMED]},
                        ),
                    )

    def _homonyms(self) -> Iterator[tuple[int, Finding]]:
        if not self._homonym_keys:
            return
        rows = np.concatenate(self._homonym_keys)
        for members in _runs(rows[:, 0], rows[:, 1], rows[:, 2]):
            if any(m in self._flagged for m in members):
                continue
            for m in members:
                others = [self.ipps[o] for o in members if o != m]
                yield (
                    self.ids[m],
                    Finding(
                        "ATTR-HOMONYME",
                        ("attributes",),
                        {"count": len(others), "others": others[:NAMED]},
                    ),
                )

    def _copied_used_names(self) -> Iterator[tuple[int, Finding]]:
        copies = self._copies
        settings = self.ctx.settings
        if len(copies) < max(settings.copy_min_records, settings.copy_min_share * len(self.ids)):
            return
        for k in copies:
            yield (
                self.ids[k],
                Finding(
                    "TRAIT-UTILISE-COPIE",
                    ("used_name", "used_first_name"),
                    {"count": len(copies)},
                ),
            )

    def _collisions(self) -> Iterator[tuple[int, Finding]]:
        """A matricule whose sex, year, month and place fit another identity, not its own."""
        if not self._misfits or not self._trait_keys:
            return
        rows = np.concatenate(self._trait_keys)
        order = np.argsort(rows[:, 1], kind="stable")  # positions ascending within a key
        keys, positions = rows[order, 1], rows[order, 0]
        for k, (sex, year, month, place) in self._misfits:
            code = self._place_codes.get(place)
            if sex not in ("1", "2") or code is None:
                continue  # no identity has these traits
            key = _trait_key(sex == "2", year, month, code)
            start = int(np.searchsorted(keys, key, side="left"))
            # The first identity with these traits other than itself: among the first two.
            fits = [
                int(p)
                for p, q in zip(positions[start : start + 2], keys[start : start + 2], strict=True)
                if q == key and p != k
            ]
            if fits:
                yield (
                    self.ids[k],
                    Finding(
                        "COLLISION-SUSPECTE",
                        ("ins_matricule",),
                        {"reason": "traits-autre-ipp", "other": self.ipps[fits[0]]},
                    ),
                )

    def _recup_share(self) -> Iterator[tuple[None, Finding]]:
        recup = self._recup
        if recup and self.ids:
            share = round(100 * recup / len(self.ids), 1)
            yield (
                None,
                Finding(
                    "STATUT-RECUP-PART",
                    ("status",),
                    {"share": share, "count": recup},
                ),
            )


_FEMALE = {"M": 0, "F": 1}
# date.toordinal() of 1970-01-01, numpy's day 0
_EPOCH = 719_163


def _year_months(ordinals: np.ndarray) -> np.ndarray:
    """(year % 100) << 7 | month of each date given as its ordinal, -1 for none (ordinal 0)."""
    days = (ordinals - _EPOCH).astype("datetime64[D]")
    months = days.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    years = months // 12 + 1970
    out: np.ndarray = np.where(ordinals > 0, ((years % 100) << 7) | (months % 12 + 1), -1)
    return out


def _numeric(matricules: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Which matricules are 15 ASCII digits, and those ones' digits (a row of 15 per matricule)."""
    numeric: np.ndarray = np.fromiter(map(len, matricules), np.int64, len(matricules)) == 15
    digits = digit_rows(list(compress(matricules, numeric.tolist())), 15)
    good = all_digits(digits)
    numeric[numeric] = good
    return numeric, digits[good]


def _trait_key(female: bool, year: int, month: int, place: int) -> int:
    """(sex digit, year % 100, month, birthplace code) as one integer (month < 2**7 and year < 2**7
    for the NIR's special months and any year)."""
    return (place << 15) | (female << 14) | (year << 7) | month


def _runs(positions: np.ndarray, first: np.ndarray, second: np.ndarray) -> list[list[int]]:
    """The positions sharing both keys, groups of two or more, each in position order, the groups
    in the order of their first position."""
    order = np.lexsort((positions, second, first))
    a, b = first[order], second[order]
    same = (a[1:] == a[:-1]) & (b[1:] == b[:-1])
    if not same.any():
        return []
    # Starts of runs of equal keys, and their ends.
    edges = np.flatnonzero(np.diff(np.concatenate(([0], same.astype(np.int8), [0]))))
    groups = [positions[order[s : e + 1]].tolist() for s, e in zip(edges[::2], edges[1::2], strict=True)]
    return sorted(groups)
