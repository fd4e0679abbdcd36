"""C0 control characters in names: `ivo export --out F.xlsx` and `ivo check --out F.xlsx` write
them as U+XXXX (before, openpyxl's IllegalCharacterError stopped both), and say which cells."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from ivo_app.cli import main
from ivo_app.io.writers import write_table


def _export(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(
        "IPP;NOM;PRENOM;DDN;SEXE;STATUT\n"
        "1;DU\x07PONT;JEAN;01/02/1980;M;PROV\n"
        "2;MARTIN;LU\x1bC;03/04/1981;M;PROV\n"
        "3;=SOMME(A1);PAUL;05/06/1982;M;PROV\n",
        encoding="utf-8",
    )
    return path


def test_export_and_check_to_xlsx_with_control_characters(db_url: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["import", str(_export(tmp_path)), "--facility", "CH Ctrl", "--db", db_url]) == 0
    out = tmp_path / "identites.xlsx"
    assert main(["export", "--out", str(out), "--db", db_url]) == 0
    printed = capsys.readouterr().out
    assert "U+XXXX" in printed and "ligne 1" in printed and "ligne 2" in printed
    values = [
        c for row in load_workbook(out).active.iter_rows(values_only=True) for c in row if isinstance(c, str)
    ]
    assert "DUU+0007PONT" in values and "LUU+001BC" in values
    assert "'=SOMME(A1)" in values  # still formula-safe
    findings = tmp_path / "anomalies.xlsx"
    assert main(["check", "--format", "csv", "--out", str(findings), "--db", db_url]) == 0
    rows = list(load_workbook(findings).active.iter_rows(values_only=True))
    messages = " ".join(str(r[3]) for r in rows[1:])
    assert "U+0007" in messages and "\x07" not in messages


def test_writer_reports_the_cells_it_changed(tmp_path: Path) -> None:
    written = write_table(tmp_path / "t.xlsx", ["a", "b"], [["ok", "x\x00y"], ["\x1f", 3]])
    assert written == 2 and written.replaced == ((1, "b"), (2, "a"))
    rows = list(load_workbook(tmp_path / "t.xlsx").active.iter_rows(values_only=True))
    assert rows[1] == ("ok", "xU+0000y") and rows[2] == ("U+001F", 3)
    csv_written = write_table(tmp_path / "t.csv", ["a"], [["x\x07y"]])
    assert csv_written == 1 and not csv_written.replaced


def test_a_name_longer_than_its_column_is_a_rejected_line_never_cut(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Before, clean_text cut it to 255 characters without a word in the report."""
    from ivo_app.services.imports import import_file
    from ivo_app.services.records import NAME_SIZE
    from ivo_app.store.models import Identity

    long_name = "MARTIN-" * 40  # 280 characters
    path = tmp_path / "long.csv"
    path.write_text(
        f"IPP;NOM;PRENOM;DDN;SEXE\n1;{long_name.rstrip('-')};JEAN;01/02/1980;M\n2;DURAND;LUC;01/02/1981;M\n",
        encoding="utf-8",
    )
    result = import_file(db, path, "CH Long")
    assert result.rows == 1
    assert [(r.line_no, r.reason) for r in result.rejections] == [(2, "trait_trop_long")]
    assert "279 caractères" in result.rejections[0].detail
    with db.sessions() as session:
        names = [i.birth_name for i in session.query(Identity).all()]
    assert names == ["DURAND"] and Identity.__table__.c.birth_name.type.length == NAME_SIZE
