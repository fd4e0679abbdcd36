"""IVO3 audit use cases: create, fill the four steps (window, answers file, XLSX questionnaire), status.

Step 1 questionnaire · step 2 documents · step 3 on site (admission observations, wristbands,
interviews, record sample) · step 4 deliverable (findings, recommendations, action plan).

A questionnaire answer holds the facility's self-assessment (`answer`) and, separately, the auditor's
own assessment (`auditor`); scores and findings use the auditor's when given. Files (answers, XLSX)
are checked whole before anything is written, then applied in one transaction: a bad line leaves the
audit as it was, and the French message names the line or the question.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from python_calamine import CalamineError, CalamineWorkbook

from ivo_app import paths
from ivo_app.audit.completeness import Completeness, chain_gaps, completeness
from ivo_app.audit.consistency import Inconsistency, check_consistency
from ivo_app.audit.grid import ANSWER_LABELS, ANSWERS, Grid, GridError, grid_from_data
from ivo_app.audit.items import ItemError, normalise, normalise_answer, parse_day
from ivo_app.audit.results import (
    OBSERVATION_ITEMS,
    SAMPLE_TRAITS,
    WRISTBAND_ITEMS,
    Rate,
    propose_findings,
    rates,
)
from ivo_app.audit.scoring import GridScore, score_grid
from ivo_app.audit.statistics import stratified_sample
from ivo_app.errors import IvoError, NotFoundError
from ivo_app.io.writers import safe_cell
from ivo_app.services.indicators import Indicators, compute_indicators
from ivo_app.store import journal
from ivo_app.store.db import Database
from ivo_app.store.models.audit import Audit, AuditItem
from ivo_app.store.queries import audit as audit_queries
from ivo_app.store.queries import identities as identity_queries
from ivo_app.store.queries.findings import rules_by_ipp
from ivo_app.store.uow import UnitOfWork

STEPS = ("questionnaire", "documents", "sur_site", "livrable")
STEP_LABELS = {"questionnaire": "1. Questionnaire d'évaluation", "documents": "2. Étude de documents",
               "sur_site": "3. Audit en présentiel", "livrable": "4. Livrable détaillé"}  # fmt: skip
STATES = ("a_faire", "en_cours", "termine")
DEFAULT_DOCUMENTS = (
    "Charte d'identitovigilance", "Politique / note de gouvernance", "Composition et comptes rendus de la CIV",
    "Procédure de création d'identité et de qualification de l'INS", "Procédure de modification des identités",
    "Procédure doublons, fusions et collisions", "Procédures des situations particulières", "Procédure bracelet",
    "Plan de formation et émargements", "Procédure de signalement des erreurs et dernières analyses",
    "Tableau de bord des indicateurs",
)  # fmt: skip
# The deliverable's context (step 4), kept as one item: mandate, people met, services visited...
CONTEXT_FIELDS = {
    "mandate": "Mandat", "objectives": "Objectifs", "people_met": "Personnes rencontrées",
    "services_visited": "Services visités", "limits": "Limites de l'audit", "distribution": "Liste de diffusion",
    "signatures": "Signataires", "response": "Réponse de l'établissement", "version": "Version du livrable",
}  # fmt: skip
LIST_CONTEXT = ("objectives", "people_met", "services_visited", "limits", "distribution", "signatures")
DELAYS = {"critique": 90, "majeur": 180, "mineur": 365}  # days to a proposed action's deadline


def load_grid(name_or_path: str | Path | None = None) -> tuple[Grid, dict[str, Any]]:
    """The default grid, a grid shipped in resources/grids by name, or a cell's own grid file."""
    path = Path(name_or_path) if name_or_path else paths.resource("grids", "ivo3-rniv-defaut.yaml")
    if not path.exists():
        path = paths.resource("grids", f"{name_or_path}.yaml")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise IvoError(f"Grille illisible : {name_or_path}") from exc
    try:
        return grid_from_data(data), data
    except GridError as exc:
        raise IvoError(str(exc)) from exc


