"""Two French phonetic keys, computed on normalised names (see ivo_app.rules.normalize).

- `soundex2`: Frédéric Brouard's SOUNDEX2 (1999), the French adaptation of Soundex used by French
  identity servers: letter groups rewritten as pronounced in French, vowels folded, 4 characters.
- `soundex_fr`: Soundex with the French consonant classes (B P / C K Q / D T / L / M N / R / G J /
  S X Z / F V), first letter kept, 4 characters: coarser, catches what soundex2 separates.
Each key is computed once per distinct value (lru_cache).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ivo_app.rules.normalize import normalize_name

_S2_GROUPS = (("GUI", "KI"), ("GUE", "KE"), ("GA", "KA"), ("GO", "KO"), ("GU", "K"), ("CA", "KA"),
              ("CO", "KO"), ("CU", "KU"), ("Q", "K"), ("CC", "K"), ("CK", "K"))  # fmt: skip
_S2_PREFIXES = (("MAC", "MCC"), ("ASA", "AZA"), ("KN", "NN"), ("PF", "FF"), ("PH", "FF"), ("SCH", "SSS"))
# Compiled once: soundex2 runs on every distinct name of a million-identity extraction.
_VOWELS = re.compile(r"[EIOU]")
_MUTE_H = re.compile(r"(?<![CS])H")
_MUTE_Y = re.compile(r"(?<!A)Y")
_MUTE_END = re.compile(r"[ATDS]$")
_REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def soundex2(value: str) -> str:
    word = normalize_name(value).replace(" ", "")
    if not word:
        return ""
    for a, b in _S2_GROUPS:
        word = word.replace(a, b)
    word = word[0] + _VOWELS.sub("A", word[1:])
    for a, b in _S2_PREFIXES:
        if word.startswith(a):
            word = b + word[len(a) :]
            break
    word = _MUTE_H.sub("", word)
    word = _MUTE_Y.sub("", word)
    word = _MUTE_END.sub("", word) or word[:1]
    word = word[0] + word[1:].replace("A", "") if word else word
    word = _REPEATS.sub(r"\1", word)
    return word[:4]


_FR_CODES = {**dict.fromkeys("BP", "1"), **dict.fromkeys("CKQ", "2"), **dict.fromkeys("DT", "3"), "L": "4",
             **dict.fromkeys("MN", "5"), "R": "6", **dict.fromkeys("GJ", "7"), **dict.fromkeys("SXZ", "8"),
             **dict.fromkeys("FV", "9")}  # fmt: skip


@lru_cache(maxsize=200_000)
def soundex_fr(value: str) -> str:
    word = normalize_name(value).replace(" ", "")
    if not word:
        return ""
    code, last = word[0], _FR_CODES.get(word[0], "")
    for letter in word[1:]:
        digit = _FR_CODES.get(letter, "")
        if digit and digit != last:
            code += digit
        if letter not in "HW":
            last = digit
    return (code + "000")[:4]
