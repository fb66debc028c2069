"""The biweekly coordination meeting: its agenda, the team's decisions and actions, the minutes, the
open actions and whether cases worked.

Entry points: `start_meeting`, `open_meeting`, `close_meeting`, `build_agenda`, `save_agenda`,
`edit_agenda`, `add_agenda_item`, `set_attendees`, `record_decision`, `add_action`, `mark_actions_done`,
`reopen_case`, `minutes`, `open_actions`, `outcomes`; reads: `meetings`, `meeting_on`,
`current_meeting`, `records_loaded`, `agenda`, `case_of`, `previous_meeting`, `cases_version`. Each
takes the engine first, owns its transaction and writes its own audit row.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy.engine import Engine

from integration import cases, minutes as minutes_rules
from services import early_warning, hotspots
from services.first_run import WHERE_TO_LOAD
from storage import audit_trail, casework, department_records
from storage.engine import reading, writing
from storage.casework import StaleCase  # noqa: F401 - what record_decision raises, for its callers

AGENDA_SIZE = 25  # what a two-hour meeting of the team can go through
AGENDA_HEADING = 5  # properties heading for the list (the early warning's top entries) added on top

NOTHING_TO_MEET_ON = "There is nothing to put on an agenda yet: no department records are loaded. " + WHERE_TO_LOAD


class NothingToMeetOn(ValueError):
    """No department record is loaded: an agenda built now would be empty."""

    def __init__(self):
        super().__init__(NOTHING_TO_MEET_ON)


class MeetingClosed(ValueError):
    """A decision, action or attendee change made in a meeting that is closed: it is reopened first."""

    def __init__(self, held_on):
        super().__init__(f"The meeting of {held_on:%B %-d, %Y} is closed: reopen it to record a decision in it.")


def _open_meeting(conn, meeting_id: int | None) -> None:
    """Raise MeetingClosed when `meeting_id` names a closed meeting (None: a decision outside a meeting)."""
    if meeting_id is None:
        return
    meeting = casework.get_meeting(conn, meeting_id)
    if meeting is not None and meeting["status"] == "closed":
        raise MeetingClosed(meeting["held_on"])


@dataclass(frozen=True)
class Started:
    """What starting a meeting did: the meeting, its agenda's size, and whether the day had a
    meeting already (then it is opened as it was, its agenda not rebuilt)."""

    meeting: dict
    items: int
    existed: bool


# --- meetings -------------------------------------------------------------------------------


def meetings(engine: Engine) -> pd.DataFrame:
    """Every meeting, newest first: meeting_id, held_on, status, created_by, agenda_items."""
    with reading(engine) as conn:
        return casework.list_meetings(conn)


def meeting_on(engine: Engine, held_on: date) -> dict | None:
    with reading(engine) as conn:
        return casework.meeting_on(conn, held_on)


def previous_meeting(engine: Engine, day: date) -> dict | None:
    """The latest meeting held before `day`, if any."""
    with reading(engine) as conn:
        return casework.previous_meeting(conn, day)


def records_loaded(engine: Engine) -> bool:
    """Whether any department record is loaded: without one there is nothing to put on an agenda."""
    return hotspots.date_range(engine)[1] is not None


def current_meeting(engine: Engine) -> dict | None:
    """The meeting in progress: the latest one not closed, if any."""
    with reading(engine) as conn:
        return casework.latest_open_meeting(conn)


def start_meeting(engine: Engine, held_on: date, author: str, size: int = AGENDA_SIZE,
                  heading: int = AGENDA_HEADING) -> Started:
    """Start the meeting on `held_on` with its agenda built from the data; when that day has a
    meeting already, open it as it is (existed: True). NothingToMeetOn when no record is loaded."""
    found = meeting_on(engine, held_on)
    if found is not None:
        return Started(found, len(agenda(engine, found["meeting_id"], include_dropped=False)), existed=True)
    count = build_agenda(engine, held_on, author, size, heading)
    return Started(meeting_on(engine, held_on), count, existed=False)


def close_meeting(engine: Engine, meeting_id: int, author: str, closed: bool = True) -> bool:
    """Close a meeting (closed=False: reopen it); False when it was so already."""
    status = "closed" if closed else "planned"
    with writing(engine) as conn:
        changed = casework.set_meeting_status(conn, meeting_id, status)
        if changed:
            audit_trail.audit(conn, author, "meeting_close" if closed else "meeting_reopen", f"meeting:{meeting_id}")
    return changed


def open_meeting(engine: Engine, held_on: date, author: str) -> dict:
    """The meeting held on `held_on`, created if there is none yet (one meeting per day)."""
    with writing(engine) as conn:
        if casework.meeting_on(conn, held_on) is None and casework.insert_meeting(conn, held_on, author):
            audit_trail.audit(conn, author, "meeting_open", f"meeting:{held_on.isoformat()}")
        return casework.meeting_on(conn, held_on)


def set_attendees(engine: Engine, meeting_id: int, attendees: Sequence[Mapping[str, object] | str],
                  author: str) -> list[dict]:
    """Record who attended: rows of name and department (cases.check_attendees: blank rows
    dropped, an unknown department refused by its row); returns the attendees kept."""
    kept = cases.check_attendees(attendees)
    with writing(engine) as conn:
        casework.set_attendees(conn, meeting_id, kept)
        audit_trail.audit(conn, author, "meeting_attendees", f"meeting:{meeting_id}",
                          json.dumps([cases.attendee_label(attendee) for attendee in kept]))
    return kept


# --- the agenda -----------------------------------------------------------------------------


def agenda(engine: Engine, meeting_id: int, include_dropped: bool = True) -> pd.DataFrame:
    """The meeting's agenda in order (read uncached: the lead edits it during the meeting)."""
    with reading(engine) as conn:
        return casework.meeting_agenda(conn, meeting_id, include_dropped=include_dropped)


