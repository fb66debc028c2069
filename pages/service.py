"""Customer service: what residents ask for, how fast the city answers, and who is heard."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from integration import access, service
from ui import data
from ui import service as view
from ui.frame import current_user, page_setup

user = page_setup("Customer service", ":material/support_agent:", permission="view_service")

st.title("Customer service")
st.caption("Requests from the CRM / 311 system: sorted into complaints, inquiries, transfers and permits, with "
           "trends, time to close, transfers, workload and where requests run ahead of other evidence.")
version = data.data_version()
everything = view.requests(version, user)  # staff members and teams only for those who may see them
if everything.empty:
    st.info("No customer-service requests are loaded yet: load a CRM extract on the Upload page, then come back.",
            icon=":material/info:")
    st.stop()

first_day, last_day = everything["created"].min().date(), everything["created"].max().date()
kinds = [kind for kind in service.load_config().kinds if kind in set(everything["kind"])]
wards = sorted(set(everything["ward"]) - {service.NOT_RECORDED}, key=lambda w: (len(w), w))
default_start = max(first_day, last_day - timedelta(days=89))
with st.expander("Filters", expanded=True, icon=":material/filter_list:"):
    left, middle, right = st.columns([2, 2, 2])
    # Bound to the URL, like the hotspots filters: a copied link reproduces the view.
    period = left.date_input("Created between", (default_start, last_day), min_value=first_day, max_value=last_day,
                             key="created", bind="query-params")
    chosen_kinds = middle.multiselect("Kinds (all when empty)", kinds, key="kind", bind="query-params")
    chosen_wards = right.multiselect("Wards (all when empty)", wards, key="ward", bind="query-params",
                                     help="Only requests placed on a property have a ward; choosing wards leaves "
                                     "the others out.")
days_picked = tuple(period) if isinstance(period, (tuple, list)) else (period,)  # one date while choosing the second
start, end = (days_picked[0], days_picked[-1]) if days_picked else (default_start, last_day)
filters = view.Filters(start=start, end=end, kinds=tuple(chosen_kinds), wards=tuple(chosen_wards))
chosen = filters.within(everything)
who = current_user()
can_export = access.can(user, "export")

if chosen.empty:
    st.info("No request matches these filters. Widen the dates or clear the kinds and wards.", icon=":material/info:")
    st.stop()

closed = chosen["days_to_close"].dropna()
figures = st.columns(5)
figures[0].metric("Requests", f"{len(chosen):,}")
figures[1].metric("Median days to close", f"{closed.median():.1f}" if len(closed) else "–")
figures[2].metric("90th percentile", f"{closed.quantile(0.9):.1f}" if len(closed) else "–")
figures[3].metric("Still open", f"{int(chosen['open'].sum()):,}")
figures[4].metric("Transferred", f"{chosen['transferred'].mean():.0%}")

tab_names = ["Trends", "Time to close", "Transfers", "Workload", "Equity", "Requests"]
tabs = dict(zip(tab_names, st.tabs(tab_names, key="view", bind="query-params")))  # ?view=Equity links a tab

with tabs["Trends"]:
    if tabs["Trends"].open:  # only the tab in view runs
        by = st.segmented_control("Requests per week by", ["kind", "topic"], default="kind",
                                  format_func={"kind": "Kind", "topic": "Topic"}.get, key="trend_by") or "kind"
        history = filters.keep(everything)
        series = service.weekly(chosen, filters.first, filters.last, by=by, history=history)
        if by == "topic":  # one line per topic is unreadable beyond a handful: the biggest eight
            compared_with = series.attrs["compared_with"]
            series = series[series["topic"].isin(chosen["topic"].value_counts().index[:8])].copy()
            series.attrs["compared_with"] = compared_with
            st.caption("The eight biggest topics of the period.")
        st.altair_chart(view.weekly_chart(series, by), width="stretch")
        st.caption(f"Dashed: {series.attrs['compared_with']}." if series["compared"].sum() else
                   f"No requests are loaded for {series.attrs['compared_with']}, so there is nothing to compare.")
        if can_export:
            view.downloads(st, "weekly", "Weekly requests", series.rename(columns=view.LABELS), who, filters)
        days = max(7, min(28, (filters.end - filters.start).days + 1))
        st.markdown(f"**Fastest-rising topics** (the last {days} days against the {days} before)")
        rising = service.rising_topics(history, filters.last, days=days)
        if rising.empty or not (rising["change"] > 0).any():
            st.caption("No topic has grown with enough requests in the window to call it rising.")
        else:
            st.altair_chart(view.rising_chart(rising), width="stretch")
        view.table("rising-topics", "Rising topics", rising, who, filters, can_export, rows=15)

with tabs["Time to close"]:
    if tabs["Time to close"].open:  # only the tab in view runs
        groups = {"kind": "Kind", "topic": "Topic", "routed_department": "Department routed"}
        by = st.segmented_control("Group by", list(groups), default="routed_department", format_func=groups.get,
                                  key="close_by") or "routed_department"
        closing = service.time_to_close(chosen, by)
        st.altair_chart(view.close_chart(closing, by, groups[by]), width="stretch")
        view.table(f"time-to-close-by-{by}", "Time to close", closing, who, filters, can_export)
        st.markdown("**Open requests by age**: every request still open at the last one loaded, whenever it came in")
        ages = service.open_by_age(filters.keep(everything))
        if ages["requests"].sum() == 0:
            st.caption("Every request is closed.")
        else:
            st.altair_chart(view.open_age_chart(ages), width="stretch")
            if can_export:
                view.downloads(st, "open-by-age", "Open requests by age", ages.drop(columns="order")
                               .rename(columns=view.LABELS), who, filters)

with tabs["Transfers"]:
    if tabs["Transfers"].open:  # only the tab in view runs
        moved = service.transfers(chosen)
        if moved.empty:
            st.info("No request of the period was transferred between departments (or the extract has no transfer "
                    "columns).", icon=":material/info:")
        else:
            delay = service.transfer_delay(chosen)
            st.markdown(f"**{int(moved['requests'].sum()):,} requests** moved between departments after they were "
                        f"first routed. A transfer adds **{delay:+.1f} days** to the time to close: the median, over "
                        "transferred requests, of their days to close minus the median of the same topic's "
                        "untransferred requests.")
            st.altair_chart(view.transfer_chart(moved), width="stretch")
            st.caption(f"Routes with at least {view.TRANSFER_ROUTE_MIN} transfers; the table lists every route.")
            view.table("transfers", "Transfers", moved, who, filters, can_export)

with tabs["Workload"]:
    if tabs["Workload"].open:  # only the tab in view runs
        if not access.can(user, "view_staff_workload"):
            st.info("Figures per staff member and team are shown to administrators and the integration team lead.",
                    icon=":material/lock:")
        elif (chosen["handled_by"] == service.NOT_RECORDED).all():
            st.info("The CRM extract says nothing about who handled each request.", icon=":material/info:")
        else:
            levels = {"handled_by": "Staff member", "team": "Team"}
            by = st.segmented_control("Per", list(levels), default="handled_by", format_func=levels.get,
                                      key="workload_by") or "handled_by"
            st.altair_chart(view.workload_chart(service.workload(chosen, by), by, levels[by]), width="stretch")
            st.caption("Click a name in the legend to pick out one line.")
            view.table(f"workload-by-{by}", "Workload", service.workload_summary(chosen, by), who, filters, can_export)

with tabs["Equity"]:
    if tabs["Equity"].open:  # only the tab in view runs
        populations = view.ward_populations()
        if populations.empty:
            st.info("No ward populations are loaded, so there are no rates per 1,000 residents. Load them with "
                    "`python -m loaders wards FILE` (columns ward, population).", icon=":material/info:")
        else:
            evidence = view.other_evidence(version, filters.first, filters.last)
            fairness = service.equity(chosen, populations, evidence, view.flagged_wards(version, filters.end))
            st.altair_chart(view.equity_chart(fairness), width="stretch")
            st.caption(f"City rates: {fairness.attrs['city_requests_per_1000']:.1f} requests and "
                       f"{fairness.attrs['city_police_fire_per_1000']:.1f} police and fire records per 1,000 "
                       "residents in the period. Index: the ward's request rate against the city's, divided by its "
                       "police and fire rate against the city's; the dashed line is where requests keep pace with "
                       "police and fire records. Share of flagged: the ward's part of the properties flagged on the "
                       "hotspots page at the period's end. Only requests placed on a property count for a ward.")
            ahead = fairness[fairness["reading"] != ""]
            for reading in ahead.itertuples():
                st.markdown(f"- **Ward {reading.ward}**: {reading.reading} ({reading.requests_per_1000:.0f} "
                            f"requests and {reading.police_fire_per_1000:.0f} police and fire records per 1,000 "
                            f"residents; index {reading.index:.2f})")
            view.table("equity", "Equity", fairness, who, filters, can_export)

with tabs["Requests"]:
    if tabs["Requests"].open:  # only the tab in view runs
        listed = chosen.sort_values("created", ascending=False)
        shown = pd.DataFrame({
            "Open": ("/property?property=" + listed["property_id"].astype(str)).where(listed["property_id"].notna()),
            "Request": listed["request_id"], "Created": listed["created"], "Kind": listed["kind"],
            "Topic": listed["topic"], "Department routed": listed["routed_department"], "Status": listed["status"],
            "Days to close": listed["days_to_close"].round(1), "Ward": listed["ward"],
            "Property id": listed["property_id"],
        }).head(5000).reset_index(drop=True)
        st.caption(f"The latest {len(shown):,} of {len(listed):,} requests. Requests placed on a property open its "
                   "page: select the row or follow Open.")
        picked = st.dataframe(shown.drop(columns=["Property id"]), hide_index=True, on_select="rerun",
                              selection_mode="single-row", key="service_requests", column_config={
                                  "Open": st.column_config.LinkColumn("Open", display_text="Open", width="small"),
                                  "Days to close": st.column_config.NumberColumn(format="%.1f")})
        if picked.selection.rows:
            property_id = shown["Property id"].iloc[picked.selection.rows[0]]
            if pd.notna(property_id):
                st.switch_page("pages/property.py", query_params={"property": property_id})
            st.warning("That request is not placed on a property.", icon=":material/location_off:")
        if can_export:
            view.downloads(st, "requests", "Requests", shown.drop(columns=["Open"]), who, filters)
