"""Cases: the rules of the biweekly meeting, kept apart from the database.

A flagged property the team takes on becomes a case with a status, a lead department and
actions. This module says what a decision may change, when a resolved case reopens, how the
agenda of a meeting is built from the scores, and whether cases worked (`outcomes`).
services.meetings applies them to the cases storage keeps.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from integration.scoring import load_config
from vocabulary import AGENDA_SECTIONS, AGENDA_SECTION_LABELS, CASE_STATUSES, CASE_STATUS_LABELS, DEPARTMENT_LABELS

STATUS_LABELS = CASE_STATUS_LABELS
STATUSES = CASE_STATUSES
OPEN_STATUSES = tuple(s for s in STATUSES if s != "resolved")
REOPEN_STATUS = "new"  # a case that flags again comes back as something the team must decide on

# What a meeting's decision may change on the case itself; a note and new actions come beside it.
DECISION_FIELDS = ("status", "lead_department")
ACTION_FIELDS = ("what", "owner", "department", "due_on")

EVENT_LABELS = {
    "opened": "Case opened",
    "status": "Status changed",
    "lead_department": "Lead department changed",
    "note": "Note",
    "action_added": "Action agreed",
    "action_done": "Action done",
    "reopened": "Reopened",
    "reviewed": "Reviewed, no change",
}

SECTION_LABELS = AGENDA_SECTION_LABELS
SECTIONS = AGENDA_SECTIONS


class DecisionError(ValueError):
    """A decision that cannot be recorded as given; the message is for the person who typed it."""


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", status or "")


def department_label(department: str | None) -> str:
    return DEPARTMENT_LABELS.get(department or "", department or "")


def attendee_label(attendee: Mapping[str, object]) -> str:
    """How an attendee reads in the minutes: "Ann Lee (Police)", "Ann Lee", or "Police" for a
    department that attended without a name."""
    name, department = attendee.get("name") or "", department_label(attendee.get("department"))
    return f"{name} ({department})" if name and department else str(name or department)


def check_attendees(rows: Sequence[Mapping[str, object] | str]) -> list[dict]:
    """Who attended, as typed: each row a person's name, a department, or both (a plain string is
    a name). Blank rows skipped, an attendee listed twice kept once; an unknown department or a
    name over 120 characters refused by its row number."""
    checked, seen = [], set()
    for number, row in enumerate(rows, 1):
        row = {"name": row} if isinstance(row, str) else row
        name = str(row.get("name") or "").strip() if _typed(row.get("name")) else ""
        department = row.get("department") if _typed(row.get("department")) else None
        if not name and department is None:
            continue
        if department is not None and department not in DEPARTMENT_LABELS:
            raise DecisionError(f"attendee row {number}: '{department}' is not a department "
                                f"({', '.join(DEPARTMENT_LABELS.values())})")
        if len(name) > 120:
            raise DecisionError(f"attendee row {number}: the name is {len(name)} characters long, at most 120")
        attendee = {"name": name or None, "department": department}
        if (attendee["name"], department) not in seen:
            seen.add((attendee["name"], department))
            checked.append(attendee)
    return checked


# --- decisions ------------------------------------------------------------------------------


def check_changes(changes: Mapping[str, object]) -> dict:
    """The changes of a decision, checked: only DECISION_FIELDS, known statuses and departments."""
    unknown = sorted(set(changes) - set(DECISION_FIELDS))
    if unknown:
        raise DecisionError(f"a decision can change {', '.join(DECISION_FIELDS)}, not {', '.join(unknown)}")
    checked = dict(changes)
    if "status" in checked and checked["status"] not in STATUSES:
        raise DecisionError(f"'{checked['status']}' is not a case status ({', '.join(STATUSES)})")
    if "lead_department" in checked:
        lead = checked["lead_department"] or None
        if lead is not None and lead not in DEPARTMENT_LABELS:
            raise DecisionError(f"'{lead}' is not a department ({', '.join(DEPARTMENT_LABELS)})")
        checked["lead_department"] = lead
    return checked


def check_action(action: Mapping[str, object]) -> dict:
    """One new action, checked: it says what is to be done; department known; due date a date."""
    unknown = sorted(set(action) - set(ACTION_FIELDS))
    if unknown:
        raise DecisionError(f"an action has {', '.join(ACTION_FIELDS)}, not {', '.join(unknown)}")
    what = str(action.get("what") or "").strip()
    if not what:
        raise DecisionError("an action needs to say what is to be done")
    department = action.get("department") or None
    if department is not None and department not in DEPARTMENT_LABELS:
        raise DecisionError(f"'{department}' is not a department ({', '.join(DEPARTMENT_LABELS)})")
    due_on = action.get("due_on") or None
    if isinstance(due_on, datetime):
        due_on = due_on.date()
    if due_on is not None and not isinstance(due_on, date):
        raise DecisionError(f"the due date of '{what}' is {due_on!r}, not a date")
    owner = str(action.get("owner") or "").strip() or None
    return {"what": what, "owner": owner, "department": department, "due_on": due_on}


def check_actions(rows: Sequence[Mapping[str, object]]) -> list[dict]:
    """The new actions of a decision as typed, row by row: blank rows skipped, every other row
    checked; a row with an owner, a department or a due date but nothing to do is refused by its number."""
    checked = []
    for number, row in enumerate(rows, 1):
        if not any(_typed(row.get(name)) for name in ACTION_FIELDS):
            continue
        if not _typed(row.get("what")):
            given = [label for name, label in (("owner", "an owner"), ("department", "a department"),
                                               ("due_on", "a due date")) if _typed(row.get(name))]
            raise DecisionError(f"new action row {number} has {' and '.join(given)} but does not say what is to "
                                "be done: fill in its “New action” or delete the row")
        try:
            checked.append(check_action(row))
        except DecisionError as problem:
            raise DecisionError(f"new action row {number}: {problem}") from None
    return checked


def check_decision(case: Mapping[str, object] | None, changes: Mapping[str, object],
                   actions: Sequence[Mapping[str, object]] = ()) -> tuple[dict, list[dict]]:
    """A decision on `case` (None: there is none yet), checked: its changes and its new actions
    (check_actions). A case left "Action assigned" needs an action not done yet, new or agreed before."""
    checked, new_actions = check_changes(changes), check_actions(actions)
    status = checked.get("status", (case or {}).get("status"))
    still_open = [a for a in ((case or {}).get("actions") or ()) if _maybe(a.get("done_at")) is None]
    if status == "action_assigned" and not new_actions and not still_open:
        raise DecisionError(f"“{status_label(status)}” needs an action and this case has none open: add a row "
                            "under “New action” saying what is to be done (and who does it), or choose another status")
    return checked, new_actions


def decision_events(current: Mapping[str, object], changes: Mapping[str, object],
                    actions: Sequence[Mapping[str, object]] = (), note: str | None = None) -> list[tuple[str, dict]]:
    """The (kind, body) events a decision writes on a case in state `current`: one per field that
    really changes, one per new action, one for the note; "reviewed" when it changes nothing."""
    checked = check_changes(changes)
    events = [(name, {"from": current.get(name), "to": value})
              for name, value in checked.items() if current.get(name) != value]
    events += [("action_added", check_action(action)) for action in actions]
    if note and note.strip():
        events.append(("note", {"text": note.strip()}))
    return events or [("reviewed", {})]


def state_after(events: Iterable[Mapping[str, object]]) -> dict:
    """Status and lead department after replaying events (oldest first): what a case looked like then."""
    state: dict = {"status": None, "lead_department": None}
    for event in events:
        body = event.get("body") or {}
        if event["kind"] == "opened":
            state = {"status": body.get("status", "new"), "lead_department": body.get("lead_department")}
        elif event["kind"] in DECISION_FIELDS:
            state[event["kind"]] = body.get("to")
        elif event["kind"] == "reopened":
            state["status"] = body.get("status", REOPEN_STATUS)
    return state


def describe_event(event: Mapping[str, object]) -> str:
    """One plain line for an event in a case history."""
    kind, body = event["kind"], event.get("body") or {}
    if kind == "opened":
        lead = f", lead {department_label(body.get('lead_department'))}" if body.get("lead_department") else ""
        return f"Case opened as {status_label(body.get('status', 'new'))}{lead}"
    if kind == "status":
        return f"Status: {status_label(body.get('from'))} -> {status_label(body.get('to'))}"
    if kind == "lead_department":
        return (f"Lead department: {department_label(body.get('from')) or 'none'} -> "
                f"{department_label(body.get('to')) or 'none'}")
    if kind == "note":
        return f"Note: {body.get('text', '')}"
    if kind == "action_added":
        return f"Action: {describe_action(body)}"
    if kind == "action_done":
        return f"Done: {body.get('what', '')}"
    if kind == "reopened":
        return f"Reopened as {status_label(body.get('status', REOPEN_STATUS))}: {body.get('reason', '')}".rstrip(": ")
    return EVENT_LABELS.get(kind, kind)


def describe_action(action: Mapping[str, object]) -> str:
    parts = [str(action.get("what") or "")]
    who = ", ".join(p for p in (action.get("owner"), department_label(action.get("department"))) if p)
    if who:
        parts.append(f"({who})")
    if action.get("due_on"):
        parts.append(f"due {action['due_on']}")
    return " ".join(parts)


# --- reopening ------------------------------------------------------------------------------


def should_reopen(status: str, closed_at: datetime | None, flagged: bool, last_record_at: datetime | None) -> bool:
    """A resolved case reopens when its property is flagged again on evidence newer than the
    resolution: a record placed after closed_at. A property still on the list only through
    records the team had already seen when it resolved the case does not bounce straight back."""
    if status != "resolved" or not flagged or last_record_at is None:
        return False
    return closed_at is None or pd.Timestamp(last_record_at) > pd.Timestamp(closed_at)


def cases_to_reopen(cases: pd.DataFrame | Iterable[Mapping], scored: pd.DataFrame,
                    records: pd.DataFrame) -> list[int]:
    """The case ids of resolved cases to reopen under `should_reopen`.

    cases: case_id, property_id, status, closed_at. scored: score() output (flagged, by property).
    records: property_id, occurred_at (placed records).
    """
    flagged = _flagged_ids(scored)
    last_record = (records.dropna(subset=["property_id"]).groupby("property_id")["occurred_at"].max().to_dict()
                   if len(records) else {})
    return [int(case["case_id"]) for case in _rows(cases)
            if should_reopen(case["status"], _maybe(case.get("closed_at")), case["property_id"] in flagged,
                             last_record.get(case["property_id"]))]


# --- the agenda -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaItem:
    """One property on a meeting's agenda, in the first section it qualifies for."""

    property_id: str
    section: str
    score: float | None = None
    why: str = ""
    departments: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    case_id: int | None = None
    actions_due: int = 0  # open actions due on the meeting day
    actions_overdue: int = 0  # open actions whose due date is before the meeting day
    added_by_hand: bool = False

    @property
    def section_label(self) -> str:
        return SECTION_LABELS[self.section]


