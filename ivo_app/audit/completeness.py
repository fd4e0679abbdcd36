"""How complete an audit is, step by step, and whether its deliverable may be signed (pure).

Until every step is complete the deliverable is a draft: it carries "PROJET" and the completeness on
every page, and states no maturity level.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ivo_app.audit.items import SEVERITIES, STATE_LABELS


@dataclass(frozen=True)
class StepCompleteness:
    step: str
    label: str
    state: str
    done: int
    total: int
    detail: str

    @property
    def complete(self) -> bool:
        return self.state == "termine" and self.done >= self.total


@dataclass(frozen=True)
class Completeness:
    steps: tuple[StepCompleteness, ...]
    missing: tuple[str, ...] = field(default=())

    @property
    def complete(self) -> bool:
        return all(s.complete for s in self.steps) and not self.missing

    def line(self) -> str:
        """One line for the page footer of a draft."""
        short = {"questionnaire": "questionnaire", "documents": "documents", "sur_site": "sur site",
                 "livrable": "livrable"}  # fmt: skip
        parts = [f"{short.get(s.step, s.step)} {s.done}/{s.total}" for s in self.steps]
        return "Complétude : " + " · ".join(parts)


def chain_gaps(
    findings: dict[str, dict[str, object]],
    recommendations: dict[str, dict[str, object]],
    actions: dict[str, dict[str, object]],
) -> list[str]:
    """Critical and major findings without a recommendation, recommendations without an action."""
    gaps = []
    linked_findings = {str(r.get("finding")) for r in recommendations.values() if r.get("finding")}
    linked_recs = {str(a.get("recommendation")) for a in actions.values() if a.get("recommendation")}
    for key, f in findings.items():
        if f.get("severity") in SEVERITIES[:2] and key not in linked_findings:
            gaps.append(f"constat « {str(f.get('text', key))[:60]} » sans recommandation")
    for key, r in recommendations.items():
        if r.get("finding") and key not in linked_recs:
            gaps.append(f"recommandation « {str(r.get('text', key))[:60]} » sans action")
    return gaps


def _state(states: dict[str, str], step: str) -> str:
    return states.get(step, "a_faire")


def completeness(
    labels: dict[str, str],
    states: dict[str, str],
    answered: int,
    questions: int,
    documents_assessed: int,
    documents: int,
    on_site_parts: int,
    sample_drawn: int,
    sample_checked: int,
    gaps: list[str],
) -> Completeness:
    steps = (
        StepCompleteness("questionnaire", labels["questionnaire"], _state(states, "questionnaire"), answered,
                         questions, f"{answered} sur {questions} questions renseignées"),
        StepCompleteness("documents", labels["documents"], _state(states, "documents"), documents_assessed,
                         documents, f"{documents_assessed} sur {documents} documents examinés"),
        StepCompleteness("sur_site", labels["sur_site"], _state(states, "sur_site"),
                         on_site_parts + (sample_drawn > 0 and sample_checked == sample_drawn), 4,
                         f"observations, bracelets, entretiens : {on_site_parts} sur 3 ; échantillon : "
                         f"{sample_checked} sur {sample_drawn} fiches vérifiées"),
        StepCompleteness("livrable", labels["livrable"], _state(states, "livrable"), 0 if gaps else 1, 1,
                         "chaîne constat → recommandation → action complète" if not gaps
                         else f"{len(gaps)} maillons manquants"),
    )  # fmt: skip
    missing = [
        f"{s.label} : {STATE_LABELS.get(s.state, s.state)}, {s.detail}" for s in steps if not s.complete
    ]
    return Completeness(steps, tuple(missing))
