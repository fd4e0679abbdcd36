"""Repositories of the core aggregates. Services talk to these, widgets never touch the ORM."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, func, insert, select
from sqlalchemy.orm import Session

from ivo_app.errors import IvoError, NotFoundError
from ivo_app.store.models import Extraction, Facility, Identity, ImportRejection, Setting
from ivo_app.store.models.rules import CheckRun


class FacilityRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_or_create(self, name: str, finess: str | None = None) -> Facility:
        name = " ".join(name.split())
        facility = self.session.scalar(select(Facility).where(Facility.name == name))
        if facility is None:
            facility = Facility(name=name, finess=finess)
            self.session.add(facility)
            self.session.flush()
        elif finess and not facility.finess:
            facility.finess = finess
        return facility

    def by_name(self, name: str) -> Facility:
        facility = self.session.scalar(select(Facility).where(Facility.name == name))
        if facility is None:
            raise NotFoundError(f"Établissement inconnu : {name}")
        return facility

    def get(self, facility_id: int) -> Facility:
        facility = self.session.get(Facility, facility_id)
        if facility is None:
            raise NotFoundError(f"Établissement introuvable : {facility_id}")
        return facility

    def list(self) -> Sequence[Facility]:
        return self.session.scalars(select(Facility).order_by(Facility.name)).all()

    def find(self, name: str) -> Facility | None:
        """The facility of that name, or None (not imported yet)."""
        return self.session.scalar(select(Facility).where(Facility.name == name))


class ExtractionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, extraction_id: int) -> Extraction:
        extraction = self.session.get(Extraction, extraction_id)
        if extraction is None:
            raise NotFoundError(f"Extraction introuvable : {extraction_id}")
        return extraction

    def latest(self, facility_id: int | None = None) -> Extraction:
        """The most recent extraction (of a facility, or of all)."""
        query = select(Extraction).order_by(Extraction.id.desc()).limit(1)
        if facility_id is not None:
            query = query.where(Extraction.facility_id == facility_id)
        extraction = self.session.scalar(query)
        if extraction is None:
            raise NotFoundError("Aucune extraction dans la base : importez d'abord un fichier (ivo import).")
        return extraction

    def resolve(self, extraction_id: int | None, facility: str | None = None) -> Extraction:
        """The given extraction, or the most recent one of the facility when None (the CLI's default).

        "Most recent" is per facility: with no facility named, a base holding the extractions of
        several facilities is refused rather than giving whichever facility was imported last."""
        if extraction_id is not None:
            extraction = self.get(extraction_id)
            if facility is not None and extraction.facility.name != " ".join(facility.split()):
                raise IvoError(f"L'extraction {extraction_id} n'appartient pas à l'établissement {facility}.")
            return extraction
        if facility is not None:
            fac = FacilityRepository(self.session).by_name(" ".join(facility.split()))
            try:
                return self.latest(fac.id)
            except NotFoundError:
                raise NotFoundError(f"Aucune extraction de l'établissement {fac.name}.") from None
        names = self.session.scalars(
            select(Facility.name)
            .where(Facility.id.in_(select(Extraction.facility_id)))
            .order_by(Facility.name)
        ).all()
        if len(names) > 1:
            shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
            raise IvoError(
                f"La base contient les extractions de {len(names)} établissements ({shown}) : précisez "
                "l'établissement (--etablissement NOM, sa dernière extraction) ou l'extraction (--extraction ID)."
            )
        return self.latest()

    def previous(self, extraction: Extraction) -> Extraction | None:
        """The extraction of the same facility loaded just before this one (for trends)."""
        return self.session.scalar(
            select(Extraction)
            .where(Extraction.facility_id == extraction.facility_id, Extraction.id < extraction.id)
            .order_by(Extraction.id.desc())
            .limit(1)
        )

    def list(self, facility_id: int | None = None) -> Sequence[Extraction]:
        query = select(Extraction).order_by(Extraction.id)
        if facility_id is not None:
            query = query.where(Extraction.facility_id == facility_id)
        return self.session.scalars(query).all()

    def rejections(self, extraction_id: int) -> Sequence[ImportRejection]:
        return self.session.scalars(
            select(ImportRejection)
            .where(ImportRejection.extraction_id == extraction_id)
            .order_by(ImportRejection.line_no)
        ).all()

    def delete(self, extraction: Extraction) -> None:
        self.session.delete(extraction)

    def delete_rows(self, extraction_id: int) -> None:
        """Delete the extraction in one statement: the database cascades to its identities, findings
        and pairs (the ORM would load them all first)."""
        self.session.execute(delete(Extraction).where(Extraction.id == extraction_id))


class IdentityRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def count(self, extraction_id: int) -> int:
        return int(
            self.session.scalar(
                select(func.count()).select_from(Identity).where(Identity.extraction_id == extraction_id)
            )
            or 0
        )

    def by_ipp(self, extraction_id: int, ipp: str) -> Identity:
        identity = self.session.scalar(
            select(Identity).where(Identity.extraction_id == extraction_id, Identity.ipp == ipp)
        )
        if identity is None:
            raise NotFoundError(f"IPP introuvable dans l'extraction {extraction_id} : {ipp}")
        return identity

    def iter_batches(self, extraction_id: int, batch_size: int = 20_000) -> Iterator[list[Identity]]:
        """All identities of an extraction in id order, a batch at a time (keyset pagination)."""
        last_id = 0
        while True:
            batch = list(
                self.session.scalars(
                    select(Identity)
                    .where(Identity.extraction_id == extraction_id, Identity.id > last_id)
                    .order_by(Identity.id)
                    .limit(batch_size)
                )
            )
            if not batch:
                return
            yield batch
            last_id = batch[-1].id
            self.session.expunge_all()  # keep memory flat on million-row tables


class SettingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str, facility_id: int | None = None, default: Any = None) -> Any:
        row = self.session.scalar(
            select(Setting).where(Setting.key == key, Setting.facility_id.is_(facility_id))
            if facility_id is None
            else select(Setting).where(Setting.key == key, Setting.facility_id == facility_id)
        )
        return default if row is None else row.value

    def set(self, key: str, value: Any, facility_id: int | None = None) -> None:
        query = select(Setting).where(Setting.key == key)
        query = (
            query.where(Setting.facility_id.is_(None))
            if facility_id is None
            else query.where(Setting.facility_id == facility_id)
        )
        row = self.session.scalar(query)
        if row is None:
            self.session.add(Setting(key=key, value=value, facility_id=facility_id))
        else:
            row.value = value

    def with_prefix(self, prefix: str, facility_id: int | None, *, own_only: bool = False) -> dict[str, str]:
        """key (without prefix) → value of the rows whose key starts with `prefix`, the facility's rows
        overriding the shared ones (facility NULL); `own_only`: the rows of that one scope."""
        scope = (
            _scope(facility_id)
            if own_only
            else (Setting.facility_id.is_(None) | (Setting.facility_id == facility_id))
        )
        rows = self.session.scalars(
            select(Setting).where(Setting.key.startswith(prefix, autoescape=True), scope)
        ).all()
        values: dict[str, str] = {}
        for row in sorted(rows, key=lambda r: r.facility_id is not None):  # facility rows last: they win
            if row.value is not None:
                values[row.key[len(prefix) :]] = str(row.value)
        return values

    def replace_prefix(self, prefix: str, facility_id: int | None, values: dict[str, str]) -> None:
        """The rows of `prefix` of one scope (a facility, or NULL: all) become `values`."""
        self.session.execute(
            delete(Setting).where(Setting.key.startswith(prefix, autoescape=True), _scope(facility_id))
        )
        for key, value in values.items():
            self.session.add(Setting(key=prefix + key, facility_id=facility_id, value=value))


def _scope(facility_id: int | None) -> ColumnElement[bool]:
    return Setting.facility_id.is_(None) if facility_id is None else Setting.facility_id == facility_id


class CheckRunRepository:
    """The runs of the rules (`check_run`): "was it checked?" is a row, never a journal entry.
    Works on a session or on the connection of a bulk write (the check writes through one)."""

    def __init__(self, bind: Session | Connection) -> None:
        self.bind = bind

    def add(
        self,
        extraction_id: int,
        *,
        started_at: datetime,
        ended_at: datetime,
        seconds: float,
        rules_version: str,
        settings_hash: str,
        identities: int,
        by_severity: dict[str, int],
    ) -> None:
        self.bind.execute(
            insert(CheckRun).values(
                extraction_id=extraction_id,
                started_at=started_at,
                ended_at=ended_at,
                seconds=seconds,
                rules_version=rules_version,
                settings_hash=settings_hash,
                identities=identities,
                findings=sum(by_severity.values()),
                by_severity=by_severity,
            )
        )

    def latest(self, extraction_id: int) -> CheckRun | None:
        """The last check of the extraction (a detached row: its columns, not the ORM object's life)."""
        row = self.bind.execute(
            select(CheckRun.__table__)
            .where(CheckRun.extraction_id == extraction_id)
            .order_by(CheckRun.id.desc())
            .limit(1)
        ).first()
        return None if row is None else CheckRun(**row._asdict())

    def checked(self, extraction_ids: Iterable[int]) -> set[int]:
        """Those of the extractions the rules ran on (one query)."""
        ids = list(extraction_ids)
        if not ids:
            return set()
        query = select(CheckRun.extraction_id).where(CheckRun.extraction_id.in_(ids)).distinct()
        return set(self.bind.execute(query).scalars())

    def is_checked(self, extraction_id: int) -> bool:
        return bool(self.checked([extraction_id]))