def build_agenda(scored: pd.DataFrame, open_cases: pd.DataFrame | Iterable[Mapping],
                 open_actions: pd.DataFrame | Iterable[Mapping], last_meeting: date | None,
                 meeting_day: date) -> list[AgendaItem]:
    """The agenda of the meeting on `meeting_day`, section by section, each property once.

    Sections, in order: (1) flagged and new on the list since the last meeting (scored["new"]),
    (2) flagged with a rising score, (3) open cases with actions due by the meeting day or
    overdue, (4) the rest still flagged. Within a section, highest score first.
    scored: score_with_trend() output (by property_id) plus a boolean column `new`.
    open_cases: case_id, property_id. open_actions: case_id, due_on (not done).
    """
    frame = _by_property(scored)
    if "new" not in frame:
        frame["new"] = frame["flagged"] & ~frame.get("previous_flagged", pd.Series(True, index=frame.index))
    if "rising" not in frame:
        frame["rising"] = False
    flagged = frame[frame["flagged"].fillna(False).astype(bool)]
    case_of = {case["property_id"]: int(case["case_id"]) for case in _rows(open_cases)}
    property_of = {case_id: property_id for property_id, case_id in case_of.items()}
    due, overdue = _due_actions(open_actions, meeting_day)
    since = f"the meeting of {last_meeting:%b} {last_meeting.day}, {last_meeting:%Y}" if last_meeting else \
        "the previous window"

    def item(property_id: str, section: str, why: str) -> AgendaItem:
        row = frame.loc[property_id] if property_id in frame.index else None
        case_id = case_of.get(property_id)
        return AgendaItem(
            property_id=property_id, section=section, why=why,
            score=None if row is None else float(row["score"]),
            departments=() if row is None else _sequence(row.get("departments")),
            reasons=() if row is None else _sequence(row.get("reasons")),
            case_id=case_id, actions_due=due.get(case_id, 0), actions_overdue=overdue.get(case_id, 0))

    candidates: dict[str, list[AgendaItem]] = {section: [] for section in SECTIONS}
    for property_id, row in flagged.iterrows():
        if bool(row["new"]):
            candidates["new"].append(item(property_id, "new", f"New on the list since {since}"))
        elif bool(row["rising"]):
            previous = row.get("previous_score")
            was = f" from {float(previous):.1f}" if previous is not None and pd.notna(previous) else ""
            candidates["rising"].append(item(property_id, "rising", f"Score rose{was} to {float(row['score']):.1f}"))
    placed = {i.property_id for section in candidates.values() for i in section}
    for case_id in sorted(set(due) | set(overdue)):
        property_id = property_of.get(case_id)
        if property_id is None or property_id in placed:
            continue
        parts = [f"{n} action{'s' if n > 1 else ''} {label}" for n, label in
                 ((overdue.get(case_id, 0), "overdue"), (due.get(case_id, 0), "due today")) if n]
        candidates["actions_due"].append(item(property_id, "actions_due", ", ".join(parts)))
        placed.add(property_id)
    for property_id in flagged.index:
        if property_id not in placed:
            candidates["flagged"].append(item(property_id, "flagged", "Still flagged"))

    def by_score(agenda_item: AgendaItem):
        return (-(agenda_item.score if agenda_item.score is not None else float("-inf")), agenda_item.property_id)

    return [i for section in SECTIONS for i in sorted(candidates[section], key=by_score)]


