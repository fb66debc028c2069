"""The hotspots page's "Heading for the list" view in AppTest: the stored list as the latest run ranks it,
the backtest beside it, and a sensible state before the first retraining."""

import pytest

from services import early_warning as service
from storage.engine import create_engine
from tests.app.apptest import open_page
from tests.conftest import copy_sqlite


@pytest.fixture(scope="module")
def retrained_url(city_db_url, tmp_path_factory):
    url = copy_sqlite(city_db_url, tmp_path_factory.mktemp("early-app") / "city.db")
    engine = create_engine(url)
    service.retrain(engine, "tester")
    engine.dispose()
    return url


def open_view(monkeypatch, url):
    app = open_page("pages/hotspots.py", monkeypatch, url)
    assert not app.exception
    app.session_state["hotspots_tab"] = "Heading for the list"
    return app.run()


def test_the_view_before_the_first_retraining(monkeypatch, city_db_url):
    app = open_view(monkeypatch, city_db_url)
    assert not app.exception
    hint = next(info.value for info in app.info if "There is no early-warning list yet" in info.value)
    # the command for this database, as the first-administrator hint gives its own
    assert f"DATABASE_URL={city_db_url} .venv/bin/python -m integration early-warning" in hint


def test_the_view_shows_the_stored_list_and_how_often_it_was_right(monkeypatch, retrained_url):
    app = open_page("pages/hotspots.py", monkeypatch, retrained_url)
    assert not any(frame.key == "heading" for frame in app.dataframe)  # drawn only when its tab is opened
    app.session_state["hotspots_tab"] = "Heading for the list"
    app.run()
    assert not app.exception
    engine = create_engine(retrained_url)
    latest = service.latest(engine)
    expected = service.heading_for_the_list(engine, 100)
    heading = next(frame.value for frame in app.dataframe if frame.key == "heading")
    assert [link.split("=", 1)[1] for link in heading["Open"]] == expected["property_id"].tolist()
    assert heading["Rank"].tolist() == list(range(1, len(expected) + 1))
    assert heading["Why"].tolist() == [" · ".join(lines) for lines in expected["reasons"]]
    # the backtest stated plainly beside it, the shown ranking named, every ranking measured
    notes = [element.value for element in (*app.success, *app.warning)]
    assert latest.verdict in notes
    backtest = next(frame.value for frame in app.dataframe if "Ranking" in frame.value.columns)
    assert len(backtest) == 3 and backtest["Ranking"].str.endswith("(shown)").sum() == 1
    assert any(latest.run["model_version"] in caption.value for caption in app.caption)
