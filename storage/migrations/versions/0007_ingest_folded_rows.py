"""Rows of an extract folded into an earlier row's record, and exact repeats, counted per load.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ingests') as batch:
        batch.add_column(sa.Column('rows_folded', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('rows_duplicate', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('ingests') as batch:
        batch.drop_column('rows_duplicate')
        batch.drop_column('rows_folded')
