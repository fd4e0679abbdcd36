"""COG reference: embedded data, and INSEE's historical file (the one in ../shared/reference)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ivo_app.errors import IvoError
from ivo_app.io.cog import import_insee_history, load_reference, read_embedded, read_insee_history


def test_embedded_reference_covers_communes_arrondissements_and_countries() -> None:
    cog = read_embedded()
    assert cog.is_known_commune("31555")  # Toulouse
    assert cog.is_known_commune("75112") and cog.is_known_commune("13205")  # arrondissements
    assert cog.is_known_commune("97411")  # Saint-Denis (La Réunion)
    assert cog.is_known_commune("2A004")
    assert cog.is_known_commune("20004", date(1960, 1, 1))  # Ajaccio before the split of 1976
    assert not cog.is_known_commune("31999")
    assert cog.country("99134") is not None and cog.country("99999") is None


def test_insee_historical_file_gives_validity_dates(shared_reference: Path) -> None:
    folder = shared_reference / "insee_cog_2017"
    history = read_insee_history(folder / "France2017.txt", folder / "historiq2017.txt")
    assert len(history) > 35_000
    merged_away = [c for c in history.communes() if c.kind == "former" and c.end is not None]
    assert merged_away, "merged communes carry the date they disappeared"
    commune = merged_away[0]
    assert history.is_known_commune(commune.code, date(commune.end.year - 5, 1, 1))
    assert not history.is_known_commune(commune.code, date(commune.end.year + 1, 6, 1))


def test_user_can_load_the_historical_file(shared_reference: Path) -> None:
    count = import_insee_history(shared_reference / "insee_cog_2017" / "France2017.txt")
    assert count > 35_000
    assert load_reference().is_known_commune("31555")
    load_reference.cache_clear()


def test_wrong_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "France.txt"
    bad.write_text("a\tb\n1\t2\n", encoding="cp1252")
    with pytest.raises(IvoError, match="INSEE"):
        import_insee_history(bad)