def agenda_filters(engine: Engine, held_on: date) -> hotspots.Filters | None:
    """The hotspots view an agenda is built from: the default window ending at the meeting (or at
    the last record, when the data stops before it); None without records."""
    _first, last_day = hotspots.date_range(engine)
    return hotspots.default_filters(min(held_on, last_day)) if last_day is not None else None


def build_agenda(engine: Engine, held_on: date, author: str, size: int = AGENDA_SIZE,
                 heading: int = AGENDA_HEADING) -> int:
    """Open the meeting on `held_on` if needed, reopen resolved cases that flag again, then write
    its agenda from the data: new on the list, rising, actions due, the rest still flagged, at
    most `size` items (cases.trim_agenda); then up to `heading` properties heading for the list,
    from the early warning's latest stored run (none before its first run). Returns the number of
    items. NothingToMeetOn, and no meeting opened, when no record is loaded."""
    filters = agenda_filters(engine, held_on)
    if filters is None:
        raise NothingToMeetOn()
    meeting = open_meeting(engine, held_on, author)
    scored = hotspots.hotspots(engine, filters)
    entries = early_warning.agenda_entries(engine, heading) if heading > 0 else None
    end = hotspots.window_end(filters.end)
    with reading(engine) as conn:
        placed = department_records.placed_records(conn, end - timedelta(days=filters.days), end)
        resolved = casework.list_cases(conn, ["resolved"])
        last = casework.previous_meeting(conn, held_on)
    with writing(engine) as conn:
        for case_id in cases.cases_to_reopen(resolved, scored, placed):
            _reopen(conn, case_id, author, "flagged again", meeting["meeting_id"])
        items = _agenda_items(conn, scored, held_on, last["held_on"] if last else None, entries)
        return _save_agenda(conn, meeting["meeting_id"], cases.trim_agenda(items, size), author)


def _agenda_items(conn, scored: pd.DataFrame, held_on: date, last_meeting: date | None,
                  heading: pd.DataFrame | None = None) -> list[cases.AgendaItem]:
    """Every candidate of the agenda, section by section in agenda order, each property once (in
    the first section it is in). A further section adds its items to `sections` where it belongs."""
    sections = [cases.build_agenda(scored, casework.list_cases(conn, list(cases.OPEN_STATUSES)),
                                   casework.open_actions(conn, as_of=held_on), last_meeting, held_on)]
    if heading is not None and len(heading):
        sections.append(cases.heading_items(heading))
    items, placed = [], set()
    for section in sections:
        for item in section:
            if item.property_id not in placed:
                placed.add(item.property_id)
                items.append(item)
    return items


