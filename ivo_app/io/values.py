"""Parsing of raw cell values into stored trait values.

Parsing never rejects a row for a bad trait: an unparseable date or an unknown sex is kept as
found so that the rules report it (a rejected row would hide the anomaly from the CIV).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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


_COMPACT = re.compile(r"^(\d{8})$")
_SLASHED = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ORDERS = {"dmy": ("d", "m", "y"), "ymd": ("y", "m", "d"), "mdy": ("m", "d", "y")}
ORDER_LABELS = {"dmy": "JJMMAAAA", "ymd": "AAAAMMJJ", "mdy": "MM/JJ/AAAA"}
PLAUSIBLE_YEARS = range(1850, 2101)


@lru_cache(maxsize=100_000)
def parse_date(
    raw: str | None, fmt: str | None = None, compact: str | None = None, slashed: str | None = None
) -> date | None:
    """JJ/MM/AAAA, AAAA-MM-JJ, JJ-MM-AAAA, JJ.MM.AAAA, JJMMAAAA, AAAAMMJJ, with an optional time.

    `compact` ("dmy" or "ymd") and `slashed` ("dmy" or "mdy") are the orders decided for the whole
    column (`column_date_order`): then an eight-digit value is read in that order only, never
    "whichever parses" (20050315 is not 20/05/0315). Two-digit years are not guessed: a wrong
    century is a wrong identity. Returns None when the value is not a real calendar date.
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
    if compact and len(text) == 8 and text.isdigit():  # the column's order, and no other reading
        return _compact_date(text, compact)
    for pattern, order in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            if slashed and pattern is _DATE_PATTERNS[0][0]:
                order = _ORDERS[slashed]
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            try:
                return date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                continue  # no decision: 19800312 fails as JJMMAAAA, then reads as AAAAMMJJ
    return None


def _compact_date(text: str, order: str) -> date | None:
    if order == "ymd":
        y, m, d = int(text[:4]), int(text[4:6]), int(text[6:])
    else:
        d, m, y = int(text[:2]), int(text[2:4]), int(text[4:])
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _plausible(text: str, order: str) -> bool:
    found = _compact_date(text, order)
    return found is not None and found.year in PLAUSIBLE_YEARS


def column_date_order(values: Iterable[str | None]) -> tuple[str | None, str | None]:
    """(compact order, slashed order) of a column, decided from all its values.

    Eight-digit values: AAAAMMJJ or JJMMAAAA, whichever reads more of them as plausible dates
    (years 1850-2100); JJMMAAAA on a tie (the French order). Values with separators: JJ/MM/AAAA
    unless some can only be MM/JJ/AAAA and none only JJ/MM/AAAA. None where the column has no such
    value.
    """
    counts = {"dmy": 0, "ymd": 0}
    slashed = {"dmy": 0, "mdy": 0}
    seen_compact = seen_slashed = False
    for raw in set(values):
        if not raw:
            continue
        text = _TIME_SUFFIX.sub("", raw.strip())
        if _COMPACT.match(text):
            seen_compact = True
            counts["dmy"] += _plausible(text, "dmy")
            counts["ymd"] += _plausible(text, "ymd")
            continue
        match = _SLASHED.match(text)
        if match:
            seen_slashed = True
            a, b, _y = (int(g) for g in match.groups())
            slashed["dmy"] += a > 12 and b <= 12
            slashed["mdy"] += b > 12 and a <= 12
    compact = ("ymd" if counts["ymd"] > counts["dmy"] else "dmy") if seen_compact else None
    order = ("mdy" if slashed["mdy"] and not slashed["dmy"] else "dmy") if seen_slashed else None
    return compact, order


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
