"""Match review: the addresses the matcher could not safely place, one decision per address string."""

import json

import pandas as pd
import streamlit as st

from integration import access

from loaders import placement
from vocabulary import DEPARTMENT_LABELS
from ui import data, maps, views
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


def candidates_of(group: pd.Series) -> pd.DataFrame:
    listed = json.loads(group["candidates"]) if isinstance(group["candidates"], str) else []
    candidates = pd.DataFrame(listed, columns=["property_id", "address", "score"])
    candidates.insert(0, "rank", range(1, len(candidates) + 1))
    located = data.property_facts(version, tuple(candidates["property_id"]))
    return candidates.merge(located[["property_id", "parcel_id", "lat", "lon"]], on="property_id", how="left")


def show_group(group: pd.Series) -> None:
    st.subheader(group["normalized"])
    records = access.redact(data.group_records(version, group["department"], group["normalized"]), user,
                            group["department"])
    st.caption(f"{views.department_label(group['department'])} · {views.STATUS_LABELS[group['status']]} · "
               f"{group['records']:,} records · written for example as “{group['example']}”")
    candidates = candidates_of(group)
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
        box_points = pd.concat([candidates[["lat", "lon"]], records[["lat", "lon"]]]).dropna()
        around = data.properties_within(version, maps.bounding_box(box_points)) if not box_points.empty else None
        deck = maps.candidates_map(candidates, records, around)
        if deck is None:
            st.caption("Neither the candidates nor the records have a location to map.")
        else:
            st.pydeck_chart(deck, height=360)
            reported = records[["lat", "lon"]].notna().all(axis=1).any()
            st.caption("Red: the candidates, numbered as listed. "
                       + ("Blue: where the department's own coordinates put the records. " if reported else "")
                       + "Grey: the properties around.")
    st.markdown(f"**Records** ({len(records):,}{' newest' if len(records) < group['records'] else ''})")
    st.dataframe(records[["source_record_id", "occurred_at", "category", "status", "address"]], hide_index=True,
                 height=min(38 + 35 * len(records), 250), column_config={
                     "source_record_id": "Record id",
                     "occurred_at": st.column_config.DatetimeColumn("Date", format="YYYY-MM-DD HH:mm"),
                     "category": "Category", "status": "Status", "address": "Address as written"})


def recent_decisions() -> None:
    st.subheader("Recent decisions")
    made = data.decisions(version, department)
    if made.empty:
        st.caption("No decision has been made yet" + (f" for {views.department_label(department)}." if department
                                                       else "."))
        return
    placed_on = data.property_facts(version, tuple(made["property_id"].dropna().unique()))
    addresses = dict(zip(placed_on["property_id"], placed_on["address"]))
    table = pd.DataFrame({
        "When": made["decided_at"],
        "Department": made["department"].map(views.department_label),
        "Address": made["normalized"],
        "Decision": made["decision"].map(views.DECISION_LABELS),
        "Property": made["property_id"].map(addresses),
        "By": made["decided_by"],
        "Note": made["note"],
    })
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


groups = data.review_groups(version, department, REVIEW_LIMIT)
shown = groups[groups["status"].isin(statuses or [])]
if search.strip():
    shown = shown[shown["normalized"].str.contains(search.strip(), case=False, regex=False)
                  | shown["example"].fillna("").str.contains(search.strip(), case=False, regex=False)]
shown = shown.reset_index(drop=True)

if groups.empty:
    if not data.overview(version)[0].empty:
        st.success("Nothing to review: the matcher placed every record, or kept it at its block or intersection.",
                   icon=":material/task_alt:")
    else:
        st.info("No department records are loaded yet. Load an extract first.", icon=":material/info:")
        st.page_link("pages/upload.py", label="Upload an extract", icon=":material/upload_file:")
else:
    waiting = data.review_summary(version, department, tuple(statuses or ()))
    first, second, third = st.columns(3)
    first.metric("Addresses to decide", f"{waiting['groups']:,}")
    second.metric("Their records", f"{waiting['records']:,}")
    third.metric("Records with no usable address", f"{waiting['blank']:,}",
                 help="Blank or unusable addresses: no decision can place them; they need fixing in the source system")
    if shown.empty:
        st.info("No address waiting for review fits these filters.")
    else:
        best = shown["candidates"].map(lambda text: json.loads(text)[0] if isinstance(text, str) else None)
        table = pd.DataFrame({
            "Department": shown["department"].map(views.department_label),
            "Address (normalised)": shown["normalized"],
            "Status": shown["status"].map(views.STATUS_LABELS),
            "Records": shown["records"],
            "As written, e.g.": shown["example"],
            "Best candidate": best.map(lambda c: f"{c['address']} ({c['score']:.2f})" if c else None),
        })
        picked = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="single-row",
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
