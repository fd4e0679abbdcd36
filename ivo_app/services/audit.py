"""IVO3 audit use cases: create, fill the four steps (window, answers file, XLSX questionnaire), status.

Step 1 questionnaire · step 2 documents · step 3 on site (admission observations, wristbands,
interviews, record sample) · step 4 deliverable (findings, recommendations, action plan).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from ivo_app import paths
from ivo_app.audit.grid import ANSWER_LABELS, ANSWERS, Grid, GridError, grid_from_data
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
from ivo_app.store import journal
from ivo_app.store.db import Database
from ivo_app.store.models import Identity
from ivo_app.store.models.audit import Audit, AuditItem
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
TARGETS = {"qualification_rate": 80.0, "duplicate_rate": 0.5, "sample_error_rate": 0.02}


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

    def of(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.items.get(kind, {})

    @property
    def answers(self) -> dict[str, str]:
        return {k: v["answer"] for k, v in self.of("answer").items()}

    def score(self) -> GridScore:
        return score_grid(self.grid, self.answers)

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


def get_audit(db: Database, audit_id: int) -> AuditView:
    with UnitOfWork(db) as uow:
        audit = uow.session.get(Audit, audit_id)
        if audit is None:
            raise NotFoundError(f"Audit introuvable : {audit_id}")
        items: dict[str, dict[str, dict[str, Any]]] = {}
        for item in uow.session.scalars(
            select(AuditItem).where(AuditItem.audit_id == audit_id).order_by(AuditItem.id)
        ):
            items.setdefault(item.kind, {})[item.key] = dict(item.data)
        facility = uow.facilities.get(audit.facility_id)
        return AuditView(audit.id, facility.name, facility.id, audit.extraction_id, audit.title, list(audit.auditors or []),
                         audit.scope, audit.started_on, audit.ended_on, grid_from_data(audit.grid), dict(audit.steps),
                         audit.sample_seed, items)  # fmt: skip


def list_audits(db: Database, facility: str | None = None) -> list[tuple[int, str, str, date | None]]:
    with UnitOfWork(db) as uow:
        query = select(Audit).order_by(Audit.id)
        if facility:
            query = query.where(Audit.facility_id == uow.facilities.by_name(facility).id)
        return [
            (a.id, uow.facilities.get(a.facility_id).name, a.title, a.started_on)
            for a in uow.session.scalars(query)
        ]


def _put(
    uow: UnitOfWork, audit_id: int, kind: str, key: str, data: dict[str, Any], merge: bool = True
) -> None:
    data = json.loads(json.dumps(data, default=str))  # YAML dates and the like, as plain JSON values
    item = uow.session.scalar(
        select(AuditItem).where(AuditItem.audit_id == audit_id, AuditItem.kind == kind, AuditItem.key == key)
    )
    if item is None:
        uow.session.add(AuditItem(audit_id=audit_id, kind=kind, key=key, data=data))
    else:
        item.data = {**item.data, **data} if merge else data


def _step(uow: UnitOfWork, audit_id: int, step: str, state: str = "en_cours") -> None:
    audit = uow.session.get(Audit, audit_id)
    if audit is None:
        raise NotFoundError(f"Audit introuvable : {audit_id}")
    if audit.steps.get(step) != "termine" or state == "termine":
        audit.steps = {**audit.steps, step: state}


def set_answer(
    db: Database,
    audit_id: int,
    question_id: str,
    answer: str,
    comment: str | None = None,
    evidence: str | None = None,
) -> None:
    view = get_audit(db, audit_id)
    view.grid.question(question_id)  # raises on an unknown question
    if answer not in ANSWERS:
        raise IvoError(f"Réponse inconnue : {answer} (attendu : {', '.join(ANSWERS)}).")
    with UnitOfWork(db) as uow:
        _put(
            uow,
            audit_id,
            "answer",
            question_id,
            {"answer": answer, "comment": comment, "evidence": evidence},
            merge=False,
        )
        _step(uow, audit_id, "questionnaire")
        journal.record(
            uow.session, "audit_reponse", f"audit:{audit_id}", {"question": question_id, "answer": answer}
        )
        uow.commit()


def set_step(db: Database, audit_id: int, step: str, state: str) -> None:
    if step not in STEPS or state not in STATES:
        raise IvoError(f"Étape ou état inconnu : {step} / {state}.")
    with UnitOfWork(db) as uow:
        _step(uow, audit_id, step, state)
        uow.commit()


def draw_sample(db: Database, audit_id: int, size: int, seed: int | None = None) -> list[str]:
    """A random sample of the audit's extraction, stratified by status; the seed is stored so the
    draw can be reproduced."""
    view = get_audit(db, audit_id)
    if view.extraction_id is None:
        raise IvoError("L'audit n'est rattaché à aucune extraction : importez d'abord la table d'identités.")
    seed = view.sample_seed if seed is None and view.sample_seed is not None else seed
    if seed is None:
        seed = int.from_bytes(hashlib.sha256(f"{audit_id}-{date.today()}".encode()).digest()[:4], "big")
    with UnitOfWork(db) as uow:
        items = [
            (ipp, status or "?")
            for ipp, status in uow.session.execute(
                select(Identity.ipp, Identity.status).where(Identity.extraction_id == view.extraction_id)
            )
        ]
        sample = stratified_sample(items, size, seed)
        strata = dict(items)
        audit = uow.session.get(Audit, audit_id)
        assert audit is not None
        audit.sample_seed = seed
        for ipp in sample:
            _put(uow, audit_id, "sample", ipp, {"ipp": ipp, "stratum": strata[ipp]})
        _step(uow, audit_id, "sur_site")
        journal.record(
            uow.session, "audit_echantillon", f"audit:{audit_id}", {"size": len(sample), "seed": seed}
        )
        uow.commit()
    return sample


def record_sample_check(db: Database, audit_id: int, ipp: str, trait: str, conforming: bool) -> None:
    if trait not in SAMPLE_TRAITS:
        raise IvoError(f"Trait inconnu : {trait} (attendu : {', '.join(SAMPLE_TRAITS)}).")
    view = get_audit(db, audit_id)
    if ipp not in view.of("sample"):
        raise IvoError(f"L'IPP {ipp} ne fait pas partie de l'échantillon.")
    traits = {**view.of("sample")[ipp].get("traits", {}), trait: bool(conforming)}
    with UnitOfWork(db) as uow:
        _put(uow, audit_id, "sample", ipp, {"traits": traits})
        uow.commit()


ITEM_STEPS = {"document": "documents", "observation": "sur_site", "wristband": "sur_site", "interview": "sur_site",
              "finding": "livrable", "recommendation": "livrable", "action": "livrable"}  # fmt: skip
# The keys the answers file gives to items listed without one (kept by the window's forms too).
ITEM_KEY_PREFIXES = {"observation": "admission", "wristband": "bracelet", "interview": "entretien",
                     "finding": "finding", "recommendation": "recommendation", "action": "action"}  # fmt: skip


def add_item(
    db: Database, audit_id: int, kind: str, key: str, data: dict[str, Any], merge: bool = True
) -> None:
    """Documents, observations, wristband checks, interviews, findings, recommendations, actions."""
    step = ITEM_STEPS.get(kind)
    if step is None:
        raise IvoError(f"Élément d'audit inconnu : {kind}.")
    get_audit(db, audit_id)
    with UnitOfWork(db) as uow:
        _put(uow, audit_id, kind, key, data, merge)
        _step(uow, audit_id, step)
        journal.record(uow.session, f"audit_{kind}", f"audit:{audit_id}", {"key": key[:80]})
        uow.commit()


def save_item(db: Database, audit_id: int, kind: str, data: dict[str, Any], key: str | None = None) -> str:
    """Create (`key` None) or update one item from a form; returns its key.

    Fields given as None are removed (an item left « non observé », a document whose presence is not
    known). A document is keyed by its name; its `file`, when it exists, gets its SHA-256 recorded.
    A new item of another kind takes the next free key of its kind (admission-3, finding-2…).
    """
    view = get_audit(db, audit_id)
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
    add_item(db, audit_id, kind, key, {k: v for k, v in merged.items() if v is not None}, merge=False)
    return key


def next_item_key(items: dict[str, Any], prefix: str) -> str:
    n = len(items) + 1
    while f"{prefix}-{n}" in items:
        n += 1
    return f"{prefix}-{n}"


def remove_item(db: Database, audit_id: int, kind: str, key: str) -> None:
    """Drop one item (a finding proposed from the data and not kept, an observation entered twice…)."""
    get_audit(db, audit_id)
    with UnitOfWork(db) as uow:
        item = uow.session.scalar(
            select(AuditItem).where(
                AuditItem.audit_id == audit_id, AuditItem.kind == kind, AuditItem.key == key
            )
        )
        if item is None:
            raise NotFoundError(f"Élément introuvable : {key}")
        uow.session.delete(item)
        journal.record(uow.session, f"audit_{kind}_suppression", f"audit:{audit_id}", {"key": key[:80]})
        uow.commit()


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
        audit = uow.session.get(Audit, audit_id)
        if audit is None:
            raise NotFoundError(f"Audit introuvable : {audit_id}")
        if auditors is not None:
            audit.auditors = [a.strip() for a in auditors if a.strip()]
        if scope is not None:
            audit.scope = scope.strip() or None
        for attr, value in (("started_on", started_on), ("ended_on", ended_on)):
            if value is not None:
                setattr(audit, attr, _day(value))
        if audit.started_on and audit.ended_on and audit.ended_on < audit.started_on:
            raise IvoError("La date de fin précède la date de début de l'audit.")
        journal.record(uow.session, "audit_entete", f"audit:{audit_id}", {})
        uow.commit()


def _day(value: str | date) -> date | None:
    if isinstance(value, date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        try:
            return datetime.strptime(text, "%d/%m/%Y").date()
        except ValueError as exc:
            raise IvoError(f"Date invalide : {text} (attendu : JJ/MM/AAAA ou AAAA-MM-JJ).") from exc


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


def propose(db: Database, audit_id: int) -> int:
    """Add the findings the data suggest (kept once; the auditor edits or removes them)."""
    from ivo_app.services.indicators import compute_indicators

    view = get_audit(db, audit_id)
    indicators = compute_indicators(db, view.extraction_id) if view.extraction_id else None
    proposed = propose_findings(
        view.grid,
        view.score(),
        view.answers,
        list(view.of("document").values()),
        view.sample_rates(),
        indicators,
        TARGETS,
    )
    new = [f for f in proposed if f.key not in view.of("finding")]
    for f in new:
        add_item(
            db,
            audit_id,
            "finding",
            f.key,
            {
                "text": f.text,
                "severity": f.severity,
                "theme": f.theme,
                "reference": f.reference,
                "source": "proposé",
            },
        )
    return len(new)


def apply_answers_file(db: Database, audit_id: int, path: Path) -> dict[str, int]:
    """Fill any step from a JSON or YAML file (format: docs/audit-format.md). Returns counts per part."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
        data = json.loads(text) if Path(path).suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
        raise IvoError(f"Fichier de réponses illisible : {path}") from exc
    if not isinstance(data, dict):
        raise IvoError("Fichier de réponses invalide : un objet (clé : valeur) est attendu.")
    counts: dict[str, int] = {}
    head = data.get("audit", {})
    if head:
        set_header(
            db,
            audit_id,
            auditors=[str(a) for a in head["auditors"]] if "auditors" in head else None,
            scope=head.get("scope"),
            started_on=str(head["started_on"]) if head.get("started_on") else None,
            ended_on=str(head["ended_on"]) if head.get("ended_on") else None,
        )
    for qid, value in (data.get("questionnaire") or {}).items():
        value = value if isinstance(value, dict) else {"answer": value}
        set_answer(
            db, audit_id, str(qid), str(value.get("answer")), value.get("comment"), value.get("evidence")
        )
    counts["questionnaire"] = len(data.get("questionnaire") or {})
    for doc in data.get("documents") or []:
        doc = _with_fingerprint(dict(doc), Path(path).parent)
        add_item(db, audit_id, "document", str(doc["name"]), doc)
    counts["documents"] = len(data.get("documents") or [])
    site = data.get("on_site") or {}
    for n, obs in enumerate(site.get("admissions") or [], start=1):
        add_item(db, audit_id, "observation", f"admission-{n}", dict(obs))
    for n, band in enumerate(site.get("wristbands") or [], start=1):
        add_item(db, audit_id, "wristband", f"bracelet-{n}", dict(band))
    for n, interview in enumerate(site.get("interviews") or [], start=1):
        add_item(db, audit_id, "interview", f"entretien-{n}", dict(interview))
    sample = site.get("sample") or {}
    if sample.get("size"):
        drawn = draw_sample(db, audit_id, int(sample["size"]), sample.get("seed"))
        checks = sample.get("checks") or {}
        default = sample.get("default_conforming")
        for ipp in drawn:
            for trait in SAMPLE_TRAITS:
                value = (checks.get(ipp) or {}).get(trait, default)
                if isinstance(value, bool):
                    record_sample_check(db, audit_id, ipp, trait, value)
        counts["echantillon"] = len(drawn)
    for kind in ("finding", "recommendation", "action"):
        entries = data.get(kind + "s") or []
        for n, entry in enumerate(entries, start=1):
            add_item(db, audit_id, kind, str(entry.get("key") or f"{kind}-{n}"), dict(entry))
        counts[kind + "s"] = len(entries)
    if data.get("propose_findings"):
        counts["constats_proposes"] = propose(db, audit_id)
    for step, state in (data.get("steps") or {}).items():
        set_step(db, audit_id, step, state)
    return counts


