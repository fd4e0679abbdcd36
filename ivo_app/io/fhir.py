"""FHIR Patient resources (FR Core 1.x and 2.x, Patient INS) → canonical identity records.

Accepts a Bundle (any type), a single Patient, NDJSON (one resource per line), or a folder of them.
- identifier, by slice (type and system, as FR Core slices them):
  the INS: system `urn:oid:1.2.250.1.213.1.4.8/.9/.10/.11` or type INS-NIR/INS-NIA/INS-NIR-TEST/
  INS-NIR-DEMO, never the NSS (type NH: the insured person's number, maybe a parent's, on the same
  OID), never the INS-C (…4.2), and an INS of `use = old` (deactivated) never wins: it is kept as an
  extra; the IPP: type PI not `old` (of the expected system when one is set), else an untyped
  identifier that is none of the above; without an IPP, `Patient.id` is the key (`key_without_ipp`:
  "id" by default, "ins", or "refuse"), and the report says how many;
- name: `official` (else `maiden`) = birth name, given[0] the first first name, the list of birth
  first names from the extension fr-core-patient-birth-list-given-name (FR Core 2.x), else the
  given names in order (1.x); `usual` = used name and used first name;
- birthDate; gender (male M, female F, other/unknown I);
- birthplace: extension patient-birthPlace, the INSEE code in its fr-core-address-insee-code
  extension (2.x) or in `address.district` (1.x examples);
- identity reliability, 2.x `fr-core-identity-reliability` and 1.x `fr-core-ident-reliability`:
  status from identityStatus / identityReliability, RNIV attributes (DOUT, FICT, HOMA) from the
  `comment` sub-extensions (or the 1.x status codes), the document from validationMode. Other
  comment codes (HOMD "homonyme détecté", VIDE, IDVER, DOUB...) are kept as extras, never attributes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ivo_app.errors import UnreadableFileError
from ivo_app.io.hl7v2 import ATTRIBUTE_CODES, INS_C_OID, INS_OIDS, INS_TYPES, STATUS_CODES
from ivo_app.io.mapping import ColumnMapping
from ivo_app.io.report import ReadReport, main_domain, matches_authority, qualified_ipp
from ivo_app.io.sources import FileFacts, RawRecord, SourceRejection, register_reader

BIRTHPLACE = ("patient-birthPlace", "patient-birth-place")
INSEE_CODE = "insee-code"
RELIABILITY = ("fr-core-identity-reliability", "fr-core-ident-reliability", "identityreliability")
BIRTH_LIST = "birth-list-given-name"
GENDERS = {"male": "M", "female": "F", "other": "I", "unknown": "I"}
COG_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
ID_DOMAIN = "Patient.id"


def _looks_fhir(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    return text.startswith(b"{") and b'"resourceType"' in head[:4096]


def detect(path: Path, head: bytes) -> bool:
    if path.is_dir():
        return any(_looks_fhir(f.read_bytes()[:4096]) for f in _files(path)[:5])
    return _looks_fhir(head)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in (".json", ".ndjson"))


def _resources(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(number, resource or None, where) for every resource of a file, Bundles unpacked."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableFileError(f"Fichier FHIR illisible : {path.name} (UTF-8 attendu).") from exc
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
        if not isinstance(doc, dict):
            number += 1
            yield number, None, f"{path.name}, ressource {number} : objet JSON attendu"
            continue
        entries = (
            [e.get("resource") for e in doc.get("entry", []) if isinstance(e, dict)]
            if doc.get("resourceType") == "Bundle"
            else [doc]
        )
        for resource in entries:
            number += 1
            yield number, resource if isinstance(resource, dict) else None, f"{path.name}, ressource {number}"


def _ext(node: dict[str, Any], suffixes: tuple[str, ...] | str) -> list[dict[str, Any]]:
    ends = (suffixes,) if isinstance(suffixes, str) else suffixes
    return [
        e
        for e in node.get("extension", [])
        if isinstance(e, dict) and str(e.get("url", "")).lower().endswith(tuple(s.lower() for s in ends))
    ]


def _codes(node: dict[str, Any]) -> list[str]:
    """The codes of an extension's own value (Coding, CodeableConcept, code or string)."""
    out = []
    for key in ("valueCoding", "valueCodeableConcept"):
        value = node.get(key)
        if isinstance(value, dict):
            codings = value.get("coding", [value])
            out += [str(c.get("code", "")) for c in codings if isinstance(c, dict) and c.get("code")]
    for key in ("valueCode", "valueString"):
        if key in node:
            out.append(str(node[key]))
    return out


def _type_codes(ident: dict[str, Any]) -> list[str]:
    kind = ident.get("type")
    if not isinstance(kind, dict):
        return []
    return [str(c.get("code", "")) for c in kind.get("coding", []) if isinstance(c, dict)]


def _system(ident: dict[str, Any]) -> str:
    return str(ident.get("system", "")).strip()


def _oid(ident: dict[str, Any]) -> str:
    return _system(ident).removeprefix("urn:oid:")


