"""Small display builders shared by pages: key figures and tables, no data access.

Every table a person reads goes through `show_table`: each column under a label (`column_label`),
a dash for a missing value, and one note naming the columns hidden for the reader's role.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime

import pandas as pd
import streamlit as st

from integration import access
from loaders.specs import CANONICAL_FIELDS
from loaders.validate import REJECT_KINDS
from vocabulary import CASE_STATUS_LABELS, DEPARTMENT_LABELS, MATCH_STATUS_HELP, MATCH_STATUS_LABELS


def department_label(department: str) -> str:
    return DEPARTMENT_LABELS.get(department, department)


MISSING = "–"  # what a table shows for a value that is not there
HIDDEN = "hidden for your role"

# Stored column names as a person reads them, for tables shown as they come from a service.
COLUMN_LABELS = {
    "case_id": "Case",
    "property_id": "Property id",
    "address": "Address",
    "department": "Department",
    "before": "Records before",
    "after": "Records after",
    "before_crm": "Customer Service before",
    "after_crm": "Customer Service after",
    "before_fire": "Fire before",
    "after_fire": "Fire after",
    "before_police": "Police before",
    "after_police": "Police after",
    "before_public_works": "Public Works before",
    "after_public_works": "Public Works after",
    "opened_at": "Opened",
    "status": "Status",
    "resolved": "Resolved",
    "complete": "Full after-period",
    "quiet_after": "Quiet after",
    "name": "User name",
    "display_name": "Name",
    "role": "Role",
    "role_label": "Role",
    "lead": "Team lead",
    "disabled": "Disabled",
    "locked_until": "Locked until",
    "failed_attempts": "Failed sign-ins",
    "last_sign_in": "Last sign-in",
    "must_change_password": "Must change password",
    "password_changed_at": "Password changed",
    "created_by": "Created by",
    "created_at": "Created",
    "session_id": "Session",
    "browser": "Browser",
    "last_seen_at": "Last seen",
    "expires_at": "Ends by",
    "method": "Signed in with",
    "audit_id": "Entry",
    "at": "When",
    "user_name": "User",
    "action": "Action",
    "target": "What",
    "detail": "Detail",
}


def column_label(name: object) -> str:
    """A column as a person reads it: its label, or a raw name ("due_on") written as words ("Due on")."""
    text = str(name)
    if text in COLUMN_LABELS:
        return COLUMN_LABELS[text]
    if text in FIELD_LABELS:
        return FIELD_LABELS[text]
    if "_" in text or text.islower():
        words = text.replace("_", " ").strip()
        return words[:1].upper() + words[1:]
    return text


def _missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, (list, tuple, set, dict)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _shown_value(value, date_format: str) -> str:
    """One cell of a column that has missing values, as text (a column of one type for the grid)."""
    if _missing(value):
        return MISSING
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return value.strftime(date_format)
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:.6g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def readable(frame: pd.DataFrame, labels: Mapping[str, str] | None = None, hidden: Iterable[str] = (),
             date_format: str = "%Y-%m-%d %H:%M") -> pd.DataFrame:
    """The table as a person reads it: columns labelled (`labels` first, then `column_label`); a
    missing value a dash, except in the `hidden` columns, which stay blank. A column with nothing
    missing keeps its type, so its numbers and dates still sort and format as such."""
    hidden = set(hidden)
    shown = frame.copy()
    for column in shown.columns:
        values = shown[column]
        if column in hidden:
            shown[column] = values.astype(object).where(values.notna(), "")
        elif values.isna().any():
            fmt = date_format
            if pd.api.types.is_datetime64_any_dtype(values) and (values.dropna() == values.dropna().dt.normalize()).all():
                fmt = "%Y-%m-%d"  # dates carried as midnight
            shown[column] = values.astype(object).map(lambda v, fmt=fmt: _shown_value(v, fmt))
    labels = dict(labels or {})
    return shown.rename(columns={column: labels.get(column, column_label(column)) for column in shown.columns})


def hidden_columns(user: access.User | None, frame: pd.DataFrame, department: str | None = None) -> tuple[str, ...]:
    """The columns of a table of records (by stored name) that `user` may not read for at least one
    of its rows' departments (its `department` column, else `department`): pass them to `show_table`."""
    departments = list(frame["department"].dropna().unique()) if "department" in frame.columns else [department]
    return tuple(sorted({column for each in departments for column in access.hidden_fields(user, each)
                         if column in frame.columns}))


