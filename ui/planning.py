"""Customer service, Planning tab: requests per week ahead drawn beside the weeks past, how far to
trust the forecast, and the staff it needs (for the roles that see staff figures)."""

import altair as alt
import pandas as pd
import streamlit as st

from integration import access, exports, service
from services import forecast as planning
from ui import service as view
from ui.frame import exported

PAST_WEEKS = 26  # weeks past drawn before the forecast
COLOURS = {"weeks past": "#24292f", "forecast": "#1f6feb", "80% interval": "#79b8ff", "95% interval": "#d0e6ff"}
LABELS = {
    "series": "Series", "method": "Forecast from", "weeks": "Weeks scored", "model_wape": "Forecast WAPE",
    "seasonal_naive_wape": "Year before WAPE", "last4_wape": "Last 4 weeks WAPE", "note": "Note",
    "week": "Week starting", "forecast": "Forecast", "low_80": "80% low", "high_80": "80% high",
    "low_95": "95% low", "high_95": "95% high", "group": "Team or department", "staff_now": "Staff now",
    "per_person": "Requests per person a week", "weeks_seen": "Weeks seen", "staff_needed": "Staff-weeks needed",
    "staff_needed_high": "Staff-weeks at the 80% high", "shortfall": "Short by",
}


@st.cache_data(max_entries=16, show_spinner="Forecasting requests…")
def plan(version: tuple, by: str, weeks: int, _viewer: access.User | None) -> planning.Plan | str:
    """The plan for these settings on this data version (or why there is none), computed once for
    everyone: it reads only when, of which kind and topic and where requests were routed, which no
    role has hidden (the viewer only picks which cached copy of the requests to read)."""
    try:
        return planning.plan(view.requests(version, _viewer), by=by, weeks=weeks)
    except planning.NothingToForecast as error:
        return str(error)


@st.cache_data(max_entries=16, show_spinner="Forecasting each team's requests…")
def staff_forecast(version: tuple, viewer: access.User | None, by: str, weeks: int) -> tuple[pd.DataFrame,
                                                                                          pd.DataFrame]:
    """Each team's (or department's) forecast, unscored, and what the data show its staff handle."""
    requests = view.requests(version, viewer)
    groups = planning.plan(requests, by=by, weeks=weeks, scored=False, largest_topics=0)
    basis = planning.staffing_basis(requests, by, groups.last_week)
    return groups.forecast[groups.forecast["series"] != planning.CITY], basis


# --- the chart -----------------------------------------------------------------------------------


def forecast_chart(result: planning.Plan, names: list[str], columns: int = 1, height: int = 260) -> alt.Chart:
    """Each series' weeks past (solid, dark) and forecast (blue) with its 80% and 95% bands; one
    panel per series, each with its own scale."""
    past = result.history[result.history["series"].isin(names)]
    past = past[past["week"] > result.last_week - pd.Timedelta(weeks=PAST_WEEKS)]
    ahead = result.forecast[result.forecast["series"].isin(names)]
    frame = pd.concat([past.assign(what="weeks past", value=past["requests"]).drop(columns="requests"),
                       ahead.assign(what="forecast", value=ahead["forecast"])], ignore_index=True)
    colour = alt.Color("what:N", title=None, scale=alt.Scale(domain=list(COLOURS), range=list(COLOURS.values())),
                       legend=alt.Legend(orient="top", symbolType="square", symbolSize=160, symbolStrokeWidth=0,
                                         labelFontSize=12))
    x = alt.X("week:T", title="Week starting")
    base = alt.Chart().encode(x=x)
    band95 = base.transform_filter(alt.datum.what == "forecast").transform_calculate(what="'95% interval'").mark_area(
        ).encode(y=alt.Y("low_95:Q", title="Requests a week"), y2="high_95:Q", color=colour)
    band80 = base.transform_filter(alt.datum.what == "forecast").transform_calculate(what="'80% interval'").mark_area(
        ).encode(y="low_80:Q", y2="high_80:Q", color=colour)
    lines = base.mark_line().encode(
        y=alt.Y("value:Q", title="Requests a week"), color=colour, strokeDash=alt.StrokeDash(
            "what:N", legend=None, scale=alt.Scale(domain=["weeks past", "forecast"], range=[[1, 0], [5, 3]])),
        tooltip=[alt.Tooltip("week:T", title="Week starting"), alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("what:N", title="Shown"), alt.Tooltip("value:Q", title="Requests", format=",.0f"),
                 alt.Tooltip("low_80:Q", title="80% low", format=",.0f"),
                 alt.Tooltip("high_80:Q", title="80% high", format=",.0f"),
                 alt.Tooltip("method:N", title="Forecast from")])
    points = base.mark_circle(size=28, opacity=1).encode(y="value:Q", color=colour)
    layered = alt.layer(band95, band80, lines, points, data=frame).properties(height=height, width="container"
                                                                      if columns == 1 else 225)
    if len(names) == 1:
        return layered.properties(title=_title(names[0]))
    return (layered.facet(facet=alt.Facet("series:N", sort=names, title=None,
                                          header=alt.Header(labelFontSize=13, labelFontWeight="bold")),
                          columns=columns)
            .resolve_scale(y="independent"))


