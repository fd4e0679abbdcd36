"""French typography for reports: 53,7 %, 5 000, JJ/MM/AAAA, labels rather than codes.

Thousands and the space before % are non-breaking (U+00A0): a cell never wraps "5 000" or "53,7 %".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

NBSP = "\u00a0"
STATUS_LABELS = {
    "PROV": "Provisoire",
    "RECUP": "Récupérée",
    "VALI": "Validée",
    "QUAL": "Qualifiée",
    "?": "Sans statut",
}
SEVERITY_LABELS = {"critique": "Critique", "erreur": "Erreur", "alerte": "Alerte", "info": "Information",
                   "majeur": "Majeur", "mineur": "Mineur"}  # fmt: skip


def number(value: Any) -> str:
    """5 000 ; 1 234 567 ; 12,5 (one decimal at most for non-integers)."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        whole, _, decimals = f"{value:,.1f}".partition(".")
        return whole.replace(",", NBSP) + "," + decimals
    return f"{int(value):,}".replace(",", NBSP)


def decimal(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", NBSP).replace(".", ",")


def pct(value: float | None, ratio: bool = True) -> str:
    """53,7 % from 0.537 (ratio) or from 53.7 (ratio False); '—' for None."""
    if value is None:
        return "—"
    return decimal(100 * value if ratio else value) + NBSP + "%"


def day(value: Any) -> str:
    """JJ/MM/AAAA from a date, a datetime or ISO text; '—' when there is none."""
    if value in (None, ""):
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    try:
        return date.fromisoformat(text[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return text


def status_label(code: object) -> str:
    """A confidence status's label; a value outside the RNIV's four is shown as read, and said so."""
    text = str(code or "?")
    return STATUS_LABELS.get(text, f"{text} (valeur non reconnue)")


def yes_no(value: Any) -> str:
    return {True: "oui", False: "non"}.get(value, "—")


def plural(count: int, one: str, many: str) -> str:
    """« 1 admission observée », « 5 admissions observées », « 5 000 identités »."""
    return f"{number(count)} {one if count in (0, 1) else many}"