def hidden_note(hidden: Iterable[str], labels: Mapping[str, str] | None = None) -> str | None:
    """The one line under a table that says which of its columns the reader's role may not see."""
    names = [dict(labels or {}).get(column, column_label(column)) for column in hidden]
    if not names:
        return None
    return f"{', '.join(names)}: {HIDDEN}."


def show_table(frame: pd.DataFrame, labels: Mapping[str, str] | None = None, hidden: Iterable[str] = (),
               date_format: str = "%Y-%m-%d %H:%M", **dataframe_args):
    """`st.dataframe` of `readable(frame)`, without the index; `hidden` are the columns (by stored
    name) blanked for the reader's role, named once under the table. Returns what st.dataframe returns."""
    hidden = [column for column in hidden if column in frame.columns]
    dataframe_args.setdefault("hide_index", True)
    shown = st.dataframe(readable(frame, labels, hidden, date_format), **dataframe_args)
    note = hidden_note(hidden, labels)
    if note:
        st.caption(note)
    return shown


def plural(count: int, one: str, many: str | None = None) -> str:
    """"1 property", "2 properties", "1,204 records"."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


PERCENT_FORMAT = "%.1f%%"  # a table's percentages (values 0 to 100), as `percent` writes a figure's


def percent(share: float | None) -> str:
    """A share (0 to 1) as every figure writes it: one decimal and a percent sign, "87.3%"."""
    return MISSING if share is None or pd.isna(share) else f"{100 * share:.1f}%"


def overview_metrics(departments: pd.DataFrame, property_count: int) -> None:
    total = int(departments["records"].sum())
    located = int(departments["block"].sum() + departments["intersection"].sum())
    first, last = departments["first_record"].min(), departments["last_record"].max()
    columns = st.columns(5)
    columns[0].metric("Records", f"{total:,}", help=f"{plural(property_count, 'property', 'properties')} in the master")
    columns[1].metric("On a property", percent(departments['matched'].sum() / total if total else None),
                      help="Records joined to one property (parcel)")
    columns[2].metric("At a block or intersection", percent(located / total if total else None),
                      help="Kept at the block or corner the department wrote; never forced onto one parcel")
    columns[3].metric("For review", f"{departments['review'].sum():,}",
                      help="Plausible properties, but not safe to join automatically")
    columns[4].metric("Unmatched", f"{departments['unmatched'].sum():,}",
                      help="Nothing usable: blank, unknown, PO box, outside the city")
    if pd.notna(first):
        st.caption(f"Records from {first:%B %-d, %Y} to {last:%B %-d, %Y} · "
                   f"{plural(property_count, 'property', 'properties')}")


def department_table(departments: pd.DataFrame) -> None:
    records = departments["records"].where(departments["records"] > 0)
    table = pd.DataFrame(
        {
            "Department": departments["department"].map(department_label),
            "Records": departments["records"],
            "First record": departments["first_record"],
            "Last record": departments["last_record"],
            "On a property": 100 * departments["matched"] / records,
            "Block or intersection": 100 * (departments["block"] + departments["intersection"]) / records,
            "For review": departments["review"],
            "Unmatched": departments["unmatched"],
            "Last load": departments["last_load"],
        }
    )
    share = {"format": PERCENT_FORMAT, "min_value": 0, "max_value": 100}  # written as the figures above write it
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "Records": st.column_config.NumberColumn(format="localized"),
            "For review": st.column_config.NumberColumn(format="localized"),
            "Unmatched": st.column_config.NumberColumn(format="localized"),
            "On a property": st.column_config.ProgressColumn(**share),
            "Block or intersection": st.column_config.ProgressColumn(**share),
            "First record": st.column_config.DateColumn(format="MMM D, YYYY"),
            "Last record": st.column_config.DateColumn(format="MMM D, YYYY"),
            "Last load": st.column_config.DatetimeColumn(format="MMM D, YYYY HH:mm"),
        },
    )


STATUS_LABELS = MATCH_STATUS_LABELS
STATUS_HELP = MATCH_STATUS_HELP

DECISION_LABELS = {
    "property": "Placed on a property",
    "block": "A block",
    "intersection": "An intersection",
    "not_property": "Not a property",
    "outside": "Outside the city",
}


# Short names for the canonical fields, for a form of one box per field; loaders.specs.CANONICAL_FIELDS
# says what each field holds (the form's help text).
FIELD_LABELS = {
    "source_record_id": "Record id",
    "occurred_at": "Date and time",
    "occurred_date": "Date",
    "occurred_time": "Time",
    "category": "Category",
    "subcategory": "Sub-category",
    "status": "Status",
    "closed_at": "Closed",
    "address": "Address",
    "address_number": "House number",
    "address_predir": "Direction before street",
    "address_street": "Street name",
    "address_type": "Street type",
    "address_postdir": "Direction after street",
    "address_unit": "Unit or apartment",
    "address_block": "Block number",
    "city": "City",
    "zip": "ZIP code",
    "lat": "Latitude",
    "lon": "Longitude",
    "point": "Point (lat, lon)",
    "x": "Projected x",
    "y": "Projected y",
    "parcel_id": "Parcel id",
    "description": "Description",
    "routed_department": "Routed to",
}


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, field.replace("_", " ").capitalize())


def field_help(field: str) -> str:
    """What a canonical field holds, as the loaders describe it."""
    text = CANONICAL_FIELDS.get(field, field)
    return text[:1].upper() + text[1:]


def status_metrics(counts: dict[str, int]) -> None:
    """One metric per match status: how many records, and their share of all."""
    total = sum(counts.values())
    for column, (status, label) in zip(st.columns(len(STATUS_LABELS)), STATUS_LABELS.items()):
        count = int(counts.get(status, 0))
        column.metric(label, percent(count / total if total else None), plural(count, "record"), delta_color="off",
                      delta_arrow="off", help=STATUS_HELP[status])


def short_hash(file_hash: str | None) -> str:
    return (file_hash or "")[:8]


def days_ago(days: int) -> str:
    return {0: "today", 1: "yesterday"}.get(days, f"{days:,} days ago")


def reject_kind_label(kind: str | None) -> str:
    """A reject's kind as a person reads it: "The date is in the future"."""
    text = REJECT_KINDS.get(kind or "other", (kind or "other").replace("_", " "))
    return text[:1].upper() + text[1:]


