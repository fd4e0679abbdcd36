"""`records.check_ipps`: the IPP rules of an import (missing, repeated in the batch or in an earlier
batch), computed without a row-by-row loop, give what the row-by-row rules give."""

from __future__ import annotations

import random

from ivo_app.services.records import Rejection, check_ipps


def _row_by_row(ipps: list[str], line_nos: list[int], seen: set[str]) -> tuple[list[int], list[Rejection]]:
    """The rules as the import states them, one row after the other."""
    keep: list[int] = []
    rejections: list[Rejection] = []
    for i, raw in enumerate(ipps):
        ipp = raw.strip()[:64]
        if not ipp:
            rejections.append(Rejection(line_nos[i], "ipp_manquant"))
        elif ipp in seen:
            rejections.append(Rejection(line_nos[i], "ipp_double", ipp))
        else:
            seen.add(ipp)
            keep.append(i)
    return keep, rejections


def test_batches_with_repeats_and_blanks_match_the_row_by_row_rules() -> None:
    rnd = random.Random(7)
    seen_fast: set[str] = set()
    seen_slow: set[str] = set()
    line = 2
    for _ in range(40):
        size = rnd.randint(1, 60)
        batch = [
            rnd.choice(["", " ", f" {rnd.randint(1, 150)}", str(rnd.randint(1, 150))]) for _ in range(size)
        ]
        line_nos = list(range(line, line + size))
        line += size
        ipps, keep, rejections = check_ipps(batch, line_nos, seen_fast)
        expected_keep, expected_rejections = _row_by_row(batch, line_nos, seen_slow)
        assert ipps == [v.strip() for v in batch]
        assert (keep if keep is not None else list(range(size))) == expected_keep
        assert rejections == expected_rejections
        assert seen_fast == seen_slow


def test_a_clean_batch_keeps_every_row_and_remembers_its_ipps() -> None:
    seen: set[str] = {"9"}
    ipps, keep, rejections = check_ipps(["1", " 2 ", "3"], [2, 3, 4], seen)
    assert (ipps, keep, rejections) == (["1", "2", "3"], None, [])
    assert seen == {"1", "2", "3", "9"}


def test_the_first_of_a_repeated_ipp_is_kept_and_an_earlier_batchs_ipp_refused() -> None:
    seen: set[str] = {"7"}
    _, keep, rejections = check_ipps(["5", "7", "5", "", "6", ""], [10, 11, 12, 13, 14, 15], seen)
    assert keep == [0, 4]
    assert rejections == [
        Rejection(11, "ipp_double", "7"),
        Rejection(12, "ipp_double", "5"),
        Rejection(13, "ipp_manquant"),
        Rejection(15, "ipp_manquant"),
    ]