def save_agenda(engine: Engine, meeting_id: int, items: Sequence, author: str) -> int:
    """Replace the meeting's agenda with `items` in order (AgendaItems or dicts with property_id,
    section and optionally score, why); returns how many were saved (each property once)."""
    with writing(engine) as conn:
        return _save_agenda(conn, meeting_id, items, author)


def _save_agenda(conn, meeting_id: int, items: Sequence, author: str) -> int:
    count = casework.save_agenda(conn, meeting_id, items)
    audit_trail.audit(conn, author, "agenda_save", f"meeting:{meeting_id}", json.dumps({"items": count}))
    return count


def edit_agenda(engine: Engine, meeting_id: int, order: Sequence[str] = (), dropped: Mapping[str, bool] | None = None,
                author: str = "") -> None:
    """The lead's edit of an agenda, in one transaction: the properties in `order` first, in that
    order (the others after, as they were), then each property in `dropped` dropped (True, kept
    but marked) or brought back (False)."""
    with writing(engine) as conn:
        if order:
            casework.reorder_agenda(conn, meeting_id, order)
            audit_trail.audit(conn, author, "agenda_reorder", f"meeting:{meeting_id}", json.dumps(list(order)))
        for property_id, drop in (dropped or {}).items():
            casework.drop_agenda_item(conn, meeting_id, property_id, dropped=drop)
            audit_trail.audit(conn, author, "agenda_drop" if drop else "agenda_undrop", f"meeting:{meeting_id}",
                             property_id)


def add_agenda_item(engine: Engine, meeting_id: int, property_id: str, author: str, position: int | None = None,
                    why: str | None = None) -> None:
    """Add a property by hand (at the end, or at 1-based `position`); one already there comes back undropped."""
    with writing(engine) as conn:
        casework.add_agenda_item(conn, meeting_id, property_id, position=position, why=why)
        audit_trail.audit(conn, author, "agenda_add", f"meeting:{meeting_id}", property_id)


# --- cases, decisions and actions -----------------------------------------------------------


def case_of(engine: Engine, property_id: str) -> dict | None:
    """The property's open case with its actions and events, if it has one."""
    with reading(engine) as conn:
        return casework.open_case_for(conn, property_id)


def cases_version(engine: Engine) -> tuple[int, int]:
    """Changes whenever a case is opened or saved: a cache key for reads of the cases."""
    with reading(engine) as conn:
        return casework.cases_version(conn)


def open_case(engine: Engine, property_id: str, author: str, meeting_id: int | None = None,
              lead_department: str | None = None, opened_at: datetime | None = None) -> dict:
    """Open a case on a property, or return the one already open (one open case per property)."""
    with writing(engine) as conn:
        return _open_case(conn, property_id, author, meeting_id, lead_department, opened_at)


def _open_case(conn, property_id: str, author: str, meeting_id: int | None, lead_department: str | None = None,
               opened_at: datetime | None = None) -> dict:
    found = casework.open_case_for(conn, property_id)
    if found is not None:
        return found
    case_id = casework.insert_case(conn, property_id, author, meeting_id, lead_department, opened_at=opened_at)
    if case_id is None:  # opened by someone else a moment ago
        return casework.open_case_for(conn, property_id)
    audit_trail.audit(conn, author, "case_open", f"case:{case_id}", property_id)
    return casework.get_case(conn, case_id)


def record_decision(engine: Engine, property_id: str, seen_version: int, changes: Mapping[str, object],
                    actions: Sequence[Mapping[str, object]] = (), note: str | None = None, author: str = "",
                    meeting_id: int | None = None) -> int:
    """Record a meeting's decision on the property's case as the author was shown it, at
    `seen_version` (0: there was no case, this decision opens one); returns the case's new version.

    changes may set status and lead_department; actions are the new action rows as typed (what,
    owner, department, due_on; blank rows skipped, cases.check_decision); note is free text. If the
    case was saved by someone else after the version shown, nothing is written: StaleCase tells what
    they changed. A bad change or action (which row lacks what): cases.DecisionError, a ValueError;
    a decision in a closed meeting: MeetingClosed, a ValueError.
    """
    with writing(engine) as conn:
        _open_meeting(conn, meeting_id)
        case, expected = casework.open_case_for(conn, property_id), seen_version
        if case is not None:  # saved by someone else since it was shown: say so before judging the decision
            casework.check_version(conn, case["case_id"], seen_version)
        checked, action_values = cases.check_decision(case, changes, actions)
        if case is None:
            case = _open_case(conn, property_id, author, meeting_id)
            if seen_version == 0:  # no case when the form was shown: this save opened it
                expected = case["version"]
        # A case opened by someone else after the form was shown without one is a stale save too.
        return _decide(conn, case["case_id"], expected, checked, action_values, note, author, meeting_id)


