"""The RNIV rules over identity records: structured findings, no text (the catalogue words them).

The rules live in one module per family — `traits` (TRAIT-*), `ins` (INS-*, COH-*), `statuses`
(STATUT-*, ATTR-* and the optional dates), `cross` (the rules that compare records) — and return
findings with reason codes and data. This module composes them: `check_record` runs the per-record
families in order, drops the facility's disabled rules and gives each finding its severity from the
catalogue and the facility's settings (`findings.configured`); `check_all` adds the cross-record rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ivo_app.rules import ins, statuses, traits
from ivo_app.rules.catalogue import RULES
from ivo_app.rules.cross import CrossRecordRules
from ivo_app.rules.findings import (
    INS_OIDS,
    INSI_STATUSES,
    NSS_OIDS,
    CheckContext,
    Finding,
    RuleSettings,
    configured,
)
from ivo_app.rules.record import IdentityRecord

# The per-record families, in the order their findings are listed.
FAMILIES: tuple[Callable[[IdentityRecord, CheckContext], Iterable[Finding]], ...] = (
    statuses.check,
    traits.check,
    statuses.check_optional_dates,
    ins.check,
)


def check_record(r: IdentityRecord, ctx: CheckContext) -> list[Finding]:
    settings = ctx.settings
    disabled = settings.disabled
    return [
        configured(f, settings) for family in FAMILIES for f in family(r, ctx) if f.rule_id not in disabled
    ]


def check_all(records: Iterable[IdentityRecord], ctx: CheckContext) -> Iterator[tuple[int | None, Finding]]:
    """Every rule over records (in memory use: a compact key per record for the cross-record rules)."""
    cross = CrossRecordRules(ctx)
    for r in records:
        for f in check_record(r, ctx):
            yield r.id, f
        cross.add(r)
    yield from cross.findings()


__all__ = [
    "FAMILIES",
    "INSI_STATUSES",
    "INS_OIDS",
    "NSS_OIDS",
    "RULES",
    "CheckContext",
    "CrossRecordRules",
    "Finding",
    "RuleSettings",
    "check_all",
    "check_record",
]
