"""The customer-service page in AppTest: its figures are integration/service's, staff-level figures
are for the roles allowed them, and a request placed on a property opens that property."""

from datetime import timedelta

from tests.app.apptest import open_page

from integration import service
from storage import department_records
from storage.engine import create_engine, reading


def _chosen_requests(url: str):
    """The requests of the page's default view: the 90 days up to the last request."""
    with reading(create_engine(url)) as conn:
        first, last = department_records.record_date_range(conn)
        frame = department_records.service_requests(conn, first - timedelta(days=1), last, kept=service.OPTIONAL_FIELDS)
    frame = service.prepare(frame, frame["created"].max())  # open requests' age at the last one, as the page
    end = frame["created"].max().normalize() + timedelta(days=1)
    return frame[frame["created"] > end - timedelta(days=90)]


def _table(app, column: str):
    return next(frame.value for frame in app.dataframe if column in frame.value.columns)


def test_the_page_shows_the_figures_of_the_requests(monkeypatch, city_db_url):
    app = open_page("pages/service.py", monkeypatch, city_db_url, user="lead")
    assert not app.exception
    chosen = _chosen_requests(city_db_url)
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Requests"] == f"{len(chosen):,}"
    assert metrics["Median days to close"] == f"{chosen['days_to_close'].median():.1f}"
    assert metrics["Still open"] == f"{int(chosen['open'].sum()):,}"
    assert [tab.label for tab in app.tabs] == ["Trends", "Time to close", "Transfers", "Workload", "Equity", "Requests",
                                               "Planning"]
    assert app.get("vega_lite_chart")  # the weekly chart of the first tab
    assert not any("Department routed" in frame.value.columns for frame in app.dataframe)  # other tabs wait

    app = open_page("pages/service.py", monkeypatch, city_db_url, user="lead", view="Time to close")
    by_department = _table(app, "Department routed")
    expected = service.time_to_close(chosen, "routed_department")
    assert by_department["Department routed"].tolist() == expected["routed_department"].tolist()
    assert by_department["Median days to close"].tolist() == expected["median_days"].tolist()
    assert by_department["90th percentile days"].tolist() == expected["p90_days"].tolist()

    app = open_page("pages/service.py", monkeypatch, city_db_url, user="lead", view="Workload")
    assert _table(app, "Staff member")["Requests"].sum() == len(chosen)  # the lead sees staff figures

    app = open_page("pages/service.py", monkeypatch, city_db_url, user="lead", view="Equity")
    equity = _table(app, "Requests per 1,000")
    assert equity["Residents"].notna().all()  # the sample city's ward populations are loaded
    assert equity["Requests"].sum() == chosen["property_id"].notna().sum()


def test_staff_figures_are_hidden_from_roles_without_them(monkeypatch, city_db_url):
    app = open_page("pages/service.py", monkeypatch, city_db_url, user="viewer", view="Workload")
    assert not app.exception
    assert not any("Staff member" in frame.value.columns for frame in app.dataframe)
    assert any("per staff member" in info.value for info in app.info)
    assert not app.get("download_button")  # a viewer may not export


def test_requests_placed_on_a_property_link_to_its_page(monkeypatch, city_db_url):
    app = open_page("pages/service.py", monkeypatch, city_db_url, user="lead", view="Requests")
    listed = _table(app, "Request")
    placed = listed["Ward"] != "(not recorded)"
    assert placed.any() and (~placed).any()
    assert listed.loc[placed, "Open"].str.fullmatch(r"/property\?property=P\d+").all()
    assert (listed.loc[~placed, "Open"] == "").all()  # blank: the grid shows None for a missing link


def test_an_empty_database_says_what_to_load(monkeypatch, empty_db_url):
    app = open_page("pages/service.py", monkeypatch, empty_db_url)
    assert not app.exception
    assert "No customer-service requests are loaded yet" in app.info[0].value


def test_the_filters_come_from_the_url_so_a_link_reproduces_the_view(monkeypatch, city_db_url):
    chosen = _chosen_requests(city_db_url)
    ward = chosen["ward"].value_counts().index[0]
    app = open_page("pages/service.py", monkeypatch, city_db_url, user="lead", kind=["Permit", "Inquiry"], ward=ward)
    assert not app.exception
    expected = chosen[chosen["kind"].isin(["Permit", "Inquiry"]) & (chosen["ward"] == ward)]
    assert {metric.label: metric.value for metric in app.metric}["Requests"] == f"{len(expected):,}"

    last = chosen["created"].max().date()
    app = open_page("pages/service.py", monkeypatch, city_db_url, user="lead",
                    created=[str(last - timedelta(days=6)), str(last)])
    week = chosen[chosen["created"].dt.date > last - timedelta(days=7)]
    assert {metric.label: metric.value for metric in app.metric}["Requests"] == f"{len(week):,}"