def _decide(conn, case_id: int, expected: int, changes: dict, actions: list[dict], note: str | None, author: str,
            meeting_id: int | None) -> int:
    version, kinds = casework.record_decision(conn, case_id, expected, changes, actions, note, author, meeting_id)
    audit_trail.audit(conn, author, "case_decision", f"case:{case_id}",
                     json.dumps({"version": version, "meeting_id": meeting_id, "events": kinds}))
    return version


def add_action(engine: Engine, case_id: int, action: Mapping[str, object], author: str,
               meeting_id: int | None = None) -> int:
    """Add one action to a case outside a decision; returns its action_id."""
    values = cases.check_action(action)
    with writing(engine) as conn:
        action_id = casework.add_action(conn, case_id, values, author, meeting_id)
        audit_trail.audit(conn, author, "action_add", f"case:{case_id}",
                         json.dumps({"action_id": action_id, **values}, default=str))
    return action_id


def mark_action_done(engine: Engine, action_id: int, author: str, meeting_id: int | None = None) -> bool:
    """Mark an action done by `author` (a case event too); False if it was already done."""
    return mark_actions_done(engine, [action_id], author, meeting_id) == 1


def mark_actions_done(engine: Engine, action_ids: Sequence[int], author: str, meeting_id: int | None = None) -> int:
    """Mark actions done, in one transaction; returns how many were not done before."""
    done = 0
    with writing(engine) as conn:
        for action_id in action_ids:
            case_id = casework.mark_action_done(conn, int(action_id), author, meeting_id)
            if case_id is not None:
                audit_trail.audit(conn, author, "action_done", f"action:{action_id}", f"case:{case_id}")
                done += 1
    return done


def reopen_case(engine: Engine, case_id: int, author: str, reason: str, meeting_id: int | None = None,
                status: str = cases.REOPEN_STATUS) -> int:
    """Reopen a resolved case (its property flagged again); returns the new version."""
    with writing(engine) as conn:
        return _reopen(conn, case_id, author, reason, meeting_id, status)


def _reopen(conn, case_id: int, author: str, reason: str, meeting_id: int | None,
            status: str = cases.REOPEN_STATUS) -> int:
    version = casework.reopen_case(conn, case_id, author, reason, meeting_id, status)
    audit_trail.audit(conn, author, "case_reopen", f"case:{case_id}", reason)
    return version


# --- after the meeting ----------------------------------------------------------------------


def minutes(engine: Engine, meeting_id: int) -> minutes_rules.Minutes:
    """The minutes of a meeting: per agenda item, what this meeting decided."""
    with reading(engine) as conn:
        return minutes_rules.build_minutes(casework.minutes_input(conn, meeting_id))


def open_actions(engine: Engine, department: str | None = None, owner: str | None = None,
                 as_of: date | None = None) -> pd.DataFrame:
    """Actions not done yet, overdue first, then by due date (none last)."""
    with reading(engine) as conn:
        return casework.open_actions(conn, department=department, owner=owner, as_of=as_of or date.today())


def outcomes(engine: Engine, days: int = 90) -> pd.DataFrame:
    """Records per department in the `days` before and after each case opened."""
    with reading(engine) as conn:
        all_cases = casework.list_cases(conn)
        if all_cases.empty:
            return pd.DataFrame()
        first = pd.to_datetime(all_cases["opened_at"]).min() - pd.Timedelta(days=days)
        _start, last = department_records.record_date_range(conn)
        placed = department_records.placed_records(conn, first.to_pydatetime(), pd.Timestamp(last).to_pydatetime())
    return cases.outcomes(placed, all_cases, days=days)
