"""Follow-up of a facility between two complete audits (pure): theme scores, findings closed /
persisting / new (matched by their key: proposed findings keep theirs from one audit to the next),
the previous action plan's status, and the trend of the data indicators."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ivo_app.audit.scoring import GridScore


@dataclass(frozen=True)
class FollowUp:
    previous_id: int
    previous_date: str
    themes: list[tuple[str, float | None, float | None]]  # title, before, now
    score: tuple[float | None, float | None]
    closed: list[str]
    persisting: list[str]
    new: list[str]
    previous_actions: list[dict[str, Any]]
    trends: list[tuple[str, float | None, float | None]]  # indicator label, before, now


TREND_KEYS: tuple[tuple[str, Callable[[Mapping[str, Any]], Any]], ...] = (
    ("Anomalies critiques", lambda d: d["anomalies"]["by_severity"].get("critique", 0)),
    ("Doublons probables (paires)", lambda d: (d.get("duplicates") or {}).get("probable")),
    ("Collisions suspectées", lambda d: (d.get("duplicates") or {}).get("collisions")),
    ("Taux de qualification de la file active (%)", lambda d: d.get("qualification_rate")),
)


def _text(finding: dict[str, Any]) -> str:
    return str(finding.get("text", ""))


def follow_up(
    previous_id: int,
    previous_date: str,
    before: GridScore,
    now: GridScore,
    before_findings: dict[str, dict[str, Any]],
    now_findings: dict[str, dict[str, Any]],
    before_actions: list[dict[str, Any]],
    before_data: Mapping[str, Any] | None,  # services.indicators.Indicators
    now_data: Mapping[str, Any] | None,
) -> FollowUp:
    old_themes = {t.theme_id: t.score for t in before.themes}
    themes = [(t.title, old_themes.get(t.theme_id), t.score) for t in now.themes]
    closed = [_text(f) for k, f in before_findings.items() if k not in now_findings]
    persisting = [_text(f) for k, f in now_findings.items() if k in before_findings]
    new = [_text(f) for k, f in now_findings.items() if k not in before_findings]
    trends: list[tuple[str, float | None, float | None]] = []
    for label, get in TREND_KEYS:
        try:
            old = get(before_data) if before_data else None
        except (KeyError, TypeError):
            old = None
        try:
            cur = get(now_data) if now_data else None
        except (KeyError, TypeError):
            cur = None
        trends.append((label, old, cur))
    return FollowUp(previous_id, previous_date, themes, (before.score, now.score), closed, persisting, new,
                    before_actions, trends)  # fmt: skip
