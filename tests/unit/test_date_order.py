"""The date format is decided per column from the column's values, never value by value."""

from __future__ import annotations

from datetime import date

from ivo_app.io.values import column_date_order, parse_date


def test_an_eight_digit_column_of_aaaammjj_is_read_as_such() -> None:
    column = ["20050315", "19800312", "19501201", ""]
    assert column_date_order(column) == ("ymd", None)
    # Alone, 20050315 parses as JJMMAAAA (20/05/0315): the column's order forbids that reading.
    assert parse_date("20050315") == date(315, 5, 20)
    assert parse_date("20050315", None, "ymd") == date(2005, 3, 15)


def test_a_jjmmaaaa_column_and_a_value_that_contradicts_it() -> None:
    column = ["15032005", "01011990", "31121979"]
    assert column_date_order(column) == ("dmy", None)
    assert parse_date("15032005", None, "dmy") == date(2005, 3, 15)
    assert parse_date("19800312", None, "dmy") is None  # kept as text: the rules report it


def test_slashed_dates_are_french_unless_the_column_says_otherwise() -> None:
    assert column_date_order(["03/04/2005", "12/11/1980"]) == (None, "dmy")  # ambiguous: JJ/MM/AAAA
    assert column_date_order(["03/15/2005", "01/02/2003"]) == (None, "mdy")
    assert column_date_order(["03/15/2005", "25/02/2003"]) == (None, "dmy")  # both seen: not American
    assert parse_date("01/02/2003", None, None, "mdy") == date(2003, 1, 2)
    assert parse_date("01/02/2003") == date(2003, 2, 1)
