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

import numpy as np

from ivo_app.errors import UnreadableFileError
from ivo_app.io.hl7v2 import ATTRIBUTE_CODES, INS_C_OID, INS_OIDS, INS_TYPES, STATUS_CODES
from ivo_app.io.mapping import ColumnMapping
from ivo_app.io.report import ReadReport, main_domain, matches_authority, qualified_ipp
from ivo_app.io.sources import (
    MAX_NESTING,
    FileFacts,
    RawRecord,
    SourceRejection,
    check_whole_file_size,
    register_reader,
)

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


# A JSON string (escapes included) and the brackets outside strings: the skeleton whose depth is
# measured before anything is decoded.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # unrolled: a run of plain characters at a time
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}:,]')
BUNDLE_DEPTH = 3  # Bundle { entry [ { resource: the resource's own depth starts below these


def max_depth(text: str) -> int:
    """The deepest nesting of objects and arrays in a JSON text, without decoding it (C-speed: the
    strings removed, the brackets counted with a running sum)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text)).encode("ascii")
    if not brackets:
        return 0
    codes = np.frombuffer(brackets, dtype=np.uint8)
    steps = np.where((codes == ord("{")) | (codes == ord("[")), 1, -1).astype(np.int32)
    return int(np.cumsum(steps).max())


def _split_entries(text: str) -> Iterator[tuple[str | None, int]]:
    """The Bundle's entries as (JSON text, depth) without decoding them, for a file too deep to be
    decoded whole; (None, 0) when the text is no Bundle. One token at a time: only on this path."""
    depth, key, last_string, entries_open = 0, None, None, False
    start, deepest = -1, 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in "{[":
            depth += 1
            if depth == 2 and token == "[" and key == "entry":
                entries_open = True
            elif depth == 3 and entries_open:
                start, deepest = match.start(), 3
            deepest = max(deepest, depth)
        elif token in "}]":
            if depth == 3 and entries_open and start >= 0:
                yield text[start : match.end()], deepest - BUNDLE_DEPTH + 1
                start = -1
            elif depth == 2 and entries_open:
                entries_open = False
            depth -= 1
        elif token == ":":
            if depth == 1:
                key = last_string
        elif token != ",":
            last_string = token[1:-1]
    if depth != 0:
        yield None, 0


def _looks_ndjson(text: str) -> bool:
    """A first line that is a whole JSON object, and more after it."""
    first, _, rest = text.lstrip().partition("\n")
    first = first.strip()
    if not (rest.strip() and first.startswith("{") and first.endswith("}")):
        return False
    skeleton = _NOT_BRACKET.sub("", _STRING.sub("", first))
    return skeleton.count("{") + skeleton.count("[") == skeleton.count("}") + skeleton.count("]")


def _deep_document(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """The resources of a document nested beyond MAX_NESTING somewhere: a Bundle's entries are
    measured one by one before each is decoded, the too deep ones refused with their position."""
    head = text.lstrip()[:4096]
    if '"Bundle"' not in head:
        yield 1, None, f"{path.name}, ressource 1 : imbrication de plus de {MAX_NESTING} niveaux"
        return
    for number, (entry, depth) in enumerate(_split_entries(text), start=1):
        where = f"{path.name}, ressource {number}"
        if entry is None:
            raise UnreadableFileError(f"Fichier FHIR illisible : {path.name} (JSON invalide).")
        if depth > MAX_NESTING:
            yield number, None, f"{where} : imbrication de plus de {MAX_NESTING} niveaux"
            continue
        try:
            decoded = json.loads(entry)
        except json.JSONDecodeError:
            yield number, None, f"{where} : JSON invalide"
            continue
        resource = decoded.get("resource") if isinstance(decoded, dict) else None
        yield number, resource if isinstance(resource, dict) else None, where


def _unpack(
    path: Path, documents: list[Any], first: int = 0
) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    number = first
    for doc in documents:
        if not isinstance(doc, dict):
            number += 1
            yield number, None, f"{path.name}, ressource {number} : objet JSON attendu"
            continue
        if doc.get("resourceType") == "Bundle":
            entry = doc.get("entry", [])
            if not isinstance(entry, list):
                number += 1
                yield number, None, f"{path.name}, ressource {number} : Bundle.entry n'est pas une liste"
                continue
            entries = [e.get("resource") if isinstance(e, dict) else None for e in entry]
        else:
            entries = [doc]
        for resource in entries:
            number += 1
            yield number, resource if isinstance(resource, dict) else None, f"{path.name}, ressource {number}"


def _resources(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(number, resource or None, where) for every resource of a file, Bundles unpacked. The file's
    size is checked before it is read, each resource's nesting before it is decoded."""
    try:
        check_whole_file_size(path, path.stat().st_size)
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableFileError(f"Fichier FHIR illisible : {path.name} (UTF-8 attendu).") from exc
    if max_depth(text) > MAX_NESTING + BUNDLE_DEPTH and not _looks_ndjson(text):
        yield from _deep_document(path, text)
        return
    try:
        documents = [json.loads(text)]
    except (json.JSONDecodeError, RecursionError):
        pass  # NDJSON, read line by line below
    else:
        yield from _unpack(path, documents)
        return
    number = 0
    for n, line in enumerate(text.splitlines(), start=1):  # NDJSON: one resource (or Bundle) a line
        if not line.strip():
            continue
        if max_depth(line) > MAX_NESTING + BUNDLE_DEPTH:
            number += 1
            yield number, None, f"{path.name}, ligne {n} : imbrication de plus de {MAX_NESTING} niveaux"
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError:
            number += 1
            yield number, None, f"{path.name}, ligne {n} : JSON invalide"
            continue
        for item in _unpack(path, [doc], number):
            number = item[0]
            yield item


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