def _title(name: str) -> str:
    return "City-wide" if name == planning.CITY else name


# --- the tab -------------------------------------------------------------------------------------


def planning_tab(version: tuple, user: access.User | None, who: str, can_export: bool) -> None:
    config = service.load_planning_config()
    left, right = st.columns([3, 1])
    by = left.segmented_control("Forecast by", list(planning.GROUPINGS), default="kind",
                                format_func=planning.GROUPINGS.get, key="plan_by") or "kind"
    weeks = int(right.number_input("Weeks ahead", min_value=1, max_value=52, value=config.weeks, step=1,
                                   key="plan_weeks"))
    st.caption("The plan reads every whole week of requests loaded, whatever the filters above say. Weeks run "
               "Monday to Sunday in the city's time zone; weeks with a federal holiday, and the weeks after them, "
               "are adjusted by the effect the city's own such weeks show, where it is more than chance.")
    result = plan(version, by, weeks, user)
    if isinstance(result, str):
        st.info(result, icon=":material/info:")
        return
    for note in result.notes:
        st.warning(note, icon=":material/warning:")

    st.altair_chart(forecast_chart(result, [planning.CITY], height=320), width="stretch")
    names = [name for name in result.accuracy["series"] if name != planning.CITY]
    if names:
        st.markdown(f"**By {planning.GROUPINGS[by].lower()}**")
        st.altair_chart(forecast_chart(result, names, columns=3, height=150), width="content")
    trust(result)
    if can_export:
        plan_downloads(result, who)
    staffing_section(version, user, weeks, who, can_export)


def trust(result: planning.Plan) -> None:
    """Every series' backtest beside the two baselines, and where a baseline stands in for the model."""
    st.markdown(f"**How far to trust it**: backtest {result.settings['backtest']}. WAPE is the forecasts' absolute "
                "errors over the requests that came: lower is better. The baselines are scored on the same weeks.")
    city = result.accuracy[result.accuracy["series"] == planning.CITY].iloc[0]
    if pd.notna(city["model_wape"]):
        beside = [f"{label} {value:.1%}" for label, value in
                  (("the same weeks a year before", city["seasonal_naive_wape"]),
                   ("the mean of the last four weeks", city["last4_wape"])) if pd.notna(value)]
        st.markdown(f"City-wide, the forecast was off by **{city['model_wape']:.1%}** of the requests"
                    + (f", against {' and '.join(beside)}." if beside else "."))
    shown = result.accuracy.assign(series=result.accuracy["series"].map(_title))
    for name in ("model_wape", "seasonal_naive_wape", "last4_wape"):  # a dash where it cannot be computed
        shown[name] = [f"{value:.1%}" if pd.notna(value) else "–" for value in shown[name]]
    st.dataframe(shown.rename(columns=LABELS), hide_index=True, column_config={
        **{LABELS[name]: st.column_config.TextColumn(alignment="right", width=125)
           for name in ("model_wape", "seasonal_naive_wape", "last4_wape")},
        LABELS["series"]: st.column_config.TextColumn(width=150),
        LABELS["method"]: st.column_config.TextColumn(width=180),
        LABELS["weeks"]: st.column_config.NumberColumn(width=105),
        LABELS["note"]: st.column_config.TextColumn(width="large")})
    noted = result.accuracy[result.accuracy["note"] != ""]
    if len(noted):
        st.markdown("Where a series is too short, too sparse or seasonal beyond what its history can teach a "
                    "model, its forecast is a baseline, and why:\n"
                    + "\n".join(f"- **{_title(row.series)}** ({row.method}): {row.note}" for row in noted.itertuples()))


def _plan_table(result: planning.Plan) -> pd.DataFrame:
    scores = result.accuracy.drop(columns=["method"])
    return result.forecast.merge(scores, on="series", how="left").rename(columns=LABELS)


