"""Rule family: the rules that compare records of one extraction (shared matricules, homonyms, copied
used names, suspected collisions, share of RECUP identities). `CrossRecordRules` collects a compact key
per record while the records stream by, then works with dictionaries, never pairwise."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from ivo_app.rules import nir
from ivo_app.rules.findings import NSS_OIDS, CheckContext, Finding, configured
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

    Only what the rules group on is kept, one dictionary entry per distinct key holding the first
    record's position (a second record makes it a group): on a million identities a record object
    or a key object per record costs more memory than the rules."""

    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        self.ids: list[int] = []
        self.ipps: list[str] = []
        self.births: list[date | None] = []
        self._matricule_first: dict[str, int] = {}
        self._matricule_groups: dict[str, list[int]] = {}
        self._homonym_first: dict[tuple[str, str, date, str], int] = {}
        self._homonym_groups: dict[tuple[str, str, date, str], list[int]] = {}
        self._flagged: set[int] = set()  # positions of identities flagged HOMONYME
        self._copies: list[int] = []
        self._by_traits: dict[tuple[str, int, int, str], list[int]] = {}  # the first two positions
        self._misfits: list[tuple[int, tuple[str, int, int, str]]] = []  # position, what its NIR says
        self._recup = 0
        self._normal: dict[str, str] = {}  # normal forms, once per distinct name

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
        normal, homonym_first, homonym_groups = self._normal, self._homonym_first, self._homonym_groups
        for i, (bn, ff, birth, sex) in enumerate(zip(births_names, first_firsts, births, sexes, strict=True)):
            if not (birth and sex and bn and ff):
                continue
            nb = normal.get(bn)
            if nb is None:
                nb = normal[bn] = normalize_name(bn)
            nf = normal.get(ff)
            if nf is None:
                nf = normal[ff] = normalize_name(ff)
            if nb and nf:
                _group(homonym_first, homonym_groups, (nb, nf, birth, sex), base + i)
        by_traits = self._by_traits
        for i, (birth, sex, place) in enumerate(zip(births, sexes, places, strict=True)):
            if birth and place and (sex == "M" or sex == "F"):
                traits = ("1" if sex == "M" else "2", birth.year % 100, birth.month, place)
                members = by_traits.get(traits)
                if members is None:
                    by_traits[traits] = [base + i]
                elif len(members) < 2:  # a record's first fit other than itself is among the first two
                    members.append(base + i)
        matricule_first, matricule_groups, misfits = (
            self._matricule_first,
            self._matricule_groups,
            self._misfits,
        )
        for i, (matricule, oid, birth, sex, place) in enumerate(
            zip(page["ins_matricule"], page["ins_oid"], births, sexes, places, strict=True)
        ):
            # A social-security number (NSS OID) is the insured person's: no INS-UNIQUE, no collision.
            if not matricule or oid in NSS_OIDS:
                continue
            _group(matricule_first, matricule_groups, matricule, base + i)
            if birth is None or not nir.has_valid_format(matricule):
                continue
            # What the NIR says: sex, year, month, place (department and commune: characters 6-10).
            fit = (matricule[0], int(matricule[1:3]), int(matricule[3:5]), matricule[5:10])
            own = ({"M": "1", "F": "2"}.get(sex or "", "?"), birth.year % 100, birth.month, place or "")
            if (own[0] != fit[0]) + (own[1] != fit[1]) + (own[2] != fit[2]) + (own[3] != fit[3]) >= 2:
                misfits.append((base + i, fit))

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

    def _groups(self, groups: dict[_K, list[int]]) -> list[list[int]]:
        """The groups of two records or more, in the order of their first record."""
        return sorted(groups.values())

    def _shared_matricules(self) -> Iterator[tuple[int, Finding]]:
        # Grouped by the matricule itself: the same number under .8 on one record and .10 or no
        # OID on another still designates one person (NSS-tagged numbers are left out in `add`).
        for members in self._groups(self._matricule_groups):
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
        for members in self._groups(self._homonym_groups):
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
        for k, fit in self._misfits:
            fits = [o for o in self._by_traits.get(fit, []) if o != k]
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


_K = TypeVar("_K")


def _group(first: dict[_K, int], groups: dict[_K, list[int]], key: _K, pos: int) -> None:
    """Record `pos` under `key`: the first position in `first`, a group once there are two."""
    seen = first.setdefault(key, pos)
    if seen != pos:
        members = groups.get(key)
        if members is None:
            groups[key] = [seen, pos]
        else:
            members.append(pos)
