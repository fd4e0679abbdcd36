"""The audit's typed items: what a finding, a recommendation, an action, an answer may hold.

Every value a person types (answers file, XLSX questionnaire, window forms) goes through `normalise`,
which returns the stored form or raises `ItemError` with a French message naming where the value
came from ("actions n° 2 (ligne 41)"), so nothing invalid is ever printed in a deliverable.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ivo_app.audit.grid import ANSWER_LABELS, ANSWERS

SEVERITIES = ("critique", "majeur", "mineur")
SEVERITY_LABELS = {"critique": "Critique", "majeur": "Majeur", "mineur": "Mineur"}
SOURCES = {
    "questionnaire": "Questionnaire",
    "documents": "Étude de documents",
    "observation": "Observation sur site",
    "echantillon": "Échantillon de fiches",
    "donnees": "Données de la table d'identités",
    "entretien": "Entretien",
    "coherence": "Cohérence entre étapes",
}
PRIORITIES = {1: "1 — haute", 2: "2 — moyenne", 3: "3 — basse"}
ACTION_STATUSES = {"a_lancer": "À lancer", "en_cours": "En cours", "realisee": "Réalisée",
                   "abandonnee": "Abandonnée"}  # fmt: skip
STATE_LABELS = {"a_faire": "à faire", "en_cours": "en cours", "termine": "terminée"}


class ItemError(ValueError):
    """A value that cannot be recorded; the message (French) names where it came from."""


def parse_day(value: Any, where: str, what: str = "date") -> date | None:
    """A day from AAAA-MM-JJ, JJ/MM/AAAA or a YAML date; None for an empty value."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ItemError(f"{where} : {what} invalide « {text} » (attendu JJ/MM/AAAA ou AAAA-MM-JJ).")


def _text(value: Any, where: str, what: str, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ItemError(f"{where} : {what} manquant.")
        return None
    if isinstance(value, (dict, list)):
        raise ItemError(f"{where} : {what} doit être un texte.")
    return str(value).strip()


def _choice(value: Any, allowed: dict[str, str] | tuple[str, ...], where: str, what: str) -> str | None:
    if value is None or value == "":
        return None
    codes = list(allowed)
    text = str(value).strip()
    by_label = {str(v).lower(): k for k, v in allowed.items()} if isinstance(allowed, dict) else {}
    code = text if text in codes else by_label.get(text.lower(), text.lower().replace(" ", "_"))
    if code not in codes:
        raise ItemError(f"{where} : {what} « {text} » inconnue (attendu : {', '.join(codes)}).")
    return code


def _priority(value: Any, where: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if number not in PRIORITIES:
        raise ItemError(f"{where} : priorité invalide « {value} » (attendu 1, 2 ou 3).")
    return number


def _bool(value: Any, where: str, what: str) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("oui", "true", "vrai", "1"):
        return True
    if text in ("non", "false", "faux", "0"):
        return False
    raise ItemError(f"{where} : « {what} » doit valoir oui ou non (lu « {value} »).")


def normalise_answer(value: Any, where: str) -> dict[str, Any]:
    """An answer: a code or label, or {answer, comment, evidence, auditor, auditor_comment}.

    `answer` is the facility's self-assessment, `auditor` the auditor's own assessment."""
    data = value if isinstance(value, dict) else {"answer": value}
    unknown = set(data) - {"answer", "comment", "evidence", "auditor", "auditor_comment"}
    if unknown:
        raise ItemError(f"{where} : champ inconnu {', '.join(sorted(map(str, unknown)))}.")
    out: dict[str, Any] = {}
    for key in ("answer", "auditor"):
        code = _choice(data.get(key), ANSWER_LABELS, where, "réponse")
        if code is not None:
            out[key] = code
    if "answer" not in out and "auditor" not in out:
        raise ItemError(f"{where} : réponse manquante (attendu : {', '.join(ANSWERS)}).")
    for key in ("comment", "evidence", "auditor_comment"):
        out[key] = _text(data.get(key), where, key)
    return out


def normalise(kind: str, data: dict[str, Any], where: str) -> dict[str, Any]:
    """The stored form of one item of `kind`; raises ItemError naming `where`."""
    if not isinstance(data, dict):
        raise ItemError(f"{where} : un objet (clé : valeur) est attendu.")
    out = dict(data)
    if kind == "finding":
        out["text"] = _text(data.get("text"), where, "texte du constat", required=True)
        out["severity"] = (
            _choice(data.get("severity"), SEVERITY_LABELS, where, "valeur de sévérité") or "majeur"
        )
        if data.get("source") == "proposé":  # files written before sources existed
            out["source"] = None
        else:
            out["source"] = _choice(data.get("source"), SOURCES, where, "source")
        for key in ("theme", "reference", "evidence"):
            if key in data:
                out[key] = _text(data.get(key), where, key)
    elif kind == "recommendation":
        out["text"] = _text(data.get("text"), where, "texte de la recommandation", required=True)
        out["priority"] = _priority(data.get("priority"), where)
        out["finding"] = _text(data.get("finding"), where, "constat lié")
    elif kind == "action":
        out["action"] = _text(data.get("action"), where, "libellé de l'action", required=True)
        out["priority"] = _priority(data.get("priority"), where)
        for key, what in (("due", "échéance"), ("follow_up", "date de suivi")):
            day = parse_day(data.get(key), where, what)
            out[key] = day.isoformat() if day else None
        out["status"] = _choice(data.get("status"), ACTION_STATUSES, where, "valeur de statut") or "a_lancer"
        for key in ("owner", "indicator", "recommendation"):
            out[key] = _text(data.get(key), where, key)
    elif kind == "document":
        out["name"] = _text(data.get("name"), where, "nom du document", required=True)
        if "present" in data:
            out["present"] = _bool(data.get("present"), where, "présent")
        if data.get("conformity") not in (None, ""):
            out["conformity"] = _choice(data.get("conformity"), ANSWER_LABELS, where, "valeur de conformité")
        if data.get("date") not in (None, ""):
            day = parse_day(data.get("date"), where)
            out["date"] = day.isoformat() if day else None
    elif kind in ("observation", "wristband"):
        for key, value in data.items():
            if (
                key not in ("poste", "unite", "service", "items")
                and not isinstance(value, bool)
                and value is not None
            ):
                out[key] = _bool(value, where, key)
    return {k: v for k, v in out.items() if v is not None}


def day_label(value: Any) -> str:
    """JJ/MM/AAAA for any stored day (ISO text or date); '—' when there is none."""
    if value in (None, ""):
        return "—"
    try:
        day = parse_day(value, "date")
    except ItemError:
        return str(value)
    return day.strftime("%d/%m/%Y") if day else "—"
