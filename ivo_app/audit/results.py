"""Results of the on-site step and the findings the data suggest (pure: dictionaries in, results out)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ivo_app.audit.grid import Grid
from ivo_app.audit.scoring import GridScore
from ivo_app.audit.statistics import wilson

OBSERVATION_ITEMS = {
    "recherche_existant": "Recherche d'une identité existante avant création",
    "justificatif_demande": "Justificatif demandé et contrôlé",
    "traits_conformes": "Traits saisis comme sur le justificatif",
    "statut_correct": "Statut attribué correctement",
    "insi_appele": "Téléservice INSi appelé",
    "bracelet_etiquette": "Bracelet ou étiquettes imprimés",
}
WRISTBAND_ITEMS = {
    "present": "Bracelet présent",
    "lisible": "Bracelet lisible",
    "concordant": "Concordant avec le dossier",
}
SAMPLE_TRAITS = {
    "nom_naissance": "Nom de naissance", "prenoms": "Prénoms", "date_naissance": "Date de naissance",
    "sexe": "Sexe", "lieu_naissance": "Lieu de naissance", "statut": "Statut", "justificatif": "Justificatif",
}  # fmt: skip


@dataclass(frozen=True)
class Rate:
    label: str
    checked: int
    failures: int

    @property
    def rate(self) -> float:
        return self.failures / self.checked if self.checked else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.failures, self.checked)


def rates(records: list[dict[str, Any]], items: dict[str, str]) -> list[Rate]:
    """Non-conformity per item over records {item: bool}; absent items are not counted."""
    checked: dict[str, int] = defaultdict(int)
    failures: dict[str, int] = defaultdict(int)
    for record in records:
        for item, value in record.items():
            if item in items and isinstance(value, bool):
                checked[item] += 1
                failures[item] += not value
    return [Rate(label, checked[item], failures[item]) for item, label in items.items() if checked[item]]


@dataclass(frozen=True)
class ProposedFinding:
    key: str
    text: str
    severity: str  # critique | majeur | mineur
    theme: str
    reference: str


def propose_findings(
    grid: Grid,
    score: GridScore,
    answers: dict[str, str],
    documents: list[dict[str, Any]],
    sample_rates: list[Rate],
    indicators: dict[str, Any] | None,
    targets: dict[str, float],
) -> list[ProposedFinding]:
    """What the data say, for the auditor to keep, edit or drop."""
    found: list[ProposedFinding] = []
    theme_of = {q.id: t for t in grid.themes for q in t.questions}
    for q in grid.questions:
        answer = answers.get(q.id)
        if answer == "non_conforme":
            found.append(
                ProposedFinding(
                    f"q-{q.id}",
                    f"Non conforme : {q.text}",
                    "critique" if q.critical else "majeur",
                    theme_of[q.id].title,
                    q.reference,
                )
            )
        elif answer == "partiel" and q.critical:
            found.append(
                ProposedFinding(
                    f"q-{q.id}",
                    f"Partiellement conforme : {q.text}",
                    "majeur",
                    theme_of[q.id].title,
                    q.reference,
                )
            )
    for doc in documents:
        if not doc.get("present"):
            found.append(
                ProposedFinding(
                    f"doc-{doc['name']}",
                    f"Document absent : {doc['name']}.",
                    "majeur",
                    "Documentation",
                    "RNIV vol. 2",
                )
            )
    for rate in sample_rates:
        low, _ = rate.interval
        if rate.checked and low > targets.get("sample_error_rate", 0.02):
            found.append(
                ProposedFinding(
                    f"ech-{rate.label}",
                    f"Erreurs sur le trait « {rate.label} » : {rate.failures}/{rate.checked} fiches "
                    f"de l'échantillon ({100 * rate.rate:.1f} %).",
                    "majeur",
                    "Identification primaire",
                    "RNIV vol. 1 — Exi PP",
                )
            )
    if indicators:
        qualification = indicators.get("qualification_rate", 0.0)
        if qualification < targets.get("qualification_rate", 80.0):
            found.append(
                ProposedFinding(
                    "ind-qualification",
                    f"Taux de qualification de la file active de "
                    f"{qualification} %, sous l'objectif de {targets.get('qualification_rate', 80.0)} %.",
                    "majeur",
                    "Évaluation",
                    "Guide INS ; RNIV",
                )
            )
        duplicates = indicators.get("duplicates") or {}
        if duplicates.get("duplicate_rate", 0.0) > targets.get("duplicate_rate", 0.5):
            found.append(
                ProposedFinding(
                    "ind-doublons",
                    f"Taux de doublons probables de {duplicates['duplicate_rate']} %.",
                    "majeur",
                    "Gestion des risques",
                    "RNIV vol. 2",
                )
            )
        if duplicates.get("collisions"):
            found.append(
                ProposedFinding(
                    "ind-collisions",
                    f"{duplicates['collisions']} collisions suspectées dans la table d'identités.",
                    "critique",
                    "Gestion des risques",
                    "RNIV vol. 2",
                )
            )
        critical = indicators.get("anomalies", {}).get("by_severity", {}).get("critique", 0)
        if critical:
            found.append(
                ProposedFinding(
                    "ind-critiques",
                    f"{critical} anomalies critiques dans la table d'identités "
                    "(matricules partagés, attributs incompatibles, OID de test…).",
                    "critique",
                    "Identification primaire",
                    "RNIV ; Guide INS",
                )
            )
    return found
