"""Run state in tables: a check leaves a check_run row ("was it checked?"), a detection a
detection_run row ("did detection run?"), and the pair findings follow the pairs and the decisions
without a new check."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import delete, select

from ivo_app.errors import OperationCancelled
from ivo_app.rules.engine import RuleSettings
from ivo_app.services.checks import findings_summary, list_findings, rules_version, run_checks, settings_hash
from ivo_app.services.duplicates import Decision as PairDecisionItem
from ivo_app.services.duplicates import (
    decide,
    decide_many,
    duplicate_summary,
    find_duplicates,
    undo_last_decision,
)
from ivo_app.services.imports import import_file
from ivo_app.services.indicators import compute_indicators
from ivo_app.services.rule_settings import set_rule
from ivo_app.store import migrate
from ivo_app.store.models.journal import JournalEntry
from ivo_app.store.models.rules import CheckRun, FindingRow
from ivo_app.store.uow import UnitOfWork

HEADER = "ipp;nom_naissance;prenoms_naissance;premier_prenom;date_naissance;sexe;lieu_naissance;statut\n"
CLEAN = HEADER + "1;MARTIN;ANNE;ANNE;01/02/1990;F;75112;PROV\n2;BERNARD;PAUL;PAUL;03/04/1970;M;31555;PROV\n"
# 10 and 11 are one person typed twice (DUPONT/DUPOND); 20 is someone else.
PAIRS = (
    HEADER + "10;DUPONT;JEAN;JEAN;12/03/1980;M;31555;PROV\n11;DUPOND;JEAN;JEAN;12/03/1980;M;31555;PROV\n"
    "20;MARTIN;ANNE;ANNE;01/02/1990;F;75112;PROV\n"
)


def _import(db, tmp_path: Path, text: str, name: str = "CH Run") -> int:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{abs(hash(text))}.csv"
    path.write_text(text, encoding="utf-8")
    return import_file(db, path, name, extracted_on=date(2026, 1, 15)).extraction_id


def _runs(db, extraction: int) -> list[CheckRun]:  # type: ignore[no-untyped-def]
    with UnitOfWork(db) as uow:
        return list(uow.session.scalars(select(CheckRun).where(CheckRun.extraction_id == extraction)))


def _duplicate_findings(db, extraction: int) -> set[tuple[str | None, str]]:  # type: ignore[no-untyped-def]
    return {(f.ipp, f.params["other"]) for f in list_findings(db, extraction, rule="DOUBLON-POTENTIEL")}


def test_a_clean_extraction_is_checked_by_its_check_run_not_by_the_journal(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    extraction = _import(db, tmp_path, CLEAN)
    assert findings_summary(db, extraction)["checked"] is False
    assert compute_indicators(db, extraction)["history"][-1]["anomalies"] is None
    result = run_checks(db, extraction)
    (run,) = _runs(db, extraction)
    assert run.identities == 2 and run.findings == result.findings
    assert run.by_severity == {
        s: result.by_severity.get(s, 0) for s in ("critique", "erreur", "alerte", "info")
    }
    assert run.started_at <= run.ended_at and run.seconds is not None and run.seconds >= 0
    assert run.rules_version == rules_version() and run.rules_version.startswith("0.")
    assert run.settings_hash == settings_hash(RuleSettings())
    # The state is the table's: without its journal entry the extraction is still checked...
    with UnitOfWork(db) as uow:
        uow.session.execute(delete(JournalEntry).where(JournalEntry.action == "check"))
        uow.commit()
    summary = findings_summary(db, extraction)
    assert summary["checked"] is True
    assert compute_indicators(db, extraction)["history"][-1]["anomalies"] == result.findings
    # ...and a journal entry alone no longer makes an extraction checked.
    other = _import(db, tmp_path, CLEAN.replace("MARTIN", "MARTINE"), "CH Autre")
    with UnitOfWork(db) as uow:
        from ivo_app.store import journal

        journal.record(uow.session, "check", f"extraction:{other}", {"findings": 0})
        uow.commit()
    assert findings_summary(db, other)["checked"] is False


def test_the_settings_hash_follows_the_facility_s_rule_settings(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    extraction = _import(db, tmp_path, CLEAN)
    run_checks(db, extraction)
    set_rule(db, "TRAIT-PRENOM1", enabled=False)
    run_checks(db, extraction)
    first, second = _runs(db, extraction)
    assert first.settings_hash != second.settings_hash and first.rules_version == second.rules_version


def test_migration_makes_check_runs_of_the_journalled_checks(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    checked = _import(db, tmp_path, PAIRS)
    result = run_checks(db, checked)
    unchecked = _import(db, tmp_path, CLEAN, "CH Pas vérifié")
    cfg = migrate.alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0012")
    with db.engine.begin() as conn:
        assert conn.execute(select(JournalEntry.id).where(JournalEntry.action == "check")).first()
    migrate.upgrade(db.engine)
    (run,) = _runs(db, checked)
    assert run.rules_version is None and run.settings_hash is None and run.seconds is None
    assert run.findings == result.findings and run.identities == 3
    assert {k: v for k, v in run.by_severity.items() if v} == result.by_severity
    assert _runs(db, unchecked) == []
    assert findings_summary(db, checked)["checked"] and not findings_summary(db, unchecked)["checked"]


def test_did_detection_run_is_read_from_detection_run(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    extraction = _import(db, tmp_path, CLEAN)
    assert duplicate_summary(db, extraction) is None
    find_duplicates(db, extraction)  # no pair at all: it still ran
    summary = duplicate_summary(db, extraction)
    assert summary is not None and summary["pairs"] == 0
    with UnitOfWork(db) as uow:  # the journal is not the state
        uow.session.execute(delete(JournalEntry).where(JournalEntry.action == "duplicates"))
        uow.commit()
    assert duplicate_summary(db, extraction) is not None


def test_pair_findings_follow_detection_and_decisions_without_a_new_check(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    extraction = _import(db, tmp_path, PAIRS)
    run_checks(db, extraction)
    assert _duplicate_findings(db, extraction) == set()
    find_duplicates(db, extraction)  # after the check: the findings come with the pairs
    assert _duplicate_findings(db, extraction) == {("10", "11"), ("11", "10")}
    (finding, _) = list_findings(db, extraction, rule="DOUBLON-POTENTIEL")
    assert finding.severity == "alerte" and finding.message.startswith("Doublon potentiel de l'IPP 11 (score")
    decide(db, extraction, "11", "10", "non_doublon", author="cellule")
    assert _duplicate_findings(db, extraction) == set()  # gone, no re-check
    assert findings_summary(db, extraction)["by_rule"].get("DOUBLON-POTENTIEL") is None
    assert undo_last_decision(db, extraction) == ("10", "11")
    assert _duplicate_findings(db, extraction) == {("10", "11"), ("11", "10")}
    decide_many(db, extraction, [PairDecisionItem("10", "11", "non_doublon")], author="cellule")
    assert _duplicate_findings(db, extraction) == set()
    run_checks(db, extraction)  # a new check agrees with the refreshed findings
    assert _duplicate_findings(db, extraction) == set()
    decide(db, extraction, "10", "11", "doublon", author="cellule")
    assert _duplicate_findings(db, extraction) == {("10", "11"), ("11", "10")}  # to merge: still reported


def test_pair_findings_take_the_facility_s_severity_when_refreshed(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    extraction = _import(db, tmp_path, PAIRS)
    run_checks(db, extraction)
    set_rule(db, "DOUBLON-POTENTIEL", severity="critique")
    find_duplicates(db, extraction)
    assert {f.severity for f in list_findings(db, extraction, rule="DOUBLON-POTENTIEL")} == {"critique"}
    set_rule(db, "DOUBLON-POTENTIEL", enabled=False)
    find_duplicates(db, extraction)
    assert list_findings(db, extraction, rule="DOUBLON-POTENTIEL") == []


def test_detection_on_an_unchecked_extraction_adds_no_finding(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    extraction = _import(db, tmp_path, PAIRS)
    find_duplicates(db, extraction)
    with UnitOfWork(db) as uow:
        assert (
            uow.session.scalars(select(FindingRow).where(FindingRow.extraction_id == extraction)).all() == []
        )
    run_checks(db, extraction)
    assert _duplicate_findings(db, extraction) == {("10", "11"), ("11", "10")}


def test_a_cancelled_or_failed_check_leaves_the_previous_findings_and_runs(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = HEADER + "".join(f"{n};MARTIN;ANNE;ANNE;01/01/1990;F;XX;QUAL\n" for n in range(30))
    extraction = _import(db, tmp_path, bad)
    run_checks(db, extraction)
    before = findings_summary(db, extraction)
    assert before["total"] > 0

    def stop_after_the_first_page() -> bool:
        return bool(seen)

    seen: list[int] = []
    with pytest.raises(OperationCancelled):
        run_checks(
            db,
            extraction,
            progress=lambda done, total, message: seen.append(done),
            is_cancelled=stop_after_the_first_page,
        )
    assert seen  # it had read identities before it stopped
    assert findings_summary(db, extraction) == before
    assert len(_runs(db, extraction)) == 1
    # The same session as the indicators read it gives the same summary.
    with UnitOfWork(db) as uow:
        assert findings_summary(uow.session, extraction) == before
