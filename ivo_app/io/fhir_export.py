"""Identities (with their findings) as a FHIR Bundle of FR Core Patients, readable back by io/fhir.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FR = "https://hl7.fr/ig/fhir/core"
GENDER = {"M": "male", "F": "female", "I": "unknown"}
STATUS_SYSTEM = f"{FR}/CodeSystem/fr-core-cs-v2-0445"
MODE_SYSTEM = f"{FR}/CodeSystem/fr-core-cs-mode-validation-identity"
ATTRIBUTE_CODES = {"DOUTEUSE": "DOUT", "FICTIVE": "FICT", "HOMONYME": "HOMD"}
FINDINGS_URL = "urn:ivo:anomalies"  # the rule IDs and severities IVO found (not a FR Core element)


def patient(identity: Any, findings: Iterable[tuple[str, str]] = ()) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Patient", "id": f"ipp-{identity.ipp}"}
    identifiers: list[dict[str, Any]] = [{"type": {"coding": [{"code": "PI"}]}, "value": identity.ipp}]
    if identity.ins_matricule:
        identifiers.append({"system": f"urn:oid:{identity.ins_oid or ''}", "value": identity.ins_matricule})
    resource["identifier"] = identifiers
    names = [{"use": "official", "family": identity.birth_name or "",
              "given": (identity.first_names or identity.first_first_name or "").split()}]  # fmt: skip
    if identity.used_name or identity.used_first_name:
        names.append({"use": "usual", "family": identity.used_name or "",
                      "given": [identity.used_first_name] if identity.used_first_name else []})  # fmt: skip
    resource["name"] = names
    if identity.sex in GENDER:
        resource["gender"] = GENDER[identity.sex]
    if identity.birth_date:
        resource["birthDate"] = identity.birth_date.isoformat()
    extensions: list[dict[str, Any]] = []
    if identity.birthplace:
        extensions.append({"url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace", "valueAddress": {
            "extension": [{"url": f"{FR}/StructureDefinition/fr-core-address-insee-code",
                           "valueCoding": {"code": identity.birthplace}}]}})  # fmt: skip
    codes = [identity.status] if identity.status else []
    codes += [ATTRIBUTE_CODES[a] for a in (identity.attributes or "").split(",") if a in ATTRIBUTE_CODES]
    parts = [{"url": "identityStatus", "valueCoding": {"system": STATUS_SYSTEM, "code": c}} for c in codes]
    if identity.document_type:
        parts.append(
            {"url": "validationMode", "valueCoding": {"system": MODE_SYSTEM, "code": identity.document_type}}
        )
    if parts:
        extensions.append(
            {"url": f"{FR}/StructureDefinition/fr-core-identity-reliability", "extension": parts}
        )
    found = [f"{rule}:{severity}" for rule, severity in findings]
    if found:
        extensions.append(
            {"url": FINDINGS_URL, "extension": [{"url": "anomalie", "valueString": f} for f in found]}
        )
    if extensions:
        resource["extension"] = extensions
    return resource


def bundle(patients: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": p} for p in patients]}
