"""`ivo export --out F.json` against FR Core 2.x's own rules.

The rules are read from FR Core's FSH sources (tests/data/fhir/frcore, see its SOURCES.md): the
identifier slices of fr-core-patient and fr-core-patient-ins (fixed system, type and use), the INS
profile's required elements, the code systems of the identity status, its comments and the
validation modes. The R4 structure is checked with the `fhir.resources` models. An FR Core invariant
broken by an identity (a doubtful identity not PROV...) is only accepted when IVO's own finding for
that anomaly travels with it.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ivo_app.io.mapping import ColumnMapping
from ivo_app.services.checks import run_checks
from ivo_app.services.extractions import export_extraction
from ivo_app.services.imports import import_file
from ivo_app.store.models import Identity
from ivo_app.store.uow import UnitOfWork
from tests.conftest import SHARED_REFERENCE

FRCORE = Path(__file__).resolve().parent.parent / "data" / "fhir" / "frcore"
BASE = "https://hl7.fr/ig/fhir/core"
ALIASES = {"$fr-core-v2-0203": f"{BASE}/CodeSystem/fr-core-cs-v2-0203"}  # input/fsh/aliases.fsh
PROFILES = {f"{BASE}/StructureDefinition/fr-core-patient", f"{BASE}/StructureDefinition/fr-core-patient-ins"}
INS_USE_VALUE_SET = {
    "official",
    "old",
}  # FRCoreValueSetPatientIdentifierUseINS (its comment: old = deactivated)
RELIABILITY = f"{BASE}/StructureDefinition/fr-core-identity-reliability"
BIRTH_LIST = f"{BASE}/StructureDefinition/fr-core-patient-birth-list-given-name"
INSEE = f"{BASE}/StructureDefinition/fr-core-address-insee-code"
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def slices(fsh: str) -> dict[str, dict[str, Any]]:
    """identifier slices of an FSH profile: fixed system, type (system, code), use."""
    found: dict[str, dict[str, Any]] = {}
    for name, element, op, value in re.findall(
        r"^\* identifier\[([\w-]+)\]\.(\w+) (=|from) (.+)$", fsh, re.M
    ):
        rule = found.setdefault(name, {})
        value = value.strip()
        if element == "system" and op == "=":
            rule["system"] = value.strip('"')
        elif element == "type":
            system, code = value.split(" ")[0].split("#")
            rule["type"] = (ALIASES.get(system, system), code)
        elif element == "use":
            rule["use"] = {value.lstrip("#")} if op == "=" else INS_USE_VALUE_SET
    return found


def code_system(name: str) -> tuple[str, set[str]]:
    text = (FRCORE / name).read_text(encoding="utf-8")
    identifier = re.search(r"^Id: ([\w-]+)$", text, re.M)
    assert identifier is not None
    return f"{BASE}/CodeSystem/{identifier.group(1)}", set(re.findall(r"^\* #(\w+) ", text, re.M))


INS_FSH = (FRCORE / "FRCorePatientINSProfile.fsh").read_text(encoding="utf-8")
SLICES = {**slices((FRCORE / "FRCorePatientProfile.identifier-excerpt.fsh").read_text(encoding="utf-8")),
          **slices(INS_FSH)}  # fmt: skip
STATUS = code_system("FRCoreCodeSystemIdentityStatus.fsh")
COMMENT = code_system("FRCoreCodeSystemIdentityStatusComment.fsh")
MODE = code_system("FRCoreCodeSystemIdentityModeValidation.fsh")


def test_the_rules_are_read_from_fr_core() -> None:
    assert SLICES["INS-NIR"] == {"system": "urn:oid:1.2.250.1.213.1.4.8", "use": INS_USE_VALUE_SET,
                                 "type": (f"{BASE}/CodeSystem/fr-core-cs-v2-0203", "INS-NIR")}  # fmt: skip
    assert SLICES["INS-NIA"]["use"] == {"temp"} and SLICES["NSS"]["type"][1] == "NH"
    assert SLICES["PI"] == {"use": {"usual"}, "type": ("http://terminology.hl7.org/CodeSystem/v2-0203", "PI")}
    assert STATUS[1] == {"PROV", "RECUP", "VALI", "QUAL"} and {"HOMA", "HOMD", "DOUT", "FICT"} <= COMMENT[1]
    assert "* name[officialName].extension[birth-list-given-name] 1..1 MS" in INS_FSH


def matching_slice(identifier: dict[str, Any]) -> str:
    """The one slice an identifier belongs to, discriminated as FR Core does (type and use)."""
    codes = [(c.get("system"), c.get("code")) for c in identifier.get("type", {}).get("coding", [])]
    candidates = [
        name
        for name, rule in SLICES.items()
        if rule.get("type") in codes and identifier.get("use") in rule.get("use", {identifier.get("use")})
    ]
    assert len(candidates) == 1, f"{identifier}: slices {candidates}"
    return candidates[0]


def check_patient(resource: dict[str, Any]) -> list[str]:
    """Every FR Core rule of the profile the Patient claims; returns the invariants it breaks."""
    from fhir.resources.R4B.patient import Patient

    Patient.model_validate(resource)  # R4 structure (R4B = R4 for Patient)
    assert FHIR_ID.match(resource["id"])
    (profile,) = resource["meta"]["profile"]
    assert profile in PROFILES
    ins_profile = profile.endswith("-ins")
    for identifier in resource["identifier"]:
        rule = SLICES[matching_slice(identifier)]
        assert identifier.get("value")
        assert identifier.get("system"), identifier  # system 1.. on every slice
        if "system" in rule:
            assert identifier["system"] == rule["system"]
    extensions = {e["url"]: e for e in resource.get("extension", [])}
    reliability = extensions.get(RELIABILITY)
    codes: dict[str, list[str]] = {}
    if reliability:
        for part in reliability["extension"]:
            url = part["url"]
            coding = part.get("valueCoding") or part["valueCodeableConcept"]["coding"][0]
            system, allowed = {"identityStatus": STATUS, "comment": COMMENT, "validationMode": MODE}[url]
            assert coding["system"] == system and coding["code"] in allowed, part
            codes.setdefault(url, []).append(coding["code"])
        assert len(codes.get("identityStatus", [])) <= 1
    (official,) = [n for n in resource["name"] if n["use"] == "official"]
    assert official["family"]
    if ins_profile:
        assert (
            reliability and resource.get("birthDate") and resource["gender"] in ("male", "female", "unknown")
        )
        assert [s for s in map(matching_slice, resource["identifier"]) if s.startswith("INS")]
        (place,) = [e for e in resource["extension"] if e["url"].endswith("patient-birthPlace")]
        (insee,) = [e for e in place["valueAddress"]["extension"] if e["url"] == INSEE]
        assert insee["valueCoding"]["code"]
        assert len(official["given"]) == 1
        (listed,) = [e for e in official["extension"] if e["url"] == BIRTH_LIST]
    broken = []
    if ins_profile and listed["valueString"].split(" ")[0] != official["given"][0].split(" ")[0]:
        broken.append("ivo-first-of-the-list")  # exported as entered: the rules flag it
    comments = set(codes.get("comment", []))
    status = codes.get("identityStatus", [None])[0]
    if comments & {"DOUT", "FICT"} and status != "PROV":
        broken.append("fr-core-identity-reliability-1")
    if {"DOUT", "FICT"} <= comments:
        broken.append("fr-core-identity-reliability-2")
    if ins_profile and status == "VALI":
        officials = [i for i in resource["identifier"] if i.get("use") == "official"]
        if len(officials) != 1:
            broken.append("fr-core-2")
    return broken


# The IVO finding that says why an identity breaks an FR Core invariant.
EXPLAINED_BY = {
    "fr-core-identity-reliability-1": {"ATTR-PROV"},
    "fr-core-identity-reliability-2": {"ATTR-COMBI"},
    "ivo-first-of-the-list": {"TRAIT-PRENOM1", "TRAIT-PRENOM-CARS"},  # another first name, or commas
}


def check_bundle(path: Path) -> int:
    from fhir.resources.R4B.bundle import Bundle

    data = json.loads(path.read_text(encoding="utf-8"))
    Bundle.model_validate(data)
    assert data["type"] == "collection"
    urls = [e["fullUrl"] for e in data["entry"]]
    assert len(set(urls)) == len(urls) and all(re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", u) for u in urls)
    ids = [e["resource"]["id"] for e in data["entry"]]
    assert len(set(ids)) == len(ids)
    for entry in data["entry"]:
        resource = entry["resource"]
        findings = {
            x["valueString"].split(":")[0]
            for e in resource.get("extension", [])
            if e["url"] == "urn:ivo:anomalies"
            for x in e["extension"]
        }
        for invariant in check_patient(resource):
            assert EXPLAINED_BY[invariant] & findings, (resource["id"], invariant)
    return len(data["entry"])


def export(db, extraction_id: int, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    run_checks(db, extraction_id)
    out = tmp_path / f"export-{extraction_id}.json"
    export_extraction(db, extraction_id, out)
    return out


def test_demo_facility_export_passes_fr_core(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "demo.json"
    for args in (["demo", "--size", "400"], ["check"], ["export", "--out", str(out)]):
        done = subprocess.run([sys.executable, "-m", "ivo_app", *args, "--db", db_url], capture_output=True,
                              text=True, timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert check_bundle(out) == len(data["entry"]) > 300
    profiles = {e["resource"]["meta"]["profile"][0] for e in data["entry"]}
    assert profiles == PROFILES  # INS identities claim the INS profile, the others fr-core-patient


EXTERNAL = [
    p
    for folder in ("fhir", "hl7-ansforge")
    for p in sorted((SHARED_REFERENCE / "external" / folder).glob("*"))
]
EXTRA = sorted((Path(__file__).resolve().parent.parent / "data" / "external-extra").rglob("*.hl7"))


@pytest.mark.skipif(not EXTERNAL, reason="../shared/reference/external absent")
def test_every_imported_external_file_exports_to_fr_core(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    total = 0
    for path in EXTERNAL + EXTRA:
        keyed = None if path.suffix == ".json" else ColumnMapping(key_without_ipp="ins")  # ORU/MDM: INS only
        result = import_file(db, path, "CH réel", mapping=keyed)
        total += check_bundle(export(db, result.extraction_id, tmp_path))
    assert total == len(EXTERNAL + EXTRA)


COMPARED = ("ipp", "birth_name", "first_names", "first_first_name", "used_name", "used_first_name", "birth_date",
            "sex", "birthplace", "ins_matricule", "ins_oid", "status", "attributes", "document_type")  # fmt: skip


def rows(db, extraction_id: int) -> dict[str, tuple]:  # type: ignore[no-untyped-def,type-arg]
    with UnitOfWork(db) as uow:
        found = uow.session.scalars(select(Identity).where(Identity.extraction_id == extraction_id)).all()
        return {i.ipp: tuple(getattr(i, c) for c in COMPARED) for i in found}


def test_round_trip_csv_fhir_ivo_gives_the_same_identities(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ivo_app.services import settings

    source = tmp_path / "identites.csv"
    header = ["ipp", "nom_naissance", "prenoms_naissance", "premier_prenom", "nom_utilise", "prenom_utilise",
              "date_naissance", "sexe", "lieu_naissance", "matricule_ins", "oid_ins", "statut", "attributs",
              "justificatif"]  # fmt: skip
    data = [
        ["A/12 B", "DE LA FONTAINE", "JEAN-PIERRE MARIE", "JEAN-PIERRE", "", "", "1980-03-12", "M", "31555",
         "180033155512302", "1.2.250.1.213.1.4.8", "QUAL", "", "CN"],
        ["2", "MARTIN", "ANNE SOPHIE CLAIRE", "ANNE SOPHIE", "BERNARD", "ANNE SOPHIE", "1985-07-01", "F", "99134",
         "", "", "VALI", "HOMONYME", "PA"],
        ["3", "LEFÈVRE", "ÉLODIE", "ÉLODIE", "", "", "1950-01-01", "F", "75112", "2500175112399",
         "1.2.250.1.213.1.4.9", "PROV", "DOUTEUSE,HOMONYME", ""],
        ["x" * 64, "N'GUYEN", "THI", "THI", "", "", "2001-01-01", "I", "2A004", "", "", "RECUP", "", ""],
    ]  # fmt: skip
    with source.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([header, *data])
    settings.set_ipp_authority(db, "1.2.250.1.999.1.1")  # all facilities
    first = import_file(db, source, "CH").extraction_id
    out = export(db, first, tmp_path)
    check_bundle(out)
    pi = json.loads(out.read_text(encoding="utf-8"))["entry"][0]["resource"]["identifier"][0]
    assert pi["system"] == "urn:oid:1.2.250.1.999.1.1"
    again = import_file(db, out, "CH").extraction_id
    assert rows(db, again) == rows(db, first)
    assert rows(db, again)["2"][2:4] == ("ANNE SOPHIE CLAIRE", "ANNE SOPHIE")
