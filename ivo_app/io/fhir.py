"""FHIR Patient resources (FR Core / Patient INS) → canonical identity records.

Accepts a Bundle (any type), a single Patient, NDJSON (one resource per line), or a folder of them.
- identifier: system `urn:oid:1.2.250.1.213.1.4.8/.9/.10/.11` = matricule INS (+ its OID); the IPP is the
  identifier typed PI (or, failing that, the first other identifier);
- name: use `official` = birth name (family) and birth first names (given, in order), `usual` = used name
  and used first name;
- birthDate, gender (male M, female F, other/unknown I);
- extension patient-birthPlace: the INSEE code in its fr-core-address-insee-code extension;
- extension fr-core-identity-reliability: identityStatus (VIDE/PROV/VALI/RECUP/QUAL, and the attribute
  codes DOUT/FICT/HOMD/HOMA), validationMode (the document code: CN, PA...).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ivo_app.errors import UnreadableFileError
from ivo_app.io.hl7v2 import ATTRIBUTE_CODES, INS_OIDS, STATUS_CODES
from ivo_app.io.mapping import ColumnMapping
from ivo_app.io.sources import FileFacts, RawRecord, SourceRejection, register_reader

BIRTHPLACE = "patient-birthPlace"
INSEE_CODE = "insee-code"
RELIABILITY = "fr-core-identity-reliability"
GENDERS = {"male": "M", "female": "F", "other": "I", "unknown": "I"}


def _looks_fhir(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    return text.startswith(b"{") and b'"resourceType"' in head[:4096]


def detect(path: Path, head: bytes) -> bool:
    if path.is_dir():
        return any(_looks_fhir(f.read_bytes()[:4096]) for f in _files(path)[:5])
    return (path.suffix.lower() in (".json", ".ndjson") and _looks_fhir(head)) or _looks_fhir(head)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in (".json", ".ndjson"))


def _resources(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(number, resource or None, error) for every resource of a file, Bundles unpacked."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableFileError(f"Fichier FHIR illisible : {path.name}.") from exc
    try:
        documents = [json.loads(text)]
    except json.JSONDecodeError:
        documents = []
        for n, line in enumerate(text.splitlines(), start=1):  # NDJSON
            if line.strip():
                try:
                    documents.append(json.loads(line))
                except json.JSONDecodeError:
                    yield n, None, f"{path.name}, ligne {n} : JSON invalide"
    number = 0
    for doc in documents:
        entries = (
            [e.get("resource") for e in doc.get("entry", [])]
            if doc.get("resourceType") == "Bundle"
            else [doc]
        )
        for resource in entries:
            number += 1
            yield number, resource if isinstance(resource, dict) else None, f"{path.name}, ressource {number}"


def _ext(node: dict[str, Any], suffix: str) -> list[dict[str, Any]]:
    return [e for e in node.get("extension", []) if str(e.get("url", "")).endswith(suffix)]


def _codes(node: dict[str, Any]) -> list[str]:
    """Every code found in a (nested) extension's value."""
    out = []
    for key in ("valueCoding", "valueCodeableConcept"):
        value = node.get(key)
        if isinstance(value, dict):
            codings = value.get("coding", [value])
            out += [str(c.get("code", "")) for c in codings if isinstance(c, dict)]
    for key in ("valueCode", "valueString"):
        if key in node:
            out.append(str(node[key]))
    for child in node.get("extension", []):
        out += _codes(child)
    return out


def patient_fields(resource: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    fields: dict[str, str] = {}
    for ident in resource.get("identifier", []):
        system, value = str(ident.get("system", "")), str(ident.get("value", ""))
        oid = system.removeprefix("urn:oid:")
        codes = [c.get("code") for c in ident.get("type", {}).get("coding", [])]
        if oid in INS_OIDS:
            fields["matricule_ins"], fields["oid_ins"] = value, oid
        elif "PI" in codes or "ipp" not in fields:
            fields["ipp"] = value
    for name in resource.get("name", []):
        given = [str(g) for g in name.get("given", [])]
        if name.get("use") == "official":
            fields["nom_naissance"] = str(name.get("family", ""))
            fields["prenoms_naissance"] = " ".join(given)
            fields["premier_prenom"] = given[0] if given else ""
        elif name.get("use") == "usual":
            fields["nom_utilise"] = str(name.get("family", ""))
            fields["prenom_utilise"] = given[0] if given else ""
    fields["date_naissance"] = str(resource.get("birthDate", ""))
    fields["sexe"] = GENDERS.get(str(resource.get("gender", "")), "")
    for place in _ext(resource, BIRTHPLACE):
        address = place.get("valueAddress", {})
        codes = [
            c for e in address.get("extension", []) if INSEE_CODE in str(e.get("url", "")) for c in _codes(e)
        ]
        if codes:
            fields["lieu_naissance"] = codes[0]
    statuses, attributes = [], set()
    for reliability in _ext(resource, RELIABILITY):
        for part in reliability.get("extension", []):
            url, codes = str(part.get("url", "")), _codes(part)
            if url.endswith("validationMode") and codes:
                fields["justificatif"] = codes[0]
            elif url.endswith("identityStatus"):
                statuses += [STATUS_CODES[c] for c in codes if c in STATUS_CODES]
                attributes |= {ATTRIBUTE_CODES[c] for c in codes if c in ATTRIBUTE_CODES}
    fields["statut"] = statuses[-1] if statuses else ""
    fields["attributs"] = " ".join(sorted(attributes))
    return fields, {}


class FhirSource:
    format = "fhir"
    encoding: str | None = "utf-8"
    mapping: ColumnMapping | None = None

    def __init__(self, path: Path, mapping: ColumnMapping | None, facts: FileFacts) -> None:
        self.files = _files(path) if path.is_dir() else [path]
        if not self.files:
            raise UnreadableFileError(f"Aucune ressource FHIR dans {path.name}.")
        self.mapping = mapping
        self._done = 0

    def position(self) -> tuple[int, int]:
        return (self._done, len(self.files))

    def __iter__(self) -> Iterator[RawRecord | SourceRejection]:
        for file in self.files:
            for number, resource, where in _resources(file):
                if resource is None:
                    yield SourceRejection(number, "ressource_invalide", where)
                    continue
                if resource.get("resourceType") != "Patient":
                    continue
                fields, extra = patient_fields(resource)
                if not fields.get("ipp"):
                    yield SourceRejection(number, "ressource_invalide", f"{where} : Patient sans identifiant")
                    continue
                yield RawRecord(number, fields, extra)
            self._done += 1


register_reader("fhir", detect, FhirSource, priority=11)
