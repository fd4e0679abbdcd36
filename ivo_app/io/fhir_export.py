"""Identities (with their findings) as a FHIR R4 Bundle of FR Core 2.x Patients, readable back by io/fhir.py.

What FR Core 2.x (hl7.fhir.fr.core, profiles fr-core-patient and fr-core-patient-ins) asks, slice by slice:
- identifier PI: use `usual`, type v2-0203#PI, system = the facility's assigning authority
  (`urn:oid:` + its OID, set in Paramètres; without one a stable `urn:ivo:ipp:` URI of the facility);
- the INS by its OID: …4.8 INS-NIR (use official), …4.9 INS-NIA (use temp), …4.10 INS-NIR-TEST and
  …4.11 INS-NIR-DEMO (use official), type fr-core-cs-v2-0203#<slice>; a matricule without OID is
  exported as INS-NIR;
- name official: family, given = the first first name only (1..1), the list of birth first names in
  the extension fr-core-patient-birth-list-given-name; name usual: used name and first name;
- extension patient-birthPlace: the INSEE code in fr-core-address-insee-code (TRE-R13-CommuneOM);
- extension fr-core-identity-reliability: identityStatus on fr-core-cs-identity-status (PROV,
  RECUP, VALI, QUAL), the RNIV attributes as `comment` on fr-core-cs-identity-status-comment (DOUT,
  FICT, HOMA), validationMode on fr-core-cs-mode-validation-identity;
- meta.profile fr-core-patient-ins when the INS profile's required elements are there (INS,
  birthplace, reliability, birth date, gender), else fr-core-patient; `fullUrl` urn:uuid and an `id`
  valid for any IPP ([A-Za-z0-9.-]{1,64}).
IVO's findings travel in one extension of IVO's own (`urn:ivo:anomalies`), which FR Core's open
slicing allows.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any

FR = "https://hl7.fr/ig/fhir/core"
PROFILE_PATIENT = f"{FR}/StructureDefinition/fr-core-patient"
PROFILE_INS = f"{FR}/StructureDefinition/fr-core-patient-ins"
GENDER = {"M": "male", "F": "female", "I": "unknown"}
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
FR_V2_0203 = f"{FR}/CodeSystem/fr-core-cs-v2-0203"
STATUS_SYSTEM = f"{FR}/CodeSystem/fr-core-cs-identity-status"
COMMENT_SYSTEM = f"{FR}/CodeSystem/fr-core-cs-identity-status-comment"
MODE_SYSTEM = f"{FR}/CodeSystem/fr-core-cs-mode-validation-identity"
RELIABILITY_URL = f"{FR}/StructureDefinition/fr-core-identity-reliability"
BIRTH_LIST_URL = f"{FR}/StructureDefinition/fr-core-patient-birth-list-given-name"
BIRTHPLACE_URL = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"
INSEE_URL = f"{FR}/StructureDefinition/fr-core-address-insee-code"
COMMUNE_SYSTEM = "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM"
STATUSES = ("PROV", "RECUP", "VALI", "QUAL")
ATTRIBUTE_CODES = {"DOUTEUSE": "DOUT", "FICTIVE": "FICT", "HOMONYME": "HOMA"}  # RNIV attributes
# OID of the INS → (FR Core slice = type code, use)
INS_SLICES = {
    "1.2.250.1.213.1.4.8": ("INS-NIR", "official"),
    "1.2.250.1.213.1.4.9": ("INS-NIA", "temp"),
    "1.2.250.1.213.1.4.10": ("INS-NIR-TEST", "official"),
    "1.2.250.1.213.1.4.11": ("INS-NIR-DEMO", "official"),
}
# fr-core-cs-mode-validation-identity (a required binding): another document code travels in IVO's own
# extension, so that nothing is dropped nor given a code FR Core does not have.
MODES = frozenset({"CN", "PA", "CS", "eCN", "IN", "AV", "LECV", "AN", "LEP", "CC", "ANCV"})
DOCUMENT_URL = "urn:ivo:justificatif"
FINDINGS_URL = "urn:ivo:anomalies"  # the rule IDs and severities IVO found (not a FR Core element)
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_NAMESPACE = uuid.UUID("6f1c7c52-3d0e-4b8e-9d3e-1a2b3c4d5e6f")  # IVO's, for stable urn:uuid


def ipp_system(authority: str | None, facility: str) -> str:
    """The system of the facility's IPPs: its OID as urn:oid, else a URI naming the facility."""
    if authority and re.fullmatch(r"[0-2](\.\d+)+", authority.removeprefix("urn:oid:")):
        return "urn:oid:" + authority.removeprefix("urn:oid:")
    name = authority or facility
    return "urn:ivo:ipp:" + re.sub(r"[^A-Za-z0-9._~-]+", "-", name).strip("-").lower()


