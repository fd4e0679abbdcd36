"""The audit grid as data: themes, questions, answer scale, weights, critical flags, references.

A question may name the step-2 documents it relies on (`documents`): the cross-step checks compare the
facility's answer with what the document review found. It may also carry the wording of the finding
and of the recommendation to propose when it is not met, so a finding reads as a statement of fact
rather than the question negated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ANSWERS = ("conforme", "partiel", "non_conforme", "non_applicable")
ANSWER_LABELS = {"conforme": "Conforme", "partiel": "Partiellement conforme", "non_conforme": "Non conforme",
                 "non_applicable": "Non applicable"}  # fmt: skip
DEFAULT_TARGETS = {
    "qualification_rate": 80.0,  # % of the active file with a qualified INS
    "duplicate_rate": 0.5,  # % of probable duplicates
    "sample_error_rate": 0.02,  # error share per trait in the sample (lower bound of the interval)
    "admission_failure_rate": 0.10,  # share of observed admissions failing a point
    "wristband_failure_rate": 0.05,  # share of checked patients without a (readable) wristband
}


class GridError(ValueError):
    """The grid file does not describe a usable grid (message in French)."""


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    reference: str
    weight: float = 1.0
    critical: bool = False
    documents: tuple[str, ...] = ()
    finding: str = ""
    recommendation: str = ""


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    weight: float
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Reference:
    id: str
    title: str
    version: str


@dataclass(frozen=True)
class Grid:
    id: str
    version: str
    title: str
    scale: dict[str, float | None]
    themes: tuple[Theme, ...] = field(default=())
    references: tuple[Reference, ...] = ()
    targets: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_TARGETS))

    def question(self, question_id: str) -> Question:
        for theme in self.themes:
            for q in theme.questions:
                if q.id == question_id:
                    return q
        raise GridError(f"Question inconnue dans la grille {self.id} : {question_id}")

    def has_question(self, question_id: str) -> bool:
        return any(q.id == question_id for q in self.questions)

    def theme_of(self, question_id: str) -> Theme:
        return next(t for t in self.themes if any(q.id == question_id for q in t.questions))

    @property
    def questions(self) -> list[Question]:
        return [q for t in self.themes for q in t.questions]


def _question(q: dict[str, Any]) -> Question:
    docs = q.get("documents") or ()
    if isinstance(docs, str):
        docs = (docs,)
    return Question(str(q["id"]), str(q["text"]), str(q.get("reference", "")), float(q.get("weight", 1)),
                    bool(q.get("critical", False)), tuple(str(d) for d in docs), str(q.get("finding") or ""),
                    str(q.get("recommendation") or ""))  # fmt: skip


def grid_from_data(data: dict[str, Any]) -> Grid:
    """Validate and build a grid from the parsed YAML/JSON of a grid file."""
    try:
        scale = {str(k): (None if v is None else float(v)) for k, v in data["scale"].items()}
        if set(scale) != set(ANSWERS):
            raise GridError("L'échelle de réponses doit comporter : " + ", ".join(ANSWERS) + ".")
        themes = tuple(
            Theme(str(t["id"]), str(t["title"]), float(t.get("weight", 1)),
                  tuple(_question(q) for q in t["questions"]))
            for t in data["themes"]
        )  # fmt: skip
        references = tuple(
            Reference(str(r["id"]), str(r["title"]), str(r["version"])) for r in data.get("references") or ()
        )
        targets = {**DEFAULT_TARGETS, **{str(k): float(v) for k, v in (data.get("targets") or {}).items()}}
        grid = Grid(
            str(data["id"]), str(data["version"]), str(data["title"]), scale, themes, references, targets
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, GridError):
            raise
        raise GridError(f"Grille invalide : champ manquant ou mal formé ({exc}).") from exc
    ids = [q.id for q in grid.questions]
    if len(ids) != len(set(ids)):
        raise GridError("Grille invalide : identifiants de questions en double.")
    if not ids:
        raise GridError("Grille invalide : aucune question.")
    unknown = set(grid.targets) - set(DEFAULT_TARGETS)
    if unknown:
        raise GridError("Grille invalide : objectif inconnu " + ", ".join(sorted(unknown)) + ".")
    return grid
