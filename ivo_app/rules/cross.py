"""Rule family: the rules that compare records of one extraction (shared matricules, homonyms, copied
used names, suspected collisions, share of RECUP identities). `CrossRecordRules` collects a compact key
per record while the records stream by, then works with dictionaries, never pairwise."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from ivo_app.rules import nir
from ivo_app.rules.findings import NSS_OIDS, CheckContext, Finding, configured
from ivo_app.rules.normalize import normalize_name
from ivo_app.rules.record import IdentityRecord

# Other records named in a finding: the first five (the count says how many in all).
NAMED = 5


@dataclass(slots=True)
class _Key:
    id: int
    ipp: str
    matricule: str | None
    oid: str | None
    birth: date | None
    homonym_key: tuple[str, str, date, str] | None
    homonym_flag: bool
    copied: bool
    sex: str | None
    place: str | None
    status: str | None
    nir_fit: tuple[str, int, int, str] | None  # what the record's own NIR says


class CrossRecordRules:
    """Rules over the whole extraction. Feed every record with `add`, then call `findings`."""

    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        self.keys: list[_Key] = []

    def add(self, r: IdentityRecord) -> None:
        homonym_key = None
        bn, ff = normalize_name(r.birth_name), normalize_name(r.first_first_name)
        if bn and ff and r.birth_date and r.sex:
            homonym_key = (bn, ff, r.birth_date, r.sex)
        copied = bool(r.used_name and r.used_name == r.birth_name) or bool(
            r.used_first_name and r.used_first_name == r.first_first_name
        )
        # A social-security number (NSS OID) is the insured person's: no INS-UNIQUE, no collision.
        matricule = r.ins_matricule if r.ins_oid not in NSS_OIDS else None
        parts = nir.parts(matricule) if matricule else None
        self.keys.append(
            _Key(
                r.id,
                r.ipp,
                matricule,
                r.ins_oid,
                r.birth_date,
                homonym_key,
                "HOMONYME" in r.attribute_set,
                copied,
                r.sex,
                r.birthplace,
                r.status,
                (parts.sex, parts.year, parts.month, parts.place) if parts else None,
            )
        )

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
        groups: dict[str, list[_Key]] = defaultdict(list)
        for k in self.keys:
            if k.matricule:
                groups[k.matricule].append(k)
        for members in groups.values():
            if len(members) < 2:
                continue
            births = {m.birth for m in members}
            for m in members:
                others = [o.ipp for o in members if o is not m]
                yield (
                    m.id,
                    Finding(
                        "INS-UNIQUE",
                        ("ins_matricule",),
                        {"count": len(others), "others": others[:NAMED]},
                    ),
                )
                if len(births) > 1:
                    yield (
                        m.id,
                        Finding(
                            "INS-NSS",
                            ("ins_matricule", "birth_date"),
                            {"reason": "ouvrant-droit", "others": others[:NAMED]},
                        ),
                    )

    def _homonyms(self) -> Iterator[tuple[int, Finding]]:
        groups: dict[tuple[str, str, date, str], list[_Key]] = defaultdict(list)
        for k in self.keys:
            if k.homonym_key:
                groups[k.homonym_key].append(k)
        for members in groups.values():
            if len(members) < 2 or any(m.homonym_flag for m in members):
                continue
            for m in members:
                others = [o.ipp for o in members if o is not m]
                yield (
                    m.id,
                    Finding(
                        "ATTR-HOMONYME",
                        ("attributes",),
                        {"count": len(others), "others": others[:NAMED]},
                    ),
                )

    def _copied_used_names(self) -> Iterator[tuple[int, Finding]]:
        copies = [k for k in self.keys if k.copied]
        settings = self.ctx.settings
        if len(copies) < max(settings.copy_min_records, settings.copy_min_share * len(self.keys)):
            return
        for k in copies:
            yield (
                k.id,
                Finding(
                    "TRAIT-UTILISE-COPIE",
                    ("used_name", "used_first_name"),
                    {"count": len(copies)},
                ),
            )

    def _collisions(self) -> Iterator[tuple[int, Finding]]:
        """A matricule whose sex, year, month and place fit another identity, not its own."""
        by_traits: dict[tuple[str, int, int, str], list[_Key]] = defaultdict(list)
        for k in self.keys:
            if k.birth and k.sex in ("M", "F") and k.place:
                by_traits[({"M": "1", "F": "2"}[k.sex], k.birth.year % 100, k.birth.month, k.place)].append(k)
        for k in self.keys:
            if k.nir_fit is None or k.birth is None:
                continue
            own = (
                {"M": "1", "F": "2"}.get(k.sex or "", "?"),
                k.birth.year % 100,
                k.birth.month,
                k.place or "",
            )
            mismatches = sum(a != b for a, b in zip(own, k.nir_fit, strict=True))
            if mismatches < 2:
                continue
            fits = [o for o in by_traits.get(k.nir_fit, []) if o.id != k.id]
            if fits:
                yield (
                    k.id,
                    Finding(
                        "COLLISION-SUSPECTE",
                        ("ins_matricule",),
                        {"reason": "traits-autre-ipp", "other": fits[0].ipp},
                    ),
                )

    def _recup_share(self) -> Iterator[tuple[None, Finding]]:
        recup = sum(1 for k in self.keys if k.status == "RECUP")
        if recup and self.keys:
            share = round(100 * recup / len(self.keys), 1)
            yield (
                None,
                Finding(
                    "STATUT-RECUP-PART",
                    ("status",),
                    {"share": share, "count": recup},
                ),
            )
