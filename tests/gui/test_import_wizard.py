"""Importing a file through the wizard: preview, mapping, import in a worker, summary."""

from __future__ import annotations

from pathlib import Path

from ivo_app.services.extractions import list_extractions
from ivo_app.ui.import_wizard import ImportWizard


def test_import_through_the_wizard(qtbot, db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "export.csv"
    path.write_text(
        "N° dossier;NOM;PRENOM;DDN;SEXE;Etage\n1;DUPONT;JEAN;01/02/1980;M;3\n2;MARTIN;ANNE;03/04/1990;F;\n"
        "2;DOUBLE;X;01/01/2000;M;\n",
        encoding="cp1252",
    )
    wizard = ImportWizard(db)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_page.path.setText(str(path))
    wizard.file_page.facility.setText("CH Assistant")
    wizard.next()
    mapping_page = wizard.mapping_page
    assert wizard.currentPage() is mapping_page
    assert "cp1252" in mapping_page.facts.text() and "IPP" in mapping_page.facts.text()
    assert not mapping_page.isComplete()  # "N° dossier" is not a known IPP header: the user maps it
    ipp = mapping_page.combos["ipp"]
    ipp.setCurrentIndex(ipp.findData("N° dossier"))
    assert mapping_page.isComplete()
    with qtbot.waitSignal(wizard.import_finished, timeout=30_000) as signal:
        wizard.next()
    extraction_id = signal.args[0]
    assert [e.id for e in list_extractions(db)] == [extraction_id]
    assert list_extractions(db)[0].rows == 2
    assert "ligne 4" in wizard.run_page.report.toPlainText()
    assert wizard.run_page.isComplete()


def test_unreadable_file_is_refused_on_the_first_page(qtbot, db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "image.csv"
    path.write_bytes(b"\x89PNG\x00\x00\x01")
    wizard = ImportWizard(db)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_page.path.setText(str(path))
    wizard.file_page.facility.setText("CH")
    wizard.next()
    assert wizard.currentPage() is wizard.file_page
    assert "illisible" in wizard.file_page.error.text()
