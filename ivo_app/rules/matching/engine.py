"""Explainable Fellegi-Sunter matching of identity records.

Each trait is compared at ordered levels, from the strongest agreement to disagreement (splink's
comparison levels), with French levels record-linkage libraries lack: birth name against used name,
birth name and first name inverted, first name found in the other's list, composed first name
truncated, day and month swapped, one digit wrong. A level weighs log2(m/u): m is configuration (the
cell can read it, resources/matching/model.json), u is measured on the extraction itself from random
record pairs, and the exact name level is adjusted to the name's frequency (MARTIN weighs less than a
rare name). A shared INS matricule outranks names: same INS is a certain duplicate unless the strict
traits diverge, which makes it a suspected collision instead.

This module is the readable reference, one pair at a time (the desk search uses it); columns.py
computes the same levels and decisions on arrays for whole extractions.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from ivo_app.rules.matching.phonetic import soundex2
from ivo_app.rules.normalize import normalize_name
from ivo_app.rules.record import IdentityRecord

TRAITS = ("birth_name", "first_name", "birth_date", "sex", "birthplace", "ins")
LEVEL_LABELS = {
    ("birth_name", "exact"): "même nom de naissance",
    ("birth_name", "inverted"): "nom et prénom inversés",
    ("birth_name", "cross_used"): "nom de naissance de l'un = nom utilisé de l'autre",
    ("birth_name", "part"): "nom composé entré en partie",
    ("birth_name", "phonetic"): "noms de naissance phonétiquement identiques",
    ("birth_name", "close"): "nom de naissance à une faute près",
    ("birth_name", "far"): "noms de naissance proches",
    ("birth_name", "else"): "noms de naissance différents",
    ("birth_name", "missing"): "nom de naissance absent",
    ("first_name", "exact"): "même premier prénom",
    ("first_name", "inverted"): "prénom et nom inversés",
    ("first_name", "in_list"): "prénom présent dans la liste de l'autre",
    ("first_name", "truncated"): "prénom composé tronqué",
    ("first_name", "phonetic"): "prénoms phonétiquement identiques",
    ("first_name", "close"): "prénoms proches",
    ("first_name", "else"): "prénoms différents",
    ("first_name", "missing"): "prénom absent",
    ("birth_date", "exact"): "même date de naissance",
    ("birth_date", "swapped"): "jour et mois inversés",
    ("birth_date", "one_digit"): "date à un chiffre, un jour, un an ou dix ans près",
    ("birth_date", "year_month"): "même mois et même année de naissance",
    ("birth_date", "near"): "dates à deux chiffres près, ou date complétée de la même année",
    ("birth_date", "else"): "dates de naissance différentes",
    ("birth_date", "missing"): "date de naissance absente",
    ("sex", "equal"): "même sexe",
    ("sex", "missing"): "sexe absent",
    ("sex", "different"): "sexes différents",
    ("birthplace", "equal"): "même lieu de naissance",
    ("birthplace", "missing"): "lieu de naissance absent",
    ("birthplace", "different"): "lieux de naissance différents",
    ("ins", "equal"): "même matricule INS",
    ("ins", "missing"): "matricule INS absent",
    ("ins", "different"): "matricules INS différents",
}


@dataclass(frozen=True, slots=True)
class Keyed:
    """What matching needs of a record, normalised once."""

    id: int
    ipp: str
    name: str
    used: str
    first: str
    firsts: tuple[str, ...]
    birth: date | None
    sex: str
    place: str
    ins: str
    homonym: bool = False  # flagged HOMONYME by the cell

    @classmethod
    def of(cls, r: IdentityRecord) -> Keyed:
        firsts = tuple(normalize_name(r.first_names).split()) or tuple(
            normalize_name(r.first_first_name).split()
        )
        return cls(r.id, r.ipp, normalize_name(r.birth_name), normalize_name(r.used_name),
                   normalize_name(r.first_first_name) or " ".join(firsts[:1]), firsts, r.birth_date,
                   r.sex if r.sex in ("M", "F") else "", place_code(r.birthplace),
                   r.ins_matricule or "", "HOMONYME" in r.attribute_set)  # fmt: skip


UNKNOWN_PLACE = "99999"


# Paris, Lyon and Marseille are entered by commune or by arrondissement: the two codes name one place
# (RNIV rule catalogue, §3 NIR coherence: 75056 ~ 751xx, 69123 ~ 6938x, 13055 ~ 132xx).
_CITY_OF_ARRONDISSEMENT = {"751": "75056", "6938": "69123", "132": "13055"}


def place_code(value: str | None) -> str:
    """The birthplace compared: 99999 is RNIV's unknown birthplace, as absent as an empty one; an
    arrondissement of Paris, Lyon or Marseille is its city; Corsica's 2A/2B communes keep the numbers
    they had as 20CCC before 1976 (the code valid at the date of birth, RNIV §2 birthplace)."""
    code = (value or "").strip().upper()
    if code == UNKNOWN_PLACE:
        return ""
    if len(code) == 5:
        for prefix, city in _CITY_OF_ARRONDISSEMENT.items():
            if code.startswith(prefix) and code != city:
                return city
        if code[:2] in ("2A", "2B"):
            return "20" + code[2:]
    return code


def department(place: str) -> str:
    """The department of a compared birthplace code (3 characters overseas, 97x/98x), '' abroad or
    unknown: two communes of one department are where a residence commune, a neighbouring maternity's
    town or a commune merged since is entered for the birthplace."""
    if len(place) != 5 or place.startswith("99"):
        return ""
    return place[:3] if place[:2] in ("97", "98") else place[:2]


@lru_cache(maxsize=500_000)
def _jw(a: str, b: str) -> float:
    return JaroWinkler.similarity(a, b)


def _part_of(x: str, y: str) -> bool:
    """One name's words are a whole-word part of the other's (a compound name entered in part), or one
    word of a compound name entered alone with a typo (THEMINE for LAGHOUATI THEMINES, GANAT for GENAT
    DORE: two errors the independent table combines, RNIV's compound name and a typing error)."""
    if x == y or not x or not y:
        return False
    short, long = (x, y) if len(x) < len(y) else (y, x)
    if len(short) >= 3 and f" {short} " in f" {long} ":
        return True
    return typo_of_a_word(short, long)


def typo_of_a_word(short: str, long: str) -> bool:
    """A single word of at least 4 letters one typo from one word (at least 4 letters) of a compound name."""
    words = long.split()
    return (
        len(words) >= 2
        and " " not in short
        and len(short) >= 4
        and any(len(w) >= 4 and DamerauLevenshtein.distance(short, w) <= 1 for w in words)
    )


def _near(x: str, y: str) -> bool:
    """Equal, or one typo or a homophone apart when long enough for a typo to be told from another
    name, or one part of a compound name."""
    if x == y:
        return True
    if min(len(x), len(y)) >= 4 and (DamerauLevenshtein.distance(x, y) <= 1 or _jw(x, y) >= 0.9):
        return True
    return _part_of(x, y)


def _inverted(a: Keyed, b: Keyed) -> bool:
    """Birth name and first name swapped, possibly with a typo on the way."""
    return (
        bool(a.name and a.first and b.name and b.first) and _near(a.name, b.first) and _near(b.name, a.first)
    )


def _name_level(a: Keyed, b: Keyed) -> str:
    if not a.name or not b.name:
        return "missing"
    if a.name == b.name:
        return "exact"
    if _inverted(a, b):
        return "inverted"
    if (a.used and a.used == b.name) or (b.used and b.used == a.name):
        return "cross_used"
    if _part_of(a.name, b.name):
        return "part"  # DUPONT MARTIN entered as DUPONT
    if soundex2(a.name) == soundex2(b.name) and _jw(a.name, b.name) > 0.8:
        return "phonetic"
    if DamerauLevenshtein.distance(a.name, b.name) <= 1 or _jw(a.name, b.name) >= 0.94:
        return "close"
    return "far" if _jw(a.name, b.name) >= 0.88 else "else"


def _first_level(a: Keyed, b: Keyed) -> str:
    if not a.first or not b.first:
        return "missing"
    if a.first == b.first:
        return "exact"
    if _inverted(a, b):
        return "inverted"
    ta, tb = a.first.split(), b.first.split()
    if ta[: len(tb)] == tb or tb[: len(ta)] == ta:
        return "truncated"  # JEAN-PIERRE entered as JEAN
    if a.first in b.firsts or b.first in a.firsts:
        return "in_list"
    if soundex2(a.first) == soundex2(b.first) and _jw(a.first, b.first) > 0.8:
        return "phonetic"
    if _jw(a.first, b.first) >= 0.92 or (
        min(len(a.first), len(b.first)) >= 4 and DamerauLevenshtein.distance(a.first, b.first) <= 1
    ):
        return "close"
    return "else"


def _date_level(a: Keyed, b: Keyed) -> str:
    if a.birth is None or b.birth is None:
        return "missing"
    if a.birth == b.birth:
        return "exact"
    if (a.birth.year, a.birth.month, a.birth.day) == (b.birth.year, b.birth.day, b.birth.month):
        return "swapped"
    same_day = (a.birth.month, a.birth.day) == (b.birth.month, b.birth.day)
    if (
        DamerauLevenshtein.distance(a.birth.strftime("%Y%m%d"), b.birth.strftime("%Y%m%d")) <= 1
        or (same_day and abs(a.birth.year - b.birth.year) in (1, 10))
        or abs((a.birth - b.birth).days) == 1
    ):
        # A digit mistyped, the year one off (computed from an age) or ten off (the decade key), the
        # day one off (admission around midnight, 09 / 10 typed across): one slip of the hand.
        return "one_digit"
    if (a.birth.year, a.birth.month) == (b.birth.year, b.birth.month):
        return "year_month"
    if DamerauLevenshtein.distance(a.birth.strftime("%Y%m%d"), b.birth.strftime("%Y%m%d")) <= 2 or (
        a.birth.year == b.birth.year and (_completed(a.birth, b.birth) or _completed(b.birth, a.birth))
    ):
        return "near"  # two slips, or an unknown day or month completed as RNIV says (01/MM, JJ/01, 31/12)
    return "else"


def _completed(x: date, y: date) -> bool:
    """x looks like y's date completed: 31/12 of its year, its month's 1st, or its day in January."""
    return (
        (x.month, x.day) == (12, 31)
        or (x.day == 1 and x.month == y.month)
        or (x.month == 1 and x.day == y.day)
    )


def _presence(x: str, y: str) -> str:
    if not x or not y:
        return "missing"
    return "equal" if x == y else "different"


def levels(a: Keyed, b: Keyed) -> dict[str, str]:
    return {
        "birth_name": _name_level(a, b),
        "first_name": _first_level(a, b),
        "birth_date": _date_level(a, b),
        "sex": _presence(a.sex, b.sex),
        "birthplace": _presence(a.place, b.place),
        "ins": _presence(a.ins, b.ins),
    }


def blocking_keys(k: Keyed) -> Iterator[tuple[Any, ...]]:
    """Several passes, so that recall does not rest on one trait being right. Each pass is narrow
    (a million identities share a birth date by the dozen, a name and a birth year by the hundred):
    a duplicate agrees with its original on the date and one name, or on both names and one part of
    the date (a wrong date is wrong in its year, or in its day and month)."""
    n, u, f = soundex2(k.name), soundex2(k.used), soundex2(k.first)
    # Every first name of the list, not only the first one: first names entered in another order,
    # the list reduced to its first name, a compound first name hyphenated or spaced still meet.
    tokens = {f, *(soundex2(x) for x in k.firsts[:LIST_WORDS])} - {""}
    if k.birth:
        b = k.birth
        swapped = date(b.year, b.day, b.month) if b.day <= 12 and b.day != b.month else None
        # One pass for the date with any of the names (birth, used, any first name): names inverted,
        # a used name entered as birth name, first names reordered meet with a typo on the way.
        for name in {n, u, *tokens} - {""}:
            yield ("date-name", b, name)
        if swapped:
            for name in {n, *tokens} - {""}:
                yield ("date-name", swapped, name)  # day and month swapped
        for part in (("year", b.year), ("day", b.month, b.day)):
            if n and f:
                yield ("names", part, n, f)
                yield ("names", part, f, n)  # birth name and first name inverted
            if u and f:
                yield ("names", part, u, f)
            for name in {n, f} - {""}:
                if k.place:  # a name typed otherwise and one part of the date wrong
                    yield ("place", part, name, k.place)
            if f and len(k.name) >= 2:
                yield ("prefix", part, f, name_prefix(k.name))  # a typo past the second letter
        if swapped and k.place:
            for name in {n, f} - {""}:
                yield ("place", ("day", b.day, b.month), name, k.place)
    if k.ins:
        yield ("ins", k.ins)
    # Both names exactly, the date aside: a date wrong in two places (day and year...) or completed.
    for name in {k.name, k.used} - {""}:
        for first in {k.first, *k.firsts[:LIST_WORDS]} - {""}:
            yield ("name-first", name, first)


# The first two words of the first-name list take part in blocking (first names reordered swap them).
LIST_WORDS = 2
# Passes whose keys leave the date aside (or most of it) are capped lower: a block of fifty MARTIN MARIE
# says little and costs a thousand comparisons.
NARROW = ("name-first", "prefix")
NARROW_CAP = 40


def name_prefix(name: str) -> int:
    """The first two letters of a normalised name as a number (a blocking key part)."""
    out = 0
    for letter in name[:2]:
        out = out * 27 + (ord(letter) - 64 if "A" <= letter <= "Z" else 0)
    return out


# m of a strict trait's `else` level from which it is common among the file's duplicates (Model.common_disagreement).
COMMON_DISAGREEMENT = 0.2


@dataclass
class Model:
    m: dict[str, dict[str, float]]
    thresholds: dict[str, float]
    block_cap: int = 200
    u: dict[str, dict[str, float]] = field(default_factory=dict)  # starts as the priors
    name_freq: dict[str, float] = field(default_factory=dict)
    first_freq: dict[str, float] = field(default_factory=dict)  # first first name → share of records
    reference_size: int = 10_000  # identities the thresholds were calibrated on
    population: int = 0  # identities of the extraction (set with u)
    # Given names (normalised, INSEE's lists): a first name one letter from another given name may be a
    # twin's; empty: every first name counts as one (the cautious reading).
    first_names: frozenset[str] = frozenset()
    # Every first name INSEE's files record (tens of thousands, rare spellings included): a typo seldom
    # makes one of them (PATRVRCK, ISABLEL), a twin's first name is one (TIPHANY); empty: every value.
    given_names: frozenset[str] = frozenset()

    def is_first_name(self, value: str) -> bool:
        return not self.first_names or value in self.first_names

    def is_given(self, value: str) -> bool:
        return not self.given_names or value in self.given_names

    def probable_threshold(self) -> float:
        """The probable threshold, raised by log2(population / reference size) on large extractions: the
        prior odds that two records are one person fall as the file grows (a million identities hold
        many MARTIN JEAN born in Toulouse a digit apart), so more evidence is needed."""
        return self.thresholds["probable"] + self.growth()

    def review_threshold(self) -> float:
        """The review threshold, raised as the probable one: on a million identities the pairs of
        strangers scoring above a fixed threshold would bury the duplicates of the review queue."""
        return self.thresholds["a_examiner"] + self.growth()

    def growth(self) -> float:
        growth = self.population / self.reference_size if self.population else 1.0
        return max(0.0, math.log2(growth))

    def common_disagreement(self, trait: str) -> bool:
        """Whether this file's duplicates often disagree on a strict trait (m of `else`, as EM estimated
        it on the extraction, at least COMMON_DISAGREEMENT): then another first name or birth date is
        evidence, weighed by the score and reviewed (never probable), not a sign of two persons that
        drops the pair. In a French identity file duplicates agree on their strict traits (RNIV: read on
        an identity document; m 0.002-0.003); in a register of nicknames and initials (Splink's
        historical figures: WILLIAM / BILL, M. / MICHAEL) EM measures that a third of its duplicates differ
        on the first name."""
        return self.m[trait].get("else", 0.0) >= COMMON_DISAGREEMENT

    def weight(self, trait: str, level: str, a: Keyed | None = None) -> float:
        if level == "missing":
            # An absent trait is no evidence either way (nor a sign of two persons): weighed by how often
            # duplicates lack it, a birthplace left blank would vouch for two homonyms being one person.
            return 0.0
        m = self.m[trait].get(level, 0.01)
        u = self.u.get(trait, {}).get(level, 0.5)
        if trait == "birth_name" and level == "exact" and a is not None and a.name in self.name_freq:
            u = max(self.name_freq[a.name], 1e-7)  # term frequency: MARTIN weighs less
        if trait == "first_name" and level == "exact" and a is not None and a.first in self.first_freq:
            # Strangers sharing MARIE and a birth date abound in a million identities; sharing a rare
            # first name says more (term frequency, as for birth names).
            u = max(self.first_freq[a.first], 1e-7)
        return math.log2(max(m, 1e-6) / max(u, 1e-7))


@dataclass
class Match:
    a: Keyed
    b: Keyed
    score: float
    level: str  # "probable" | "a_examiner"
    kind: str  # "doublon" | "collision"
    reasons: list[tuple[str, float]]  # French reason, weight


def _twin_shaped(model: Model, lv: dict[str, str], a: Keyed, b: Keyed) -> bool:
    """Same birth name and date, and first names that twins could bear: a letter or a sound apart and
    both given names (LEA and LEO; JOEL and JOZL is a typo), or one's first name among the other's later
    ones when neither list holds the other (RAYMOND RENE and RENE GABRIEL; first names reordered or a list
    reduced keep the same names)."""
    if lv["birth_name"] != "exact" or lv["birth_date"] != "exact":
        return False
    if lv["first_name"] == "in_list":
        sa, sb = set(a.firsts), set(b.firsts)
        # A list reduced keeps its first name (JEAN PIERRE → JEAN); DANIEL beside TONY DANIEL, MARC
        # beside JEAN MARC are twins' names (1,000,000 independent identities: such twins were probable).
        # (first names reordered keep the same set).
        return not (sa <= sb or sb <= sa) or (sa != sb and a.firsts[:1] != b.firsts[:1])
    if lv["first_name"] not in ("close", "phonetic", "truncated"):
        return False
    # A typo in the first name, or a compound one cut short, leaves the later ones alone: LILOU CANDIDE
    # and LILLA EMMA, MARIE CARMELA and MARIE GENEVIEVE LUCILE are two girls.
    later_apart = len(a.firsts) >= 2 and len(b.firsts) >= 2 and set(a.firsts[1:]).isdisjoint(b.firsts[1:])
    if lv["first_name"] == "truncated":
        return later_apart
    # One slip of the hand changes one letter (Damerau 1964); two given names two edits apart that sound
    # alike are two names (TIPHAINE and TIPHANY, FLORENT and FLORENCIO: twins seen probable on 1,000,000
    # independent identities, their later first names the same, one name outside INSEE's most given),
    # where two typos make a name no one is given (PATRVRCK for PATRICK, in FEBRL).
    two_edits = (
        DamerauLevenshtein.distance(a.first, b.first) >= 2
        and model.is_given(a.first)
        and model.is_given(b.first)
    )
    return later_apart or two_edits or (model.is_first_name(a.first) and model.is_first_name(b.first))


# Years between two dates one digit apart beyond which they may be a parent's and a child's.
GENERATION_YEARS = 15


def _generation_apart(lv: dict[str, str], a: Keyed, b: Keyed) -> bool:
    """Dates one digit apart in the decade (1951 and 1971): a typo, or a parent and a child with the same
    names; a reviewer tells them apart (on 1,000,000 independent identities such a pair was probable)."""
    return (
        lv["birth_date"] == "one_digit"
        and a.birth is not None
        and b.birth is not None
        and abs(a.birth.year - b.birth.year) >= GENERATION_YEARS
    )


def _same_later_first_names(a: Keyed, b: Keyed) -> bool:
    """The same list of first names, in this order or another (RNIV: the usual first name entered
    first), holding first names after the first one (JEAN PIERRE LOUIS on both; not MARIE LOUISE when
    MARIE LOUISE is the first first name). RNIV's homonyms share the birth name, the first first name,
    the date and the sex (rule catalogue, ATTR-HOMONYME); the later first names are each one's own, and
    twins are given other first names: sharing them too is one person's list."""
    return (
        sorted(a.firsts) == sorted(b.firsts)
        and len(a.firsts) > len(a.first.split())
        and len(b.firsts) > len(b.first.split())
    )


def _sex_outweighed(lv: dict[str, str], later: bool) -> bool:
    """A sex entered wrong (RNIV: epicene first names, CAMILLE, DOMINIQUE) against a sex that differs:
    twins of two sexes are not given one list of first names, nor one first name; same first name (or
    names inverted), date and birthplace with a single first name is one identity typed twice."""
    # Twins share the date exactly: a date one slip apart beside the same first name and birthplace is
    # one more slip on a record already typed in haste, not a twin (whose first name differs anyway).
    return later or (
        lv["first_name"] in ("exact", "inverted")
        and lv["birth_date"] in ("exact", "swapped", "one_digit")
        and lv["birthplace"] == "equal"
    )


def _birthplace_outweighed(lv: dict[str, str], later: bool, a: Keyed, b: Keyed) -> bool:
    """Another birthplace beside one list of first names with its later ones (the sex the same): RNIV's
    homonyms share the birth name, the first first name, the date and the sex (ATTR-HOMONYME), their
    later first names are their own. One later first name may still coincide (MARIE, JEAN are given as
    second names by the hundred thousand), so with a single later name the other birthplace must be in
    the same department (the residence commune, a neighbouring town's maternity, a commune merged since:
    RNIV, code valid at the date of birth); two later first names or more in common are one person's."""
    if not later or lv["sex"] == "different":
        return False
    if len(a.firsts) >= len(a.first.split()) + 2:
        return True
    return department(a.place) != "" and department(a.place) == department(b.place)


def _near_date_outweighed(lv: dict[str, str], later: bool, a: Keyed, b: Keyed) -> bool:
    """Dates two slips apart or completed within the year: on a million identities strangers with the
    same names born the same year outnumber such duplicates, unless they also share the list of first
    names with its later ones, the birthplace and the sex; years a generation apart stay a parent's and a
    child's (father and son share first names)."""
    if a.birth is None or b.birth is None:
        return False
    # A date completed as RNIV prescribes (EXI ID 11: 01/MM, JJ/01, 31/12) within its year: one
    # stranger in a hundred born the same year has such a birthday; beside the same names, birthplace and
    # sex it is the completed date of the other record.
    completed = a.birth.year == b.birth.year and (
        _completed(a.birth, b.birth) or _completed(b.birth, a.birth)
    )
    return (
        (later or completed)
        and lv["birthplace"] == "equal"
        and lv["sex"] == "equal"
        and abs(a.birth.year - b.birth.year) < GENERATION_YEARS
    )


def _one_slip(x: date, y: date) -> bool:
    """One slip of the hand between two dates (the date_level `one_digit` and `swapped` levels)."""
    return (
        DamerauLevenshtein.distance(x.strftime("%Y%m%d"), y.strftime("%Y%m%d")) <= 1
        or ((x.month, x.day) == (y.month, y.day) and abs(x.year - y.year) in (1, 10))
        or abs((x - y).days) == 1
        or (x.day <= 12 and (x.year, x.day, x.month) == (y.year, y.month, y.day))
    )


def _slipped(x: date) -> Iterator[date]:
    """The dates one slip of a kind no digit distance sees away from x: day and month swapped, the day
    one off, the year one or ten off."""
    if x.day <= 12 and x.day != x.month:
        yield date(x.year, x.day, x.month)
    yield from (x + timedelta(days=1), x - timedelta(days=1))
    for years in (-10, -1, 1, 10):
        if 1 <= x.year + years <= 9999 and not (x.month == 2 and x.day == 29):
            yield x.replace(year=x.year + years)


def two_slips(x: date, y: date) -> bool:
    """Two slips apart (day and month swapped and the decade mistyped: 07/02/2025 and 02/07/2015), or
    one slip and an unknown day or month completed as RNIV says (EXI ID 11: 01/MM, JJ/01, 31/12)."""
    if any(_one_slip(z, y) for z in _slipped(x)):
        return True
    return abs(x.year - y.year) in (1, 10) and (_completed(x, y) or _completed(y, x))


def _other_date_outweighed(lv: dict[str, str], later: bool, a: Keyed, b: Keyed) -> bool:
    """Birth dates two slips apart (two date errors on one record, as the literature counts them:
    swapped day and month, a day off, a year off by one or ten, one digit) beside one list of first names
    with its later ones, the same birthplace and sex: one person; a generation apart, a parent and a
    child sharing their names (reviewed)."""
    return (
        later
        and lv["birthplace"] == "equal"
        and lv["sex"] == "equal"
        and a.birth is not None
        and b.birth is not None
        and abs(a.birth.year - b.birth.year) < GENERATION_YEARS
        and two_slips(a.birth, b.birth)
    )


def score_pair(model: Model, a: Keyed, b: Keyed) -> Match | None:
    lv = levels(a, b)
    contributions = [(trait, lvl, model.weight(trait, lvl, a)) for trait, lvl in lv.items()]
    score = sum(w for _, _, w in contributions)
    strict_divergence = lv["birth_date"] == "else" or lv["first_name"] == "else" or lv["sex"] == "different"
    if lv["ins"] == "equal" and strict_divergence:
        kind, level = "collision", "probable"  # one matricule, two persons (insured parent's NIR...)
    elif lv["ins"] == "equal":
        kind, level = "doublon", "probable"  # same INS: certain duplicate
    else:
        kind = "doublon"
        # Evidence of two persons that summed weights underrate (agreements of twins, parent and child,
        # homonyms are correlated): such a pair may be reviewed, never called probable.
        # A different birthplace is evidence, not a verdict: homonyms born the same day elsewhere and
        # a birthplace entered as the residence are told apart by a reviewer, so such a pair may be
        # reviewed on its score (never probable).
        two_persons = (
            (lv["first_name"] == "else" and not model.common_disagreement("first_name"))
            or (lv["birth_date"] == "else" and not model.common_disagreement("birth_date"))
            or lv["ins"] == "different"
            or lv["sex"] == "different"
        )
        if a.homonym and b.homonym:
            return None  # the cell already reviewed them and flagged both HOMONYME
        # Birth names that differ beyond a typo, an inversion or a used name may be one person (a married
        # name typed as the birth name) but a reviewer must say so: never probable, whatever EM learnt
        # (on millions of identities it takes same-first-name-same-date strangers for duplicates).
        later = _same_later_first_names(a, b)
        strict = (
            lv["first_name"] == "else"
            or (lv["birth_date"] == "else" and not _other_date_outweighed(lv, later, a, b))
            or lv["ins"] == "different"
        )
        if (
            score >= model.probable_threshold()
            and not strict
            and (lv["sex"] != "different" or _sex_outweighed(lv, later))
            and (lv["birthplace"] != "different" or _birthplace_outweighed(lv, later, a, b))
            and lv["birth_name"] != "else"
            and (lv["birth_date"] != "near" or _near_date_outweighed(lv, later, a, b))
            and not _twin_shaped(model, lv, a, b)
            and not _generation_apart(lv, a, b)
        ):
            level = "probable"
        elif two_persons and score < model.thresholds["two_persons_review"]:
            return None
        elif score >= model.review_threshold():
            level = "a_examiner"
        else:
            return None
    reasons = [
        (LEVEL_LABELS[(t, lvl)], round(w, 1)) for t, lvl, w in contributions if lvl not in ("missing",)
    ]
    return Match(a, b, round(score, 2), level, kind, reasons)


def candidate_pairs(records: list[Keyed], cap: int) -> set[tuple[int, int]]:
    """The reference blocking, one record at a time (columns.candidate_pairs is what runs)."""
    blocks: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for i, k in enumerate(records):
        for key in set(blocking_keys(k)):
            blocks[key].append(i)
    pairs: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        if 1 < len(members) <= min(cap, NARROW_CAP if key[0] in NARROW else cap):  # stop values
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    pairs.add((members[x], members[y]))
    return pairs


def group(pairs: Iterable[tuple[str, str]], order: Any = None) -> dict[str, str]:
    """Union-find over pairs of IPPs: each IPP → the representative of its person (the first by
    `order`, e.g. the oldest IPP, so a merge list keeps it)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            keep, merge = sorted((ra, rb), key=order)
            parent[merge] = keep
    return {x: root(x) for x in list(parent)}


def clusters(matches: Iterable[Match]) -> list[tuple[set[str], float]]:
    """Persons from the probable duplicate pairs, each with its weakest link's score (the pair a
    chain of near-matches hangs on: shown so a reviewer does not merge a chain blindly)."""
    edges = [(m.a.ipp, m.b.ipp, m.score) for m in matches if m.level == "probable" and m.kind == "doublon"]
    roots = group((a, b) for a, b, _ in edges)
    groups: dict[str, set[str]] = defaultdict(set)
    weakest: dict[str, float] = {}
    for a, b, score in edges:
        r = roots[a]
        groups[r] |= {a, b}
        weakest[r] = min(score, weakest.get(r, score))
    return [(members, weakest[r]) for r, members in groups.items()]
