"""Property history: one property's records from every department, found by address or parcel."""

import streamlit as st

from storage.schema import DEPARTMENT_LABELS
from ui import data, views
from ui.frame import page_setup

page_setup("Property history", ":material/home_pin:")

st.title("Property history")
version = data.data_version()

search = st.text_input("Find a property", placeholder="Address or parcel id, e.g. 1523 N MAIN ST")
if search.strip():
    found = data.find_properties(version, search.strip())
    if found.empty:
        st.warning(f"No property matches “{search.strip()}”.")
    for row in found.itertuples():
        st.page_link("pages/property.py", label=f"{row.address} · parcel {row.parcel_id}",
                     query_params={"property": row.property_id})

property_id = st.query_params.get("property")
if not property_id:
    st.info("Type an address or a parcel id above, or open a property from another page.")
    st.stop()

found_property, history = data.property_history(version, property_id)
if found_property is None:
    st.warning(f"There is no property with id “{property_id}”. Search for it by address above.")
    st.stop()

st.header(found_property["address"])
others = [a for a in found_property["addresses"] if a != found_property["address"]]
facts = [
    f"Parcel {found_property['parcel_id'] or '–'}",
    f"Land use {found_property['land_use'] or '–'}",
    f"Ward {found_property['ward'] or '–'}",
    found_property["neighborhood"] or "",
    f"Owner {found_property['owner']}" if found_property["owner"] else "",
]
st.caption(" · ".join(fact for fact in facts if fact))
if others:
    st.caption("Also known as: " + "; ".join(others))

if history.empty:
    st.info("No department has a record at this property.")
    st.stop()

counts = history["department"].value_counts()
columns = st.columns(len(DEPARTMENT_LABELS))
for column, (department, label) in zip(columns, DEPARTMENT_LABELS.items()):
    column.metric(label, int(counts.get(department, 0)))

st.dataframe(
    history.assign(department=history["department"].map(views.department_label))[
        ["occurred_at", "department", "category", "status", "address", "method", "score"]
    ],
    hide_index=True,
    column_config={
        "occurred_at": st.column_config.DatetimeColumn("Date", format="YYYY-MM-DD HH:mm"),
        "department": "Department",
        "category": "Category",
        "status": "Status",
        "address": "Address as written",
        "method": "Match method",
        "score": st.column_config.NumberColumn("Score", format="%.2f"),
    },
)
