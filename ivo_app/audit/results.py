"""Results of the on-site step and the findings the data suggest (pure: dictionaries in, results out).

Each proposed finding states a fact, names its source (questionnaire, documents, observation, sample,
data, cross-step consistency) and its evidence, and carries the recommendation and the action that
answer it, so a critical or major finding never reaches the deliverable without a follow-up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ivo_app.audit.grid import ANSWER_LABELS, Grid
from ivo_app.audit.statistics import wilson
from ivo_app.identity import field_label

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
# The traits an auditor checks on each sampled record: key (as stored in the audit's items and typed
# on the command line) → the field it is, labelled by the field table.
SAMPLE_FIELDS = {"nom_naissance": "birth_name", "prenoms": "first_names", "date_naissance": "birth_date",
                 "sexe": "sex", "lieu_naissance": "birthplace", "statut": "status", "justificatif": "document_type"}  # fmt: skip
SAMPLE_TRAITS = {key: field_label(name) for key, name in SAMPLE_FIELDS.items()}
# What an on-site failure means, stated as a fact, and what to do about it.
OBSERVATION_FINDINGS = {
    "recherche_existant": ("pas de recherche d'une identité existante avant la création", "majeur",
                           "Identification primaire", "RNIV 2024 — Exi PP 01",
                           "Rendre systématique la recherche d'antériorité (traits et phonétique) avant toute création."),
    "justificatif_demande": ("justificatif d'identité ni demandé ni contrôlé", "majeur",
                             "Identification primaire", "RNIV 2024 — Exi PP 05",
                             "Exiger et contrôler un justificatif à haut niveau de confiance à chaque admission."),
    "traits_conformes": ("traits saisis différents du justificatif", "majeur",
                         "Identification primaire", "RNIV 2024 — Exi PP 07 ; Guide INS EXI ID",
                         "Saisir les traits stricts tels qu'ils figurent sur le justificatif, sans abréviation."),
    "statut_correct": ("statut de confiance mal attribué", "majeur",
                       "Identification primaire", "RNIV 2024 — Exi SI 07",
                       "Rappeler les règles d'attribution des statuts aux agents d'accueil."),
    "insi_appele": ("téléservice INSi non appelé", "majeur", "Identification primaire",
                    "Guide INS v3.0 ; RNIV 2024 — Exi SI 08",
                    "Appeler le téléservice INSi à chaque création ou validation d'identité."),
    "bracelet_etiquette": ("ni bracelet ni étiquettes imprimés", "mineur",
                           "Identification secondaire", "RNIV 2024 — volume 2, bracelet d'identification",
                           "Imprimer bracelet et étiquettes dès l'admission."),
}  # fmt: skip
WRISTBAND_FINDINGS = {
    "present": ("pas de bracelet d'identification", "majeur",
                "RNIV 2024 — volume 2, bracelet d'identification",
                "Poser le bracelet à tout patient hospitalisé et vérifier sa présence à chaque prise de poste."),
    "lisible": ("bracelet illisible", "majeur",
                "RNIV 2024 — volume 2, bracelet d'identification",
                "Remplacer les bracelets abîmés et choisir un support résistant."),
    "concordant": ("bracelet non concordant avec le dossier", "critique",
                   "RNIV 2024 — volume 2 ; HAS critère 2.3-01",
                   "Vérifier la concordance bracelet / dossier à la pose et à chaque acte à risque."),
}  # fmt: skip


@dataclass(frozen=True)
class Rate:
    label: str
    checked: int
    failures: int
    item: str = ""

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
    return [
        Rate(label, checked[item], failures[item], item) for item, label in items.items() if checked[item]
    ]


def rates_by(records: list[dict[str, Any]], items: dict[str, str], place: str) -> dict[str, list[Rate]]:
    """The same rates per admission desk or care unit (`place`: the record's field naming it)."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        groups[str(record.get(place) or "non précisé")].append(record)
    return {name: rates(group, items) for name, group in sorted(groups.items())}


@dataclass(frozen=True)
class ProposedFinding:
    key: str
    text: str
    severity: str  # critique | majeur | mineur
    theme: str
    reference: str
    source: str = "questionnaire"
    evidence: str = ""
    recommendation: str = ""
    action: str = ""
    indicator: str = ""
    owner: str = "Référent identitovigilance"


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %".replace(".", ",")


def _ci(rate: Rate) -> str:
    low, high = rate.interval
    return f"{rate.failures} sur {rate.checked} ({_pct(rate.rate)}, IC 95 % {_pct(low)} – {_pct(high)})"


def _count(rate: Rate, one: str, many: str) -> str:
    return f"{rate.failures} {one if rate.failures == 1 else many} sur {rate.checked}"


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def propose_findings(
    grid: Grid,
    answers: dict[str, dict[str, Any]],
    documents: list[dict[str, Any]],
    sample_rates: list[Rate],
    indicators: Mapping[str, Any] | None,  # services.indicators.Indicators
    targets: dict[str, float],
    admission_rates: list[Rate] | None = None,
    wristband_rates: list[Rate] | None = None,
    inconsistencies: list[Any] | None = None,
) -> list[ProposedFinding]:
    """What the data say, for the auditor to keep, edit or drop.

    `answers`: question id → stored answer {answer (self-assessment), auditor, comment, evidence}; the
    auditor's assessment, when given, is the one retained. A document counts as absent only when the
    review recorded it so (`present` false): a document step not started proposes nothing."""
    found: list[ProposedFinding] = []
    for q in grid.questions:
        stored = answers.get(q.id) or {}
        answer = stored.get("auditor") or stored.get("answer")
        if answer not in ("non_conforme", "partiel") or (answer == "partiel" and not q.critical):
            continue
        who = "évaluation de l'auditeur" if stored.get("auditor") else "auto-évaluation"
        evidence = [f"Question {q.id} : {ANSWER_LABELS[answer].lower()} ({who})"]
        if stored.get("auditor") and stored.get("answer") and stored["answer"] != stored["auditor"]:
            evidence.append(f"auto-évaluation : {ANSWER_LABELS[stored['answer']].lower()}")
        for key in ("comment", "auditor_comment", "evidence"):
            if stored.get(key):
                evidence.append(str(stored[key]).rstrip("."))
        if answer == "partiel":
            statement = f"Exigence critique partiellement satisfaite : {_lower(q.text)}"
        else:
            statement = q.finding or f"Exigence non satisfaite : {_lower(q.text)}"
        severity = "critique" if q.critical and answer == "non_conforme" else "majeur"
        found.append(ProposedFinding(
            f"q-{q.id}", statement, severity, grid.theme_of(q.id).title, q.reference, "questionnaire",
            " ; ".join(evidence) + ".", q.recommendation or f"Mettre en conformité : {_lower(q.text)}",
            q.recommendation or f"Mettre en conformité : {_lower(q.text)}",
            f"Réponse « conforme » à la question {q.id} lors du prochain audit"))  # fmt: skip
    for doc in documents:
        if doc.get("present") is False:
            name = str(doc["name"])
            found.append(ProposedFinding(
                f"doc-{name}", f"Le document « {name} » n'a pas pu être présenté aux auditeurs.", "majeur",
                "Documentation", "RNIV 2024 — volume 2, gestion documentaire", "documents",
                "Étude de documents : document absent.", f"Rédiger, valider en CIV et diffuser : {_lower(name)}.",
                f"{name} : rédaction, validation en CIV, diffusion",
                "Document validé, daté et diffusé dans la gestion documentaire"))  # fmt: skip
        elif doc.get("present") and doc.get("conformity") == "non_conforme":
            name = str(doc["name"])
            found.append(ProposedFinding(
                f"doc-{name}", f"Le document « {name} » n'est pas conforme au RNIV.", "majeur", "Documentation",
                "RNIV 2024 — volume 2, gestion documentaire", "documents",
                f"Étude de documents : version {doc.get('version') or '—'}"
                + (f", {doc['comment']}" if doc.get("comment") else "") + ".",
                f"Réviser le document « {name} » au regard du RNIV.", f"{name} : révision",
                "Version révisée validée en CIV"))  # fmt: skip
    for rate in sample_rates:
        low, _ = rate.interval
        if rate.checked and low > targets.get("sample_error_rate", 0.02):
            found.append(ProposedFinding(
                f"ech-{rate.label}",
                f"Le trait « {rate.label} » est erroné dans une part significative des fiches contrôlées.",
                "majeur", "Identification primaire", "RNIV 2024 — Exi PP 07", "echantillon",
                f"Échantillon : {_ci(rate)}.",
                f"Corriger les fiches erronées et rappeler la saisie du trait « {rate.label} » sur justificatif.",
                f"Contrôle trimestriel du trait « {rate.label} » sur 30 fiches",
                "Taux d'erreur sur le trait inférieur à l'objectif"))  # fmt: skip
    for rate in admission_rates or []:
        if rate.checked and rate.rate > targets.get("admission_failure_rate", 0.10):
            text, severity, theme, reference, reco = OBSERVATION_FINDINGS[rate.item]
            found.append(ProposedFinding(
                f"obs-{rate.item}", f"{_count(rate, 'admission observée', 'admissions observées')} : {text}.",
                severity, theme, reference,
                "observation", f"Observations aux accueils : {_ci(rate)}.", reco,
                f"Rappel et audit d'observation : {_lower(rate.label)}",
                f"Taux de non-conformité « {rate.label} » sous {_pct(targets.get('admission_failure_rate', 0.10))}",
                "Responsable des admissions"))  # fmt: skip
    for rate in wristband_rates or []:
        if rate.checked and rate.failures and rate.rate > targets.get("wristband_failure_rate", 0.05):
            text, severity, reference, reco = WRISTBAND_FINDINGS[rate.item]
            found.append(ProposedFinding(
                f"bra-{rate.item}", f"{_count(rate, 'patient contrôlé', 'patients contrôlés')} : {text}.", severity,
                "Identification secondaire", reference, "observation", f"Contrôles dans les unités : {_ci(rate)}.",
                reco, f"Audit trimestriel des bracelets : {_lower(rate.label)}",
                f"Taux « {rate.label} » non conforme sous {_pct(targets.get('wristband_failure_rate', 0.05))}",
                "Direction des soins"))  # fmt: skip
    if indicators:
        qualification = float(indicators.get("qualification_rate", 0.0))
        target = targets.get("qualification_rate", 80.0)
        if qualification < target:
            found.append(ProposedFinding(
                "ind-qualification",
                "Le taux de qualification de l'INS dans la file active est inférieur à l'objectif.", "majeur",
                "Évaluation", "Guide INS v3.0 ; RNIV 2024 — Exi SI 08", "donnees",
                f"Table d'identités : {_pct(qualification / 100)} de la file active qualifiée, objectif "
                f"{_pct(target / 100)}.",
                "Appeler le téléservice INSi pour les identités validées de la file active et suivre le taux.",
                "Campagne de qualification des identités validées de la file active",
                f"Taux de qualification de la file active ≥ {_pct(target / 100)}", "Responsable des admissions"))  # fmt: skip
        duplicates = indicators.get("duplicates") or {}
        if duplicates.get("duplicate_rate", 0.0) > targets.get("duplicate_rate", 0.5):
            found.append(ProposedFinding(
                "ind-doublons", "Le taux de doublons probables dépasse l'objectif.", "majeur",
                "Gestion des risques", "RNIV 2024 — volume 2, doublons et fusions", "donnees",
                f"Table d'identités : {_pct(duplicates['duplicate_rate'] / 100)} de doublons probables "
                f"({duplicates.get('probable', 0)} paires), objectif {_pct(targets.get('duplicate_rate', 0.5) / 100)}.",
                "Traiter les doublons probables selon la procédure de fusion et en rechercher la cause.",
                "Traitement des paires probables et analyse des causes en CIV",
                "Taux de doublons probables sous l'objectif", "Cellule d'identitovigilance"))  # fmt: skip
        if duplicates.get("collisions"):
            found.append(ProposedFinding(
                "ind-collisions",
                "Des collisions (deux patients sous une même identité) sont suspectées dans la table d'identités.",
                "critique", "Gestion des risques", "RNIV 2024 — volume 2, collisions", "donnees",
                f"Table d'identités : {duplicates['collisions']} collisions suspectées.",
                "Examiner sans délai chaque collision suspectée, séparer les dossiers et déclarer les événements.",
                "Revue des collisions suspectées par la CIV et déclaration des événements indésirables",
                "Nombre de collisions suspectées non traitées égal à 0", "Cellule d'identitovigilance"))  # fmt: skip
        critical = indicators.get("anomalies", {}).get("by_severity", {}).get("critique", 0)
        if critical:
            found.append(ProposedFinding(
                "ind-critiques", "La table d'identités contient des anomalies critiques.", "critique",
                "Identification primaire", "RNIV 2024 ; Guide INS v3.0", "donnees",
                f"Vérification IVO : {critical} anomalies critiques (matricules partagés, attributs incompatibles, "
                "OID de test…).",
                "Corriger les anomalies critiques et en supprimer la cause dans le logiciel d'admission.",
                "Correction des anomalies critiques et paramétrage du logiciel d'admission",
                "Nombre d'anomalies critiques égal à 0 à la prochaine extraction", "DSI et référent"))  # fmt: skip
    for inc in inconsistencies or []:
        found.append(ProposedFinding(
            f"coh-{inc.key}", inc.text, "majeur", inc.theme, inc.reference, "coherence", inc.evidence,
            "Mettre en cohérence l'auto-évaluation et les pièces présentées avant le prochain audit.",
            f"Revue de la réponse {inc.question} avec les pièces justificatives",
            "Réponse étayée par une pièce présentée"))  # fmt: skip
    return found
