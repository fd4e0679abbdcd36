"""One French label table for what the base stores as codes (statuses, attributes, severities,
duplicate levels and kinds, decisions, journal actions) and the French formats of numbers,
percentages and dates, shared by the window, the PDF and the command line.

Pure Python (no Qt): `format_percent(53.66)` → "53,7 %", `format_int(300000)` → "300 000",
`format_date(date(2026, 6, 1))` → "01/06/2026".
"""

from __future__ import annotations

from datetime import date, datetime

# The identity's fields are labelled in their one table (ivo_app.identity); re-exported here so that
# every French label is found from this module.
from ivo_app.identity import field_label as field_label
from ivo_app.identity import inline_label as inline_label

# The thin space the French typography puts between thousands would not survive every font and CSV
# reader; a non-breaking space keeps "300 000" on one line.
THOUSANDS = "\u00a0"

STATUSES = {
    "PROV": "Provisoire",
    "RECUP": "Récupérée",
    "VALI": "Validée",
    "QUAL": "Qualifiée",
}
ATTRIBUTES = {
    "DOUTEUSE": "Identité douteuse",
    "FICTIVE": "Identité fictive",
    "HOMONYME": "Homonyme",
}
SEVERITIES = {"critique": "Critique", "erreur": "Erreur", "alerte": "Alerte", "info": "Information"}
LEVELS = {"probable": "Probable", "a_examiner": "À examiner"}
KINDS = {"doublon": "Doublon", "collision": "Collision"}
DECISIONS = {"doublon": "Doublon avéré", "non_doublon": "Non-doublon (homonymes)", "a_revoir": "À revoir"}
SEXES = {"F": "Féminin", "M": "Masculin", "I": "Indéterminé", "U": "Inconnu"}

AUDIT_ITEMS = {
    "creation": "création",
    "reponse": "réponse au questionnaire",
    "echantillon": "tirage de l'échantillon",
    "entete": "en-tête",
    "document": "document",
    "observation": "observation à l'admission",
    "wristband": "contrôle de bracelet",
    "interview": "entretien",
    "finding": "constat",
    "recommendation": "recommandation",
    "action": "action",
    "sample": "contrôle de l'échantillon",
    "evaluation": "évaluation de l'auditeur",
    "questionnaire_import": "import du questionnaire",
    "contexte": "contexte du livrable",
}
JOURNAL_ACTIONS = {
    "import": "Import d'une extraction",
    "check": "Vérification des règles",
    "duplicates": "Détection des doublons",
    "decision": "Décision sur une paire",
    "decision_annulee": "Décision annulée",
    "export": "Export de l'extraction",
    "export_anomalies": "Export des anomalies",
    "export_paires": "Export de la file de revue",
    "export_fusions": "Export de la liste des fusions",
    "export_rejets": "Export des lignes rejetées",
    "export_pseudonymise": "Export pseudonymisé",
    "export_journal": "Export du journal",
    "rapport": "Rapport de qualité",
    "livrable": "Livrable d'audit",
    "rule_setting": "Réglage d'une règle",
    "chiffrement": "Chiffrement de la base",
    "sauvegarde": "Sauvegarde",
    "restauration": "Restauration",
    "suppression_extraction": "Suppression d'une extraction",
    "consultation": "Consultation de données nominatives",
    "recherche": "Recherche avant création",
    "livrable_audit": "Livrable d'audit",
    "livrable_audit_annexe": "Annexe nominative du livrable",
    "cog_import": "Import du référentiel COG de l'INSEE",
    "formation_session": "Formation : création d'une session",
    "formation_remise": "Formation : réponses remises",
    "formation_correction": "Formation : correction d'une session",
    "formation_import": "Formation : import d'une extraction pseudonymisée",
    "parametre_statuts": "Réglage : correspondance des statuts",
    "parametre_file_active": "Réglage : période de la file active",
    "parametre_seuils_doublons": "Réglage : seuils des doublons",
    "parametre_autorite_ipp": "Réglage : autorité d'affectation des IPP",
}
DETAIL_KEYS = {
    "rows": "lignes",
    "pairs": "paires",
    "findings": "anomalies",
    "bytes": "octets",
    "personal_data": "données nominatives",
    "format": "format",
    "key": "élément",
    "question": "question",
    "answer": "réponse",
    "seed": "graine",
    "size": "taille",
    "decision": "décision",
    "sha256": "empreinte",
    "rejected": "rejets",
    "facility_id": "établissement",
    "file": "fichier",
    "version": "version",
    "vue": "vue",
    "identites": "identités",
    "answers": "réponses",
    "chiffree_a_la_restauration": "chiffrée à la restauration",
    "codes": "codes",
    "copie_de_securite": "copie de sécurité",
    "enabled": "active",
    "evenements": "événements",
    "fiches_examinees": "fiches examinées",
    "fichier": "fichier",
    "grid": "grille",
    "k": "taille minimale des groupes",
    "questions": "questions",
    "remises": "remises",
    "replaced": "remplacé",
    "reponses": "réponses",
    "report": "rapport d'import",
    "reprise": "reprise",
    "sauvegardes_chiffrees": "sauvegardes chiffrées",
    "severity": "sévérité",
    "stagiaire": "stagiaire",
    "stagiaires": "stagiaires",
    "domaines": "domaines",
    "domaine": "domaine",
    "lus": "lus",
    "gardes": "gardés",
    "mis_a_jour": "mis à jour",
    "fusionnes": "fusionnés",
    "refuses": "refusés",
    "remarques": "remarques",
}