def plan_downloads(result: planning.Plan, who: str) -> None:
    downloads("plan", "Forecast", _plan_table(result), who, result.settings)


def downloads(name: str, title: str, frame: pd.DataFrame, who: str, settings: dict) -> None:
    """CSV and XLSX of one table with the settings it was made with; the export audited."""
    left, right, _ = st.columns([2, 2, 3])
    stem = f"customer-service-{name}-{pd.Timestamp.now():%Y%m%d}"
    as_csv = exported(f"service planning {name}", "CSV", lambda: exports.to_csv(frame, who, settings))
    as_xlsx = exported(f"service planning {name}", "XLSX",
                       lambda: exports.to_xlsx(frame, who, settings, sheet=title[:31]))
    left.download_button(f"{title} (CSV)", as_csv, f"{stem}.csv", "text/csv", icon=":material/download:",
                         key=f"planning-{name}-csv", on_click="ignore")
    right.download_button(f"{title} (XLSX)", as_xlsx, f"{stem}.xlsx", key=f"planning-{name}-xlsx",
                          icon=":material/download:", on_click="ignore",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# --- staffing ------------------------------------------------------------------------------------


def staffing_section(version: tuple, user: access.User | None, weeks: int, who: str, can_export: bool) -> None:
    st.markdown("**Staffing**: the staff-weeks the forecast needs, at what one person handles a week")
    if not access.can(user, "view_staff_workload"):
        st.info("Staffing works from figures per staff member, which are shown to administrators and the "
                "integration team lead.", icon=":material/lock:")
        return
    level = st.segmented_control("Staff per", list(planning.STAFF_GROUPINGS), default="team",
                                 format_func=planning.STAFF_GROUPINGS.get, key="plan_staff_by") or "team"
    groups, basis = staff_forecast(version, user, level, weeks)
    if basis.empty:
        st.info("The CRM extract says nothing about who handled each request in the recent weeks, so there is "
                "nothing to plan staff from.", icon=":material/info:")
        return
    config = service.load_planning_config()
    st.caption(f"Staff now: the people who handled a request in the last {config.staff_now_weeks} whole weeks. "
               f"Requests per person a week: the median of the last {config.throughput_weeks} weeks. Change "
               "either to see what if; a person working for several groups counts in each.")
    edited = st.data_editor(
        basis.rename(columns=LABELS), hide_index=True, key=f"plan_basis_{level}", num_rows="fixed",
        disabled=[LABELS["group"], LABELS["weeks_seen"]],
        column_config={LABELS["per_person"]: st.column_config.NumberColumn(min_value=0.1, format="%.1f"),
                       LABELS["staff_now"]: st.column_config.NumberColumn(min_value=0, step=1, format="%d")})
    chosen = edited.rename(columns={label: name for name, label in LABELS.items()})
    need = planning.staffing(groups, chosen)
    if need.empty:
        st.info("No team in the forecast has staff figures to plan with.", icon=":material/info:")
        return
    wide = need.pivot(index="week", columns="group", values="staff_needed")
    staff = chosen.set_index("group")["staff_now"].reindex(wide.columns)
    short = wide.gt(staff, axis=1)
    styled = wide.style.format("{:.1f}").apply(
        lambda column: ["background-color: #ffd7d5; color: #82071e; font-weight: 600" if flag else ""
                        for flag in short[column.name]], axis=0)
    st.caption("Staff-weeks needed in each week ahead; red where that is more than the staff now.")
    st.dataframe(styled, column_config={"week": st.column_config.DateColumn("Week starting", format="YYYY-MM-DD")})
    if short.any().any():
        lines = [f"- **{group}**: {int(short[group].sum())} of {len(short)} weeks need more than the "
                 f"{int(staff[group])} staff now (at most {wide[group].max():.1f} staff-weeks)"
                 for group in short.columns if short[group].any()]
        st.warning("Weeks where the need exceeds the staff now are marked red:\n" + "\n".join(lines),
                   icon=":material/group_add:")
    else:
        st.success("The staff now cover every week's forecast.", icon=":material/check_circle:")
    if can_export:
        settings = {"staff per": planning.STAFF_GROUPINGS[level], "weeks ahead": weeks,
                    "requests per person a week": ", ".join(f"{row.group} {float(row.per_person):.1f}"
                                                            for row in chosen.itertuples()),
                    "staff now": ", ".join(f"{row.group} {int(row.staff_now)}" for row in chosen.itertuples())}
        downloads(f"staffing-by-{level}", "Staffing", need.rename(columns=LABELS), who, settings)
