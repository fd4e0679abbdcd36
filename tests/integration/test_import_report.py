"""The import report: per source system and identifier domain, in the CLI, the journal and a file;
dates of a delimited file read in the order of their column."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import select

from ivo_app.services.imports import import_file
from ivo_app.store.models import Identity
from ivo_app.store.uow import UnitOfWork

DATA = Path(__file__).resolve().parent.parent / "data"


def test_a_delimited_aaaammjj_column_is_read_as_aaaammjj(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "ddn.csv"
    path.write_text(
        "ipp;nom;prenom;ddn;sexe\n1;DUPONT;JEAN;20050315;M\n2;MARTIN;PAUL;19800312;M\n3;DURAND;LUC;15032005;M\n",
        encoding="utf-8",
    )
    result = import_file(db, path, "CH")
    with UnitOfWork(db) as uow:
        found = {i.ipp: (i.birth_date, i.birth_date_raw) for i in uow.session.scalars(select(Identity))}
    # 20050315 was 20/05/0315; 15032005 does not fit the column's AAAAMMJJ: kept as text, reported
    assert found == {"1": (date(2005, 3, 15), None), "2": (date(1980, 3, 12), None), "3": (None, "15032005")}
    assert any("AAAAMMJJ pour toute la colonne" in n for n in result.report["remarques"])


def test_cli_prints_the_report_writes_it_and_the_journal_counts_it(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "rapport.json"
    done = subprocess.run(
        [sys.executable, "-m", "ivo_app", "import", str(DATA / "hl7" / "adt-batch.hl7"), "--facility", "CH",
         "--rapport", str(out), "--db", db_url],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (
        "Domaine CH_GARONNE (1.2.250.1.999.1.1) — ADMISSION/CH_GARONNE : 6 lus, 3 gardés, "
        "1 mis à jour par un événement ultérieur, 1 fusionnés, 0 refusés" in done.stdout
    )
    assert "message 6 (A40) : IPP 1009 fusionné dans l'IPP 1003" in done.stdout
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["rapport"]["domaines"][0]["fusionnes"] == 1 and report["identites"] == 3
    journal = subprocess.run(
        [sys.executable, "-m", "ivo_app", "journal", "--action", "import", "--format", "json", "--db", db_url],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    (entry,) = json.loads(journal.stdout)
    assert entry["details"]["report"] == {
        "domaines": [{"domaine": "CH_GARONNE (1.2.250.1.999.1.1)", "lus": 6, "gardes": 3, "mis_a_jour": 1,
                      "fusionnes": 1, "refuses": 0}],
        "evenements": 2,
        "remarques": 0,
    }  # fmt: skip
    assert "DUPONT" not in journal.stdout  # counts only: no names in the journal


def test_the_expected_authority_set_from_the_command_line_keys_the_import(
    db, db_url: str, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    from ivo_app.cli import main

    assert main(["settings", "ipp-authority", "--db", db_url, "CH-A"]) == 0
    assert "autorité d'affectation des IPP : CH-A" in capsys.readouterr().out
    path = tmp_path / "deux.hl7"
    path.write_text(
        "MSH|^~\\&|GAM|X|IVO|IVO|20250101||ADT^A28^ADT_A05|1|P|2.5|||||FRA|UNICODE UTF-8\r"
        "PID|1||8^^^CH-B&1.2.9&ISO^PI||B^B^B^^^^L||19800101|F\r"
        "MSH|^~\\&|GAM|X|IVO|IVO|20250101||ADT^A28^ADT_A05|2|P|2.5|||||FRA|UNICODE UTF-8\r"
        "PID|1||8^^^CH-A&1.2.8&ISO^PI||A^A^A^^^^L||19800101|F\r",
        encoding="utf-8",
    )
    result = import_file(db, path, "CH")
    with UnitOfWork(db) as uow:
        found = {i.ipp: i.birth_name for i in uow.session.scalars(select(Identity))}
    assert found == {"8": "A", "8@CH-B": "B"}
    assert result.mapping and result.mapping["expected_authority"] == "CH-A"
