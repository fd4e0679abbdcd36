"""check_run: one row per run of the rules on an extraction (when, rules version, settings hash,
counts per severity, duration); checks journalled before this table become rows without version.

Revision ID: 0013_checkrun
Revises: 0012
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013_checkrun"
down_revision = "0012"
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
SEVERITIES = ("critique", "erreur", "alerte", "info")


def upgrade() -> None:
    check_run = op.create_table(
        "check_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("extraction_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("rules_version", sa.String(length=80), nullable=True),
        sa.Column("settings_hash", sa.String(length=64), nullable=True),
        sa.Column("identities", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("by_severity", _json, nullable=False),
        sa.ForeignKeyConstraint(
            ["extraction_id"],
            ["extraction.id"],
            name=op.f("fk_check_run_extraction_id_extraction"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_run")),
    )
    with op.batch_alter_table("check_run") as batch:
        batch.create_index(batch.f("ix_check_run_extraction_id"), ["extraction_id"], unique=False)
    _backfill(op.get_bind(), check_run)


def _backfill(bind: Any, check_run: sa.Table) -> None:
    """A row per extraction the journal says was checked, or that has findings: the state the
    journal held so far, with the counts of the findings kept and no version (unknown)."""
    meta = sa.MetaData()
    journal = sa.Table("journal_entry", meta, autoload_with=bind)
    finding = sa.Table("finding", meta, autoload_with=bind)
    extraction = sa.Table("extraction", meta, autoload_with=bind)
    identity = sa.Table("identity", meta, autoload_with=bind)
    existing = set(bind.execute(sa.select(extraction.c.id)).scalars())
    checked_at: dict[int, Any] = {}
    for target, at in bind.execute(
        sa.select(journal.c.target, journal.c.at).where(journal.c.action == "check").order_by(journal.c.id)
    ):
        head, _, number = (target or "").partition(":")
        if head == "extraction" and number.isdigit() and int(number) in existing:
            checked_at[int(number)] = at  # the last check of the extraction
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for extraction_id, severity, n in bind.execute(
        sa.select(finding.c.extraction_id, finding.c.severity, sa.func.count()).group_by(
            finding.c.extraction_id, finding.c.severity
        )
    ):
        counts[extraction_id][severity] = int(n)
    ids = sorted(set(checked_at) | set(counts))
    if not ids:
        return
    sizes = dict(
        bind.execute(
            sa.select(identity.c.extraction_id, sa.func.count())
            .where(identity.c.extraction_id.in_(ids))
            .group_by(identity.c.extraction_id)
        ).all()
    )
    imported = dict(bind.execute(sa.select(extraction.c.id, extraction.c.imported_at)).all())
    rows = []
    for extraction_id in ids:
        at = checked_at.get(extraction_id) or imported[extraction_id]
        by_severity = {s: counts[extraction_id].get(s, 0) for s in SEVERITIES}
        rows.append(
            {
                "extraction_id": extraction_id,
                "started_at": at,
                "ended_at": at,
                "identities": int(sizes.get(extraction_id, 0)),
                "findings": sum(counts[extraction_id].values()),
                "by_severity": by_severity,
            }
        )
    for row in rows:
        bind.execute(sa.insert(check_run).values(**row))


def downgrade() -> None:
    with op.batch_alter_table("check_run") as batch:
        batch.drop_index(batch.f("ix_check_run_extraction_id"))
    op.drop_table("check_run")