def label(table: dict[str, str], code: str | None, empty: str = "") -> str:
    """The label of `code` in `table`; an unknown code is shown as it is rather than hidden."""
    if code is None or code == "":
        return empty
    return table.get(code, code)


def status_label(code: str | None) -> str:
    return label(STATUSES, code)


def attributes_label(codes: str | None) -> str:
    """ "DOUTEUSE,HOMONYME" → "Identité douteuse, Homonyme"."""
    if not codes:
        return ""
    return ", ".join(label(ATTRIBUTES, c.strip()) for c in codes.split(",") if c.strip())


def journal_action_label(action: str) -> str:
    if action in JOURNAL_ACTIONS:
        return JOURNAL_ACTIONS[action]
    if action.startswith("audit_"):
        rest = action.removeprefix("audit_")
        removed = rest.endswith("_suppression")
        item = label(AUDIT_ITEMS, rest.removesuffix("_suppression"))
        return f"Audit : {item} supprimé(e)" if removed else f"Audit : {item}"
    if action.startswith("setting") or action.endswith("_settings"):
        return "Réglage"
    return action.replace("_", " ").capitalize()


def journal_target_label(target: str | None) -> str:
    """ "extraction:3" → "extraction n° 3"; "facility:toutes" → "tous les établissements"."""
    if not target:
        return ""
    kind, _, ident = target.partition(":")
    names = {"extraction": "extraction", "audit": "audit", "facility": "établissement", "paire": "paire"}
    if kind == "facility" and ident == "toutes":
        return "tous les établissements"
    if kind in names and ident:
        return f"{names[kind]} n° {ident}" if ident.isdigit() else f"{names[kind]} {ident}"
    return target


def journal_details_label(details: dict[str, object] | None) -> str:
    """Details without empty values ("sha256 : ," never shown), keys and values in French; a nested
    summary (the import's per-domain counts) is written out the same way, never as a Python dict."""
    parts = []
    for key, value in (details or {}).items():
        if value is None or value == "" or value == [] or value == {}:
            continue
        parts.append(f"{label(DETAIL_KEYS, key)} : {_detail_value(key, value)}")
    return " ; ".join(parts)


def _detail_value(key: str, value: object) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return format_int(value)
    if key == "decision" and isinstance(value, str):
        return label(DECISIONS, value)
    if isinstance(value, dict):
        inner = [f"{label(DETAIL_KEYS, str(k))} {_detail_value(str(k), v)}" for k, v in value.items()
                 if v not in (None, "", [], {})]  # fmt: skip
        return "(" + ", ".join(inner) + ")"
    if isinstance(value, list):
        return ", ".join(_detail_value(key, v) for v in value)
    return str(value)


def format_int(value: int | float) -> str:
    """300000 → "300 000" (non-breaking space between thousands)."""
    return f"{round(value):,}".replace(",", THOUSANDS)


def format_decimal(value: float, digits: int = 1) -> str:
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", THOUSANDS)


def format_percent(value: float | None, digits: int = 1) -> str:
    """53.66 → "53,7 %" (a value already in percent); None → "—"."""
    if value is None:
        return "—"
    return f"{format_decimal(value, digits)}\u00a0%"


def format_share(part: int, whole: int, digits: int = 1) -> str:
    return format_percent(100 * part / whole if whole else None, digits)


def format_date(value: date | datetime | str | None) -> str:
    """A date (or an ISO text "2026-06-01") as JJ/MM/AAAA; anything else unchanged."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    if len(text) >= 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit():
        return f"{text[8:10]}/{text[5:7]}/{text[:4]}"
    return text


def format_datetime(value: datetime) -> str:
    return value.strftime("%d/%m/%Y %H:%M:%S")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """1 → "1 réponse", 2 → "2 réponses", 0 → "0 réponse" (French: 0 and 1 are singular)."""
    word = singular if abs(count) < 2 else (plural_form or singular + "s")
    return f"{format_int(count)} {word}"
