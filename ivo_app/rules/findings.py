"""What every rule family shares: the finding, the facility's rule settings, the check context.

A family module (traits, ins, statuses, cross) yields findings with a rule ID, the fields at fault,
data parameters and reason CODES, and optionally the catalogue's named case; it never writes French
text nor picks a severity. The engine gives each finding its severity (`configured`) from the
catalogue and the facility's settings, the one place severities are decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ivo_app.rules.catalogue import severity_of
from ivo_app.rules.cog import CogReference
from ivo_app.rules.record import (
    OID_INS_NIA,
    OID_INS_NIR,
    OID_INS_NIR_DEMO,
    OID_INS_NIR_TEST,
    OID_NSS_NIA,
    OID_NSS_NIR,
    IdentityRecord,
)

INS_OIDS = frozenset({OID_INS_NIR, OID_INS_NIA, OID_INS_NIR_TEST, OID_INS_NIR_DEMO})
NSS_OIDS = frozenset({OID_NSS_NIR, OID_NSS_NIA})
INSI_STATUSES = frozenset({"RECUP", "QUAL"})
# The catalogue's case of the status-dependent rules for an identity neither RECUP nor QUAL.
OUTSIDE_INSI = "hors-insi"


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule broken. `case` names the catalogue's variant whose severity applies (None: the
    rule's default); `severity` is filled by the engine, never by a rule."""

    rule_id: str
    fields: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)
    case: str | None = None
    severity: str = ""


@dataclass
class RuleSettings:
    """Per-facility configuration: disabled rules, severity overrides, thresholds."""

    disabled: frozenset[str] = frozenset()
    severities: dict[str, str] = field(default_factory=dict)
    max_age_years: int = 120
    copy_min_records: int = 10
    copy_min_share: float = 0.01

    def severity(self, rule_id: str, case: str | None = None) -> str:
        """The facility's severity of a rule (its override for every case), else the catalogue's."""
        return self.severities.get(rule_id) or severity_of(rule_id, case)


@dataclass
class CheckContext:
    today: date
    cog: CogReference | None = None
    settings: RuleSettings = field(default_factory=RuleSettings)


def status_case(r: IdentityRecord) -> str | None:
    """The case of a status-dependent rule: its default for RECUP/QUAL, "hors-insi" otherwise."""
    return None if r.status in INSI_STATUSES else OUTSIDE_INSI


def configured(f: Finding, settings: RuleSettings) -> Finding:
    """The finding with its severity: the catalogue's (for its case), unless the facility overrides it."""
    return Finding(f.rule_id, f.fields, f.params, f.case, settings.severity(f.rule_id, f.case))
