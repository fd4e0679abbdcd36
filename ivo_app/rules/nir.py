"""The NIR (matricule INS): python-stdnum style `compact / validate / is_valid / format`, plus the
structure checks stdnum lacks (sex digit, month values, department/commune ranges).

Positions (1-based): 1 sex, 2-3 year, 4-5 month, 6-7 department (2A/2B; 97/98 take 3 characters),
8-10 commune (or country when the department is 99), 11-13 order number, 14-15 key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from stdnum.exceptions import InvalidFormat, InvalidLength, ValidationError
from stdnum.fr import nir as stdnum_nir

_FORMAT = re.compile(r"^[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{8}$")
# Month values (positions 4-5). INSEE (RNIPP) and service-public.fr: 01-12 the month of birth;
# 20 to 42 (20-30 "mois inconnu" for an incomplete civil record, 31-42 = month + 30 for some
# registrations) and 50 to 99 (pseudo-months of registrations on an incomplete document) are
# legitimate special values. No source gives any use to 00, 13-19 or 43-49.
SPECIAL_MONTHS = frozenset({*range(20, 43), *range(50, 100)})
IMPOSSIBLE_MONTHS = frozenset({0, *range(13, 20), *range(43, 50)})
MONTH_PLUS_30 = range(31, 43)  # compared with the birth month as month + 30


def nir_month_of_birth(month: int) -> int | None:
    """The birth month a NIR month designates (None for a special value without a month)."""
    if 1 <= month <= 12:
        return month
    if month in MONTH_PLUS_30:
        return month - 30
    return None


def compact(number: str) -> str:
    return re.sub(r"[\s.\-]", "", number).upper()


def validate(number: str) -> str:
    """Return the compact NIR or raise a stdnum ValidationError (length, format, key)."""
    number = compact(number)
    if len(number) != 15:
        raise InvalidLength()
    if not _FORMAT.match(number):
        raise InvalidFormat()
    return str(stdnum_nir.validate(number))  # the key: 97 - (N mod 97), 2A → 19, 2B → 18


def is_valid(number: str) -> bool:
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: str, separator: str = " ") -> str:
    number = compact(number)
    parts = (number[0], number[1:3], number[3:5], number[5:7], number[7:10], number[10:13], number[13:])
    return separator.join(parts)


def has_valid_format(number: str) -> bool:
    return len(number) == 15 and bool(_FORMAT.match(number))


def key_is_valid(number: str) -> bool:
    """The key check of a well-formed NIR, on the hot path of `ivo check`: the same formula as
    stdnum's (tests compare them), without its input cleaning, which costs more than the check."""
    return compute_key(number[:13]) == number[13:]


@dataclass(frozen=True, slots=True)
class NirParts:
    sex: str
    year: int
    month: int
    department: str  # 2 characters, or 3 for 97x/98x
    commune: str  # 3 characters (2 for overseas); the country code when department is 99
    order: str

    @property
    def place(self) -> str:
        """The 5-character INSEE code the NIR designates (commune, or 99 + country)."""
        return self.department + self.commune


@lru_cache(maxsize=8)  # the rules and the cross-record keys split the same matricule in a row
def parts(number: str) -> NirParts | None:
    """Split a well-formed NIR; None when the format is wrong."""
    if not has_valid_format(number):
        return None
    dep = number[5:7]
    if dep in ("97", "98"):
        dep, commune = number[5:8], number[8:10]
    else:
        commune = number[7:10]
    return NirParts(
        sex=number[0],
        year=int(number[1:3]),
        month=int(number[3:5]),
        department=dep,
        commune=commune,
        order=number[10:13],
    )


def compute_key(first13: str) -> str:
    """The 2-digit key of 13 characters (used by the demo generator and tests)."""
    value = int(first13.replace("2A", "19").replace("2B", "18"))
    return f"{97 - value % 97:02d}"