def audit_status(db: Database, audit_id: int) -> dict[str, Any]:
    view = get_audit(db, audit_id)
    score = view.score()
    return {
        "audit": view.id, "facility": view.facility, "extraction": view.extraction_id, "title": view.title,
        "steps": {STEP_LABELS[s]: {"state": view.steps.get(s, "a_faire"), "progress": round(p, 2)}
                  for s, p in view.progress().items()},
        "score": None if score.score is None else round(100 * score.score, 1), "level": score.level,
        "themes": {t.title: (None if t.score is None else round(100 * t.score, 1)) for t in score.themes},
    }  # fmt: skip


def export_questionnaire_xlsx(db: Database, audit_id: int, out: Path) -> int:
    """The questionnaire as a workbook the facility fills offline (column « réponse »)."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    view = get_audit(db, audit_id)
    book = Workbook()
    sheet = book.active
    sheet.title = "Questionnaire"
    sheet.append(["id", "thème", "question", "référence", "critique", "réponse", "commentaire", "preuve"])
    answers = view.of("answer")
    for theme in view.grid.themes:
        for q in theme.questions:
            a = answers.get(q.id, {})
            sheet.append([q.id, theme.title, q.text, q.reference, "oui" if q.critical else "non",
                          a.get("answer", ""), a.get("comment") or "", a.get("evidence") or ""])  # fmt: skip
    choices = DataValidation(type="list", formula1=f'"{",".join(ANSWERS)}"', allow_blank=True)
    sheet.add_data_validation(choices)
    choices.add(f"F2:F{sheet.max_row}")
    try:
        book.save(out)
    except OSError as exc:
        raise IvoError(f"Écriture impossible : {out}") from exc
    return len(view.grid.questions)


def import_questionnaire_xlsx(db: Database, audit_id: int, path: Path) -> int:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    except (CalamineError, OSError, ValueError) as exc:
        raise IvoError(f"Questionnaire illisible : {path.name}") from exc
    header = [str(c).strip().lower() for c in rows[0]] if rows else []
    if not {"id", "réponse"} <= set(header):
        raise IvoError("Questionnaire invalide : colonnes « id » et « réponse » attendues.")
    col = {name: header.index(name) for name in header}
    labels = {v.lower(): k for k, v in ANSWER_LABELS.items()}
    count = 0
    for row in rows[1:]:
        answer = str(row[col["réponse"]]).strip()
        if not answer:
            continue
        answer = labels.get(answer.lower(), answer.lower().replace(" ", "_"))
        comment = str(row[col["commentaire"]]).strip() if "commentaire" in col else ""
        evidence = str(row[col["preuve"]]).strip() if "preuve" in col else ""
        set_answer(db, audit_id, str(row[col["id"]]).strip(), answer, comment or None, evidence or None)
        count += 1
    return count


def observation_rates(view: AuditView) -> tuple[list[Rate], list[Rate]]:
    admissions = [dict(d.get("items", d)) for d in view.of("observation").values()]
    return rates(admissions, OBSERVATION_ITEMS), rates(list(view.of("wristband").values()), WRISTBAND_ITEMS)
