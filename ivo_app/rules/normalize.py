"""Normalisation of names shared by the rules, the duplicate engine and the search.

The normal form is what identity servers compare: ASCII uppercase (unidecode), ligatures
expanded, hyphen and apostrophe read as spaces, anything else dropped, single spaces.
"""

from __future__ import annotations

import re
from functools import lru_cache

from unidecode import unidecode

_NON_LETTERS = re.compile(r"[^A-Z ]+")
_ALREADY_NORMAL = re.compile(r"[A-Z]+(?: [A-Z]+)*")  # most names in exports are already so
_SPACES = re.compile(r" {2,}")


@lru_cache(maxsize=200_000)
def normalize_name(value: str | None) -> str:
    """'  Le Gall-Dupont ' → 'LE GALL DUPONT'; 'Œuvray' → 'OEUVRAY'; None → ''."""
    if not value:
        return ""
    if _ALREADY_NORMAL.fullmatch(value):
        return value
    text = unidecode(value).upper().replace("-", " ").replace("'", " ")
    text = _NON_LETTERS.sub("", text)
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=50_000)
def fold_header(value: str) -> str:
    """Column header key: accents and case ignored, any run of non-alphanumerics as '_'."""
    text = unidecode(value.replace("°", " ")).lower().strip()  # "N° IPP", not "Ndeg IPP"
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")
