"""Outcomes: does it work? Records per department before and after each property became a case."""

import altair as alt
import streamlit as st

from integration import access, cases, exports
from ui import data, meeting, views
from ui.frame import current_user, exported, page_setup

user = page_setup(__file__)

st.title("Outcomes")
days = st.select_slider("Compare", options=[30, 60, 90, 180], value=90,
                        format_func=lambda d: f"{d} days before and after")
table = meeting.outcomes(data.data_version(), meeting.cases_version(), days)
if table.empty:
    st.info("No property has become a case yet. Cases are opened on the Meeting page.")
    st.stop()

summary = cases.outcome_summary(table)
figures = st.columns(4)
figures[0].metric("Cases", f"{summary.cases:,}")
figures[1].metric("Resolved", f"{summary.resolved:,}")
figures[2].metric("Resolved and stayed quiet", f"{summary.resolved_quiet:,}",
                  help="Resolved, and no return to records from two or more departments afterwards")
figures[3].metric("With a full after-period", f"{summary.complete:,}",
                  help=f"Cases opened at least {days} days before the newest record: only these are compared")

if summary.complete:
    long = summary.by_department.melt(id_vars="department", value_vars=["before", "after"], var_name="period",
                              value_name="records")
    st.altair_chart(
        alt.Chart(long).mark_bar().encode(
            x=alt.X("period:N", title=None, sort=["before", "after"]),
            y=alt.Y("records:Q", title=f"Records in {days} days"),
            color=alt.Color("period:N", scale=alt.Scale(range=["#8a8a8a", "#b3261e"]), legend=None),
            column=alt.Column("department:N", title=None),
            tooltip=["department", "period", "records"],
        ).properties(width=120, height=220))
else:
    st.caption(f"No case has had {days} days since it opened yet: the comparison appears when one has.")

addresses = data.address_index(data.data_version()).drop_duplicates("property_id")
shown = views.outcomes_table(table, dict(zip(addresses["property_id"], addresses["address"])))
views.show_table(shown, date_format="%Y-%m-%d",
                 column_config={"Property": st.column_config.LinkColumn(display_text="Open"),
                                "Opened": st.column_config.DateColumn(format="YYYY-MM-DD")})
if access.can(user, "export"):
    as_csv = exported("outcomes", "CSV", lambda: exports.to_csv(shown.drop(columns=["Property"]), current_user(),
                                                                {"days": days}))
    st.download_button("Download CSV", as_csv, "outcomes.csv", "text/csv", icon=":material/download:",
                       on_click="ignore")
