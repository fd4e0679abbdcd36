"""COG reference: embedded data with its dated events, and INSEE's historical files (the real 2017
text files in ../shared/reference, and the CSV layout INSEE publishes today)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from ivo_app.cli import main
from ivo_app.demo.generator import DemoConfig, generate
from ivo_app.errors import IvoError
from ivo_app.io.cog import (
    history_dir,
    history_files,
    import_insee_history,
    load_reference,
    read_embedded,
    read_history,
    read_insee_csv,
    read_insee_history,
)
from ivo_app.rules.engine import CheckContext, check_record
from ivo_app.rules.record import IdentityRecord
from ivo_app.services.checks import list_findings, run_checks
from ivo_app.services.cog_reference import history_source, import_history, reference_for
from ivo_app.services.imports import import_file

DATA = Path(__file__).resolve().parent.parent / "data" / "cog"


@pytest.fixture(scope="module")
def insee_2017():  # type: ignore[no-untyped-def]
    from tests.conftest import SHARED_REFERENCE

    folder = SHARED_REFERENCE / "external" / "cog-insee-2017"
    if not folder.exists():
        pytest.skip("../shared/reference absent")
    return read_insee_history(folder / "France2017.txt", folder / "historiq2017.txt")


def test_embedded_reference_covers_communes_arrondissements_and_countries() -> None:
    cog = read_embedded()
    assert cog.is_known_commune("31555")  # Toulouse
    assert cog.is_known_commune("75112") and cog.is_known_commune("13205")  # arrondissements
    assert cog.is_known_commune("97411")  # Saint-Denis (La Réunion)
    assert cog.is_known_commune("2A004")
    assert cog.is_known_commune("20004", date(1960, 1, 1))  # Ajaccio before the split of 1976
    assert not cog.is_known_commune("31999")
    assert cog.country("99134") is not None and cog.country("99999") is None


@pytest.mark.parametrize(
    ("code", "valid_at", "invalid_at"),
    [
        ("20004", date(1960, 5, 1), date(1980, 5, 1)),  # Corsica 1976
        ("2A004", date(1980, 5, 1), date(1960, 5, 1)),
        ("75044", date(1960, 5, 1), date(1975, 5, 1)),  # Seine → Hauts-de-Seine 1968
        ("92044", date(1975, 5, 1), date(1960, 5, 1)),
        ("78001", date(1960, 5, 1), date(1975, 5, 1)),  # Seine-et-Oise → Essonne 1968
        ("97123", date(1990, 5, 1), date(2010, 5, 1)),  # Saint-Barthélemy 2007
        ("97701", date(2010, 5, 1), date(1990, 5, 1)),
        ("97127", date(1990, 5, 1), date(2010, 5, 1)),  # Saint-Martin 2007
        ("98511", date(2000, 5, 1), date(2015, 5, 1)),  # Mayotte 2011
        ("97611", date(2015, 5, 1), date(2000, 5, 1)),
    ],
)
def test_embedded_reference_knows_the_events_every_civ_meets(
    code: str, valid_at: date, invalid_at: date
) -> None:
    """Without INSEE's file (before: every listed code was valid at any date, 98511 and 97123 unknown)."""
    cog = read_embedded()
    assert cog.place_fault(code, valid_at) is None
    fault = cog.place_fault(code, invalid_at)
    assert fault is not None and fault.kind in ("not_yet", "ended")


def test_countries_that_ceased_and_france_are_not_birthplaces() -> None:
    cog = read_embedded()
    assert cog.place_fault("99115", date(1980, 1, 1)) is None  # Tchécoslovaquie
    fault = cog.place_fault("99115", date(2000, 1, 1))
    assert fault is not None and fault.kind == "ended" and fault.since == date(1993, 1, 1)
    assert cog.place_fault("99352", date(1950, 1, 1)) is None  # a state's label start is never checked
    fault = cog.place_fault("99100", date(1980, 1, 1))
    assert fault is not None and fault.kind == "france"