def trim_agenda(items: list[AgendaItem], size: int) -> list[AgendaItem]:
    """At most `size` items: every case with actions due, then the highest scores whatever their
    section, so a short meeting never skips the worst properties; kept in agenda order. The
    properties heading for the list come on top of `size`: they were chosen, as many as asked
    for, when they were added (heading_items)."""
    due = [i.property_id for i in items if i.section == "actions_due"]
    rest = sorted((i for i in items if i.section not in ("actions_due", "heading")),
                  key=lambda i: -(i.score if i.score is not None else float("-inf")))
    chosen = set(due) | {i.property_id for i in rest[:max(0, size - len(due))]}
    return [i for i in items if i.property_id in chosen or i.section == "heading"]


def heading_items(entries: pd.DataFrame | Iterable[Mapping]) -> list[AgendaItem]:
    """The early warning's top entries (property_id, reasons: one line) as the agenda's "heading
    for the list" section, in their order."""
    return [AgendaItem(property_id=str(entry["property_id"]), section="heading",
                       why=str(entry.get("reasons") or ""),
                       reasons=tuple(r for r in str(entry.get("reasons") or "").split("; ") if r))
            for entry in _rows(entries)]


def _due_actions(open_actions, meeting_day: date) -> tuple[dict[int, int], dict[int, int]]:
    due: dict[int, int] = {}
    overdue: dict[int, int] = {}
    for action in _rows(open_actions):
        if action.get("done_at") is not None and not pd.isna(action.get("done_at")):
            continue
        due_on = _day(action.get("due_on"))
        if due_on is None or due_on > meeting_day:
            continue
        target = overdue if due_on < meeting_day else due
        target[int(action["case_id"])] = target.get(int(action["case_id"]), 0) + 1
    return due, overdue


