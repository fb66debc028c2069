"""Overview: what the dashboard holds, per department, and how much of it found its property."""

import streamlit as st

from ui import data, views
from ui.frame import page_setup

user = page_setup("Overview", ":material/dashboard:", permission="view_hotspots")

st.title("Cross-department property risk")
st.caption("Public Works, Police, Fire and Customer Service records joined to the properties they concern.")

departments, property_count = data.overview(data.data_version())

if departments.empty:
    st.info(
        "**No department records are loaded yet.** Load the property master, then each department's "
        "extract, from a terminal in the project folder:\n\n"
        "```\n.venv/bin/python -m loaders properties PROPERTIES.csv\n"
        ".venv/bin/python -m loaders ingest --department police CALLS.csv\n```\n\n"
        f"Properties in the master now: {property_count:,}."
    )
    st.stop()

views.overview_metrics(departments, property_count)
st.subheader("By department")
views.department_table(departments)
