"""Meetings, agendas and cases: the meeting record, its agenda, the cases with their events and
actions, and what the minutes are written from.

Entry points (each takes a connection first): last_meeting_before, cases_version, get_meeting,
meeting_on, insert_meeting, list_meetings, latest_open_meeting, previous_meeting, set_meeting_status,
meeting_attendees, set_attendees, save_agenda,
meeting_agenda, reorder_agenda, drop_agenda_item, add_agenda_item, get_case, open_case_for,
cases_for_property, insert_case, open_case, check_version, record_decision, add_action, mark_action_done,
open_actions, list_cases, reopen_case, minutes_input. record_decision raises StaleCase when the case
changed since it was read.
"""

import dataclasses
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from vocabulary import AGENDA_SECTIONS, CASE_STATUSES, DEPARTMENTS, MEETING_STATUSES
from storage.schema import agenda_items, case_actions, case_events, cases, meeting_attendees as attendees_table, \
    meetings, properties
from storage.store import insert_many, now, read_frame


def last_meeting_before(conn: Connection, day: date) -> date | None:
    """The date of the latest meeting held before `day`, if any."""
    return conn.execute(sa.select(sa.func.max(meetings.c.held_on)).where(meetings.c.held_on < day)).scalar()


def cases_version(conn: Connection) -> tuple[int, int]:
    """Changes whenever a case is opened or saved: the cache key of views over all cases."""
    count, versions = conn.execute(sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(cases.c.version), 0))).one()
    return int(count), int(versions)


class StaleCase(Exception):
    """Someone saved the case after you read it: nothing of yours was written.

    current_version is the case's version now; events are what was recorded since the version
    you read (oldest first), so the page can show what changed before you re-apply your edit.
    """

    def __init__(self, case_id: int, expected_version: int, current_version: int, events: list[dict]):
        self.case_id = case_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.events = events
        authors = ", ".join(dict.fromkeys(event["author"] for event in events)) or "someone else"
        super().__init__(f"case {case_id} was changed by {authors} after you opened it (version {expected_version}"
                         f" -> {current_version}); nothing of yours was saved: look at the changes and save again")


def _meeting_row(conn: Connection, row) -> dict | None:
    if row is None:
        return None
    found = dict(row)
    found["attendees"] = meeting_attendees(conn, found["meeting_id"])
    return found


def get_meeting(conn: Connection, meeting_id: int) -> dict | None:
    """The meeting with its attendees (dicts of name and department, in the order recorded)."""
    return _meeting_row(conn, conn.execute(sa.select(meetings).where(meetings.c.meeting_id == meeting_id))
                        .mappings().first())


def meeting_on(conn: Connection, held_on: date) -> dict | None:
    return _meeting_row(conn, conn.execute(sa.select(meetings).where(meetings.c.held_on == held_on)).mappings().first())


def latest_open_meeting(conn: Connection) -> dict | None:
    """The latest meeting not closed, if any."""
    return _meeting_row(conn, conn.execute(sa.select(meetings).where(meetings.c.status != "closed")
                                           .order_by(meetings.c.held_on.desc()).limit(1)).mappings().first())


def set_meeting_status(conn: Connection, meeting_id: int, status: str) -> bool:
    """Set a meeting's status (vocabulary.MEETING_STATUSES); False when it had that status already."""
    if status not in MEETING_STATUSES:
        raise ValueError(f"'{status}' is not a meeting status ({', '.join(MEETING_STATUSES)})")
    changed = conn.execute(meetings.update().where(meetings.c.meeting_id == meeting_id, meetings.c.status != status)
                           .values(status=status))
    return changed.rowcount == 1


def insert_meeting(conn: Connection, held_on: date, author: str) -> bool:
    """Create the meeting held on `held_on`; False if there is one already (one meeting per day)."""
    try:
        with conn.begin_nested():
            conn.execute(meetings.insert().values(held_on=held_on, status="planned", created_by=author,
                                                  created_at=now()))
    except sa.exc.IntegrityError:
        return False  # someone else started the same meeting a moment ago: theirs is ours
    return True


