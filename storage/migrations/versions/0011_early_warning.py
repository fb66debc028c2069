"""Early-warning runs (model version, training window, backtest) and each run's scores per property.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('early_warning_runs',
    sa.Column('run_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('model_version', sa.String(length=120), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('training_first', sa.Date(), nullable=True),
    sa.Column('training_last', sa.Date(), nullable=True),
    sa.Column('training_rows', sa.Integer(), nullable=False),
    sa.Column('horizon_days', sa.Integer(), nullable=False),
    sa.Column('ranking', sa.String(length=10), nullable=False),
    sa.Column('candidates', sa.Integer(), nullable=False),
    sa.Column('fairness', sa.Text(), nullable=True),
    sa.Column('model_fairness', sa.Text(), nullable=True),
    sa.Column('seconds', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('run_id', name=op.f('pk_early_warning_runs'))
    )
    op.create_index(op.f('ix_early_warning_runs_created_at'), 'early_warning_runs', ['created_at'], unique=False)
    op.create_table('early_warning_windows',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('window_end', sa.Date(), nullable=False),
    sa.Column('ranking', sa.String(length=10), nullable=False),
    sa.Column('candidates', sa.Integer(), nullable=False),
    sa.Column('positives', sa.Integer(), nullable=False),
    sa.Column('hits_25', sa.Integer(), nullable=False),
    sa.Column('hits_100', sa.Integer(), nullable=False),
    sa.Column('precision_25', sa.Float(), nullable=False),
    sa.Column('precision_100', sa.Float(), nullable=False),
    sa.Column('recall_100', sa.Float(), nullable=True),
    sa.Column('auc', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['early_warning_runs.run_id'],
                            name=op.f('fk_early_warning_windows_run_id_early_warning_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'window_end', 'ranking', name=op.f('pk_early_warning_windows'))
    )
    op.create_table('early_warning_scores',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('property_id', sa.String(length=40), nullable=False),
    sa.Column('probability', sa.Float(), nullable=True),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('nuisance_calls', sa.Integer(), nullable=False),
    sa.Column('rank_model', sa.Integer(), nullable=True),
    sa.Column('rank_score', sa.Integer(), nullable=False),
    sa.Column('rank_rule', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['property_id'], ['properties.property_id'],
                            name=op.f('fk_early_warning_scores_property_id_properties'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['early_warning_runs.run_id'],
                            name=op.f('fk_early_warning_scores_run_id_early_warning_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'property_id', name=op.f('pk_early_warning_scores'))
    )
    op.create_index(op.f('ix_early_warning_scores_run_id_rank_model'), 'early_warning_scores',
                    ['run_id', 'rank_model'], unique=False)
    op.create_index(op.f('ix_early_warning_scores_run_id_rank_score'), 'early_warning_scores',
                    ['run_id', 'rank_score'], unique=False)
    op.create_index(op.f('ix_early_warning_scores_run_id_rank_rule'), 'early_warning_scores',
                    ['run_id', 'rank_rule'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_early_warning_scores_run_id_rank_rule'), table_name='early_warning_scores')
    op.drop_index(op.f('ix_early_warning_scores_run_id_rank_score'), table_name='early_warning_scores')
    op.drop_index(op.f('ix_early_warning_scores_run_id_rank_model'), table_name='early_warning_scores')
    op.drop_table('early_warning_scores')
    op.drop_table('early_warning_windows')
    op.drop_index(op.f('ix_early_warning_runs_created_at'), table_name='early_warning_runs')
    op.drop_table('early_warning_runs')
