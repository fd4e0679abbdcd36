"""detection_frequency: the name frequencies a duplicate detection weighed exact names with, so the
desk search weighs as the detection of the extraction it searches.

Revision ID: 0014_dupfreq
Revises: 0013_checkrun
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_dupfreq"
down_revision = "0013_checkrun"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "detection_frequency",
        sa.Column("run_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("trait", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["detection_run.id"],
            name=op.f("fk_detection_frequency_run_id_detection_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "trait", "name", name=op.f("pk_detection_frequency")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("detection_frequency")
