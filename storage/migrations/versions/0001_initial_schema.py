"""Initial schema: properties, records, matches, decisions, ingests, rejects, meetings, cases, audit log.

Revision ID: 0001
Revises: 
Create Date: 2026-11-21
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('audit_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_name', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.Text(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('audit_id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)

    op.create_table('ingests',
    sa.Column('ingest_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('department', sa.String(length=40), nullable=False),
    sa.Column('file_name', sa.Text(), nullable=False),
    sa.Column('file_hash', sa.String(length=64), nullable=False),
    sa.Column('mapping', sa.Text(), nullable=True),
    sa.Column('loaded_by', sa.String(length=120), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('rows_new', sa.Integer(), nullable=False),
    sa.Column('rows_updated', sa.Integer(), nullable=False),
    sa.Column('rows_unchanged', sa.Integer(), nullable=False),
    sa.Column('rows_rejected', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('ingest_id', name=op.f('pk_ingests'))
    )
    with op.batch_alter_table('ingests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ingests_department_started_at'), ['department', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ingests_file_hash'), ['file_hash'], unique=False)

    op.create_table('meetings',
    sa.Column('meeting_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('meeting_id', name=op.f('pk_meetings')),
    sa.UniqueConstraint('held_on', name=op.f('uq_meetings_held_on'))
    )
    op.create_table('properties',
    sa.Column('property_id', sa.String(length=40), nullable=False),
    sa.Column('parcel_id', sa.String(length=40), nullable=True),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('city', sa.String(length=80), nullable=True),
    sa.Column('state', sa.String(length=2), nullable=True),
    sa.Column('zip', sa.String(length=10), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('land_use', sa.String(length=40), nullable=True),
    sa.Column('ward', sa.String(length=20), nullable=True),
    sa.Column('neighborhood', sa.String(length=80), nullable=True),
    sa.Column('owner', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('property_id', name=op.f('pk_properties'))
    )
    with op.batch_alter_table('properties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_properties_parcel_id'), ['parcel_id'], unique=False)

    op.create_table('cases',
    sa.Column('case_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('property_id', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('lead_department', sa.String(length=40), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['property_id'], ['properties.property_id'], name=op.f('fk_cases_property_id_properties')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_cases'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_property_id'), ['property_id'], unique=False)

    op.create_table('match_decisions',
    sa.Column('decision_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('department', sa.String(length=40), nullable=False),
    sa.Column('normalized', sa.Text(), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('property_id', sa.String(length=40), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=120), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['property_id'], ['properties.property_id'], name=op.f('fk_match_decisions_property_id_properties')),
    sa.PrimaryKeyConstraint('decision_id', name=op.f('pk_match_decisions')),
    sa.UniqueConstraint('department', 'normalized', name=op.f('uq_match_decisions_department_normalized'))
    )
    op.create_table('property_addresses',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('property_id', sa.String(length=40), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['property_id'], ['properties.property_id'], name=op.f('fk_property_addresses_property_id_properties'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_property_addresses')),
    sa.UniqueConstraint('property_id', 'address', name=op.f('uq_property_addresses_property_id_address'))
    )
    with op.batch_alter_table('property_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_property_addresses_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_property_addresses_property_id'), ['property_id'], unique=False)

    op.create_table('records',
    sa.Column('record_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('department', sa.String(length=40), nullable=False),
    sa.Column('source_record_id', sa.String(length=120), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('category', sa.Text(), nullable=False),
    sa.Column('subcategory', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=60), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('parcel_id', sa.String(length=40), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('extra', sa.Text(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('ingest_id', sa.Integer(), nullable=False),
    sa.Column('updated_ingest_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ingest_id'], ['ingests.ingest_id'], name=op.f('fk_records_ingest_id_ingests')),
    sa.ForeignKeyConstraint(['updated_ingest_id'], ['ingests.ingest_id'], name=op.f('fk_records_updated_ingest_id_ingests')),
    sa.PrimaryKeyConstraint('record_id', name=op.f('pk_records')),
    sa.UniqueConstraint('department', 'source_record_id', name=op.f('uq_records_department_source_record_id'))
    )
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_records_department_occurred_at'), ['department', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_records_occurred_at'), ['occurred_at'], unique=False)

    op.create_table('rejects',
    sa.Column('reject_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('ingest_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['ingest_id'], ['ingests.ingest_id'], name=op.f('fk_rejects_ingest_id_ingests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('reject_id', name=op.f('pk_rejects'))
    )
    with op.batch_alter_table('rejects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rejects_ingest_id'), ['ingest_id'], unique=False)

    op.create_table('case_events',
    sa.Column('event_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=120), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.case_id'], name=op.f('fk_case_events_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.meeting_id'], name=op.f('fk_case_events_meeting_id_meetings')),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_case_events'))
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_events_case_id'), ['case_id'], unique=False)

    op.create_table('matches',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('property_id', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('candidates', sa.Text(), nullable=True),
    sa.Column('normalized', sa.Text(), nullable=True),
    sa.Column('matched_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['property_id'], ['properties.property_id'], name=op.f('fk_matches_property_id_properties')),
    sa.ForeignKeyConstraint(['record_id'], ['records.record_id'], name=op.f('fk_matches_record_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', name=op.f('pk_matches'))
    )
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matches_property_id_record_id'), ['property_id', 'record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matches_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matches_status'))
        batch_op.drop_index(batch_op.f('ix_matches_property_id_record_id'))

    op.drop_table('matches')
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_events_case_id'))

    op.drop_table('case_events')
    with op.batch_alter_table('rejects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rejects_ingest_id'))

    op.drop_table('rejects')
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_records_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_records_department_occurred_at'))

    op.drop_table('records')
    with op.batch_alter_table('property_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_property_addresses_property_id'))
        batch_op.drop_index(batch_op.f('ix_property_addresses_key'))

    op.drop_table('property_addresses')
    op.drop_table('match_decisions')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_property_id'))

    op.drop_table('cases')
    with op.batch_alter_table('properties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_properties_parcel_id'))

    op.drop_table('properties')
    op.drop_table('meetings')
    with op.batch_alter_table('ingests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ingests_file_hash'))
        batch_op.drop_index(batch_op.f('ix_ingests_department_started_at'))

    op.drop_table('ingests')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
