"""Two French phonetic keys, computed on normalised names (see ivo_app.rules.normalize).

- `soundex2`: Frédéric Brouard's SOUNDEX2 (1999), the French adaptation of Soundex used by French
  identity servers: letter groups rewritten as pronounced in French, vowels folded, 4 characters.
- `soundex_fr`: Soundex with the French consonant classes (B P / C K Q / D T / L / M N / R / G J /
  S X Z / F V), first letter kept, 4 characters: coarser, catches what soundex2 separates.
Each key is computed once per distinct value (lru_cache); `soundex2_many` computes the keys of a whole
vocabulary at once, each rewriting applied to all its names joined in one text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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


# soundex2's rewritings on names joined by newlines, one line per name: '.' never crosses a line, and a
# letter's "not the first of its word" is "preceded by a letter of its line".
_S2_PREFIX_OF_LINE = re.compile("^(" + "|".join(a for a, _ in _S2_PREFIXES) + ")", re.MULTILINE)
_S2_PREFIX_TO = dict(_S2_PREFIXES)
_VOWELS_AFTER_FIRST = re.compile(r"(?<=.)[EIOU]")
_MUTE_END_OF_LINE = re.compile(r"(?<=.)[ATDS]$", re.MULTILINE)  # a one-letter name keeps its letter
_A_AFTER_FIRST = re.compile(r"(?<=.)A")
_NORMAL_TEXT = re.compile(r"[A-Z \n]*")


def soundex2_many(values: Sequence[str]) -> list[str]:
    """soundex2 of each value (its normal form's): a vocabulary of a million names costs a few passes of
    regular expressions over one text instead of a dozen Python calls per name."""
    text = "\n".join(values)
    if (
        not _NORMAL_TEXT.fullmatch(text) or text.count("\n") != len(values) - 1
    ):  # a value that is no normal form: normalised first, one by one
        text = "\n".join(map(normalize_name, values))
    # On a normal form, normalize_name is the identity: soundex2's word is the name without its spaces.
    text = text.replace(" ", "")
    for a, b in _S2_GROUPS:
        text = text.replace(a, b)
    text = _VOWELS_AFTER_FIRST.sub("A", text)
    text = _S2_PREFIX_OF_LINE.sub(lambda m: _S2_PREFIX_TO[m.group(1)], text)
    text = _MUTE_H.sub("", text)
    text = _MUTE_Y.sub("", text)
    text = _MUTE_END_OF_LINE.sub("", text)
    text = _A_AFTER_FIRST.sub("", text)
    text = _REPEATS.sub(r"\1", text)
    keys = [line[:4] for line in text.split("\n")]
    return keys if values else []


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