_SCALAR = (str, int, float, bool)


def _shape_problem(resource: dict[str, Any]) -> str | None:
    """Where a Patient's elements that IVO reads have a type FHIR does not allow (a name given as a
    string, given names as a string, an identifier as an object...), or None. Such a resource is
    refused alone, with the element's path: read as it is, it would give wrong traits silently."""

    def is_list_of_objects(value: Any) -> bool:
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)

    def extensions(node: dict[str, Any], where: str) -> str | None:
        if "extension" in node and not is_list_of_objects(node["extension"]):
            return f"{where}extension : liste d'objets attendue"
        for i, ext in enumerate(node.get("extension", [])):
            if not isinstance(ext.get("url", ""), str):
                return f"{where}extension[{i}].url : chaîne attendue"
            nested = extensions(ext, f"{where}extension[{i}].")
            if nested:
                return nested
            address = ext.get("valueAddress")
            if address is not None:
                if not isinstance(address, dict):
                    return f"{where}extension[{i}].valueAddress : objet attendu"
                if not isinstance(address.get("district", ""), str):
                    return f"{where}extension[{i}].valueAddress.district : chaîne attendue"
                nested = extensions(address, f"{where}extension[{i}].valueAddress.")
                if nested:
                    return nested
        return None

    for key in ("id", "birthDate", "gender"):
        if key in resource and not isinstance(resource[key], str):
            return f"{key} : chaîne attendue"
    if "meta" in resource and not isinstance(resource["meta"], dict):
        return "meta : objet attendu"
    for key in ("identifier", "name"):
        if key in resource and not is_list_of_objects(resource[key]):
            return f"{key} : liste d'objets attendue"
    for i, ident in enumerate(resource.get("identifier", [])):
        if not isinstance(ident.get("value", ""), _SCALAR):
            return f"identifier[{i}].value : valeur simple attendue"
        for key in ("system", "use"):
            if not isinstance(ident.get(key, ""), str):
                return f"identifier[{i}].{key} : chaîne attendue"
        if "type" in ident and not isinstance(ident["type"], dict):
            return f"identifier[{i}].type : objet attendu"
        if "coding" in ident.get("type", {}) and not isinstance(ident["type"]["coding"], list):
            return f"identifier[{i}].type.coding : liste attendue"
    for i, name in enumerate(resource.get("name", [])):
        for key in ("family", "use"):
            if not isinstance(name.get(key, ""), str):
                return f"name[{i}].{key} : chaîne attendue"
        given = name.get("given", [])
        if not (isinstance(given, list) and all(isinstance(g, str) for g in given)):
            return f"name[{i}].given : liste de chaînes attendue"
        problem = extensions(name, f"name[{i}].")
        if problem:
            return problem
    return extensions(resource, "")


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
                problem = _shape_problem(resource)
                if problem is None:
                    try:
                        fields, extra = patient_fields(resource, self.report, where)
                        domain, ipp = self._key(resource, fields, extra)
                        source = (resource.get("meta") or {}).get("source")
                    except (TypeError, AttributeError, ValueError, KeyError):
                        problem = "structure inattendue pour un Patient FHIR"
                if problem is not None:
                    self.report.refuse("", "ressource_invalide")
                    yield SourceRejection(number, "ressource_invalide", f"{where} : {problem}")
                    continue
                if not ipp:
                    reason, code = self._refusal(fields)
                    self.report.refuse("", code)
                    yield SourceRejection(number, code, f"{where} : {reason}")
                    continue
                without_ipp += domain in (ID_DOMAIN, "INS")
                counts = self.report.domain(domain)
                counts.read += 1
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
