"""INSEE geographic codes (COG): communes (with their history when known) and countries.

Pure lookups; `ivo_app.io.cog` loads them from the embedded resources and from INSEE's historical
file when the user loaded it. A birthplace code must be checked against the code valid AT THE
DATE OF BIRTH: communes merge and change codes, so a code absent from today's list may be right,
and a code of today's list may not have existed yet.

Without INSEE's file the embedded reference has no dates; `embedded_events` gives it the events
every CIV meets (INSEE COG, "historique des communes"):
- Corsica split on 1 January 1976 (loi 75-356): 20CCC → 2ACCC / 2BCCC, commune number kept;
- Seine and Seine-et-Oise split on 1 January 1968 (loi 64-707): new departments 91 to 95, former
  codes 75CCC / 78CCC of the communes that moved;
- Saint-Barthélemy and Saint-Martin leave Guadeloupe on 15 July 2007 (loi organique 2007-223):
  97123 → 97701, 97127 → 97801;
- Mayotte becomes a department on 31 March 2011 (loi organique 2010-1486): 985CC → 976CC.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date

KINDS = ("current", "delegated", "associated", "arrondissement", "former")
CORSICA_SPLIT = date(1976, 1, 1)  # department 20 became 2A/2B
ILE_DE_FRANCE_SPLIT = date(1968, 1, 1)  # Seine / Seine-et-Oise became 75, 91-95
COM_2007 = date(2007, 7, 15)  # Saint-Barthélemy 977, Saint-Martin 978
MAYOTTE_2011 = date(2011, 3, 31)  # Mayotte 985 → 976
FRANCE = "99100"
NEW_1968 = ("91", "92", "93", "94", "95")
_COM_2007 = {"97701": ("97123", "Saint-Barthélemy"), "97801": ("97127", "Saint-Martin")}


@dataclass(frozen=True, slots=True)
class Commune:
    code: str
    name: str
    kind: str  # one of KINDS
    start: date | None = None  # None: not known (valid since before any birth we check)
    end: date | None = None  # None: still valid, or end not known
    population: int = 0
    successor: str | None = None  # former codes: the code that took over (when known)
    origin: str | None = None  # created communes: the commune their territory belonged to

    def valid_at(self, at: date | None) -> bool:
        if at is None:
            return True
        return (self.start is None or at >= self.start) and (self.end is None or at < self.end)


@dataclass(frozen=True, slots=True)
class Country:
    code: str  # 99PPP
    name: str
    start: date | None = None  # start of the label's version: not the country's birth (never checked)
    end: date | None = None  # the country ceased to exist (INSEE list "date_fin")
    attached_to: str | None = None  # territories: the country code they belong to


@dataclass(frozen=True, slots=True)
class PlaceFault:
    """Why a birthplace code is not valid at the date of birth (structured, no text)."""

    kind: str  # "unknown" | "not_yet" | "ended" | "france"
    since: date | None = None  # not_yet: first day of validity; ended: first day it was no longer valid


def embedded_events(communes: Iterable[Commune]) -> Iterator[Commune]:
    """The embedded communes with the dates of the events listed in the module docstring.

    Dates already known (INSEE's historical file) are kept; only missing ones are filled."""
    seen: dict[str, Commune] = {}
    for c in communes:
        start, end = c.start, c.end
        dep = c.code[:2]
        if dep in ("2A", "2B"):
            start = start or CORSICA_SPLIT
        elif dep == "20" and c.kind == "former":
            end = end or CORSICA_SPLIT
        elif dep in NEW_1968:
            start = start or ILE_DE_FRANCE_SPLIT
        elif dep in ("75", "78") and c.kind == "former" and (c.successor or "")[:2] in NEW_1968:
            end = end or ILE_DE_FRANCE_SPLIT
        elif c.code in _COM_2007:
            start = start or COM_2007
        elif c.code in ("97123", "97127") and c.kind == "former":
            end = end or COM_2007
        elif c.code[:3] == "976":
            start = start or MAYOTTE_2011
        elif c.code[:3] == "985":
            end = end or MAYOTTE_2011
        if (start, end) != (c.start, c.end):
            c = replace(c, start=start, end=end)
        seen.setdefault(c.code, c)
        yield c
    # Former codes the embedded list lacks (it only keeps codes of merged communes).
    for new, (old, name) in _COM_2007.items():
        if new in seen and old not in seen:
            yield Commune(old, name, "former", end=COM_2007, successor=new)
    for code, c in seen.items():
        old = "985" + code[3:]
        if code[:3] == "976" and c.kind == "current" and old not in seen:
            yield Commune(old, c.name, "former", end=MAYOTTE_2011, successor=code)


class CogReference:
    """All versions of every commune code, and the country codes."""

    def __init__(self, communes: Iterable[Commune], countries: Iterable[Country]) -> None:
        self._communes: dict[str, list[Commune]] = {}
        for commune in communes:
            self._communes.setdefault(commune.code, []).append(commune)
        self._countries = {c.code: c for c in countries}
        # Codes with a version valid at any date (no start, no end): most of them, one look-up.
        self._undated = frozenset(
            code
            for code, versions in self._communes.items()
            if any(v.start is None and v.end is None for v in versions)
        )
        self._predecessors: dict[str, list[Commune]] = {}
        for versions in self._communes.values():
            for c in versions:
                if c.successor:
                    self._predecessors.setdefault(c.successor, []).append(c)

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
        2ACCC or 2BCCC exists. Country codes are not communes (see `country`).
        """
        if code in self._undated or any(c.valid_at(at) for c in self._communes.get(code, ())):
            return True
        if code[:2] == "20" and code not in self._communes and (at is None or at < CORSICA_SPLIT):
            return any(dep + code[2:] in self._communes for dep in ("2A", "2B"))
        return False

    def place_fault(self, code: str, at: date | None) -> PlaceFault | None:
        """None when the birthplace `code` (commune or 99PPP) was valid at `at`, else why not."""
        if code.startswith("99"):
            if code == FRANCE:
                return PlaceFault("france")
            country = self._countries.get(code)
            if country is None:
                return PlaceFault("unknown")
            if at is not None and country.end is not None and at >= country.end:
                return PlaceFault("ended", country.end)
            return None
        if self.is_known_commune(code, at):
            return None
        versions = self._communes.get(code, ())
        if not versions or at is None:
            return PlaceFault("unknown")
        later = [c.start for c in versions if c.start is not None and at < c.start]
        if later:
            return PlaceFault("not_yet", min(later))
        ended = [c.end for c in versions if c.end is not None and at >= c.end]
        return PlaceFault("ended", max(ended)) if ended else PlaceFault("unknown")

    def code_at(self, code: str, at: date, _depth: int = 0) -> str:
        """The code that designated, at date `at`, the commune coded `code` (the demo and the tests
        build birthplaces valid at the birth date with it): 92044 → 75044 before 1968, and
        75044 → 92044 after."""
        if code.startswith("99") or self.is_known_commune(code, at):
            return code
        for c in self._predecessors.get(code, ()):
            if c.valid_at(at):
                return c.code
        if _depth < 5:
            for c in self._communes.get(code, ()):
                if c.origin and c.start is not None and at < c.start:
                    return self.code_at(c.origin, at, _depth + 1)  # born there before its creation
            for c in self._communes.get(code, ()):
                if c.successor and c.successor != code and c.end is not None and at >= c.end:
                    return self.code_at(c.successor, at, _depth + 1)
        if code[:2] in ("2A", "2B") and at < CORSICA_SPLIT:
            return "20" + code[2:]
        return code

    def lineage(self, code: str) -> set[str]:
        """`code` and the codes that took over from it (mergers, changes of department)."""
        seen = {code}
        todo = [code]
        while todo and len(seen) < 10:
            for c in self._communes.get(todo.pop(), ()):
                if c.successor and c.successor not in seen:
                    seen.add(c.successor)
                    todo.append(c.successor)
        return seen

    def same_commune(self, a: str, b: str) -> bool:
        """Whether two codes designate one commune at two dates (92078 and its former 75078)."""
        return not self.lineage(a).isdisjoint(self.lineage(b))

    def merge(self, other: CogReference) -> CogReference:
        """This reference completed by `other` (INSEE's historical file): for a code both know,
        the historical versions win, since they carry the dates."""
        merged = {code: list(versions) for code, versions in self._communes.items()}
        for code, versions in other._communes.items():
            mine = merged.get(code, [])
            successor = next((v.successor for v in mine if v.successor), None)
            merged[code] = [
                v if v.successor or not successor else replace(v, successor=successor) for v in versions
            ]
            # Delegated and associated communes and arrondissements stay valid birthplaces as the
            # embedded list has them (the files end a commune's version when it becomes delegated).
            merged[code] += [v for v in mine if v.kind in ("delegated", "associated", "arrondissement")]
        return CogReference(
            embedded_events(c for versions in merged.values() for c in versions),
            {**self._countries, **other._countries}.values(),
        )

    def __len__(self) -> int:
        return len(self._communes)
