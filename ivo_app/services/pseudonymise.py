"""Pseudonymised export for training: a real facility's anomalies and duplicates without its people.

IPP and matricule become keyed hashes (HMAC-SHA256 with a key the user keeps or a random one shown
once): the same input gives the same output, so duplicates and shared matricules stay duplicates and
shared. Names are replaced consistently (a name always becomes the same invented name, keeping its
defects: lowercase, digits, diacritics, doubled spaces are carried over), birth dates are generalised
to the 15th of their month, and the matricule keeps its structure (sex, year, month, place, valid key)
so the INS rules still fire where they fired.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Any

from ivo_app.demo.names import first_names, surnames
from ivo_app.io.mapping import CANONICAL_FIELDS
from ivo_app.io.writers import write_table
from ivo_app.rules import nir
from ivo_app.store import journal
from ivo_app.store.db import Database
from ivo_app.store.uow import UnitOfWork

_ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'-")


def new_key() -> str:
    return secrets.token_hex(32)


class Pseudonymiser:
    def __init__(self, key: str) -> None:
        self.key = key.encode()
        self.surnames = surnames(1961).names
        self.given = first_names("F", 1961).names + first_names("M", 1961).names

    def digest(self, value: str, purpose: str) -> int:
        return int.from_bytes(
            hmac.new(self.key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()[:8], "big"
        )

    def ipp(self, value: str) -> str:
        return f"P{self.digest(value, 'ipp') % 10**10:010d}"

    def name(self, value: str | None, pool: list[str], purpose: str) -> str | None:
        if not value:
            return value
        words = []
        for word in value.split(" "):
            if not word:
                words.append(word)  # keeps doubled spaces, a defect the rules must still see
                continue
            clean = "".join(c for c in word.upper() if c.isalpha())
            replacement = pool[self.digest(clean, purpose) % len(pool)] if clean else word
            if any(c.islower() for c in word):
                replacement = replacement.title()
            # Characters the rules reject (markup, digits, diacritics...) are carried over.
            words.append(replacement + "".join(c for c in word if c not in _ALLOWED))
        return " ".join(words)

    def matricule(self, value: str | None) -> str | None:
        if not value:
            return value
        parts = nir.parts(value)
        if parts is None or not nir.key_is_valid(value):
            return (
                value[:5]
                + f"{self.digest(value, 'nir') % 10 ** (len(value) - 5):0{len(value) - 5}d}"[: len(value) - 5]
            )
        order = f"{self.digest(value, 'ordre') % 999 + 1:03d}"
        body = value[:-5] + order
        return body + nir.compute_key(body)


def export_pseudonymised(
    db: Database, extraction_id: int | None, out: Path, key: str | None = None
) -> tuple[int, str]:
    """Write the extraction pseudonymised in the canonical format; returns (rows, key used)."""
    key = key or new_key()
    p = Pseudonymiser(key)

    def rows(uow: UnitOfWork, eid: int) -> Any:
        for batch in uow.identities.iter_batches(eid):
            for i in batch:
                born = i.birth_date.replace(day=15).isoformat() if i.birth_date else i.birth_date_raw
                first = p.name(i.first_first_name, p.given, "prenom")
                yield [p.ipp(i.ipp), p.name(i.birth_name, p.surnames, "nom"), p.name(i.first_names, p.given, "prenom"),
                       first, p.name(i.used_name, p.surnames, "nom"), p.name(i.used_first_name, p.given, "prenom"),
                       born, i.sex, i.birthplace, p.matricule(i.ins_matricule), i.ins_oid, i.status,
                       (i.attributes or "").replace(",", " "), i.document_type,
                       i.last_visit.isoformat() if i.last_visit else "", ""]  # fmt: skip

    with UnitOfWork(db) as uow:
        extraction = uow.extractions.resolve(extraction_id)
        count = write_table(out, list(CANONICAL_FIELDS), rows(uow, extraction.id))
        journal.record(uow.session, "export_pseudonymise", f"extraction:{extraction.id}", {"rows": count})
        uow.commit()
    return count, key
