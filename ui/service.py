"""Customer service: cached reads for the page, its filters, key figures, tabs, charts and download buttons."""

from dataclasses import dataclass
from datetime import date, datetime, time

import altair as alt
import pandas as pd
import streamlit as st

from integration import access, exports, service
from services import requests as requests_service
from ui import data, hotspots
from ui.frame import exported

KIND_COLOURS = {"Complaint": "#b3261e", "Inquiry": "#1f6feb", "Transfer": "#8250df", "Permit": "#1a7f37"}


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    kinds: tuple[str, ...]
    wards: tuple[str, ...]

    @property
    def first(self) -> datetime:
        return datetime.combine(self.start, time.min)

    @property
    def last(self) -> datetime:
        return hotspots.window_end(self.end)

    def as_text(self) -> dict[str, object]:
        return {"created": f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}", "kinds": list(self.kinds) or "all",
                "wards": list(self.wards) or "all"}

    def keep(self, requests: pd.DataFrame) -> pd.DataFrame:
        """The requests these filters choose, at any date (trends compare with earlier periods)."""
        chosen = requests
        if self.kinds:
            chosen = chosen[chosen["kind"].isin(self.kinds)]
        if self.wards:
            chosen = chosen[chosen["ward"].isin(self.wards)]
        return chosen

    def within(self, requests: pd.DataFrame) -> pd.DataFrame:
        chosen = self.keep(requests)
        return chosen[(chosen["created"] > self.first) & (chosen["created"] <= self.last)]


@st.cache_data(max_entries=8, show_spinner="Reading customer-service requests…")
def requests(version: tuple, viewer: access.User | None) -> pd.DataFrame:
    return requests_service.requests(data.engine(), viewer)


def ward_populations() -> pd.DataFrame:
    """Read uncached: a small table an admin reloads rarely."""
    return requests_service.ward_populations(data.engine())


@st.cache_data(max_entries=8, show_spinner=False)
def other_evidence(version: tuple, start: datetime, end: datetime) -> pd.DataFrame:
    return requests_service.other_evidence(data.engine(), start, end)


def flagged_wards(version: tuple, end: date) -> pd.Series:
    """The ward of each property flagged on the hotspots page's default view ending at `end`."""
    return hotspots.hotspots(version, hotspots.default_filters(end), hotspots.institutions())["ward"].dropna()


# --- charts ---------------------------------------------------------------------------------------


def _kind_colour(field: str = "kind") -> alt.Color:
    kinds = list(KIND_COLOURS)
    return alt.Color(f"{field}:N", title="Kind", scale=alt.Scale(domain=kinds, range=[KIND_COLOURS[k] for k in kinds]))


def weekly_chart(series: pd.DataFrame, by: str) -> alt.Chart:
    """This period's weekly requests (solid) and the comparison period's (dashed)."""
    long = series.melt(id_vars=["week", by], value_vars=["requests", "compared"], var_name="series",
                       value_name="count")
    compared_with = series.attrs.get("compared_with", "compared")
    if series["compared"].sum() == 0:  # nothing loaded for the comparison weeks: no flat line at zero
        long = long[long["series"] == "requests"]
    long["series"] = long["series"].map({"requests": "this period", "compared": compared_with})
    colour = _kind_colour(by) if by == "kind" else alt.Color(f"{by}:N", title=by.capitalize())
    base = alt.Chart(long).encode(x=alt.X("week:T", title="Week starting"), y=alt.Y("count:Q", title="Requests"),
                                  color=colour, tooltip=[alt.Tooltip("week:T", title="Week starting"), by, "series",
                                                         "count"])
    # The lines carry the periods' legend as line samples, solid and dashed; drawn with their points in
    # one mark, the legend would show a black dot for each period instead.
    lines = base.mark_line().encode(strokeDash=alt.StrokeDash(
        "series:N", title=None, scale=alt.Scale(domain=["this period", compared_with], range=[[1, 0], [5, 4]]),
        legend=alt.Legend(symbolType="stroke", symbolStrokeColor="#57606a", symbolStrokeWidth=2, symbolSize=500,
                          labelLimit=260)))
    points = base.mark_circle(size=30, opacity=1)
    return alt.layer(lines, points).properties(height=300)


