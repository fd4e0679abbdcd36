"""The identity record the rules and the duplicate engine work on (no ORM, no Qt)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

STATUSES = ("PROV", "RECUP", "VALI", "QUAL")
ATTRIBUTES = ("DOUTEUSE", "FICTIVE", "HOMONYME")

OID_INS_NIR = "1.2.250.1.213.1.4.8"
OID_INS_NIA = "1.2.250.1.213.1.4.9"
OID_INS_NIR_TEST = "1.2.250.1.213.1.4.10"
OID_INS_NIR_DEMO = "1.2.250.1.213.1.4.11"
OID_NSS_NIR = "1.2.250.1.213.1.4.13"
OID_NSS_NIA = "1.2.250.1.213.1.4.14"


@dataclass(slots=True)
class IdentityRecord:
    """One identity as stored (see ivo_app.store.models.core.Identity for the column meaning)."""

    id: int
    ipp: str
    birth_name: str | None = None
    first_names: str | None = None
    first_first_name: str | None = None
    birth_date: date | None = None
    birth_date_raw: str | None = None
    sex: str | None = None
    birthplace: str | None = None
    used_name: str | None = None
    used_first_name: str | None = None
    ins_matricule: str | None = None
    ins_oid: str | None = None
    status: str | None = None
    status_source: str | None = None
    attributes: str | None = None
    document_type: str | None = None
    last_visit: date | None = None
    birth_date_completed: bool | None = None
    line_no: int = 0
    extra: dict[str, Any] | None = field(default=None)

    @property
    def attribute_set(self) -> frozenset[str]:
        if not self.attributes:
            return frozenset()
        return frozenset(a for a in self.attributes.split(",") if a)


RECORD_FIELDS = tuple(IdentityRecord.__dataclass_fields__)
