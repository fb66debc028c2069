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
    assert shown["new"].equals(service.hotspots(data.engine(), filters)["new"])
    assert view.weekly_overlap(version, filters, view.last_meeting(filters.end)).equals(
        service.weekly(data.engine(), filters))
