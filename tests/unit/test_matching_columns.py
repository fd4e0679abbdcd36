"""The vectorised engine (columns.py) agrees with the readable reference (engine.py) pair by pair."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import numpy as np
import pytest

from ivo_app.paths import resource
from ivo_app.rules.matching import columns
from ivo_app.rules.matching.engine import TRAITS, Keyed, Model, candidate_pairs, levels, score_pair
from ivo_app.rules.record import IdentityRecord

SURNAMES = ["MARTIN", "MARTAIN", "DUPONT", "DUPOND", "GAUTHIER", "GAUTIER", "LE GALL", "LEGALL", "BERNARD",
            "PHILIPPE", "FILIPE", "DURAND", "Durand-Lopez", "N'DIAYE", "NDIAYE", "ÉLOI", "ELOY", "ROUX", "RAOUX"]  # fmt: skip
FIRSTS = ["JEAN", "JEAN-PIERRE", "JEAN PIERRE", "PIERRE", "MARIE", "MARIE-ANNE", "ANNE", "ANNA", "LÉA", "LEA",
          "MARTIN", "DUPONT", "CHLOÉ", "CLOE", ""]  # fmt: skip


def _records(count: int, seed: int) -> list[IdentityRecord]:
    """Identities crowded on few names and dates, with the errors the levels look for."""
    rnd = random.Random(seed)
    out = []
    for k in range(count):
        born = date(1950, 1, 1) + timedelta(days=rnd.randrange(0, 400))
        if rnd.random() < 0.1:
            born = date(born.year, born.day, born.month) if born.day <= 12 else born
        if rnd.random() < 0.1:
            born = date(born.year + rnd.choice((-1, 1, 10)), born.month, born.day)
        if rnd.random() < 0.05:  # a day off, or a date completed as RNIV says
            born = rnd.choice(
                (born + timedelta(days=1), date(born.year, 12, 31), date(born.year, born.month, 1))
            )
        first = rnd.choice(FIRSTS)
        firsts = first if rnd.random() < 0.6 else f"{first} {rnd.choice(FIRSTS)}"
        out.append(
            IdentityRecord(
                id=k + 1,
                ipp=str(1000 + k),
                birth_name=rnd.choice(SURNAMES) if rnd.random() < 0.97 else None,
                first_names=firsts if rnd.random() < 0.9 else None,
                first_first_name=first if rnd.random() < 0.8 else None,
                birth_date=born if rnd.random() < 0.97 else None,
                sex=rnd.choice(("M", "F", "F", "M", None, "I")),
                birthplace=rnd.choice(("31555", "75112", "99350", "99999", None)),
                used_name=rnd.choice(SURNAMES) if rnd.random() < 0.2 else None,
                ins_matricule=rnd.choice(("180031255500112", "280031255500145", None, None, None, None)),
                attributes=rnd.choice((None, None, "HOMONYME", "DOUTEUSE,HOMONYME")),
            )
        )
    return out


@pytest.fixture(scope="module")
def data() -> tuple[list[IdentityRecord], list[Keyed], columns.Table]:
    records = _records(1500, seed=7)
    return records, [Keyed.of(r) for r in records], columns.Table.of(records)


def test_columns_hold_the_same_normalised_traits(data) -> None:  # type: ignore[no-untyped-def]
    records, keyed, table = data
    assert [table.keyed(i) for i in range(len(records))] == keyed


def test_blocking_finds_the_same_candidate_pairs(data) -> None:  # type: ignore[no-untyped-def]
    _, keyed, table = data
    for cap in (200, 5):  # small blocks skipped the same way
        i, j = columns.candidate_pairs(table, cap)
        assert set(zip(i.tolist(), j.tolist(), strict=True)) == candidate_pairs(keyed, cap)


def test_blocking_in_chunks_finds_the_same_pairs(data, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A pass's pairs are built a few blocks at a time (7,000,000 identities): the chunk boundaries,
    # down to one block per chunk, must change nothing, order included.
    _, keyed, table = data
    whole_i, whole_j = columns.candidate_pairs(table, 200)
    for chunk in (1, 7, 1000):
        monkeypatch.setattr(columns, "BLOCK_CHUNK_PAIRS", chunk)
        i, j = columns.candidate_pairs(table, 200)
        assert np.array_equal(i, whole_i) and np.array_equal(j, whole_j)
    assert set(zip(whole_i.tolist(), whole_j.tolist(), strict=True)) == candidate_pairs(keyed, 200)


def test_levels_agree_on_candidates_and_random_pairs(data) -> None:  # type: ignore[no-untyped-def]
    _, keyed, table = data
    i, j = columns.candidate_pairs(table, 200)
    rnd = np.random.default_rng(3)
    i = np.r_[i, rnd.integers(0, len(keyed), 5000)]
    j = np.r_[j, rnd.integers(0, len(keyed), 5000)]
    matrix = columns.level_matrix(table, i, j)
    seen: set[tuple[str, str]] = set()
    for k, (a, b) in enumerate(zip(i.tolist(), j.tolist(), strict=True)):
        expected = levels(keyed[a], keyed[b])
        got = {trait: columns.TRAIT_LEVELS[trait][matrix[k, x]] for x, trait in enumerate(TRAITS)}
        assert got == expected, (keyed[a], keyed[b])
        seen |= set(expected.items())
    # The sample exercises the French levels, not only exact and else.
    assert {("birth_name", "inverted"), ("birth_name", "cross_used"), ("first_name", "truncated"),
            ("first_name", "in_list"), ("birth_date", "swapped"), ("birth_date", "one_digit")} <= seen  # fmt: skip


def test_scores_and_decisions_agree(data) -> None:  # type: ignore[no-untyped-def]
    _, keyed, table = data
    model = Model(
        m={t: {lvl: 0.9 if lvl in ("exact", "equal") else 0.02 for lvl in columns.TRAIT_LEVELS[t]} for t in TRAITS},
        thresholds={"probable": 14.0, "a_examiner": 6.0, "two_persons_review": 12.0},
    )  # fmt: skip
    columns.estimate_u(model, table)
    assert model.name_freq  # term frequencies measured: 1500 identities
    i, j = columns.candidate_pairs(table, 200)
    scored = columns.score_pairs(model, table, i, j)
    kept = 0
    for k, (a, b) in enumerate(zip(i.tolist(), j.tolist(), strict=True)):
        expected = score_pair(model, keyed[a], keyed[b])
        assert bool(scored.keep[k]) == (expected is not None)
        if expected is not None:
            kept += 1
            assert float(scored.score[k]) == pytest.approx(expected.score, abs=0.006)
            assert columns.LEVEL_NAMES[scored.level[k]] == expected.level
            assert columns.KIND_NAMES[scored.kind[k]] == expected.kind
            assert scored.reasons(k) == expected.reasons
    assert kept > 20
    assert {m.kind for m in columns.matches(scored, table)} == {"doublon", "collision"}


def test_names_inverted_with_a_typo_on_the_way() -> None:
    def rec(name: str, first: str) -> Keyed:
        return Keyed.of(
            IdentityRecord(id=1, ipp="1", birth_name=name, first_first_name=first, first_names=first)
        )

    assert levels(rec("MASON", "MADELINE"), rec("MADELINE", "MASNO"))["birth_name"] == "inverted"
    assert levels(rec("MASON", "MADELINE"), rec("MADELINE", "MASNO"))["first_name"] == "inverted"
    assert levels(rec("LEA", "BON"), rec("BON", "LEO"))["birth_name"] != "inverted"  # too short to tell
    table = columns.Table.of(
        [IdentityRecord(id=k, ipp=str(k), birth_name=n, first_first_name=f) for k, (n, f) in
         enumerate((("MASON", "MADELINE"), ("MADELINE", "MASNO"), ("LEA", "BON"), ("BON", "LEO")))]
    )  # fmt: skip
    matrix = columns.level_matrix(table, np.array([0, 2]), np.array([1, 3]))
    assert [columns.TRAIT_LEVELS["birth_name"][x] for x in matrix[:, 0]] == ["inverted", "else"]


def test_stored_search_keys_find_what_detection_would_compare(data) -> None:  # type: ignore[no-untyped-def]
    records, _, table = data
    stored: dict[int, set[int]] = {}
    for key, row in zip(*(a.tolist() for a in columns.search_keys(table)), strict=True):
        stored.setdefault(key, set()).add(row)
    full: dict[int, set[int]] = {}  # every name-and-date key, mirrors included, on both sides
    for pass_id, parts in enumerate(columns._passes(table), start=1):
        if pass_id in columns.SEARCH_PASSES:
            for key, row in zip(*(a.tolist() for a in columns._sorted_unique(parts)), strict=True):
                full.setdefault(key, set()).add(row)
    compared: dict[int, set[int]] = {}
    for rows in full.values():
        for row in rows:
            compared.setdefault(row, set()).update(rows)
    checked = 0
    for row in range(0, len(records), 5):
        probe_keys, _ = columns.search_keys(columns.Table.of([records[row]]), probe=True)
        found = set().union(*(stored.get(k, set()) for k in probe_keys.tolist()))
        assert compared.get(row, {row}) <= found | {row}
        checked += len(compared.get(row, ()))
    assert checked > 1000


def test_absent_traits_are_no_evidence_and_a_shared_identifier_outweighs_a_typed_difference() -> None:
    born = date(1980, 5, 17)

    def rec(k: int, first: str | None, birth: date | None = born) -> IdentityRecord:
        return IdentityRecord(id=k, ipp=str(k), birth_name="MASON", first_first_name=first, first_names=first,
                              birth_date=birth, sex="F", birthplace="31555")  # fmt: skip

    # An absent first name or date is its own level, weighing nothing, in both engines.
    a, b = Keyed.of(rec(1, "MADELINE")), Keyed.of(rec(2, None, None))
    assert levels(a, b)["first_name"] == "missing" and levels(a, b)["birth_date"] == "missing"
    model = Model(
        m={t: {} for t in TRAITS},
        thresholds={"probable": 14.0, "a_examiner": 10.0, "two_persons_review": 24.0},
    )
    assert model.weight("first_name", "missing") == 0.0 and model.weight("birth_date", "missing") == 0.0

    # Two first names typed differently: two persons, unless both records share another identifier.
    records = [rec(1, "MADELINE"), rec(2, "JOSEPHINE"), rec(3, "MADELINE"), rec(4, "JOSEPHINE")]
    ids: list[str | None] = ["111", "111", "222", "333"]
    table = columns.Table.of(records, {"other_id": ids})
    shipped = json.loads(resource("matching", "model.json").read_text(encoding="utf-8"))
    model = Model(m=shipped["m"], thresholds=shipped["thresholds"], u=shipped["u_prior"])
    scored = columns.score_pairs(model, table, np.array([0, 2]), np.array([1, 3]))
    first = scored.traits.index("first_name")
    assert [columns.TRAIT_LEVELS["first_name"][x] for x in scored.levels[:, first]] == ["else", "else"]
    shared, other = scored.keep.tolist()
    assert shared and not other  # same name, date, place, sex: only the shared identifier keeps the first


def _pairs(table: columns.Table) -> set[tuple[str, str]]:
    i, j = columns.candidate_pairs(table, cap=200)
    return {(table.ipps[a], table.ipps[b]) for a, b in zip(i.tolist(), j.tolist(), strict=True)}


def test_complementary_traits_block_with_the_birth_date_and_identifiers_one_character_apart() -> None:
    def rec(k: int, name: str, first: str, born: date) -> IdentityRecord:
        return IdentityRecord(id=k, ipp=str(k), birth_name=name, first_names=first, first_first_name=first,
                              birth_date=born)  # fmt: skip

    # Both names rewritten (FEBRL's corruptions): only the address and the date, or the identifier, remain.
    records = [rec(1, "MORRISON", "SILAS", date(1937, 11, 21)), rec(2, "GLASS", "HOLLY", date(1937, 11, 21)),
               rec(3, "NOBLE", "TATE", date(1950, 1, 2)), rec(4, "REID", "JACK", date(1961, 5, 3)),
               rec(5, "CROKER", "EMMA", date(1970, 7, 9)), rec(6, "WHITE", "FINLAY", date(1982, 8, 1))]  # fmt: skip
    postcodes: list[str | None] = ["2580", "2580", "4214", "4214", None, None]
    ids: list[str | None] = [None, None, "6885608", "6886508", "1234567", "7654321"]
    found = _pairs(columns.Table.of(records, {"postcode": postcodes, "other_id": ids}))
    assert ("1", "2") in found  # same postcode, same date
    assert ("3", "4") in found  # identifiers two swapped digits apart
    assert ("5", "6") not in found  # the same digits in another order are another identifier
    assert not _pairs(columns.Table.of(records))  # without them, nothing brings these together


def test_em_learns_what_the_duplicates_of_this_file_look_like() -> None:
    """A source whose duplicates often (40 %) carry another first name, and share their address (FEBRL's
    corruptions): with the configured m alone they are dropped as two persons; EM learns that this
    difference is common among the file's duplicates, and they reach the review queue (never
    `probable`: twins look the same)."""
    rnd = random.Random(3)
    letters = "ABCDEFGHIJKLMNOPRSTUVZ"

    def word() -> str:
        return "".join(rnd.choice(letters) for _ in range(rnd.randint(5, 8)))

    records: list[IdentityRecord] = []
    addresses: list[str | None] = []
    duplicated: list[tuple[str, str]] = []
    for person in range(1500):
        name, born = word(), date(1930, 1, 1) + timedelta(days=rnd.randrange(25_000))
        for copy in range(2 if person < 600 else 1):
            first = word() if copy == 0 or rnd.random() < 0.4 else records[-1].first_first_name
            records.append(IdentityRecord(id=len(records) + 1, ipp=str(len(records) + 1), birth_name=name,
                                          first_first_name=first, first_names=None, birth_date=born,
                                          sex=rnd.choice("MF") if copy == 0 else records[-1].sex))  # fmt: skip
            addresses.append(f"{rnd.randint(1, 99)} RUE {word()}" if copy == 0 else addresses[-1])
            if copy and first != records[-2].first_first_name:
                duplicated.append((str(len(records) - 1), str(len(records))))
    shipped = json.loads(resource("matching", "model.json").read_text(encoding="utf-8"))

    def model() -> Model:
        return Model(m=json.loads(json.dumps(shipped["m"])), thresholds=shipped["thresholds"],
                     u=json.loads(json.dumps(shipped["u_prior"])))  # fmt: skip

    table = columns.Table.of(records, {"address": addresses})

    def kept(scored: columns.Scored, where: np.ndarray | None = None) -> set[tuple[str, str]]:
        k = np.flatnonzero(scored.keep if where is None else scored.keep & where)
        return {
            (table.ipps[a], table.ipps[b])
            for a, b in zip(scored.i[k].tolist(), scored.j[k].tolist(), strict=True)
        }

    configured = model()
    columns.estimate_u(configured, table)
    i, j = columns.candidate_pairs(table, configured.block_cap)
    assert not kept(columns.score_pairs(configured, table, i, j)) & set(duplicated)
    learned = columns.find_scored(model(), table)
    assert learned.estimate is not None and learned.estimate.m["first_name"]["else"] > 0.25
    assert len(kept(learned) & set(duplicated)) >= 0.98 * len(duplicated)
    probable = kept(learned, learned.level == columns.PROBABLE)
    assert probable  # the duplicates agreeing on their first name
    assert not probable & set(duplicated)


def test_birth_names_that_differ_are_reviewed_never_probable_whatever_em_learnt() -> None:
    """On millions of identities EM may weigh different birth names near 0; the pair is still reviewed."""
    born = date(1975, 4, 2)
    a, b = (IdentityRecord(id=k, ipp=str(k), birth_name=name, first_names="CLAIRE", first_first_name="CLAIRE",
                           birth_date=born, sex="F", birthplace="31555") for k, name in ((1, "FABRE"), (2, "ROUSSEL")))  # fmt: skip
    shipped = json.loads(resource("matching", "model.json").read_text(encoding="utf-8"))
    model = Model(
        m=json.loads(json.dumps(shipped["m"])), thresholds=shipped["thresholds"], u=shipped["u_prior"]
    )
    model.m["birth_name"]["else"] = 0.9  # as EM drifted on 7,000,000 demo identities
    match = score_pair(model, Keyed.of(a), Keyed.of(b))
    assert match is not None and match.score >= model.probable_threshold() and match.level == "a_examiner"
    scored = columns.score_pairs(model, columns.Table.of([a, b]), np.array([0]), np.array([1]))
    assert scored.keep[0] and scored.level[0] == columns.TO_REVIEW


def test_a_first_name_the_files_duplicates_often_differ_on_is_weighed_not_dropped() -> None:
    """In a French identity file another first name says two persons (twins): the pair is dropped below
    two_persons_review. Where EM measured that a third of the file's duplicates differ on the first name
    (Splink's historical figures: WILLIAM / BILL), the pair is reviewed on its score, never probable."""
    born = date(1630, 8, 1)
    a, b = (IdentityRecord(id=k, ipp=str(k), birth_name="CHUDLEIGH", first_names=first, first_first_name=first,
                           birth_date=born, sex="M") for k, first in ((1, "WILLIAM"), (2, "BILL")))  # fmt: skip
    shipped = json.loads(resource("matching", "model.json").read_text(encoding="utf-8"))

    def decided(first_else: float) -> tuple[str | None, str | None]:
        model = Model(
            m=json.loads(json.dumps(shipped["m"])), thresholds=shipped["thresholds"], u=shipped["u_prior"]
        )
        model.m["first_name"]["else"] = first_else
        match = score_pair(model, Keyed.of(a), Keyed.of(b))
        assert match is None or match.score < model.thresholds["two_persons_review"]
        scored = columns.score_pairs(model, columns.Table.of([a, b]), np.array([0]), np.array([1]))
        vector = columns.LEVEL_NAMES[scored.level[0]] if scored.keep[0] else None
        return vector, None if match is None else match.level

    assert decided(0.002) == (None, None)  # the configured m: twins' evidence
    assert decided(0.34) == ("a_examiner", "a_examiner")  # as EM estimated it on historical_50k
