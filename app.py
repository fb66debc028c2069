"""Overview: what the dashboard holds, per department, and how much of it found its property.

This file is also the server's entry point. `streamlit run app.py` finds `app`, the st.App below,
and serves it: Streamlit's own server with the pages, plus the sign-in route of the page frame
(ui.frame.session_routes). Importing the file for that runs no page, so page_setup() returns None.
"""

import streamlit as st

from ui import data, views
from ui.frame import nothing_loaded, page_setup, session_routes

user = page_setup(__file__)

if user is None:
    app = st.App(__file__, routes=session_routes())
else:
    st.title("Cross-department property risk")
    st.caption("Public Works, Police, Fire and Customer Service records joined to the properties they concern.")

    departments, property_count = data.overview(data.data_version())

    if departments.empty:
        nothing_loaded()
        st.caption(f"Properties in the master now: {property_count:,}.")
        st.stop()

    views.overview_metrics(departments, property_count)
    st.subheader("By department")
    views.department_table(departments)
