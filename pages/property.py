"""Property history: one property's records from every department, found by address or parcel."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from integration import access, cases, exports
from ui import data, hotspots, meeting, views
from ui import property as history_view
from ui.frame import audit, current_user, exported, nothing_loaded, page_setup
from vocabulary import DEPARTMENT_LABELS

user = page_setup(__file__)

st.title("Property history")
version = data.data_version()

search = st.text_input("Find a property", placeholder="Address (typos are fine) or parcel id, e.g. 1523 N MAIN ST")
if search.strip():
    found = history_view.suggest(version, search.strip())
    if found.empty:
        st.warning(f"No property matches “{search.strip()}”.")
    for row in found.itertuples():
        st.page_link("pages/property.py", label=f"{row.address} · parcel {row.parcel_id}",
                     query_params={"property": row.property_id})

property_id = st.query_params.get("property")
if not property_id:
    if not data.overview(version)[1]:
        nothing_loaded("properties")
    else:
        st.info("Type an address or a parcel id above, or open a property from the hotspots list.")
    st.stop()

found, history = history_view.history(version, property_id, user)  # redacted for this user
if found is None:
    st.warning(f"There is no property with id “{property_id}”. Search for it by address above.")
    st.stop()
viewed = st.session_state.setdefault("viewed_properties", set())
if property_id not in viewed:
    viewed.add(property_id)
    audit("view_property", property_id)

header, picture = st.columns([3, 1])
with header:
    st.header(found["address"])
    facts = [
        f"Parcel {found['parcel_id'] or '–'}",
        f"Land use {found['land_use'] or '–'}",
        f"Ward {found['ward'] or '–'}",
        found["neighborhood"] or "",
        f"Owner {found['owner']}" if found["owner"] else "",
    ]
    st.caption(" · ".join(fact for fact in facts if fact))
    others = [a for a in found["addresses"] if a != found["address"]]
    if others:
        st.caption("Also known as: " + "; ".join(others))
with picture:
    history_view.show_map(version, found)

if history.empty:
    st.info("No department has a record at this property.")
    st.stop()

scored = history_view.explanation(version, property_id, history)
_first, last_day = hotspots.date_range(version)
history_view.score_banner(scored, last_day)

for case in history_view.cases(property_id):
    with st.expander(f"Case: {cases.status_label(case['status'])}"
                     f"{' · lead ' + cases.department_label(case['lead_department']) if case['lead_department'] else ''}"
                     f" · opened {pd.Timestamp(case['opened_at']):%B %-d, %Y}", expanded=case["status"] != "resolved",
                     icon=":material/folder_open:"):
        views.show_table(meeting.actions_table(case["actions"]))
        for line in meeting.history_lines(case):
            st.text(line)

history_view.department_counts(history, last_day)

occurred = pd.to_datetime(history["occurred_at"])
left, right = st.columns([2, 1])
departments = left.multiselect("Departments", list(DEPARTMENT_LABELS), list(DEPARTMENT_LABELS),
                               format_func=DEPARTMENT_LABELS.get)
since = right.date_input("From", max(occurred.min(), occurred.max() - timedelta(days=365)).date(),
                         min_value=occurred.min().date(), max_value=occurred.max().date())
shown = history[history["department"].isin(departments) & (occurred.dt.date >= since)]

st.altair_chart(history_view.timeline(shown), width="stretch")
with st.expander("Records per department and window"):
    views.show_table(history_view.window_counts(history, last_day))

table = history_view.records_table(shown, user)
if access.can(user, "export"):
    who = current_user()
    reasons = list(scored["reasons"]) if scored is not None else []
    downloads = st.columns([1, 1, 4])
    as_csv = exported(property_id, "property history CSV",
                      lambda: exports.to_csv(table, who, {"property": property_id, "from": since}))
    printable = exported(property_id, "printable property history",
                         lambda: history_view.printable(found, table, reasons, who))
    downloads[0].download_button("Download CSV", as_csv, f"property-{property_id}.csv", "text/csv",
                                 icon=":material/download:", on_click="ignore")
    downloads[1].download_button("Printable page", printable, f"property-{property_id}.html", "text/html",
                                 icon=":material/print:", on_click="ignore")
