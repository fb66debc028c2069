"""Data quality: per department, how much was loaded, how much found its property, and what is stale."""

import streamlit as st

from vocabulary import DEPARTMENT_LABELS
from ui import charts, data, views
from ui.frame import nothing_loaded, page_setup

user = page_setup(__file__)

st.title("Data quality")
st.caption("Per department: what is loaded, how much of it found its property month by month, "
           "what was rejected, and whether the extract is due.")

version = data.data_version()
departments, _ = data.overview(version)
if departments.empty:
    nothing_loaded()
    st.stop()

months, rejected = data.quality(version)
by_department = departments.set_index("department")
fresh = data.freshness(departments)

for department, label in DEPARTMENT_LABELS.items():
    last, days, cadence = fresh[department].last_load, fresh[department].days, fresh[department].cadence_days
    if last is None:
        st.warning(f"**{label}** has never been loaded; its extract is expected every {cadence} days.",
                   icon=":material/schedule:")
    elif fresh[department].stale:
        st.warning(f"**{label}** was last loaded on {last:%B %-d, %Y} ({views.days_ago(days)}); "
                   f"its extract is expected every {cadence} days.", icon=":material/schedule:")

for tab, (department, label) in zip(st.tabs(list(DEPARTMENT_LABELS.values())), DEPARTMENT_LABELS.items()):
    with tab:
        row = by_department.loc[department] if department in by_department.index else None
        records = int(row["records"]) if row is not None else 0
        last, days, stale = fresh[department].last_load, fresh[department].days, fresh[department].stale
        own_rejects = rejected[rejected["department"] == department]
        columns = st.columns(4)
        columns[0].metric("Records", f"{records:,}")
        columns[1].metric("On a property", views.percent(row["matched"] / records if records else None),
                          help=views.STATUS_HELP["matched"])
        columns[2].metric("Last load", f"{last:%b %-d, %Y}" if last is not None else "never",
                          views.days_ago(days) if days is not None else None,
                          delta_color="inverse" if stale else "off", delta_arrow="off",
                          help=f"Expected every {fresh[department].cadence_days} days")
        columns[3].metric("Rejected rows", f"{int(own_rejects['rejects'].sum()):,}", help="Over every load")
        if not records:
            st.info(f"No {label} records are loaded yet.")
            continue

        st.markdown("**Match status by month of the record**")
        st.altair_chart(charts.status_share_by_month(months[months["department"] == department]))

        rejects_column, unplaced_column = st.columns([2, 3])
        with rejects_column:
            st.markdown("**Rejected rows by reason**")
            if own_rejects.empty:
                st.caption("No row has been rejected.")
            else:
                views.show_table(own_rejects[["kind", "rejects"]].assign(kind=own_rejects["kind"].map(views.reject_kind_label)),
                                 {"kind": "Reason", "rejects": "Rows"},
                                 column_config={"Rows": st.column_config.NumberColumn(format="localized")})
        with unplaced_column:
            st.markdown("**Addresses most often not placed**")
            unplaced = data.frequent_unplaced(version, department)
            if unplaced.empty:
                st.caption("Every address was placed, or kept at its block or intersection.")
            else:
                views.show_table(unplaced[["normalized", "status", "records", "example"]]
                                 .assign(status=unplaced["status"].map(views.STATUS_LABELS)),
                                 {"normalized": "Address (normalised)", "example": "As written, e.g."},
                                 column_config={"Records": st.column_config.NumberColumn(format="localized")})
            st.page_link("pages/match_review.py", label=f"Review {label} addresses", icon=":material/rule:",
                         query_params={"department": department})
