"""Audit core: the default grid, scoring (critical and non-applicable answers), Wilson, sampling."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ivo_app.audit.grid import GridError, grid_from_data
from ivo_app.audit.scoring import score_grid
from ivo_app.audit.statistics import stratified_sample, wilson

GRID = Path(__file__).resolve().parent.parent.parent / "resources" / "grids" / "ivo3-rniv-defaut.yaml"


def load() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(GRID.read_text(encoding="utf-8"))


def test_default_grid_covers_the_eight_themes_with_references() -> None:
    grid = grid_from_data(load())
    assert [t.id for t in grid.themes] == [f"T{i}" for i in range(1, 9)]
    assert all(q.reference for q in grid.questions)
    assert any(q.critical for q in grid.questions)


def test_theme_and_global_scores_with_partial_and_not_applicable_answers() -> None:
    grid = grid_from_data(load())
    answers = {"T1.1": "conforme", "T1.2": "partiel", "T1.3": "non_applicable"}
    t1 = score_grid(grid, answers).themes[0]
    assert t1.score == pytest.approx((2 * 1 + 1 * 0.5) / 3)  # weights 2 and 1; N/A left out
    assert (t1.answered, t1.applicable) == (3, 2)
    everything = {q.id: "conforme" for q in grid.questions}
    full = score_grid(grid, everything)
    assert full.score == pytest.approx(1.0) and full.level == "maîtrisé"


def test_a_non_conforming_critical_question_caps_the_theme() -> None:
    grid = grid_from_data(load())
    answers = {q.id: "conforme" for q in grid.questions}
    answers["T2.3"] = "non_conforme"  # référent not named: critical
    result = score_grid(grid, answers)
    t2 = result.themes[1]
    assert t2.score is not None and t2.score > 0.6
    assert t2.level == "insuffisant" and t2.critical_failures == ("T2.3",)
    assert result.level == "insuffisant"


def test_invalid_grid_is_refused_in_french() -> None:
    data = load()
    data["scale"].pop("partiel")
    with pytest.raises(GridError, match="échelle"):
        grid_from_data(data)
    with pytest.raises(GridError, match="Grille invalide"):
        grid_from_data({"id": "x"})


@pytest.mark.parametrize(
    ("errors", "n", "low", "high"),
    [(0, 10, 0.0, 0.2775), (1, 10, 0.0179, 0.4042), (5, 10, 0.2366, 0.7634), (10, 100, 0.0552, 0.1744)],
)
def test_wilson_interval_against_published_values(errors: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson(errors, n)
    assert lo == pytest.approx(low, abs=1e-4) and hi == pytest.approx(high, abs=1e-4)


def test_stratified_sample_is_reproducible_and_proportional() -> None:
    items = [(f"{i:05d}", "QUAL") for i in range(600)] + [(f"9{i:04d}", "PROV") for i in range(300)]
    items += [(f"8{i:04d}", "VALI") for i in range(100)]
    first = stratified_sample(items, 50, seed=7)
    assert first == stratified_sample(items, 50, seed=7)
    assert first != stratified_sample(items, 50, seed=8)
    strata = {key: s for key, s in items}
    counts = {s: sum(1 for k in first if strata[k] == s) for s in ("QUAL", "PROV", "VALI")}
    assert counts == {"QUAL": 30, "PROV": 15, "VALI": 5}
    assert len(stratified_sample(items[:3], 50, seed=1)) == 3
