"""Column mapping from a source file's headers to the canonical identity fields.

The canonical format (docs: import format) is recognised without any step; other exports go
through header synonyms, and what cannot be guessed is given by a saved mapping file (JSON):

    {"columns": {"nom_naissance": "NOM JF", "ipp": "N° patient"},
     "status": {"VALI": "QUAL"}, "date_format": "%d/%m/%Y",
     "expected_authority": "1.2.250.1.999.1.1", "key_without_ipp": "ins"}

`date_format` fixes the birth date format; without it the format is decided per column from the
values of the column (see `values.column_date_order`), never value by value. The two message
settings: `expected_authority` is the facility's assigning authority of its IPPs (HL7 PID-3 CX-4
namespace or OID, FHIR identifier system); `key_without_ipp` says how a patient with no IPP is keyed:
"ins" (its INS), "id" (FHIR Patient.id, the FHIR default), "refuse" (the HL7 default).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ivo_app.errors import MappingError
from ivo_app.identity import FILE_FIELDS
from ivo_app.io.values import fold_status
from ivo_app.rules.normalize import fold_header
from ivo_app.rules.record import STATUSES

# Derived from the one table of fields (ivo_app.identity): canonical header → attribute of
# IdentityRecord / Identity, → French label, the required headers and the synonyms (folded, see
# fold_header; the canonical header first).
CANONICAL_FIELDS: dict[str, str] = {f.header: f.name for f in FILE_FIELDS if f.header}
FIELD_LABELS: dict[str, str] = {f.header: f.label for f in FILE_FIELDS if f.header}
REQUIRED = tuple(f.header for f in FILE_FIELDS if f.header and f.required)
SYNONYMS: dict[str, tuple[str, ...]] = {f.header: f.headers for f in FILE_FIELDS if f.header}

KEYS_WITHOUT_IPP = ("ins", "id", "refuse")

_SYNONYM_INDEX: dict[str, str] = {syn: canonical for canonical, syns in SYNONYMS.items() for syn in syns}


@dataclass
class ColumnMapping:
    """Canonical field → source header, plus the status mapping and an optional date format."""

    columns: dict[str, str] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    expected_authority: str | None = None
    key_without_ipp: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"columns": self.columns, "status": self.status}
        if self.date_format:
            data["date_format"] = self.date_format
        if self.expected_authority:
            data["expected_authority"] = self.expected_authority
        if self.key_without_ipp:
            data["key_without_ipp"] = self.key_without_ipp
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ColumnMapping:
        if not isinstance(data, dict):
            raise MappingError("Fichier de correspondance invalide : un objet JSON est attendu.")
        columns = _text_object(data, "columns")
        unknown = sorted(set(columns) - set(CANONICAL_FIELDS))
        if unknown:
            raise MappingError("Fichier de correspondance invalide : champs inconnus " + ", ".join(unknown))
        key = data.get("key_without_ipp")
        if key is not None and key not in KEYS_WITHOUT_IPP:
            raise MappingError(
                "Fichier de correspondance invalide : key_without_ipp doit valoir "
                + ", ".join(KEYS_WITHOUT_IPP)
                + "."
            )
        authority = data.get("expected_authority")
        if authority is not None and not isinstance(authority, str):
            raise MappingError("Fichier de correspondance invalide : expected_authority doit être un texte.")
        # Keys folded as the import folds the values it reads (« Validée » is VALIDEE), or they never match.
        status = {fold_status(k): fold_status(v) for k, v in _text_object(data, "status").items()}
        wrong = sorted({v for v in status.values() if v not in STATUSES})
        if wrong:
            raise MappingError(
                "Fichier de correspondance invalide : statut(s) cible(s) inconnu(s) "
                + ", ".join(f"« {v} »" for v in wrong)
                + f" (attendu : {', '.join(STATUSES)})."
            )
        date_format = data.get("date_format")
        if date_format is not None:
            check_date_format(date_format)
        return cls(
            columns=columns,
            status=status,
            date_format=date_format or None,
            expected_authority=authority or None,
            key_without_ipp=key,
        )

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> ColumnMapping:
        try:
            return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8-sig")))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise MappingError(f"Fichier de correspondance illisible : {path}") from exc


def _text_object(data: dict[str, Any], key: str) -> dict[str, str]:
    value = data.get(key, {})
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise MappingError(
            f"Fichier de correspondance invalide : « {key} » doit associer des textes à des textes."
        )
    return value


_DATE_DIRECTIVES = re.compile(r"%(.)")


def check_date_format(date_format: object) -> None:
    """A date format reads day, month and year back: `%Q%Q` or `%d` alone would empty or
    corrupt every birth date of the file."""
    reason = None
    if not isinstance(date_format, str) or not date_format.strip():
        reason = "un texte est attendu"
    else:
        used = set(_DATE_DIRECTIVES.findall(date_format))
        unknown = used - set("dmyYbBHMS%")
        if unknown:
            reason = "directive(s) " + ", ".join(f"%{d}" for d in sorted(unknown)) + " inconnue(s)"
        elif not ({"d"} <= used and used & {"m", "b", "B"} and used & {"y", "Y"}):
            reason = "le jour (%d), le mois (%m) et l'année (%Y) sont nécessaires"
        else:
            sample = date(1987, 11, 23)
            try:
                ok = datetime.strptime(sample.strftime(date_format), date_format).date() == sample
            except ValueError:
                ok = False
            if not ok:
                reason = "une date écrite dans ce format ne se relit pas"
    if reason:
        raise MappingError(f"Fichier de correspondance invalide : date_format « {date_format} » ({reason}).")


def guess_mapping(headers: list[str]) -> ColumnMapping:
    """Map headers to canonical fields by synonym; the first header wins for a field."""
    columns: dict[str, str] = {}
    for header in headers:
        canonical = _SYNONYM_INDEX.get(fold_header(header))
        if canonical and canonical not in columns:
            columns[canonical] = header
    return ColumnMapping(columns=columns)


def resolve_mapping(headers: list[str], given: ColumnMapping | None) -> ColumnMapping:
    """Complete a user mapping with guesses and check the required fields are there."""
    guessed = guess_mapping(headers)
    chosen = set(given.columns.values()) if given else set()
    # A column the user assigned to one field is not also guessed for another ("PRÉNOM" chosen as
    # the first-name list is no longer read as the first first name as well).
    kept = {field: header for field, header in guessed.columns.items() if header not in chosen}
    mapping = ColumnMapping(
        columns={**kept, **(given.columns if given else {})},
        status=dict(given.status) if given else {},
        date_format=given.date_format if given else None,
        expected_authority=given.expected_authority if given else None,
        key_without_ipp=given.key_without_ipp if given else None,
    )
    folded = {fold_header(h): h for h in headers}
    for canonical, header in list(mapping.columns.items()):
        if header not in headers:  # tolerate case/accent differences in a saved mapping
            actual = folded.get(fold_header(header))
            if actual is None:
                raise MappingError(
                    f"Colonne « {header} » (pour {FIELD_LABELS[canonical]}) absente du fichier."
                )
            mapping.columns[canonical] = actual
    missing = [f for f in REQUIRED if f not in mapping.columns]
    if "premier_prenom" not in mapping.columns and "prenoms_naissance" not in mapping.columns:
        missing.append("premier_prenom")
    if missing:
        labels = ", ".join(FIELD_LABELS[f] for f in missing)
        raise MappingError(
            f"Colonnes obligatoires introuvables : {labels}. "
            "Indiquez-les dans un fichier de correspondance (--mapping)."
        )
    return mapping
