"""Scores of the self-assessment questionnaire.

A theme's score is the weighted share of conformity over its applicable questions (conforme 1,
partiel 0.5, non conforme 0, non applicable left out); the global maturity score is the weighted mean
of the themes' scores. A non-conforming critical question caps its theme's level at "insuffisant",
whatever the score.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivo_app.audit.grid import Grid

LEVELS = ((0.8, "maîtrisé"), (0.6, "en progrès"), (0.0, "insuffisant"))


@dataclass(frozen=True)
class ThemeScore:
    theme_id: str
    title: str
    score: float | None  # None: no applicable answered question
    level: str
    answered: int
    applicable: int
    critical_failures: tuple[str, ...]


@dataclass(frozen=True)
class GridScore:
    themes: tuple[ThemeScore, ...]
    score: float | None
    level: str


def level_of(score: float | None, capped: bool) -> str:
    if score is None:
        return "non évalué"
    if capped:
        return "insuffisant"
    return next(label for floor, label in LEVELS if score >= floor)


def score_grid(grid: Grid, answers: dict[str, str]) -> GridScore:
    """`answers`: question id → answer code (see grid.ANSWERS); unanswered questions are left out."""
    themes = []
    for theme in grid.themes:
        total = achieved = 0.0
        answered = applicable = 0
        failures = []
        for q in theme.questions:
            answer = answers.get(q.id)
            if answer is None:
                continue
            answered += 1
            value = grid.scale[answer]
            if value is None:
                continue  # non applicable
            applicable += 1
            total += q.weight
            achieved += q.weight * value
            if q.critical and answer == "non_conforme":
                failures.append(q.id)
        score = achieved / total if total else None
        themes.append(ThemeScore(theme.id, theme.title, score, level_of(score, bool(failures)), answered, applicable,
                                 tuple(failures)))  # fmt: skip
    weighted = [
        (t.score, th.weight) for t, th in zip(themes, grid.themes, strict=True) if t.score is not None
    ]
    weight = sum(w for _, w in weighted)
    overall = sum(s * w for s, w in weighted) / weight if weight else None
    capped = any(t.critical_failures for t in themes)
    return GridScore(tuple(themes), overall, level_of(overall, capped))
