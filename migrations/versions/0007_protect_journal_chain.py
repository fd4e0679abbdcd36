"""journal hash chain: each entry carries the hash of the previous one and its own.

Entries written before this revision are chained now, in id order, so `ivo journal verify` covers
them too (they were not protected until now: the chain starts vouching for them from this point).

Revision ID: 0007_protect
Revises: 0006
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0007_protect"
down_revision = "0006"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _hash(previous: str, row: sa.Row) -> str:
    # The same content as ivo_app.store.journal.entry_hash (kept here: a migration must not change
    # when the application's code does).
    at = row.at if isinstance(row.at, datetime) else datetime.fromisoformat(str(row.at))
    details = row.details
    if isinstance(details, str):
        details = json.loads(details)
    content = json.dumps(
        [previous, at.isoformat(timespec="seconds"), row.user, row.workstation, row.action, row.target, details],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(content.encode()).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("journal_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    table = sa.table(
        "journal_entry",
        sa.column("id", sa.Integer),
        sa.column("at", sa.DateTime),
        sa.column("user", sa.String),
        sa.column("workstation", sa.String),
        sa.column("action", sa.String),
        sa.column("target", sa.String),
        sa.column("details", sa.JSON),
        sa.column("prev_hash", sa.String),
        sa.column("hash", sa.String),
    )
    previous = GENESIS
    for row in conn.execute(sa.select(table).order_by(table.c.id)).all():
        digest = _hash(previous, row)
        conn.execute(table.update().where(table.c.id == row.id).values(prev_hash=previous, hash=digest))
        previous = digest


def downgrade() -> None:
    with op.batch_alter_table("journal_entry", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
