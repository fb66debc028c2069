"""Small display builders shared by pages: key figures and tables, no data access."""

import pandas as pd
import streamlit as st

from storage.schema import DEPARTMENT_LABELS


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
