"""identity: a name's `*_norm` column holds its normal form only where it differs from the name
(NULL when the name is its own normal form, as nearly all are; "" when it has none, which was NULL
before). Readers take COALESCE(<name>_norm, <name>) (store.models.core.normal_form), so a base of
either layout reads the same; this rewrites the old layout so that every extraction has one.

Revision ID: 0015_normonce
Revises: 0014_dupfreq
"""

from __future__ import annotations

from alembic import op

revision = "0015_normonce"
down_revision = "0014_dupfreq"
branch_labels = None
depends_on = None

# name column → its normal form's column (identity.fields `normalised`, as of this revision)
_NAMES = {
    "birth_name": "birth_name_norm",
    "first_first_name": "first_first_name_norm",
    "first_names": "first_names_norm",
    "used_name": "used_name_norm",
}


def upgrade() -> None:
    # One pass over the table: the rows where any of the four changes.
    sets = ", ".join(
        f"{norm} = CASE WHEN {norm} = {name} THEN NULL"
        f" WHEN {norm} IS NULL AND {name} IS NOT NULL THEN '' ELSE {norm} END"
        for name, norm in _NAMES.items()
    )
    where = " OR ".join(
        f"{norm} = {name} OR ({norm} IS NULL AND {name} IS NOT NULL)" for name, norm in _NAMES.items()
    )
    op.execute(f"UPDATE identity SET {sets} WHERE {where}")


def downgrade() -> None:
    sets = ", ".join(f"{norm} = NULLIF(COALESCE({norm}, {name}), '')" for name, norm in _NAMES.items())
    where = " OR ".join(f"{norm} IS NULL OR {norm} = ''" for norm in _NAMES.values())
    op.execute(f"UPDATE identity SET {sets} WHERE {where}")
