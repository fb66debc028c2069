"""The overview and property pages, run headless through Streamlit's AppTest."""


from streamlit.testing.v1 import AppTest

from tests.app.apptest import open_page

from storage import data_quality, department_records, property_data
from storage.engine import create_engine, reading
from ui.frame import PAGES



def run_page(path: str, monkeypatch, url: str, **query) -> AppTest:
    return open_page(path, monkeypatch, url, **query)


def _text(app: AppTest) -> str:
    parts = [m.value for m in app.markdown] + [m.value for m in app.info] + [m.value for m in app.warning]
    parts += [c.value for c in app.caption] + [t.value for t in app.title] + [h.value for h in app.header]
    return "\n".join(str(p) for p in parts)


def test_overview_on_an_empty_database_says_how_to_load(monkeypatch, empty_db_url):
    app = run_page("app.py", monkeypatch, empty_db_url)
    assert not app.exception
    assert "No department records are loaded yet" in app.info[0].value
    assert "on the **Upload** page" in app.info[0].value
    assert not app.metric


def test_overview_on_the_sample_city(monkeypatch, city_db_url):
    app = run_page("app.py", monkeypatch, city_db_url)
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    with reading(create_engine(city_db_url)) as conn:
        expected = data_quality.overview(conn)
    assert metrics["Records"] == f"{expected['records'].sum():,}"
    assert metrics["For review"] == f"{expected['review'].sum():,}"
    assert metrics["On a property"] == f"{expected['matched'].sum() / expected['records'].sum():.1%}"
    assert any(caption.value.startswith("Records from ") for caption in app.caption)
    table = app.dataframe[0].value
    assert sorted(table["Department"]) == ["Customer Service", "Fire", "Police", "Public Works"]
    assert (table["On a property"] > 0).all()
    police = table[table["Department"] == "Police"].iloc[0]
    assert police["Block or intersection"] > police["On a property"]  # CAD locations are mostly blocks
    assert table["Last load"].notna().all()


def test_the_overview_writes_every_percentage_one_way(monkeypatch, city_db_url):
    """The figures and the table's bars both read "87.3%": one decimal, a percent sign."""
    import json
    import re

    app = run_page("app.py", monkeypatch, city_db_url)
    metrics = {m.label: m.value for m in app.metric}
    shares = [metrics["On a property"], metrics["At a block or intersection"]]
    assert all(re.fullmatch(r"\d{1,3}\.\d%", share) for share in shares), shares
    config = json.loads(app.dataframe[0].proto.columns)
    table = app.dataframe[0].value
    with reading(create_engine(city_db_url)) as conn:
        expected = data_quality.overview(conn)
    for column in ("On a property", "Block or intersection"):
        bar = config[column]["type_config"]
        assert (bar["format"], bar["min_value"], bar["max_value"]) == ("%.1f%%", 0, 100)
        assert table[column].between(0, 100).all()
    police = table[table["Department"] == "Police"].iloc[0]
    stored = expected[expected["department"] == "police"].iloc[0]
    assert "%.1f%%" % police["On a property"] == f"{stored['matched'] / stored['records']:.1%}"


def test_the_sidebar_frame_is_drawn(monkeypatch, city_db_url):
    app = run_page("app.py", monkeypatch, city_db_url)
    labels = [link.label for link in app.sidebar.get("page_link")]
    assert labels == [label for _page, label, _icon, _permission in PAGES]  # the admin may open every page
    assert labels[:3] == ["Overview", "Hotspots", "Property history"]


def _busiest_property(url: str) -> str:
    with reading(create_engine(url)) as conn:
        master = property_data.property_master(conn)
        counts = {pid: len(department_records.property_records(conn, pid)) for pid in master["property_id"].unique()[:300]}
    return max(counts, key=counts.get)


def test_property_page_by_deep_link(monkeypatch, city_db_url):
    property_id = _busiest_property(city_db_url)
    app = run_page("pages/property.py", monkeypatch, city_db_url, property=property_id)
    assert not app.exception
    with reading(create_engine(city_db_url)) as conn:
        found = property_data.get_property(conn, property_id)
        history = department_records.property_records(conn, property_id)
    assert app.header[0].value == found["address"]
    table = next(frame.value for frame in app.dataframe if "Address as written" in frame.value)
    assert len(table) == len(history) > 0
    # the figures are the scoring window's; every record counts in the all-time line under them
    all_time = next(c.value for c in app.caption if c.value.startswith("All time"))
    assert sum(int(part.rsplit(" ", 1)[1]) for part in all_time.split("): ", 1)[1].split(" · ")) == len(history)


def test_property_page_with_an_unknown_id(monkeypatch, city_db_url):
    app = run_page("pages/property.py", monkeypatch, city_db_url, property="NO-SUCH-ID")
    assert not app.exception
    assert "There is no property with id “NO-SUCH-ID”" in app.warning[0].value


def test_property_page_without_an_id_invites_a_search(monkeypatch, city_db_url):
    app = run_page("pages/property.py", monkeypatch, city_db_url)
    assert not app.exception
    assert "Type an address" in app.info[0].value


def test_property_search_by_address(monkeypatch, city_db_url):
    with reading(create_engine(city_db_url)) as conn:
        master = property_data.property_master(conn)
    address = master["address"].iloc[10]
    app = run_page("pages/property.py", monkeypatch, city_db_url)
    app.text_input[0].input(address).run()
    assert not app.exception
    links = [link.label for link in app.main.get("page_link")]
    assert any(label.startswith(address) for label in links)
