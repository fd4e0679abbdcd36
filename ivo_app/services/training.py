"""Trainer mode: exercises drawn from a demo facility, answered by a trainee, scored against the truth.

An exercise is a reproducible draw (extraction, size, seed) of identities (some with injected
anomalies, some clean) and of record pairs (true duplicates, and hard non-duplicates: twins,
homonyms, parent and child). The exercise holds the questions only (the traits shown to the
trainee); the expected answers stay in the database (`demo_truth`), so handing the file to a
trainee does not hand over the answers. Correction reads the truth again and explains each item
with the rule catalogue.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ivo_app.errors import IvoError, NotFoundError
from ivo_app.progress import CancelFn, Progress, ProgressFn
from ivo_app.rules.catalogue import RULES
from ivo_app.store.db import Database
from ivo_app.store.models import DemoTruth, Extraction, Identity
from ivo_app.store.uow import UnitOfWork

EXERCISE_FORMAT = "ivo-formation-exercice"
ANSWERS_FORMAT = "ivo-formation-reponses"
SETTING_KEY = "formation.exercice_courant"
MIN_SIZE, MAX_SIZE = 2, 500

CONFORME, ANOMALIE = "conforme", "anomalie"
DOUBLON, NON_DOUBLON = "doublon", "non_doublon"

# Rules that compare records (or count over the extraction): a trainee looking at one identity
# cannot see them, so identities carrying them are not asked about.
CROSS_RECORD_RULES = frozenset(
    {"INS-UNIQUE", "ATTR-HOMONYME", "COLLISION-SUSPECTE", "TRAIT-UTILISE-COPIE", "DOUBLON-POTENTIEL",
     "STATUT-RECUP-PART"}
)  # fmt: skip

TRAITS: tuple[tuple[str, str], ...] = (
    ("ipp", "IPP"),
    ("birth_name", "Nom de naissance"),
    ("first_names", "Prénoms de naissance"),
    ("first_first_name", "Premier prénom"),
    ("used_name", "Nom utilisé"),
    ("used_first_name", "Prénom utilisé"),
    ("birth_date", "Date de naissance"),
    ("sex", "Sexe"),
    ("birthplace", "Lieu de naissance (code COG)"),
    ("ins_matricule", "Matricule INS"),
    ("ins_oid", "OID du matricule"),
    ("status", "Statut"),
    ("attributes", "Attributs"),
    ("document_type", "Justificatif"),
    ("birth_date_completed", "Date complétée"),
)

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
    "partagent à tort un matricule (collision à corriger)",
    "homonymes_meme_date": "homonymes parfaits (mêmes nom, prénom, date et sexe) non signalés par "
    "l'attribut HOMONYME",
    "homonymes_signales": "homonymes parfaits, correctement signalés par l'attribut HOMONYME",
}
HARD_NEGATIVE_KINDS = frozenset(
    {
        "jumeaux",
        "homonymes",
        "parent_enfant",
        "enfant_nir_parent",
        "homonymes_meme_date",
        "homonymes_signales",
    }
)
VERDICTS = {
    "juste": "Juste",
    "partiel": "Partiellement juste",
    "faux": "Faux",
    "sans_reponse": "Sans réponse",
}
DUPLICATE_ADVICE = "Conduite à tenir : signaler le doublon à la cellule d'identitovigilance pour fusion."
NON_DUPLICATE_ADVICE = (
    "Conduite à tenir : ne pas fusionner ; vérifier les traits stricts sur un justificatif "
    "et poser l'attribut HOMONYME si les traits coïncident."
)


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
class Exercise:
    """The questions of an exercise (no answers in it) and where they were drawn from."""

    extraction_id: int
    facility: str
    source_file: str
    size: int
    seed: int
    created_at: str
    identities: list[IdentityQuestion] = field(default_factory=list)
    pairs: list[PairQuestion] = field(default_factory=list)

    @property
    def item_ids(self) -> list[str]:
        return [q.id for q in self.identities] + [q.id for q in self.pairs]

    def to_json(self) -> dict[str, Any]:
        return {"format": EXERCISE_FORMAT, "version": 1, **asdict(self)}

    @classmethod
    def from_json(cls, data: Any) -> Exercise:
        if not isinstance(data, dict) or data.get("format") != EXERCISE_FORMAT:
            raise IvoError("Ce fichier n'est pas un exercice de formation IVO.")
        try:
            return cls(
                extraction_id=int(data["extraction_id"]),
                facility=str(data["facility"]),
                source_file=str(data["source_file"]),
                size=int(data["size"]),
                seed=int(data["seed"]),
                created_at=str(data["created_at"]),
                identities=[IdentityQuestion(str(q["id"]), dict(q["traits"])) for q in data["identities"]],
                pairs=[PairQuestion(str(q["id"]), dict(q["a"]), dict(q["b"])) for q in data["pairs"]],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise IvoError(f"Exercice de formation incomplet ou abîmé ({exc}).") from exc


Answers = dict[str, str]
"""Item id → answer: "conforme", "anomalie" or a rule ID for an identity; "doublon" or "non_doublon"
for a pair. Items left out are unanswered."""


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
            f"Score : {_points(self.score)} / {self.total} ({self.percent:.0f} %) — {verdicts['juste']} justes, "
            f"{verdicts['partiel']} partielles, {verdicts['faux']} fausses, "
            f"{verdicts['sans_reponse']} sans réponse."
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "total": self.total,
            "percent": round(self.percent, 1),
            "items": [asdict(r) for r in self.results],
        }


# Choices offered to the trainee ------------------------------------------------------------------
def identity_choices() -> list[tuple[str, str]]:
    """(value, French label) of the answers to an identity question, rules in catalogue order."""
    return [(CONFORME, "Conforme"), (ANOMALIE, "Anomalie (règle non précisée)")] + [
        (rule.id, f"Anomalie : {rule.id} — {rule.title}")
        for rule in RULES.values()
        if rule.id not in CROSS_RECORD_RULES
    ]


def pair_choices() -> list[tuple[str, str]]:
    return [(DOUBLON, "Doublon (même personne)"), (NON_DOUBLON, "Non-doublon (deux personnes)")]


def answer_label(value: str | None) -> str:
    if not value:
        return "(sans réponse)"
    labels = dict(identity_choices() + pair_choices())
    return labels.get(value, f"Anomalie : {value}" if value in RULES else value)


def answer_short(value: str | None) -> str:
    """The answer in a few words, for a list of questions."""
    short = {CONFORME: "Conforme", ANOMALIE: "Anomalie", DOUBLON: "Doublon", NON_DOUBLON: "Non-doublon"}
    return short.get(value or "", value or "—")


def trait_rows(traits: dict[str, str]) -> list[tuple[str, str]]:
    """(French label, value) of a question's traits, in display order."""
    return [(label, traits.get(attr, "")) for attr, label in TRAITS]


