"""The page frame every page opens with: page config and the sidebar.

Every script in pages/ calls page_setup() as its first statement (a test checks), so a deep link
that runs a page without app.py still gets the whole frame.
"""

import streamlit as st

from ui import data

# The sidebar, in the order the work goes: what is flagged, one property, the meeting and its
# follow-up, then the analysts' tools.
PAGES = (
    ("app.py", "Overview", ":material/dashboard:"),
    ("pages/hotspots.py", "Hotspots", ":material/local_fire_department:"),
    ("pages/property.py", "Property history", ":material/home_pin:"),
    ("pages/meeting.py", "Meeting", ":material/groups:"),
    ("pages/actions.py", "Actions", ":material/task_alt:"),
    ("pages/outcomes.py", "Outcomes", ":material/insights:"),
    ("pages/upload.py", "Upload", ":material/upload_file:"),
    ("pages/match_review.py", "Match review", ":material/rule:"),
    ("pages/data_quality.py", "Data quality", ":material/fact_check:"),
)


def current_user() -> str:
    """Who is using the page, as written in ingest logs, decisions and exports."""
    user = getattr(st, "user", None)
    if user is not None and getattr(user, "is_logged_in", False):
        return str(user.get("email") or user.get("name") or "signed-in user")
    return "local user"


def page_setup(title: str, icon: str = ":material/location_city:") -> None:
    """Configure the page and draw the sidebar; call first on every page."""
    st.set_page_config(page_title=f"{title} · Property risk", page_icon=icon, layout="wide")
    with st.sidebar:
        st.markdown("**Property risk dashboard**")
        for page, label, page_icon in PAGES:
            st.page_link(page, label=label, icon=page_icon)
        st.divider()
        st.caption(data.database_label())
