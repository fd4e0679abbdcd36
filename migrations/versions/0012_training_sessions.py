"""training sessions: a group, one exercise, its answer key sealed in the base.

Revision ID: 0012
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0010_dups"
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "training_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("extraction_id", sa.Integer(), nullable=False),
        sa.Column("exercise", _json, nullable=False),
        sa.Column("answer_key", _json, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("corrected_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["extraction_id"],
            ["extraction.id"],
            name=op.f("fk_training_session_extraction_id_extraction"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facility.id"],
            name=op.f("fk_training_session_facility_id_facility"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_session")),
        sa.UniqueConstraint("token", name=op.f("uq_training_session_token")),
    )
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_session_extraction_id"), ["extraction_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_training_session_facility_id"), ["facility_id"], unique=False)

    op.create_table(
        "training_trainee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("answers", _json, nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_session.id"],
            name=op.f("fk_training_trainee_session_id_training_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_trainee")),
        sa.UniqueConstraint("session_id", "name", name=op.f("uq_training_trainee_session_id")),
    )
    with op.batch_alter_table("training_trainee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_trainee_session_id"), ["session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("training_trainee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_trainee_session_id"))
    op.drop_table("training_trainee")
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_session_facility_id"))
        batch_op.drop_index(batch_op.f("ix_training_session_extraction_id"))
    op.drop_table("training_session")