# Creating an exercise ----------------------------------------------------------------------------
def demo_extraction(db: Database, extraction_id: int | None) -> Extraction:
    """The extraction (latest if None), refused with a French message unless it has demo truth."""
    with UnitOfWork(db) as uow:
        try:
            extraction = uow.extractions.resolve(extraction_id)
        except NotFoundError:
            raise IvoError(
                "Aucune extraction : créez d'abord un établissement de démonstration "
                "(« Créer une démonstration… » ou « ivo demo »)."
            ) from None
        has_truth = uow.session.scalar(
            select(DemoTruth.ipp).where(DemoTruth.extraction_id == extraction.id).limit(1)
        )
        if not extraction.is_demo or has_truth is None:
            raise IvoError(
                f"L'extraction n° {extraction.id} ({extraction.facility.name}) n'est pas une démonstration : "
                "un exercice de formation a besoin de la vérité terrain d'un établissement de démonstration. "
                "Créez-en un (« Créer une démonstration… » ou « ivo demo ») puis choisissez-le."
            )
        extraction.facility.name  # noqa: B018 - loaded before the session closes
        return extraction


def create_exercise(
    db: Database,
    extraction_id: int | None = None,
    size: int = 20,
    seed: int = 1,
    *,
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
) -> Exercise:
    """Draw `size` questions from a demo extraction; the same (extraction, size, seed), the same
    exercise. About 3/5 are identities (half with an anomaly), 2/5 pairs (half true duplicates)."""
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise IvoError(f"Taille d'exercice invalide : {size} (de {MIN_SIZE} à {MAX_SIZE} questions).")
    tracker = Progress(progress, is_cancelled)
    extraction = demo_extraction(db, extraction_id)
    tracker.report(0, 3, "Lecture de la vérité terrain")
    pool = _pool(db, extraction.id)
    tracker.check()
    tracker.report(1, 3, "Tirage des questions")
    rnd = random.Random(seed)
    faulty = sorted(pool.faulty, key=_ipp_order)
    pair_count = min(size * 2 // 5, len(pool.duplicates) + len(pool.lookalikes))
    identity_count = size - pair_count
    wanted_faulty = min((identity_count + 1) // 2, len(faulty))
    wanted_clean = min(identity_count - wanted_faulty, len(pool.clean))
    wanted_faulty = min(identity_count - wanted_clean, len(faulty))
    identity_ipps = _diverse(rnd, faulty, wanted_faulty, lambda i: min(pool.faulty[i]))
    identity_ipps += rnd.sample(pool.clean, wanted_clean)
    wanted_dups = min((pair_count + 1) // 2, len(pool.duplicates))
    wanted_lookalikes = min(pair_count - wanted_dups, len(pool.lookalikes))
    wanted_dups = min(pair_count - wanted_lookalikes, len(pool.duplicates))
    pair_ipps = _diverse(rnd, pool.duplicates, wanted_dups, pool.kinds.__getitem__)
    pair_ipps += _diverse(rnd, pool.lookalikes, wanted_lookalikes, pool.kinds.__getitem__)
    rnd.shuffle(identity_ipps)  # answers must not follow the order of the draw
    rnd.shuffle(pair_ipps)
    if not identity_ipps and not pair_ipps:
        raise IvoError("Cette démonstration est trop petite pour un exercice : créez-en une plus grande.")

    tracker.check()
    tracker.report(2, 3, "Lecture des dossiers tirés")
    traits = _traits(db, extraction.id, identity_ipps + [ipp for pair in pair_ipps for ipp in pair])
    tracker.report(3, 3, "Exercice prêt")
    return Exercise(
        extraction_id=extraction.id,
        facility=extraction.facility.name,
        source_file=extraction.source_file,
        size=len(identity_ipps) + len(pair_ipps),
        seed=seed,
        created_at=datetime.now().isoformat(timespec="seconds"),
        identities=[IdentityQuestion(f"I{n}", traits[ipp]) for n, ipp in enumerate(identity_ipps, 1)],
        pairs=[PairQuestion(f"P{n}", traits[a], traits[b]) for n, (a, b) in enumerate(pair_ipps, 1)],
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


def _pool(db: Database, extraction_id: int) -> _Pool:
    t = DemoTruth
    mine = t.extraction_id == extraction_id
    persons = select(t.person_key).where(mine).group_by(t.person_key)
    # A record asked about alone must be its person's only record: a duplicate is not "clean".
    alone = t.person_key.in_(persons.having(func.count() == 1))
    with UnitOfWork(db) as uow:
        s = uow.session
        faulty_rows = s.execute(
            select(t.ipp, t.anomalies).where(mine, alone, t.error_kind.is_(None), t.anomalies.is_not(None))
        ).all()
        clean = list(
            s.scalars(select(t.ipp).where(mine, alone, t.error_kind.is_(None), t.anomalies.is_(None)))
        )
        duplicate_rows = s.execute(
            select(t.person_key, t.ipp, t.error_kind).where(
                mine, t.person_key.in_(persons.having(func.count() == 2))
            )
        ).all()
        lookalike_rows = s.execute(
            select(t.ipp, t.person_key, t.error_kind).where(mine, t.error_kind.in_(HARD_NEGATIVE_KINDS))
        ).all()
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
    # The generator writes the two people of a hard negative one after the other (consecutive IPPs,
    # the same kind); two such clusters in a row also pair the 2nd record of one with the 1st of the
    # next: taken from the left, disjoint pairs are exactly the clusters.
    lookalikes: list[tuple[str, str]] = []
    used: set[str] = set()
    ordered = sorted(lookalike_rows, key=lambda r: _ipp_order(r[0]))
    for (a, person_a, kind_a), (b, person_b, kind_b) in pairwise(ordered):
        if (
            a not in used
            and kind_a == kind_b
            and person_a != person_b
            and _ipp_order(b)[0] == _ipp_order(a)[0] + 1
        ):
            lookalikes.append((a, b))
            kinds[(a, b)] = kind_a
            used |= {a, b}
    return _Pool(faulty, clean, duplicates, lookalikes, kinds)


def _diverse(rnd: random.Random, candidates: list[Any], count: int, key: Any) -> list[Any]:
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


def _traits(db: Database, extraction_id: int, ipps: list[str]) -> dict[str, dict[str, str]]:
    """What the trainee sees of each record: its traits as imported, as text."""
    result: dict[str, dict[str, str]] = {}
    with UnitOfWork(db) as uow:
        for start in range(0, len(ipps), 500):
            rows = uow.session.scalars(
                select(Identity).where(
                    Identity.extraction_id == extraction_id, Identity.ipp.in_(ipps[start : start + 500])
                )
            )
            for identity in rows:
                result[identity.ipp] = {attr: _trait_text(identity, attr) for attr, _ in TRAITS}
    return result


def _trait_text(identity: Identity, attr: str) -> str:
    value = getattr(identity, attr)
    if attr == "birth_date":
        return value.strftime("%d/%m/%Y") if value else (identity.birth_date_raw or "")
    if attr == "birth_date_completed":
        return "" if value is None else ("oui" if value else "non")
    if attr == "attributes":
        return (value or "").replace(",", " ")
    return "" if value is None else str(value)


# Correcting --------------------------------------------------------------------------------------
def correct_exercise(db: Database, exercise: Exercise, answers: Answers) -> Correction:
    """Compare the answers with the demo truth and explain every item."""
    _check_answers(exercise, answers)
    truth = _item_truth(db, exercise)
    results = [_grade_identity(q, truth[q.ipp], answers.get(q.id)) for q in exercise.identities]
    results += [
        _grade_pair(q, truth[q.a["ipp"]], truth[q.b["ipp"]], answers.get(q.id)) for q in exercise.pairs
    ]
    return Correction(results)


def _item_truth(db: Database, exercise: Exercise) -> dict[str, dict[str, Any]]:
    ipps = [q.ipp for q in exercise.identities] + [
        ipp for q in exercise.pairs for ipp in (q.a["ipp"], q.b["ipp"])
    ]
    with UnitOfWork(db) as uow:
        extraction = uow.session.get(Extraction, exercise.extraction_id)
        if extraction is None or extraction.source_file != exercise.source_file:
            raise IvoError(
                f"L'extraction de démonstration n° {exercise.extraction_id} de cet exercice n'est pas dans "
                "cette base : corrigez-le sur la base où il a été créé (option --db)."
            )
        rows: list[Any] = []
        for start in range(0, len(ipps), 500):
            rows += uow.session.execute(
                select(DemoTruth.ipp, DemoTruth.person_key, DemoTruth.anomalies, DemoTruth.error_kind).where(
                    DemoTruth.extraction_id == exercise.extraction_id,
                    DemoTruth.ipp.in_(ipps[start : start + 500]),
                )
            ).all()
    truth = {
        ipp: {"person_key": key, "anomalies": set((anoms or "").split(",")) - {""}, "kind": kind}
        for ipp, key, anoms, kind in rows
    }
    missing = sorted(set(ipps) - set(truth))
    if missing:
        raise IvoError(f"Vérité terrain introuvable pour {len(missing)} dossiers de l'exercice.")
    return truth


def _check_answers(exercise: Exercise, answers: Answers) -> None:
    identity_values = {v for v, _ in identity_choices()} | set(RULES)
    pair_values = {v for v, _ in pair_choices()}
    identity_ids = {q.id for q in exercise.identities}
    for item_id, value in answers.items():
        if item_id not in identity_ids and item_id not in {q.id for q in exercise.pairs}:
            raise IvoError(f"Réponse à une question inconnue : {item_id}.")
        if value is None or value == "":
            continue
        allowed = identity_values if item_id in identity_ids else pair_values
        if value not in allowed:
            expected = (
                "conforme, anomalie ou un identifiant de règle"
                if item_id in identity_ids
                else ("doublon ou non_doublon")
            )
            raise IvoError(f"Réponse « {value} » invalide pour {item_id} (attendu : {expected}).")


def _rule_text(rule_id: str) -> str:
    rule = RULES[rule_id]
    return f"{rule.id} — {rule.title} : {rule.explanation} Correction : {rule.fix}"


def _grade_identity(q: IdentityQuestion, truth: dict[str, Any], answer: str | None) -> ItemResult:
    expected: set[str] = truth["anomalies"]
    rules = sorted(expected, key=lambda r: list(RULES).index(r) if r in RULES else len(RULES))
    if expected:
        expected_label = "Anomalie : " + " ou ".join(
            f"{r} — {RULES[r].title}" if r in RULES else r for r in rules
        )
        explanation = " ".join(_rule_text(r) if r in RULES else r for r in rules)
    else:
        expected_label = "Conforme"
        explanation = (
            "Identité conforme : aucune règle du RNIV vérifiable sur ce dossier seul n'est enfreinte."
        )
    if not answer:
        verdict, points = "sans_reponse", 0.0
    elif answer == CONFORME:
        verdict, points = ("juste", 1.0) if not expected else ("faux", 0.0)
    elif not expected:
        verdict, points = "faux", 0.0
    elif answer in expected:
        verdict, points = "juste", 1.0
    else:  # the anomaly was seen, not (or not rightly) named: half a point
        verdict, points = "partiel", 0.5
        if answer != ANOMALIE:
            explanation += f" (La règle {answer} ne s'applique pas à ce dossier.)"
    return ItemResult(
        q.id, "identite", answer, answer_label(answer), expected_label, verdict, points, explanation
    )


def _grade_pair(q: PairQuestion, ta: dict[str, Any], tb: dict[str, Any], answer: str | None) -> ItemResult:
    same = ta["person_key"] == tb["person_key"]
    kind = tb["kind"] or ta["kind"] or "doublon_exact"
    what = PAIR_KINDS.get(kind, kind)
    if same:
        expected_label = f"Doublon ({what})"
        explanation = f"Les deux dossiers désignent la même personne : {what}. {DUPLICATE_ADVICE}"
    else:
        expected_label = f"Non-doublon ({what})"
        explanation = f"Deux personnes différentes : {what}. {NON_DUPLICATE_ADVICE}"
    if not answer:
        verdict, points = "sans_reponse", 0.0
    elif (answer == DOUBLON) == same:
        verdict, points = "juste", 1.0
    else:
        verdict, points = "faux", 0.0
    return ItemResult(
        q.id, "paire", answer, answer_label(answer), expected_label, verdict, points, explanation
    )


def _points(value: float) -> str:
    return f"{value:g}".replace(".", ",")


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


def answers_template(exercise: Exercise) -> dict[str, Any]:
    """An answers file to fill in: every question, no answer yet."""
    return {"format": ANSWERS_FORMAT, "reponses": {item_id: None for item_id in exercise.item_ids}}


def write_answers_template(path: Path, exercise: Exercise) -> None:
    _write_json(path, answers_template(exercise))


def read_answers(path: Path) -> Answers:
    """Answers from an answers file ({"reponses": {...}} or a bare mapping) or a saved exercise."""
    data = _read_json(path)
    if isinstance(data, dict) and isinstance(data.get("reponses"), dict):
        return _answers_of(data["reponses"])
    if isinstance(data, dict) and "format" not in data:
        return _answers_of(data)
    raise IvoError(f"{path.name} ne contient pas de réponses (clé « reponses »).")


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


def save_current(db: Database, exercise: Exercise, answers: Answers) -> None:
    """Keep the facility's exercise in progress (the window reopens it at the next start)."""
    with UnitOfWork(db) as uow:
        try:
            facility = uow.facilities.by_name(exercise.facility)
        except NotFoundError:
            return  # an exercise opened from another base: kept in its file only
        uow.settings.set(SETTING_KEY, {**exercise.to_json(), "reponses": dict(answers)}, facility.id)
        uow.commit()


def load_current(db: Database, extraction_id: int) -> tuple[Exercise, Answers] | None:
    """The exercise in progress on this extraction, if one was kept."""
    with UnitOfWork(db) as uow:
        extraction = uow.session.get(Extraction, extraction_id)
        if extraction is None:
            return None
        data = uow.settings.get(SETTING_KEY, extraction.facility_id)
    if not data or data.get("extraction_id") != extraction_id:
        return None
    try:
        return Exercise.from_json(data), _answers_of(data.get("reponses") or {})
    except IvoError:
        return None  # an unreadable kept exercise is simply not offered again
