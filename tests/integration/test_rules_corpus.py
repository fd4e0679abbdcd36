"""The labelled corpus: hand-written identities, each with the rule IDs that must fire (and only those)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from ivo_app.services.checks import findings_summary, list_findings, run_checks
from ivo_app.services.imports import import_file

CORPUS = Path(__file__).resolve().parent.parent / "data" / "rules" / "corpus.csv"
PER_EXTRACTION = {"STATUT-RECUP-PART"}


def expected() -> dict[str, tuple[set[str], str]]:
    with open(CORPUS, encoding="utf-8") as fh:
        return {
            r["ipp"]: (set(r["attendu"].split()), f"{r['cas']} ({r['source']})")
            for r in csv.DictReader(fh, delimiter=";")
        }


@pytest.fixture(scope="module")
def corpus_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    from ivo_app.store.db import open_database

    db = open_database(f"sqlite:///{tmp_path_factory.mktemp('corpus') / 'c.sqlite'}")
    result = import_file(db, CORPUS, "CH Corpus", extracted_on=date(2026, 1, 15))
    assert not result.rejections, result.rejections  # every case is checked, none lost at import
    run_checks(db, result.extraction_id)
    found: dict[str, set[str]] = {}
    for f in list_findings(db, result.extraction_id):
        if f.ipp:
            found.setdefault(f.ipp, set()).add(f.rule)
    summary = findings_summary(db, result.extraction_id)
    assert summary["checked"] and summary["by_rule"].get("STATUT-RECUP-PART") == 1
    db.dispose()
    return found


@pytest.mark.parametrize("ipp", sorted(expected()))
def test_corpus_case(corpus_findings: dict[str, set[str]], ipp: str) -> None:
    rules, case = expected()[ipp]
    assert corpus_findings.get(ipp, set()) == rules, case


def test_corpus_covers_every_per_record_rule() -> None:
    from ivo_app.rules.catalogue import RULES

    covered = set().union(*(rules for rules, _ in expected().values()))
    not_here = {"DOUBLON-POTENTIEL", "TRAIT-UTILISE-COPIE"} | PER_EXTRACTION  # tested with the demo facility
    assert set(RULES) - not_here <= covered
