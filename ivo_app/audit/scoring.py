"""Scores of the questionnaire.

A theme's score is the weighted share of conformity over its applicable questions (conforme 1,
partiel 0.5, non conforme 0, non applicable left out); the global maturity score is the weighted mean
of the themes' scores. Critical questions cap their own theme's level, never the global level: a
non-conforming critical question caps the theme at "insuffisant", a partially conforming one at "en
progrès". The method text of the deliverable (`METHOD_TEXT`) says exactly this.

No level is stated for a theme or for the whole grid until all its questions are answered: a score
over 2 answers out of 31 is a draft figure, not a conclusion.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivo_app.audit.grid import Grid

LEVELS = ((0.8, "maîtrisé"), (0.6, "en progrès"), (0.0, "insuffisant"))
LEVEL_ORDER = {"insuffisant": 0, "en progrès": 1, "maîtrisé": 2}
NOT_ESTABLISHED = "non établi"
NOT_EVALUATED = "non évalué"
METHOD_TEXT = (
    "Score d'un thème : part pondérée de conformité sur les questions applicables (conforme = 1, "
    "partiellement conforme = ½, non conforme = 0, non applicable exclu). Score global : moyenne des "
    "thèmes pondérée par leur poids. Une question critique plafonne le niveau de son thème, et de son "
    "thème seulement : « insuffisant » si elle est non conforme, « en progrès » si elle est "
    "partiellement conforme ; les thèmes plafonnés sont signalés dans la synthèse. Niveaux : maîtrisé "
    "à partir de 80 %, en progrès à partir de 60 %, insuffisant en dessous. Aucun niveau n'est établi "
    "tant que toutes les questions n'ont pas reçu de réponse."
)


@dataclass(frozen=True)
class ThemeScore:
    theme_id: str
    title: str
    score: float | None  # None: no applicable answered question
    level: str
    answered: int
    applicable: int
    critical_failures: tuple[str, ...]
    critical_partials: tuple[str, ...] = ()
    questions: int = 0

    @property
    def capped(self) -> bool:
        return bool(self.critical_failures or self.critical_partials)


@dataclass(frozen=True)
class GridScore:
    themes: tuple[ThemeScore, ...]
    score: float | None
    level: str
    answered: int = 0
    total: int = 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.answered == self.total

    @property
    def capped_themes(self) -> list[ThemeScore]:
        return [t for t in self.themes if t.capped]


def level_of(score: float | None, cap: str | None = None) -> str:
    if score is None:
        return NOT_EVALUATED
    level = next(label for floor, label in LEVELS if score >= floor)
    if cap is not None and LEVEL_ORDER[cap] < LEVEL_ORDER[level]:
        return cap
    return level


def score_grid(grid: Grid, answers: dict[str, str]) -> GridScore:
    """`answers`: question id → answer code (see grid.ANSWERS); unanswered questions are left out."""
    themes = []
    for theme in grid.themes:
        total = achieved = 0.0
        answered = applicable = 0
        failures: list[str] = []
        partials: list[str] = []
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
            elif q.critical and answer == "partiel":
                partials.append(q.id)
        score = achieved / total if total else None
        cap = "insuffisant" if failures else ("en progrès" if partials else None)
        level = level_of(score, cap) if answered == len(theme.questions) else (
            NOT_EVALUATED if score is None else NOT_ESTABLISHED)  # fmt: skip
        themes.append(ThemeScore(theme.id, theme.title, score, level, answered, applicable, tuple(failures),
                                 tuple(partials), len(theme.questions)))  # fmt: skip
    weighted = [
        (t.score, th.weight) for t, th in zip(themes, grid.themes, strict=True) if t.score is not None
    ]
    weight = sum(w for _, w in weighted)
    overall = sum(s * w for s, w in weighted) / weight if weight else None
    answered_total = sum(t.answered for t in themes)
    total_questions = len(grid.questions)
    if overall is None:
        level = NOT_EVALUATED
    elif answered_total < total_questions:
        level = NOT_ESTABLISHED
    else:
        level = level_of(overall)
    return GridScore(tuple(themes), overall, level, answered_total, total_questions)
