from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from ivo_app.io.writers import safe_cell, unguard_cell, write_csv_stream, write_table


def test_formula_payloads_are_neutralised() -> None:
    for payload in ("=CMD()", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\uff1d1+1", "\uff0bA1", "\uff20X"):
        assert safe_cell(payload).startswith("'"), payload
    # A signed number computes nothing: an IPP "+1" or "-12" is exported as it is.
    for number in ("+1", "-12", "+33 6 12 34 56", "-1,5"):
        assert safe_cell(number) == number
    assert safe_cell("DUPONT") == "DUPONT"
    assert safe_cell(12) == 12


def test_csv_and_xlsx_outputs_keep_text_but_never_formulas(tmp_path: Path) -> None:
    rows = [["1", '=HYPERLINK("http://x")', "<b>MARTIN</b>"]]
    csv_path = tmp_path / "o.csv"
    write_table(csv_path, ["ipp", "nom", "autre"], rows)
    text = csv_path.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "<b>MARTIN</b>" in text
    xlsx_path = tmp_path / "o.xlsx"
    write_table(xlsx_path, ["ipp", "nom", "autre"], rows)
    sheet = CalamineWorkbook.from_path(str(xlsx_path)).get_sheet_by_index(0).to_python()
    assert sheet[1][1] == '\'=HYPERLINK("http://x")'
    assert sheet[1][2] == "<b>MARTIN</b>"


def test_guarded_cells_read_back_as_they_were() -> None:
    for value in ("=A1", "+1+1", "\uff1dX", "DUPONT", "'T HOOFT", "+1"):
        assert unguard_cell(str(safe_cell(value))) == value


def test_csv_to_a_stream_is_guarded() -> None:
    import io

    out = io.StringIO()
    write_csv_stream(out, ["ipp_a", "ipp_b"], [["=1+1", "+1"], ["\uff1dHYPERLINK()", "2"]])
    assert out.getvalue().splitlines() == ["ipp_a;ipp_b", "'=1+1;+1", "'\uff1dHYPERLINK();2"]


def test_a_failed_write_leaves_no_file(tmp_path: Path) -> None:
    def rows():  # type: ignore[no-untyped-def]
        yield ["1", "A"]
        raise RuntimeError("disque arraché")

    out = tmp_path / "export.csv"
    out.write_text("previous export", encoding="utf-8")
    with pytest.raises(RuntimeError):
        write_table(out, ["ipp", "nom"], rows())
    assert out.read_text(encoding="utf-8") == "previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]
