"""The hotspots and property pages in AppTest, checked against the scoring they show."""

import json
from dataclasses import replace

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.apptest import open_page

from integration import scoring
from storage import department_records, property_data
from storage.engine import create_engine, reading
from vocabulary import DEPARTMENT_LABELS



def run_page(path: str, monkeypatch, url: str, **query) -> AppTest:
    return open_page(path, monkeypatch, url, **query)


def expected_scores(url: str, days: int = 90, minimum: int = 2) -> pd.DataFrame:
    """The scoring the page should show, computed here straight from the database."""
    with reading(create_engine(url)) as conn:
        _first, last = department_records.record_date_range(conn)
        end = pd.Timestamp(last).normalize() + pd.Timedelta(hours=23, minutes=59, seconds=59)
        placed = department_records.placed_records(conn, end - pd.Timedelta(days=2 * days), end)
        facts = property_data.property_facts(conn)
        listed = property_data.institution_list(conn)
    config = scoring.load_config()
    return scoring.score(placed, end, days, properties=facts, institutions=dict(zip(listed["property_id"],
                         listed["treatment"])), config=replace(config, min_departments=minimum))


def metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def test_hotspots_on_an_empty_database(monkeypatch, empty_db_url):
    app = run_page("pages/hotspots.py", monkeypatch, empty_db_url)
    assert not app.exception
    assert "No department records are loaded yet" in app.info[0].value


def test_hotspots_rank_what_the_scoring_ranks(monkeypatch, city_db_url):
    app = run_page("pages/hotspots.py", monkeypatch, city_db_url)
    assert not app.exception
    expected = expected_scores(city_db_url)
    flagged = expected[expected["flagged"]]
    assert metric(app, "Flagged properties") == f"{len(flagged):,}"
    table = app.dataframe[0].value
    assert [link.split("=", 1)[1] for link in table["Open"]] == flagged.index.tolist()
    assert table["Score"].tolist() == pytest.approx(flagged["score"].tolist())
    assert table["Rank"].tolist() == list(range(1, len(flagged) + 1))


def test_filters_come_from_the_url(monkeypatch, city_db_url):
    app = run_page("pages/hotspots.py", monkeypatch, city_db_url, days="60", min="3", dept="police,fire,public_works")
    assert not app.exception
    assert app.caption[0].value.startswith("60 days to ")
    assert "at least 3 departments" in app.caption[0].value
    table = app.dataframe[0].value
    assert "Customer Service" not in {d for ds in table["Departments"] for d in ds}
    assert all(len(ds) >= 3 for ds in table["Departments"])


@pytest.mark.parametrize("bad", [{"days": "ninety"}, {"end": "2026-13-45"}, {"min": "-4"}, {"dept": "'; DROP TABLE"}])
def test_malformed_url_filters_fall_back_to_defaults(monkeypatch, city_db_url, bad):
    app = run_page("pages/hotspots.py", monkeypatch, city_db_url, **bad)
    assert not app.exception
    assert metric(app, "Flagged properties") != ""


def test_property_page_explains_the_score(monkeypatch, city_db_url):
    expected = expected_scores(city_db_url)
    top = expected[expected["flagged"]].index[0]
    app = run_page("pages/property.py", monkeypatch, city_db_url, property=top)
    assert not app.exception
    assert app.error[0].value.startswith("**On the hotspots list**")
    for reason in expected.loc[top, "reasons"]:
        assert reason in app.error[0].value


def test_property_page_of_a_quiet_property(monkeypatch, city_db_url):
    expected = expected_scores(city_db_url)
    quiet = expected[~expected["flagged"]].index[0]
    app = run_page("pages/property.py", monkeypatch, city_db_url, property=quiet)
    assert not app.exception
    assert app.success[0].value.startswith("**Not on the hotspots list**")


def test_property_search_forgives_typos(monkeypatch, city_db_url):
    with reading(create_engine(city_db_url)) as conn:
        master = property_data.property_master(conn)
    address = next(a for a in master["address"] if len(a.split()) >= 3 and len(a.split()[1]) > 5)
    number, name, *rest = address.split()
    typo = " ".join([number, name[0] + name[2] + name[1] + name[3:], *rest])  # two letters swapped
    app = run_page("pages/property.py", monkeypatch, city_db_url)
    app.text_input[0].input(typo).run()
    assert not app.exception
    labels = [link.label for link in app.main.get("page_link")]
    assert any(label.startswith(address + " ·") for label in labels), (typo, labels)


