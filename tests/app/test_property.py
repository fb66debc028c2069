"""The property page's cached reads: keyed by every input, so an edit shows at once."""

from services import hotspots as service
from ui import data, hotspots
from ui import property as history_view


def test_the_score_explained_follows_an_institution_edit(monkeypatch, city_copy_url):
    monkeypatch.setenv("DATABASE_URL", city_copy_url)
    version = data.data_version()
    last_day = hotspots.date_range(version)[1]
    scored = hotspots.hotspots(version, hotspots.default_filters(last_day), hotspots.institutions())
    top = scored[scored["flagged"]].index[0]
    assert history_view.explanation(version, top)["flagged"]
    assert service.set_institution(data.engine(), top, "exclude", "city hall", "lead")
    assert data.data_version() == version  # an edit of the list is no load
    assert not history_view.explanation(version, top)["flagged"]
    assert service.remove_institution(data.engine(), top, "lead")
    assert history_view.explanation(version, top)["flagged"]


# --- every count with its period, the map on its streets, the timeline's legend ---------------

import json  # noqa: E402

import pandas as pd  # noqa: E402

from integration import scoring  # noqa: E402
from storage import department_records, property_data  # noqa: E402
from storage.engine import create_engine, reading  # noqa: E402
from tests.app.apptest import open_page  # noqa: E402
from tests.app.test_hotspots import expected_scores  # noqa: E402
from vocabulary import DEPARTMENT_LABELS  # noqa: E402


def _records(url: str, property_id: str) -> tuple[pd.DataFrame, pd.Timestamp]:
    with reading(create_engine(url)) as conn:
        history = department_records.property_records(conn, property_id)
        _first, last = department_records.record_date_range(conn)
    return history, pd.Timestamp(last)


def test_the_property_named_in_the_link_opens(monkeypatch, city_db_url):
    """/property?property=ID: the parameter meeting items, the hotspots list and e-mails link with."""
    expected = expected_scores(city_db_url)
    top = expected[expected["flagged"]].index[0]
    with reading(create_engine(city_db_url)) as conn:
        address = property_data.get_property(conn, top)["address"]
    app = open_page("pages/property.py", monkeypatch, city_db_url, property=top)
    assert not app.exception
    assert app.header[0].value == address


def test_every_count_on_the_property_page_names_its_period(monkeypatch, city_db_url):
    expected = expected_scores(city_db_url)
    top = expected[expected["flagged"]].index[0]
    app = open_page("pages/property.py", monkeypatch, city_db_url, property=top)
    assert not app.exception
    history, last = _records(city_db_url, top)
    days = scoring.load_config().window_days
    end = last.normalize() + pd.Timedelta(hours=23, minutes=59, seconds=59)
    occurred = pd.to_datetime(history["occurred_at"])
    recent = history[occurred > end - pd.Timedelta(days=days)]["department"].value_counts()
    # the figures under the reasons: the scoring window's, each labelled with it
    figures = {m.label: m.value for m in app.metric}
    assert figures == {f"{name} · last {days} days": str(int(recent.get(department, 0)))
                       for department, name in DEPARTMENT_LABELS.items()}
    assert f"over the {days} days to {last:%B %-d, %Y}" in app.error[0].value  # the reasons' period
    every = history["department"].value_counts()
    all_time = next(c.value for c in app.caption if c.value.startswith("All time"))
    assert f"since {occurred.min():%B %-d, %Y}" in all_time
    for department, name in DEPARTMENT_LABELS.items():
        assert f"{name} {int(every.get(department, 0))}" in all_time
    windows = next(frame.value for frame in app.dataframe if "Department" in frame.value.columns)
    assert list(windows.columns) == ["Department", f"Last {days} days (to {last:%b %-d, %Y})",
                                     f"Last 12 months (to {last:%b %-d, %Y})", f"All time (since {occurred.min():%b %-d, %Y})"]


def test_the_property_map_shows_its_streets_and_a_legend(monkeypatch, city_db_url):
    monkeypatch.setenv("MAP_TILES", "off")
    expected = expected_scores(city_db_url)
    top = expected[expected["flagged"]].index[0]
    app = open_page("pages/property.py", monkeypatch, city_db_url, property=top)
    deck = json.loads(app.get("deck_gl_json_chart")[0].proto.json)
    layers = {layer["id"]: layer for layer in deck["layers"]}
    with reading(create_engine(city_db_url)) as conn:
        found = property_data.get_property(conn, top)
    street = found["address"].split(" ", 1)[1]
    assert street in {line["street"] for line in layers["streets"]["data"]}  # its own street is drawn
    assert layers["street-names"]["data"]  # and named
    assert layers["property"]["data"][0]["address"] == found["address"]
    legend = next(element.proto.body for element in app.get("html") if 'class="map-legend"' in element.proto.body)
    assert "This property" in legend and "Streets from the property master" in legend


def test_the_timeline_legend_gives_every_category_its_own_colour_and_its_whole_name(city_db_url):
    from ui import property as history_view

    with reading(create_engine(city_db_url)) as conn:
        counts = department_records.placed_records(conn, pd.Timestamp("1900-01-01"), pd.Timestamp("2100-01-01"))
    busiest = counts.groupby("property_id")["category"].nunique().idxmax()
    history, _last = _records(city_db_url, busiest)
    assert history["category"].nunique() > 10  # more kinds than one palette has colours
    chart = history_view.timeline(history).to_dict()
    colour = chart["encoding"]["color"]
    domain, colours = colour["scale"]["domain"], colour["scale"]["range"]
    assert len(domain) == len(colours) == len(set(colours))  # no two entries look alike
    assert colour["legend"]["labelLimit"] == 0  # no label cut short
    shown = pd.DataFrame(chart["datasets"][chart["data"]["name"]])["Category"]
    assert set(shown) == set(domain)
    top = history["category"].value_counts().index[0]
    assert domain[0] == top and domain[-1].startswith("Other categories")
