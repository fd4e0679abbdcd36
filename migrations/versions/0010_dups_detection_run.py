"""detection_run: one row per duplicate detection with the model as fitted, its counts and time.

Revision ID: 0010_dups
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010_dups"
down_revision = "0007_protect"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "detection_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("extraction_id", sa.Integer(), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("identities", sa.Integer(), nullable=False),
        sa.Column("candidate_pairs", sa.Integer(), nullable=False),
        sa.Column("pairs", sa.Integer(), nullable=False),
        sa.Column("probable", sa.Integer(), nullable=False),
        sa.Column("collisions", sa.Integer(), nullable=False),
        sa.Column("parameters", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.ForeignKeyConstraint(
            ["extraction_id"],
            ["extraction.id"],
            name=op.f("fk_detection_run_extraction_id_extraction"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detection_run")),
    )
    with op.batch_alter_table("detection_run") as batch:
        batch.create_index(batch.f("ix_detection_run_extraction_id"), ["extraction_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("detection_run") as batch:
        batch.drop_index(batch.f("ix_detection_run_extraction_id"))
    op.drop_table("detection_run")
