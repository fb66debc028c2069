"""Indexes on the properties' ward and land use: the wards a page offers as a filter and the land
uses the scoring damps are read from the indexes, not by a pass over every property.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f('ix_properties_ward'), 'properties', ['ward'], unique=False)
    op.create_index(op.f('ix_properties_land_use'), 'properties', ['land_use'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_properties_land_use'), table_name='properties')
    op.drop_index(op.f('ix_properties_ward'), table_name='properties')