def rising_chart(rising: pd.DataFrame) -> alt.Chart:
    top = rising[rising["change"] > 0].head(10)
    return (alt.Chart(top).mark_bar()
            .encode(x=alt.X("change:Q", title="More requests than the window before"),
                    y=alt.Y("topic:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220)), color=_kind_colour(),
                    tooltip=["topic", "kind", "requests", "before", "change"])
            .properties(height=alt.Step(24)))


def close_chart(table: pd.DataFrame, by: str, label: str) -> alt.Chart:
    """Median days to close as bars, the 90th percentile as a tick beside each."""
    shown = table.dropna(subset=["median_days"]).head(25)
    base = alt.Chart(shown).encode(y=alt.Y(f"{by}:N", sort=alt.SortField("median_days", order="descending"),
                                           title=label, axis=alt.Axis(labelLimit=220)))
    bars = base.mark_bar(color="#1f6feb").encode(
        x=alt.X("median_days:Q", title="Days to close (bar: median, tick: 90th percentile)"),
        tooltip=[by, "requests", "closed", "open", alt.Tooltip("median_days:Q", format=".1f"),
                 alt.Tooltip("p90_days:Q", format=".1f")])
    ticks = base.mark_tick(color="#b3261e", thickness=3, size=16).encode(x="p90_days:Q")
    return (bars + ticks).properties(height=alt.Step(26))


def open_age_chart(table: pd.DataFrame) -> alt.Chart:
    return (alt.Chart(table).mark_bar()
            .encode(x=alt.X("age:N", sort=alt.SortField("order"), title="Open for", axis=alt.Axis(labelAngle=0)),
                    y=alt.Y("requests:Q", title="Open requests"), color=_kind_colour(),
                    tooltip=["kind", "age", "requests"])
            .properties(height=240))


TRANSFER_ROUTE_MIN = 10  # routes with fewer transfers than this are listed, not charted: too few to say


def transfer_chart(table: pd.DataFrame) -> alt.Chart:
    shown = table[table["requests"] >= TRANSFER_ROUTE_MIN]
    shown = shown.assign(route=shown["transferred_from"].astype(str) + " → " + shown["transferred_to"].astype(str))
    return (alt.Chart(shown).mark_bar(color="#8250df")
            .encode(x=alt.X("added_days:Q",
                            title="Days a transfer adds (median, against the same topics untransferred)"),
                    y=alt.Y("route:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
                    tooltip=["route", "requests", alt.Tooltip("median_days_to_transfer:Q", format=".1f"),
                             alt.Tooltip("median_days_to_close:Q", format=".1f"),
                             alt.Tooltip("untransferred_median_days:Q", format=".1f"),
                             alt.Tooltip("added_days:Q", format=".1f")])
            .properties(height=alt.Step(26)))


def workload_chart(weekly: pd.DataFrame, by: str, label: str) -> alt.Chart:
    chosen = alt.selection_point(fields=[by], bind="legend")
    return (alt.Chart(weekly).mark_line(point=True)
            .encode(x=alt.X("week:T", title="Week starting"), y=alt.Y("requests:Q", title="Requests handled"),
                    color=alt.Color(f"{by}:N", title=label, legend=alt.Legend(orient="bottom", columns=5)),
                    opacity=alt.condition(chosen, alt.value(1), alt.value(0.15)),
                    tooltip=[alt.Tooltip("week:T", title="Week starting"), by, "requests",
                             alt.Tooltip("median_days:Q", title="median days to close", format=".1f")])
            .add_params(chosen).properties(height=440))  # the legend below takes its rows out of this


IN_LINE = "in line with the city"


def equity_chart(table: pd.DataFrame) -> alt.Chart:
    """Each ward: requests per 1,000 residents against police and fire records per 1,000, with the
    line where a ward's requests would be in proportion to its police and fire records."""
    shown = table.dropna(subset=["requests_per_1000", "police_fire_per_1000"]).assign(
        reading=lambda frame: frame["reading"].replace("", IN_LINE))
    readings = [IN_LINE, "requests run ahead of other evidence", "need high, few requests"]
    points = alt.Chart(shown).mark_circle(size=160).encode(
        x=alt.X("police_fire_per_1000:Q", title="Police and fire records per 1,000 residents"),
        y=alt.Y("requests_per_1000:Q", title="Customer-service requests per 1,000 residents"),
        color=alt.Color("reading:N", title=None, scale=alt.Scale(domain=readings,
                                                                 range=["#8c959f", "#b3261e", "#1f6feb"]),
                        legend=alt.Legend(orient="bottom", labelLimit=300)),
        tooltip=["ward", "population", "requests", alt.Tooltip("requests_per_1000:Q", format=".1f"),
                 alt.Tooltip("police_fire_per_1000:Q", format=".1f"),
                 alt.Tooltip("flagged_share:Q", format=".0%", title="share of flagged properties"), "reading"])
    labels = points.mark_text(dy=-12, fontSize=11).encode(text="ward:N", color=alt.value("#24292f"))
    ratio = table.attrs["city_requests_per_1000"] / table.attrs["city_police_fire_per_1000"]
    top = float(shown["police_fire_per_1000"].max()) * 1.05
    line = alt.Chart(pd.DataFrame({"police_fire_per_1000": [0.0, top],
                                   "requests_per_1000": [0.0, top * ratio]})).mark_line(
        strokeDash=[4, 4], color="#8c959f").encode(x="police_fire_per_1000:Q", y="requests_per_1000:Q")
    return (line + points + labels).properties(height=380)


# --- tables and downloads -------------------------------------------------------------------------

LABELS = {
    "kind": "Kind", "topic": "Topic", "routed_department": "Department routed", "handled_by": "Staff member",
    "team": "Team", "requests": "Requests", "closed": "Closed", "open": "Still open",
    "median_days": "Median days to close", "p90_days": "90th percentile days", "share": "Share of requests",
    "per_week": "Per active week", "transferred_from": "From", "transferred_to": "To",
    "median_days_to_transfer": "Median days to transfer", "median_days_to_close": "Median days to close",
    "untransferred_median_days": "Same topics, not transferred", "added_days": "Days added",
    "ward": "Ward", "population": "Residents", "police_fire_records": "Police and fire records",
    "flagged_properties": "Flagged properties", "requests_per_1000": "Requests per 1,000",
    "police_fire_per_1000": "Police and fire per 1,000", "flagged_share": "Share of flagged", "index": "Index",
    "reading": "Reading", "before": "Window before", "change": "Change", "growth": "Growth",
    "week": "Week starting", "compared": "Compared with", "age": "Open for",
}
FORMATS = {"median_days": "%.1f", "p90_days": "%.1f", "per_week": "%.1f", "median_days_to_transfer": "%.1f",
           "median_days_to_close": "%.1f", "untransferred_median_days": "%.1f", "added_days": "%+.1f",
           "requests_per_1000": "%.1f", "police_fire_per_1000": "%.1f", "index": "%.2f", "growth": "%.1f×",
           "share": "percent", "flagged_share": "percent"}


def table(name: str, title: str, frame: pd.DataFrame, who: str, filters: Filters, can_export: bool,
          rows: int | None = None) -> None:
    """A figures table with readable column names, and its CSV and XLSX downloads (all rows)."""
    readable = frame.rename(columns=LABELS)
    config = {LABELS.get(column, column): st.column_config.NumberColumn(LABELS.get(column, column), format=style)
              for column, style in FORMATS.items() if column in frame.columns}
    st.dataframe(readable.head(rows) if rows else readable, hide_index=True, column_config=config)
    if can_export:
        downloads(st, name, title, readable, who, filters)


def downloads(place, name: str, title: str, frame: pd.DataFrame, who: str, filters: Filters) -> None:
    """CSV and XLSX buttons for one table, the filters written in the file, the export audited."""
    left, right, _ = place.columns([2, 2, 3])
    stem = f"customer-service-{name}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}"
    as_csv = exported(f"service {name}", "CSV", lambda: exports.to_csv(frame, who, filters.as_text()))
    as_xlsx = exported(f"service {name}", "XLSX",
                       lambda: exports.to_xlsx(frame, who, filters.as_text(), sheet=title[:31]))
    left.download_button(f"{title} (CSV)", as_csv, f"{stem}.csv", "text/csv", icon=":material/download:",
                         key=f"{name}-csv", on_click="ignore")
    right.download_button(f"{title} (XLSX)", as_xlsx, f"{stem}.xlsx", key=f"{name}-xlsx", icon=":material/download:",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")


# --- the tabs ------------------------------------------------------------------------------------


def key_figures(chosen: pd.DataFrame) -> None:
    closed = chosen["days_to_close"].dropna()
    figures = st.columns(5)
    figures[0].metric("Requests", f"{len(chosen):,}")
    figures[1].metric("Median days to close", f"{closed.median():.1f}" if len(closed) else "–")
    figures[2].metric("90th percentile", f"{closed.quantile(0.9):.1f}" if len(closed) else "–")
    figures[3].metric("Still open", f"{int(chosen['open'].sum()):,}")
    figures[4].metric("Transferred", f"{chosen['transferred'].mean():.0%}")


def trends_tab(everything: pd.DataFrame, chosen: pd.DataFrame, filters: Filters, who: str, can_export: bool) -> None:
    by = st.segmented_control("Requests per week by", ["kind", "topic"], default="kind",
                              format_func={"kind": "Kind", "topic": "Topic"}.get, key="trend_by") or "kind"
    history = filters.keep(everything)
    series = service.weekly(chosen, filters.first, filters.last, by=by, history=history)
    if by == "topic":  # one line per topic is unreadable beyond a handful: the biggest eight
        compared_with = series.attrs["compared_with"]
        series = series[series["topic"].isin(chosen["topic"].value_counts().index[:8])].copy()
        series.attrs["compared_with"] = compared_with
        st.caption("The eight biggest topics of the period.")
    st.altair_chart(weekly_chart(series, by), width="stretch")
    st.caption(f"Dashed: {series.attrs['compared_with']}." if series["compared"].sum() else
               f"No requests are loaded for {series.attrs['compared_with']}, so there is nothing to compare.")
    if can_export:
        downloads(st, "weekly", "Weekly requests", series.rename(columns=LABELS), who, filters)
    days = max(7, min(28, (filters.end - filters.start).days + 1))
    st.markdown(f"**Fastest-rising topics** (the last {days} days against the {days} before)")
    rising = service.rising_topics(history, filters.last, days=days)
    if rising.empty or not (rising["change"] > 0).any():
        st.caption("No topic has grown with enough requests in the window to call it rising.")
    else:
        st.altair_chart(rising_chart(rising), width="stretch")
    table("rising-topics", "Rising topics", rising, who, filters, can_export, rows=15)


def time_to_close_tab(everything: pd.DataFrame, chosen: pd.DataFrame, filters: Filters, who: str,
                      can_export: bool) -> None:
    groups = {"kind": "Kind", "topic": "Topic", "routed_department": "Department routed"}
    by = st.segmented_control("Group by", list(groups), default="routed_department", format_func=groups.get,
                              key="close_by") or "routed_department"
    closing = service.time_to_close(chosen, by)
    st.altair_chart(close_chart(closing, by, groups[by]), width="stretch")
    table(f"time-to-close-by-{by}", "Time to close", closing, who, filters, can_export)
    st.markdown("**Open requests by age**: every request still open at the last one loaded, whenever it came in")
    ages = service.open_by_age(filters.keep(everything))
    if ages["requests"].sum() == 0:
        st.caption("Every request is closed.")
    else:
        st.altair_chart(open_age_chart(ages), width="stretch")
        if can_export:
            downloads(st, "open-by-age", "Open requests by age", ages.drop(columns="order").rename(columns=LABELS),
                      who, filters)


def transfers_tab(chosen: pd.DataFrame, filters: Filters, who: str, can_export: bool) -> None:
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
        st.altair_chart(transfer_chart(moved), width="stretch")
        st.caption(f"Routes with at least {TRANSFER_ROUTE_MIN} transfers; the table lists every route.")
        table("transfers", "Transfers", moved, who, filters, can_export)


def workload_tab(user: access.User, chosen: pd.DataFrame, filters: Filters, who: str, can_export: bool) -> None:
    if not access.can(user, "view_staff_workload"):
        st.info("Figures per staff member and team are shown to administrators and the integration team lead.",
                icon=":material/lock:")
    elif (chosen["handled_by"] == service.NOT_RECORDED).all():
        st.info("The CRM extract says nothing about who handled each request.", icon=":material/info:")
    else:
        levels = {"handled_by": "Staff member", "team": "Team"}
        by = st.segmented_control("Per", list(levels), default="handled_by", format_func=levels.get,
                                  key="workload_by") or "handled_by"
        st.altair_chart(workload_chart(service.workload(chosen, by), by, levels[by]), width="stretch")
        st.caption("Click a name in the legend to pick out one line.")
        table(f"workload-by-{by}", "Workload", service.workload_summary(chosen, by), who, filters, can_export)


def equity_tab(version: tuple, chosen: pd.DataFrame, filters: Filters, who: str, can_export: bool) -> None:
    populations = ward_populations()
    if populations.empty:
        st.info("No ward populations are loaded, so there are no rates per 1,000 residents. Load them with "
                "`python -m loaders wards FILE` (columns ward, population).", icon=":material/info:")
    else:
        evidence = other_evidence(version, filters.first, filters.last)
        fairness = service.equity(chosen, populations, evidence, flagged_wards(version, filters.end))
        st.altair_chart(equity_chart(fairness), width="stretch")
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
        table("equity", "Equity", fairness, who, filters, can_export)


MISSING = "–"  # what a missing value reads as on screen, never the word None


def _or_dash(column: pd.Series) -> pd.Series:
    text = column.astype(object)
    return text.where(text.notna() & (text.astype(str).str.strip() != ""), MISSING)


def requests_tab(chosen: pd.DataFrame, filters: Filters, who: str, can_export: bool) -> None:
    listed = chosen.sort_values("created", ascending=False)
    shown = pd.DataFrame({
        # a blank, not None, where the request is not placed on a property
        "Open": ("/property?property=" + listed["property_id"].astype(str)).where(listed["property_id"].notna(), ""),
        "Request": listed["request_id"], "Created": listed["created"], "Kind": _or_dash(listed["kind"]),
        "Topic": _or_dash(listed["topic"]), "Department routed": _or_dash(listed["routed_department"]),
        "Status": _or_dash(listed["status"]),
        "Days to close": [f"{days:.1f}" if pd.notna(days) else MISSING for days in listed["days_to_close"]],
        "Ward": _or_dash(listed["ward"]), "Property id": listed["property_id"],
    }).head(5000).reset_index(drop=True)
    st.caption(f"The latest {len(shown):,} of {len(listed):,} requests. Requests placed on a property open its "
               "page: select the row or follow Open.")
    picked = st.dataframe(shown.drop(columns=["Property id"]), hide_index=True, on_select="rerun",
                          selection_mode="single-row", key="service_requests", column_config={
                              "Open": st.column_config.LinkColumn("Open", display_text="Open", width="small"),
                              "Days to close": st.column_config.TextColumn(alignment="right")})
    if picked.selection.rows:
        property_id = shown["Property id"].iloc[picked.selection.rows[0]]
        if pd.notna(property_id):
            st.switch_page("pages/property.py", query_params={"property": property_id})
        st.warning("That request is not placed on a property.", icon=":material/location_off:")
    if can_export:
        downloads(st, "requests", "Requests", shown.drop(columns=["Open"]), who, filters)