def test_the_map_is_drawn_when_its_tab_is_opened(monkeypatch, city_db_url):
    app = open_page("pages/hotspots.py", monkeypatch, city_db_url)
    assert not app.get("deck_gl_json_chart")  # the ranked list is in view: no map is built
    app.session_state["hotspots_tab"] = "Map"
    app.run()
    assert not app.exception
    points = json.loads(app.get("deck_gl_json_chart")[0].proto.json)["layers"][-1]["data"]
    ranked = app.dataframe[0].value  # every sample property has coordinates: one point per listed property
    assert sorted(point["property_id"] for point in points) == sorted(ranked["Open"].str.split("=").str[1])


def test_new_since_the_last_meeting_follows_a_meeting_created_after_the_load(monkeypatch, city_copy_url):
    """The cached scoring is keyed by the last meeting too: a meeting is no load, yet changes what is new."""
    from datetime import datetime, timedelta

    from services import hotspots as service
    from storage.engine import writing
    from storage.schema import meetings
    from ui import data, hotspots as view

    monkeypatch.setenv("DATABASE_URL", city_copy_url)
    version = data.data_version()
    filters = view.default_filters(view.date_range(version)[1])
    listed = view.institutions()
    assert view.hotspots(version, filters, listed).attrs["compared_with"] == "the previous window"
    held_on = filters.end - timedelta(days=14)
    with writing(data.engine()) as conn:
        conn.execute(meetings.insert().values(held_on=held_on, status="planned", created_by="lead",
                                              created_at=datetime.now()))
    assert data.data_version() == version
    shown = view.hotspots(version, filters, listed)
    assert shown.attrs["compared_with"] == f"the meeting of {held_on:%B %-d, %Y}"
    scored = service.hotspots(data.engine(), filters)
    assert shown["new"].equals(scored.loc[scored["flagged"], "new"])  # the page's view lists the flagged
    assert view.weekly_overlap(version, filters, view.last_meeting(filters.end)).equals(
        service.weekly(data.engine(), filters))


# --- the list's order, the basemap and the legend (issue: hotspots, property, maps) -----------

import base64  # noqa: E402
import http.server  # noqa: E402
import threading  # noqa: E402

from services import streets  # noqa: E402
from ui import hotspots as hotspots_view  # noqa: E402


def test_the_ranked_list_leads_with_what_the_team_reads_first(monkeypatch, city_db_url):
    app = run_page("pages/hotspots.py", monkeypatch, city_db_url)
    assert not app.exception
    grid = app.dataframe[0]
    assert list(grid.proto.column_order) == ["Rank", "Score", "Change", "Flags", "Why", "Address", "Open"]
    widths = [column.get("width") for column in json.loads(grid.proto.columns).values()
              if column.get("width") is not None]
    assert all(isinstance(width, int) for width in widths) and sum(widths) <= 900  # beside the sidebar at 1400 px
    # the columns left out of the list are in the export
    table = grid.value
    assert {"Departments", "Police", "Fire", "Public Works", "Customer Service", "Ward"} <= set(table.columns)


def _closed_port() -> int:
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    port = server.server_port
    server.server_close()
    return port


def _deck(app: AppTest) -> dict:
    return json.loads(app.get("deck_gl_json_chart")[0].proto.json)


def _layers(deck: dict) -> dict[str, dict]:
    return {layer.get("id"): layer for layer in deck["layers"]}


def _map_tab(monkeypatch, url: str) -> AppTest:
    app = open_page("pages/hotspots.py", monkeypatch, url)
    app.session_state["hotspots_tab"] = "Map"
    return app.run()


def _legend(app: AppTest) -> str:
    return next(element.proto.body for element in app.get("html") if 'class="map-legend"' in element.proto.body)


def test_the_map_draws_the_streets_of_the_master_when_tiles_cannot_be_reached(monkeypatch, city_db_url):
    monkeypatch.setenv("MAP_TILES", f"http://127.0.0.1:{_closed_port()}/{{z}}/{{x}}/{{y}}.png")
    app = _map_tab(monkeypatch, city_db_url)
    assert not app.exception
    deck = _deck(app)
    layers = _layers(deck)
    assert deck["mapStyle"] in (None, "__MAP_STYLE__")  # no tiles asked for
    assert [layer["id"] for layer in deck["layers"]][:2] == ["streets", "street-names"]  # under the dots
    assert deck["layers"][-1]["id"] == "hotspots"
    with reading(create_engine(city_db_url)) as conn:
        master = property_data.property_master(conn)
        located = property_data.properties_within(conn, -90, -180, 90, 180, limit=None)
    expected = streets.street_lines(located[["address", "lat", "lon"]])
    drawn = layers["streets"]["data"]
    assert len(drawn) == len(expected) > 50
    named = streets.house_numbers(master["address"])["street"]
    assert {line["street"] for line in drawn} == set(expected["street"]) and set(expected["street"]) <= set(named)
    assert 10 <= len(layers["street-names"]["data"]) <= len(drawn)
    assert "Streets from the property master" in _legend(app)


