"""Match review: the addresses the matcher could not safely place, one decision per address string."""

import pandas as pd
import streamlit as st

from loaders import placement
from ui import data, review, views
from vocabulary import DEPARTMENT_LABELS
from ui.frame import current_user, page_setup

user = page_setup("Match review", ":material/rule:", permission="review_matches")

FLASH = "review:flash"
REVIEW_LIMIT = 500

st.title("Match review")
st.caption("Records the matcher could not safely place on a property, grouped by their address as normalised. "
           "One decision places every record with that address, in the loads so far and in every later one.")
if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH), icon=":material/check_circle:")

version = data.data_version()
version_tag = "-".join(str(part) for part in version[1:])  # new widget keys, so no stale row stays selected

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


def decide(group: pd.Series, decision: str, property_id: str | None = None, note: str = "",
           place: str | None = None) -> None:
    """Store the decision for the group's address string, then show the list without it."""
    try:
        moved = placement.decide(data.engine(), group["department"], group["normalized"], decision, current_user(),
                                 property_id=property_id, note=note.strip() or None)
    except ValueError as failure:
        st.error(str(failure))
        return
    records = f"{moved:,} {views.department_label(group['department'])} records at “{group['normalized']}”"
    st.session_state[FLASH] = (f"Placed {records} on {place} ({property_id})." if property_id else
                               f"Marked {records} as {views.DECISION_LABELS[decision].lower()}.")
    st.rerun()


def show_group(group: pd.Series) -> None:
    st.subheader(group["normalized"])
    records = review.group_records(version, user, group["department"], group["normalized"])
    st.caption(f"{views.department_label(group['department'])} · {views.STATUS_LABELS[group['status']]} · "
               f"{group['records']:,} records · written for example as “{group['example']}”")
    candidates = review.candidates(version, group["candidates"])
    decide_column, map_column = st.columns(2, gap="large")
    with decide_column:
        note = st.text_input("Note (optional, kept with the decision)", key=f"note:{version_tag}")
        if candidates.empty:
            st.caption("The matcher found no candidate property for this address.")
        else:
            chosen = st.radio(
                "Candidates, best first", candidates["rank"].tolist(),
                format_func=lambda rank: "{}. {} · parcel {} · score {:.2f}".format(
                    rank, *candidates.set_index("rank").loc[rank, ["address", "parcel_id", "score"]]),
                key=f"candidate:{version_tag}",
            )
            picked = candidates.set_index("rank").loc[chosen]
            if st.button(f"Place on {picked['address']}", type="primary", icon=":material/check:"):
                decide(group, "property", picked["property_id"], note, place=picked["address"])
        with st.expander("Another property", expanded=candidates.empty):
            wanted = st.text_input("Find a property", placeholder="Address or parcel id",
                                   key=f"find:{version_tag}")
            if wanted.strip():
                found = data.find_properties(version, wanted.strip())
                if found.empty:
                    st.caption(f"No property matches “{wanted.strip()}”.")
                else:
                    other = st.selectbox("Property", found["property_id"].tolist(),
                                         format_func=lambda pid: "{} · parcel {}".format(
                                             *found.set_index("property_id").loc[pid, ["address", "parcel_id"]]))
                    if st.button("Place on this property", icon=":material/check:"):
                        decide(group, "property", other, note,
                               place=found.set_index("property_id").loc[other, "address"])
        st.markdown("**Or keep the records off any single property:**")
        with st.container(horizontal=True):
            for decision in ("block", "intersection", "not_property", "outside"):
                if st.button(views.DECISION_LABELS[decision], key=f"mark:{decision}"):
                    decide(group, decision, note=note)
    with map_column:
        review.candidates_map(version, candidates, records)
    review.records_table(records, group["records"])


def recent_decisions() -> None:
    st.subheader("Recent decisions")
    made = review.decisions(version, department)
    if made.empty:
        st.caption("No decision has been made yet" + (f" for {views.department_label(department)}." if department
                                                       else "."))
        return
    table = review.decisions_table(made)
    picked = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="single-row",
                          key=f"decisions:{department}:{version_tag}", height=min(38 + 35 * len(table), 300),
                          column_config={"When": st.column_config.DatetimeColumn(format="MMM D, YYYY HH:mm")})
    rows = picked.selection.rows
    if st.button("Undo the selected decision", icon=":material/undo:", disabled=not rows):
        undone = made.iloc[rows[0]]
        again = placement.undo(data.engine(), undone["department"], undone["normalized"], current_user())
        st.session_state[FLASH] = (f"Undid the decision for “{undone['normalized']}”: the matcher placed its "
                                   f"{again:,} records again.")
        st.rerun()
    st.caption("Select a decision to undo it; its records go back to the matcher, and to this list if it "
               "still cannot place them.")


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
                              key=f"groups:{department}:{','.join(statuses or [])}:{search}:{version_tag}",
                              column_config={"Records": st.column_config.NumberColumn(format="localized")})
        capped = len(groups) >= REVIEW_LIMIT
        st.caption(f"{len(shown):,} {'address' if len(shown) == 1 else 'addresses'} listed, largest first"
                   + (f" (at most the {REVIEW_LIMIT:,} largest are listed; decided ones make room for more)."
                      if capped else "."))
        if picked.selection.rows:
            show_group(shown.iloc[picked.selection.rows[0]])
        else:
            st.info("Select an address in the table to see its records and candidates and decide where they belong.",
                    icon=":material/touch_app:")

st.divider()
recent_decisions()
