"""The audit grid as data: themes, questions, answer scale, weights, critical flags, references."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ANSWERS = ("conforme", "partiel", "non_conforme", "non_applicable")
ANSWER_LABELS = {"conforme": "Conforme", "partiel": "Partiellement conforme", "non_conforme": "Non conforme",
                 "non_applicable": "Non applicable"}  # fmt: skip


class GridError(ValueError):
    """The grid file does not describe a usable grid (message in French)."""


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    reference: str
    weight: float = 1.0
    critical: bool = False


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    weight: float
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Grid:
    id: str
    version: str
    title: str
    scale: dict[str, float | None]
    themes: tuple[Theme, ...] = field(default=())

    def question(self, question_id: str) -> Question:
        for theme in self.themes:
            for q in theme.questions:
                if q.id == question_id:
                    return q
        raise GridError(f"Question inconnue dans la grille {self.id} : {question_id}")

    @property
    def questions(self) -> list[Question]:
        return [q for t in self.themes for q in t.questions]


def grid_from_data(data: dict[str, Any]) -> Grid:
    """Validate and build a grid from the parsed YAML/JSON of a grid file."""
    try:
        scale = {str(k): (None if v is None else float(v)) for k, v in data["scale"].items()}
        if set(scale) != set(ANSWERS):
            raise GridError("L'échelle de réponses doit comporter : " + ", ".join(ANSWERS) + ".")
        themes = tuple(
            Theme(str(t["id"]), str(t["title"]), float(t.get("weight", 1)), tuple(
                Question(str(q["id"]), str(q["text"]), str(q.get("reference", "")), float(q.get("weight", 1)),
                         bool(q.get("critical", False)))
                for q in t["questions"]))
            for t in data["themes"]
        )  # fmt: skip
        grid = Grid(str(data["id"]), str(data["version"]), str(data["title"]), scale, themes)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, GridError):
            raise
        raise GridError(f"Grille invalide : champ manquant ou mal formé ({exc}).") from exc
    ids = [q.id for q in grid.questions]
    if len(ids) != len(set(ids)):
        raise GridError("Grille invalide : identifiants de questions en double.")
    if not ids:
        raise GridError("Grille invalide : aucune question.")
    return grid
