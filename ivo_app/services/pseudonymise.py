"""Pseudonymised export for training: a real facility's anomalies and duplicates without its people.

What it protects against (see the README): reading a person's identity in the file, and linking a
row back to a person through the traits an attacker may know (sex, date of birth, birthplace,
dates of visits, name frequencies, the NIR's digits).

- Every value is derived with HMAC-SHA256 under a secret key kept in a key file (required, created
  0600, never printed): the same key gives the same file, another key an unrelated one.
- A *person key* groups the rows of one person: the NIR when it is well formed (so rows sharing a
  matricule stay sharing one), otherwise birth name, first name and date of birth as typed.
- Names are drawn per person from the national name distributions (first names by sex and birth
  decade), not mapped value to value: a frequent real name does not become a frequent pseudonym,
  and two different MARTIN become two different names. Compound first names stay compound; case,
  doubled spaces, digits and diacritics survive as defects (a digit becomes 0, an accented letter É)
  but never as the original characters.
- Dates are shifted per person by a whole number of months (1 to 24, either way, never 0) with
  the day of month drawn again; the last visit gets a shift of its own (else the age at the visit
  would link the row) and is kept to its month. Unparsed dates keep their shape, digits drawn again.
- The birthplace is kept to its department (the department's most populous commune stands for all
  of them); foreign countries are kept.
- The NIR is rebuilt from those pseudonymised traits: its sex digit, its year and month moved by the
  person's shift, its place generalised like the birthplace, a drawn order number, and a key that
  is valid exactly when the original key was. The INS rules fire where they fired.

Duplicates whose strict traits are identical stay duplicates; near duplicates (a typo in a name or
a date) become two unrelated rows, as a typo's pseudonym cannot resemble the pseudonym of the name.
`export_pseudonymised` measures k-anonymity on (sex, birth year, department) of the written file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import random
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from ivo_app import paths
from ivo_app.demo.names import WeightedNames, decade_of, first_names, surnames
from ivo_app.errors import IvoError
from ivo_app.io.cog import read_embedded
from ivo_app.io.mapping import CANONICAL_FIELDS
from ivo_app.io.writers import write_table
from ivo_app.rules import nir
from ivo_app.rules.normalize import normalize_name
from ivo_app.store import journal
from ivo_app.store.db import Database
from ivo_app.store.uow import UnitOfWork

_ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'-")
KEY_BYTES = 32
MIN_KEY_CHARS = 32
MAX_SHIFT_MONTHS = 24
K_TARGET = 5  # the group size below which a row counts as easy to single out


def new_key() -> str:
    return secrets.token_hex(KEY_BYTES)


def read_or_create_key(path: Path) -> tuple[str, bool]:
    """The key in `path`, or a new one written there 0600 from the start (O_EXCL: never over an
    existing file, never readable by others even for an instant). Returns (key, created)."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path), False
    except OSError as exc:
        raise IvoError(f"Fichier de clé impossible à créer : {path} ({exc.strerror}).") from exc
    key = new_key()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key + "\n")
    return key, True


def _read_key(path: Path) -> str:
    try:
        key = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise IvoError(f"Fichier de clé illisible : {path}.") from exc
    if len(key) < MIN_KEY_CHARS:
        raise IvoError(
            f"Fichier de clé invalide : {path} contient {len(key)} caractère(s), il en faut au moins "
            f"{MIN_KEY_CHARS} (supprimez-le pour qu'IVO en crée un)."
        )
    return key


@dataclass
class Anonymity:
    """k-anonymity of the written rows on (sex, birth year, department)."""

    k: int  # the smallest group
    rows: int
    groups: int
    below_target: int  # rows in a group smaller than K_TARGET

    def describe(self) -> str:
        share = 100 * self.below_target / self.rows if self.rows else 0.0
        return (
            f"k-anonymat sur (sexe, année de naissance, département) : k = {self.k} ; "
            f"{_fr(self.groups)} groupes ; {_fr(self.below_target)} lignes ({share:.1f} %".replace(".", ",")
            + f") dans un groupe de moins de {K_TARGET}."
        )


