from pathlib import Path

from python_calamine import CalamineWorkbook

from ivo_app.io.writers import safe_cell, write_table


def test_formula_payloads_are_neutralised() -> None:
    for payload in ("=CMD()", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        assert safe_cell(payload).startswith("'")
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
