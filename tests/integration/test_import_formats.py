"""Imports of real-looking exports: every format, encoding, separator, synonyms, mapping files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from ivo_app.io.mapping import ColumnMapping
from ivo_app.services.imports import import_file, preview_file
from ivo_app.store.models import Identity
from ivo_app.store.uow import UnitOfWork

HEADER = [
    "ipp",
    "nom_naissance",
    "prenoms_naissance",
    "premier_prenom",
    "nom_utilise",
    "date_naissance",
    "sexe",
    "lieu_naissance",
    "matricule_ins",
    "oid_ins",
    "statut",
    "attributs",
    "justificatif",
    "date_derniere_venue",
    "service",
]
ROWS = [
    [
        "1001",
        "DUPONT",
        "JEAN PIERRE",
        "JEAN",
        "",
        "12/03/1980",
        "M",
        "31555",
        "1 80 03 31 555 123 45",
        "1.2.250.1.213.1.4.8",
        "QUAL",
        "",
        "CN",
        "2025-01-10",
        "Cardiologie",
    ],
    [
        "1002",
        "LŒWENBRÜCK",
        "ÉLODIE",
        "ÉLODIE",
        "MARTIN",
        "1985-07-01",
        "F",
        "99134",
        "",
        "",
        "VALI",
        "homonyme",
        "PA",
        "",
        "Urgences",
    ],
    [
        "1003",
        "<b>Ōtsuka</b>",
        "=CMD()",
        "=CMD()",
        "",
        "31/02/1990",
        "X",
        "",
        "",
        "",
        "PROV",
        "DOUTEUSE",
        "",
        "",
        "",
    ],
]


def write_delimited(
    path: Path, sep: str, encoding: str, rows: list[list[str]] = ROWS, header: list[str] = HEADER
) -> Path:
    lines = [sep.join(header)] + [sep.join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding, errors="strict"))
    return path


def stored(db, extraction_id: int) -> dict[str, Identity]:  # type: ignore[no-untyped-def]
    with UnitOfWork(db) as uow:
        rows = uow.session.scalars(select(Identity).where(Identity.extraction_id == extraction_id)).all()
        return {r.ipp: r for r in rows}


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"), ("iso-8859-15", "iso-8859-15")],
)
def test_encodings_are_detected_and_accents_survive(db, tmp_path: Path, encoding: str, expected: str) -> None:
    rows = [r[:] for r in ROWS]
    rows[2][1] = "<b>OTSUKA</b>"  # Ō does not exist in the 8-bit code pages
    if encoding == "cp1252":
        rows[1][1] = "LŒWENBRÜCK’"  # ’ only exists in Windows-1252
    path = write_delimited(tmp_path / "export.csv", ";", encoding, rows)
    result = import_file(db, path, "CH Test")
    assert result.encoding == expected
    assert result.rows == 3
    ids = stored(db, result.extraction_id)
    assert ids["1002"].birth_name == rows[1][1]
    assert ids["1002"].first_names == "ÉLODIE"
    assert ids["1002"].birth_name_norm.startswith("LOEWENBRUCK")


@pytest.mark.parametrize("sep", [";", ",", "\t", "|"])
def test_separators_are_detected(db, tmp_path: Path, sep: str) -> None:
    result = import_file(db, write_delimited(tmp_path / "e.txt", sep, "utf-8"), "CH Test")
    assert result.separator == sep
    assert result.rows == 3


def test_traits_are_parsed_and_kept_as_found(db, tmp_path: Path) -> None:
    result = import_file(db, write_delimited(tmp_path / "e.csv", ";", "utf-8"), "CH Test")
    ids = stored(db, result.extraction_id)
    jean, elodie, odd = ids["1001"], ids["1002"], ids["1003"]
    assert jean.birth_date == date(1980, 3, 12) and jean.birth_date_raw is None
    assert jean.ins_matricule == "180033155512345"
    assert jean.status == "QUAL" and jean.last_visit == date(2025, 1, 10)
    assert jean.extra == {"service": "Cardiologie"}
    assert elodie.attributes == "HOMONYME" and elodie.used_name == "MARTIN"
    # Bad traits are stored as found for the rules, never dropped or "fixed".
    assert odd.birth_date is None and odd.birth_date_raw == "31/02/1990"
    assert odd.sex == "X"
    assert odd.birth_name == "<b>Ōtsuka</b>" and odd.first_names == "=CMD()"


@pytest.mark.parametrize("read_ahead", [False, True], ids=["en-processus", "lecteur-separe"])
def test_xlsx_with_typed_cells(db, tmp_path: Path, read_ahead: bool) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["N° IPP", "NOM", "PRENOM", "DDN", "SEXE", "NIR"])
    sheet.append([1001, "DUPONT", "JEAN", date(1980, 3, 12), "M", "180033155512345"])
    sheet.append([1002.0, "MARTIN", "ÉLODIE", "01/07/1985", "F", None])
    sheet.append([None, None, None, None, None, None])  # blank row: skipped, not rejected
    path = tmp_path / "export.xlsx"
    book.save(path)
    result = import_file(db, path, "CH Test", read_ahead=read_ahead)  # a large workbook: a second process
    assert (result.source_format, result.rows, result.rejections) == ("xlsx", 2, [])
    ids = stored(db, result.extraction_id)
    assert ids["1001"].birth_date == date(1980, 3, 12)
    assert ids["1002"].birth_date == date(1985, 7, 1)
    assert ids["1001"].first_first_name == "JEAN"


def test_synonym_headers_of_an_admission_export(db, tmp_path: Path) -> None:
    header = [
        "N° IPP",
        "NOM NAISSANCE",
        "PRENOM",
        "DATE NAISS",
        "SEXE",
        "INS",
        "LIEU NAISS",
        "STATUT",
        "Etage",
    ]
    rows = [["77", "BERNARD", "LUC", "02/02/1950", "H", "", "99999", "Identité provisoire", "3"]]
    result = import_file(db, write_delimited(tmp_path / "s.csv", ";", "cp1252", rows, header), "CH Test")
    person = stored(db, result.extraction_id)["77"]
    assert (person.birth_name, person.sex, person.status, person.birthplace) == (
        "BERNARD",
        "M",
        "PROV",
        "99999",
    )
    assert person.extra == {"Etage": "3"}


def test_mapping_file_and_status_mapping(db, tmp_path: Path) -> None:
    header = ["dossier", "patronyme", "prenoms usuels", "naissance", "genre", "fiab"]
    rows = [["A1", "PETIT", "ANNE MARIE", "03/12/1970", "F", "VALI"]]
    path = write_delimited(tmp_path / "m.csv", ",", "utf-8", rows, header)
    mapping_path = tmp_path / "mapping.json"
    mapping_path.write_text(
        json.dumps(
            {
                "columns": {
                    "ipp": "dossier",
                    "nom_naissance": "patronyme",
                    "prenoms_naissance": "prenoms usuels",
                    "date_naissance": "naissance",
                    "sexe": "genre",
                    "statut": "fiab",
                },
                "status": {"VALI": "QUAL"},
                "date_format": "%m/%d/%Y",
            }
        ),
        encoding="utf-8",
    )
    result = import_file(db, path, "CH Test", mapping=ColumnMapping.load(mapping_path))
    person = stored(db, result.extraction_id)["A1"]
    assert person.status == "QUAL" and person.status_source == "VALI"
    assert person.first_first_name == "ANNE"  # derived from the list
    assert person.birth_date == date(1970, 3, 12)  # month first, as the mapping says


def test_preview_shows_columns_even_when_mapping_is_incomplete(tmp_path: Path) -> None:
    path = write_delimited(
        tmp_path / "p.csv", ";", "cp1252", [["1", "X", "Y"]], ["dossier", "patronyme", "z"]
    )
    preview = preview_file(path)
    assert preview.headers == ["dossier", "patronyme", "z"]
    assert preview.rows == [["1", "X", "Y"]]
    assert preview.mapping is not None and preview.mapping.columns == {"nom_naissance": "patronyme"}
    assert "IPP" in (preview.mapping_error or "")
    assert preview.encoding == "utf-8" and preview.separator == ";"


def test_extractions_of_one_facility_coexist(db, tmp_path: Path) -> None:
    path = write_delimited(tmp_path / "e.csv", ";", "utf-8")
    first = import_file(db, path, "CH Test", extracted_on=date(2025, 1, 1))
    second = import_file(db, path, "CH  Test", extracted_on=date(2025, 6, 1))
    with UnitOfWork(db) as uow:
        assert len(uow.facilities.list()) == 1
        assert [e.id for e in uow.extractions.list()] == [first.extraction_id, second.extraction_id]
        assert uow.extractions.previous(uow.extractions.get(second.extraction_id)).id == first.extraction_id
        total = uow.session.scalar(select(func.count()).select_from(Identity))
    assert total == 6
