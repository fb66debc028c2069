"""Match review: cached reads for the page, and its tables."""

import json

import pandas as pd
import streamlit as st

from integration import access
from loaders import placement
from services import review
from ui import data, maps, views
from ui.frame import current_user

FLASH = "review:flash"  # what the last decision did, shown once after the rerun


@st.cache_data(max_entries=16, show_spinner=False)
def groups(version: tuple, department: str | None, limit: int) -> pd.DataFrame:
    return review.groups(data.engine(), department, limit)


@st.cache_data(max_entries=32, show_spinner=False)
def summary(version: tuple, department: str | None, statuses: tuple[str, ...], contains: str = "") -> dict[str, int]:
    return review.summary(data.engine(), department, statuses, contains)


@st.cache_data(max_entries=64, show_spinner=False)
def group_records(version: tuple, viewer: access.User | None, department: str, normalized: str) -> pd.DataFrame:
    return review.group_records(data.engine(), viewer, department, normalized)


@st.cache_data(max_entries=64, show_spinner=False)
def candidates(version: tuple, candidates_json: str | None, written: str | None = None) -> pd.DataFrame:
    return review.candidates(data.engine(), candidates_json, written)


@st.cache_data(max_entries=64, show_spinner=False)
def properties_within(version: tuple, box: tuple[float, float, float, float]) -> pd.DataFrame:
    return review.properties_within(data.engine(), box)


@st.cache_data(max_entries=16, show_spinner=False)
def decisions(version: tuple, department: str | None) -> pd.DataFrame:
    return review.decisions(data.engine(), department, limit=100)


def groups_table(shown: pd.DataFrame) -> pd.DataFrame:
    """The groups as listed: department, address, status, records, an example and the best candidate."""
    best = shown["candidates"].map(lambda text: json.loads(text)[0] if isinstance(text, str) else None)
    return pd.DataFrame({
        "Department": shown["department"].map(views.department_label),
        "Address (normalised)": shown["normalized"],
        "Status": shown["status"].map(views.STATUS_LABELS),
        "Records": shown["records"],
        "As written, e.g.": shown["example"],
        "Best candidate": [f"{c['address']} ({c['score']:.3f})" if c else None for c in best],
    })


def decisions_table(made: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "When": made["decided_at"],
        "Department": made["department"].map(views.department_label),
        "Address": made["normalized"],
        "Decision": made["decision"].map(views.DECISION_LABELS),
        "Property": made["property_address"],
        "By": made["decided_by"],
        "Note": made["note"],
    })


RECORD_LABELS = {"source_record_id": "Record id", "occurred_at": "Date", "category": "Category", "status": "Status",
                 "address": "Address as written"}


def records_table(viewer: access.User | None, department: str, records: pd.DataFrame, total: int) -> None:
    """A group's records, newest first, as the department wrote them."""
    st.markdown(f"**Records** ({len(records):,}{' newest' if len(records) < total else ''})")
    views.show_table(records[list(RECORD_LABELS)], RECORD_LABELS,
                     hidden=views.hidden_columns(viewer, records[list(RECORD_LABELS)], department),
                     height=min(38 + 35 * len(records), 250),
                     column_config={"Date": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})


def chosen(groups: pd.DataFrame, statuses: list[str], search: str) -> pd.DataFrame:
    """The groups of these statuses whose address, as normalised or as written, contains `search`."""
    shown = groups[groups["status"].isin(statuses)]
    if search:
        shown = shown[shown["normalized"].str.contains(search, case=False, regex=False)
                      | shown["example"].fillna("").str.contains(search, case=False, regex=False)]
    return shown.reset_index(drop=True)


def headline(waiting: dict[str, int]) -> None:
    """What waits under the filters chosen: the figures follow the department, status and search."""
    first, second, third, fourth = st.columns(4)
    first.metric("Addresses to decide", f"{waiting['groups']:,}")
    second.metric("Their records", f"{waiting['records']:,}")
    third.metric("Not an address", f"{waiting['not_address']:,}", views.plural(waiting["not_address_records"], "record"),
                 delta_color="off", delta_arrow="off",
                 help="Text such as N/A, UNKNOWN, CITYWIDE or a note: one decision marks them all")
    fourth.metric("Records with no address", f"{waiting['blank']:,}",
                  help="Blank addresses: no decision can place them; they need fixing in the source system")


def not_addresses(version: tuple, junk: pd.DataFrame) -> None:
    """The strings that are not an address, under one heading, and one decision for all of them."""
    tag = widget_tag(version)
    records = int(junk["records"].sum())
    title = f"Not an address: {views.plural(len(junk), 'string')}, {views.plural(records, 'record')}"
    with st.expander(title, icon=":material/block:"):
        st.caption("No decision can place these on a property. Mark them all as not a property, and they leave "
                   "this list; later loads that write them the same way are marked too.")
        views.show_table(pd.DataFrame({"department": junk["department"].map(views.department_label),
                                       "example": junk["example"], "normalized": junk["normalized"],
                                       "records": junk["records"]}).reset_index(drop=True),
                         {"example": "As written, e.g.", "normalized": "Address (normalised)"},
                         height=min(38 + 35 * len(junk), 250))
        note = st.text_input("Note (optional, kept with each decision)", key=f"junk-note:{tag}")
        if st.button(f"Mark all {views.plural(len(junk), 'string')} as not a property", icon=":material/block:",
                     key=f"junk:{tag}"):
            moved = review.mark_not_addresses(data.engine(), list(zip(junk["department"], junk["normalized"])),
                                              current_user(), note.strip() or None)
            st.session_state[FLASH] = (f"Marked {views.plural(moved, 'record')} at {views.plural(len(junk), 'string')} "
                                       "as not a property.")
            st.rerun()


