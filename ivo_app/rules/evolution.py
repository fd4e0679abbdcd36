"""Between two extractions of one facility: strict traits or matricule changed on an identity that
stays RECUP/QUAL, or a changed sex (COLLISION-SUSPECTE, "historique" case: the catalogue's rule for
a trait history that may show two persons).

RNIV: a strict trait of an identity that was checked through INSi cannot change without a new INSi
call; until that call the identity falls back (rétrogradation) to the status its remaining checks
allow. Keeping RECUP/QUAL with other traits means either a missed new call or an unnoticed
collision. A changed sex is reported at any status.

Memory stays flat on a million identities: the previous extraction is kept as one small tuple per IPP
(status, sex, one hash of the other strict traits); the traits of the few identities that changed are
read back afterwards to say which ones (`explain`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ivo_app.rules.record import IdentityRecord

RULE = "COLLISION-SUSPECTE"
INSI_STATUSES = frozenset({"RECUP", "QUAL"})
# The catalogue's case of the rule for a trait history (its severity: "alerte").
CASE = "historique"
# Strict traits compared (with the matricule), in the order `explain` names them.
TRAITS = ("birth_name", "first_names", "birth_date", "birthplace", "ins_matricule")


def traits_of(r: IdentityRecord) -> tuple[Any, ...]:
    return (r.birth_name, r.first_names, r.birth_date, (r.birthplace or "").upper() or None, r.ins_matricule)


@dataclass(frozen=True, slots=True)
class Change:
    identity_id: int
    ipp: str
    before_status: str
    status: str
    sex_changed: bool
    traits_changed: bool


class PreviousExtraction:
    """The previous extraction of the facility, compact; `compare` each current record to it."""

    def __init__(self) -> None:
        self._by_ipp: dict[str, tuple[str, str, int]] = {}

    def add(self, ipp: str, status: str | None, sex: str | None, traits: Sequence[Any]) -> None:
        self._by_ipp[ipp] = (status or "", sex or "", hash(tuple(_canon(v) for v in traits)))

    def __len__(self) -> int:
        return len(self._by_ipp)

    def compare(self, r: IdentityRecord) -> Change | None:
        before = self._by_ipp.get(r.ipp)
        if before is None:
            return None
        before_status, before_sex, before_hash = before
        sex_changed = bool(before_sex and r.sex and before_sex != r.sex)
        traits_changed = (
            before_status in INSI_STATUSES
            and (r.status or "") in INSI_STATUSES
            and hash(tuple(_canon(v) for v in traits_of(r))) != before_hash
        )
        if not (sex_changed or traits_changed):
            return None
        return Change(r.id, r.ipp, before_status, r.status or "", sex_changed, traits_changed)


def explain(change: Change, before: IdentityRecord | None, now: IdentityRecord | None) -> dict[str, Any]:
    """The params of one change's finding (reason code, the trait columns that differ; no text).
    Its case is `CASE`."""
    fields: list[str] = []
    if change.sex_changed:
        fields.append("sex")
    if change.traits_changed and before is not None and now is not None:
        old, new = traits_of(before), traits_of(now)
        fields += [name for name, a, b in zip(TRAITS, old, new, strict=True) if _canon(a) != _canon(b)]
    params: dict[str, Any] = {"reason": CASE, "fields": fields or ["strict_traits"]}
    if change.before_status:
        params["before"] = change.before_status
    if change.status:
        params["status"] = change.status
    return params


def _canon(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value or None


def changes(previous: PreviousExtraction, records: Iterable[IdentityRecord]) -> Iterator[Change]:
    for r in records:
        change = previous.compare(r)
        if change is not None:
            yield change
