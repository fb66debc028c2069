"""Record change history, saved column mappings, and a kind for each reject.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('column_mappings',
    sa.Column('mapping_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('department', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('header_signature', sa.String(length=64), nullable=False),
    sa.Column('columns', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('mapping_id', name=op.f('pk_column_mappings')),
    sa.UniqueConstraint('department', 'name', name=op.f('uq_column_mappings_department_name'))
    )
    with op.batch_alter_table('column_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_column_mappings_department_header_signature'), ['department', 'header_signature'], unique=False)

    op.create_table('record_changes',
    sa.Column('change_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('ingest_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('before', sa.Text(), nullable=False),
    sa.Column('after', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['ingest_id'], ['ingests.ingest_id'], name=op.f('fk_record_changes_ingest_id_ingests')),
    sa.ForeignKeyConstraint(['record_id'], ['records.record_id'], name=op.f('fk_record_changes_record_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('change_id', name=op.f('pk_record_changes'))
    )
    with op.batch_alter_table('record_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_changes_record_id'), ['record_id'], unique=False)

    with op.batch_alter_table('rejects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=40), server_default='other', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('rejects', schema=None) as batch_op:
        batch_op.drop_column('kind')

    with op.batch_alter_table('record_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_changes_record_id'))

    op.drop_table('record_changes')
    with op.batch_alter_table('column_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_column_mappings_department_header_signature'))

    op.drop_table('column_mappings')
