"""The wizard's summary exports the rejected lines (formula-safe CSV), as `ivo rejets --format csv` does."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit

from ivo_app.cli import main
from ivo_app.services.journal import read_journal
from ivo_app.ui.import_wizard import ImportWizard

EXPORT = (
    "ipp;nom_naissance;premier_prenom;date_naissance;sexe\n"
    "1;DUPONT;JEAN;01/02/1980;M\n"
    ";SANS;IPP;03/04/1990;F\n"
    "=1+2;FORMULE;A;01/01/2000;M\n"
    "=1+2;FORMULE;B;01/01/2000;M\n"
    "4;TROP;DE;01/01/2000;M;colonnes\n"
)


def import_through_the_wizard(qtbot, db, path: Path) -> ImportWizard:  # type: ignore[no-untyped-def]
    wizard = ImportWizard(db)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_page.path.setText(str(path))
    wizard.file_page.facility.setText("CH Rejets")
    wizard.next()
    assert wizard.currentPage() is wizard.mapping_page
    with qtbot.waitSignal(wizard.import_finished, timeout=30_000):
        wizard.next()
    return wizard


def save_as(target: Path) -> list[str]:
    """Answer the next file dialog with `target` (the real dialog, driven like a user)."""
    seen: list[str] = []

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QFileDialog):
            seen.append(dialog.windowTitle())
            name = dialog.findChild(QLineEdit, "fileNameEdit")  # where the user types the name
            assert name is not None
            name.setText(str(target))
            dialog.accept()

    QTimer.singleShot(300, fill)
    return seen


def read_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh, delimiter=";"))


def test_export_the_rejected_lines_from_the_summary(qtbot, db, db_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "export.csv"
    source.write_text(EXPORT, encoding="utf-8")
    wizard = import_through_the_wizard(qtbot, db, source)
    run = wizard.run_page
    assert run.result is not None and run.result.rows == 2 and len(run.result.rejections) == 3
    assert run.export_button.isEnabled()

    target = tmp_path / "rejets.csv"
    seen = save_as(target)
    qtbot.mouseClick(run.export_button, Qt.MouseButton.LeftButton)
    assert seen == ["Exporter les lignes rejetées"]
    rows = read_rows(target)
    assert rows[0] == ["ligne", "motif", "detail"]
    assert [r[0] for r in rows[1:]] == ["3", "5", "6"]
    assert rows[1][1] == "IPP absent"
    assert rows[2][1:] == ["IPP déjà présent dans le fichier", "'=1+2"]  # never run as a formula
    assert "3 lignes rejetées exportées" in run.message.text()
    assert read_journal(db)[-1].action == "export_rejets"

    # The command line writes the same file through the same service.
    cli_target = tmp_path / "rejets-cli.csv"
    code = main(["rejets", "--db", db_url, "--extraction", str(run.result.extraction_id), "--format", "csv",
                 "--out", str(cli_target)])  # fmt: skip
    assert code == 0 and read_rows(cli_target) == rows


def test_nothing_to_export_without_rejected_lines(qtbot, db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "propre.csv"
    source.write_text(EXPORT.splitlines()[0] + "\n1;DUPONT;JEAN;01/02/1980;M\n", encoding="utf-8")
    wizard = import_through_the_wizard(qtbot, db, source)
    assert wizard.run_page.result is not None and not wizard.run_page.result.rejections
    assert not wizard.run_page.export_button.isEnabled()


def test_a_workbook_with_a_far_cell_is_refused_in_the_window_too(qtbot, db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A 1.6 KB XLSX with one cell at XFD1048576 (issue 19, item 12): the wizard says why, on its first
    page, and the window lives on (the reader once asked for 512 GiB and the process died)."""
    from openpyxl import Workbook
    from PySide6.QtCore import Qt

    path = tmp_path / "loin.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ipp", "nom_naissance", "premier_prenom", "date_naissance", "sexe"])
    sheet["XFD1048576"] = "x"
    book.save(path)
    wizard = ImportWizard(db)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.keyClicks(wizard.file_page.path, str(path))
    qtbot.keyClicks(wizard.file_page.facility, "CH")
    qtbot.mouseClick(wizard.button(wizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.file_page
    assert (
        "Classeur refusé" in wizard.file_page.error.text() and "XFD1048576" in wizard.file_page.error.text()
    )
    assert wizard.isVisible()
