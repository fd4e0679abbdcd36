"""French typography for reports: 53,7 %, 5 000, JJ/MM/AAAA, labels rather than codes.

Thousands and the space before % are non-breaking (U+00A0): a cell never wraps "5 000" or "53,7 %".
"""

from __future__ import annotations

from typing import Any

from ivo_app.labels import SEVERITIES, STATUSES, THOUSANDS, format_date, format_decimal, format_int
from ivo_app.labels import plural as plural  # one rule for French plurals, window, CLI and reports

NBSP = THOUSANDS
STATUS_LABELS = {**STATUSES, "?": "Sans statut"}
SEVERITY_LABELS = {**SEVERITIES, "majeur": "Majeur", "mineur": "Mineur"}  # findings have two more


def number(value: Any) -> str:
    """5 000 ; 1 234 567 ; 12,5 (one decimal at most for non-integers)."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return format_decimal(value, 1)
    return format_int(int(value))


def decimal(value: float, digits: int = 1) -> str:
    return format_decimal(value, digits)


def pct(value: float | None, ratio: bool = True) -> str:
    """53,7 % from 0.537 (ratio) or from 53.7 (ratio False); '—' for None."""
    if value is None:
        return "—"
    return decimal(100 * value if ratio else value) + NBSP + "%"


def day(value: Any) -> str:
    """JJ/MM/AAAA from a date, a datetime or ISO text; '—' when there is none."""
    if value in (None, ""):
        return "—"
    return format_date(value)


def status_label(code: object) -> str:
    """A confidence status's label; a value outside the RNIV's four is shown as read, and said so."""
    text = str(code or "?")
    return STATUS_LABELS.get(text, f"{text} (valeur non reconnue)")


def yes_no(value: Any) -> str:
    return {True: "oui", False: "non"}.get(value, "—")