def test_the_legend_gives_the_scores_of_the_dots_as_drawn(monkeypatch, city_db_url):
    monkeypatch.setenv("MAP_TILES", "off")
    app = _map_tab(monkeypatch, city_db_url)
    points = _layers(_deck(app))["hotspots"]["data"]
    low, high = min(points, key=lambda p: p["score"]), max(points, key=lambda p: p["score"])
    assert (low["radius"], high["radius"]) == hotspots_view.RADIUS_PX
    assert low["colour"][:3] == list(hotspots_view.LOW) and high["colour"][:3] == list(hotspots_view.HIGH)
    legend = _legend(app)
    assert "Score (colour and size)" in legend
    for point in (low, high):
        diameter = round(2 * point["radius"])
        swatch = f"width:{diameter}px;height:{diameter}px;border-radius:50%;background:rgba({point['colour'][0]}," \
                 f"{point['colour'][1]},{point['colour'][2]}"
        assert swatch in legend and f"{point['score']:.1f}</span>" in legend


class _TileServer(http.server.BaseHTTPRequestHandler):
    asked: list[str] = []

    def do_GET(self):  # noqa: N802 (the standard library's name)
        _TileServer.asked.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(b"\x89PNG\r\n")

    def log_message(self, *args):
        pass


def test_the_map_draws_tiles_from_the_configured_source_when_it_answers(monkeypatch, city_db_url):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _TileServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/tiles/{{z}}/{{x}}/{{y}}.png"
        monkeypatch.setenv("MAP_TILES", url)
        monkeypatch.setenv("MAP_TILES_ATTRIBUTION", "City of Lakeport GIS")
        app = _map_tab(monkeypatch, city_db_url)
    finally:
        server.shutdown()
        server.server_close()
    assert not app.exception
    assert any(path.startswith("/tiles/12/") for path in _TileServer.asked)  # the server asked the source
    deck = _deck(app)
    assert deck["mapStyle"].startswith("data:application/json;base64,")
    style = json.loads(base64.b64decode(deck["mapStyle"].split(",", 1)[1]))
    assert style["sources"]["tiles"]["tiles"] == [url]
    assert "streets" not in _layers(deck)  # the tiles have the streets
    assert "Basemap: City of Lakeport GIS" in _legend(app)


def test_a_tile_setting_that_is_no_address_is_named_and_the_streets_still_draw(monkeypatch, city_db_url):
    monkeypatch.setenv("MAP_TILES", "tiles.example.gov")
    app = _map_tab(monkeypatch, city_db_url)
    assert not app.exception
    assert "MAP_TILES is 'tiles.example.gov', which is not a tile address" in app.warning[0].value
    assert "streets" in _layers(_deck(app))


def test_the_department_chart_gives_each_department_its_own_colour(monkeypatch, city_db_url):
    expected = expected_scores(city_db_url)
    chart = hotspots_view.department_mix_chart(expected).to_dict()
    scale = chart["encoding"]["color"]["scale"]
    assert scale["domain"] == list(DEPARTMENT_LABELS.values())
    assert len(set(scale["range"])) == len(scale["range"]) == 4
    assert chart["encoding"]["y"]["axis"]["labelLimit"] == 0  # "Customer Service" is never cut short


def test_the_match_status_legend_has_five_colours_and_whole_labels():
    from ui import charts

    months = pd.DataFrame({"month": ["2026-01"] * 5, "status": list(charts.STATUS_COLOURS), "records": [5, 4, 3, 2, 1]})
    colour = charts.status_share_by_month(months).to_dict()["encoding"]["color"]
    assert len(set(colour["scale"]["range"])) == len(colour["scale"]["domain"]) == 5
    assert colour["legend"]["labelLimit"] == 0


def test_after_a_load_the_page_reads_the_kept_view_and_scores_nothing(monkeypatch, city_copy_url):
    """What a load keeps (services.hotspots.keep_default_view) is what the page opens on: with the
    scoring and the records' read made to fail, the page still shows the list, its figures and charts."""
    from services import hotspots as service

    engine = create_engine(city_copy_url)
    assert "Kept the hotspots page's default view" in service.keep_default_view(engine)
    expected = expected_scores(city_copy_url)

    def fail(*args, **kwargs):
        raise AssertionError("the page scored a view a load had kept")

    for name in ("hotspots", "weekly", "placed_window"):
        monkeypatch.setattr(service, name, fail)
    app = run_page("pages/hotspots.py", monkeypatch, city_copy_url)
    assert not app.exception
    assert metric(app, "Flagged properties") == f"{int(expected['flagged'].sum()):,}"
    ranked = app.dataframe[0].value
    assert ranked["Open"].str.split("=").str[1].tolist() == expected.index[expected["flagged"]].tolist()
    assert len(app.get("vega_lite_chart")) == 2  # the department mix and the weekly overlap