# --- outcomes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeSummary:
    cases: int
    resolved: int
    resolved_quiet: int
    complete: int  # cases whose `days` after opening have fully passed
    by_department: pd.DataFrame = field(repr=False)  # department, before, after, change


def outcomes(records: pd.DataFrame, cases: pd.DataFrame | Iterable[Mapping], days: int = 90,
             as_of: datetime | None = None, min_departments: int | None = None) -> pd.DataFrame:
    """For every case: records per department in the `days` before it opened and the `days` after.

    records: property_id, department, occurred_at. cases: case_id, property_id, status, opened_at,
    closed_at. One row per case with before_<department>, after_<department>, before_total,
    after_total, change, complete (the after window has fully passed by `as_of`, default the
    newest record), resolved, records_since_resolved, departments_since_resolved and quiet.

    Quiet: resolved, and in the `days` after it was resolved (as far as `as_of`) the property had
    records from fewer than `min_departments` departments (default: the scoring rule), so it
    never came back to flagged level on new records.
    """
    min_departments = min_departments or load_config().min_departments
    rows = list(_rows(cases))
    columns = ["case_id", "property_id", "status", "opened_at", "closed_at",
               *[f"{when}_{d}" for when in ("before", "after") for d in DEPARTMENT_LABELS],
               "before_total", "after_total", "change", "complete", "resolved", "records_since_resolved",
               "departments_since_resolved", "quiet"]
    if not rows:
        return pd.DataFrame(columns=columns)
    located = records.loc[records["property_id"].notna(), ["property_id", "department", "occurred_at"]].copy()
    located["occurred_at"] = pd.to_datetime(located["occurred_at"])
    by_property = {pid: group for pid, group in located.groupby("property_id")}
    as_of = pd.Timestamp(as_of) if as_of is not None else (located["occurred_at"].max() if len(located)
                                                           else pd.Timestamp.now())
    window = timedelta(days=days)
    empty = located.iloc[0:0]
    out = []
    for case in rows:
        opened = pd.Timestamp(case["opened_at"])
        closed = _maybe(case.get("closed_at"))
        mine = by_property.get(case["property_id"], empty)
        before = mine[(mine["occurred_at"] >= opened - window) & (mine["occurred_at"] < opened)]
        after = mine[(mine["occurred_at"] >= opened) & (mine["occurred_at"] < opened + window)]
        row = {"case_id": case["case_id"], "property_id": case["property_id"], "status": case["status"],
               "opened_at": opened, "closed_at": closed}
        for name, part in (("before", before), ("after", after)):
            counts = part["department"].value_counts()
            for department in DEPARTMENT_LABELS:
                row[f"{name}_{department}"] = int(counts.get(department, 0))
            row[f"{name}_total"] = int(len(part))
        row["change"] = row["after_total"] - row["before_total"]
        row["complete"] = bool(opened + window <= as_of)
        row["resolved"] = case["status"] == "resolved"
        if row["resolved"] and closed is not None:
            since = mine[(mine["occurred_at"] > pd.Timestamp(closed))
                         & (mine["occurred_at"] <= pd.Timestamp(closed) + window)]
            row["records_since_resolved"] = int(len(since))
            row["departments_since_resolved"] = int(since["department"].nunique())
            row["quiet"] = row["departments_since_resolved"] < min_departments
        else:
            row["records_since_resolved"] = 0
            row["departments_since_resolved"] = 0
            row["quiet"] = False
        out.append(row)
    return pd.DataFrame(out, columns=columns)


