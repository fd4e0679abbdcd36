"""EM estimation of m on comparison vectors: recovers the m that generated them, uses labels."""

from __future__ import annotations

import numpy as np
import pytest

from ivo_app.rules.matching import columns
from ivo_app.rules.matching.engine import TRAITS, Model

SIZES = [len(columns.TRAIT_LEVELS[t]) for t in TRAITS]


def _disagreement(trait: str) -> int:
    """The level of two different values ("else", or "different" for the presence traits)."""
    levels = columns.TRAIT_LEVELS[trait]
    return levels.index("else") if "else" in levels else levels.index("different")


def _draw(rnd: np.random.Generator, probs: list[np.ndarray], count: int) -> np.ndarray:
    return np.stack([rnd.choice(len(p), size=count, p=p) for p in probs], axis=1).astype(np.int8)


def _dirichlet(rnd: np.random.Generator, peak: int, size: int, strength: float) -> np.ndarray:
    alpha = np.ones(size)
    alpha[peak] = strength
    return rnd.dirichlet(alpha)


def _problem(seed: int) -> tuple[Model, list[np.ndarray], np.ndarray, np.ndarray]:
    rnd = np.random.default_rng(seed)
    true_m = [_dirichlet(rnd, 0, s, 60.0) for s in SIZES]  # duplicates mostly agree
    other = [
        _dirichlet(rnd, _disagreement(t), s, 8.0) for t, s in zip(TRAITS, SIZES, strict=True)
    ]  # the others mostly disagree
    matches, others = _draw(rnd, true_m, 6000), _draw(rnd, other, 14000)
    levels = np.concatenate([matches, others])
    truth = np.r_[np.ones(len(matches), np.int8), np.zeros(len(others), np.int8)]
    # EM starts, as in use, from an m where duplicates agree more than not (model.json's is such);
    # from a flat start the two classes are interchangeable and EM may name them either way.
    start = {
        t: {lvl: (0.5 if k == 0 else 0.5 / (len(levels_) - 1)) for k, lvl in enumerate(levels_)}
        for t, levels_ in ((t, columns.TRAIT_LEVELS[t]) for t in TRAITS)
    }
    return Model(m=start, thresholds={}), true_m, levels, truth


def test_em_recovers_the_m_that_generated_the_pairs() -> None:
    model, true_m, levels, truth = _problem(5)
    estimate = columns.estimate_m(model, levels)
    assert estimate.converged
    assert estimate.match_share == pytest.approx(truth.mean(), abs=0.02)
    for x, trait in enumerate(TRAITS):
        got = np.array([estimate.m[trait][lvl] for lvl in columns.TRAIT_LEVELS[trait]])
        assert got.sum() == pytest.approx(1.0)
        assert np.abs(got - true_m[x]).max() < 0.03, trait


def test_reviewers_decisions_count_as_what_the_cell_said() -> None:
    model, _, levels, truth = _problem(6)
    labelled = columns.estimate_m(model, levels, truth.astype(np.int8), prior_pairs=0.0)
    assert labelled.labelled == len(levels)
    for x, trait in enumerate(TRAITS):  # every pair labelled: m is the duplicates' level shares
        shares = np.bincount(levels[truth == 1, x], minlength=SIZES[x]) / (truth == 1).sum()
        got = [labelled.m[trait][lvl] for lvl in columns.TRAIT_LEVELS[trait]]
        assert got == pytest.approx(shares.tolist(), abs=1e-9)


def test_parameters_are_readable_by_the_cell() -> None:
    model, _, levels, _ = _problem(7)
    model.u = {
        t: {lvl: 1.0 / len(columns.TRAIT_LEVELS[t]) for lvl in columns.TRAIT_LEVELS[t]} for t in TRAITS
    }
    model.thresholds = {"probable": 14.0}
    params = columns.parameters(model, columns.estimate_m(model, levels))
    birth = {row["level"]: row for row in params["traits"]["birth_date"]}
    assert birth["swapped"]["label"] == "jour et mois inversés"
    assert birth["exact"]["weight"] == pytest.approx(
        np.log2(birth["exact"]["m"] / birth["exact"]["u"]), abs=1e-3
    )
    assert params["em"]["pairs"] == len(levels)


def test_an_estimate_whose_duplicates_disagree_on_dates_is_not_plausible() -> None:
    model, _, levels, _ = _problem(7)
    assert columns.plausible(columns.estimate_m(model, levels))
    # Same-surname pairs outnumbering the duplicates: the class EM calls duplicates shares a surname and
    # nothing else (birth dates and first names different), as it did on a million identities.
    rnd = np.random.default_rng(8)
    family = [np.eye(s)[0] * 0.9 + 0.1 / s for s in SIZES]
    for trait in ("first_name", "birth_date"):
        x = TRAITS.index(trait)
        family[x] = np.eye(SIZES[x])[_disagreement(trait)] * 0.95 + 0.05 / SIZES[x]
    collapsed = columns.estimate_m(model, _draw(rnd, [p / p.sum() for p in family], 20000), prior_pairs=1.0)
    assert not columns.plausible(collapsed)
