"""Message readers with limits (issue 19, items 12 and 13): one bad FHIR resource or HL7 message is
refused alone, with its position and reason, and the rest of the file is read; sizes and nesting are
checked before anything is decoded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ivo_app.errors import IvoError
from ivo_app.io import sources
from ivo_app.io.fhir import max_depth
from ivo_app.services.imports import import_file
from ivo_app.store.models import Identity

MSH = "MSH|^~\\&|X|Y|||20250101||ADT^A28^ADT_A05|{n}|P|2.5|||||FRA|UNICODE UTF-8\r"
PID = "PID|1||{ipp}^^^CH&1.2&ISO^PI||{name}^JEANNE^JEANNE^^^^L||19120106|F\r\n"


def patient(ipp: str, family: str = "MARTIN", **changes: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [{"type": {"coding": [{"code": "PI"}]}, "system": "urn:oid:1.2", "value": ipp}],
        "name": [{"use": "official", "family": family, "given": ["LEA"]}],
        "birthDate": "1980-01-02",
        "gender": "female",
    }
    resource.update(changes)
    return resource


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def imported(db, extraction_id: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(Identity.ipp, Identity.birth_name).where(Identity.extraction_id == extraction_id)
        )
        return {ipp: name for ipp, name in rows}


def test_one_fhir_resource_of_wrong_types_or_too_deep_is_refused_alone(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wrong = [
        patient("2", name=[{"use": "official", "family": "DURAND", "given": "PAUL"}]),  # given: a string
        patient("3", name="DURAND"),  # name: a string
        patient("4", identifier={"value": "4"}),  # identifier: an object
        patient("5", meta="source"),  # meta: a string
        patient("6", name=[{"use": "official", "family": ["DURAND"], "given": ["PAUL"]}]),
    ]
    entries = [{"resource": r} for r in [patient("1"), *wrong]]
    text = json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries})
    nested = json.dumps({"resource": patient("7")})[:-2] + ', "extension": ' + deep(50_000) + "}}"
    text = text[:-2] + ", " + nested + ", " + json.dumps({"resource": patient("8", "BERNARD")}) + "]}"
    path = tmp_path / "bundle.json"
    path.write_text(text, encoding="utf-8")
    result = import_file(db, path, "CH")
    assert imported(db, result.extraction_id) == {"1": "MARTIN", "8": "BERNARD"}
    details = [(r.line_no, r.reason, r.detail) for r in result.rejections]
    assert details == [
        (2, "ressource_invalide", "bundle.json, ressource 2 : name[0].given : liste de chaînes attendue"),
        (3, "ressource_invalide", "bundle.json, ressource 3 : name : liste d'objets attendue"),
        (4, "ressource_invalide", "bundle.json, ressource 4 : identifier : liste d'objets attendue"),
        (5, "ressource_invalide", "bundle.json, ressource 5 : meta : objet attendu"),
        (6, "ressource_invalide", "bundle.json, ressource 6 : name[0].family : chaîne attendue"),
        (7, "ressource_invalide", "bundle.json, ressource 7 : imbrication de plus de 32 niveaux"),
    ]


def test_a_deep_line_of_ndjson_and_a_deep_lone_patient(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lines = [json.dumps(patient("1")), json.dumps(patient("2"))[:-1] + ', "extension": ' + deep(5000) + "}"]
    lines.append(json.dumps(patient("3", "PETIT")))
    path = tmp_path / "patients.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_file(db, path, "CH")
    assert imported(db, result.extraction_id) == {"1": "MARTIN", "3": "PETIT"}
    assert [r.detail for r in result.rejections] == [
        "patients.ndjson, ligne 2 : imbrication de plus de 32 niveaux"
    ]
    lone = tmp_path / "lone.json"
    lone.write_text(json.dumps(patient("9"))[:-1] + ', "extension": ' + deep(100_000) + "}", encoding="utf-8")
    with pytest.raises(IvoError):  # nothing left to import: a French refusal, never a RecursionError
        import_file(db, lone, "CH")


def test_depth_is_measured_without_decoding() -> None:
    assert max_depth('{"a": [1, {"b": "[[[[ {{ not counted"}]}') == 3
    assert max_depth('{"a": "\\" [[[ escaped quote"}') == 1
    assert max_depth(deep(1_000_000)) == 1_000_000  # no recursion, no decoded objects


def test_one_hl7_message_with_an_oversized_field_is_refused_alone(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "adt.hl7"
    repeated = MSH.format(n=2) + "PID|1||2^^^CH&1.2&ISO^PI" + "~" * 500_000 + "||DURAND^PAUL||19700101|M\r\n"
    huge = MSH.format(n=3) + "PID|1||3^^^CH&1.2&ISO^PI||" + "D" * (2 << 20) + "^PAUL||19700101|M\r\n"
    path.write_text(
        MSH.format(n=1) + PID.format(ipp=1, name="MARTIN") + repeated + huge
        + MSH.format(n=4) + PID.format(ipp=4, name="BERNARD"),
        encoding="utf-8",
    )  # fmt: skip
    result = import_file(db, path, "CH")
    assert imported(db, result.extraction_id) == {"1": "MARTIN", "4": "BERNARD"}
    assert [(r.line_no, r.reason, r.detail) for r in result.rejections] == [
        (2, "message_invalide", "adt.hl7, message 2 : champ de plus de 100 répétitions"),
        (3, "message_invalide", "adt.hl7, message 3 : segment PID de plus de 1 Mo"),
    ]


@pytest.mark.parametrize("name", ["big.hl7", "big.json"])
def test_a_message_file_beyond_the_size_limit_is_a_french_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    head = MSH.format(n=1) if name.endswith(".hl7") else '{"resourceType": "Bundle", "entry": ['
    with open(path, "w", encoding="utf-8") as out:
        out.write(head)
        out.truncate(sources.MAX_WHOLE_FILE_BYTES + (5 << 20))  # sparse: the size without the disk
    done = subprocess.run(
        [sys.executable, "-m", "ivo_app", "importer", str(path), "--etablissement", "CH", "--db", str(tmp_path / "b.sqlite")],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "pèse 261 Mo, au-delà des 256 Mo qu'IVO lit d'un bloc" in done.stderr
