"""`ivo settings`: the same per-facility settings as the Paramètres page, from the command line."""

from __future__ import annotations

from pathlib import Path

from ivo_app.cli import main
from ivo_app.services import settings
from ivo_app.services.imports import import_file


def test_settings_from_the_command_line(db, db_url: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    export = tmp_path / "export.csv"
    export.write_text("IPP;NOM;PRENOM;DDN;SEXE;STATUT\n1;DUPONT;JEAN;01/02/1980;M;VALI\n", encoding="utf-8")
    import_file(db, export, "CH Ligne")
    assert (
        main(["settings", "statuses", "--db", db_url, "--facility", "CH Ligne", "VALI=QUAL", "vide=prov"])
        == 0
    )
    assert main(["settings", "active-years", "--db", db_url, "--facility", "CH Ligne", "2"]) == 0
    assert main(["settings", "thresholds", "--db", db_url, "16", "9.5"]) == 0
    assert settings.facility_settings(db, "CH Ligne").statuses == {"VALI": "QUAL", "VIDE": "PROV"}
    assert (
        settings.facility_settings(db, "CH Ligne").active_years == 2
        and settings.facility_settings(db, None).active_years == 3
    )
    assert settings.facility_settings(db, "CH Ligne").thresholds == {"probable": 16.0, "a_examiner": 9.5}
    capsys.readouterr()
    assert main(["settings", "show", "--db", db_url, "--facility", "CH Ligne"]) == 0
    out = capsys.readouterr().out
    assert "VALI → QUAL" in out and "file active : 2 ans" in out and "probable ≥ 16" in out
    assert main(["settings", "thresholds", "--db", db_url, "9", "16"]) == 2  # probable under « à examiner »
    assert "dépasser" in capsys.readouterr().err
    assert main(["settings", "statuses", "--db", db_url, "VALI"]) == 2
    assert main(["settings", "thresholds", "--db", db_url, "--reset"]) == 0
    assert settings.facility_settings(db, None).thresholds == settings.model_thresholds()
