"""Hotspots: the properties where several departments' records overlap, ranked, mapped and charted."""

import streamlit as st

from integration import access, exports, scoring
from services import hotspots as service
from ui import data, early_warning, hotspots, maps, views
from ui.frame import current_user, exported, nothing_loaded, page_setup
from vocabulary import TREATMENTS

user = page_setup(__file__)

st.title("Hotspots")
version = data.data_version()
first_day, last_day = hotspots.date_range(version)
if last_day is None:
    nothing_loaded()
    st.stop()

categories, ward_list = hotspots.filter_choices(version, last_day)
current = hotspots.filters_from_url(last_day, categories, ward_list)
filters = hotspots.filter_form(current, first_day, last_day, categories, ward_list)
hotspots.write_url(filters)

listed = hotspots.institutions()
since = hotspots.last_meeting(filters.end)
flagged = hotspots.scored(version, filters, listed, since)  # the flagged properties of the view
st.caption(f"{filters.days} days to {filters.end:%B %-d, %Y} · at least {filters.min_departments} departments · "
           f"new and rising compared with {flagged.attrs.get('compared_with', 'the previous window')}")

figures = st.columns(4)
figures[0].metric("Flagged properties", f"{len(flagged):,}")
figures[1].metric("New since last time", f"{int(flagged['new'].sum()):,}" if len(flagged) else "0")
figures[2].metric("Rising", f"{int(flagged['rising'].sum()):,}" if len(flagged) else "0")
figures[3].metric("Chronic nuisance", f"{int(flagged['chronic_nuisance'].sum()):,}" if len(flagged) else "0")

if flagged.empty:
    st.info("No property has records from that many departments in this window. Widen the window or lower the "
            "minimum number of departments in the filters.")
    st.stop()

table = hotspots.ranked_table_of(version, filters, listed, since)
listing, picture, heading = st.tabs(["Ranked list", "Map", "Heading for the list"], key="hotspots_tab",
                                     on_change="rerun")
with listing:
    chosen = st.dataframe(table.drop(columns=["Property id"]), hide_index=True, on_select="rerun",
                          selection_mode="single-row", key="ranked", height=560,
                          column_order=hotspots.LIST_COLUMNS, column_config=hotspots.list_config())
    if chosen.selection.rows:
        st.switch_page("pages/property.py", query_params={"property": table["Property id"].iloc[chosen.selection.rows[0]]})
if picture.open:  # the map is drawn only when its tab is in view
    with picture:
        density = st.toggle("Show density", value=False)
        base = maps.basemap(version)
        deck = hotspots.hotspot_map(flagged, density=density, base=base)
        if deck is None:
            st.info("None of the flagged properties has coordinates in the property master.")
        else:
            clicked = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key="hotspot_map",
                                      height=520)
            picked = clicked.selection.objects.get("hotspots", []) if clicked and clicked.selection else []
            if picked:
                st.switch_page("pages/property.py", query_params={"property": picked[0]["property_id"]})
            maps.show_legend(hotspots.hotspot_legend(flagged, base, density), base.problem)
        st.caption("Click a point to open the property.")

if heading.open:  # the properties likely to be flagged next, from the stored early-warning list
    with heading:
        early_warning.view()

charts = st.columns(2)
charts[0].markdown("**Departments at the flagged properties**")
charts[0].altair_chart(hotspots.department_mix_chart(flagged), width="stretch")
charts[1].markdown("**Overlapping properties, week by week**")
charts[1].altair_chart(hotspots.weekly_chart(hotspots.weekly_overlap(version, filters, since)), width="stretch")
charts[1].caption(f"Each week: the properties with records from at least {filters.min_departments} departments in "
                  f"the {filters.days} days to its end.")

export = table.drop(columns=["Open", "Records"]).assign(Departments=table["Departments"].map(", ".join))
who = current_user()
downloads = st.columns([1, 1, 4])
# The files are made when a button is pressed, not on every run of the page.
if access.can(user, "export"):
    as_csv = exported("hotspots", "CSV", lambda: exports.to_csv(export, who, filters.as_text()))
    as_xlsx = exported("hotspots", "XLSX", lambda: exports.to_xlsx(export, who, filters.as_text(), sheet="Hotspots"))
    downloads[0].download_button("Download CSV", as_csv, f"hotspots-{filters.end:%Y-%m-%d}.csv", "text/csv",
                                 icon=":material/download:", on_click="ignore")
    downloads[1].download_button("Download XLSX", as_xlsx,
                                 file_name=f"hotspots-{filters.end:%Y-%m-%d}.xlsx", icon=":material/download:",
                                 mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                 on_click="ignore")

with st.expander("Institutional properties", icon=":material/account_balance:"):
    editable = access.can(user, "run_meeting")
    st.caption("Places that collect records for other reasons (police station, hospital, big-box store). Land uses "
               f"{', '.join(sorted(scoring.load_config().institutional_land_uses))} are damped automatically; "
               "this list adds properties by hand, damped or excluded.")
    views.show_table(service.institution_list(data.engine()))
    if not editable:
        st.caption("The integration team lead keeps this list.")
        st.stop()
    with st.form("institution", clear_on_submit=True):
        cols = st.columns([2, 1, 2])
        property_id = cols[0].text_input("Property id", placeholder="e.g. P000004")
        treatment = cols[1].selectbox("Treatment", TREATMENTS)
        reason = cols[2].text_input("Why", placeholder="big-box store")
        add, remove = st.columns(2)
        added = add.form_submit_button("Add or change")
        removed = remove.form_submit_button("Remove from the list")
    if added or removed:
        known = (service.set_institution(data.engine(), property_id, treatment, reason, who) if added
                 else service.remove_institution(data.engine(), property_id, who))
        if known:
            st.rerun()
        st.error(f"There is no property with id “{property_id.strip()}”.")