def list_meetings(conn: Connection) -> pd.DataFrame:
    """Every meeting, newest first: meeting_id, held_on, status, created_by, agenda_items (not dropped)."""
    items = (sa.select(agenda_items.c.meeting_id, sa.func.count().label("agenda_items"))
             .where(agenda_items.c.dropped.is_(False)).group_by(agenda_items.c.meeting_id).subquery())
    query = (
        sa.select(meetings.c.meeting_id, meetings.c.held_on, meetings.c.status, meetings.c.created_by,
                  sa.func.coalesce(items.c.agenda_items, 0).label("agenda_items"))
        .select_from(meetings.outerjoin(items, items.c.meeting_id == meetings.c.meeting_id))
        .order_by(meetings.c.held_on.desc())
    )
    return read_frame(conn, query)


def previous_meeting(conn: Connection, day: date) -> dict | None:
    """The latest meeting held before `day`, if any."""
    row = conn.execute(sa.select(meetings).where(meetings.c.held_on < day)
                       .order_by(meetings.c.held_on.desc()).limit(1)).mappings().first()
    return _meeting_row(conn, row)


def meeting_attendees(conn: Connection, meeting_id: int) -> list[dict]:
    """Who attended, in the order recorded: dicts of name and department (either may be None)."""
    rows = conn.execute(sa.select(attendees_table.c.name, attendees_table.c.department)
                        .where(attendees_table.c.meeting_id == meeting_id).order_by(attendees_table.c.position))
    return [dict(row) for row in rows.mappings()]


def set_attendees(conn: Connection, meeting_id: int, attendees: Sequence[dict]) -> None:
    """Replace who attended the meeting with `attendees` (dicts of name and department), in order."""
    conn.execute(attendees_table.delete().where(attendees_table.c.meeting_id == meeting_id))
    insert_many(conn, attendees_table, [{"meeting_id": meeting_id, "position": position, "name": attendee.get("name"),
                                         "department": attendee.get("department")}
                                        for position, attendee in enumerate(attendees, 1)])


def _item_row(item) -> dict:
    row = dataclasses.asdict(item) if dataclasses.is_dataclass(item) else dict(item)
    section = row.get("section") or "added"
    if section not in AGENDA_SECTIONS:
        raise ValueError(f"'{section}' is not an agenda section ({', '.join(AGENDA_SECTIONS)})")
    score = row.get("score")
    return {"property_id": row["property_id"], "section": section,
            "score": None if score is None or pd.isna(score) else float(score), "why": row.get("why") or None,
            "added_by_hand": bool(row.get("added_by_hand", False)), "dropped": bool(row.get("dropped", False))}


def save_agenda(conn: Connection, meeting_id: int, items: Iterable) -> int:
    """Replace the meeting's agenda with `items` in order (AgendaItems or dicts with property_id,
    section and optionally score, why, added_by_hand, dropped); returns how many were saved."""
    rows, seen = [], set()
    for item in items:
        row = _item_row(item)
        if row["property_id"] not in seen:
            seen.add(row["property_id"])
            rows.append(dict(row, meeting_id=meeting_id, position=len(rows) + 1))
    conn.execute(agenda_items.delete().where(agenda_items.c.meeting_id == meeting_id))
    insert_many(conn, agenda_items, rows)
    return len(rows)


def meeting_agenda(conn: Connection, meeting_id: int, include_dropped: bool = False) -> pd.DataFrame:
    """The agenda in order: item_id, position, property_id, address, section, score, why,
    added_by_hand, dropped, and the property's open case (case_id, case_status, case_version)."""
    open_cases = cases.alias("open_cases")
    query = (
        sa.select(agenda_items.c.item_id, agenda_items.c.position, agenda_items.c.property_id, properties.c.address,
                  agenda_items.c.section, agenda_items.c.score, agenda_items.c.why, agenda_items.c.added_by_hand,
                  agenda_items.c.dropped, open_cases.c.case_id, open_cases.c.status.label("case_status"),
                  open_cases.c.version.label("case_version"))
        .select_from(
            agenda_items.join(properties, properties.c.property_id == agenda_items.c.property_id)
            .outerjoin(open_cases, sa.and_(open_cases.c.property_id == agenda_items.c.property_id,
                                           open_cases.c.status != "resolved")))
        .where(agenda_items.c.meeting_id == meeting_id)
        .order_by(agenda_items.c.position, agenda_items.c.item_id)
    )
    if not include_dropped:
        query = query.where(agenda_items.c.dropped.is_(False))
    frame = read_frame(conn, query)
    frame["case_id"] = frame["case_id"].astype("Int64")
    frame["case_version"] = frame["case_version"].astype("Int64")
    return frame


