"""The rule engine measured against a demo facility's ground truth (recall, false alarms per rule)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ivo_app.rules.catalogue import RULES
from ivo_app.services.demo import truth_of_rows
from ivo_app.store.db import Database
from ivo_app.store.queries import demo as demo_queries
from ivo_app.store.queries.findings import rules_by_ipp
from ivo_app.store.uow import UnitOfWork

# Rules scored elsewhere: the duplicate engine has its own evaluation, and the RECUP share is a
# figure about the whole extraction, not an anomaly of a record.
NOT_PER_RECORD = frozenset({"DOUBLON-POTENTIEL", "STATUT-RECUP-PART"})


@dataclass
class RuleScore:
    rule: str
    injected: int
    found: int  # injected and found
    false_alarms: int  # found on a record whose truth does not list the rule

    @property
    def recall(self) -> float:
        return self.found / self.injected if self.injected else 1.0


def score_rules(db: Database, extraction_id: int) -> list[RuleScore]:
    with UnitOfWork(db) as uow:
        truth = truth_of_rows(demo_queries.truth_rows(uow.session, extraction_id))
        by_ipp = rules_by_ipp(uow.session, extraction_id)
    found: dict[str, set[str]] = defaultdict(set)
    for ipp, rules in by_ipp.items():
        for rule in rules:
            found[rule].add(ipp)
    injected: dict[str, set[str]] = defaultdict(set)
    for ipp, t in truth.items():
        for rule in t["anomalies"]:
            injected[rule].add(ipp)
    return [
        RuleScore(
            rule, len(injected[rule]), len(injected[rule] & found[rule]), len(found[rule] - injected[rule])
        )
        for rule in RULES
        if rule not in NOT_PER_RECORD
    ]
