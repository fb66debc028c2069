"""Views the pages drew, kept by a digest of what each depends on, so that every app server reads a
view scored once instead of scoring it again.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kept_views',
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.Column('built_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'key', name=op.f('pk_kept_views'))
    )


def downgrade() -> None:
    op.drop_table('kept_views')
