"""Match review: the addresses the matcher could not safely place, one decision per address string."""

import streamlit as st

from services.review import NOT_AN_ADDRESS
from ui import data, review, views
from ui.frame import nothing_loaded, page_setup
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
junk = shown[shown["kind"] == NOT_AN_ADDRESS]
shown = shown[shown["kind"] != NOT_AN_ADDRESS].reset_index(drop=True)

if groups.empty:
    if not data.overview(version)[0].empty:
        st.success("Nothing to review: the matcher placed every record, or kept it at its block or intersection.",
                   icon=":material/task_alt:")
    else:
        nothing_loaded()
else:
    review.headline(review.summary(version, department, tuple(statuses or ()), search.strip()))
    if shown.empty:
        st.info("No address waiting for review fits these filters.")
    else:
        picked = views.show_table(review.groups_table(shown), on_select="rerun", selection_mode="single-row",
                                  key=f"groups:{department}:{','.join(statuses or [])}:{search}:{tag}",
                                  column_config={"Records": st.column_config.NumberColumn(format="localized")})
        capped = len(groups) >= REVIEW_LIMIT
        st.caption(f"{views.plural(len(shown), 'address', 'addresses')} listed: house numbers first, then streets "
                   "and places without one; the largest first"
                   + (f" (at most the {REVIEW_LIMIT:,} largest are listed; decided ones make room for more)."
                      if capped else "."))
    if not junk.empty:
        review.not_addresses(version, junk)
    if not shown.empty:
        if picked.selection.rows:
            review.show_group(version, user, shown.iloc[picked.selection.rows[0]])
        else:
            st.info("Select an address in the table to see its records and candidates and decide where they belong.",
                    icon=":material/touch_app:")

st.divider()
review.recent_decisions(version, department)
