"""Facilities, extractions and the identities they hold (issue: identity store)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    func,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from ivo_app.identity import NORMALISED
from ivo_app.store.models.base import Base, JsonType, utcnow


class Facility(Base):
    """A healthcare facility (établissement) whose identity tables are loaded."""

    __tablename__ = "facility"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    finess: Mapped[str | None] = mapped_column(String(9))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    extractions: Mapped[list[Extraction]] = relationship(
        back_populates="facility", cascade="all, delete-orphan", order_by="Extraction.id"
    )


class Extraction(Base):
    """One load of a facility's identity table, kept whole so two audits can be compared."""

    __tablename__ = "extraction"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="CASCADE"), index=True)
    extracted_on: Mapped[date] = mapped_column(Date)
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    source_file: Mapped[str] = mapped_column(String(500))
    source_sha256: Mapped[str] = mapped_column(String(64))
    source_format: Mapped[str] = mapped_column(String(20))
    encoding: Mapped[str | None] = mapped_column(String(30))
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    # The column and status mappings used, so the import can be explained and replayed.
    mapping: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    facility: Mapped[Facility] = relationship(back_populates="extractions")


class Identity(Base):
    """One identity record (one IPP) of an extraction, traits as imported plus a normalised shadow.

    Trait columns keep the value as found (after trimming) so the rules can flag bad formats;
    typed columns (`birth_date`) are filled only when the value parses.
    """

    __tablename__ = "identity"
    __table_args__ = (UniqueConstraint("extraction_id", "ipp"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No index of its own: the unique (extraction_id, ipp) index serves lookups by extraction, and
    # every secondary index multiplies the cost of million-row imports. Matching keys live in the
    # duplicate engine's own indexed tables.
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extraction.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    ipp: Mapped[str] = mapped_column(String(64))
    # Strict traits (traits stricts).
    birth_name: Mapped[str | None] = mapped_column(String(255))
    first_names: Mapped[str | None] = mapped_column(String(255))
    first_first_name: Mapped[str | None] = mapped_column(String(255))
    birth_date: Mapped[date | None] = mapped_column(Date)
    birth_date_raw: Mapped[str | None] = mapped_column(String(40))  # only when it did not parse
    sex: Mapped[str | None] = mapped_column(String(10))
    birthplace: Mapped[str | None] = mapped_column(String(20))
    # Complementary traits.
    used_name: Mapped[str | None] = mapped_column(String(255))
    used_first_name: Mapped[str | None] = mapped_column(String(255))
    # INS.
    ins_matricule: Mapped[str | None] = mapped_column(String(40))
    ins_oid: Mapped[str | None] = mapped_column(String(64))
    # Status and attributes after the import's status mapping; `status_source` keeps the raw value.
    status: Mapped[str | None] = mapped_column(String(20))
    status_source: Mapped[str | None] = mapped_column(String(40))
    attributes: Mapped[str | None] = mapped_column(String(100))  # canonical, comma separated
    document_type: Mapped[str | None] = mapped_column(String(20))
    last_visit: Mapped[date | None] = mapped_column(Date)
    birth_date_completed: Mapped[bool | None] = mapped_column(Boolean)  # flag column if present
    extra: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    # Normalised shadow for matching and searching (see ivo_app.rules.normalize), held only where the
    # normal form differs from the name ("" when it has none, NULL when the name is its own normal
    # form, as nearly all are): read through `normal_form` (services.records.stored_norm writes it).
    birth_name_norm: Mapped[str | None] = mapped_column(String(255))
    first_first_name_norm: Mapped[str | None] = mapped_column(String(255))
    first_names_norm: Mapped[str | None] = mapped_column(String(255))
    used_name_norm: Mapped[str | None] = mapped_column(String(255))


def normal_form_sql(name: str, empty_as_null: bool = False) -> str:
    """SQL of the normal form of the name column `name` (birth_name...): its `*_norm` column where
    the import stored one, else the name itself (NULL for a name without one, with `empty_as_null`)."""
    sql = f"COALESCE({NORMALISED[name]}, {name})"
    return f"NULLIF({sql}, '')" if empty_as_null else sql


def normal_form(name: str) -> ColumnElement[str | None]:
    """`normal_form_sql` as a SQLAlchemy expression over `Identity`."""
    return func.coalesce(getattr(Identity, NORMALISED[name]), getattr(Identity, name))


def normal_form_where(
    name: str, test: Callable[[ColumnElement[str | None]], ColumnElement[bool]]
) -> ColumnElement[bool]:
    """`test` applied to the normal form of the name column `name`, written for a scan: the two
    columns tested as they are (a COALESCE per row made the desk search's scan of a million
    identities half as slow again). A name without a stored form is its own normal form."""
    norm, raw = getattr(Identity, NORMALISED[name]), getattr(Identity, name)
    return or_(test(norm), and_(norm.is_(None), test(raw)))


class ImportRejection(Base):
    """A source row that could not become an identity, with its line number and reason."""

    __tablename__ = "import_rejection"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extraction.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(40))  # machine code, French text from the catalogue
    detail: Mapped[str | None] = mapped_column(Text)


class DemoTruth(Base):
    """Ground truth written by the demo generator: the person behind each IPP, injected anomalies."""

    __tablename__ = "demo_truth"
    __table_args__ = (UniqueConstraint("extraction_id", "ipp"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extraction.id", ondelete="CASCADE"), index=True)
    ipp: Mapped[str] = mapped_column(String(64))
    person_key: Mapped[str] = mapped_column(String(40), index=True)
    anomalies: Mapped[str | None] = mapped_column(String(500))  # rule IDs, comma separated
    error_kind: Mapped[str | None] = mapped_column(String(60))  # duplicate error or hard negative


class Setting(Base):
    """A setting, global (facility_id NULL) or per facility, value as JSON."""

    __tablename__ = "setting"
    __table_args__ = (UniqueConstraint("facility_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facility.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    value: Mapped[Any] = mapped_column(JsonType)
