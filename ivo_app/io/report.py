"""What a message reader saw, per identifier domain: the import report's raw material.

A domain is who assigned the patient's key: the assigning authority of an HL7 IPP (PID-3 CX-4), the
`system` of a FHIR IPP identifier, or `Patient.id` when a Patient has no IPP. Two domains in one
file are two lists of patients that must never be merged: the patients of every domain but the main
one are stored with their IPP qualified by their domain (`IPP@DOMAINE`), and the report says so.
Nothing here holds a name: events say which fields changed, never their values.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

QUALIFIER = "@"
IPP_LIMIT = 64  # the identity table's IPP column
REFUSED = "\x00refused"  # the domain key of what was refused before its domain was known


@dataclass
class DomainCounts:
    label: str
    read: int = 0  # messages / resources that carried a patient of this domain
    kept: int = 0  # patients of this domain in the extraction
    updated: int = 0  # later events that changed a patient already read
    merged: int = 0  # patients merged into another one (A40) or renumbered (A47)
    refused: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    systems: set[str] = field(default_factory=set)  # sending applications / facilities
    qualified: bool = False  # IPPs stored as IPP@domain (not the main domain)

    def to_json(self) -> dict[str, Any]:
        return {
            "domaine": self.label,
            "systemes_source": sorted(self.systems),
            "lus": self.read,
            "gardes": self.kept,
            "mis_a_jour": self.updated,
            "fusionnes": self.merged,
            "refuses": self.refused,
            "motifs": dict(sorted(self.reasons.items())),
            "ipp_qualifies": self.qualified,
        }


@dataclass
class ReadReport:
    """Counts per domain, the events that changed a patient, and the notes (re-decoding, choices)."""

    domains: dict[str, DomainCounts] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def domain(self, key: str, label: str | None = None) -> DomainCounts:
        if key not in self.domains:
            self.domains[key] = DomainCounts(label or key)
        return self.domains[key]

    def refuse(self, key: str, reason: str) -> None:
        """A refused message or resource; without a known domain, counted under « refusés »."""
        counts = self.domain(key or REFUSED, key or "(sans domaine : refusés)")
        counts.refused += 1
        counts.reasons[reason] += 1

    def to_json(self) -> dict[str, Any]:
        return {
            "domaines": [d.to_json() for d in self.domains.values()],
            "evenements": list(self.events),
            "remarques": list(self.notes),
        }


def main_domain(counts: dict[str, int], expected: str | None, labels: dict[str, str]) -> str | None:
    """The domain whose IPPs are stored as they are: the expected authority when the file holds it,
    else the domain with the most patients (the first one read on a tie)."""
    if not counts:
        return None
    if expected:
        for key in counts:
            if matches_authority(key, labels.get(key, ""), expected):
                return key
    return max(counts, key=lambda k: counts[k])  # max keeps the first of equal counts


def matches_authority(key: str, label: str, expected: str) -> bool:
    """Whether a domain is the expected authority (given as namespace, OID, or urn:oid:OID)."""
    wanted = expected.strip().upper().removeprefix("URN:OID:")
    names = {key.upper().removeprefix("URN:OID:"), label.upper()}
    names |= {part.strip(" ()") for part in label.upper().split(" (")}
    return wanted in names


def qualified_ipp(ipp: str, domain_short: str) -> str:
    """The stored key of a patient of a secondary domain: never equal to a main-domain IPP."""
    text = f"{ipp}{QUALIFIER}{domain_short}"
    return text[:IPP_LIMIT]