def _dashed_layer(chart) -> dict:
    """The strokeDash encoding of the one layer of `chart` that has one."""
    [dash] = [layer["encoding"]["strokeDash"] for layer in chart.to_dict()["layer"]
              if "strokeDash" in layer.get("encoding", {})]
    return dash


def test_the_weekly_chart_draws_this_period_solid_and_the_comparison_dashed():
    import pandas as pd

    from ui.service import weekly_chart

    series = pd.DataFrame({"week": pd.to_datetime(["2026-03-02", "2026-03-09"]), "kind": ["Complaint"] * 2,
                           "requests": [5, 7], "compared": [4, 3]})
    series.attrs["compared_with"] = "the weeks just before"
    dash = _dashed_layer(weekly_chart(series, "kind"))["scale"]
    solid = dict(zip(dash["domain"], dash["range"]))
    assert solid["this period"] == [1, 0] and solid["the weeks just before"] != [1, 0]


def test_a_period_with_nothing_loaded_before_it_says_there_is_nothing_to_compare(monkeypatch, city_db_url):
    chosen = _chosen_requests(city_db_url)
    with reading(create_engine(city_db_url)) as conn:
        start = department_records.record_date_range(conn)[0].date()  # the first day anything was recorded
    app = open_page("pages/service.py", monkeypatch, city_db_url, user="lead",
                    created=[str(start), str(chosen["created"].max().date())])
    assert any("nothing to compare" in caption.value for caption in app.caption)
    app = open_page("pages/service.py", monkeypatch, city_db_url, user="lead")  # 90 days: the weeks before exist
    assert any(caption.value.startswith("Dashed: the weeks just before") for caption in app.caption)


def test_the_weekly_legend_shows_each_period_as_its_own_line():
    import pandas as pd

    from ui.service import weekly_chart

    series = pd.DataFrame({"week": pd.to_datetime(["2026-03-02", "2026-03-09"]), "kind": ["Complaint"] * 2,
                           "requests": [5, 7], "compared": [4, 3]})
    series.attrs["compared_with"] = "the same weeks a year before"
    legend = _dashed_layer(weekly_chart(series, "kind"))["legend"]
    # a line sample in the legend (not a black dot for both): the dash pattern itself tells them apart,
    # which it can only on a layer without points (a filled point mark turns the sample into a dot)
    assert legend["symbolType"] == "stroke" and legend["symbolStrokeColor"] not in ("black", "#000", "#000000")
    assert legend["symbolStrokeWidth"] >= 2
    dashed = [layer for layer in weekly_chart(series, "kind").to_dict()["layer"] if "strokeDash" in layer["encoding"]]
    assert all(layer["mark"] in ("line", {"type": "line"}) for layer in dashed)


def test_the_requests_table_shows_a_dash_not_none_for_missing_values(monkeypatch, city_db_url):
    app = open_page("pages/service.py", monkeypatch, city_db_url, user="lead", view="Requests")
    listed = _table(app, "Request")
    for column in ("Status", "Department routed", "Ward", "Kind", "Topic"):
        assert listed[column].notna().all(), column
        assert not listed[column].astype(str).isin(["None", "nan", "NaN", "<NA>"]).any(), column
    assert (listed["Days to close"] == "–").any()  # open requests have no days to close: a dash


# --- planning --------------------------------------------------------------------------------------


def _planned(url: str, user, by: str = "kind"):
    from services import forecast
    from services.requests import requests as stored_requests

    return forecast.plan(stored_requests(create_engine(url), user), by=by)