def _agenda_order(conn: Connection, meeting_id: int) -> list[tuple[int, str]]:
    return [tuple(row) for row in conn.execute(
        sa.select(agenda_items.c.item_id, agenda_items.c.property_id)
        .where(agenda_items.c.meeting_id == meeting_id)
        .order_by(agenda_items.c.position, agenda_items.c.item_id))]


def _renumber(conn: Connection, item_ids: Sequence[int]) -> None:
    update = agenda_items.update().where(agenda_items.c.item_id == sa.bindparam("b_item_id")).values(
        position=sa.bindparam("b_position"))
    if item_ids:
        conn.execute(update, [{"b_item_id": item_id, "b_position": n} for n, item_id in enumerate(item_ids, 1)])


def reorder_agenda(conn: Connection, meeting_id: int, property_ids: Sequence[str]) -> None:
    """Put the given properties first, in that order; the others follow in their present order."""
    current = _agenda_order(conn, meeting_id)
    by_property = {property_id: item_id for item_id, property_id in current}
    first = [by_property[pid] for pid in dict.fromkeys(property_ids) if pid in by_property]
    _renumber(conn, first + [item_id for item_id, _ in current if item_id not in set(first)])


def drop_agenda_item(conn: Connection, meeting_id: int, property_id: str, dropped: bool = True) -> None:
    """Drop a property from the agenda (kept, marked dropped), or bring it back with dropped=False."""
    conn.execute(agenda_items.update().where(agenda_items.c.meeting_id == meeting_id,
                                             agenda_items.c.property_id == property_id).values(dropped=dropped))


def add_agenda_item(conn: Connection, meeting_id: int, property_id: str, position: int | None = None,
                    why: str | None = None) -> None:
    """Add a property by hand (at the end, or at 1-based `position`); one already there comes back undropped."""
    exists = conn.execute(sa.select(agenda_items.c.item_id).where(
        agenda_items.c.meeting_id == meeting_id, agenda_items.c.property_id == property_id)).scalar()
    if exists is not None:
        conn.execute(agenda_items.update().where(agenda_items.c.item_id == exists).values(dropped=False))
    else:
        last = conn.execute(sa.select(sa.func.max(agenda_items.c.position))
                            .where(agenda_items.c.meeting_id == meeting_id)).scalar() or 0
        conn.execute(agenda_items.insert().values(meeting_id=meeting_id, property_id=property_id, position=last + 1,
                                                  section="added", why=why or "Added by hand", added_by_hand=True,
                                                  dropped=False))
    if position is not None:
        order = [item_id for item_id, pid in _agenda_order(conn, meeting_id) if pid != property_id]
        item_id = conn.execute(sa.select(agenda_items.c.item_id).where(
            agenda_items.c.meeting_id == meeting_id, agenda_items.c.property_id == property_id)).scalar_one()
        order.insert(max(position - 1, 0), item_id)
        _renumber(conn, order)


def _event_row(row) -> dict:
    found = dict(row)
    found["body"] = json.loads(found["body"]) if found["body"] else {}
    return found


def _write_events(conn: Connection, case_id: int, version: int, events: Sequence[tuple[str, dict]], author: str,
                  meeting_id: int | None, at: datetime) -> None:
    conn.execute(case_events.insert(), [
        {"case_id": case_id, "meeting_id": meeting_id, "version": version, "kind": kind,
         "body": json.dumps(body, default=str), "author": author, "at": at} for kind, body in events])


def _case_events(conn: Connection, case_id: int, after_version: int | None = None) -> list[dict]:
    query = sa.select(case_events).where(case_events.c.case_id == case_id).order_by(case_events.c.event_id)
    if after_version is not None:
        query = query.where(case_events.c.version > after_version)
    return [_event_row(row) for row in conn.execute(query).mappings()]


def _case_actions(conn: Connection, case_id: int) -> list[dict]:
    query = sa.select(case_actions).where(case_actions.c.case_id == case_id).order_by(case_actions.c.action_id)
    return [dict(row) for row in conn.execute(query).mappings()]