@dataclass
class AuditView:
    id: int
    facility: str
    facility_id: int
    extraction_id: int | None
    title: str
    auditors: list[str]
    scope: str | None
    started_on: date | None
    ended_on: date | None
    grid: Grid
    steps: dict[str, str]
    sample_seed: int | None
    items: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # kind → key → data
    finess: str | None = None

    def of(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.items.get(kind, {})

    @property
    def context(self) -> dict[str, Any]:
        return self.of("context").get("main", {})

    @property
    def self_answers(self) -> dict[str, str]:
        return {k: v["answer"] for k, v in self.of("answer").items() if v.get("answer")}

    @property
    def auditor_answers(self) -> dict[str, str]:
        return {k: v["auditor"] for k, v in self.of("answer").items() if v.get("auditor")}

    @property
    def answers(self) -> dict[str, str]:
        """The retained answers: the auditor's assessment when given, else the self-assessment."""
        return {k: v.get("auditor") or v["answer"] for k, v in self.of("answer").items()
                if v.get("auditor") or v.get("answer")}  # fmt: skip

    def score(self) -> GridScore:
        return score_grid(self.grid, self.answers)

    def self_score(self) -> GridScore:
        return score_grid(self.grid, self.self_answers)

    def auditor_score(self) -> GridScore:
        return score_grid(self.grid, self.auditor_answers)

    def progress(self) -> dict[str, float]:
        """Share of each step's work done (for the window's progress bars)."""
        questions = len(self.grid.questions)
        documents = [d for d in self.of("document").values() if "present" in d]
        on_site = sum(1 for k in ("observation", "wristband", "sample") if self.of(k))
        deliverable = sum(1 for k in ("finding", "recommendation", "action") if self.of(k))
        return {"questionnaire": len(self.answers) / questions if questions else 0.0,
                "documents": len(documents) / max(1, len(self.of("document"))),
                "sur_site": on_site / 3, "livrable": deliverable / 3}  # fmt: skip

    def sample_rates(self) -> list[Rate]:
        return rates([d.get("traits", {}) for d in self.of("sample").values()], SAMPLE_TRAITS)

    def inconsistencies(self) -> list[Inconsistency]:
        admissions, wristbands = observation_rates(self)
        return check_consistency(self.grid, self.of("answer"), self.of("document"), admissions, wristbands,
                                 self.grid.targets.get("admission_failure_rate", 0.10))  # fmt: skip

    def chain_gaps(self) -> list[str]:
        return chain_gaps(self.of("finding"), self.of("recommendation"), self.of("action"))

    def completeness(self) -> Completeness:
        sample = self.of("sample")
        checked = sum(1 for s in sample.values() if len(s.get("traits", {})) == len(SAMPLE_TRAITS))
        on_site = sum(1 for k in ("observation", "wristband", "interview") if self.of(k))
        assessed = sum(1 for d in self.of("document").values() if "present" in d)
        return completeness(STEP_LABELS, self.steps, len(self.answers), len(self.grid.questions), assessed,
                            len(self.of("document")), on_site, len(sample), checked, self.chain_gaps())  # fmt: skip


def create_audit(
    db: Database,
    facility: str,
    extraction_id: int | None = None,
    auditors: tuple[str, ...] = (),
    scope: str | None = None,
    grid: str | Path | None = None,
    title: str | None = None,
) -> int:
    grid_obj, grid_data = load_grid(grid)
    with UnitOfWork(db) as uow:
        fac = uow.facilities.by_name(facility)
        if extraction_id is None:
            latest = [e for e in uow.extractions.list(fac.id)]
            extraction_id = latest[-1].id if latest else None
        elif uow.extractions.get(extraction_id).facility_id != fac.id:
            raise IvoError(f"L'extraction {extraction_id} n'appartient pas à {facility}.")
        audit = Audit(facility_id=fac.id, extraction_id=extraction_id, title=title or f"Audit d'identitovigilance — {fac.name}",
                      auditors=list(auditors), scope=scope, grid=grid_data, steps={s: "a_faire" for s in STEPS},
                      started_on=date.today())  # fmt: skip
        uow.session.add(audit)
        uow.session.flush()
        for name in DEFAULT_DOCUMENTS:
            uow.session.add(AuditItem(audit_id=audit.id, kind="document", key=name, data={"name": name}))
        journal.record(
            uow.session, "audit_creation", f"audit:{audit.id}", {"facility_id": fac.id, "grid": grid_obj.id}
        )
        uow.commit()
        return audit.id


def _view(uow: UnitOfWork, audit_id: int) -> AuditView:
    audit = uow.session.get(Audit, audit_id)
    if audit is None:
        raise NotFoundError(f"Audit introuvable : {audit_id}")
    items: dict[str, dict[str, dict[str, Any]]] = {}
    for item in audit_queries.items(uow.session, audit_id):
        items.setdefault(item.kind, {})[item.key] = dict(item.data)
    facility = uow.facilities.get(audit.facility_id)
    return AuditView(audit.id, facility.name, facility.id, audit.extraction_id, audit.title, list(audit.auditors or []),
                     audit.scope, audit.started_on, audit.ended_on, grid_from_data(audit.grid), dict(audit.steps),
                     audit.sample_seed, items, facility.finess)  # fmt: skip


def get_audit(db: Database, audit_id: int) -> AuditView:
    with UnitOfWork(db) as uow:
        return _view(uow, audit_id)


def qualification_target(db: Database, facility: str | None) -> tuple[float, str]:
    """The share of qualified identities the facility aims at, and where it comes from: the grid of
    its latest audit (a regional cell may load a grid with its own `targets`), else the default grid.
    One definition: the audit's proposed findings compare the rate with this grid value, and the
    dashboard draws it as the target line, so the window and the deliverable never disagree."""
    with UnitOfWork(db) as uow:
        latest = audit_queries.latest_audit(uow.session, facility) if facility else None
        if latest is not None:
            grid = grid_from_data(latest.grid)
            return grid.targets["qualification_rate"], f"grille de l'audit n° {latest.id}"
    grid, _ = load_grid()
    return grid.targets["qualification_rate"], "grille d'audit par défaut"


def list_audits(db: Database, facility: str | None = None) -> list[tuple[int, str, str, date | None]]:
    with UnitOfWork(db) as uow:
        facility_id = uow.facilities.by_name(facility).id if facility else None
        return [
            (a.id, uow.facilities.get(a.facility_id).name, a.title, a.started_on)
            for a in audit_queries.audits(uow.session, facility_id)
        ]


def _put(
    uow: UnitOfWork, audit_id: int, kind: str, key: str, data: dict[str, Any], merge: bool = True
) -> None:
    data = json.loads(json.dumps(data, default=str))  # YAML dates and the like, as plain JSON values
    item = audit_queries.item(uow.session, audit_id, kind, key)
    if item is None:
        uow.session.add(AuditItem(audit_id=audit_id, kind=kind, key=key, data=data))
    else:
        item.data = {**item.data, **data} if merge else data
    uow.session.flush()


def _step(uow: UnitOfWork, audit_id: int, step: str, state: str = "en_cours") -> None:
    audit = uow.session.get(Audit, audit_id)
    if audit is None:
        raise NotFoundError(f"Audit introuvable : {audit_id}")
    if audit.steps.get(step) != "termine" or state == "termine":
        audit.steps = {**audit.steps, step: state}


def _fail(exc: ItemError | GridError) -> IvoError:
    return IvoError(str(exc))


def _answer(uow: UnitOfWork, view: AuditView, question_id: str, data: dict[str, Any], where: str) -> None:
    if not view.grid.has_question(question_id):
        raise IvoError(f"{where} : question inconnue « {question_id} » dans la grille {view.grid.id}.")
    previous = view.of("answer").get(question_id, {})
    merged = {**previous, **{k: v for k, v in data.items() if v is not None}}
    for key in ("comment", "evidence"):  # a new self-assessment replaces its notes as given
        if "answer" in data:
            merged[key] = data.get(key)
    _put(uow, view.id, "answer", question_id, {k: v for k, v in merged.items() if v is not None}, merge=False)
    _step(uow, view.id, "questionnaire")


def set_answer(
    db: Database,
    audit_id: int,
    question_id: str,
    answer: str,
    comment: str | None = None,
    evidence: str | None = None,
) -> None:
    """The facility's self-assessment of one question (with its comment and evidence)."""
    if answer not in ANSWERS:
        raise IvoError(f"Réponse inconnue : {answer} (attendu : {', '.join(ANSWERS)}).")
    with UnitOfWork(db) as uow:
        view = _view(uow, audit_id)
        if not view.grid.has_question(question_id):
            raise IvoError(f"Question inconnue dans la grille {view.grid.id} : {question_id}")
        _answer(
            uow, view, question_id, {"answer": answer, "comment": comment, "evidence": evidence}, question_id
        )
        journal.record(
            uow.session, "audit_reponse", f"audit:{audit_id}", {"question": question_id, "answer": answer}
        )
        uow.commit()


def set_auditor_answer(
    db: Database, audit_id: int, question_id: str, answer: str | None, comment: str | None = None
) -> None:
    """The auditor's own assessment of one question, kept beside the self-assessment (None clears it)."""
    if answer is not None and answer not in ANSWERS:
        raise IvoError(f"Réponse inconnue : {answer} (attendu : {', '.join(ANSWERS)}).")
    with UnitOfWork(db) as uow:
        view = _view(uow, audit_id)
        if not view.grid.has_question(question_id):
            raise IvoError(f"Question inconnue dans la grille {view.grid.id} : {question_id}")
        stored = dict(view.of("answer").get(question_id, {}))
        stored.pop("auditor", None)
        if answer is not None:
            stored["auditor"] = answer
        if comment is not None:
            stored["auditor_comment"] = comment or None
        _put(
            uow,
            audit_id,
            "answer",
            question_id,
            {k: v for k, v in stored.items() if v is not None},
            merge=False,
        )
        _step(uow, audit_id, "questionnaire")
        journal.record(uow.session, "audit_evaluation", f"audit:{audit_id}", {"question": question_id})
        uow.commit()


def set_step(db: Database, audit_id: int, step: str, state: str) -> None:
    if step not in STEPS or state not in STATES:
        raise IvoError(f"Étape ou état inconnu : {step} / {state}.")
    with UnitOfWork(db) as uow:
        _step(uow, audit_id, step, state)
        uow.commit()


def _draw(uow: UnitOfWork, view: AuditView, size: int, seed: int | None) -> tuple[list[str], int]:
    """Draw (or re-draw) the sample: the new draw replaces the old one, whose size is returned."""
    if view.extraction_id is None:
        raise IvoError("L'audit n'est rattaché à aucune extraction : importez d'abord la table d'identités.")
    if size <= 0:
        raise IvoError(f"Taille d'échantillon invalide : {size} (attendu un entier positif).")
    seed = view.sample_seed if seed is None and view.sample_seed is not None else seed
    if seed is None:
        seed = int.from_bytes(hashlib.sha256(f"{view.id}-{date.today()}".encode()).digest()[:4], "big")
    items = [
        (ipp, status or "?")
        for ipp, status in identity_queries.ipps_and_statuses(uow.session, view.extraction_id)
    ]
    sample = stratified_sample(items, size, seed)
    strata = dict(items)
    flags = rules_by_ipp(uow.session, view.extraction_id, sample)
    replaced = len(view.of("sample"))
    audit_queries.delete_items(uow.session, view.id, "sample")
    audit = uow.session.get(Audit, view.id)
    assert audit is not None
    audit.sample_seed = seed
    for ipp in sample:
        data: dict[str, Any] = {"ipp": ipp, "stratum": strata[ipp]}
        if ipp in flags:
            data["flags"] = sorted(flags[ipp])
        _put(uow, view.id, "sample", ipp, data)
    _step(uow, view.id, "sur_site")
    journal.record(uow.session, "audit_echantillon", f"audit:{view.id}",
                   {"size": len(sample), "seed": seed, "replaced": replaced})  # fmt: skip
    view.items["sample"] = {ipp: {"ipp": ipp, "stratum": strata[ipp], **({"flags": sorted(flags[ipp])}
                                                                        if ipp in flags else {})} for ipp in sample}  # fmt: skip
    return sample, replaced


def draw_sample(db: Database, audit_id: int, size: int, seed: int | None = None) -> list[str]:
    """A random sample of the audit's extraction, stratified by status; the seed is stored so the
    draw can be reproduced. A new draw replaces the previous sample (and its checks)."""
    with UnitOfWork(db) as uow:
        sample, _ = _draw(uow, _view(uow, audit_id), size, seed)
        uow.commit()
    return sample


def record_sample_check(db: Database, audit_id: int, ipp: str, trait: str, conforming: bool) -> None:
    if trait not in SAMPLE_TRAITS:
        raise IvoError(f"Trait inconnu : {trait} (attendu : {', '.join(SAMPLE_TRAITS)}).")
    with UnitOfWork(db) as uow:
        view = _view(uow, audit_id)
        if ipp not in view.of("sample"):
            raise IvoError(f"L'IPP {ipp} ne fait pas partie de l'échantillon.")
        traits = {**view.of("sample")[ipp].get("traits", {}), trait: bool(conforming)}
        _put(uow, audit_id, "sample", ipp, {"traits": traits})
        uow.commit()


ITEM_STEPS = {"document": "documents", "observation": "sur_site", "wristband": "sur_site", "interview": "sur_site",
              "finding": "livrable", "recommendation": "livrable", "action": "livrable"}  # fmt: skip
# The keys the answers file gives to items listed without one (kept by the window's forms too).
ITEM_KEY_PREFIXES = {"observation": "admission", "wristband": "bracelet", "interview": "entretien",
                     "finding": "finding", "recommendation": "recommendation", "action": "action"}  # fmt: skip


def _item(
    uow: UnitOfWork, audit_id: int, kind: str, key: str, data: dict[str, Any], merge: bool = True
) -> None:
    step = ITEM_STEPS.get(kind)
    if step is None:
        raise IvoError(f"Élément d'audit inconnu : {kind}.")
    _put(uow, audit_id, kind, key, data, merge)
    _step(uow, audit_id, step)
    journal.record(uow.session, f"audit_{kind}", f"audit:{audit_id}", {"key": key[:80]})


def add_item(
    db: Database, audit_id: int, kind: str, key: str, data: dict[str, Any], merge: bool = True
) -> None:
    """Documents, observations, wristband checks, interviews, findings, recommendations, actions."""
    with UnitOfWork(db) as uow:
        _view(uow, audit_id)
        _add(uow, audit_id, kind, key, data, merge)
        uow.commit()


def _add(uow: UnitOfWork, audit_id: int, kind: str, key: str, data: dict[str, Any], merge: bool) -> None:
    if kind not in ITEM_STEPS:
        raise IvoError(f"Élément d'audit inconnu : {kind}.")
    try:
        data = normalise(kind, data, key)
    except ItemError as exc:
        raise _fail(exc) from exc
    _item(uow, audit_id, kind, key, data, merge)


def save_item(db: Database, audit_id: int, kind: str, data: dict[str, Any], key: str | None = None) -> str:
    """Create (`key` None) or update one item from a form; returns its key.

    Fields given as None are removed (an item left « non observé », a document whose presence is not
    known). A document is keyed by its name; its `file`, when it exists, gets its SHA-256 recorded.
    A new item of another kind takes the next free key of its kind (admission-3, finding-2…).
    """
    with UnitOfWork(db) as uow:
        view = _view(uow, audit_id)
        if kind not in ITEM_STEPS:
            raise IvoError(f"Élément d'audit inconnu : {kind}.")
        existing = view.of(kind)
        if key is None:
            if kind == "document":
                key = str(data.get("name") or "").strip()
                if not key:
                    raise IvoError("Le nom du document est obligatoire.")
                if key in existing:
                    raise IvoError(f"Le document « {key} » figure déjà dans la liste.")
            else:
                key = next_item_key(existing, ITEM_KEY_PREFIXES[kind])
        elif key not in existing:
            raise NotFoundError(f"Élément introuvable : {key}")
        merged = {**existing.get(key, {}), **data}
        if kind == "document":
            merged["name"] = key
            if "file" in data:
                merged.pop("sha256", None)  # a new or removed file: the old fingerprint no longer holds
                merged = _with_fingerprint(merged, None)
        _add(uow, audit_id, kind, key, {k: v for k, v in merged.items() if v is not None}, merge=False)
        uow.commit()
    return key


def next_item_key(items: dict[str, Any], prefix: str) -> str:
    n = len(items) + 1
    while f"{prefix}-{n}" in items:
        n += 1
    return f"{prefix}-{n}"


def remove_item(db: Database, audit_id: int, kind: str, key: str) -> None:
    """Drop one item (a finding proposed from the data and not kept, an observation entered twice…)."""
    with UnitOfWork(db) as uow:
        _view(uow, audit_id)
        item = audit_queries.item(uow.session, audit_id, kind, key)
        if item is None:
            raise NotFoundError(f"Élément introuvable : {key}")
        uow.session.delete(item)
        journal.record(uow.session, f"audit_{kind}_suppression", f"audit:{audit_id}", {"key": key[:80]})
        uow.commit()


def _header(
    uow: UnitOfWork,
    audit_id: int,
    auditors: list[str] | None,
    scope: str | None,
    started_on: str | date | None,
    ended_on: str | date | None,
    where: str = "",
) -> None:
    audit = uow.session.get(Audit, audit_id)
    if audit is None:
        raise NotFoundError(f"Audit introuvable : {audit_id}")
    if auditors is not None:
        audit.auditors = [a.strip() for a in auditors if a.strip()]
    if scope is not None:
        audit.scope = scope.strip() or None
    for attr, value in (("started_on", started_on), ("ended_on", ended_on)):
        if value is not None:
            try:
                setattr(audit, attr, parse_day(value, where))
            except ItemError as exc:
                suffix = f" — {where}" if where else ""
                raise IvoError(
                    f"Date invalide : {value} (attendu : JJ/MM/AAAA ou AAAA-MM-JJ){suffix}."
                ) from exc
    if audit.started_on and audit.ended_on and audit.ended_on < audit.started_on:
        raise IvoError("La date de fin précède la date de début de l'audit.")
    journal.record(uow.session, "audit_entete", f"audit:{audit_id}", {})


def set_header(
    db: Database,
    audit_id: int,
    *,
    auditors: list[str] | None = None,
    scope: str | None = None,
    started_on: str | date | None = None,
    ended_on: str | date | None = None,
) -> None:
    """Auditors, scope and dates (None: unchanged; an empty scope or date clears it)."""
    with UnitOfWork(db) as uow:
        _header(uow, audit_id, auditors, scope, started_on, ended_on)
        uow.commit()


def set_context(db: Database, audit_id: int, context: dict[str, Any]) -> None:
    """The deliverable's context: mandate, objectives, people met, services visited, limits,
    signatures, the facility's response, the distribution list (see CONTEXT_FIELDS)."""
    try:
        data = _context(context, "Contexte")
    except ItemError as exc:
        raise _fail(exc) from exc
    with UnitOfWork(db) as uow:
        _view(uow, audit_id)
        _put(uow, audit_id, "context", "main", data)
        journal.record(uow.session, "audit_contexte", f"audit:{audit_id}", {"key": "main"})
        uow.commit()


def _context(context: dict[str, Any], where: str) -> dict[str, Any]:
    if not isinstance(context, dict):
        raise ItemError(f"{where} : un objet (clé : valeur) est attendu.")
    unknown = set(context) - set(CONTEXT_FIELDS)
    if unknown:
        raise ItemError(f"{where} : champ inconnu {', '.join(sorted(map(str, unknown)))} "
                        f"(attendu : {', '.join(CONTEXT_FIELDS)}).")  # fmt: skip
    out: dict[str, Any] = {}
    for key, value in context.items():
        if key in LIST_CONTEXT:
            values = value if isinstance(value, list) else [value]
            out[key] = [str(v) if not isinstance(v, dict) else {str(a): str(b) for a, b in v.items()}
                        for v in values if v not in (None, "")]  # fmt: skip
        else:
            out[key] = None if value is None else str(value)
    return out


def _day(value: str | date) -> date | None:
    try:
        return parse_day(value, "Date")
    except ItemError as exc:
        raise IvoError(f"Date invalide : {value} (attendu : JJ/MM/AAAA ou AAAA-MM-JJ).") from exc


def _with_fingerprint(doc: dict[str, Any], base: Path | None) -> dict[str, Any]:
    """A document's `file` (relative to `base` when given) with its SHA-256 when the file is there."""
    doc = dict(doc)
    file = doc.get("file")
    if file:
        path = base / file if base is not None and not Path(file).is_absolute() else Path(file)
        doc["file"] = str(file)
        if path.is_file():
            doc["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return doc


def _propose(uow: UnitOfWork, view: AuditView, indicators: Indicators | None) -> dict[str, int]:
    admissions, wristbands = observation_rates(view)
    proposed = propose_findings(view.grid, view.of("answer"), list(view.of("document").values()),
                                view.sample_rates(), indicators, view.grid.targets, admissions, wristbands,
                                view.inconsistencies())  # fmt: skip
    findings, recommendations, actions = view.of("finding"), view.of("recommendation"), view.of("action")
    base = view.ended_on or date.today()
    added = {"constats": 0, "recommandations": 0, "actions": 0}
    for f in proposed:
        if f.key not in findings:
            data = {"text": f.text, "severity": f.severity, "theme": f.theme, "reference": f.reference,
                    "source": f.source, "evidence": f.evidence, "proposed": True}  # fmt: skip
            _item(uow, view.id, "finding", f.key, data)
            findings[f.key] = data
            added["constats"] += 1
        if findings[f.key].get("severity") not in ("critique", "majeur") or not f.recommendation:
            continue
        linked = [k for k, r in recommendations.items() if r.get("finding") == f.key]
        if not linked:
            rec_key = f"rec-{f.key}"
            rec = {"text": f.recommendation, "finding": f.key, "theme": f.theme,
                   "priority": 1 if f.severity == "critique" else 2, "proposed": True}  # fmt: skip
            _item(uow, view.id, "recommendation", rec_key, rec)
            recommendations[rec_key] = rec
            linked = [rec_key]
            added["recommandations"] += 1
        for rec_key in linked:
            if any(a.get("recommendation") == rec_key for a in actions.values()):
                continue
            due = base + timedelta(days=DELAYS.get(f.severity, 180))
            action = {"action": f.action or str(recommendations[rec_key].get("text")), "owner": f.owner,
                      "due": due.isoformat(), "follow_up": (base + (due - base) / 2).isoformat(),
                      "indicator": f.indicator, "status": "a_lancer", "recommendation": rec_key,
                      "priority": recommendations[rec_key].get("priority") or 2, "proposed": True}  # fmt: skip
            _item(uow, view.id, "action", f"act-{rec_key}", action)
            actions[f"act-{rec_key}"] = action
            added["actions"] += 1
    return added


def propose(db: Database, audit_id: int) -> int:
    """Add the findings the data suggest, each critical or major one with a recommendation and an
    action (kept once; the auditor edits or removes them). Returns the number of findings added."""
    view = get_audit(db, audit_id)
    indicators = compute_indicators(db, view.extraction_id) if view.extraction_id else None
    with UnitOfWork(db) as uow:
        added = _propose(uow, _view(uow, audit_id), indicators)
        uow.commit()
    return added["constats"]


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text: a day is checked by `parse_day`, whose message names the
    line, instead of failing inside the YAML parser (2026-02-31)."""


_Loader.yaml_implicit_resolvers = {
    key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


SECTIONS = ("audit", "context", "questionnaire", "documents", "on_site", "findings", "recommendations",
            "actions", "propose_findings", "steps")  # fmt: skip


def _lines(text: str) -> dict[tuple[Any, ...], int]:
    """Line number (1-based) of each value of a YAML/JSON document, by its path."""
    out: dict[tuple[Any, ...], int] = {}

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        out[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                out[(*path, key.value)] = key.start_mark.line + 1
                walk(value, (*path, key.value))
                out[(*path, key.value)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for n, value in enumerate(node.value, start=1):
                walk(value, (*path, n))

    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return out
    if root is not None:
        walk(root, ())
    return out


def apply_answers_file(db: Database, audit_id: int, path: Path) -> dict[str, int]:
    """Fill any step from a JSON or YAML file (format: docs/audit-format.md). Returns counts per part.

    The whole file is applied in one transaction: on the first invalid value nothing is recorded and
    the message names the line (and the question or entry)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
        data = json.loads(text) if Path(path).suffix.lower() == ".json" else yaml.load(text, Loader=_Loader)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)  # YAML: a Mark, 0-based; JSON: lineno, 1-based
        lineno = getattr(exc, "lineno", None)
        line = f" (ligne {mark.line + 1})" if mark is not None else (f" (ligne {lineno})" if lineno else "")
        raise IvoError(f"Fichier de réponses illisible : {Path(path).name}{line}.") from exc
    if not isinstance(data, dict):
        raise IvoError("Fichier de réponses invalide : un objet (clé : valeur) est attendu.")
    lines = _lines(text)

    def at(*where: Any) -> str:
        line = lines.get(tuple(where))
        label = {"questionnaire": "question", "documents": "documents n°", "findings": "constats n°",
                 "recommendations": "recommandations n°", "actions": "actions n°"}.get(str(where[0]), where[0])  # fmt: skip
        name = f"{label} {' '.join(str(w) for w in where[1:])}".strip() if len(where) > 1 else str(where[0])
        return f"{Path(path).name}, {name}" + (f" (ligne {line})" if line else "")

    unknown = [k for k in data if k not in SECTIONS]
    if unknown:
        raise IvoError(f"{at(unknown[0])} : rubrique inconnue (attendu : {', '.join(SECTIONS)}).")
    for section in ("questionnaire", "on_site", "audit", "context", "steps"):
        if data.get(section) is not None and not isinstance(data[section], dict):
            raise IvoError(f"{at(section)} : un objet (clé : valeur) est attendu.")
    for section in ("documents", "findings", "recommendations", "actions"):
        if data.get(section) is not None and not isinstance(data[section], list):
            raise IvoError(f"{at(section)} : une liste est attendue.")
    indicators = None
    if data.get("propose_findings"):
        view = get_audit(db, audit_id)
        indicators = compute_indicators(db, view.extraction_id) if view.extraction_id else None
    counts: dict[str, int] = {}
    try:
        with UnitOfWork(db) as uow:
            view = _view(uow, audit_id)
            head = data.get("audit") or {}
            if head:
                _header(uow, audit_id, [str(a) for a in head["auditors"]] if "auditors" in head else None,
                        head.get("scope"), str(head["started_on"]) if head.get("started_on") else None,
                        str(head["ended_on"]) if head.get("ended_on") else None, at("audit"))  # fmt: skip
                view = _view(uow, audit_id)
            if data.get("context"):
                _put(uow, audit_id, "context", "main", _context(data["context"], at("context")))
            questionnaire = data.get("questionnaire") or {}
            for qid, value in questionnaire.items():
                _answer(uow, view, str(qid), normalise_answer(value, at("questionnaire", qid)),
                        at("questionnaire", qid))  # fmt: skip
            counts["questionnaire"] = len(questionnaire)
            for n, doc in enumerate(data.get("documents") or [], start=1):
                doc = normalise("document", _with_fingerprint(dict(doc), Path(path).parent)
                                if isinstance(doc, dict) else doc, at("documents", n))  # fmt: skip
                _item(uow, audit_id, "document", str(doc["name"]), doc)
            counts["documents"] = len(data.get("documents") or [])
            site = data.get("on_site") or {}
            for part, kind in (
                ("admissions", "observation"),
                ("wristbands", "wristband"),
                ("interviews", "interview"),
            ):
                entries = site.get(part) or []
                for n, entry in enumerate(entries, start=1):
                    entry = normalise(kind, entry, at("on_site", part, n))
                    _item(uow, audit_id, kind, f"{ITEM_KEY_PREFIXES[kind]}-{n}", entry)
            sample = site.get("sample") or {}
            if sample.get("size"):
                counts.update(
                    _apply_sample(uow, _view(uow, audit_id), sample, lambda *w: at("on_site", "sample", *w))
                )
            for kind in ("finding", "recommendation", "action"):
                entries = data.get(kind + "s") or []
                for n, entry in enumerate(entries, start=1):
                    entry = normalise(kind, entry, at(kind + "s", n))
                    _item(uow, audit_id, kind, str(entry.pop("key", None) or f"{kind}-{n}"), entry)
                counts[
                    {"finding": "constats", "recommendation": "recommandations", "action": "actions"}[kind]
                ] = len(entries)
            if data.get("propose_findings"):
                added = _propose(uow, _view(uow, audit_id), indicators)
                counts["constats_proposes"] = added["constats"]
                counts["recommandations_proposees"] = added["recommandations"]
                counts["actions_proposees"] = added["actions"]
            _check_links(_view(uow, audit_id), data, at)
            for step, state in (data.get("steps") or {}).items():
                if step not in STEPS or state not in STATES:
                    raise IvoError(f"{at('steps', step)} : étape ou état inconnu « {step} : {state} » "
                                   f"(étapes {', '.join(STEPS)} ; états {', '.join(STATES)}).")  # fmt: skip
                _step(uow, audit_id, step, state)
            uow.commit()
    except ItemError as exc:
        raise _fail(exc) from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise IvoError(
            f"Fichier de réponses invalide : {Path(path).name} ({exc}) ; rien n'a été enregistré."
        ) from exc
    return counts


def _apply_sample(uow: UnitOfWork, view: AuditView, sample: dict[str, Any], at: Any) -> dict[str, int]:
    try:
        size = int(sample["size"])
    except (TypeError, ValueError) as exc:
        raise IvoError(f"{at('size')} : taille invalide « {sample['size']} » (attendu un entier).") from exc
    seed = sample.get("seed")
    if seed is not None and not isinstance(seed, int):
        raise IvoError(f"{at('seed')} : graine invalide « {seed} » (attendu un entier).")
    drawn, replaced = _draw(uow, view, size, seed)
    checks = sample.get("checks") or {}
    for ipp, traits in checks.items():
        if str(ipp) not in drawn:
            raise IvoError(f"{at('checks', ipp)} : l'IPP {ipp} ne fait pas partie de l'échantillon tiré.")
        for trait, value in (traits or {}).items():
            if trait not in SAMPLE_TRAITS:
                raise IvoError(f"{at('checks', ipp, trait)} : trait inconnu « {trait} » "
                               f"(attendu : {', '.join(SAMPLE_TRAITS)}).")  # fmt: skip
            if not isinstance(value, bool):
                raise IvoError(f"{at('checks', ipp, trait)} : « {value} » n'est pas un booléen (true/false).")
    default = sample.get("default_conforming")
    if default is not None and not isinstance(default, bool):
        raise IvoError(f"{at('default_conforming')} : « {default} » n'est pas un booléen (true/false).")
    to_verify = 0
    for ipp in drawn:
        stored = view.of("sample")[ipp]
        entry = checks.get(ipp, checks.get(_int_key(ipp)))
        explicit = {str(k): v for k, v in (entry or {}).items()}
        # A record IVO's own checks flag is never assumed conforming: `default_conforming` fills its
        # traits only once the auditor has looked at it (the record is listed in `checks`).
        looked_at = entry is not None
        fill = default if default is not None and (not stored.get("flags") or looked_at) else None
        traits = {t: explicit.get(t, fill) for t in SAMPLE_TRAITS}
        traits = {t: v for t, v in traits.items() if isinstance(v, bool)}
        if stored.get("flags") and default and len(traits) < len(SAMPLE_TRAITS):
            to_verify += 1
        _put(uow, view.id, "sample", ipp, {"traits": traits})
    counts = {"echantillon": len(drawn)}
    if to_verify:
        counts["echantillon_a_verifier"] = to_verify
    if replaced:
        counts["echantillon_remplace"] = replaced
    return counts


def _int_key(ipp: str) -> Any:
    return int(ipp) if ipp.isdigit() else ipp  # YAML reads an unquoted numeric IPP as an integer


def _check_links(view: AuditView, data: dict[str, Any], at: Any) -> None:
    findings, recs = view.of("finding"), view.of("recommendation")
    for n, entry in enumerate(data.get("recommendations") or [], start=1):
        link = entry.get("finding")
        if link and str(link) not in findings:
            raise IvoError(f"{at('recommendations', n)} : constat lié inconnu « {link} ».")
    for n, entry in enumerate(data.get("actions") or [], start=1):
        link = entry.get("recommendation")
        if link and str(link) not in recs:
            raise IvoError(f"{at('actions', n)} : recommandation liée inconnue « {link} ».")


def audit_status(db: Database, audit_id: int) -> dict[str, Any]:
    view = get_audit(db, audit_id)
    score = view.score()
    done = view.completeness()
    return {
        "audit": view.id, "facility": view.facility, "extraction": view.extraction_id, "title": view.title,
        "steps": {STEP_LABELS[s.step]: {"state": s.state, "progress": round(s.done / s.total, 2) if s.total else 0.0,
                                        "detail": s.detail} for s in done.steps},
        "score": None if score.score is None else round(100 * score.score, 1), "level": score.level,
        "answered": score.answered, "questions": score.total, "complete": done.complete,
        "themes": {t.title: (None if t.score is None else round(100 * t.score, 1)) for t in score.themes},
        "chain_gaps": view.chain_gaps(),
    }  # fmt: skip


ANSWER_COLUMN = 6  # "réponse", 1-based, in the questionnaire workbook


def export_questionnaire_xlsx(db: Database, audit_id: int, out: Path) -> int:
    """The questionnaire as a workbook the facility fills offline: a header and instructions, one row
    per question, a drop-down of the answer labels; only the answer, comment and evidence cells are
    editable. Every text goes through the formula-safe writer's `safe_cell`."""
    from openpyxl import Workbook  # noqa: PLC0415  openpyxl takes 0.6 s to import: only for the workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection  # noqa: PLC0415  as above
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415  as above

    view = get_audit(db, audit_id)
    book = Workbook()
    sheet = book.active
    sheet.title = "Questionnaire"
    intro = [
        f"Questionnaire d'évaluation — {view.facility}",
        f"{view.title} · grille {view.grid.title} (version {view.grid.version})",
        "Instructions : pour chaque question, choisissez une réponse dans la liste de la colonne « réponse » "
        "(Conforme, Partiellement conforme, Non conforme, Non applicable), puis précisez un commentaire et la "
        "preuve (document, date). Ne modifiez ni les identifiants ni les autres colonnes.",
    ]
    for line in intro:
        sheet.append([safe_cell(line)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=8)
    sheet["A3"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[3].height = 45
    header = ["id", "thème", "question", "référence", "critique", "réponse", "commentaire", "preuve"]
    sheet.append(header)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCE6F1")
    answers = view.of("answer")
    for theme in view.grid.themes:
        for q in theme.questions:
            a = answers.get(q.id, {})
            label = ANSWER_LABELS.get(a.get("answer", ""), "")
            sheet.append([safe_cell(v) for v in (q.id, theme.title, q.text, q.reference,
                                                 "oui" if q.critical else "non", label, a.get("comment") or "",
                                                 a.get("evidence") or "")])  # fmt: skip
    last = sheet.max_row
    for row in sheet.iter_rows(min_row=header_row + 1, max_row=last):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if cell.column >= ANSWER_COLUMN:
                cell.protection = Protection(locked=False)
    for letter, width in zip("ABCDEFGH", (8, 24, 60, 28, 9, 24, 40, 28), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    choices = DataValidation(type="list", formula1='"' + ",".join(ANSWER_LABELS.values()) + '"', allow_blank=True,
                             showErrorMessage=True, errorTitle="Réponse",
                             error="Choisissez une réponse dans la liste.")  # fmt: skip
    sheet.add_data_validation(choices)
    choices.add(f"F{header_row + 1}:F{last}")
    sheet.protection.sheet = True  # no password: it guards against slips, not against the facility
    try:
        book.save(out)
    except OSError as exc:
        raise IvoError(f"Écriture impossible : {out}") from exc
    return len(view.grid.questions)


def import_questionnaire_xlsx(db: Database, audit_id: int, path: Path) -> int:
    """Read the filled workbook back; all of it in one transaction, or nothing (message naming the row)."""
    try:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    except (CalamineError, OSError, ValueError) as exc:
        raise IvoError(f"Questionnaire illisible : {path.name}") from exc
    header_at = next((n for n, row in enumerate(rows)
                      if {"id", "réponse"} <= {str(c).strip().lower() for c in row}), None)  # fmt: skip
    if header_at is None:
        raise IvoError("Questionnaire invalide : colonnes « id » et « réponse » attendues.")
    header = [str(c).strip().lower() for c in rows[header_at]]
    col = {name: header.index(name) for name in header if name}
    count = 0
    with UnitOfWork(db) as uow:
        view = _view(uow, audit_id)
        for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
            cell = lambda name, row=row: (  # noqa: E731
                str(row[col[name]]).strip() if name in col and col[name] < len(row) else ""
            )
            answer, qid = cell("réponse"), cell("id")
            if not answer:
                continue
            where = f"{path.name}, ligne {number}" + (f" (question {qid})" if qid else "")
            if not qid:
                raise IvoError(f"{where} : identifiant de question manquant.")
            try:
                data = normalise_answer({"answer": answer, "comment": cell("commentaire") or None,
                                         "evidence": cell("preuve") or None}, where)  # fmt: skip
            except ItemError as exc:
                raise _fail(exc) from exc
            _answer(uow, view, qid, data, where)
            count += 1
        journal.record(uow.session, "audit_questionnaire_import", f"audit:{audit_id}", {"answers": count})
        uow.commit()
    return count


def observation_rates(view: AuditView) -> tuple[list[Rate], list[Rate]]:
    admissions = [dict(d.get("items", d)) for d in view.of("observation").values()]
    return rates(admissions, OBSERVATION_ITEMS), rates(list(view.of("wristband").values()), WRISTBAND_ITEMS)
