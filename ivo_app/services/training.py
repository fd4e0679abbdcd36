"""Trainer mode: exercises drawn from a demo facility, answered by trainees, scored against a key.

An exercise is a draw (extraction, size, seed, level) of identities (some with injected anomalies,
some clean) and of record pairs (true duplicates, and hard non-duplicates: twins, homonyms, parent
and child, a child carrying a parent's NIR). The exercise holds the questions only: no seed, no
source, nothing from which the answers can be rebuilt. The answer key (`build_key`) is computed from
the demo truth and the rules' own findings on each record: the expected answer and what teaches it
(the finding's message, the traits at fault, the rule's reference, the action to take).

Two ways to use it:
- practice: `create_exercise` / `correct_exercise` (the key is rebuilt from the base at correction);
- a session (`create_session`): trainees' names, one exercise, the key SEALED in the base
  (table training_session); each trainee submits once (`submit_answers`), the trainer corrects the
  batch (`correct_session`) and reads results per trainee, per question and per theme.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import secrets
import unicodedata
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from ivo_app import paths
from ivo_app.audit.report import document as d
from ivo_app.audit.report.renderer import render_pdf
from ivo_app.errors import IvoError, NotFoundError
from ivo_app.identity import labelled
from ivo_app.io.cog import load_reference
from ivo_app.labels import format_int, plural
from ivo_app.progress import CancelFn, Progress, ProgressFn
from ivo_app.rules.catalogue import RULES, message
from ivo_app.rules.cog import CogReference
from ivo_app.rules.engine import CheckContext, check_record
from ivo_app.rules.record import OID_INS_NIR_DEMO, IdentityRecord
from ivo_app.services.checks import run_checks
from ivo_app.services.demo import truth_of_rows
from ivo_app.services.imports import import_file
from ivo_app.services.rule_settings import load_settings
from ivo_app.store import journal
from ivo_app.store.db import Database
from ivo_app.store.models import DemoTruth, Extraction, Facility, Identity
from ivo_app.store.models.base import utcnow
from ivo_app.store.models.training import TrainingSession, TrainingTrainee
from ivo_app.store.queries import demo as demo_queries
from ivo_app.store.queries import identities as identity_queries
from ivo_app.store.queries import training as training_queries
from ivo_app.store.queries.findings import rules_by_ipp
from ivo_app.store.uow import UnitOfWork

EXERCISE_FORMAT = "ivo-formation-exercice"
ANSWERS_FORMAT = "ivo-formation-reponses"
SETTING_KEY = "formation.exercice_courant"
MIN_SIZE, MAX_SIZE = 2, 500

CONFORME, ANOMALIE = "conforme", "anomalie"
DOUBLON, NON_DOUBLON, COLLISION = "doublon", "non_doublon", "collision"

# Rules that compare records (or count over the extraction): a trainee looking at one identity
# cannot see them, so identities carrying them are not asked about.
CROSS_RECORD_RULES = frozenset(
    {"INS-UNIQUE", "ATTR-HOMONYME", "COLLISION-SUSPECTE", "TRAIT-UTILISE-COPIE", "DOUBLON-POTENTIEL",
     "STATUT-RECUP-PART"}
)  # fmt: skip
WARNING_SEVERITIES = frozenset({"alerte", "info"})

# What a trainee sees of an identity, in this order; labels from the field table.
TRAITS: tuple[tuple[str, str], ...] = labelled(
    ("ipp", "birth_name", "first_names", "first_first_name", "used_name", "used_first_name", "birth_date", "sex",
     "birthplace", "ins_matricule", "ins_oid", "status", "attributes", "document_type", "birth_date_completed")
)  # fmt: skip
TRAIT_LABELS = dict(TRAITS)

# FR Core identity validation modes (Interop'Santé, fr-core-cs-mode-validation-identity) and the
# high-trust list of the RNIV: a trainee reads labels, never bare codes.
DOCUMENT_LABELS = {
    "PA": "Passeport",
    "CN": "Carte nationale d'identité",
    "CS": "Carte (titre) de séjour",
    "IE": "Identification électronique eIDAS",
    "AN": "Extrait d'acte de naissance",
    "LE": "Livret de famille",
    "AC": "Acte de naissance + carte Vitale avec photo",
    "DC": "Document de circulation pour étranger mineur",
    "CC": "Carnet de circulation",
    "PC": "Permis de conduire",
    "CM": "Carte militaire",
    "TC": "Tiers de confiance",
    "CE": "Carte européenne d'assurance maladie",
}
STATUS_LABELS = {
    "PROV": "Identité provisoire",
    "RECUP": "Identité récupérée (INSi, sans justificatif contrôlé)",
    "VALI": "Identité validée (justificatif contrôlé, sans INS)",
    "QUAL": "Identité qualifiée (INSi et justificatif à haut niveau de confiance)",
}
OID_LABELS = {
    "1.2.250.1.213.1.4.8": "INS-NIR",
    "1.2.250.1.213.1.4.9": "INS-NIA",
    "1.2.250.1.213.1.4.10": "INS-NIR de test",
    OID_INS_NIR_DEMO: "INS-NIR de démonstration (patient fictif)",
    "1.2.250.1.213.1.4.13": "NIR utilisé comme numéro de sécurité sociale",
    "1.2.250.1.213.1.4.14": "NIA utilisé comme numéro de sécurité sociale",
}

# Themes and levels: a level draws from its themes only.
THEMES = {
    "traits": "Traits stricts (nom, prénoms, date, sexe, lieu)",
    "ins": "Matricule INS et cohérence avec les traits",
    "statuts": "Statuts, attributs et justificatifs",
    "doublons": "Doublons",
    "collisions": "Collisions et homonymes",
}
LEVELS = {
    "accueil": ("Agent d'accueil", ("traits", "statuts", "doublons", "collisions")),
    "referent": ("Référent en identitovigilance", ("traits", "statuts", "ins", "doublons", "collisions")),
    "civ": ("Cellule d'identitovigilance (CIV)", tuple(THEMES)),
}
DEFAULT_LEVEL = "civ"


def rule_theme(rule_id: str) -> str:
    if rule_id.startswith(("INS-", "COH-")):
        return "ins"
    if rule_id.startswith(("STATUT-", "ATTR-")):
        return "statuts"
    return "traits"


# The duplicate errors of the demo generator, and its hard non-duplicates, told to a trainee.
PAIR_KINDS: dict[str, str] = {
    "doublon_exact": "la même identité a été créée deux fois, à l'identique",
    "faute_nom": "faute de frappe dans le nom de naissance",
    "nom_usage_en_naissance": "le nom d'usage (d'épouse) a été saisi comme nom de naissance",
    "nom_prenom_inverses": "nom et prénom saisis l'un à la place de l'autre",
    "premier_prenom_seul": "seul le premier prénom a été saisi au lieu de la liste des prénoms",
    "prenom_compose_tronque": "prénom composé tronqué",
    "jour_mois_inverses": "jour et mois de naissance inversés",
    "chiffre_date": "erreur d'un chiffre sur l'année de naissance",
    "phonetique": "nom saisi tel qu'il se prononce (variante phonétique)",
    "tiret_manquant": "tiret du prénom composé oublié",
    "diacritiques": "accent ajouté au nom (caractère non autorisé)",
    "sexe_manquant": "sexe non renseigné sur le second dossier",
    "lieu_manquant": "lieu de naissance non renseigné sur le second dossier",
    "jumeaux": "jumeaux : même nom, même date et même lieu de naissance, mais deux personnes",
    "homonymes": "homonymes : mêmes nom et prénoms, date de naissance différente",
    "parent_enfant": "un parent et son enfant : même nom (parfois même prénom), dates différentes",
    "enfant_nir_parent": "un enfant enregistré avec le NIR de son parent (ouvrant droit) : deux personnes "
    "partagent à tort un matricule",
    "homonymes_meme_date": "homonymes parfaits (mêmes nom, prénom, date et sexe) non signalés par "
    "l'attribut HOMONYME",
    "homonymes_signales": "homonymes parfaits, correctement signalés par l'attribut HOMONYME",
}
HARD_NEGATIVE_KINDS = frozenset(
    {"jumeaux", "homonymes", "parent_enfant", "enfant_nir_parent", "homonymes_meme_date",
     "homonymes_signales"}
)  # fmt: skip
COLLISION_KINDS = frozenset({"enfant_nir_parent"})
VERDICTS = {
    "juste": "Juste",
    "partiel": "Partiellement juste",
    "faux": "Faux",
    "sans_reponse": "Sans réponse",
}
DUPLICATE_ADVICE = (
    "Conduite à tenir : ne rien corriger soi-même ; signaler le doublon à la cellule d'identitovigilance, "
    "qui vérifie les traits sur un justificatif et fusionne les dossiers (le dossier conservé reprend "
    "l'historique de l'autre). Référence : RNIV, gestion des doublons."
)
# Patient safety: a collision is not a pair of homonyms. The RNIV's collision procedure, step by step.
COLLISION_ADVICE = (
    "Conduite à tenir (procédure de collision du RNIV) : ne pas fusionner ; retirer le matricule INS du "
    "dossier qui le porte à tort (ici l'enfant, enregistré avec le NIR de son parent ouvrant droit) ; "
    "rétrograder le statut de ce dossier (l'identité n'est plus qualifiée ni récupérée : provisoire, ou "
    "validée si un justificatif à haut niveau de confiance a été contrôlé) ; faire un nouvel appel au "
    "téléservice INSi avec les traits de la personne pour obtenir son propre INS ; déclarer l'événement "
    "indésirable (fiche de signalement à la cellule d'identitovigilance) et vérifier les documents et "
    "résultats déjà rangés sous ce matricule. Références : RNIV (collisions) ; Guide d'implémentation "
    "de l'INS."
)
NON_DUPLICATE_ADVICE = {
    "jumeaux": "Conduite à tenir : ne pas fusionner ; les jumeaux se distinguent par le prénom et le sexe, "
    "vérifiés sur un justificatif à chaque venue (poser l'attribut HOMONYME si leurs traits coïncident).",
    "homonymes": "Conduite à tenir : ne pas fusionner ; la date de naissance les distingue, à vérifier sur "
    "un justificatif.",
    "parent_enfant": "Conduite à tenir : ne pas fusionner ; la date de naissance distingue le parent de "
    "l'enfant : la contrôler sur un justificatif à chaque venue.",
    "homonymes_meme_date": "Conduite à tenir : ne pas fusionner ; tous les traits coïncident : poser "
    "l'attribut HOMONYME sur les deux dossiers et renforcer le contrôle à chaque venue (RNIV).",
    "homonymes_signales": "Conduite à tenir : ne pas fusionner ; l'attribut HOMONYME est bien posé : "
    "maintenir le contrôle renforcé de l'identité à chaque venue.",
}
DEMO_OID_NOTE = (
    "Matricules de démonstration : ils portent l'OID 1.2.250.1.213.1.4.11 (patients fictifs), que le "
    "téléservice INSi et toute table de production refusent ; la règle INS-OID-TEST est donc désactivée "
    "pour l'établissement de démonstration. Ne jamais saisir ces matricules dans INSi."
)


# Questions -----------------------------------------------------------------------------------------
@dataclass
class IdentityQuestion:
    id: str
    traits: dict[str, str]

    @property
    def ipp(self) -> str:
        return self.traits["ipp"]


@dataclass
class PairQuestion:
    id: str
    a: dict[str, str]
    b: dict[str, str]


@dataclass
class ScenarioQuestion:
    """At the desk: a patient, a document, an INSi answer, a context. Which status, which attribute?"""

    id: str
    facts: dict[str, str]  # patient, document (code or ""), insi (see INSI_ANSWERS), context


@dataclass
class Exercise:
    """The questions of an exercise and the extraction they come from; no seed, no source name, no
    answer: the file can be handed to a trainee."""

    extraction_id: int
    facility: str
    fingerprint: str  # tells the extraction apart from another base's extraction n° N
    size: int
    level: str
    created_at: str
    identities: list[IdentityQuestion] = field(default_factory=list)
    pairs: list[PairQuestion] = field(default_factory=list)
    session_token: str | None = None  # set for a session's exercise
    scenarios: list[ScenarioQuestion] = field(default_factory=list)

    @property
    def item_ids(self) -> list[str]:
        return [q.id for q in self.identities] + [q.id for q in self.pairs] + [q.id for q in self.scenarios]

    def to_json(self) -> dict[str, Any]:
        return {"format": EXERCISE_FORMAT, "version": 2, **asdict(self)}

    @classmethod
    def from_json(cls, data: Any) -> Exercise:
        if not isinstance(data, dict) or data.get("format") != EXERCISE_FORMAT:
            raise IvoError("Ce fichier n'est pas un exercice de formation IVO.")
        try:
            return cls(
                extraction_id=int(data["extraction_id"]),
                facility=str(data["facility"]),
                fingerprint=str(data["fingerprint"]),
                size=int(data["size"]),
                level=str(data.get("level") or DEFAULT_LEVEL),
                created_at=str(data["created_at"]),
                identities=[IdentityQuestion(str(q["id"]), dict(q["traits"])) for q in data["identities"]],
                pairs=[PairQuestion(str(q["id"]), dict(q["a"]), dict(q["b"])) for q in data["pairs"]],
                session_token=data.get("session_token"),
                scenarios=[
                    ScenarioQuestion(str(q["id"]), dict(q["facts"])) for q in data.get("scenarios") or []
                ],
            )
        except KeyError as exc:
            raise IvoError(
                f"Exercice de formation incomplet ou d'une version antérieure (champ {exc} manquant) : "
                "tirez-en un nouveau."
            ) from exc
        except (TypeError, ValueError) as exc:
            raise IvoError(f"Exercice de formation abîmé ({exc}).") from exc


Answers = dict[str, str]
"""Item id → answer: "conforme", "anomalie" or a rule ID for an identity; "doublon", "non_doublon" or
"collision" for a pair. Items left out are unanswered."""


@dataclass
class ItemResult:
    item_id: str
    kind: str  # identite | paire
    answer: str | None
    answer_label: str
    expected_label: str
    verdict: str  # juste | partiel | faux | sans_reponse
    points: float
    explanation: str  # French, plain text
    theme: str = ""
    reference: str = ""
    action: str = ""


@dataclass
class Correction:
    results: list[ItemResult]

    @property
    def score(self) -> float:
        return sum(r.points for r in self.results)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def percent(self) -> float:
        return 100 * self.score / self.total if self.total else 0.0

    def summary(self) -> str:
        verdicts = Counter(r.verdict for r in self.results)
        return (
            f"Score : {_points(self.score)} / {self.total} ({_percent(self.percent)}) — "
            f"{plural(verdicts['juste'], 'juste')}, {plural(verdicts['partiel'], 'partielle')}, "
            f"{plural(verdicts['faux'], 'fausse')}, {format_int(verdicts['sans_reponse'])} sans réponse."
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "total": self.total,
            "percent": round(self.percent, 1),
            "items": [asdict(r) for r in self.results],
        }


# Choices offered to the trainee, and tolerant reading of typed answers ---------------------------
def identity_choices() -> list[tuple[str, str]]:
    """(value, French label) of the answers to an identity question, rules in catalogue order."""
    return [(CONFORME, "Conforme"), (ANOMALIE, "Anomalie (règle non précisée)")] + [
        (rule.id, f"Anomalie : {rule.id} — {rule.title}")
        for rule in RULES.values()
        if rule.id not in CROSS_RECORD_RULES
    ]


def pair_choices() -> list[tuple[str, str]]:
    return [
        (DOUBLON, "Doublon (même personne)"),
        (NON_DOUBLON, "Non-doublon (deux personnes)"),
        (COLLISION, "Collision (deux personnes partagent un identifiant)"),
    ]


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFD", text.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.replace("_", " ").replace("-", " ").replace("’", "'").split())


_IDENTITY_ALIASES = {
    "conforme": CONFORME, "c": CONFORME, "ok": CONFORME, "correct": CONFORME, "correcte": CONFORME,
    "anomalie": ANOMALIE, "a": ANOMALIE, "non conforme": ANOMALIE, "erreur": ANOMALIE,
}  # fmt: skip
_PAIR_ALIASES = {
    "doublon": DOUBLON, "d": DOUBLON, "oui": DOUBLON, "meme personne": DOUBLON,
    "non doublon": NON_DOUBLON, "nd": NON_DOUBLON, "non": NON_DOUBLON, "pas doublon": NON_DOUBLON,
    "deux personnes": NON_DOUBLON,
    "collision": COLLISION, "col": COLLISION,
}  # fmt: skip


def normalize_answer(value: str, *, pair: bool) -> str | None:
    """The canonical answer for what a trainee typed ("Conforme", "NON-DOUBLON", "ins-cle"), or None."""
    plain = _plain(value)
    if pair:
        return _PAIR_ALIASES.get(plain)
    if plain in _IDENTITY_ALIASES:
        return _IDENTITY_ALIASES[plain]
    rule = value.strip().upper().replace("_", "-").replace(" ", "-")
    rule = "".join(c for c in unicodedata.normalize("NFD", rule) if not unicodedata.combining(c))
    return rule if rule in RULES else None


def answer_label(value: str | None) -> str:
    if not value:
        return "(sans réponse)"
    labels = dict(identity_choices() + pair_choices() + scenario_choices())
    return labels.get(value, f"Anomalie : {value}" if value in RULES else value)


def answer_short(value: str | None) -> str:
    """The answer in a few words, for a list of questions."""
    short = {
        CONFORME: "Conforme",
        ANOMALIE: "Anomalie",
        DOUBLON: "Doublon",
        NON_DOUBLON: "Non-doublon",
        COLLISION: "Collision",
    }
    return short.get(value or "", value or "—")


# Labels, not codes -------------------------------------------------------------------------------
_cog: CogReference | None = None


def _reference() -> CogReference:
    global _cog
    if _cog is None:
        _cog = load_reference()
    return _cog


def place_label(code: str, birth: str = "") -> str:
    """ "31555 — Toulouse (31)", "99350 — Maroc", "2A004 — Ajaccio (2A)", the code alone if unknown."""
    if not code:
        return ""
    cog = _reference()
    if code.startswith("99"):
        country = cog.country(code)
        return f"{code} — {country.name}" if country else f"{code} (pays inconnu du référentiel)"
    versions = cog.commune_versions(code)
    if not versions and code[:2] == "20":
        versions = cog.commune_versions("2A" + code[2:]) or cog.commune_versions("2B" + code[2:])
    if not versions:
        return f"{code} (commune inconnue du référentiel)"
    dep = code[:3] if code[:2] in ("97", "98") else code[:2]
    return f"{code} — {versions[-1].name} ({dep})"


def trait_display(attr: str, value: str) -> str:
    """A trait as a trainee reads it: labels beside codes for documents, places, statuses, OIDs."""
    if not value:
        return ""
    if attr == "document_type":
        label = DOCUMENT_LABELS.get(value.upper())
        return f"{value} — {label}" if label else f"{value} (code inconnu)"
    if attr == "birthplace":
        return place_label(value)
    if attr == "status":
        label = STATUS_LABELS.get(value)
        return f"{value} — {label}" if label else f"{value} (statut inconnu)"
    if attr == "ins_oid":
        label = OID_LABELS.get(value)
        return f"{value} — {label}" if label else f"{value} (OID inconnu)"
    return value


def trait_rows(traits: dict[str, str]) -> list[tuple[str, str]]:
    """(French label, value as displayed) of a question's traits, in display order."""
    return [(label, trait_display(attr, traits.get(attr, ""))) for attr, label in TRAITS]


