"""The upload page in AppTest: a real file through st.file_uploader, detected, mapped, checked, loaded."""

import csv
import io
from pathlib import Path

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.app.apptest import open_page

from storage import repository
from storage.engine import create_engine, reading
from storage.schema import column_mappings, ingests, records

POLICE_HEADERS = ["Incident Number", "Call Date/Time", "Call Type", "Location", "Disposition", "Beat", "Narrative"]


def run_page(monkeypatch, url: str) -> AppTest:
    return open_page("pages/upload.py", monkeypatch, url)


def upload(app: AppTest, name: str, content: bytes) -> AppTest:
    return app.file_uploader(key="extract").set_value((name, content, "text/csv")).run()


def police_rows(city_dir: Path, count: int, prefix: str = "UPL") -> list[list[str]]:
    """`count` rows of the sample city's police extract, under new incident numbers."""
    with (city_dir / "police.csv").open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == POLICE_HEADERS
    return [[f"{prefix}-{i:05d}", *row[1:]] for i, row in enumerate(rows[1 : count + 1], start=1)]


def csv_bytes(headers: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([headers, *rows])
    return out.getvalue().encode()


def count(url: str, table, *where) -> int:
    with reading(create_engine(url)) as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()


def texts(app: AppTest, kind: str) -> list[str]:
    return [str(element.value) for element in getattr(app, kind)]


def metric(app: AppTest, label: str):
    return next(m for m in app.metric if m.label == label)


def button(app: AppTest, starts: str):
    return next(b for b in app.button if b.label.startswith(starts))


def test_upload_page_on_an_empty_database(monkeypatch, city_dir, empty_db_url):
    app = run_page(monkeypatch, empty_db_url)
    assert not app.exception
    assert "Choose a file to begin" in app.info[0].value
    assert any("up to 200 MB" in caption for caption in texts(app, "caption"))
    assert "No file has been loaded yet." in texts(app, "caption")
    assert app.file_uploader(key="extract").allowed_type == [".csv", ".xlsx"]

    app = upload(app, "calls.csv", csv_bytes(POLICE_HEADERS, police_rows(city_dir, 5)))
    assert not app.exception
    assert "The property master is empty" in app.warning[0].value
    assert metric(app, "On a property").delta == "0 records"


def test_a_police_extract_is_detected_checked_previewed_and_loaded(monkeypatch, city_dir, city_copy_url):
    content = csv_bytes(POLICE_HEADERS, police_rows(city_dir, 50))
    loads_before = count(city_copy_url, ingests)
    app = upload(run_page(monkeypatch, city_copy_url), "calls-week-46.csv", content)
    assert not app.exception

    assert app.selectbox(key=next(s.key for s in app.selectbox if s.label == "Department")).value == "police"
    assert any(caption.startswith("Detected from the headers: **Police**") for caption in texts(app, "caption"))
    mapped = {s.label: s.value for s in app.selectbox if s.label != "Department"}
    assert mapped["Record id *"] == "Incident Number"
    assert mapped["Address *"] == "Location"
    preview = app.dataframe[0].value
    assert len(preview) == 10 and "Beat" in preview.columns and "Narrative" in preview.columns

    assert metric(app, "Rows read").value == "50"
    assert metric(app, "Valid").value == "50"
    assert metric(app, "Rejected").value == "0"
    placed = [metric(app, label) for label in ("On a property", "For review", "At a block", "At an intersection",
                                               "Unmatched")]
    assert sum(int(m.delta.split()[0]) for m in placed) == 50
    assert count(city_copy_url, records, records.c.source_record_id.like("UPL-%")) == 0  # nothing stored yet

    app = button(app, "Load 50 records").click().run()
    assert not app.exception
    assert "Loaded calls-week-46.csv as load #" in app.success[0].value
    assert "50 new, 0 updated, 0 unchanged, 0 rejected" in app.success[0].value
    assert count(city_copy_url, records, records.c.source_record_id.like("UPL-%")) == 50
    assert count(city_copy_url, ingests) == loads_before + 1
    with reading(create_engine(city_copy_url)) as conn:
        last = repository.ingest_history(conn).iloc[0]
    assert (last["file_name"], last["loaded_by"], last["rows_new"]) == ("calls-week-46.csv", "admin", 50)
    history = app.dataframe[-1].value
    assert history.iloc[0]["File"] == "calls-week-46.csv"
    assert history.iloc[0]["Hash"] == last["file_hash"][:8]
    assert not [b for b in app.button if b.label.startswith("Load ")]  # no second load from the same preview

    again = upload(run_page(monkeypatch, city_copy_url), "calls-week-46 (copy).csv", content)
    assert any("This exact file was loaded before" in info for info in texts(again, "info"))


def test_a_new_file_shape_is_mapped_checked_and_its_mapping_saved(monkeypatch, city_dir, city_copy_url):
    headers = ["Event Key", "Reported", "Problem", "Place", "Result", "Officer"]
    rows = [[*row[:5], "Ofc. Smith"] for row in police_rows(city_dir, 30, prefix="ODD")]
    rows[2][1] = "31/02/2025 10:00"  # not a date: spreadsheet row 4
    rows[4][0] = rows[3][0]  # a repeated id: row 6
    rows[6][2] = ""  # no category: row 8
    rows[8][2] = "=HYPERLINK(\"http://example.com\")"  # a formula-looking cell is kept as text
    content = csv_bytes(headers, rows)

    app = upload(run_page(monkeypatch, city_copy_url), "odd-export.csv", content)
    assert not app.exception
    assert any("fit no department" in caption for caption in texts(app, "caption"))
    department = next(s for s in app.selectbox if s.label == "Department")
    assert department.value is None
    app = department.select("police").run()
    assert "Choose a column for every required field" in app.warning[0].value
    for label, column in [("Record id *", "Event Key"), ("Date and time *", "Reported"),
                          ("Category *", "Problem"), ("Address *", "Place"),
                          ("Status", "Result")]:
        app = next(s for s in app.selectbox if s.label == label).select(column).run()
    assert not app.exception
    assert not app.warning

    assert metric(app, "Rows read").value == "30"
    assert metric(app, "Rejected").value == "3"
    rejects = app.dataframe[1].value
    assert rejects["Row"].tolist() == [4, 6, 8]
    assert rejects["Reason"].tolist()[0] == "row 4: 'Reported' is 31/02/2025 10:00, not a date"
    assert app.get("download_button")[0].proto.label == "Download the rejects (CSV)"
    assert app.dataframe[0].value.columns[-1] == "Officer"  # shown last: the mapping does not use it

    app = app.text_input(key=next(t.key for t in app.text_input if t.label == "Save this mapping as")) \
        .input("Odd CAD export").run()
    app = button(app, "Save mapping").click().run()
    assert "Saved the mapping “Odd CAD export”" in app.success[0].value
    assert count(city_copy_url, column_mappings, column_mappings.c.name == "Odd CAD export") == 1

    app = button(app, "Load 27 records").click().run()
    assert "27 new, 0 updated, 0 unchanged, 3 rejected" in app.success[0].value
    with reading(create_engine(city_copy_url)) as conn:
        stored = conn.execute(sa.select(records.c.category).where(records.c.source_record_id == rows[8][0])).scalar()
        assert stored == rows[8][2]
        last = repository.ingest_history(conn).iloc[0]
        assert len(repository.rejects_for_ingest(conn, int(last["ingest_id"]))) == 3

    # Next cycle's file of the same shape: the department and the columns come from the saved mapping.
    later = [[f"NEXT-{i}", *row[1:]] for i, row in enumerate(rows[:5])]
    later[2][1] = "11/02/2025 10:00"
    next_cycle = upload(run_page(monkeypatch, city_copy_url), "odd-export-2.csv", csv_bytes(headers, later))
    assert not next_cycle.exception
    assert next(s for s in next_cycle.selectbox if s.label == "Department").value == "police"
    assert any("Detected from a saved column mapping" in caption for caption in texts(next_cycle, "caption"))
    assert any("Using the column mapping “Odd CAD export”" in caption for caption in texts(next_cycle, "caption"))
    assert metric(next_cycle, "Valid").value == "5"


def test_a_police_file_chosen_as_fire_says_so_and_loads_nothing(monkeypatch, city_dir, city_db_url):
    app = upload(run_page(monkeypatch, city_db_url), "calls.csv", csv_bytes(POLICE_HEADERS, police_rows(city_dir, 5)))
    app = next(s for s in app.selectbox if s.label == "Department").select("fire").run()
    assert not app.exception
    warnings = texts(app, "warning")
    assert "The headers look like a Police extract, not Fire" in warnings[0]
    assert "Choose a column for every required field" in warnings[1]
    assert not app.metric and not [b for b in app.button if b.label.startswith("Load ")]


def test_a_binary_file_named_csv_is_refused_with_the_reason(monkeypatch, city_db_url):
    loads = count(city_db_url, ingests)
    app = upload(run_page(monkeypatch, city_db_url), "calls.csv", bytes(range(256)) * 40)
    assert not app.exception
    assert "calls.csv is not a text file" in app.error[0].value
    assert not app.metric
    assert count(city_db_url, ingests) == loads


def test_a_header_only_file_is_refused_before_anything_is_stored(monkeypatch, city_db_url):
    loads = count(city_db_url, ingests)
    app = upload(run_page(monkeypatch, city_db_url), "calls.csv", csv_bytes(POLICE_HEADERS, []))
    assert not app.exception
    assert "has a header row but no records" in app.error[0].value
    assert count(city_db_url, ingests) == loads
