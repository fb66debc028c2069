"""Who attended each coordination meeting: people and departments.

The names recorded before (a JSON list on the meeting, such as "Ann Lee (Police)") move to one row
each; a name ending in a department's label in brackets keeps that department. The downgrade writes
them back as that list.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import json
import re

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# As vocabulary.DEPARTMENT_LABELS spelled them when this migration was written.
DEPARTMENT_LABELS = {"police": "Police", "fire": "Fire", "public_works": "Public Works", "crm": "Customer Service"}
NAME_AND_DEPARTMENT = re.compile(r"^(?P<name>.*?)\s*\((?P<label>[^()]+)\)\s*$")

meetings = sa.table('meetings', sa.column('meeting_id', sa.Integer), sa.column('attendees', sa.Text))
attendees = sa.table('meeting_attendees', sa.column('meeting_id', sa.Integer), sa.column('position', sa.Integer),
                     sa.column('name', sa.String), sa.column('department', sa.String))


def _attendee(text: str) -> dict:
    by_label = {label.lower(): department for department, label in DEPARTMENT_LABELS.items()}
    found = NAME_AND_DEPARTMENT.match(text)
    if found and found["label"].strip().lower() in by_label:
        return {"name": found["name"].strip() or None, "department": by_label[found["label"].strip().lower()]}
    if text.strip().lower() in by_label:
        return {"name": None, "department": by_label[text.strip().lower()]}
    return {"name": text.strip()[:120], "department": None}


def _display(name: str | None, department: str | None) -> str:
    label = DEPARTMENT_LABELS.get(department or "", department or "")
    return f"{name} ({label})" if name and label else name or label


def upgrade() -> None:
    op.create_table('meeting_attendees',
    sa.Column('attendee_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=True),
    sa.Column('department', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.meeting_id'],
                            name=op.f('fk_meeting_attendees_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('attendee_id', name=op.f('pk_meeting_attendees'))
    )
    op.create_index(op.f('ix_meeting_attendees_meeting_id'), 'meeting_attendees', ['meeting_id'], unique=False)

    conn = op.get_bind()
    rows = []
    for meeting_id, recorded in conn.execute(sa.select(meetings.c.meeting_id, meetings.c.attendees)
                                             .where(meetings.c.attendees.is_not(None))):
        try:
            names = json.loads(recorded)
        except ValueError:
            names = [recorded]  # not a list as written by the app: keep the text as one name
        names = [str(name) for name in (names if isinstance(names, list) else [names]) if str(name).strip()]
        rows += [dict(meeting_id=meeting_id, position=position, **_attendee(name))
                 for position, name in enumerate(names, 1)]
    if rows:
        op.bulk_insert(attendees, rows)
    # A plain ALTER TABLE: SQLite (3.35+) drops the column in place, without rebuilding the table
    # the agenda, the cases' events and actions refer to.
    op.drop_column('meetings', 'attendees')


def downgrade() -> None:
    op.add_column('meetings', sa.Column('attendees', sa.Text(), nullable=True))
    conn = op.get_bind()
    by_meeting: dict[int, list[str]] = {}
    for meeting_id, name, department in conn.execute(
            sa.select(attendees.c.meeting_id, attendees.c.name, attendees.c.department)
            .order_by(attendees.c.meeting_id, attendees.c.position)):
        by_meeting.setdefault(meeting_id, []).append(_display(name, department))
    for meeting_id, names in by_meeting.items():
        conn.execute(meetings.update().where(meetings.c.meeting_id == meeting_id).values(attendees=json.dumps(names)))
    op.drop_index(op.f('ix_meeting_attendees_meeting_id'), table_name='meeting_attendees')
    op.drop_table('meeting_attendees')