# Creating an exercise ----------------------------------------------------------------------------
def demo_extraction(db: Database, extraction_id: int | None) -> Extraction:
    """The extraction (latest if None), refused with a French message unless it has demo truth."""
    with UnitOfWork(db) as uow:
        return _demo_extraction(uow, extraction_id)


def _demo_extraction(uow: UnitOfWork, extraction_id: int | None) -> Extraction:
    try:
        extraction = uow.extractions.resolve(extraction_id)
    except NotFoundError:
        raise IvoError(
            "Aucune extraction : créez d'abord un établissement de démonstration "
            "(« Créer une démonstration… » ou « ivo demo »)."
        ) from None
    if not extraction.is_demo or not demo_queries.has_truth(uow.session, extraction.id):
        raise IvoError(
            f"L'extraction n° {extraction.id} ({extraction.facility.name}) n'est pas une démonstration : "
            "un exercice de formation a besoin de la vérité terrain d'un établissement de démonstration. "
            "Créez-en un (« Créer une démonstration… » ou « ivo demo ») puis choisissez-le."
        )
    extraction.facility.name  # noqa: B018 - loaded before the session closes
    return extraction


def _fingerprint(extraction: Extraction) -> str:
    text = f"{extraction.id}|{extraction.imported_at.isoformat()}|{extraction.facility_id}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def create_exercise(
    db: Database,
    extraction_id: int | None = None,
    size: int = 20,
    seed: int | None = 1,
    *,
    level: str = DEFAULT_LEVEL,
    scenarios: int = 0,
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
) -> Exercise:
    """Draw `size` questions (and `scenarios` desk scenarios besides) from a demo extraction; the same (extraction, size, seed, level), the same
    exercise (seed None: a secret random draw). About 3/5 are identities (half with an anomaly), 2/5
    pairs (half true duplicates)."""
    with UnitOfWork(db) as uow:
        return _create_exercise(
            uow,
            extraction_id,
            size,
            seed,
            level=level,
            scenarios=scenarios,
            progress=progress,
            is_cancelled=is_cancelled,
        )


