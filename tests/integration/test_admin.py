"""Journal, backups, pseudonymised export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ivo_app.errors import IvoError
from ivo_app.services import backup, journal
from ivo_app.services.checks import findings_summary, run_checks
from ivo_app.services.demo import create_demo
from ivo_app.services.extractions import list_extractions
from ivo_app.services.imports import import_file
from ivo_app.services.pseudonymise import export_pseudonymised
from ivo_app.store.db import open_database


def test_actions_are_journaled_by_identifier_never_by_name(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    extraction = create_demo(db, size=200, seed=1, extracted_on=date(2026, 6, 1)).extraction_id
    run_checks(db, extraction)
    lines = journal.read_journal(db)
    assert [line.action for line in lines] == ["import", "check"]
    assert lines[0].target == f"extraction:{extraction}" and lines[0].user
    out = tmp_path / "journal.csv"
    assert journal.export_journal(db, out) == 2
    from ivo_app.services.identities import iter_records

    with db.engine.connect() as conn:
        names = {
            r.birth_name for r in iter_records(conn, extraction) if r.birth_name and len(r.birth_name) > 4
        }
    text = out.read_text(encoding="utf-8-sig")
    assert not any(name in text for name in names)


def test_backup_and_restore(tmp_path: Path) -> None:
    path = tmp_path / "ivo.sqlite"
    db = open_database(f"sqlite:///{path}")
    good = tmp_path / "good.csv"
    good.write_text(
        "ipp;nom_naissance;premier_prenom;date_naissance;sexe\n1;A;B;01/01/1990;M\n", encoding="utf-8"
    )
    import_file(db, good, "CH")
    saved = backup.create_backup(db)
    import_file(db, good, "CH")
    assert len(list_extractions(db)) == 2
    assert saved in [b.path for b in backup.list_backups(db)]
    safety = backup.restore_backup(db, saved)
    db = open_database(f"sqlite:///{path}")
    assert len(list_extractions(db)) == 1 and safety.exists()
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(IvoError, match="sauvegarde"):
        backup.restore_backup(db, bad)


def test_pseudonymised_export_keeps_anomalies_not_people(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    extraction = create_demo(db, size=1500, seed=2, extracted_on=date(2026, 6, 1)).extraction_id
    run_checks(db, extraction)
    out = tmp_path / "pseudo.csv"
    count, _ = export_pseudonymised(db, extraction, out, key="cle-de-test-" + "0" * 40)
    again, _ = export_pseudonymised(db, extraction, tmp_path / "again.csv", key="cle-de-test-" + "0" * 40)
    assert count == again == 1500
    assert out.read_text(encoding="utf-8-sig") == (tmp_path / "again.csv").read_text(encoding="utf-8-sig")
    text = out.read_text(encoding="utf-8-sig")
    assert "100001" not in text  # IPPs are hashed
    pseudo = import_file(db, out, "CH Formation").extraction_id
    run_checks(db, pseudo)
    before, after = findings_summary(db, extraction)["by_rule"], findings_summary(db, pseudo)["by_rule"]
    for rule in ("INS-CLE", "INS-UNIQUE", "COH-SEXE", "STATUT-INS", "ATTR-PROV", "TRAIT-NOM-CARS"):
        assert after.get(rule, 0) >= 0.8 * before.get(rule, 0), rule