def candidates_map(version: tuple, ranked: pd.DataFrame, records: pd.DataFrame) -> None:
    """The candidates, the records where the department's coordinates put them, and the properties around."""
    box_points = pd.concat([ranked[["lat", "lon"]], records[["lat", "lon"]]]).dropna()
    around = properties_within(version, maps.bounding_box(box_points)) if not box_points.empty else None
    base = maps.basemap(version)
    deck = maps.candidates_map(ranked, records, around, base=base)
    if deck is None:
        st.caption("Neither the candidates nor the records have a location to map.")
        return
    st.pydeck_chart(deck, height=360)
    reported = records[["lat", "lon"]].notna().all(axis=1).any()
    st.caption("Red: the candidates, numbered as listed. "
               + ("Blue: where the department's own coordinates put the records. " if reported else "")
               + "Grey: the properties around.")
    maps.show_legend(maps.legend(maps.basemap_entry(base)), base.problem)


def widget_tag(version: tuple) -> str:
    """New widget keys for new data, so no stale row stays selected."""
    return "-".join(str(part) for part in version[1:])


def decide(group: pd.Series, decision: str, property_id: str | None = None, note: str = "",
           place: str | None = None) -> None:
    """Store the decision for the group's address string, then show the list without it."""
    try:
        moved = placement.decide(data.engine(), group["department"], group["normalized"], decision, current_user(),
                                 property_id=property_id, note=note.strip() or None)
    except ValueError as failure:
        st.error(str(failure))
        return
    records = (f"{views.plural(moved, views.department_label(group['department']) + ' record')} "
               f"at “{group['normalized']}”")
    st.session_state[FLASH] = (f"Placed {records} on {place} ({property_id})." if property_id else
                               f"Marked {records} as {views.DECISION_LABELS[decision].lower()}.")
    st.rerun()


def show_group(version: tuple, viewer: access.User | None, group: pd.Series) -> None:
    """One address string: its records, its candidates on a map, and the buttons that decide it."""
    tag = widget_tag(version)
    st.subheader(group["normalized"])
    records = group_records(version, viewer, group["department"], group["normalized"])
    st.caption(f"{views.department_label(group['department'])} · {views.STATUS_LABELS[group['status']]} · "
               f"{views.plural(group['records'], 'record')} · written for example as “{group['example']}”")
    ranked = candidates(version, group["candidates"], group["normalized"])
    decide_column, map_column = st.columns(2, gap="large")
    with decide_column:
        note = st.text_input("Note (optional, kept with the decision)", key=f"note:{tag}")
        if ranked.empty:
            st.caption("The matcher found no candidate property for this address.")
        else:
            chosen = st.radio(
                "Candidates, best first", ranked["rank"].tolist(),
                format_func=lambda rank: "{}. {} · parcel {} · score {:.3f}".format(
                    rank, *ranked.set_index("rank").loc[rank, ["address", "parcel_id", "score"]]),
                key=f"candidate:{tag}",
            )
            picked = ranked.set_index("rank").loc[chosen]
            if st.button(f"Place on {picked['address']}", type="primary", icon=":material/check:"):
                decide(group, "property", picked["property_id"], note, place=picked["address"])
        with st.expander("Another property", expanded=ranked.empty):
            wanted = st.text_input("Find a property", placeholder="Address or parcel id",
                                   key=f"find:{tag}")
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
        candidates_map(version, ranked, records)
    records_table(viewer, group["department"], records, group["records"])


def recent_decisions(version: tuple, department: str | None) -> None:
    """The latest decisions, and undoing one."""
    tag = widget_tag(version)
    st.subheader("Recent decisions")
    made = decisions(version, department)
    if made.empty:
        st.caption("No decision has been made yet" + (f" for {views.department_label(department)}." if department
                                                       else "."))
        return
    table = decisions_table(made)
    picked = views.show_table(table, on_select="rerun", selection_mode="single-row",
                              key=f"decisions:{department}:{tag}", height=min(38 + 35 * len(table), 300),
                              column_config={"When": st.column_config.DatetimeColumn(format="MMM D, YYYY HH:mm")})
    rows = picked.selection.rows
    if st.button("Undo the selected decision", icon=":material/undo:", disabled=not rows):
        undone = made.iloc[rows[0]]
        again = placement.undo(data.engine(), undone["department"], undone["normalized"], current_user())
        st.session_state[FLASH] = (f"Undid the decision for “{undone['normalized']}”: the matcher placed its "
                                   f"{views.plural(again, 'record')} again.")
        st.rerun()
    st.caption("Select a decision to undo it; its records go back to the matcher, and to this list if it "
               "still cannot place them.")