def get_case(conn: Connection, case_id: int) -> dict | None:
    """A case with its property's address, its actions and its whole event history, oldest first."""
    row = conn.execute(
        sa.select(cases, properties.c.address).join(properties, properties.c.property_id == cases.c.property_id)
        .where(cases.c.case_id == case_id)).mappings().first()
    if row is None:
        return None
    found = dict(row)
    found["actions"] = _case_actions(conn, case_id)
    found["events"] = _case_events(conn, case_id)
    return found


def open_case_for(conn: Connection, property_id: str) -> dict | None:
    """The property's open case (any status but resolved), with actions and events."""
    case_id = conn.execute(sa.select(cases.c.case_id).where(cases.c.property_id == property_id,
                                                            cases.c.status != "resolved")).scalar()
    return get_case(conn, case_id) if case_id is not None else None


def cases_for_property(conn: Connection, property_id: str) -> list[dict]:
    """Every case of a property, newest first, each with its actions and event history."""
    ids = conn.execute(sa.select(cases.c.case_id).where(cases.c.property_id == property_id)
                       .order_by(cases.c.opened_at.desc(), cases.c.case_id.desc())).scalars().all()
    return [get_case(conn, case_id) for case_id in ids]


def _check_department(department: str | None) -> None:
    if department is not None and department not in DEPARTMENTS:
        raise ValueError(f"'{department}' is not a department ({', '.join(DEPARTMENTS)})")


def insert_case(conn: Connection, property_id: str, author: str, meeting_id: int | None = None,
                lead_department: str | None = None, status: str = "new", opened_at: datetime | None = None) -> int | None:
    """Open a case on a property with its "opened" event; returns its case_id, or None when the
    property has an open case already (one open case per property, kept by the database)."""
    if status not in CASE_STATUSES or status == "resolved":
        raise ValueError(f"a case opens as one of {', '.join(s for s in CASE_STATUSES if s != 'resolved')}")
    _check_department(lead_department)
    stamp = now()
    try:
        with conn.begin_nested():
            case_id = conn.execute(cases.insert().values(
                property_id=property_id, status=status, lead_department=lead_department,
                opened_at=opened_at or stamp, version=1, updated_at=stamp)).inserted_primary_key[0]
    except sa.exc.IntegrityError:
        if open_case_for(conn, property_id) is None:
            raise
        return None
    _write_events(conn, case_id, 1, [("opened", {"status": status, "lead_department": lead_department})],
                  author, meeting_id, stamp)
    return case_id


def open_case(conn: Connection, property_id: str, author: str, meeting_id: int | None = None,
              lead_department: str | None = None, status: str = "new", opened_at: datetime | None = None) -> dict:
    """The property's open case, opened if it has none (unaudited: for loading and tests)."""
    found = open_case_for(conn, property_id)
    if found is None:
        case_id = insert_case(conn, property_id, author, meeting_id, lead_department, status, opened_at)
        found = get_case(conn, case_id) if case_id is not None else open_case_for(conn, property_id)
    return found


def _stale(conn: Connection, case_id: int, expected_version: int) -> StaleCase:
    current = conn.execute(sa.select(cases.c.version).where(cases.c.case_id == case_id)).scalar_one()
    return StaleCase(case_id, expected_version, current, _case_events(conn, case_id, expected_version))


def _bump(conn: Connection, case_id: int, stamp: datetime) -> int:
    """Step a case's version for a change that needs no version check (marking an action done)."""
    result = conn.execute(cases.update().where(cases.c.case_id == case_id)
                          .values(version=cases.c.version + 1, updated_at=stamp))
    if result.rowcount != 1:
        raise LookupError(f"case {case_id} does not exist")
    return conn.execute(sa.select(cases.c.version).where(cases.c.case_id == case_id)).scalar_one()


def _insert_action(conn: Connection, case_id: int, values: dict, author: str, meeting_id: int | None,
                   stamp: datetime) -> dict:
    action_id = conn.execute(case_actions.insert().values(
        case_id=case_id, meeting_id=meeting_id, created_by=author, created_at=stamp, **values)).inserted_primary_key[0]
    return {"action_id": action_id, **values}