def test_the_planning_tab_forecasts_with_its_backtest_and_staffing_for_a_lead(monkeypatch, city_db_url):
    from integration.access import User

    app = open_page("pages/service.py", monkeypatch, city_db_url, user="lead", view="Planning")
    assert not app.exception
    expected = _planned(city_db_url, User("lead", "integration_team", lead=True))
    scores = _table(app, "Forecast WAPE")
    assert scores["Series"].tolist() == ["City-wide", *expected.accuracy["series"].iloc[1:]]
    city = expected.accuracy.iloc[0]
    assert scores["Forecast WAPE"].iloc[0] == f"{city['model_wape']:.1%}"
    assert scores["Last 4 weeks WAPE"].iloc[0] == f"{city['last4_wape']:.1%}"
    assert scores["Year before WAPE"].iloc[0] == "–"  # one year loaded: cannot be computed
    assert any("under a year" in warning.value or "whole weeks" in warning.value for warning in app.warning)
    charts = [chart.proto.spec for chart in app.get("vega_lite_chart")]
    assert len(charts) == 2 and all("low_95" in spec and "high_80" in spec for spec in charts)
    assert any(f"off by **{city['model_wape']:.1%}**" in text.value for text in app.markdown)

    basis = _table(app, "Requests per person a week")
    assert (basis["Staff now"] > 0).all() and (basis["Requests per person a week"] > 0).all()
    need = next(frame.value for frame in app.dataframe if set(basis["Team or department"]) <= set(frame.value.columns))
    assert len(need) == 12  # a row per week ahead
    labels = [button.label for button in app.get("download_button")]
    assert labels == ["Forecast (CSV)", "Forecast (XLSX)", "Staffing (CSV)", "Staffing (XLSX)"]

    app.button_group(key="plan_by").set_value("topic").run()
    topics = _table(app, "Forecast WAPE").set_index("Series")
    assert "Snow Removal" in topics.index and "(other topics)" in topics.index
    assert len(topics) == 12  # the city, the ten largest topics, the rest together


def test_a_viewer_sees_the_forecast_but_not_the_per_person_figures(monkeypatch, city_db_url):
    app = open_page("pages/service.py", monkeypatch, city_db_url, user="viewer", view="Planning")
    assert not app.exception
    assert len(app.get("vega_lite_chart")) == 2
    from integration.access import User

    expected = _planned(city_db_url, User("viewer", "viewer")).accuracy
    shown = _table(app, "Forecast WAPE")
    assert shown["Forecast WAPE"].tolist() == [f"{value:.1%}" if value == value else "–"
                                               for value in expected["model_wape"]]
    assert not any("Staff now" in frame.value.columns for frame in app.dataframe)
    assert not any("Requests per person a week" in frame.value.columns for frame in app.dataframe)
    assert any("administrators and the integration team lead" in info.value for info in app.info)
    assert not app.get("download_button")


def test_the_planning_tab_on_a_city_with_a_few_weeks_says_what_it_can(monkeypatch, empty_db_url, city_dir, tmp_path):
    import pandas as pd

    from loaders.__main__ import main as loaders_main

    extract = pd.read_csv(city_dir / "crm.csv", dtype=str, keep_default_na=False)
    created = pd.to_datetime(extract["Created"])
    recent = tmp_path / "crm-recent.csv"
    extract[created > created.max() - timedelta(weeks=6)].to_csv(recent, index=False)  # six weeks of requests
    assert loaders_main(["ingest", "--department", "crm", str(recent)], engine=create_engine(empty_db_url)) == 0
    app = open_page("pages/service.py", monkeypatch, empty_db_url, user="admin", view="Planning")
    assert not app.exception
    scores = _table(app, "Forecast WAPE")
    assert (scores["Forecast from"] == "mean of the last 4 weeks").all()
    assert scores["Note"].str.contains("too short for a model").all()
    assert any("under a year" in warning.value for warning in app.warning)


def test_the_plan_exports_with_the_settings_it_was_made_with(city_db_url):
    import csv
    import io

    from integration import exports
    from integration.access import User
    from ui import planning as planning_view

    result = _planned(city_db_url, User("lead", "integration_team", lead=True))
    table = planning_view._plan_table(result)
    text = exports.to_csv(table, "lead", result.settings).decode("utf-8-sig")
    provenance = [line for line in text.splitlines() if line.startswith("#")]
    for setting in ("forecast by: Kind", "weeks ahead: 12", "backtest: the last 26 weeks, 1 to 8 weeks ahead"):
        assert any(setting in line for line in provenance), setting
    rows = list(csv.reader(io.StringIO("\n".join(line for line in text.splitlines() if not line.startswith("#")))))
    header = rows[0]
    assert header[:4] == ["Week starting", "Series", "Forecast", "80% low"]
    assert "Forecast WAPE" in header and "Last 4 weeks WAPE" in header
    assert len([row for row in rows[1:] if row]) == 12 * len(result.accuracy)
