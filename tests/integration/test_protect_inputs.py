"""Bad files stop the import with the line and a French message, and keep nothing (issue 19:
items 3, 12, 13, 14 and the NUL byte line)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from ivo_app.errors import MappingError, UnreadableFileError
from ivo_app.io.mapping import ColumnMapping
from ivo_app.services.imports import import_file
from tests.integration.test_import_errors import HEADER, both_readers, counts


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ivo_app", *args], capture_output=True, text=True, timeout=timeout
    )


def identity_lines(n: int, start: int = 0) -> list[str]:
    return [f"{i};NOM{i};PRENOM;01/01/1980;M" for i in range(start, start + n)]


@both_readers
def test_an_unclosed_quote_stops_the_import_with_its_line(db, tmp_path: Path, read_ahead: bool) -> None:
    lines = [HEADER, *identity_lines(2000)]
    lines[11] = '10;"NOM10;PRENOM;01/01/1980;M'  # line 12 of the file
    path = tmp_path / "guillemet.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = counts(db)
    with pytest.raises(UnreadableFileError, match="guillemet ouvert ligne 12") as caught:
        import_file(db, path, "CH Test", read_ahead=read_ahead)
    assert "rien n'a été importé" in caught.value.message
    assert counts(db) == before


def test_an_unclosed_quote_closed_by_a_later_one_is_caught_too(db, tmp_path: Path) -> None:
    # The stray quote pairs with another one 500 lines down: the row in between has the right
    # number of columns only by chance, its field holds 500 whole records.
    lines = [HEADER, *identity_lines(2000)]
    lines[11] = '10;"NOM10;PRENOM;01/01/1980;M'
    lines[511] = '510;NOM510";PRENOM;01/01/1980;M'
    path = tmp_path / "deux.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="ligne 12"):
        import_file(db, path, "CH Test")


def test_cli_unclosed_quote_exit_2(db_url: str, tmp_path: Path) -> None:
    lines = [HEADER, *identity_lines(2000)]
    lines[11] = '10;"NOM10;PRENOM;01/01/1980;M'
    path = tmp_path / "guillemet.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("import", str(path), "--facility", "CH", "--db", db_url)
    assert result.returncode == 2, result.stdout
    assert "guillemet ouvert ligne 12" in result.stderr
    assert "importées" not in result.stdout


def test_an_unclosed_quote_on_the_last_line_is_caught(db, tmp_path: Path) -> None:
    path = tmp_path / "fin.csv"
    path.write_text(
        HEADER + "\n" + "\n".join(identity_lines(5)) + '\n5;B;C;01/01/1980;"F\n', encoding="utf-8"
    )
    with pytest.raises(UnreadableFileError, match="guillemet ouvert ligne 7"):
        import_file(db, path, "CH Test")


def test_a_quoted_line_break_is_still_one_record(db, tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text(
        HEADER + '\n1;"DUPONT\nDE LA TOUR";JEAN;01/01/1980;M\n2;B;C;01/01/1980;F\n', encoding="utf-8"
    )
    assert import_file(db, path, "CH Test").rows == 2


@both_readers
def test_a_latin1_line_in_a_utf8_file_is_refused_with_its_line(db, tmp_path: Path, read_ahead: bool) -> None:
    body = "\n".join([HEADER, *(f"{i};HÉLÈNE{i};ÉLODIE;01/01/1980;F" for i in range(3000))]) + "\n"
    path = tmp_path / "mixte.csv"
    path.write_bytes(body.encode("utf-8") + "3000;MÉLANIE;X;01/01/1980;F\n".encode("cp1252"))
    before = counts(db)
    with pytest.raises(UnreadableFileError, match="ligne 3002 en Windows-1252"):
        import_file(db, path, "CH Test", read_ahead=read_ahead)
    assert counts(db) == before


def test_a_utf8_line_in_a_cp1252_file_is_refused_with_its_line(db, tmp_path: Path) -> None:
    body = "\n".join([HEADER, *(f"{i};HÉLÈNE{i};ÉLODIE;01/01/1980;F" for i in range(100))]) + "\n"
    path = tmp_path / "mixte.csv"
    path.write_bytes(body.encode("cp1252") + "100;MÉLANIE;X;01/01/1980;F\n".encode())
    with pytest.raises(UnreadableFileError, match="ligne 102 en UTF-8"):
        import_file(db, path, "CH Test")


def test_a_whole_cp1252_file_still_imports(db, tmp_path: Path) -> None:
    body = "\n".join([HEADER, *(f"{i};HÉLÈNE{i};ÉLODIE;01/01/1980;F" for i in range(100))]) + "\n"
    path = tmp_path / "ansi.csv"
    path.write_bytes(body.encode("cp1252"))
    result = import_file(db, path, "CH Test")
    assert result.rows == 100 and result.encoding == "cp1252"


@both_readers
def test_a_line_with_a_nul_byte_is_rejected_and_named(db, tmp_path: Path, read_ahead: bool) -> None:
    lines = [HEADER, *identity_lines(2000)]
    lines[1500] = "1499;NO\x00M;PRENOM;01/01/1980;M"  # line 1501, beyond the first 64 KiB? no matter
    path = tmp_path / "nul.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_file(db, path, "CH Test", read_ahead=read_ahead)
    assert result.rows == 1999
    assert [(r.line_no, r.reason) for r in result.rejections] == [(1501, "ligne_illisible")]
    assert "nul" in result.rejections[0].detail


@pytest.mark.parametrize("line", [4, 800])
def test_a_ten_megabyte_field_is_a_french_error_exit_2(db_url: str, tmp_path: Path, line: int) -> None:
    lines = [HEADER, *identity_lines(1000)]
    lines[line - 1] = "2;" + "X" * 10_000_000 + ";P;01/01/1980;M"
    path = tmp_path / "enorme.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("import", str(path), "--facility", "CH", "--db", db_url)
    assert result.returncode == 2, result.stderr
    assert f"ligne {line}" in result.stderr and "Mo" in result.stderr
    assert "interne" not in result.stderr


def test_import_of_dev_zero_does_not_hang(db_url: str) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    start = time.monotonic()
    result = run_cli("import", "/dev/zero", "--facility", "CH", "--db", db_url, timeout=60)
    assert result.returncode == 2
    assert "pas un fichier ordinaire" in result.stderr
    assert time.monotonic() - start < 60


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"date_format": "%Q%Q"}, "date_format"),
        ({"date_format": "%d"}, "date_format"),
        ({"date_format": 12}, "date_format"),
        ({"status": {"VALIDE": "QUALIFIEE"}}, "QUALIFIEE"),
        ({"status": ["VALI"]}, "status"),
        ({"columns": ["ipp"]}, "columns"),
        ({"columns": {"ipp": 3}}, "columns"),
    ],
)
def test_invalid_mapping_values_are_refused(db_url: str, tmp_path: Path, mapping: dict, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        ColumnMapping.from_json(mapping)
    data = tmp_path / "d.csv"
    data.write_text(HEADER + "\n" + "\n".join(identity_lines(3)) + "\n", encoding="utf-8")
    path = tmp_path / "m.json"
    path.write_text(json.dumps(mapping), encoding="utf-8")
    result = run_cli("import", str(data), "--facility", "CH", "--db", db_url, "--mapping", str(path))
    assert result.returncode == 2, result.stderr
    assert "correspondance invalide" in result.stderr


def test_valid_date_formats_still_pass() -> None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d%m%Y", "%d/%m/%y", "%d %B %Y"):
        assert ColumnMapping.from_json({"date_format": fmt}).date_format == fmt


def _tiny_workbook(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["ipp", "nom_naissance", "premier_prenom", "date_naissance", "sexe"])
    sheet.append(["1", "DUPONT", "JEAN", "01/01/1980", "M"])
    book.save(path)


def test_xlsx_with_a_cell_at_the_last_column_is_refused_before_allocation(
    db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "loin.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["ipp", "nom_naissance", "premier_prenom", "date_naissance", "sexe"])
    sheet["XFD1048576"] = "x"
    book.save(path)
    assert path.stat().st_size < 10_000
    result = run_cli("import", str(path), "--facility", "CH", "--db", db_url)
    assert result.returncode == 2, result.stderr
    assert "XFD1048576" in result.stderr and "Classeur refusé" in result.stderr


def test_a_far_cell_written_with_single_quotes_is_caught_too(db, tmp_path: Path) -> None:
    plain = tmp_path / "loin.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["ipp", "nom_naissance", "premier_prenom", "date_naissance", "sexe"])
    sheet["XFD1048576"] = "x"
    book.save(plain)
    quoted = tmp_path / "apostrophes.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(quoted, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(b'r="XFD1048576"', b"r='XFD1048576'")
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    with pytest.raises(UnreadableFileError, match="XFD1048576"):
        import_file(db, quoted, "CH Test")


def test_xlsx_shared_strings_bomb_is_refused(db, tmp_path: Path) -> None:
    plain = tmp_path / "plain.xlsx"
    _tiny_workbook(plain)
    bomb = tmp_path / "bombe.xlsx"
    strings = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="1000000" uniqueCount="1000000">'
        + b"<si><t>AAAAAAAAAA</t></si>" * 1_000_000
        + b"</sst>"
    )
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
                )
            elif info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        dst.writestr("xl/sharedStrings.xml", strings, compress_type=zipfile.ZIP_DEFLATED)
    assert bomb.stat().st_size < 400_000
    before = counts(db)
    with pytest.raises(UnreadableFileError, match="sharedStrings"):
        import_file(db, bomb, "CH Test")
    assert counts(db) == before
    assert import_file(db, plain, "CH Test").rows == 1  # an ordinary workbook reads as before


def test_a_status_mapping_key_with_accents_applies(db, tmp_path: Path) -> None:
    path = tmp_path / "statuts.csv"
    path.write_text(HEADER + ";statut\n1;A;B;01/01/1980;M;Validée\n", encoding="utf-8")
    mapping = ColumnMapping.from_json({"status": {"Validée": "QUAL"}})
    result = import_file(db, path, "CH Test", mapping=mapping)
    from sqlalchemy import select

    from ivo_app.store.models import Identity
    from ivo_app.store.uow import UnitOfWork

    with UnitOfWork(db) as uow:
        assert (
            uow.session.scalar(select(Identity.status).where(Identity.extraction_id == result.extraction_id))
            == "QUAL"
        )