def _create_exercise(
    uow: UnitOfWork,
    extraction_id: int | None = None,
    size: int = 20,
    seed: int | None = 1,
    *,
    level: str = DEFAULT_LEVEL,
    scenarios: int = 0,
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
) -> Exercise:
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise IvoError(f"Taille d'exercice invalide : {size} (de {MIN_SIZE} à {MAX_SIZE} questions).")
    if level not in LEVELS:
        raise IvoError(f"Niveau inconnu : {level} (attendu : {', '.join(LEVELS)}).")
    themes = set(LEVELS[level][1])
    tracker = Progress(progress, is_cancelled)
    extraction = _demo_extraction(uow, extraction_id)
    tracker.report(0, 3, "Lecture de la vérité terrain")
    pool = _pool(uow, extraction.id)
    tracker.check()
    tracker.report(1, 3, "Tirage des questions")

    rnd = random.Random(seed if seed is not None else secrets.randbits(64))
    faulty = sorted(
        (ipp for ipp, rules in pool.faulty.items() if {rule_theme(r) for r in rules} <= themes),
        key=_ipp_order,
    )
    duplicates = pool.duplicates if "doublons" in themes else []
    lookalikes = [
        p for p in pool.lookalikes if "collisions" in themes or pool.kinds[p] not in COLLISION_KINDS
    ]
    pair_count = min(size * 2 // 5, len(duplicates) + len(lookalikes))
    identity_count = size - pair_count
    wanted_faulty = min((identity_count + 1) // 2, len(faulty))
    wanted_clean = min(identity_count - wanted_faulty, len(pool.clean))
    wanted_faulty = min(identity_count - wanted_clean, len(faulty))
    identity_ipps = _diverse(rnd, faulty, wanted_faulty, lambda i: min(pool.faulty[i]))
    identity_ipps += rnd.sample(pool.clean, wanted_clean)
    wanted_dups = min((pair_count + 1) // 2, len(duplicates))
    wanted_lookalikes = min(pair_count - wanted_dups, len(lookalikes))
    wanted_dups = min(pair_count - wanted_lookalikes, len(duplicates))
    pair_ipps = _diverse(rnd, duplicates, wanted_dups, pool.kinds.__getitem__)
    pair_ipps += _diverse(rnd, lookalikes, wanted_lookalikes, pool.kinds.__getitem__)
    # A pair's records shown in either order: "the second is the copy" must not hold.
    pair_ipps = [(a, b) if rnd.random() < 0.5 else (b, a) for a, b in pair_ipps]
    rnd.shuffle(identity_ipps)  # answers must not follow the order of the draw
    rnd.shuffle(pair_ipps)
    if not identity_ipps and not pair_ipps:
        raise IvoError("Cette démonstration est trop petite pour un exercice : créez-en une plus grande.")

    if not 0 <= scenarios <= MAX_SIZE:
        raise IvoError(f"Nombre de scénarios invalide : {scenarios} (de 0 à {MAX_SIZE}).")
    used = set(identity_ipps)
    desk_ipps = rnd.sample(
        [i for i in pool.clean if i not in used], min(scenarios, len(pool.clean) - len(used))
    )
    tracker.check()
    tracker.report(2, 3, "Lecture des dossiers tirés")
    traits = _traits(
        uow, extraction.id, identity_ipps + [ipp for pair in pair_ipps for ipp in pair] + desk_ipps
    )
    tracker.report(3, 3, "Exercice prêt")
    return Exercise(
        extraction_id=extraction.id,
        facility=extraction.facility.name,
        fingerprint=_fingerprint(extraction),
        size=len(identity_ipps) + len(pair_ipps) + len(desk_ipps),
        level=level,
        created_at=datetime.now().isoformat(timespec="seconds"),
        identities=[IdentityQuestion(f"I{n}", traits[ipp]) for n, ipp in enumerate(identity_ipps, 1)],
        pairs=[PairQuestion(f"P{n}", traits[a], traits[b]) for n, (a, b) in enumerate(pair_ipps, 1)],
        scenarios=[
            ScenarioQuestion(f"S{n}", _desk_facts(rnd, traits[ipp])) for n, ipp in enumerate(desk_ipps, 1)
        ],
    )


def _ipp_order(ipp: str) -> tuple[int, str]:
    return (int(ipp), ipp) if ipp.isdigit() else (0, ipp)


@dataclass
class _Pool:
    """What an exercise is drawn from, read from the truth without loading all of it."""

    faulty: dict[str, set[str]]  # IPP → rules that fire on this record seen alone
    clean: list[str]
    duplicates: list[tuple[str, str]]  # two records, one person
    lookalikes: list[tuple[str, str]]  # two people: twins, homonyms, parent and child...
    kinds: dict[tuple[str, str], str]  # pair → duplicate error or hard-negative kind


def _cluster(person_key: str) -> str | None:
    """The cluster of a person key `P<cluster>.<n>` (generator): None for older demo bases."""
    head, dot, _ = person_key.partition(".")
    return head if dot else None


def _pool(uow: UnitOfWork, extraction_id: int) -> _Pool:
    faulty_rows, clean, duplicate_rows, lookalike_rows = demo_queries.pool_rows(
        uow.session, extraction_id, HARD_NEGATIVE_KINDS
    )
    faulty: dict[str, set[str]] = {}
    for ipp, anomalies in faulty_rows:
        rules = set(anomalies.split(",")) - {""}
        if rules and not rules & CROSS_RECORD_RULES:
            faulty[ipp] = rules
    clean.sort(key=_ipp_order)
    kinds: dict[tuple[str, str], str] = {}
    records_of: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for person, ipp, kind in duplicate_rows:
        records_of[person].append((ipp, kind))
    for records in records_of.values():
        (a, kind_a), (b, kind_b) = sorted(records, key=lambda r: _ipp_order(r[0]))
        kinds[(a, b)] = kind_b or kind_a or "doublon_exact"
    duplicates = sorted(kinds, key=lambda p: _ipp_order(p[0]))
    lookalikes: list[tuple[str, str]] = []
    by_cluster: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    legacy = []
    for ipp, person, kind in lookalike_rows:
        cluster = _cluster(person)
        if cluster is None:
            legacy.append((ipp, person, kind))
        else:
            by_cluster[cluster].append((ipp, person, kind))
    for members in by_cluster.values():
        people = {person for _, person, _ in members}
        if len(members) == 2 and len(people) == 2:
            (a, _, kind), (b, _, _) = sorted(members, key=lambda r: _ipp_order(r[0]))
            lookalikes.append((a, b))
            kinds[(a, b)] = kind
    # Bases made before person keys named their cluster: the two people of a hard negative were
    # written one after the other (consecutive IPPs, the same kind).
    used: set[str] = set()
    for (a, person_a, kind_a), (b, person_b, kind_b) in pairwise(
        sorted(legacy, key=lambda r: _ipp_order(r[0]))
    ):
        if (
            a not in used
            and kind_a == kind_b
            and person_a != person_b
            and _ipp_order(b)[0] == _ipp_order(a)[0] + 1
        ):
            lookalikes.append((a, b))
            kinds[(a, b)] = kind_a
            used |= {a, b}
    lookalikes.sort(key=lambda p: _ipp_order(p[0]))
    return _Pool(faulty, clean, duplicates, lookalikes, kinds)


def _diverse(rnd: Any, candidates: list[Any], count: int, key: Any) -> list[Any]:
    """`count` random candidates, as many different keys (rules, kinds) as possible first."""
    pool = list(candidates)
    rnd.shuffle(pool)
    chosen: list[Any] = []
    seen: set[Any] = set()
    for item in pool:
        if len(chosen) < count and key(item) not in seen:
            chosen.append(item)
            seen.add(key(item))
    taken = set(chosen)
    rest = [item for item in pool if item not in taken]
    return chosen + rest[: count - len(chosen)]


_RECORD_COLUMNS = tuple(f for f in IdentityRecord.__dataclass_fields__ if f not in ("extra",))


def _traits(uow: UnitOfWork, extraction_id: int, ipps: list[str]) -> dict[str, dict[str, str]]:
    """What the trainee sees of each record: its traits as imported, as text."""
    return {
        ipp: {attr: _trait_text(identity, attr) for attr, _ in TRAITS}
        for ipp, identity in identity_queries.by_ipps(uow.session, extraction_id, ipps).items()
    }


def _trait_text(identity: Identity, attr: str) -> str:
    value = getattr(identity, attr)
    if attr == "birth_date":
        return value.strftime("%d/%m/%Y") if value else (identity.birth_date_raw or "")
    if attr == "birth_date_completed":
        return "" if value is None else ("oui" if value else "non")
    if attr == "attributes":
        return (value or "").replace(",", " ")
    return "" if value is None else str(value)


def _as_record(identity: Identity) -> IdentityRecord:
    fields: dict[str, Any] = {c: getattr(identity, c) for c in _RECORD_COLUMNS if hasattr(identity, c)}
    return IdentityRecord(**fields)


# The answer key ------------------------------------------------------------------------------------
def build_key(db: Database, exercise: Exercise) -> dict[str, dict[str, Any]]:
    """Item id → what is expected and what teaches it, from the demo truth and the rules' findings on
    each record (the messages with the record's own values, the traits at fault, the severity)."""
    with UnitOfWork(db) as uow:
        return _build_key(uow, exercise)


def _build_key(uow: UnitOfWork, exercise: Exercise) -> dict[str, dict[str, Any]]:
    truth = _item_truth(uow, exercise)
    ipps = [q.ipp for q in exercise.identities]
    extraction = uow.session.get(Extraction, exercise.extraction_id)
    assert extraction is not None  # checked by _item_truth
    ctx = CheckContext(
        today=extraction.extracted_on,
        cog=_reference(),
        settings=load_settings(uow.session, extraction.facility_id),
    )
    identities = identity_queries.by_ipps(uow.session, exercise.extraction_id, ipps)
    key: dict[str, dict[str, Any]] = {}
    for q in exercise.identities:
        expected = sorted(truth[q.ipp]["anomalies"], key=_rule_order)
        findings = [f for f in check_record(_as_record(identities[q.ipp]), ctx) if f.rule_id in expected]
        key[q.id] = {
            "kind": "identite",
            "expected": expected,
            "findings": [
                {
                    "rule": f.rule_id,
                    "severity": f.severity,
                    "message": message(f.rule_id, f.params),
                    "fields": list(f.fields),
                    # the values at fault as a trainee reads them: labels beside codes
                    "values": {
                        TRAIT_LABELS.get(a, a): trait_display(a, q.traits.get(a, ""))
                        for a in f.fields
                        if a in ("document_type", "birthplace", "status", "ins_oid") and q.traits.get(a)
                    },
                }
                for f in findings
            ],
            "theme": rule_theme(expected[0]) if expected else "traits",
            "notes": [] if expected else conform_notes(q.traits),
        }
    for pair in exercise.pairs:
        ta, tb = truth[pair.a["ipp"]], truth[pair.b["ipp"]]
        same = ta["person_key"] == tb["person_key"]
        kind = tb["kind"] or ta["kind"] or "doublon_exact"
        expected_pair = DOUBLON if same else COLLISION if kind in COLLISION_KINDS else NON_DOUBLON
        key[pair.id] = {
            "kind": "paire",
            "expected": expected_pair,
            "pair_kind": kind,
            "theme": "doublons" if same else "collisions",
            "shared_matricule": bool(pair.a.get("ins_matricule"))
            and pair.a.get("ins_matricule") == pair.b.get("ins_matricule"),
        }
    for scenario in exercise.scenarios:
        expected_desk, why = desk_answer(scenario.facts)
        key[scenario.id] = {"kind": "scenario", "expected": expected_desk, "why": why, "theme": "statuts"}
    return key


def _rule_order(rule_id: str) -> int:
    order = list(RULES)
    return order.index(rule_id) if rule_id in RULES else len(order)


def conform_notes(traits: dict[str, str]) -> list[str]:
    """Why this identity is conforming, said about this identity (its status, document, matricule)."""
    status = traits.get("status", "")
    notes = []
    name = traits.get("birth_name", "")
    notes.append(
        f"Nom de naissance « {name} » et prénoms « {traits.get('first_names', '')} » en majuscules, "
        "sans caractère interdit ; le premier prénom est bien le premier de la liste."
    )
    birth = traits.get("birth_date", "")
    notes.append(
        f"Né(e) le {birth} à {place_label(traits.get('birthplace', '')) or 'lieu non renseigné'} : "
        "date plausible, lieu connu du référentiel de l'INSEE à cette date."
    )
    if status in ("RECUP", "QUAL"):
        notes.append(
            f"Statut {STATUS_LABELS[status]} : le matricule {traits.get('ins_matricule', '')} a 15 caractères, "
            "une clé juste, et son sexe, son année, son mois et son lieu concordent avec les traits ; "
            f"OID {OID_LABELS.get(traits.get('ins_oid', ''), traits.get('ins_oid', ''))}."
        )
    elif status in STATUS_LABELS:
        notes.append(
            f"Statut {STATUS_LABELS[status]} : pas de matricule enregistré comme INS, ce qui est attendu."
        )
    document = traits.get("document_type", "")
    if status in ("VALI", "QUAL") and document:
        notes.append(
            f"Justificatif {trait_display('document_type', document)} : un justificatif à haut niveau de "
            "confiance, comme l'exige ce statut."
        )
    if "HOMONYME" in traits.get("attributes", ""):
        notes.append("L'attribut HOMONYME est compatible avec tous les statuts.")
    return notes


def _item_truth(uow: UnitOfWork, exercise: Exercise) -> dict[str, dict[str, Any]]:
    ipps = [q.ipp for q in exercise.identities] + [
        ipp for q in exercise.pairs for ipp in (q.a["ipp"], q.b["ipp"])
    ]
    extraction = uow.session.get(Extraction, exercise.extraction_id)
    if extraction is None or _fingerprint(extraction) != exercise.fingerprint:
        raise IvoError(
            f"L'extraction de démonstration n° {exercise.extraction_id} de cet exercice n'est pas dans "
            "cette base : corrigez-le sur la base où il a été créé (option --db)."
        )
    truth = truth_of_rows(demo_queries.truth_rows(uow.session, exercise.extraction_id, ipps))
    missing = sorted(set(ipps) - set(truth))
    if missing:
        raise IvoError(f"Vérité terrain introuvable pour {len(missing)} dossiers de l'exercice.")
    return truth


# Correcting --------------------------------------------------------------------------------------
def correct_exercise(db: Database, exercise: Exercise, answers: Answers) -> Correction:
    """Compare the answers with the key rebuilt from the base, and explain every item. A session's
    exercise is refused: it is corrected once, for the whole group, against its sealed key."""
    if exercise.session_token:
        raise IvoError(
            "Cet exercice appartient à une session : remettez les réponses avec « ivo formation remettre », "
            "la correction se fait pour tout le groupe (« ivo formation corriger-session »)."
        )
    answers = check_answers(exercise, answers)
    return grade(exercise, build_key(db, exercise), answers)


def grade(exercise: Exercise, key: dict[str, dict[str, Any]], answers: Answers) -> Correction:
    results = [_grade_identity(q.id, key[q.id], answers.get(q.id)) for q in exercise.identities]
    results += [_grade_pair(q, key[q.id], answers.get(q.id)) for q in exercise.pairs]
    results += [_grade_scenario(q, key[q.id], answers.get(q.id)) for q in exercise.scenarios]
    return Correction(results)


def check_answers(exercise: Exercise, answers: Answers) -> Answers:
    """The answers in canonical form (case, accents, aliases tolerated), or a French error naming the
    first that cannot be read. Nothing is dropped silently."""
    identity_ids = {q.id for q in exercise.identities}
    pair_ids = {q.id for q in exercise.pairs}
    scenario_ids = {q.id for q in exercise.scenarios}
    canonical: Answers = {}
    for item_id, value in answers.items():
        item = item_id.strip().upper()
        if item not in identity_ids | pair_ids | scenario_ids:
            raise IvoError(f"Réponse à une question inconnue : {item_id}.")
        if value is None or str(value).strip() == "":
            continue
        if item in scenario_ids:
            answer = normalize_scenario_answer(str(value))
        else:
            answer = normalize_answer(str(value), pair=item in pair_ids)
        if answer is None:
            expected = (
                "conforme, anomalie ou un identifiant de règle"
                if item in identity_ids
                else "doublon, non_doublon ou collision"
                if item in pair_ids
                else "un statut (PROV, RECUP, VALI, QUAL), suivi s'il y a lieu de ses attributs (QUAL+HOMONYME)"
            )
            raise IvoError(f"Réponse « {value} » invalide pour {item_id} (attendu : {expected}).")
        canonical[item] = answer
    return canonical


def _rule_lesson(finding: dict[str, Any]) -> str:
    rule = RULES[finding["rule"]]
    fields = ", ".join(TRAIT_LABELS.get(f, f) for f in finding["fields"]) or "plusieurs traits"
    values = "".join(f" ({label} : {value})" for label, value in finding.get("values", {}).items())
    severity = finding["severity"]
    return (
        f"{rule.id} — {rule.title} ({severity}) : {finding['message']} Traits en cause : {fields}{values}. "
        f"{rule.explanation} Référence : {rule.reference}. Conduite à tenir : {rule.fix}"
    )


def _grade_identity(item_id: str, key: dict[str, Any], answer: str | None) -> ItemResult:
    expected: list[str] = key["expected"]
    findings: list[dict[str, Any]] = key["findings"]
    theme = key["theme"]
    if expected:
        expected_label = "Anomalie : " + " ou ".join(
            f"{r} — {RULES[r].title}" if r in RULES else r for r in expected
        )
        lessons = [_rule_lesson(f) for f in findings] or [
            f"{r} — {RULES[r].title} : {RULES[r].explanation} Référence : {RULES[r].reference}. "
            f"Conduite à tenir : {RULES[r].fix}"
            for r in expected
            if r in RULES
        ]
        explanation = " ".join(lessons)
        reference = " ; ".join(RULES[r].reference for r in expected if r in RULES)
        action = " ".join(RULES[r].fix for r in expected if r in RULES)
        warning_only = bool(findings) and all(f["severity"] in WARNING_SEVERITIES for f in findings)
    else:
        expected_label = "Conforme"
        explanation = "Identité conforme. " + " ".join(key["notes"])
        reference, action, warning_only = "RNIV", "Aucune correction.", False
    if not answer:
        verdict, points = "sans_reponse", 0.0
    elif answer == CONFORME:
        if not expected:
            verdict, points = "juste", 1.0
        elif warning_only:  # a warning asks for a check, not a correction: real people are born on 31/12
            verdict, points = "partiel", 0.5
            explanation += (
                " (Règle d'alerte : l'identité peut être juste — à vérifier sur le justificatif, d'où la "
                "moitié des points pour « conforme ».)"
            )
        else:
            verdict, points = "faux", 0.0
    elif not expected:
        verdict, points = "faux", 0.0
    elif answer in expected:
        verdict, points = "juste", 1.0
    else:  # the anomaly was seen, not (or not rightly) named: half a point
        verdict, points = "partiel", 0.5
        if answer != ANOMALIE:
            explanation += f" (La règle {answer} ne s'applique pas à ce dossier.)"
    return ItemResult(
        item_id, "identite", answer, answer_label(answer), expected_label, verdict, points, explanation,
        theme, reference, action,
    )  # fmt: skip


def _grade_pair(q: PairQuestion, key: dict[str, Any], answer: str | None) -> ItemResult:
    expected = key["expected"]
    kind = key["pair_kind"]
    what = PAIR_KINDS.get(kind, kind)
    if expected == DOUBLON:
        expected_label = f"Doublon ({what})"
        advice = DUPLICATE_ADVICE
        explanation = f"Les deux dossiers désignent la même personne : {what}. {advice}"
        reference = "RNIV (doublons)"
    elif expected == COLLISION:
        expected_label = f"Collision ({what})"
        advice = COLLISION_ADVICE
        explanation = (
            f"Deux personnes différentes partagent un identifiant : {what}. Le matricule "
            f"{q.b.get('ins_matricule') or q.a.get('ins_matricule')} ne peut désigner qu'une personne. {advice}"
        )
        reference = "RNIV (collisions) ; Guide d'implémentation de l'INS"
    else:
        expected_label = f"Non-doublon ({what})"
        advice = NON_DUPLICATE_ADVICE.get(kind, "Conduite à tenir : ne pas fusionner.")
        explanation = f"Deux personnes différentes : {what}. {advice}"
        reference = "RNIV (homonymes, attribut HOMONYME)"
    if not answer:
        verdict, points = "sans_reponse", 0.0
    elif answer == expected:
        verdict, points = "juste", 1.0
    elif expected == COLLISION and answer == NON_DOUBLON:  # two people seen, the shared NIR missed
        verdict, points = "partiel", 0.5
        explanation += " (Deux personnes, oui ; mais le matricule partagé est une collision à traiter.)"
    else:
        verdict, points = "faux", 0.0
    return ItemResult(
        q.id, "paire", answer, answer_label(answer), expected_label, verdict, points, explanation,
        key["theme"], reference, advice,
    )  # fmt: skip


def _points(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _percent(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + " %"


# Files and the current exercise of a facility ----------------------------------------------------
def write_exercise(path: Path, exercise: Exercise, answers: Answers | None = None) -> None:
    """The exercise as JSON; with the trainee's answers when given (the window saves both)."""
    data = exercise.to_json()
    if answers is not None:
        data["reponses"] = dict(answers)
    _write_json(path, data)


def read_exercise(path: Path) -> tuple[Exercise, Answers]:
    data = _read_json(path)
    return Exercise.from_json(data), _answers_of(data.get("reponses") or {})


def answers_template(exercise: Exercise, trainee: str = "") -> dict[str, Any]:
    """An answers file to fill in: every question, no answer yet."""
    data: dict[str, Any] = {
        "format": ANSWERS_FORMAT,
        "reponses": {item_id: None for item_id in exercise.item_ids},
    }
    if exercise.session_token:
        data["session"] = exercise.session_token
        data["stagiaire"] = trainee
    return data


def write_answers_template(path: Path, exercise: Exercise, trainee: str = "") -> None:
    _write_json(path, answers_template(exercise, trainee))


def read_answers(path: Path) -> Answers:
    """Answers from an answers file ({"reponses": {...}} or a bare mapping) or a saved exercise."""
    data = _read_json(path)
    if isinstance(data, dict) and isinstance(data.get("reponses"), dict):
        return _answers_of(data["reponses"])
    if isinstance(data, dict) and "format" not in data:
        return _answers_of(data)
    raise IvoError(f"{path.name} ne contient pas de réponses (clé « reponses »).")


def read_answers_file(path: Path) -> tuple[Answers, str | None]:
    """The answers and the trainee's name written in the file (session answer sheets)."""
    data = _read_json(path)
    name = data.get("stagiaire") if isinstance(data, dict) else None
    return read_answers(path), (str(name).strip() or None) if name else None


def _answers_of(data: Any) -> Answers:
    if not isinstance(data, dict):
        raise IvoError("Réponses illisibles : un objet JSON « question → réponse » est attendu.")
    return {str(k): str(v).strip() for k, v in data.items() if v not in (None, "")}


def _write_json(path: Path, data: Any) -> None:
    try:
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError as exc:
        raise IvoError(f"Écriture impossible : {path} ({exc.strerror}).") from exc


def _read_json(path: Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise IvoError(f"Lecture impossible : {path} ({exc.strerror}).") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IvoError(f"{Path(path).name} n'est pas un fichier JSON valide ({exc}).") from exc


def save_current(db: Database, exercise: Exercise, answers: Answers, *, corrected: bool = False) -> None:
    """Keep the facility's exercise in progress (the window reopens it at the next start). Once
    corrected, it stays corrected: its answers can no longer change."""
    with UnitOfWork(db) as uow:
        try:
            facility = uow.facilities.by_name(exercise.facility)
        except NotFoundError:
            return  # an exercise opened from another base: kept in its file only
        uow.settings.set(
            SETTING_KEY, {**exercise.to_json(), "reponses": dict(answers), "corrige": corrected}, facility.id
        )
        uow.commit()


def load_current(db: Database, extraction_id: int) -> tuple[Exercise, Answers] | None:
    """The exercise in progress on this extraction, if one was kept."""
    kept = load_current_state(db, extraction_id)
    return (kept[0], kept[1]) if kept else None


def load_current_state(db: Database, extraction_id: int) -> tuple[Exercise, Answers, bool] | None:
    """The kept exercise, its answers, and whether it was corrected already."""
    with UnitOfWork(db) as uow:
        extraction = uow.session.get(Extraction, extraction_id)
        if extraction is None:
            return None
        data = uow.settings.get(SETTING_KEY, extraction.facility_id)
    if not data or data.get("extraction_id") != extraction_id:
        return None
    try:
        return Exercise.from_json(data), _answers_of(data.get("reponses") or {}), bool(data.get("corrige"))
    except IvoError:
        return None  # an unreadable kept exercise is simply not offered again


# Sessions --------------------------------------------------------------------------------------------
@dataclass
class SessionInfo:
    id: int
    token: str
    title: str
    level: str
    facility: str
    extraction_id: int
    created_at: datetime
    corrected_at: datetime | None
    trainees: list[str]
    submitted: list[str]
    size: int
    mean_percent: float | None = None


@dataclass
class TraineeResult:
    name: str
    submitted: bool
    correction: Correction | None

    @property
    def percent(self) -> float | None:
        return self.correction.percent if self.correction else None


@dataclass
class SessionResults:
    session: SessionInfo
    exercise: Exercise
    trainees: list[TraineeResult]
    per_question: list[tuple[str, str, float, int]]  # item id, expected label, % of points, answers
    per_theme: list[tuple[str, float, int]]  # theme label, % of points, questions x trainees
    key: dict[str, dict[str, Any]]

    def corrections(self) -> list[tuple[str, Correction]]:
        return [(t.name, t.correction) for t in self.trainees if t.correction is not None]


def _clean_names(trainees: list[str]) -> list[str]:
    names = [" ".join(n.split()) for n in trainees if n and n.strip()]
    if not names:
        raise IvoError("Une session a besoin d'au moins un stagiaire (nom).")
    seen: set[str] = set()
    for name in names:
        if _plain(name) in seen:
            raise IvoError(f"Stagiaire en double dans la session : {name}.")
        if len(name) > 200:
            raise IvoError(f"Nom de stagiaire trop long ({len(name)} caractères, 200 au plus).")
        seen.add(_plain(name))
    return names


def create_session(
    db: Database,
    title: str,
    trainees: list[str],
    extraction_id: int | None = None,
    size: int = 20,
    level: str = DEFAULT_LEVEL,
    *,
    scenarios: int = 0,
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
) -> tuple[SessionInfo, Exercise]:
    """A session: one exercise drawn with a secret seed (never stored), its key sealed in the base."""
    names = _clean_names(trainees)
    title = " ".join((title or "").split()) or "Session de formation"
    with UnitOfWork(db) as uow:
        exercise = _create_exercise(
            uow,
            extraction_id,
            size,
            None,
            level=level,
            scenarios=scenarios,
            progress=progress,
            is_cancelled=is_cancelled,
        )
        exercise.session_token = secrets.token_hex(8)
        key = _build_key(uow, exercise)
        extraction = uow.session.get(Extraction, exercise.extraction_id)
        assert extraction is not None
        row = TrainingSession(
            token=exercise.session_token,
            title=title[:200],
            level=level,
            facility_id=extraction.facility_id,
            extraction_id=extraction.id,
            exercise=exercise.to_json(),
            answer_key=key,
        )
        row.trainees = [TrainingTrainee(name=n) for n in names]
        uow.session.add(row)
        uow.session.flush()
        journal.record(
            uow.session,
            "formation_session",
            f"session:{row.id}",
            {"stagiaires": len(names), "questions": exercise.size},
        )
        uow.commit()
        session_id = row.id
    return session_info(db, session_id), exercise


def _session_row(uow: UnitOfWork, session: int | str) -> TrainingSession:
    if isinstance(session, str) and not session.isdigit():
        row = training_queries.session_by_token(uow.session, session)
    else:
        row = uow.session.get(TrainingSession, int(session))
    if row is None:
        raise IvoError(f"Session de formation introuvable : {session} (voir « ivo formation sessions »).")
    return row


def _info(row: TrainingSession) -> SessionInfo:
    scores = [t.score for t in row.trainees if t.score is not None]
    size = int(row.exercise.get("size", 0))
    return SessionInfo(
        id=row.id,
        token=row.token,
        title=row.title,
        level=row.level,
        facility=row.exercise.get("facility", ""),
        extraction_id=row.extraction_id,
        created_at=row.created_at,
        corrected_at=row.corrected_at,
        trainees=[t.name for t in row.trainees],
        submitted=[t.name for t in row.trainees if t.submitted_at is not None],
        size=size,
        mean_percent=(100 * sum(scores) / (len(scores) * size)) if scores and size else None,
    )


def session_info(db: Database, session: int | str) -> SessionInfo:
    with UnitOfWork(db) as uow:
        return _info(_session_row(uow, session))


def session_exercise(db: Database, session: int | str) -> Exercise:
    """The exercise of a session, as handed out (questions only)."""
    with UnitOfWork(db) as uow:
        return Exercise.from_json(_session_row(uow, session).exercise)


def list_sessions(db: Database) -> list[SessionInfo]:
    """Every session, newest first: the history of the facility's training."""
    with UnitOfWork(db) as uow:
        rows = training_queries.sessions(uow.session, newest_first=True)
        return [_info(r) for r in rows]


def _trainee(row: TrainingSession, name: str) -> TrainingTrainee:
    wanted = _plain(name)
    for trainee in row.trainees:
        if _plain(trainee.name) == wanted:
            return trainee
    raise IvoError(f"« {name} » n'est pas inscrit(e) à la session « {row.title} ».")


def submit_answers(db: Database, session: int | str, trainee: str, answers: Answers) -> int:
    """Record a trainee's answers, once: a second submission, or one after the correction, is refused
    (the answers could otherwise follow the correction). Returns the number of answers kept."""
    with UnitOfWork(db) as uow:
        row = _session_row(uow, session)
        person = _trainee(row, trainee)
        if row.corrected_at is not None:
            raise IvoError(f"La session « {row.title} » est déjà corrigée : plus aucune réponse n'est reçue.")
        if person.submitted_at is not None:
            raise IvoError(f"{person.name} a déjà remis ses réponses : une seule remise par stagiaire.")
        canonical = check_answers(Exercise.from_json(row.exercise), answers)
        person.answers = canonical
        person.submitted_at = utcnow()
        journal.record(
            uow.session,
            "formation_remise",
            f"session:{row.id}",
            {"stagiaire": person.id, "reponses": len(canonical)},
        )
        uow.commit()
        return len(canonical)


def correct_session(db: Database, session: int | str) -> SessionResults:
    """Correct every submission at once against the sealed key; the session is closed after."""
    with UnitOfWork(db) as uow:
        row = _session_row(uow, session)
        exercise = Exercise.from_json(row.exercise)
        for person in row.trainees:
            if person.submitted_at is not None:
                person.score = grade(exercise, row.answer_key, person.answers or {}).score
        if row.corrected_at is None:
            row.corrected_at = utcnow()
            journal.record(
                uow.session,
                "formation_correction",
                f"session:{row.id}",
                {"remises": sum(1 for p in row.trainees if p.submitted_at is not None)},
            )
        uow.commit()
        session_id = row.id
    return session_results(db, session_id)


def session_results(db: Database, session: int | str) -> SessionResults:
    """Results per trainee, per question and per theme (only once the session is corrected)."""
    with UnitOfWork(db) as uow:
        row = _session_row(uow, session)
        if row.corrected_at is None:
            raise IvoError(
                f"La session « {row.title} » n'est pas encore corrigée (« ivo formation corriger-session »)."
            )
        info = _info(row)
        exercise = Exercise.from_json(row.exercise)
        key = dict(row.answer_key)
        submissions = [(t.name, t.submitted_at is not None, dict(t.answers or {})) for t in row.trainees]
    trainees = [
        TraineeResult(name, submitted, grade(exercise, key, answers) if submitted else None)
        for name, submitted, answers in submissions
    ]
    corrections = [t.correction for t in trainees if t.correction is not None]
    per_question = []
    theme_points: dict[str, list[float]] = defaultdict(list)
    for index, item_id in enumerate(exercise.item_ids):
        results = [c.results[index] for c in corrections]
        points = [r.points for r in results]
        label = results[0].expected_label if results else ""
        per_question.append((item_id, label, 100 * sum(points) / len(points) if points else 0.0, len(points)))
        theme_points[key[item_id]["theme"]].extend(points)
    per_theme = [
        (THEMES[t], 100 * sum(p) / len(p) if p else 0.0, len(p))
        for t, p in theme_points.items()
        if t in THEMES
    ]
    return SessionResults(info, exercise, trainees, per_question, per_theme, key)


def trainee_history(db: Database, name: str) -> list[tuple[SessionInfo, float | None]]:
    """A trainee's score (%) in every corrected session, oldest first."""
    wanted = _plain(name)
    out = []
    with UnitOfWork(db) as uow:
        rows = training_queries.sessions(uow.session)
        for row in rows:
            for person in row.trainees:
                if _plain(person.name) == wanted:
                    size = int(row.exercise.get("size", 0)) or 1
                    out.append((_info(row), None if person.score is None else 100 * person.score / size))
    return out


# PDF sheets (exercise, answer grid, commented correction) in the report's style -------------------
def _pdf(document: Any) -> bytes:
    return render_pdf(document, paths.resource("fonts"))


def _question_blocks(exercise: Exercise) -> list[Any]:
    sections = []
    for q in exercise.identities:
        sections.append(
            d.Section(
                f"{q.id} — Cette identité est-elle conforme au RNIV ?",
                [d.Table(["Trait", "Valeur"], [list(r) for r in trait_rows(q.traits)], [1, 2])],
                level=1,
            )
        )
    for p in exercise.pairs:
        rows = [[label, a, b] for (label, a), (_, b) in zip(trait_rows(p.a), trait_rows(p.b), strict=True)]
        sections.append(
            d.Section(
                f"{p.id} — Doublon, non-doublon ou collision ?",
                [d.Table(["Trait", "Dossier A", "Dossier B"], rows, [1, 1.5, 1.5])],
                level=1,
            )
        )
    for sq in exercise.scenarios:
        sections.append(
            d.Section(
                f"{sq.id} — À l'accueil : quel statut, quels attributs ?",
                [d.Table(["", "Situation"], [list(r) for r in scenario_rows(sq.facts)], [1, 3])],
                level=1,
            )
        )
    return sections


def exercise_pdf(exercise: Exercise, title: str = "Exercice de formation") -> bytes:
    """The exercise sheet: every question with its traits (labels, not codes)."""
    intro = d.Section(
        "Consignes",
        [
            d.Paragraph(
                "Pour chaque identité, répondez « conforme » ou nommez l'anomalie (identifiant de la règle). "
                "Pour chaque paire, répondez « doublon » (même personne), « non-doublon » (deux personnes) ou "
                "« collision » (deux personnes partagent un identifiant). Pour chaque scénario d'accueil, donnez "
                "le statut de l'identité et, s'il y a lieu, ses attributs (par exemple QUAL+HOMONYME)."
            ),
            d.Paragraph(DEMO_OID_NOTE, "note"),
        ],
    )
    doc = d.ReportDocument(
        title=title,
        subtitle=f"{exercise.size} questions — niveau {LEVELS[exercise.level][0]}",
        facility=exercise.facility,
        author="IVO — formation",
        cover_lines=[f"Créé le {_french_datetime(exercise.created_at)}"],
        sections=[intro, d.Section("Questions", []), *_question_blocks(exercise)],
    )
    return _pdf(doc)


def answer_grid_pdf(
    exercise: Exercise, trainees: list[str] | None = None, title: str = "Grille de réponses"
) -> bytes:
    """One answer grid per trainee (or a blank one): a line per question, boxes to tick."""
    sections = []
    for name in trainees or [""]:
        rows = [[q.id, "Identité", "☐ conforme   ☐ anomalie : règle ………………"] for q in exercise.identities]
        rows += [[p.id, "Paire", "☐ doublon   ☐ non-doublon   ☐ collision"] for p in exercise.pairs]
        rows += [
            [
                sq.id,
                "Scénario",
                "statut : ☐ PROV ☐ RECUP ☐ VALI ☐ QUAL   attributs : ☐ DOUTEUSE ☐ FICTIVE ☐ HOMONYME",
            ]
            for sq in exercise.scenarios
        ]
        sections.append(
            d.Section(
                f"Stagiaire : {name or '………………………………'}",
                [d.Table(["Question", "Type", "Réponse"], rows, [1, 1, 4])],
            )
        )
    doc = d.ReportDocument(
        title=title,
        subtitle=f"{exercise.size} questions",
        facility=exercise.facility,
        author="IVO — formation",
        cover_lines=["Cochez une réponse par question."],
        sections=sections,
    )
    return _pdf(doc)


def correction_pdf(
    exercise: Exercise, corrections: list[tuple[str, Correction]], results: SessionResults | None = None
) -> bytes:
    """The commented correction: per trainee the score and, per question, the verdict, the expected
    answer and what teaches it; with a session, results per question and per theme first."""
    sections = []
    if results is not None:
        sections.append(
            d.Section(
                "Résultats de la session",
                [
                    d.Table(
                        ["Stagiaire", "Score", "Réussite"],
                        [
                            [
                                t.name,
                                _points(t.correction.score) + f" / {t.correction.total}",
                                _percent(t.correction.percent),
                            ]
                            if t.correction
                            else [t.name, "pas de remise", "—"]
                            for t in results.trainees
                        ],
                        [3, 1, 1],
                    ),
                    d.Table(
                        ["Thème", "Réussite", "Réponses"],
                        [[label, _percent(pct), str(n)] for label, pct, n in results.per_theme],
                        [3, 1, 1],
                    ),
                    d.Table(
                        ["Question", "Réponse attendue", "Réussite"],
                        [[i, label, _percent(pct)] for i, label, pct, _ in results.per_question],
                        [1, 4, 1],
                    ),
                ],
            )
        )
    for name, correction in corrections:
        blocks: list[Any] = [d.Paragraph(correction.summary(), "emphasis")]
        for r in correction.results:
            blocks.append(
                d.Paragraph(f"{r.item_id} — {VERDICTS[r.verdict]} — réponse : {r.answer_label}", "emphasis")
            )
            blocks.append(d.Paragraph(f"Attendu : {r.expected_label}"))
            blocks.append(d.Paragraph(r.explanation, "note"))
        sections.append(
            d.Section(f"Correction commentée — {name}" if name else "Correction commentée", blocks)
        )
    doc = d.ReportDocument(
        title="Correction commentée",
        subtitle=f"{exercise.size} questions",
        facility=exercise.facility,
        author="IVO — formation",
        cover_lines=[DEMO_OID_NOTE],
        sections=sections,
    )
    return _pdf(doc)


def _french_datetime(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return moment.strftime("%d/%m/%Y à %H:%M")


def french_date(value: date | datetime | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def write_pdf(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise IvoError(f"Écriture impossible : {path} ({exc.strerror}).") from exc


def results_text(results: SessionResults) -> str:
    """The results of a corrected session as plain French text (window and command line)."""
    info = results.session
    lines = [
        f"Session n° {info.id} « {info.title} » — {len(info.submitted)} remises sur {len(info.trainees)}.",
        "",
    ]
    lines.append("Par stagiaire :")
    for t in results.trainees:
        lines.append(
            f"  {t.name} : {t.correction.summary()}" if t.correction else f"  {t.name} : pas de remise"
        )
    lines.append("")
    lines.append("Par thème :")
    lines += [f"  {label} : {_percent(pct)} ({plural(n, 'réponse')})" for label, pct, n in results.per_theme]
    lines.append("")
    lines.append("Par question :")
    lines += [f"  {i} : {_percent(pct)} — attendu : {label}" for i, label, pct, _ in results.per_question]
    return "\n".join(lines)


# Exercises from the facility's own mistakes: a pseudonymised extraction -------------------------------
_PSEUDONYMISED_IPP = re.compile(r"^P\d{10}$")


def import_pseudonymised(db: Database, path: Path, facility: str) -> int:
    """Import an extraction written by `ivo pseudonymiser` as a training base: checked at once, its
    per-record findings become the truth of its identity questions (no pair questions: nobody knows
    which of its records are one person). A file that is not pseudonymised (its IPPs are not the
    pseudonymiser's `P` + 10 digits) is refused and
    leaves the base unchanged, so no real patient is ever shown to a trainee."""
    result = import_file(db, path, facility)
    extraction_id = result.extraction_id
    try:
        with UnitOfWork(db) as uow:
            ipps = identity_queries.ipps(uow.session, extraction_id)
            # The pseudonymiser shifts each person's dates and draws the day again: only its IPPs
            # (`P` + 10 digits of an HMAC) tell its files from an export of real patients.
            real = [ipp for ipp in ipps if not _PSEUDONYMISED_IPP.match(ipp)]
            if real:
                raise IvoError(
                    f"{Path(path).name} n'est pas une extraction pseudonymisée ({len(real)} identités sans IPP "
                    "pseudonymisé) : la formation n'utilise que des "
                    "exports de « ivo pseudonymiser »."
                )
        run_checks(db, extraction_id)
        with UnitOfWork(db) as uow:
            findings = rules_by_ipp(uow.session, extraction_id)
            uow.session.add_all(
                DemoTruth(
                    extraction_id=extraction_id,
                    ipp=ipp,
                    person_key=f"R{n}",  # one person per record: its pairs are not asked about
                    anomalies=",".join(sorted(findings.get(ipp, ()))) or None,
                    error_kind=None,
                )
                for n, ipp in enumerate(ipps)
            )
            extraction = uow.session.get(Extraction, extraction_id)
            assert extraction is not None
            extraction.is_demo = True  # a training base: no real person in it
            journal.record(
                uow.session, "formation_import", f"extraction:{extraction_id}", {"rows": len(ipps)}
            )
            uow.commit()
    except BaseException:
        with UnitOfWork(db) as uow:  # leave the base as it was: the extraction, and its new facility
            extraction = uow.session.get(Extraction, extraction_id)
            if extraction is not None:
                facility_id = extraction.facility_id
                uow.session.delete(extraction)
                uow.session.flush()
                if not uow.extractions.list(facility_id):
                    uow.session.delete(uow.session.get(Facility, facility_id))
                uow.commit()
        raise
    return extraction_id


# Desk scenarios: which status, which attribute? ------------------------------------------------------
INSI_ANSWERS = {
    "trouve": "Une identité trouvée, traits identiques à ceux du justificatif",
    "different": "Une identité trouvée, mais ses traits diffèrent de ceux du justificatif",
    "introuvable": "Aucune identité trouvée",
    "indisponible": "Téléservice indisponible",
}
CONTEXTS = {
    "": "Rien de particulier",
    "homonyme": "Une personne de mêmes nom, prénom et date de naissance est déjà connue de l'établissement",
    "doute": "Le patient, confus, ne peut confirmer son identité ; le justificatif semble ne pas être le sien",
    "fictive": "Accouchement dans le secret : la patiente demande à ne pas être identifiée",
}
HIGH_TRUST_DESK_DOCUMENTS = ("PA", "CN", "CS", "IE")  # RNIV high-trust list (FR Core codes)
LOW_TRUST_DESK_DOCUMENTS = ("PC", "CM", "TC", "CE")
SCENARIO_ANSWERS = (
    "PROV", "RECUP", "VALI", "QUAL", "PROV+DOUTEUSE", "PROV+FICTIVE", "PROV+HOMONYME", "RECUP+HOMONYME",
    "VALI+HOMONYME", "QUAL+HOMONYME", "PROV+DOUTEUSE+HOMONYME",
)  # fmt: skip


def _desk_facts(rnd: Any, traits: dict[str, str]) -> dict[str, str]:
    """A patient at the desk (a demo identity, described), a document, an INSi answer, a context."""
    civility = "Mme" if traits.get("sex") == "F" else "M."
    place = place_label(traits.get("birthplace", "")).split("— ")[-1]
    patient = (
        f"{civility} {traits.get('first_first_name', '')} {traits.get('birth_name', '')}, "
        f"né(e) le {traits.get('birth_date', '')} à {place}"
    )
    context = rnd.choices(list(CONTEXTS), weights=(6, 2, 1, 1))[0]
    document = rnd.choice(
        [*HIGH_TRUST_DESK_DOCUMENTS, *HIGH_TRUST_DESK_DOCUMENTS, *LOW_TRUST_DESK_DOCUMENTS, "", ""]
    )
    insi = rnd.choices(list(INSI_ANSWERS), weights=(5, 2, 2, 1))[0]
    return {"patient": patient, "document": document, "insi": insi, "context": context}


def desk_answer(facts: dict[str, str]) -> tuple[str, str]:
    """The status (and attributes) the RNIV asks for in this situation, and why."""
    context, document, insi = facts.get("context", ""), facts.get("document", ""), facts.get("insi", "")
    if context == "doute":
        return "PROV+DOUTEUSE", (
            "Un doute sur l'identité : statut provisoire avec l'attribut DOUTEUSE, sans appel à INSi ni "
            "matricule (RNIV : DOUTEUSE ou FICTIVE n'admettent que le statut provisoire) ; signaler à la CIV."
        )
    if context == "fictive":
        return "PROV+FICTIVE", (
            "Une identité d'emprunt (accouchement dans le secret) : statut provisoire avec l'attribut "
            "FICTIVE, jamais d'appel à INSi ni de matricule (RNIV)."
        )
    high = document in HIGH_TRUST_DESK_DOCUMENTS
    ins = insi == "trouve"
    status = "QUAL" if high and ins else "VALI" if high else "RECUP" if ins else "PROV"
    doc_text = (
        f"justificatif {trait_display('document_type', document)} à haut niveau de confiance"
        if high
        else f"justificatif {trait_display('document_type', document)} sans haut niveau de confiance"
        if document
        else "aucun justificatif"
    )
    ins_text = {
        "trouve": "INS obtenu par le téléservice, traits identiques",
        "different": "INSi renvoie des traits différents : l'INS n'est pas enregistré tant que l'écart n'est pas "
        "levé (vérifier la saisie, sinon signaler à la CIV)",
        "introuvable": "aucun INS trouvé",
        "indisponible": "téléservice indisponible : rappeler plus tard",
    }.get(insi, insi)
    why = (
        f"{doc_text.capitalize()} ; {ins_text} : statut {STATUS_LABELS[status].lower()} (RNIV : QUAL = INS + "
        "justificatif à haut niveau de confiance ; VALI = justificatif seul ; RECUP = INS seul ; PROV sinon)."
    )
    if context == "homonyme":
        return (
            f"{status}+HOMONYME",
            why + " Un homonyme est connu : poser l'attribut HOMONYME, compatible avec tous ",
        )
        "les statuts."
    return status, why


def scenario_choices() -> list[tuple[str, str]]:
    def label(value: str) -> str:
        status, *attributes = value.split("+")
        text = STATUS_LABELS[status].split(" (")[0]
        return f"{value} — {text}" + (f", attribut {' et '.join(attributes)}" if attributes else "")

    return [(v, label(v)) for v in SCENARIO_ANSWERS]


def normalize_scenario_answer(value: str) -> str | None:
    """ "qual + homonyme", "PROV, DOUTEUSE", "Prov/Fictive" → the canonical "STATUS+ATTR…", or None."""
    plain = _plain(value).upper()
    words = [w for w in re.split(r"[\s+,;/]+", plain) if w]
    statuses = [w for w in words if w in STATUS_LABELS]
    attributes = sorted(w for w in words if w in ("DOUTEUSE", "FICTIVE", "HOMONYME"))
    if len(statuses) != 1 or len(statuses) + len(attributes) != len(words):
        return None
    canonical = "+".join([statuses[0], *attributes])
    return canonical if canonical in SCENARIO_ANSWERS else None


def scenario_rows(facts: dict[str, str]) -> list[tuple[str, str]]:
    document = facts.get("document", "")
    return [
        ("Patient", facts.get("patient", "")),
        ("Justificatif présenté", trait_display("document_type", document) if document else "Aucun"),
        ("Réponse du téléservice INSi", INSI_ANSWERS.get(facts.get("insi", ""), facts.get("insi", ""))),
        ("Contexte", CONTEXTS.get(facts.get("context", ""), facts.get("context", ""))),
    ]


def _grade_scenario(q: ScenarioQuestion, key: dict[str, Any], answer: str | None) -> ItemResult:
    expected: str = key["expected"]
    label = dict(scenario_choices()).get(expected, expected)
    explanation = key["why"]
    if not answer:
        verdict, points = "sans_reponse", 0.0
    elif answer == expected:
        verdict, points = "juste", 1.0
    elif answer.split("+")[0] == expected.split("+")[0]:  # the status right, the attributes not
        verdict, points = "partiel", 0.5
        explanation += " (Bon statut, mais pas les bons attributs.)"
    else:
        verdict, points = "faux", 0.0
    answer_text = dict(scenario_choices()).get(answer or "", answer or "(sans réponse)")
    return ItemResult(
        q.id, "scenario", answer, answer_text, label, verdict, points, explanation, "statuts",
        "RNIV (statuts et attributs de l'identité)", expected,
    )  # fmt: skip