def identifier_kind(ident: dict[str, Any]) -> str:
    """Which FR Core slice an identifier is: ins, ins_old, nss, ins_c, pi, pi_old, other."""
    codes = set(_type_codes(ident))
    oid = _oid(ident)
    old = ident.get("use") == "old"
    if "NH" in codes:
        return "nss"  # NSS slice: same OID as the INS-NIR, the insured person's number
    if oid == INS_C_OID or "INS-C" in codes:
        return "ins_c"
    if oid in INS_OIDS or codes & INS_TYPES:
        return "ins_old" if old else "ins"
    if "PI" in codes:
        return "pi_old" if old else "pi"
    return "other"


class FhirSource:
    format = "fhir"
    encoding: str | None = "utf-8"
    mapping: ColumnMapping | None = None

    def __init__(self, path: Path, mapping: ColumnMapping | None, facts: FileFacts) -> None:
        self.files = _files(path) if path.is_dir() else [path]
        if not self.files:
            raise UnreadableFileError(f"Aucune ressource FHIR dans {path.name}.")
        self.mapping = mapping
        self.expected = mapping.expected_authority if mapping else None
        self.key_without_ipp = (mapping.key_without_ipp if mapping else None) or "id"
        self.report = ReadReport()
        self._done = 0

    def position(self) -> tuple[int, int]:
        return (self._done, len(self.files))

    def __iter__(self) -> Iterator[RawRecord | SourceRejection]:
        self.report = ReadReport()
        read: list[tuple[int, str, str, dict[str, str], dict[str, str]]] = []
        without_ipp = 0
        for file in self.files:
            for number, resource, where in _resources(file):
                if resource is None:
                    self.report.refuse("", "ressource_invalide")
                    yield SourceRejection(number, "ressource_invalide", where)
                    continue
                if resource.get("resourceType") != "Patient":
                    continue
                fields, extra = patient_fields(resource, self.report, where)
                domain, ipp = self._key(resource, fields, extra)
                if not ipp:
                    reason, code = self._refusal(fields)
                    self.report.refuse("", code)
                    yield SourceRejection(number, code, f"{where} : {reason}")
                    continue
                without_ipp += domain in (ID_DOMAIN, "INS")
                counts = self.report.domain(domain)
                counts.read += 1
                source = (resource.get("meta") or {}).get("source")
                counts.systems.add(str(source) if source else "FHIR")
                read.append((number, domain, ipp, fields, extra))
            self._done += 1
        if without_ipp:
            key = "leur Patient.id" if self.key_without_ipp == "id" else "leur INS"
            self.report.notes.append(
                f"{without_ipp} Patient sans IPP (identifiant de type PI) : identifiés par {key}."
            )
        yield from self._records(read)

    def _key(
        self, resource: dict[str, Any], fields: dict[str, str], extra: dict[str, str]
    ) -> tuple[str, str]:
        idents = [i for i in resource.get("identifier", []) if isinstance(i, dict) and i.get("value")]
        pis = [i for i in idents if identifier_kind(i) == "pi"]
        if self.expected:
            wanted = [
                i
                for i in idents
                if matches_authority(_system(i), "", self.expected) and identifier_kind(i) in ("pi", "other")
            ]
            pis = wanted or pis
        others = [i for i in idents if identifier_kind(i) == "other"]
        chosen = (pis or others)[0] if pis or others else None
        rest = [i for i in idents if identifier_kind(i) == "pi" and i is not chosen]
        if rest:  # the patient's IPPs in other domains: kept, never a key of their own
            extra["autres_ipp"] = " ".join(f"{i['value']}@{_oid(i) or '?'}" for i in rest)
        if chosen is not None:
            if chosen in others and not pis:
                extra["ipp_sans_type"] = "oui"  # no PI: an untyped identifier taken as the IPP
            return _system(chosen) or "(sans system)", str(chosen["value"]).strip()
        if self.key_without_ipp == "id" and resource.get("id"):
            return ID_DOMAIN, str(resource["id"]).strip()
        if self.key_without_ipp == "ins" and fields.get("matricule_ins"):
            return "INS", fields["matricule_ins"]
        return "", ""

    def _refusal(self, fields: dict[str, str]) -> tuple[str, str]:
        if fields.get("matricule_ins"):
            if self.key_without_ipp == "id":
                return "Patient avec INS, sans IPP ni Patient.id", "ins_sans_ipp"
            return "Patient avec INS mais sans IPP (identifiant de type PI)", "ins_sans_ipp"
        if self.key_without_ipp == "id":
            return "Patient sans IPP ni Patient.id", "ipp_manquant"
        return "Patient sans IPP (identifiant de type PI)", "ipp_manquant"

    def _records(
        self, read: list[tuple[int, str, str, dict[str, str], dict[str, str]]]
    ) -> Iterator[RawRecord]:
        per_domain: dict[str, int] = {}
        for _n, domain, *_rest in read:
            per_domain[domain] = per_domain.get(domain, 0) + 1
        main = main_domain(per_domain, self.expected, {})
        if len(per_domain) > 1:
            names = " ; ".join(f"{d} : {n} patients" for d, n in per_domain.items())
            self.report.notes.append(
                f"{len(per_domain)} domaines d'identification dans le fichier ({names}). Leurs patients ne "
                f"sont jamais fusionnés : hors du domaine principal {main}, l'IPP est enregistré sous la "
                "forme IPP@SYSTEME."
            )
        for domain, n in per_domain.items():
            self.report.domain(domain).kept = n
            self.report.domain(domain).qualified = domain != main
        for number, domain, ipp, fields, extra in read:
            key = ipp if domain == main else qualified_ipp(ipp, domain.removeprefix("urn:oid:"))
            extra = {**extra, "domaine": domain}
            if key != ipp:
                extra["ipp_source"] = ipp
            yield RawRecord(number, {**fields, "ipp": key}, extra)


