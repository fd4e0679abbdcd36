"""A trainee cannot answer pair questions without reading the names: over 1,000 pairs of a demo
facility, a strategy that looks at the statuses alone scores no better than chance."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date

from ivo_app.demo.generator import DemoConfig, DemoRecord, generate
from ivo_app.io.cog import load_reference
from ivo_app.services.training import HARD_NEGATIVE_KINDS

DAY = date(2026, 6, 1)


def pair_questions(
    size: int, seed: int
) -> tuple[list[tuple[DemoRecord, DemoRecord]], list[tuple[DemoRecord, DemoRecord]]]:
    """The pairs an exercise draws from: two records of one person, and the two people of a hard
    negative (by the cluster of their person keys, as services.training._pool pairs them)."""
    by_person: dict[str, list[DemoRecord]] = defaultdict(list)
    by_cluster: dict[str, list[DemoRecord]] = defaultdict(list)
    for r in generate(DemoConfig(size=size, seed=seed, reference_date=DAY), load_reference()):
        by_person[r.person_key].append(r)
        if r.kind in HARD_NEGATIVE_KINDS:
            by_cluster[r.person_key.split(".")[0]].append(r)
    duplicates = [(a, b) for a, b in (rs for rs in by_person.values() if len(rs) == 2)]
    lookalikes = [
        (a, b) for a, b in (rs for rs in by_cluster.values() if len(rs) == 2) if a.person_key != b.person_key
    ]
    return duplicates, lookalikes


def statuses(pair: tuple[DemoRecord, DemoRecord]) -> tuple[str, str]:
    return tuple(sorted(r.fields["statut"] for r in pair))  # type: ignore[return-value]


def test_the_status_alone_strategy_scores_no_better_than_chance_over_1000_pairs() -> None:
    duplicates, lookalikes = pair_questions(40_000, 3)
    assert len(duplicates) >= 500 and len(lookalikes) >= 500
    rnd = random.Random(1)
    questions = [(p, True) for p in rnd.sample(duplicates, 500)] + [
        (p, False) for p in rnd.sample(lookalikes, 500)
    ]
    rnd.shuffle(questions)

    # The strategy of the issue: "doublon if one is PROV and neither is HOMONYME" (was right 96.8 %).
    def issue_strategy(pair: tuple[DemoRecord, DemoRecord]) -> bool:
        return any(r.fields["statut"] == "PROV" for r in pair) and not any(
            "HOMONYME" in r.fields["attributs"] for r in pair
        )

    # It now reads one datum besides the statuses (a flagged homonym is two people by definition),
    # hence a bound a little above the status-only one.
    right = sum(issue_strategy(p) == same for p, same in questions)
    assert right / len(questions) < 0.6, right
    one_prov = sum(any(r.fields["statut"] == "PROV" for r in p) == same for p, same in questions)
    assert one_prov / len(questions) < 0.56, one_prov

    # The best rule on the statuses alone, learnt on half the pairs, applied to the other half:
    # chance is 0.5, one standard error 0.022 at n = 500; the bound is 3.5 of them.
    train, test = questions[:500], questions[500:]
    votes: dict[tuple[str, str], Counter[bool]] = defaultdict(Counter)
    for p, same in train:
        votes[statuses(p)][same] += 1

    def learnt(p: tuple[DemoRecord, DemoRecord]) -> bool:
        return votes[statuses(p)][True] >= votes[statuses(p)][False]

    accuracy = sum(learnt(p) == same for p, same in test) / len(test)
    assert accuracy < 0.58, accuracy
    # The best any status-only strategy can do on balanced questions, from the whole pool (every
    # pair of the facility): half the sum over status pairs of the larger of the two class shares.
    by_dup, by_look = Counter(statuses(p) for p in duplicates), Counter(statuses(p) for p in lookalikes)
    bayes = 0.5 * sum(
        max(by_dup[k] / len(duplicates), by_look[k] / len(lookalikes)) for k in set(by_dup) | set(by_look)
    )
    assert bayes < 0.54, bayes  # the issue measured 96.8 % for one status strategy before
    # and every status occurs on both sides: no status tells the answer
    for cls in (duplicates, lookalikes):
        assert {r.fields["statut"] for p in cls for r in p} == {"PROV", "RECUP", "VALI", "QUAL"}


def test_ipps_are_spread_not_consecutive() -> None:
    duplicates, lookalikes = pair_questions(5_000, 4)
    gaps = [abs(int(a.ipp) - int(b.ipp)) for a, b in duplicates + lookalikes]
    assert sum(g == 1 for g in gaps) == 0
    assert len(set(gaps)) > 0.95 * len(gaps)  # no constant stride either
    ipps = [int(r.ipp) for r in generate(DemoConfig(size=2000, seed=4, reference_date=DAY), load_reference())]
    assert len(set(ipps)) == len(ipps) and all(1_000_000 <= i <= 9_999_999 for i in ipps)


def test_recup_identities_are_not_always_conforming_and_variants_cover_corsica_overseas_used_names() -> None:
    recs = list(generate(DemoConfig(size=20_000, seed=6, reference_date=DAY), load_reference()))
    recup = [r for r in recs if r.fields["statut"] == "RECUP"]
    assert sum(1 for r in recup if r.anomalies) > 50
    faulty_places = {r.fields["lieu_naissance"][:2] for r in recs if r.anomalies & {"COH-LIEU", "INS-CLE"}}
    assert {"2A", "2B"} & faulty_places and "97" in faulty_places  # Corsica and overseas anomalies
    assert sum(1 for r in recs if r.fields["prenom_utilise"]) > 500  # used first names are filled
    # no injection strings: only what a desk types
    for r in recs:
        for value in r.fields.values():
            assert not any(s in value for s in ("<", ">", "=", "@", "script")), value
    # no name repeated to make a long field
    for r in recs:
        words = r.fields["nom_naissance"].split()
        assert len(words) < 6 or len(set(words)) > len(words) // 2
    assert all(r.fields["justificatif"] != "AV" for r in recs)
    assert {r.fields["oid_ins"] for r in recs if r.fields["matricule_ins"]} >= {"1.2.250.1.213.1.4.11"}
