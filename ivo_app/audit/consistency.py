"""Cross-step checks: one step's answer against what another step found (pure).

A self-assessment says "conforme" for the duplicates procedure while the document review found no such
procedure; a questionnaire says the high-trust document is always checked while the observations show
admissions without one. Each disagreement is listed in the deliverable and proposed as a finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ivo_app.audit.grid import ANSWER_LABELS, Grid
from ivo_app.audit.results import OBSERVATION_ITEMS, WRISTBAND_ITEMS, Rate

# Which on-site point contradicts which question (question id → observed item).
OBSERVED = {"T5.1": "recherche_existant", "T5.3": "justificatif_demande", "T5.2": "traits_conformes",
            "T5.4": "statut_correct", "T5.5": "insi_appele", "T6.2": "present"}  # fmt: skip


@dataclass(frozen=True)
class Inconsistency:
    key: str
    question: str
    text: str
    evidence: str
    theme: str
    reference: str


def check_consistency(
    grid: Grid,
    answers: dict[str, dict[str, Any]],
    documents: dict[str, dict[str, Any]],
    admission_rates: list[Rate],
    wristband_rates: list[Rate],
    failure_rate: float = 0.10,
) -> list[Inconsistency]:
    found: list[Inconsistency] = []
    on_site = {r.item: r for r in [*admission_rates, *wristband_rates]}
    for q in grid.questions:
        stored = answers.get(q.id) or {}
        answer = stored.get("auditor") or stored.get("answer")
        if answer not in ("conforme", "partiel"):
            continue
        label = ANSWER_LABELS[answer].lower()
        theme = grid.theme_of(q.id).title
        for name in q.documents:
            doc = documents.get(name) or {}
            if doc.get("present") is False:
                found.append(Inconsistency(
                    f"{q.id}-{name}", q.id,
                    f"La question {q.id} est évaluée « {label} » alors que le document « {name} » n'a pas été "
                    "présenté lors de l'étude de documents.",
                    f"Questionnaire {q.id} : {label} ; étude de documents : absent.", theme, q.reference))  # fmt: skip
            elif answer == "conforme" and doc.get("present") and doc.get("conformity") == "non_conforme":
                found.append(Inconsistency(
                    f"{q.id}-{name}", q.id,
                    f"La question {q.id} est évaluée « conforme » alors que le document « {name} » a été jugé "
                    "non conforme au RNIV.",
                    f"Questionnaire {q.id} : conforme ; étude de documents : non conforme.", theme, q.reference))  # fmt: skip
        item = OBSERVED.get(q.id)
        rate = on_site.get(item) if item else None
        if answer == "conforme" and rate is not None and rate.checked and rate.rate > failure_rate:
            what = OBSERVATION_ITEMS.get(item or "") or WRISTBAND_ITEMS.get(item or "", "")
            pct = f"{100 * rate.rate:.1f} %".replace(".", ",")
            found.append(Inconsistency(
                f"{q.id}-{item}", q.id,
                f"La question {q.id} est évaluée « conforme » alors que l'audit sur site relève « {what} » non "
                f"conforme dans {pct} des cas.",
                f"Questionnaire {q.id} : conforme ; sur site : {rate.failures} sur {rate.checked}.", theme,
                q.reference))  # fmt: skip
    return found


def assessment_gaps(grid: Grid, answers: dict[str, dict[str, Any]]) -> list[tuple[str, str, str, int]]:
    """(question, self-assessment, auditor's assessment, gap in steps of the scale) where both exist and
    differ; a positive gap: the facility rated itself higher than the auditor did."""
    order = {"non_conforme": 0, "partiel": 1, "conforme": 2}
    gaps = []
    for q in grid.questions:
        stored = answers.get(q.id) or {}
        own, auditor = stored.get("answer"), stored.get("auditor")
        if own and auditor and own != auditor:
            gap = order[own] - order[auditor] if own in order and auditor in order else 0
            gaps.append((q.id, own, auditor, gap))
    return gaps
