"""What the pages read instead of the raw records: per kind, department and month, the placed records
and the customer-service requests as compressed column blocks; and CRM requests per week, category,
topic and routed department. Built from the records already stored.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('record_months',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('department', sa.String(length=40), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('columns', sa.LargeBinary(), nullable=False),
    sa.Column('built_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'department', 'month', name=op.f('pk_record_months'))
    )
    op.create_table('request_weeks',
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('category', sa.Text(), nullable=False),
    sa.Column('topic', sa.Text(), nullable=False),
    sa.Column('routed_department', sa.Text(), nullable=False),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Integer(), nullable=False),
    sa.Column('close_days', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('week', 'category', 'topic', 'routed_department', name=op.f('pk_request_weeks'))
    )
    # An existing city's database gets its blocks from the records it already holds.
    from storage import summaries

    summaries.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table('request_weeks')
    op.drop_table('record_months')