def record_decision(conn: Connection, case_id: int, expected_version: int, changes: dict,
                    actions: Sequence[dict] = (), note: str | None = None, author: str = "",
                    meeting_id: int | None = None) -> tuple[int, list[str]]:
    """Record a meeting's decision on a case read at `expected_version`; returns the new version
    and the kinds of the events it made.

    changes (checked by integration.cases.check_changes) may set status and lead_department;
    actions (each checked by check_action) are new actions; note is free text. Every change becomes
    a case event (author, time, meeting). If the case was saved by someone else since
    `expected_version`, nothing is written: StaleCase.
    """
    if not author:
        raise ValueError("a decision needs its author")

    current = conn.execute(sa.select(cases).where(cases.c.case_id == case_id)).mappings().first()
    if current is None:
        raise LookupError(f"case {case_id} does not exist")
    if current["version"] != expected_version:
        raise _stale(conn, case_id, expected_version)
    stamp = now()
    version = expected_version + 1
    values = {name: value for name, value in changes.items() if current[name] != value}
    if "status" in values:
        values["closed_at"] = stamp if values["status"] == "resolved" else None
    # The version in the WHERE clause is the lock: of two saves on the same version, one matches.
    result = conn.execute(cases.update().where(cases.c.case_id == case_id, cases.c.version == expected_version)
                          .values(version=version, updated_at=stamp, **values))
    if result.rowcount != 1:
        raise _stale(conn, case_id, expected_version)
    events = [(name, {"from": current[name], "to": values[name]})
              for name in ("status", "lead_department") if name in values]
    events += [("action_added", _insert_action(conn, case_id, action, author, meeting_id, stamp))
               for action in actions]
    if note and note.strip():
        events.append(("note", {"text": note.strip()}))
    _write_events(conn, case_id, version, events or [("reviewed", {})], author, meeting_id, stamp)
    return version, [kind for kind, _ in events]


def check_version(conn: Connection, case_id: int, expected_version: int) -> None:
    """StaleCase, with what changed, when the case is no longer at `expected_version`."""
    current = conn.execute(sa.select(cases.c.version).where(cases.c.case_id == case_id)).scalar()
    if current != expected_version:
        raise _stale(conn, case_id, expected_version)


def add_action(conn: Connection, case_id: int, values: dict, author: str, meeting_id: int | None = None) -> int:
    """Add one action (checked by integration.cases.check_action) to a case outside a decision;
    returns its action_id."""
    stamp = now()
    version = _bump(conn, case_id, stamp)
    added = _insert_action(conn, case_id, values, author, meeting_id, stamp)
    _write_events(conn, case_id, version, [("action_added", added)], author, meeting_id, stamp)
    return added["action_id"]


def mark_action_done(conn: Connection, action_id: int, author: str, meeting_id: int | None = None,
                     done_at: datetime | None = None) -> int | None:
    """Mark an action done by `author` (a case event too); returns its case_id, None if it was done already."""
    action = conn.execute(sa.select(case_actions).where(case_actions.c.action_id == action_id)).mappings().first()
    if action is None:
        raise LookupError(f"action {action_id} does not exist")
    stamp = now()
    result = conn.execute(case_actions.update().where(case_actions.c.action_id == action_id,
                                                      case_actions.c.done_at.is_(None))
                          .values(done_at=done_at or stamp, done_by=author))
    if result.rowcount != 1:
        return None
    version = _bump(conn, action["case_id"], stamp)
    _write_events(conn, action["case_id"], version, [("action_done", {"action_id": action_id, "what": action["what"]})],
                  author, meeting_id, stamp)
    return action["case_id"]


def open_actions(conn: Connection, department: str | None = None, owner: str | None = None,
                 as_of: date | None = None) -> pd.DataFrame:
    """Actions not done yet, overdue first (oldest due first), then by due date (none last):
    action_id, case_id, property_id, address, what, owner, department, due_on, overdue, meeting_id,
    created_by, created_at, case_status, case_version."""
    as_of = as_of or date.today()
    overdue = sa.and_(case_actions.c.due_on.is_not(None), case_actions.c.due_on < as_of)
    query = (
        sa.select(case_actions.c.action_id, case_actions.c.case_id, cases.c.property_id, properties.c.address,
                  case_actions.c.what, case_actions.c.owner, case_actions.c.department, case_actions.c.due_on,
                  case_actions.c.meeting_id, case_actions.c.created_by, case_actions.c.created_at,
                  cases.c.status.label("case_status"), cases.c.version.label("case_version"))
        .join(cases, cases.c.case_id == case_actions.c.case_id)
        .join(properties, properties.c.property_id == cases.c.property_id)
        .where(case_actions.c.done_at.is_(None))
        .order_by(sa.case((overdue, 0), else_=1), sa.case((case_actions.c.due_on.is_(None), 1), else_=0),
                  case_actions.c.due_on, case_actions.c.department, case_actions.c.owner, case_actions.c.action_id)
    )
    if department is not None:
        query = query.where(case_actions.c.department == department)
    if owner is not None:
        query = query.where(case_actions.c.owner == owner)
    frame = read_frame(conn, query)
    frame.insert(8, "overdue", [due is not None and due < as_of for due in frame["due_on"]])
    return frame