def resource_id(ipp: str) -> str:
    """A FHIR id for any IPP: `ipp-<IPP>` when valid, else a stable UUID of the IPP."""
    candidate = f"ipp-{ipp}"
    return candidate if _FHIR_ID.match(candidate) else str(uuid.uuid5(_NAMESPACE, ipp))


def patient(
    identity: Any, findings: Iterable[tuple[str, str]] = (), system: str = "urn:ivo:ipp"
) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Patient", "id": resource_id(identity.ipp)}
    identifiers: list[dict[str, Any]] = [
        {
            "use": "usual",
            "type": {"coding": [{"system": V2_0203, "code": "PI", "display": "Patient internal identifier"}]},
            "system": system,
            "value": identity.ipp,
        }
    ]
    if identity.ins_matricule:
        oid = identity.ins_oid if identity.ins_oid in INS_SLICES else "1.2.250.1.213.1.4.8"
        code, use = INS_SLICES[oid]
        identifiers.append(
            {
                "use": use,
                "type": {"coding": [{"system": FR_V2_0203, "code": code}]},
                "system": f"urn:oid:{oid}",
                "value": identity.ins_matricule,
            }
        )
    resource["identifier"] = identifiers
    first = identity.first_first_name or (identity.first_names or "").split(" ")[0]
    official: dict[str, Any] = {"use": "official", "family": identity.birth_name or ""}
    if first:
        official["given"] = [first]
    if identity.first_names:
        official["extension"] = [{"url": BIRTH_LIST_URL, "valueString": identity.first_names}]
    names = [official]
    if identity.used_name or identity.used_first_name:
        usual: dict[str, Any] = {"use": "usual"}
        if identity.used_name:
            usual["family"] = identity.used_name
        if identity.used_first_name:
            usual["given"] = [identity.used_first_name]
        names.append(usual)
    resource["name"] = names
    if identity.sex in GENDER:
        resource["gender"] = GENDER[identity.sex]
    if identity.birth_date:
        resource["birthDate"] = identity.birth_date.isoformat()
    extensions: list[dict[str, Any]] = []
    if identity.birthplace:
        extensions.append({"url": BIRTHPLACE_URL, "valueAddress": {"extension": [
            {"url": INSEE_URL, "valueCoding": {"system": COMMUNE_SYSTEM, "code": identity.birthplace}}]}})  # fmt: skip
    parts: list[dict[str, Any]] = []
    if identity.status in STATUSES:
        parts.append(
            {"url": "identityStatus", "valueCoding": {"system": STATUS_SYSTEM, "code": identity.status}}
        )
    for attribute in (identity.attributes or "").split(","):
        if attribute in ATTRIBUTE_CODES:
            coding = {"system": COMMENT_SYSTEM, "code": ATTRIBUTE_CODES[attribute]}
            parts.append({"url": "comment", "valueCodeableConcept": {"coding": [coding]}})
    if identity.document_type in MODES:
        parts.append(
            {"url": "validationMode", "valueCoding": {"system": MODE_SYSTEM, "code": identity.document_type}}
        )
    if parts:
        extensions.append({"url": RELIABILITY_URL, "extension": parts})
    if identity.document_type and identity.document_type not in MODES:
        extensions.append({"url": DOCUMENT_URL, "valueString": identity.document_type})
    found = [f"{rule}:{severity}" for rule, severity in findings]
    if found:
        extensions.append(
            {"url": FINDINGS_URL, "extension": [{"url": "anomalie", "valueString": f} for f in found]}
        )
    if extensions:
        resource["extension"] = extensions
    ins_profile = bool(identity.ins_matricule and identity.birthplace and parts and identity.birth_date
                       and identity.sex in GENDER and first and identity.first_names)  # fmt: skip
    resource["meta"] = {"profile": [PROFILE_INS if ins_profile else PROFILE_PATIENT]}
    return resource


def bundle(patients: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"urn:uuid:{uuid.uuid5(_NAMESPACE, p['id'])}", "resource": p} for p in patients
        ],
    }
