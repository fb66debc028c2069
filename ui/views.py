"""Small display builders shared by pages: key figures and tables, no data access."""

import pandas as pd
import streamlit as st

from storage.schema import DEPARTMENT_LABELS, MATCH_STATUSES


def overview_metrics(departments: pd.DataFrame, statuses: dict[str, int], property_count: int) -> None:
    total = int(departments["records"].sum())
    matched = statuses.get("matched", 0)
    first, last = departments["first_record"].min(), departments["last_record"].max()
    columns = st.columns(4)
    columns[0].metric("Records", f"{total:,}")
    columns[1].metric("Properties", f"{property_count:,}")
    columns[2].metric("Matched to a property", f"{matched / total:.1%}" if total else "–")
    columns[3].metric("Period covered", f"{first:%b %d, %Y} – {last:%b %d, %Y}" if pd.notna(first) else "–")
    st.caption(" · ".join(f"{status}: {statuses.get(status, 0):,}" for status in MATCH_STATUSES))


def department_table(departments: pd.DataFrame) -> None:
    table = pd.DataFrame(
        {
            "Department": departments["department"].map(lambda d: DEPARTMENT_LABELS.get(d, d)),
            "Records": departments["records"],
            "First record": departments["first_record"],
            "Last record": departments["last_record"],
            "Matched": departments["share_matched"],
            "Last load": departments["last_load"],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "Matched": st.column_config.ProgressColumn("Matched", format="percent", min_value=0, max_value=1),
            "First record": st.column_config.DateColumn(format="MMM D, YYYY"),
            "Last record": st.column_config.DateColumn(format="MMM D, YYYY"),
            "Last load": st.column_config.DatetimeColumn(format="MMM D, YYYY HH:mm"),
        },
    )
