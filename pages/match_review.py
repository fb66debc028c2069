"""Match review: the addresses the matcher could not safely place, one decision per address string."""

import streamlit as st

from ui import data, review, views
from ui.frame import page_setup
from vocabulary import DEPARTMENT_LABELS

user = page_setup(__file__)

REVIEW_LIMIT = 500

st.title("Match review")
st.caption("Records the matcher could not safely place on a property, grouped by their address as normalised. "
           "One decision places every record with that address, in the loads so far and in every later one.")
if review.FLASH in st.session_state:
    st.success(st.session_state.pop(review.FLASH), icon=":material/check_circle:")

version = data.data_version()
tag = review.widget_tag(version)  # new widget keys for new data, so no stale row stays selected

asked = st.query_params.get("department")
if asked and asked not in DEPARTMENT_LABELS:
    st.warning(f"There is no department “{asked}”; showing every department.")
    asked = None
choices = [None, *DEPARTMENT_LABELS]
department_column, status_column, search_column = st.columns([1, 1, 2], vertical_alignment="bottom")
department = department_column.selectbox(
    "Department", choices, index=choices.index(asked) if asked else 0,
    format_func=lambda name: "Every department" if name is None else views.department_label(name),
)
statuses = status_column.pills("Status", ["review", "unmatched"], selection_mode="multi",
                               default=["review", "unmatched"], format_func=views.STATUS_LABELS.get)
search = search_column.text_input("Address contains", value=st.query_params.get("address", ""),
                                  placeholder="e.g. WASHINGTON")


groups = review.groups(version, department, REVIEW_LIMIT)
shown = review.chosen(groups, statuses or [], search.strip())

if groups.empty:
    if not data.overview(version)[0].empty:
        st.success("Nothing to review: the matcher placed every record, or kept it at its block or intersection.",
                   icon=":material/task_alt:")
    else:
        st.info("No department records are loaded yet. Load an extract first.", icon=":material/info:")
        st.page_link("pages/upload.py", label="Upload an extract", icon=":material/upload_file:")
else:
    waiting = review.summary(version, department, tuple(statuses or ()))
    first, second, third = st.columns(3)
    first.metric("Addresses to decide", f"{waiting['groups']:,}")
    second.metric("Their records", f"{waiting['records']:,}")
    third.metric("Records with no usable address", f"{waiting['blank']:,}",
                 help="Blank or unusable addresses: no decision can place them; they need fixing in the source system")
    if shown.empty:
        st.info("No address waiting for review fits these filters.")
    else:
        picked = st.dataframe(review.groups_table(shown), hide_index=True, on_select="rerun",
                              selection_mode="single-row",
                              key=f"groups:{department}:{','.join(statuses or [])}:{search}:{tag}",
                              column_config={"Records": st.column_config.NumberColumn(format="localized")})
        capped = len(groups) >= REVIEW_LIMIT
        st.caption(f"{len(shown):,} {'address' if len(shown) == 1 else 'addresses'} listed, largest first"
                   + (f" (at most the {REVIEW_LIMIT:,} largest are listed; decided ones make room for more)."
                      if capped else "."))
        if picked.selection.rows:
            review.show_group(version, user, shown.iloc[picked.selection.rows[0]])
        else:
            st.info("Select an address in the table to see its records and candidates and decide where they belong.",
                    icon=":material/touch_app:")

st.divider()
review.recent_decisions(version, department)