def _fr(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


class PseudonymisedExport(NamedTuple):
    rows: int
    anonymity: Anonymity


def default_key_file() -> Path:
    """The window's key file when the user names none: in the private data folder."""
    return paths.data_dir() / "cle-pseudonymisation.txt"


@cache
def _department_communes() -> dict[str, str]:
    """Department → its most populous current commune (what every commune of it becomes)."""
    best: dict[str, tuple[int, str]] = {}
    for commune in read_embedded().communes():
        if commune.kind != "current":
            continue
        dep = department_of(commune.code)
        if dep and (dep not in best or commune.population > best[dep][0]):
            best[dep] = (commune.population, commune.code)
    return {dep: code for dep, (_, code) in best.items()}


def department_of(code: str | None) -> str | None:
    if not code or len(code) != 5:
        return None
    return code[:3] if code[:2] in ("97", "98") else code[:2]


def _add_months(day: date, months: int, new_day: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    year = min(max(year, 1), 9999)
    return date(year, month + 1, min(new_day, 28))


class Pseudonymiser:
    def __init__(self, key: str) -> None:
        if len(key) < MIN_KEY_CHARS:
            raise IvoError(f"Clé de pseudonymisation trop courte : au moins {MIN_KEY_CHARS} caractères.")
        self.key = key.encode()
        self.surnames = surnames(1961)

    def digest(self, value: str, purpose: str) -> int:
        return int.from_bytes(
            hmac.new(self.key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()[:8], "big"
        )

    def rng(self, value: str, purpose: str) -> random.Random:
        return random.Random(self.digest(value, purpose))

    def ipp(self, value: str) -> str:
        return f"P{self.digest(value, 'ipp') % 10**10:010d}"

    # --- the person ----------------------------------------------------------------------------

    @staticmethod
    def person_key(identity: Any) -> str:
        matricule = (identity.ins_matricule or "").strip().upper()
        if nir.parts(matricule) is not None:
            return "nir:" + matricule
        born = identity.birth_date.isoformat() if identity.birth_date else (identity.birth_date_raw or "")
        return "|".join(
            (
                "id",
                normalize_name(identity.birth_name or ""),
                normalize_name(identity.first_first_name or ""),
                born,
            )
        )

    def shift(self, person: str) -> tuple[int, int]:
        """(months, day of month) for this person's dates: never zero months."""
        rnd = self.rng(person, "decalage")
        months = rnd.randint(1, MAX_SHIFT_MONTHS) * rnd.choice((-1, 1))
        return months, rnd.randint(1, 28)

    # --- names ---------------------------------------------------------------------------------

    def name(self, value: str | None, pool: WeightedNames, person: str, purpose: str) -> str | None:
        """Each word (and each part of a compound) drawn for this person from `pool`."""
        if not value:
            return value
        words: list[str] = []
        for word in value.split(" "):
            if not word:
                words.append(word)  # keeps doubled spaces, a defect the rules must still see
                continue
            words.append("-".join(self._word(part, pool, person, purpose) for part in word.split("-")))
        return " ".join(words)

    def _word(self, part: str, pool: WeightedNames, person: str, purpose: str) -> str:
        clean = normalize_name(part)
        if not clean:
            return part
        replacement = pool.draw(self.rng(f"{person}|{clean}", purpose))
        if "-" in replacement:  # a compound drawn for a simple part: its first element
            replacement = replacement.split("-")[0]
        if any(c.islower() for c in part):
            replacement = replacement.title()
        # The defects the rules look for survive, never the original characters.
        defects = "".join(_defect(c) for c in part if c not in _ALLOWED)
        return replacement + defects

    def given_pool(self, identity: Any, born: date | None) -> WeightedNames:
        decade = decade_of(born.year) if born else 1961
        sex = (identity.sex or "").upper()
        return first_names(
            sex if sex in ("M", "F") else ("F" if self.digest(str(identity.id), "sexe") % 2 else "M"), decade
        )

    # --- dates and places ----------------------------------------------------------------------

    def birth_date(self, identity: Any, person: str) -> tuple[date | None, str | None]:
        months, day = self.shift(person)
        if identity.birth_date:
            return _add_months(identity.birth_date, months, day), None
        return None, self.shape(identity.birth_date_raw, person, "date")

    def last_visit(self, visit: date | None, person: str) -> date | None:
        """Its own shift, not the birth date's: the age at the last visit would link the row."""
        if visit is None:
            return None
        rnd = self.rng(person, "decalage-venue")
        return _add_months(visit, rnd.randint(1, MAX_SHIFT_MONTHS) * rnd.choice((-1, 1)), 1)

    def shape(self, value: str | None, person: str, purpose: str) -> str | None:
        """Digits drawn again, everything else kept: the same defect, another value."""
        if not value:
            return value
        rnd = self.rng(f"{person}|{value}", purpose)
        return "".join(str(rnd.randint(0, 9)) if c.isdigit() else ("X" if c.isalpha() else c) for c in value)

    @staticmethod
    def place(code: str | None) -> str | None:
        if not code:
            return code
        code = code.strip()
        if code.startswith("99") or code == "99999":
            return code  # a country (or "unknown"): already coarse
        dep = department_of(code)
        if dep is None:
            return "".join("0" if c.isdigit() else c for c in code)  # malformed stays malformed
        known = _department_communes().get(dep)
        if known is None or code not in _known_codes():
            return dep + "9" * (5 - len(dep))  # an unknown code stays unknown, in its department
        return known

    def matricule(self, value: str | None, person: str) -> str | None:
        if not value:
            return value
        parts = nir.parts(value.strip().upper())
        if parts is None:
            return self.shape(value, person, "nir")
        months, _ = self.shift(person)
        year = parts.year
        month = parts.month
        if 1 <= month <= 12:
            moved = _add_months(date(2000 + year if year < 50 else 1900 + year, month, 1), months, 1)
            year, month = moved.year % 100, moved.month
        else:  # a month the NIR does not know (20-42, 99: unknown): the year moves alone, never by 0
            year = (year + (int(months / 12) or (1 if months > 0 else -1))) % 100
        place = parts.place
        if parts.department != "99":
            new_place = self.place(place) or place
            place = new_place if len(new_place) == 5 else place
        order = f"{self.digest(value, 'ordre') % 999 + 1:03d}"
        body = f"{parts.sex}{year:02d}{month:02d}{place}{order}"
        key = nir.compute_key(body)
        if not nir.key_is_valid(value.strip().upper()):
            key = f"{int(key) % 97 + 1:02d}"  # wrong before, wrong after
        return body + key


@cache
def _known_codes() -> frozenset[str]:
    return frozenset(c.code for c in read_embedded().communes())


def _defect(char: str) -> str:
    if char.isdigit():
        return "0"
    if char.isalpha():
        return "É"
    return char  # punctuation and markup say nothing of the person


def k_anonymity(rows: list[tuple[str, str, str]]) -> Anonymity:
    groups = Counter(rows)
    k = min(groups.values()) if groups else 0
    below = sum(n for n in groups.values() if n < K_TARGET)
    return Anonymity(k=k, rows=len(rows), groups=len(groups), below_target=below)


def export_pseudonymised(
    db: Database, extraction_id: int | None, out: Path, key: str | None = None
) -> PseudonymisedExport:
    """Write the extraction pseudonymised in the canonical format; returns its row count and its
    k-anonymity. `key` comes from the user's key file (`read_or_create_key`); without one, the key
    file of the data folder is used (created there 0600 the first time)."""
    if key is None:
        key, _ = read_or_create_key(default_key_file())
    p = Pseudonymiser(key)
    quasi: list[tuple[str, str, str]] = []

    def rows(uow: UnitOfWork, eid: int) -> Any:
        for batch in uow.identities.iter_batches(eid):
            for i in batch:
                person = p.person_key(i)
                born, raw = p.birth_date(i, person)
                given = p.given_pool(i, born)
                place = p.place(i.birthplace)
                visit = p.last_visit(i.last_visit, person)
                quasi.append((i.sex or "", str(born.year) if born else "", department_of(place) or ""))
                # by field name, in the canonical file's order: a field added to the table and not
                # decided here fails (KeyError) rather than leave the file unpseudonymised
                values = {
                    "ipp": p.ipp(i.ipp), "birth_name": p.name(i.birth_name, p.surnames, person, "nom"),
                    "first_names": p.name(i.first_names, given, person, "prenom"),
                    "first_first_name": p.name(i.first_first_name, given, person, "prenom"),
                    "used_name": p.name(i.used_name, p.surnames, person, "nom"),
                    "used_first_name": p.name(i.used_first_name, given, person, "prenom"),
                    "birth_date": born.isoformat() if born else raw, "sex": i.sex, "birthplace": place,
                    "ins_matricule": p.matricule(i.ins_matricule, person), "ins_oid": i.ins_oid,
                    "status": i.status, "attributes": (i.attributes or "").replace(",", " "),
                    "document_type": i.document_type, "last_visit": visit.isoformat() if visit else "",
                    "birth_date_completed": "",
                }  # fmt: skip
                yield [values[name] for name in CANONICAL_FIELDS.values()]

    with UnitOfWork(db) as uow:
        extraction = uow.extractions.resolve(extraction_id)
        count = write_table(out, list(CANONICAL_FIELDS), rows(uow, extraction.id))
        anonymity = k_anonymity(quasi)
        journal.record(
            uow.session,
            "export_pseudonymise",
            f"extraction:{extraction.id}",
            {"rows": count, "k": anonymity.k, "sous_k5": anonymity.below_target},
        )
        uow.commit()
    return PseudonymisedExport(count, anonymity)
