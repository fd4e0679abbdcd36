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
    assert "cp1252" in mapping_page.facts.text()
    assert "--mapping" not in mapping_page.facts.text() + mapping_page.missing.text()
    # "N° dossier" is read as the IPP; a lone "PRENOM" column holds the first-name list
    assert mapping_page.combos["ipp"].currentData() == "N° dossier"
    assert mapping_page.combos["prenoms_naissance"].currentData() == "PRENOM"
    assert mapping_page.combos["premier_prenom"].currentData() is None
    assert mapping_page.isComplete() and mapping_page.missing.text() == ""
    with qtbot.waitSignal(wizard.import_finished, timeout=30_000) as signal:
        wizard.next()
    extraction_id = signal.args[0]
    assert [e.id for e in list_extractions(db)] == [extraction_id]
    assert list_extractions(db)[0].rows == 2
    assert "ligne 4" in wizard.run_page.report.toPlainText()
    assert wizard.run_page.isComplete()
    from ivo_app.services.browse import identity_page

    first = identity_page(db, extraction_id)[0]
    assert first["first_names"] == "JEAN"  # shown in Identités, not lost


def test_the_mapping_message_names_the_missing_traits_and_goes_away(qtbot, db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    path = tmp_path / "export.csv"
    rows = "".join(f"{i};NOM{i};JEAN;01/02/1980;M\n" for i in range(1, 40))
    path.write_text("Numéro;NOM;PRENOM;DDN;SEXE\n" + rows, encoding="utf-8")
    wizard = ImportWizard(db)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.width() <= 1280 and wizard.height() <= 680  # fits a 1280×720 screen
    wizard.file_page.path.setText(str(path))
    qtbot.keyClicks(wizard.file_page.facility, "CH Neuf")
    qtbot.mouseClick(wizard.button(wizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    page = wizard.mapping_page
    assert page.model.rowCount() >= 20  # enough lines to recognise the columns
    assert "IPP" in page.missing.text() and "--mapping" not in page.missing.text()
    ipp = page.combos["ipp"]
    ipp.setCurrentIndex(ipp.findData("Numéro"))
    assert page.missing.text() == "" and page.isComplete()


def test_an_existing_facility_is_chosen_from_the_list(qtbot, db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ivo_app.services.demo import create_demo

    create_demo(db, size=100, seed=1, facility="CH Existant")
    wizard = ImportWizard(db)
    qtbot.addWidget(wizard)
    choice = wizard.file_page.facility_choice
    assert [choice.itemText(i) for i in range(choice.count())] == ["CH Existant", "Nouvel établissement…"]
    assert not wizard.file_page.facility.isEnabled()  # nothing typed, nothing mistyped
    assert wizard.file_page.facility_name() == "CH Existant"
    choice.setCurrentIndex(1)
    assert wizard.file_page.facility.isEnabled() and wizard.file_page.facility_name() == ""


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
    assert wizard.file_page.error.wordWrap()  # the whole sentence, never cut


def test_a_failed_import_never_shows_a_full_bar(qtbot, db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    path = tmp_path / "vide.csv"
    path.write_text("IPP;NOM;PRENOM;DDN;SEXE\n;SANS;IPP;01/01/2000;M\n", encoding="utf-8")  # no valid line
    wizard = ImportWizard(db)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_page.path.setText(str(path))
    qtbot.keyClicks(wizard.file_page.facility, "CH Vide")
    qtbot.mouseClick(wizard.button(wizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(wizard.button(wizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    run = wizard.run_page
    qtbot.waitUntil(lambda: run.done, timeout=30_000)
    assert "Échec" in run.report.toPlainText() and "n'a pas été modifiée" in run.report.toPlainText()
    assert run.bar.value() < run.bar.maximum()  # not a bar at 100 % for an import that did not happen
    assert list_extractions(db) == []


def test_the_wizard_shows_the_import_report_of_a_real_hl7_file(qtbot, db) -> None:  # type: ignore[no-untyped-def]
    """An ANS PAM FR admission (../shared/reference/external): the summary names the identifier domain
    and what was kept, as `ivo importer` prints it (issue 14, the import report in the window)."""
    import pytest
    from PySide6.QtCore import Qt

    from tests.conftest import SHARED_REFERENCE

    path = SHARED_REFERENCE / "external" / "hl7-ansforge" / "SGL_admission.er7"
    if not path.exists():
        pytest.skip("../shared/reference/external absent")
    wizard = ImportWizard(db)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.keyClicks(wizard.file_page.path, str(path))
    qtbot.keyClicks(wizard.file_page.facility, "CH Messages")
    run = wizard.run_page
    for _ in range(3):  # file, mapping (a message file may need none), then the import runs
        if wizard.currentPage() is run:
            break
        qtbot.mouseClick(wizard.button(wizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is run
    qtbot.waitUntil(lambda: run.done, timeout=30_000)
    text = run.report.toPlainText()
    assert "1 identité importée" in text, text
    assert "Domaine " in text and "1 lus, 1 gardés" in text, text


def test_a_refusal_quoting_the_file_name_is_shown_as_text_never_as_html(qtbot, db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Messages quote file names and contents: « <b>… » must read as typed (issue 19, 15)."""
    from PySide6.QtCore import Qt

    path = tmp_path / "<b>gras.csv"
    path.write_bytes(b"\x89PNG\x00\x00\x01")
    wizard = ImportWizard(db)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.keyClicks(wizard.file_page.path, str(path))
    qtbot.keyClicks(wizard.file_page.facility, "CH")
    qtbot.mouseClick(wizard.button(wizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.file_page
    error = wizard.file_page.error
    assert "<b>gras.csv" in error.text()
    assert error.textFormat() == Qt.TextFormat.PlainText  # AutoText would render « gras » in bold


def test_the_file_is_read_off_the_window_thread(qtbot, db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The preview of a large file (here 8,000 HL7 messages, all parsed to show the first patients)
    is read in a worker: the window's event loop keeps running during the read (issue 19, readers
    outside the window's thread)."""
    from PySide6.QtCore import Qt, QTimer

    msh = "MSH|^~\\&|X|Y|||20250101||ADT^A28^ADT_A05|{n}|P|2.5|||||FRA|UNICODE UTF-8\r"
    pid = "PID|1||{n}^^^CH&1.2&ISO^PI||NOM{n}^JEANNE^JEANNE^^^^L||19120106|F\r\n"
    path = tmp_path / "adt.hl7"
    path.write_text("".join(msh.format(n=n) + pid.format(n=n) for n in range(8000)), encoding="utf-8")
    wizard = ImportWizard(db)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.keyClicks(wizard.file_page.path, str(path))
    qtbot.keyClicks(wizard.file_page.facility, "CH Messages")
    ticks_while_reading: list[bool] = []
    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(lambda: ticks_while_reading.append(getattr(wizard.file_page, "_reading", False)))
    timer.start()
    qtbot.mouseClick(wizard.button(wizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    timer.stop()
    assert wizard.currentPage() is wizard.mapping_page
    assert any(ticks_while_reading)  # the window answered while the file was read
    assert wizard.preview is not None and wizard.preview.rows[0][0] == "0"
