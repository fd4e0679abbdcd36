"""soundex2_many (a vocabulary's keys in a few passes over one text) gives soundex2's key of each value."""

from __future__ import annotations

import random

import numpy as np

from ivo_app.rules.matching.columns import soundex_number, soundex_numbers
from ivo_app.rules.matching.engine import name_prefix
from ivo_app.rules.matching.phonetic import soundex2, soundex2_many

# The letters soundex2's rewritings look at, plus what a normal form never holds (lower case, accents,
# hyphens, a newline: the separator of the joined text).
_LETTERS = "AEIOUYHCSGKQUNPFMTDRBLZ"


def _names(rnd: random.Random, count: int, alphabet: str) -> list[str]:
    return ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 9))) for _ in range(count)]


def test_the_keys_of_a_vocabulary_are_soundex2s() -> None:
    rnd = random.Random(7)
    names = _names(rnd, 20_000, _LETTERS + "  ")
    # The rewritings' edge cases: prefixes, a prefix once rewritten, one letter, mute ends and h.
    names += ["", "A", "T", "S", "H", "HA", "Y", "AY", "MACHIN", "SCHMIDT", "PHILIPPE", "KNUT", "PFAFF",
              "ASAR", "GUI", "GUEGUEN", "CK", "DE LA TOUR", " LE  GALL ", "AAAA", "TTTT", "SASSA"]  # fmt: skip
    assert soundex2_many(names) == [soundex2(v) for v in names]


def test_values_that_are_no_normal_form_are_normalised_first() -> None:
    rnd = random.Random(11)
    names = _names(rnd, 2_000, _LETTERS + " -'éèçœ\nab")
    assert any("\n" in v for v in names) and any(v != v.upper() for v in names)
    assert soundex2_many(names) == [soundex2(v) for v in names]
    assert soundex2_many([]) == []


def test_soundex_numbers_are_soundex_number_of_each_key() -> None:
    keys = ["", "A", "AB", "ABC", "ABCD", "ZZZZ", "B1", "K", "MRTN"]
    assert soundex_numbers(keys).tolist() == [soundex_number(k) for k in keys]
    assert soundex_numbers([]).dtype == np.int64


def test_name_prefixes_are_engine_name_prefix_of_each_name() -> None:
    names = ["", "A", "AB", "ABC", "DE LA", "É", "Z1"]
    assert soundex_numbers(names, 2).tolist() == [name_prefix(v) for v in names]
