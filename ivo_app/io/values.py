"""Parsing of raw cell values into stored trait values.

Parsing never rejects a row for a bad trait: an unparseable date or an unknown sex is kept as
found so that the rules report it (a rejected row would hide the anomaly from the CIV).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from unidecode import unidecode

_DATE_PATTERNS = (
    (re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{2})(\d{2})(\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), ("y", "m", "d")),
)
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


@lru_cache(maxsize=100_000)
def parse_date(raw: str | None, fmt: str | None = None) -> date | None:
    """JJ/MM/AAAA, AAAA-MM-JJ, JJ-MM-AAAA, JJ.MM.AAAA, JJMMAAAA, AAAAMMJJ, with an optional time.

    Two-digit years are not guessed: a wrong century is a wrong identity. Returns None when the
    value is not a real calendar date.
    """
    if not raw:
        return None
    text = raw.strip()
    if fmt:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            return None
    text = _TIME_SUFFIX.sub("", text)
    for pattern, order in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            try:
                return date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                continue  # 19800312 fails as JJMMAAAA, then reads as AAAAMMJJ
    return None


_SEX = {
    "M": "M",
    "H": "M",
    "1": "M",
    "MASCULIN": "M",
    "HOMME": "M",
    "MALE": "M",
    "F": "F",
    "2": "F",
    "FEMININ": "F",
    "FEMME": "F",
    "FEMALE": "F",
    "I": "I",
    "3": "I",
    "INDETERMINE": "I",
    "U": "I",
    "O": "I",
    "INCONNU": "I",
    "UNKNOWN": "I",
}


def parse_sex(raw: str | None) -> str | None:
    """M/F/I from the usual spellings; an unknown value is kept (uppercased) for TRAIT-SEXE."""
    if not raw:
        return None
    key = unidecode(raw).strip().upper()
    return _SEX.get(key, key[:10])


# Raw status spellings (folded) → canonical status. Legacy feeds: VIDE means no status yet.
DEFAULT_STATUS_MAPPING: dict[str, str] = {
    "": "PROV",
    "VIDE": "PROV",
    "PROV": "PROV",
    "PROVISOIRE": "PROV",
    "IDENTITE PROVISOIRE": "PROV",
    "RECUP": "RECUP",
    "RECUPEREE": "RECUP",
    "IDENTITE RECUPEREE": "RECUP",
    "VALI": "VALI",
    "VALIDEE": "VALI",
    "IDENTITE VALIDEE": "VALI",
    "QUAL": "QUAL",
    "QUALIFIEE": "QUAL",
    "IDENTITE QUALIFIEE": "QUAL",
}


def fold_status(raw: str | None) -> str:
    return " ".join(unidecode(raw or "").upper().replace("_", " ").split())


def parse_status(raw: str | None, overrides: dict[str, str] | None = None) -> str:
    """Canonical status through the import's status mapping; unknown values kept for STATUT-VALEUR."""
    key = fold_status(raw)
    if overrides and key in overrides:
        return overrides[key]
    return DEFAULT_STATUS_MAPPING.get(key, key[:20])


_ATTRIBUTE_ALIASES = {
    "DOUTEUSE": "DOUTEUSE",
    "DOUT": "DOUTEUSE",
    "DOUTE": "DOUTEUSE",
    "DOUTEUX": "DOUTEUSE",
    "FICTIVE": "FICTIVE",
    "FICT": "FICTIVE",
    "FICTIF": "FICTIVE",
    "HOMONYME": "HOMONYME",
    "HOMO": "HOMONYME",
    "HOMONYMIE": "HOMONYME",
    "HOMD": "HOMONYME",
    "HOMA": "HOMONYME",
}
_ATTR_SPLIT = re.compile(r"[,|; ]+")


def parse_attributes(raw: str | None) -> str | None:
    """'homonyme | douteuse' → 'DOUTEUSE,HOMONYME'; unknown words kept so the rules see them."""
    if not raw:
        return None
    found = set()
    for token in _ATTR_SPLIT.split(unidecode(raw).upper()):
        if token:
            found.add(_ATTRIBUTE_ALIASES.get(token, token[:20]))
    return ",".join(sorted(found)) or None


# Identity-document labels as exports write them (folded) → FR Core "mode de validation" codes.
_DOCUMENTS = {
    "CNI": "CN",
    "CI": "CN",
    "CARTE NATIONALE D IDENTITE": "CN",
    "CARTE D IDENTITE": "CN",
    "CARTE IDENTITE": "CN",
    "PASSEPORT": "PA",
    "PASSPORT": "PA",
    "TITRE DE SEJOUR": "CS",
    "TITRE SEJOUR": "CS",
    "CARTE DE SEJOUR": "CS",
    "CARTE DE RESIDENT": "CS",
    "TITRE DE SEJOUR PERMANENT": "CS",
    "IDENTITE NUMERIQUE": "IE",
    "EIDAS": "IE",
    "APPLICATION CARTE VITALE": "AV",
    "APPLI CARTE VITALE": "AV",
    "DOCUMENT DE CIRCULATION": "DC",
    "DOCUMENT DE CIRCULATION POUR ETRANGER MINEUR": "DC",
    "ACTE DE NAISSANCE": "AN",
    "EXTRAIT D ACTE DE NAISSANCE": "AN",
    "EXTRAIT ACTE DE NAISSANCE": "AN",
    "LIVRET DE FAMILLE": "LE",
    "PERMIS DE CONDUIRE": "PC",
    "PERMIS": "PC",
    "CARTE MILITAIRE": "CM",
    "TIERS DE CONFIANCE": "TC",
    "CEAM": "CE",
    "CARTE EUROPEENNE D ASSURANCE MALADIE": "CE",
}


def parse_document(raw: str | None) -> str | None:
    """'Passeport' → 'PA', 'TITRE DE SEJOUR' → 'CS' (the codes the rules check); FR Core codes and
    unknown labels are kept, uppercased, for STATUT-JUSTIF to judge."""
    if not raw:
        return None
    key = " ".join(unidecode(raw).upper().replace("'", " ").replace("-", " ").replace("_", " ").split())
    return _DOCUMENTS.get(key, key[:20]) or None


def compact_matricule(raw: str | None) -> str | None:
    """Remove spaces, dots and dashes; uppercase (2A/2B). Format is checked by the rules."""
    if not raw:
        return None
    text = raw.replace(" ", "")
    if not text.isalnum():  # the common case (digits only) skips the regular expression
        text = _MATRICULE_SEPARATORS.sub("", text)
    return text.upper() or None


_MATRICULE_SEPARATORS = re.compile(r"[\s.\-]")


def parse_bool(raw: str | None) -> bool | None:
    if raw is None or not raw.strip():
        return None
    return unidecode(raw).strip().upper() in {"1", "O", "OUI", "Y", "YES", "TRUE", "VRAI", "X"}


def clean_text(raw: str | None, limit: int = 255) -> str | None:
    """Trim; keep the value otherwise as found (the rules judge its characters)."""
    if raw is None:
        return None
    text = raw.strip().replace("\x00", "")
    return text[:limit] if text else None
