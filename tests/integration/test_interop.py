"""HL7 v2 ADT (IHE PAM FR) and FHIR FR Core in; FHIR Bundle out. Fixtures written from the specifications."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from ivo_app.io.hl7v2 import decode, split_messages
from ivo_app.io.mapping import ColumnMapping
from ivo_app.services.checks import run_checks
from ivo_app.services.extractions import export_extraction
from ivo_app.services.imports import import_file
from ivo_app.store.models import Identity
from ivo_app.store.uow import UnitOfWork

DATA = Path(__file__).resolve().parent.parent / "data"
COMPARED = ("ipp", "birth_name", "first_names", "first_first_name", "used_name", "used_first_name", "birth_date",
            "sex", "birthplace", "ins_matricule", "ins_oid", "status", "attributes", "document_type")  # fmt: skip


def rows(db, extraction_id: int, skip: tuple[str, ...] = ()) -> dict[str, tuple]:  # type: ignore[no-untyped-def,type-arg]
    with UnitOfWork(db) as uow:
        found = uow.session.scalars(select(Identity).where(Identity.extraction_id == extraction_id)).all()
        return {i.ipp: tuple(getattr(i, c) for c in COMPARED if c not in skip) for i in found}


def test_hl7_batch_latest_event_wins_merge_applied_charset_honoured(db) -> None:  # type: ignore[no-untyped-def]
    result = import_file(db, DATA / "hl7" / "adt-batch.hl7", "CH HL7")
    assert result.source_format == "hl7v2" and result.rows == 3
    ids = rows(db, result.extraction_id)
    assert "1009" not in ids  # merged into 1003 by the A40
    assert ids["1001"][COMPARED.index("status")] == "QUAL"  # A31 after the A28
    assert ids["1002"][COMPARED.index("used_first_name")] == "ÉLODIE"  # MSH-18 8859/15
    assert ids["1002"][COMPARED.index("attributes")] == "HOMONYME"
    assert ids["1003"][COMPARED.index("attributes")] == "DOUTEUSE"


def test_the_same_identities_from_csv_hl7_and_fhir(db) -> None:  # type: ignore[no-untyped-def]
    csv = rows(db, import_file(db, DATA / "hl7" / "equivalence.csv", "CH").extraction_id)
    fhir = rows(db, import_file(db, DATA / "fhir" / "bundle.json", "CH").extraction_id)
    ndjson = rows(db, import_file(db, DATA / "fhir" / "patients.ndjson", "CH").extraction_id)
    assert csv == fhir == ndjson
    # PAM carries no validation document in PID: every other trait is the same.
    hl7 = rows(
        db, import_file(db, DATA / "hl7" / "adt-batch.hl7", "CH").extraction_id, skip=("document_type",)
    )
    assert hl7 == {ipp: values[:-1] for ipp, values in csv.items()}


def test_folder_of_messages_and_bad_segments(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = decode((DATA / "hl7" / "adt-batch.hl7").read_bytes(), "adt-batch.hl7")
    for n, message in enumerate(split_messages(text)):
        (tmp_path / f"msg{n}.hl7").write_bytes(message.encode("iso-8859-15"))
    bad = "MSH|^~\\&|X|Y|||20250101||ADT^A28^ADT_A05|Z|P|2.5\rPID|1||^^^CH&1.2&ISO^PI||SANS^IPP^^^^^L\r"
    (tmp_path / "zz-bad.hl7").write_text(bad, encoding="utf-8")
    result = import_file(db, tmp_path, "CH dossier")
    assert result.rows == 3
    assert [r.reason for r in result.rejections] == ["ipp_manquant"]
    assert "zz-bad.hl7" in result.rejections[0].detail and "PID-3" in result.rejections[0].detail


def test_escape_sequences_and_legacy_status_mapping(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    message = (
        "MSH|^~\\&|X|Y|||20250101||ADT^A28^ADT_A05|Z|P|2.5|||||FRA|UNICODE UTF-8\r"
        "PID|1||42^^^CH&1.2&ISO^PI||D\\T\\ARC^JEANNE^JEANNE^^^^L||19120106|F" + "|" * 24 + "VALI\r"
    )
    path = tmp_path / "one.hl7"
    path.write_text(message, encoding="utf-8")
    result = import_file(db, path, "CH", mapping=ColumnMapping(status={"VALI": "QUAL"}))
    ids = rows(db, result.extraction_id)
    assert ids["42"][COMPARED.index("birth_name")] == "D&ARC"
    assert ids["42"][COMPARED.index("status")] == "QUAL"


def test_fhir_bad_lines_are_rejected(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lines = (DATA / "fhir" / "patients.ndjson").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "p.ndjson"
    path.write_text("\n".join([lines[0], "{pas du json", lines[1]]) + "\n", encoding="utf-8")
    result = import_file(db, path, "CH")
    assert result.rows == 2 and [r.reason for r in result.rejections] == ["ressource_invalide"]


def test_fhir_export_reimports_to_the_same_identities_with_findings(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = import_file(db, DATA / "hl7" / "equivalence.csv", "CH").extraction_id
    run_checks(db, first)
    out = tmp_path / "bundle.json"
    assert export_extraction(db, first, out) == 3
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["resourceType"] == "Bundle" and len(data["entry"]) == 3
    again = import_file(db, out, "CH").extraction_id
    assert rows(db, first) == rows(db, again)
    flagged = [
        e
        for e in data["entry"]
        if any(x["url"] == "urn:ivo:anomalies" for x in e["resource"].get("extension", []))
    ]
    assert flagged  # the homonym attribute without a partner etc. carry their findings


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_findings_and_duplicates_export_as_spreadsheets(db_url: str, tmp_path: Path, suffix: str) -> None:
    import subprocess
    import sys

    from python_calamine import CalamineWorkbook

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ivo_app", *args, "--db", db_url],
            capture_output=True,
            text=True,
            timeout=300,
        )

    assert run("demo", "--size", "300").returncode == 0
    findings, pairs = tmp_path / f"anomalies{suffix}", tmp_path / f"doublons{suffix}"
    assert run("check", "--format", "csv", "--out", str(findings)).returncode == 0
    assert run("duplicates", "--format", "csv", "--out", str(pairs)).returncode == 0
    if suffix == ".xlsx":
        sheet = CalamineWorkbook.from_path(str(findings)).get_sheet_by_index(0).to_python()
        assert sheet[0] == ["ipp", "regle", "severite", "message", "champs"] and len(sheet) > 10
        assert CalamineWorkbook.from_path(str(pairs)).get_sheet_by_index(0).to_python()[0][:4] == [
            "ipp_a",
            "ipp_b",
            "score",
            "level",
        ]
    else:
        assert pairs.read_text(encoding="utf-8-sig").startswith("ipp_a;ipp_b;score;level;reasons")
