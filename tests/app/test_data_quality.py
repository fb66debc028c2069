"""The data quality page in AppTest: its figures are the stored ones, and a stale source is called out."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.app.apptest import open_page

from loaders.ingest import ingest
from storage import data_quality
from storage.engine import create_engine, reading, writing
from storage.schema import ingests
from vocabulary import DEPARTMENT_LABELS



def run_page(monkeypatch, url: str) -> AppTest:
    return open_page("pages/data_quality.py", monkeypatch, url)


def tab_metrics(app: AppTest, label: str) -> dict[str, str]:
    tab = next(t for t in app.tabs if t.label == label)
    return {m.label: m.value for m in tab.metric}


def test_data_quality_on_an_empty_database(monkeypatch, empty_db_url):
    app = run_page(monkeypatch, empty_db_url)
    assert not app.exception
    assert "No department records are loaded yet" in app.info[0].value
    assert not app.tabs


def test_the_figures_are_the_stored_ones(monkeypatch, city_db_url):
    app = run_page(monkeypatch, city_db_url)
    assert not app.exception
    assert not app.warning  # the sample city was loaded minutes ago: nothing is stale
    with reading(create_engine(city_db_url)) as conn:
        overview = data_quality.overview(conn).set_index("department")
        unplaced = data_quality.frequent_unplaced(conn, "crm")
    assert [t.label for t in app.tabs] == list(DEPARTMENT_LABELS.values())
    for department, label in DEPARTMENT_LABELS.items():
        shown = tab_metrics(app, label)
        row = overview.loc[department]
        assert shown["Records"] == f"{row['records']:,}"
        assert shown["On a property"] == f"{row['matched'] / row['records']:.1%}"
        assert shown["Rejected rows"] == "0"
    assert len(app.get("vega_lite_chart")) == len(DEPARTMENT_LABELS)
    crm = next(t for t in app.tabs if t.label == "Customer Service")
    table = crm.dataframe[0].value
    assert table["Address (normalised)"].tolist() == unplaced["normalized"].tolist()
    assert list(table.columns) == ["Address (normalised)", "Status", "Records", "As written, e.g."]
    links = [link for link in crm.get("page_link")]
    assert links[0].proto.page.endswith("match_review.py") or "match_review" in links[0].proto.page


def test_a_stale_source_and_rejected_rows_are_called_out(monkeypatch, city_dir, city_copy_url, tmp_path):
    engine = create_engine(city_copy_url)
    with writing(engine) as conn:
        conn.execute(ingests.update().where(ingests.c.department == "fire")
                     .values(finished_at=datetime.now() - timedelta(days=40)))
    lines = (city_dir / "public_works.csv").read_text(encoding="utf-8-sig").splitlines()
    lines[1] = lines[1].replace(lines[1].split(",")[2], "02/31/2026", 1)  # the open date: not a date
    lines[2] = ",".join(["", *lines[2].split(",")[1:]])  # no case number
    extract = tmp_path / "public_works.csv"
    extract.write_text("\n".join(lines[:20]) + "\n")
    ingest(extract, "public_works", engine, max_reject_share=None)

    app = run_page(monkeypatch, city_copy_url)
    assert not app.exception
    assert len(app.warning) == 1
    assert app.warning[0].value.startswith("**Fire** was last loaded on")
    assert "(40 days ago); its extract is expected every 14 days" in app.warning[0].value
    public_works = next(t for t in app.tabs if t.label == "Public Works")
    assert tab_metrics(app, "Public Works")["Rejected rows"] == "2"
    reasons = public_works.dataframe[0].value
    assert sorted(reasons["Reason"]) == ["The date is not a date", "The record id is empty"]
    with reading(engine) as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(ingests)).scalar_one() == 5