def test_insee_historical_file_dates_only_real_events(insee_2017) -> None:  # type: ignore[no-untyped-def]
    history = insee_2017
    assert len(history) > 35_000
    # Saint-Ybars gave territory for the creation of Sainte-Suzanne in 1949 (MOD 220): not a creation.
    assert history.is_known_commune("09277", date(1940, 6, 1))
    # Garris was merged in 1967 and re-established in 1997 (coded 200): it existed before.
    assert history.is_known_commune("64235", date(1950, 6, 1))
    # Carnoux-en-Provence was created on 29/08/1966 (MOD 200): a real creation.
    assert not history.is_known_commune("13119", date(1950, 6, 1))
    assert history.is_known_commune("13119", date(1970, 6, 1))
    # Code changes (MOD 410): the new code starts, the old one ends, the same day.
    assert not history.is_known_commune("2A004", date(1960, 6, 1))
    assert history.is_known_commune("20004", date(1960, 6, 1))
    assert not history.is_known_commune("20004", date(1980, 6, 1))
    assert not history.is_known_commune("92044", date(1960, 6, 1))
    assert history.is_known_commune("75044", date(1960, 6, 1))
    # Merged communes end on the merger (MOD 310) and keep the code they joined.
    amareins = history.commune_versions("01018")
    assert amareins and amareins[0].end == date(1971, 1, 1) and amareins[0].successor == "01033"


def test_loading_insee_file_invalidates_no_valid_birthplace_of_the_demo(insee_2017) -> None:  # type: ignore[no-untyped-def]
    """The demo built on the embedded reference, checked against embedded + INSEE 2017: the only
    birthplaces that change are those of communes INSEE says were created after the birth."""
    embedded = read_embedded()
    merged = embedded.merge(insee_2017)
    changed = []
    for r in generate(DemoConfig(size=20_000, seed=1, reference_date=date(2026, 6, 1)), embedded):
        place = r.fields["lieu_naissance"]
        if (
            not place
            or place == "99999"
            or r.anomalies & {"TRAIT-LIEU-COG", "TRAIT-LIEU-FORMAT", "TRAIT-DATE"}
        ):
            continue
        birth = _birth(r.fields["date_naissance"])
        if birth is None:
            continue
        assert embedded.place_fault(place, birth) is None
        fault = merged.place_fault(place, birth)
        if fault is not None:
            changed.append((place, birth, fault))
    for place, birth, fault in changed:
        versions = merged.commune_versions(place)
        assert fault.kind == "not_yet" and any(v.start for v in versions), (
            place,
            birth,
            fault,
        )  # created later
    assert len(changed) < 40  # 0.2 % of 20,000: communes the embedded reference does not date
    # With INSEE's file loaded, the demo itself builds the code valid at birth: nothing changes.
    for r in generate(DemoConfig(size=5_000, seed=2, reference_date=date(2026, 6, 1)), merged):
        if (
            r.anomalies & {"TRAIT-LIEU-COG", "TRAIT-LIEU-FORMAT", "TRAIT-DATE"}
            or not r.fields["lieu_naissance"]
        ):
            continue
        birth, place = _birth(r.fields["date_naissance"]), r.fields["lieu_naissance"]
        if birth is None or place == "99999" or len(place) != 5:
            continue
        assert merged.place_fault(place, birth) is None, (place, birth)


def _birth(text: str) -> date | None:
    try:
        d, m, y = (int(x) for x in text.split("/"))
        return date(y, m, d)
    except ValueError:
        return None  # the demo's impossible dates (TRAIT-DATE)


def test_the_historiq_file_of_the_same_vintage_is_read(shared_reference: Path, tmp_path: Path) -> None:
    """Before, the first historiq*.txt of the folder was read, whatever the year."""
    folder = shared_reference / "external" / "cog-insee-2017"
    shutil.copy(folder / "France2017.txt", tmp_path / "France2017.txt")
    shutil.copy(folder / "historiq2017.txt", tmp_path / "historiq2017.txt")
    decoy = "DEP\tAR\tCT\tCOM\tLEG\tJO\tEFF\tDTR\tMOD\n31\t\t\t555\t\t\t01-01-2000\t01-01-2000\t200\n"
    (tmp_path / "historiq2016.txt").write_text(decoy, encoding="cp1252")
    files = history_files(tmp_path / "France2017.txt")
    assert files.events is not None and files.events.name == "historiq2017.txt"
    assert read_history(files).is_known_commune("31555", date(1980, 1, 1))
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(folder / "France2017.txt", alone / "France2017.txt")
    (alone / "historiq2016.txt").write_text(decoy, encoding="cp1252")
    assert history_files(alone / "France2017.txt").events is None  # no file of that year: said so
    with pytest.raises(IvoError, match="événements"):
        history_files(folder / "historiq2017.txt")


