"""duplicates: candidate pairs of an extraction, decisions per facility.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pair_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('facility_id', sa.Integer(), nullable=False),
    sa.Column('ipp_a', sa.String(length=64), nullable=False),
    sa.Column('ipp_b', sa.String(length=64), nullable=False),
    sa.Column('decision', sa.String(length=12), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('author', sa.String(length=100), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], name=op.f('fk_pair_decision_facility_id_facility'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pair_decision')),
    sa.UniqueConstraint('facility_id', 'ipp_a', 'ipp_b', name=op.f('uq_pair_decision_facility_id'))
    )
    op.create_table('duplicate_pair',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('extraction_id', sa.Integer(), nullable=False),
    sa.Column('identity_a', sa.Integer(), nullable=False),
    sa.Column('identity_b', sa.Integer(), nullable=False),
    sa.Column('ipp_a', sa.String(length=64), nullable=False),
    sa.Column('ipp_b', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('reasons', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.ForeignKeyConstraint(['extraction_id'], ['extraction.id'], name=op.f('fk_duplicate_pair_extraction_id_extraction'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['identity_a'], ['identity.id'], name=op.f('fk_duplicate_pair_identity_a_identity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['identity_b'], ['identity.id'], name=op.f('fk_duplicate_pair_identity_b_identity'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_pair'))
    )
    with op.batch_alter_table('duplicate_pair', schema=None) as batch_op:
        batch_op.create_index('ix_duplicate_pair_extraction_level', ['extraction_id', 'level'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('duplicate_pair', schema=None) as batch_op:
        batch_op.drop_index('ix_duplicate_pair_extraction_level')

    op.drop_table('duplicate_pair')
    op.drop_table('pair_decision')
