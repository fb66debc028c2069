"""The team's explicit list of institutional properties, damped or excluded from hotspots.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('institutions',
    sa.Column('property_id', sa.String(length=40), nullable=False),
    sa.Column('treatment', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('added_by', sa.String(length=120), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['property_id'], ['properties.property_id'], name=op.f('fk_institutions_property_id_properties'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('property_id', name=op.f('pk_institutions'))
    )


def downgrade() -> None:
    op.drop_table('institutions')