def list_cases(conn: Connection, statuses: Sequence[str] | None = None) -> pd.DataFrame:
    """Cases (all, or with the given statuses): case_id, property_id, address, status,
    lead_department, opened_at, closed_at, version, updated_at; oldest first."""
    query = (
        sa.select(cases.c.case_id, cases.c.property_id, properties.c.address, cases.c.status,
                  cases.c.lead_department, cases.c.opened_at, cases.c.closed_at, cases.c.version, cases.c.updated_at)
        .join(properties, properties.c.property_id == cases.c.property_id)
        .order_by(cases.c.opened_at, cases.c.case_id)
    )
    if statuses is not None:
        query = query.where(cases.c.status.in_(list(statuses)))
    return read_frame(conn, query)


def reopen_case(conn: Connection, case_id: int, author: str, reason: str, meeting_id: int | None = None,
                status: str = "new") -> int:
    """Reopen a resolved case (its property flagged again): status back to `status`, a "reopened"
    event; returns the new version. Raises ValueError if the case is not resolved or the
    property already has another open case."""
    if status not in ("new", "monitoring"):
        raise ValueError("a case reopens as new or monitoring")
    current = conn.execute(sa.select(cases).where(cases.c.case_id == case_id)).mappings().first()
    if current is None:
        raise LookupError(f"case {case_id} does not exist")
    if current["status"] != "resolved":
        raise ValueError(f"case {case_id} is {current['status']}, not resolved: nothing to reopen")
    other = open_case_for(conn, current["property_id"])
    if other is not None:
        raise ValueError(f"{current['property_id']} already has open case {other['case_id']}")
    stamp = now()
    version = current["version"] + 1
    result = conn.execute(cases.update().where(cases.c.case_id == case_id, cases.c.version == current["version"])
                          .values(status=status, closed_at=None, version=version, updated_at=stamp))
    if result.rowcount != 1:
        raise _stale(conn, case_id, current["version"])
    _write_events(conn, case_id, version, [("reopened", {"status": status, "reason": reason,
                                                         "resolved_at": current["closed_at"]})],
                  author, meeting_id, stamp)
    return version


def minutes_input(conn: Connection, meeting_id: int) -> dict:
    """What the minutes of a meeting are made of: the meeting, and per agenda item (in order, not
    dropped; then properties decided on off the agenda) the property, its case with the whole
    event history and actions. integration.minutes turns it into the document."""
    meeting = get_meeting(conn, meeting_id)
    if meeting is None:
        raise LookupError(f"meeting {meeting_id} does not exist")
    agenda = meeting_agenda(conn, meeting_id)
    decided = conn.execute(
        sa.select(cases.c.property_id, sa.func.max(case_events.c.case_id))
        .join(cases, cases.c.case_id == case_events.c.case_id)
        .where(case_events.c.meeting_id == meeting_id)
        .group_by(cases.c.property_id)).all()
    case_of = {property_id: case_id for property_id, case_id in decided}
    listed = [(row.property_id, row.address, row.section, row.case_id) for row in agenda.itertuples()]
    on_agenda = {property_id for property_id, *_ in listed}
    for property_id in sorted(set(case_of) - on_agenda):
        address = conn.execute(sa.select(properties.c.address)
                               .where(properties.c.property_id == property_id)).scalar()
        listed.append((property_id, address, "added", None))
    items = []
    for property_id, address, section, open_case_id in listed:
        case_id = case_of.get(property_id) or (None if pd.isna(open_case_id) else int(open_case_id))
        items.append({"property_id": property_id, "address": address, "section": section,
                      "case": get_case(conn, case_id) if case_id is not None else None})
    return {"meeting": meeting, "items": items}
