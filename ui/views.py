"""Small display builders shared by pages: key figures and tables, no data access."""

import pandas as pd
import streamlit as st

from loaders.specs import CANONICAL_FIELDS
from loaders.validate import REJECT_KINDS
from vocabulary import DEPARTMENT_LABELS, MATCH_STATUS_HELP, MATCH_STATUS_LABELS


def department_label(department: str) -> str:
    return DEPARTMENT_LABELS.get(department, department)


def overview_metrics(departments: pd.DataFrame, property_count: int) -> None:
    total = int(departments["records"].sum())
    located = int(departments["block"].sum() + departments["intersection"].sum())
    first, last = departments["first_record"].min(), departments["last_record"].max()
    columns = st.columns(5)
    columns[0].metric("Records", f"{total:,}", help=f"{property_count:,} properties in the master")
    columns[1].metric("On a property", f"{departments['matched'].sum() / total:.1%}" if total else "–",
                      help="Records joined to one property (parcel)")
    columns[2].metric("At a block or intersection", f"{located / total:.1%}" if total else "–",
                      help="Kept at the block or corner the department wrote; never forced onto one parcel")
    columns[3].metric("For review", f"{departments['review'].sum():,}",
                      help="Plausible properties, but not safe to join automatically")
    columns[4].metric("Unmatched", f"{departments['unmatched'].sum():,}",
                      help="Nothing usable: blank, unknown, PO box, outside the city")
    if pd.notna(first):
        st.caption(f"Records from {first:%B %-d, %Y} to {last:%B %-d, %Y} · {property_count:,} properties")


def department_table(departments: pd.DataFrame) -> None:
    records = departments["records"].where(departments["records"] > 0)
    table = pd.DataFrame(
        {
            "Department": departments["department"].map(department_label),
            "Records": departments["records"],
            "First record": departments["first_record"],
            "Last record": departments["last_record"],
            "On a property": departments["matched"] / records,
            "Block or intersection": (departments["block"] + departments["intersection"]) / records,
            "For review": departments["review"],
            "Unmatched": departments["unmatched"],
            "Last load": departments["last_load"],
        }
    )
    share = {"format": "percent", "min_value": 0, "max_value": 1}
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
        column.metric(label, f"{count / total:.1%}" if total else "–", f"{count:,} records", delta_color="off",
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
