"""Every rule's severity comes from one place: the catalogue, then the facility's settings
(`ivo rules set`), whether the finding comes from one record, the whole extraction or the duplicate
engine's pairs."""

from __future__ import annotations

from collections import Counter
from datetime import date

from ivo_app.cli import main
from ivo_app.rules.catalogue import RULES, default_severity
from ivo_app.services.checks import list_findings, run_checks
from ivo_app.services.demo import create_demo
from ivo_app.services.duplicates import find_duplicates

DAY = date(2026, 6, 1)


def test_rules_set_changes_the_severity_of_pair_findings(db, db_url: str) -> None:  # type: ignore[no-untyped-def]
    extraction = create_demo(db, size=1500, seed=4, extracted_on=DAY).extraction_id
    find_duplicates(db, extraction)
    run_checks(db, extraction)
    before = Counter(f.severity for f in list_findings(db, extraction, rule="DOUBLON-POTENTIEL"))
    assert set(before) == {default_severity("DOUBLON-POTENTIEL")}  # the catalogue's: "alerte"
    # Before the fix the pair findings kept the catalogue's severity whatever the setting said.
    assert main(["rules", "set", "DOUBLON-POTENTIEL", "--severity", "critique", "--db", db_url]) == 0
    assert main(["rules", "set", "TRAIT-DATE-COMPLETEE", "--severity", "alerte", "--db", db_url]) == 0
    run_checks(db, extraction)
    after = Counter(f.severity for f in list_findings(db, extraction, rule="DOUBLON-POTENTIEL"))
    assert after == {"critique": sum(before.values())}
    completed = {f.severity for f in list_findings(db, extraction, rule="TRAIT-DATE-COMPLETEE")}
    assert completed == {"alerte"}


def test_engine_severities_are_the_catalogue_ones(db) -> None:  # type: ignore[no-untyped-def]
    """Without settings, each finding's severity is its rule's default or one of its named cases."""
    extraction = create_demo(db, size=1500, seed=5, extracted_on=DAY).extraction_id
    run_checks(db, extraction)
    for f in list_findings(db, extraction):
        allowed = {RULES[f.rule].severity, *(s for _, s in RULES[f.rule].variants)}
        assert f.severity in allowed, f


def test_a_number_under_an_nss_oid_is_never_a_collision(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The child's record carries the insured parent's number under OID .13: INS-NSS alone."""
    from ivo_app.rules.nir import compute_key
    from ivo_app.services.imports import import_file

    number = "1750431555001" + compute_key("1750431555001")
    path = tmp_path / "nss.csv"
    path.write_text(
        "IPP;NOM;PRENOMS_NAISSANCE;PRENOM;DDN;SEXE;LIEU_NAISSANCE;MATRICULE_INS;OID_INS;STATUT;JUSTIFICATIF\n"
        f"1;GIRAUD;PIERRE;PIERRE;10/04/1975;M;31555;{number};1.2.250.1.213.1.4.8;QUAL;CN\n"
        f"2;GIRAUD;EMMA;EMMA;01/09/2012;F;31555;{number};1.2.250.1.213.1.4.13;PROV;\n",
        encoding="utf-8",
    )
    extraction = import_file(db, path, "CH NSS", extracted_on=DAY).extraction_id
    find_duplicates(db, extraction)
    run_checks(db, extraction)
    by_ipp: dict[str, set[str]] = {}
    for f in list_findings(db, extraction):
        by_ipp.setdefault(f.ipp or "", set()).add(f.rule)
    assert by_ipp.get("2") == {"INS-NSS"}
    assert "1" not in by_ipp