def test_insee_csv_format_is_read() -> None:
    files = history_files(DATA / "v_commune_depuis_1943.csv")
    assert (
        files.format == "csv" and files.events is not None and files.events.name == "v_mvt_commune_2024.csv"
    )
    cog = read_insee_csv(files.communes, files.events)
    assert cog.is_known_commune("01004", date(1950, 1, 1)) and cog.is_known_commune("01004", date(1990, 1, 1))
    assert len(cog.commune_versions("01004")) == 1  # a change of name joins the two versions
    assert not cog.is_known_commune("13119", date(1950, 1, 1)) and cog.is_known_commune(
        "13119", date(1970, 1, 1)
    )
    assert cog.is_known_commune("20004", date(1960, 1, 1)) and not cog.is_known_commune(
        "20004", date(1980, 1, 1)
    )
    assert cog.commune_versions("75044")[0].successor == "92044"
    assert cog.is_known_commune("09277", date(1930, 1, 1))  # 1943-01-01: valid since before any birth


def test_user_can_load_the_historical_file(shared_reference: Path) -> None:
    try:
        count = import_insee_history(shared_reference / "insee_cog_2017" / "France2017.txt")
        assert count > 35_000
        assert load_reference().is_known_commune("31555")
        assert not load_reference().is_known_commune("13119", date(1950, 1, 1))
    finally:  # the user's folder is shared by the session's tests
        shutil.rmtree(history_dir(), ignore_errors=True)
        load_reference.cache_clear()


def test_cog_import_honours_db_and_names_the_files(  # type: ignore[no-untyped-def]
    db, db_url: str, tmp_path: Path, shared_reference: Path, capsys
) -> None:
    """Before, `ivo cog import` ignored --db (files copied to the user's folder for every base)."""
    export = tmp_path / "export.csv"
    export.write_text(
        "IPP;NOM;PRENOM;DDN;SEXE;LIEU_NAISSANCE;STATUT\n1;ARNAUD;LEA;12/03/1950;F;13119;PROV\n",
        encoding="utf-8",
    )
    extraction = import_file(db, export, "CH Cog").extraction_id
    run_checks(db, extraction)
    assert not list_findings(db, extraction, rule="TRAIT-LIEU-COG")  # embedded: Carnoux has no date
    france = shared_reference / "external" / "cog-insee-2017" / "France2017.txt"
    assert main(["cog", "import", str(france), "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert "France2017.txt" in out and "historiq2017.txt" in out
    assert history_source(db) == {
        "fichier": "France2017.txt",
        "evenements": "historiq2017.txt",
        "format": "txt",
    }
    run_checks(db, extraction)
    found = list_findings(db, extraction, rule="TRAIT-LIEU-COG")
    assert len(found) == 1 and "29/08/1966" in found[0].message
    other = tmp_path / "other.sqlite"
    from ivo_app.store.db import open_database

    second = open_database(f"sqlite:///{other}")
    assert history_source(second) is None
    assert reference_for(second).is_known_commune("13119", date(1950, 1, 1))
    second.dispose()


def test_cog_import_of_the_csv_format_in_the_database(db) -> None:  # type: ignore[no-untyped-def]
    result = import_history(db, DATA / "v_commune_depuis_1943.csv")
    assert (result.communes_file, result.events_file) == (
        "v_commune_depuis_1943.csv",
        "v_mvt_commune_2024.csv",
    )
    cog = reference_for(db)
    r = IdentityRecord(1, "1", birth_name="ARNAUD", first_first_name="LEA", first_names="LEA", sex="F",
                       birth_date=date(1950, 3, 12), birthplace="13119", status="PROV")  # fmt: skip
    assert [f.rule_id for f in check_record(r, CheckContext(today=date(2026, 1, 1), cog=cog))] == [
        "TRAIT-LIEU-COG"
    ]


def test_wrong_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "France.txt"
    bad.write_text("a\tb\n1\t2\n", encoding="cp1252")
    with pytest.raises(IvoError, match="INSEE"):
        import_insee_history(bad)
    bad_csv = tmp_path / "v_commune_depuis_1943.csv"
    bad_csv.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(IvoError, match="INSEE"):
        import_insee_history(bad_csv)