def outcome_summary(table: pd.DataFrame, complete_only: bool = True) -> OutcomeSummary:
    """Cases, resolved, resolved and quiet; and records before vs after per department, summed
    over the cases whose after window has fully passed (or over all, with complete_only=False)."""
    compared = table[table["complete"].astype(bool)] if complete_only and len(table) else table
    by_department = pd.DataFrame([
        {"department": DEPARTMENT_LABELS[d], "before": int(compared[f"before_{d}"].sum()),
         "after": int(compared[f"after_{d}"].sum())} for d in DEPARTMENT_LABELS])
    by_department["change"] = by_department["after"] - by_department["before"]
    resolved = table["resolved"].astype(bool) if len(table) else pd.Series(dtype=bool)
    return OutcomeSummary(
        cases=int(len(table)),
        resolved=int(resolved.sum()),
        resolved_quiet=int((resolved & table["quiet"].astype(bool)).sum()) if len(table) else 0,
        complete=int(table["complete"].astype(bool).sum()) if len(table) else 0,
        by_department=by_department,
    )


# --- shapes ---------------------------------------------------------------------------------


def _rows(rows: pd.DataFrame | Iterable[Mapping] | None) -> list[dict]:
    if rows is None:
        return []
    if isinstance(rows, pd.DataFrame):
        return rows.to_dict("records")
    return [dict(row) for row in rows]


def _by_property(scored: pd.DataFrame) -> pd.DataFrame:
    frame = scored.set_index("property_id") if "property_id" in scored.columns else scored.copy()
    frame.index = frame.index.astype(str)
    return frame


def _flagged_ids(scored: pd.DataFrame) -> set[str]:
    frame = _by_property(scored)
    return set(frame.index[frame["flagged"].fillna(False).astype(bool)]) if len(frame) else set()


def _typed(value) -> bool:
    """Whether a cell of a form holds something: not None, NaN, NaT or blank text."""
    value = _maybe(value)
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def _sequence(value) -> tuple:
    return tuple(value) if isinstance(value, (list, tuple)) else ()


def _maybe(value):
    """None for missing values (None, NaN, NaT), the value otherwise."""
    if value is None:
        return None
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def _day(value) -> date | None:
    value = _maybe(value)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()
