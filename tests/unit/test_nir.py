import pytest
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

from ivo_app.rules import nir


def test_key_matches_insee_formula_including_corsica() -> None:
    assert nir.compute_key("1800331555123") == f"{97 - 1800331555123 % 97:02d}"
    body = "169082A004123"
    assert nir.compute_key(body) == f"{97 - int(body.replace('2A', '19')) % 97:02d}"
    assert nir.is_valid(body + nir.compute_key(body))


def test_validate_like_stdnum() -> None:
    good = "1800331555123" + nir.compute_key("1800331555123")
    assert nir.validate(" 1 80 03 31 555 123 " + good[-2:]) == good
    assert nir.format(good) == f"1 80 03 31 555 123 {good[-2:]}"
    with pytest.raises(InvalidLength):
        nir.validate(good[:14])
    with pytest.raises(InvalidFormat):
        nir.validate("18003X1555123" + good[-2:])
    with pytest.raises(InvalidChecksum):
        nir.validate(good[:13] + f"{int(good[13:]) % 97 + 1:02d}")


def test_parts_of_overseas_and_abroad() -> None:
    overseas = nir.parts("1850597411001" + nir.compute_key("1850597411001"))
    assert overseas is not None and (overseas.department, overseas.commune, overseas.place) == (
        "974",
        "11",
        "97411",
    )
    abroad = nir.parts("2750299134045" + nir.compute_key("2750299134045"))
    assert abroad is not None and abroad.place == "99134"
    assert nir.parts("123") is None
    assert 15 in nir.IMPOSSIBLE_MONTHS and 45 in nir.IMPOSSIBLE_MONTHS
    assert {20, 30, 42, 50, 99} <= nir.SPECIAL_MONTHS and 12 not in nir.SPECIAL_MONTHS


def test_fast_key_check_agrees_with_stdnum() -> None:
    import random

    rnd = random.Random(3)
    for _ in range(2000):
        body = f"{rnd.choice('12')}{rnd.randint(0, 99):02d}{rnd.randint(1, 12):02d}{rnd.choice(['31', '2A', '2B', '75'])}"
        body += f"{rnd.randint(1, 999):03d}{rnd.randint(1, 999):03d}"
        key = f"{rnd.randint(1, 97):02d}"
        assert nir.key_is_valid(body + key) == nir.is_valid(body + key)


def test_month_values_follow_the_sources() -> None:
    """00 is never attributed; 20-42 and 50-99 are special; 31-42 is month + 30."""
    assert 0 in nir.IMPOSSIBLE_MONTHS and 13 in nir.IMPOSSIBLE_MONTHS and 49 in nir.IMPOSSIBLE_MONTHS
    assert {21, 29, 31, 42, 50, 99} <= nir.SPECIAL_MONTHS
    assert not nir.SPECIAL_MONTHS & nir.IMPOSSIBLE_MONTHS
    assert nir.nir_month_of_birth(3) == 3 and nir.nir_month_of_birth(33) == 3
    assert nir.nir_month_of_birth(42) == 12 and nir.nir_month_of_birth(30) is None
    assert nir.nir_month_of_birth(20) is None and nir.nir_month_of_birth(55) is None
