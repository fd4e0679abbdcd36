"""RawRecord (text from any source) → stored identity row, the one conversion every import uses."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from ivo_app.io.mapping import ColumnMapping
from ivo_app.io.sources import RawRecord
from ivo_app.io.values import (
    clean_text,
    compact_matricule,
    parse_attributes,
    parse_bool,
    parse_date,
    parse_sex,
    parse_status,
)
from ivo_app.rules.normalize import normalize_name

IDENTITY_COLUMNS: tuple[str, ...] = (
    "extraction_id",
    "line_no",
    "ipp",
    "birth_name",
    "first_names",
    "first_first_name",
    "birth_date",
    "birth_date_raw",
    "sex",
    "birthplace",
    "used_name",
    "used_first_name",
    "ins_matricule",
    "ins_oid",
    "status",
    "status_source",
    "attributes",
    "document_type",
    "last_visit",
    "birth_date_completed",
    "extra",
    "birth_name_norm",
    "first_first_name_norm",
    "first_names_norm",
    "used_name_norm",
)


def row_builder(
    extraction_id: int, mapping: ColumnMapping | None, dates_as_text: bool
) -> Callable[[RawRecord], tuple[Any, ...]]:
    """A function turning a RawRecord into a tuple in IDENTITY_COLUMNS order."""
    status_overrides = mapping.status if mapping else {}
    date_format = mapping.date_format if mapping else None

    def as_date(value: date | None) -> Any:
        if value is None:
            return None
        return value.isoformat() if dates_as_text else value

    def build(record: RawRecord) -> tuple[Any, ...]:
        f = record.fields
        birth_name = clean_text(f.get("nom_naissance"))
        first_names = clean_text(f.get("prenoms_naissance"))
        first_first = clean_text(f.get("premier_prenom"))
        if first_first is None and first_names:
            first_first = first_names.split()[0]  # derivable from the list (import format)
        used_name = clean_text(f.get("nom_utilise"))
        raw_birth = clean_text(f.get("date_naissance"), 40)
        birth = parse_date(raw_birth, date_format)
        raw_status = clean_text(f.get("statut"), 40)
        return (
            extraction_id,
            record.line_no,
            (f.get("ipp") or "").strip()[:64],
            birth_name,
            first_names,
            first_first,
            as_date(birth),
            raw_birth if birth is None else None,
            parse_sex(f.get("sexe")),
            clean_text(f.get("lieu_naissance"), 20),
            used_name,
            clean_text(f.get("prenom_utilise")),
            compact_matricule(f.get("matricule_ins")),
            clean_text(f.get("oid_ins"), 64),
            parse_status(raw_status, status_overrides),
            raw_status,
            parse_attributes(f.get("attributs")),
            clean_text(f.get("justificatif"), 20),
            as_date(parse_date(clean_text(f.get("date_derniere_venue"), 40), date_format)),
            parse_bool(f.get("date_completee")),
            json.dumps(record.extra, ensure_ascii=False) if record.extra else None,
            normalize_name(birth_name) or None,
            normalize_name(first_first) or None,
            normalize_name(first_names) or None,
            normalize_name(used_name) or None,
        )

    return build
