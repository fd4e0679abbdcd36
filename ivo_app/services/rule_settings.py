"""Per-facility rule configuration (enable/disable, severity override), kept in the database."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ivo_app.errors import IvoError
from ivo_app.rules.catalogue import RULES, SEVERITIES
from ivo_app.rules.engine import RuleSettings
from ivo_app.store import journal
from ivo_app.store.db import Database
from ivo_app.store.models.rules import RuleSetting
from ivo_app.store.queries import rules as rule_queries
from ivo_app.store.uow import UnitOfWork


def load_settings(session: Session, facility_id: int | None) -> RuleSettings:
    """Global settings, overridden by the facility's own."""
    rows = rule_queries.rule_settings(session, facility_id)
    disabled: set[str] = set()
    severities: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: r.facility_id is not None):  # facility rows last: they win
        if row.enabled:
            disabled.discard(row.rule_id)
        else:
            disabled.add(row.rule_id)
        if row.severity:
            severities[row.rule_id] = row.severity
    return RuleSettings(disabled=frozenset(disabled), severities=severities)


def set_rule(
    db: Database,
    rule_id: str,
    *,
    enabled: bool | None = None,
    severity: str | None = None,
    facility: str | None = None,
) -> None:
    if rule_id not in RULES:
        raise IvoError(f"Règle inconnue : {rule_id} (voir « ivo rules »).")
    if severity is not None and severity not in SEVERITIES:
        raise IvoError(f"Sévérité inconnue : {severity} (attendu : {', '.join(SEVERITIES)}).")
    with UnitOfWork(db) as uow:
        facility_id = uow.facilities.by_name(facility).id if facility else None
        row = rule_queries.rule_setting(uow.session, rule_id, facility_id)
        if row is None:
            row = RuleSetting(rule_id=rule_id, facility_id=facility_id, enabled=True)
            uow.session.add(row)
        if enabled is not None:
            row.enabled = enabled
        if severity is not None:
            row.severity = severity
        uow.session.flush()
        journal.record(
            uow.session,
            "rule_setting",
            f"rule:{rule_id}",
            {"facility_id": facility_id, "enabled": row.enabled, "severity": row.severity},
        )
        uow.commit()


def effective_settings(db: Database, facility: str | None = None) -> RuleSettings:
    with UnitOfWork(db) as uow:
        facility_id = uow.facilities.by_name(facility).id if facility else None
        return load_settings(uow.session, facility_id)
