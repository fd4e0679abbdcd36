"""detection_frequency: the name frequencies a duplicate detection weighed exact names with, so the
desk search weighs as the detection of the extraction it searches; match_key in buckets of keys (one
row per bucket instead of one per key and identity). The keys are derived data: the next detection
writes them again (until then the desk search scans the extraction, as before a first detection).

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
    op.drop_table("match_key")
    op.create_table(
        "match_key",
        sa.Column("extraction_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("bucket", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("keys", sa.LargeBinary(), nullable=False),
        sa.Column("identity_ids", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["extraction_id"],
            ["extraction.id"],
            name=op.f("fk_match_key_extraction_id_extraction"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extraction_id", "bucket", name=op.f("pk_match_key")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("detection_frequency")
    op.drop_table("match_key")  # keys of the old layout come back with the next detection
    op.create_table(
        "match_key",
        sa.Column("extraction_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("identity_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["extraction_id"],
            ["extraction.id"],
            name=op.f("fk_match_key_extraction_id_extraction"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("extraction_id", "key", "identity_id", name=op.f("pk_match_key")),
        sqlite_with_rowid=False,
    )