def patient_fields(
    resource: dict[str, Any], report: ReadReport | None = None, where: str = ""
) -> tuple[dict[str, str], dict[str, str]]:
    fields: dict[str, str] = {}
    extra: dict[str, str] = {}
    idents = [i for i in resource.get("identifier", []) if isinstance(i, dict) and i.get("value")]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for ident in idents:
        by_kind.setdefault(identifier_kind(ident), []).append(ident)
    ins = by_kind.get("ins", [])
    official = [i for i in ins if i.get("use") in ("official", "temp")] or ins
    if official:
        fields["matricule_ins"], fields["oid_ins"] = str(official[0]["value"]).strip(), _oid(official[0])
    for kind, name in (
        ("ins_old", "ins_ancien"),
        ("nss", "nss"),
        ("ins_c", "ins_c"),
        ("pi_old", "ipp_ancien"),
    ):
        if by_kind.get(kind):
            extra[name] = " ".join(str(i["value"]).strip() for i in by_kind[kind])
    names = [n for n in resource.get("name", []) if isinstance(n, dict)]
    birth = next((n for n in names if n.get("use") == "official"), None)
    birth = birth or next((n for n in names if n.get("use") == "maiden"), None)
    if birth is None and len(names) == 1 and not names[0].get("use"):
        birth = names[0]
    if birth is not None:
        given = [str(g).strip() for g in birth.get("given", []) if str(g).strip()]
        fields["nom_naissance"] = str(birth.get("family", "")).strip()
        fields["premier_prenom"] = given[0] if given else ""
        listed = [c for e in _ext(birth, BIRTH_LIST) for c in _codes(e)]
        fields["prenoms_naissance"] = listed[0].strip() if listed else " ".join(given)
    usual = next((n for n in names if n.get("use") == "usual"), None)
    if usual is not None:
        given = [str(g).strip() for g in usual.get("given", []) if str(g).strip()]
        fields["nom_utilise"] = str(usual.get("family", "")).strip()
        fields["prenom_utilise"] = given[0] if given else ""
    fields["date_naissance"] = str(resource.get("birthDate", "")).strip()
    gender = str(resource.get("gender", ""))
    fields["sexe"] = GENDERS.get(gender, gender)
    for place in _ext(resource, BIRTHPLACE):
        address = place.get("valueAddress", {})
        if not isinstance(address, dict):
            continue
        codes = [c for e in _ext(address, INSEE_CODE) for c in _codes(e)]
        district = str(address.get("district", "")).strip().upper()
        if codes:
            fields["lieu_naissance"] = codes[0]
        elif COG_CODE.match(district):  # FR Core 1.x examples: the INSEE code in address.district
            fields["lieu_naissance"] = district
            if report is not None:
                report.notes.append(
                    f"{where} : lieu de naissance lu dans address.district (forme FR Core 1.x)."
                )
    statuses: list[str] = []
    attributes: set[str] = set()
    comments: list[str] = []
    for reliability in _ext(resource, RELIABILITY):
        for part in reliability.get("extension", []):
            if not isinstance(part, dict):
                continue
            url, codes = str(part.get("url", "")), _codes(part)
            if url.endswith("validationMode") and codes:
                fields["justificatif"] = codes[0]
            elif url.endswith("validationDate") and part.get("valueDate"):
                extra["date_validation"] = str(part["valueDate"])
            elif url.endswith(("identityStatus", "identityReliability")):
                statuses += [STATUS_CODES[c] for c in codes if c in STATUS_CODES]
                attributes |= {ATTRIBUTE_CODES[c] for c in codes if c in ATTRIBUTE_CODES}
                comments += [c for c in codes if c not in STATUS_CODES and c not in ATTRIBUTE_CODES]
            elif url.endswith("comment"):
                attributes |= {ATTRIBUTE_CODES[c] for c in codes if c in ATTRIBUTE_CODES}
                comments += [c for c in codes if c not in ATTRIBUTE_CODES]
    for document in _ext(resource, "urn:ivo:justificatif"):  # IVO's export: a code FR Core does not list
        fields.setdefault("justificatif", str(document.get("valueString", "")))
    fields["statut"] = statuses[-1] if statuses else ""
    fields["attributs"] = " ".join(sorted(attributes))
    if comments:
        extra["commentaires_fiabilite"] = " ".join(comments)
    return fields, extra


register_reader("fhir", detect, FhirSource, priority=11)
