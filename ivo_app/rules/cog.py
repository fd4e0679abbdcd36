"""INSEE geographic codes (COG): communes (with their history when known) and countries.

Pure lookups; `ivo_app.io.cog` loads them from the embedded resources and from INSEE's historical
file when the user loaded it. A birthplace code must be checked against the code valid AT THE
DATE OF BIRTH: communes merge and change codes, so a code absent from today's list may be right.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

KINDS = ("current", "delegated", "associated", "arrondissement", "former")
CORSICA_SPLIT = date(1976, 1, 1)  # department 20 became 2A/2B


@dataclass(frozen=True, slots=True)
class Commune:
    code: str
    name: str
    kind: str  # one of KINDS
    start: date | None = None  # None: not known (valid since before any birth we check)
    end: date | None = None  # None: still valid, or end not known
    population: int = 0

    def valid_at(self, at: date | None) -> bool:
        if at is None:
            return True
        return (self.start is None or at >= self.start) and (self.end is None or at < self.end)


@dataclass(frozen=True, slots=True)
class Country:
    code: str  # 99PPP
    name: str
    start: date | None = None
    end: date | None = None
    attached_to: str | None = None  # territories: the country code they belong to


class CogReference:
    """All versions of every commune code, and the country codes."""

    def __init__(self, communes: Iterable[Commune], countries: Iterable[Country]) -> None:
        self._communes: dict[str, list[Commune]] = {}
        for commune in communes:
            self._communes.setdefault(commune.code, []).append(commune)
        self._countries = {c.code: c for c in countries}

    def communes(self) -> Iterator[Commune]:
        for versions in self._communes.values():
            yield from versions

    def countries(self) -> Iterator[Country]:
        return iter(self._countries.values())

    def commune_versions(self, code: str) -> list[Commune]:
        return list(self._communes.get(code, ()))

    def country(self, code: str) -> Country | None:
        return self._countries.get(code)

    def is_known_commune(self, code: str, at: date | None = None) -> bool:
        """True when `code` designated a commune (or municipal arrondissement) at date `at`.

        Before 1976 Corsican communes were numbered in department 20: 20CCC is accepted then when
        2ACCC or 2BCCC exists, and the reverse. Country codes are not communes (see `country`).
        """
        if any(c.valid_at(at) for c in self._communes.get(code, ())):
            return True
        if code[:2] == "20" and (at is None or at < CORSICA_SPLIT):
            return any(self.is_known_commune(dep + code[2:], None) for dep in ("2A", "2B"))
        return False

    def merge(self, other: CogReference) -> CogReference:
        """This reference completed by `other` (INSEE's historical file): for a code both know,
        the historical versions win, since they carry the dates."""
        merged = {code: list(versions) for code, versions in self._communes.items()}
        merged.update({code: list(versions) for code, versions in other._communes.items()})
        return CogReference(
            (c for versions in merged.values() for c in versions),
            {**self._countries, **other._countries}.values(),
        )

    def __len__(self) -> int:
        return len(self._communes)
