from datetime import date

import pytest

from ivo_app.io.values import (
    compact_matricule,
    parse_attributes,
    parse_bool,
    parse_date,
    parse_sex,
    parse_status,
)
from ivo_app.rules.normalize import fold_header, normalize_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12/03/1980", date(1980, 3, 12)),
        ("1/3/1980", date(1980, 3, 1)),
        ("1980-03-12", date(1980, 3, 12)),
        ("12-03-1980", date(1980, 3, 12)),
        ("12.03.1980", date(1980, 3, 12)),
        ("12031980", date(1980, 3, 12)),
        ("19800312", date(1980, 3, 12)),
        ("1980-03-12 00:00:00", date(1980, 3, 12)),
        ("1980-03-12T10:20:00+01:00", date(1980, 3, 12)),
        ("29/02/2000", date(2000, 2, 29)),
    ],
)
def test_parse_date_french_forms(raw: str, expected: date) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31/02/1980", "12/03/80", "1980-13-01", "demain", "", None, "00/00/0000"])
def test_parse_date_rejects_unreal_or_ambiguous_dates(raw: str | None) -> None:
    assert parse_date(raw) is None


def test_parse_date_with_explicit_format() -> None:
    assert parse_date("03/12/1980", "%m/%d/%Y") == date(1980, 3, 12)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("M", "M"), ("h", "M"), ("1", "M"), ("Féminin", "F"), ("2", "F"), ("I", "I"), ("X", "X"), ("", None)],
)
def test_parse_sex(raw: str, expected: str | None) -> None:
    assert parse_sex(raw) == expected


def test_status_mapping_defaults_overrides_and_unknown_values() -> None:
    assert parse_status("") == "PROV"
    assert parse_status("VIDE") == "PROV"
    assert parse_status("Identité qualifiée") == "QUAL"
    assert parse_status("récupérée") == "RECUP"
    assert parse_status("VALI", {"VALI": "QUAL"}) == "QUAL"  # legacy feed where VALI means "has an INS"
    assert parse_status("DOUB") == "DOUB"  # kept as found: STATUT-VALEUR reports it


def test_attributes_are_canonical_sorted_and_keep_unknown_words() -> None:
    assert parse_attributes("homonyme | douteuse") == "DOUTEUSE,HOMONYME"
    assert parse_attributes("FICT") == "FICTIVE"
    assert parse_attributes("HOMONYME,BIZARRE") == "BIZARRE,HOMONYME"
    assert parse_attributes("  ") is None


def test_compact_matricule_and_bool() -> None:
    assert compact_matricule("1 80 03 2a 056 123 45") == "180032A05612345"
    assert compact_matricule("  ") is None
    assert parse_bool("oui") is True
    assert parse_bool("0") is False
    assert parse_bool("") is None


def test_normalize_name_and_headers() -> None:
    assert normalize_name("  Le Gall-Dupont ") == "LE GALL DUPONT"
    assert normalize_name("Œuvray d'Arc") == "OEUVRAY D ARC"
    assert normalize_name("<b>Martin</b>") == "BMARTINB"
    assert normalize_name(None) == ""
    assert fold_header("Date de Naiss.") == "date_de_naiss"
    assert fold_header("N° IPP") == "n_ipp"
