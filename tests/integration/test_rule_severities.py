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


def test_between_two_extractions_strict_traits_changed_without_status_drop(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """COLLISION-SUSPECTE (trait history): RNIV — a strict trait of an INSi-checked identity changes only with a new INSi
    call and, until then, a status drop; a changed sex is always reported."""
    from ivo_app.rules.nir import compute_key
    from ivo_app.services.imports import import_file

    def nir(body: str) -> str:
        return body + compute_key(body)

    header = (
        "IPP;NOM;PRENOMS_NAISSANCE;PRENOM;DDN;SEXE;LIEU_NAISSANCE;MATRICULE_INS;OID_INS;STATUT;JUSTIFICATIF\n"
    )
    oid = "1.2.250.1.213.1.4.8"
    first = [
        f"1;DUPONT;JEAN;JEAN;12/03/1980;M;31555;{nir('1800331555140')};{oid};QUAL;CN",
        f"2;DURAND;LUC;LUC;12/03/1981;M;31555;{nir('1810331555141')};{oid};QUAL;CN",
        f"3;DUMAS;ANNE;ANNE;12/03/1982;F;31555;{nir('2820331555142')};{oid};QUAL;CN",
        "4;DUVAL;MARC;MARC;12/03/1983;M;31555;;;PROV;",
        f"5;DUBOIS;LEA;LEA;12/03/1984;F;31555;{nir('2840331555143')};{oid};RECUP;",
    ]
    second = [
        f"1;DUPONT-MARTIN;JEAN;JEAN;12/03/1980;M;31555;{nir('1800331555140')};{oid};QUAL;CN",  # name, still QUAL
        "2;DURANT;LUC;LUC;12/03/1981;M;31555;;;VALI;CN",  # name changed, status dropped: fine
        f"3;DUMAS;ANNE;ANNE;12/03/1982;F;31555;{nir('2820331555142')};{oid};QUAL;CN",  # unchanged
        "4;DUVAL;MARC;MARC;12/03/1983;F;31555;;;PROV;",  # sex changed
        f"5;DUBOIS;LEA;LEA;12/03/1984;F;31555;{nir('2840331555144')};{oid};RECUP;",  # other matricule
    ]
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(header + "\n".join(first) + "\n", encoding="utf-8")
    b.write_text(header + "\n".join(second) + "\n", encoding="utf-8")
    first_id = import_file(db, a, "CH Evol", extracted_on=date(2026, 1, 15)).extraction_id
    run_checks(db, first_id)
    assert not list_findings(db, first_id, rule="COLLISION-SUSPECTE")  # nothing to compare with
    second_id = import_file(db, b, "CH Evol", extracted_on=date(2026, 3, 15)).extraction_id
    run_checks(db, second_id)
    found = {f.ipp: f for f in list_findings(db, second_id, rule="COLLISION-SUSPECTE")}
    assert set(found) == {"1", "4", "5"}
    assert "nom de naissance" in found["1"].message and "QUAL → QUAL" in found["1"].message
    assert "sexe" in found["4"].message
    assert "matricule INS" in found["5"].message and found["5"].severity == "alerte"


def test_optional_insi_call_and_document_expiry_columns_are_checked(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ivo_app.rules.nir import compute_key
    from ivo_app.services.imports import import_file

    def nir(body: str) -> str:
        return body + compute_key(body)

    oid = "1.2.250.1.213.1.4.8"
    path = tmp_path / "dates.csv"
    path.write_text(
        "IPP;NOM;PRENOMS_NAISSANCE;PRENOM;DDN;SEXE;LIEU_NAISSANCE;MATRICULE_INS;OID_INS;STATUT;JUSTIFICATIF;"
        "Date appel INSi;Date expiration justificatif\n"
        f"1;ALBERT;JEAN;JEAN;12/03/1980;M;31555;{nir('1800331555150')};{oid};QUAL;CN;10/01/2026;01/01/2030\n"
        f"2;ALLARD;JEAN;JEAN;12/03/1981;M;31555;{nir('1810331555151')};{oid};QUAL;CN;;01/01/2030\n"
        f"3;AMIOT;JEAN;JEAN;12/03/1982;M;31555;{nir('1820331555152')};{oid};QUAL;PASSEPORT;10/01/2026;01/01/2020\n"
        f"4;ANDRE;JEAN;JEAN;12/03/1983;M;31555;{nir('1830331555153')};{oid};RECUP;;31/02/2026;\n"
        "5;ANTOINE;JEAN;JEAN;12/03/1984;M;31555;;;PROV;;10/01/2026;\n",
        encoding="utf-8",
    )
    extraction = import_file(db, path, "CH Dates", extracted_on=date(2026, 1, 15)).extraction_id
    run_checks(db, extraction)
    found: dict[str, set[str]] = {}
    for f in list_findings(db, extraction):
        found.setdefault(f.ipp or "", set()).add(f"{f.rule} {f.severity} {f.message}")
    assert "1" not in found
    assert any("sans date d'appel INSi" in m for m in found["2"])
    assert any("STATUT-JUSTIF alerte" in m and "expiré le 01/01/2020" in m for m in found["3"])
    assert any("31/02/2026" in m and "illisible" in m for m in found["4"])
    assert any("Appel INSi du 10/01/2026" in m for m in found["5"]), found["5"]