def rejects_table(rejects: pd.DataFrame) -> pd.DataFrame:
    """Rejected rows as shown and downloaded: Row, Kind (in words), Reason, Row as written."""
    names = {"row_number": "Row", "kind": "Kind", "reason": "Reason", "raw": "Row as written"}
    if "kind" in rejects:
        rejects = rejects.assign(kind=rejects["kind"].map(reject_kind_label))
    return rejects[[column for column in names if column in rejects]].rename(columns=names)


def sentence(note: str) -> str:
    """A loader's note ("read as Windows-1252 ...") as a sentence: capitalised, with a full stop."""
    note = note.strip()
    return note[:1].upper() + note[1:] + ("" if note.endswith((".", "!", "?")) else ".")


def outcomes_table(table: pd.DataFrame, addresses: Mapping[str, str]) -> pd.DataFrame:
    """Each case before and after it opened, as the Outcomes page lists it: the property's address
    first, then the case and its records per department; a link to the property last, no ids."""
    shown = pd.DataFrame({
        "Address": table["property_id"].map(lambda pid: addresses.get(pid, pid)),
        "Case status": table["status"].map(lambda status: CASE_STATUS_LABELS.get(status, status)),
        "Opened": table["opened_at"],
        "Closed": table["closed_at"],
    })
    for department, label in DEPARTMENT_LABELS.items():
        for when in ("before", "after"):
            if f"{when}_{department}" in table:
                shown[f"{label} {when}"] = table[f"{when}_{department}"]
    shown["All before"], shown["All after"], shown["Change"] = table["before_total"], table["after_total"], table["change"]
    shown["Full after-period"] = table["complete"]
    shown["Resolved"] = table["resolved"]
    shown["Records since resolved"] = table["records_since_resolved"]
    shown["Departments since resolved"] = table["departments_since_resolved"]
    shown["Stayed quiet"] = table["quiet"]
    shown["Property"] = [f"/property?property={pid}" for pid in table["property_id"]]
    return shown
