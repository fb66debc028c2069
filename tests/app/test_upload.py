"""The upload page in AppTest: a real file through st.file_uploader, detected, mapped, checked, loaded."""

import calendar
import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.app.apptest import open_page
from tests.conftest import shared_file

from storage import loading
from storage.engine import create_engine, reading
from storage.schema import audit_log, column_mappings, ingests, matches, properties, property_addresses, records

MASTER, EXTRACT = "The property master (parcels)", "A department extract"
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


def date_question(app: AppTest) -> list:
    return [r for r in app.radio if r.label == "How this file writes its dates"]


def answer_dates(app: AppTest, order: str) -> AppTest:
    """Answer the page's day/month question (the sample city's first rows all fall on days 1-12)."""
    return next(r for r in app.radio if r.label == "How this file writes its dates").set_value(order).run()


def test_upload_page_on_an_empty_database(monkeypatch, city_dir, empty_db_url):
    app = run_page(monkeypatch, empty_db_url)
    assert not app.exception
    assert app.radio(key="upload-kind").value == MASTER  # the master first, while it is empty
    assert app.title[0].value == "Upload the property master"
    app = app.radio(key="upload-kind").set_value(EXTRACT).run()
    assert "Choose a file to begin" in app.info[0].value
    assert any("up to 200 MB" in caption for caption in texts(app, "caption"))
    assert "No file has been loaded yet." in texts(app, "caption")
    assert app.file_uploader(key="extract").allowed_type == [".csv", ".xlsx"]

    app = answer_dates(upload(app, "calls.csv", csv_bytes(POLICE_HEADERS, police_rows(city_dir, 5))), "month_first")
    assert not app.exception
    assert "The property master is empty" in app.warning[0].value
    assert metric(app, "On a property").delta == "0 records"


def test_a_police_extract_is_detected_checked_previewed_and_loaded(monkeypatch, city_dir, city_copy_url):
    content = csv_bytes(POLICE_HEADERS, police_rows(city_dir, 50))
    loads_before = count(city_copy_url, ingests)
    app = answer_dates(upload(run_page(monkeypatch, city_copy_url), "calls-week-46.csv", content), "month_first")
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
        last = loading.ingest_history(conn).iloc[0]
    assert (last["file_name"], last["loaded_by"], last["rows_new"]) == ("calls-week-46.csv", "admin", 50)
    history = app.dataframe[-1].value
    assert history.iloc[0]["File"] == "calls-week-46.csv"
    assert history.iloc[0]["Hash"] == last["file_hash"][:8]
    assert not [b for b in app.button if b.label.startswith("Load ")]  # no second load from the same preview

    again = upload(run_page(monkeypatch, city_copy_url), "calls-week-46 (copy).csv", content)
    assert any("This exact file was loaded before" in info for info in texts(again, "info"))


def test_a_file_nothing_recognises_gets_a_proposed_mapping_with_reasons(monkeypatch, city_dir, city_copy_url):
    headers = ["Event Key", "Reported", "Problem", "Place", "Result", "Officer"]
    rows = [[*row[:5], "Ofc. Smith"] for row in police_rows(city_dir, 100, prefix="ODD")]
    rows[2][1] = "31/02/2025 10:00"  # not a date: spreadsheet row 4
    rows[4][0] = rows[3][0]  # a repeated id: row 6 is folded into row 5's record
    rows[6][2] = ""  # no category: row 8
    rows[8][2] = "=HYPERLINK(\"http://example.com\")"  # a formula-looking cell is kept as text
    content = csv_bytes(headers, rows)

    app = upload(run_page(monkeypatch, city_copy_url), "odd-export.csv", content)
    assert not app.exception
    assert next(s for s in app.selectbox if s.label == "Department").value == "police"
    captions = texts(app, "caption")
    assert any(caption.startswith("Proposed from the file's columns and values: **Police**. Why: ")
               and "Officer" in caption for caption in captions)
    assert "Proposed from the file's columns and values: check each field. Under each box, why its column was " \
           "proposed." in captions
    mapped = {s.label: s.value for s in app.selectbox if s.label != "Department"}
    assert (mapped["Record id *"], mapped["Date and time *"], mapped["Category *"], mapped["Address *"]) == \
        ("Event Key", "Reported", "Problem", "Place")
    assert mapped["Status"] == ""  # nothing said 'Result' is a status: the analyst adds it
    # Under each proposed box, why: the record id's distinct values, the dates' share, the addresses' look.
    assert any("(99 of 100)" in caption for caption in captions)
    assert any("read as dates" in caption for caption in captions)
    assert any("look like street addresses" in caption for caption in captions)
    assert not date_question(app)  # a hundred rows reach past the 12th of the month: month first, nothing to ask

    app = next(s for s in app.selectbox if s.label == "Status").select("Result").run()
    assert not app.exception
    assert not app.warning
    assert metric(app, "Rows read").value == "100"
    assert metric(app, "Folded into their record").value == "1"
    assert metric(app, "Rejected").value == "2"
    rejects = app.dataframe[1].value
    assert rejects["Row"].tolist() == [4, 8]
    assert rejects["Reason"].tolist()[0] == "row 4: 'Reported' is 31/02/2025 10:00, not a date"
    assert app.get("download_button")[0].proto.label == "Download the rejects (CSV)"
    assert app.dataframe[0].value.columns[-1] == "Officer"  # shown last: the mapping does not use it

    app = app.text_input(key=next(t.key for t in app.text_input if t.label == "Save this mapping as")) \
        .input("Odd CAD export").run()
    app = button(app, "Save mapping").click().run()
    assert "Saved the mapping “Odd CAD export”" in app.success[0].value
    assert count(city_copy_url, column_mappings, column_mappings.c.name == "Odd CAD export") == 1

    app = button(app, "Load 97 records").click().run()
    assert "97 new, 0 updated, 0 unchanged, 1 folded into their record, 2 rejected" in app.success[0].value
    with reading(create_engine(city_copy_url)) as conn:
        stored = conn.execute(sa.select(records.c.category).where(records.c.source_record_id == rows[8][0])).scalar()
        assert stored == rows[8][2]
        last = loading.ingest_history(conn).iloc[0]
        assert len(loading.rejects_for_ingest(conn, int(last["ingest_id"]))) == 2
    assert app.dataframe[-1].value.iloc[0]["Folded"] == 1

    # Next cycle's file of the same shape: the department and the columns come from the saved mapping.
    later = [[f"NEXT-{i}", *row[1:]] for i, row in enumerate(rows[:5])]
    later[2][1] = "11/02/2025 10:00"
    next_cycle = upload(run_page(monkeypatch, city_copy_url), "odd-export-2.csv", csv_bytes(headers, later))
    assert not next_cycle.exception
    assert next(s for s in next_cycle.selectbox if s.label == "Department").value == "police"
    assert any("Detected from a saved column mapping" in caption for caption in texts(next_cycle, "caption"))
    assert any("Using the column mapping “Odd CAD export”" in caption for caption in texts(next_cycle, "caption"))
    next_cycle = answer_dates(next_cycle, "month_first")
    assert metric(next_cycle, "Valid").value == "5"


# A trimmed copy of NYC Open Data's 311 export (erm3-nywy): its header names, three of its rows.
NYC_311 = b"""Unique Key,Created Date,Closed Date,Agency,Agency Name,Complaint Type,Descriptor,Location Type,Incident Zip,\
Incident Address,Street Name,City,Status,Resolution Description,Community Board,Borough,X Coordinate (State Plane),\
Y Coordinate (State Plane),Latitude,Longitude,Location
33648024,06/20/2016 10:04:21 PM,06/20/2016 11:12:32 PM,NYPD,New York City Police Department,Noise - Residential,\
Loud Music/Party,Residential Building/House,11231,70 BUSH STREET,BUSH STREET,BROOKLYN,Closed,The Police Department \
responded to the complaint and took action to fix the condition.,06 BROOKLYN,BROOKLYN,982407,185200,\
40.67500778066339,-74.00664420030702,"(40.67500778066339, -74.00664420030702)"
33654645,06/21/2016 02:14:50 PM,06/21/2016 03:07:37 PM,NYPD,New York City Police Department,Noise - Commercial,\
Banging/Pounding,Store/Commercial,11231,175 DIKEMAN STREET,DIKEMAN STREET,BROOKLYN,Closed,The Police Department \
responded to the complaint and determined that police action was not necessary.,06 BROOKLYN,BROOKLYN,979892,186383,\
40.67825396779016,-74.0157117930007,"(40.67825396779016, -74.0157117930007)"
33655882,06/21/2016 01:39:00 PM,06/29/2016 04:15:00 PM,DEP,Department of Environmental Protection,Noise,\
Noise: Alarms (NR3),,11231,39 COFFEY STREET,COFFEY STREET,BROOKLYN,Closed,The Department of Environmental Protection \
did not observe a violation of the New York City Air/Noise Code at the time of inspection.,06 BROOKLYN,BROOKLYN,\
980997,185046,40.674584679489016,-74.0117273177029,"(40.674584679489016, -74.0117273177029)"
"""


def test_a_311_export_from_nyc_open_data_is_recognised_and_loaded_as_its_layout_says(monkeypatch, city_copy_url):
    app = upload(run_page(monkeypatch, city_copy_url), "311_Service_Requests.csv", NYC_311)
    assert not app.exception
    assert next(s for s in app.selectbox if s.label == "Department").value == "crm"
    captions = texts(app, "caption")
    assert "Recognised as **New York City 311 service requests (NYC Open Data)**: a Customer Service extract." \
        in captions
    mapped = {s.label: s.value for s in app.selectbox if s.label != "Department"}
    assert (mapped["Record id *"], mapped["Date and time *"], mapped["Closed"], mapped["Address"]) == \
        ("Unique Key", "Created Date", "Closed Date", "Incident Address")
    assert mapped["Projected x"] == "X Coordinate (State Plane)"
    fixed = next(caption for caption in captions if caption.startswith("Also in this mapping"))
    assert "Routed to ← Agency" in fixed and "coordinate system: EPSG:2263" in fixed
    assert "kept with each record: Borough, Location Type, Community Board" in fixed
    assert not date_question(app)  # 06/20/2016 is month first: nothing to ask
    assert metric(app, "Valid").value == "3"

    app = button(app, "Load 3 records").click().run()
    assert not app.exception
    assert "3 new, 0 updated, 0 unchanged, 0 rejected" in app.success[0].value
    with reading(create_engine(city_copy_url)) as conn:
        last = loading.ingest_history(conn).iloc[0]
        extra = conn.execute(sa.select(records.c.extra).where(records.c.department == "crm",
                                                              records.c.source_record_id == "33655882")).scalar()
    assert last["mapping"].startswith("New York City 311 service requests (NYC Open Data): ")
    assert '"routed_department": "DEP"' in extra and '"Borough": "BROOKLYN"' in extra


CRM_HEADERS = ["Request ID", "Created", "Category", "Address", "Status"]


def test_dates_that_read_both_ways_are_asked_about_and_stored_as_answered(monkeypatch, city_copy_url):
    rows = [["AMB-1", "03/04/2025 09:15", "Tall grass", "100 Main St", "Open"],
            ["AMB-2", "05/06/2025", "Junk", "200 Main St", "Open"],
            ["AMB-2", "05/06/2025", "Junk", "200 Main St", "Closed"],  # a later row of the same request
            ["AMB-3", "11/12/2025 17:40", "Graffiti", "300 Main St", "Open"],
            ["AMB-3", "11/12/2025 17:40", "Graffiti", "300 Main St", "Open"]]  # an exact repeat
    loads = count(city_copy_url, ingests)
    app = upload(run_page(monkeypatch, city_copy_url), "requests.csv", csv_bytes(CRM_HEADERS, rows))
    assert not app.exception
    question = app.warning[0].value
    assert question.startswith("'Created' holds dates like ") and "that read both ways." in question
    first = question.removeprefix("'Created' holds dates like ").split()[0].rstrip(",")
    month, day = int(first[:2]), int(first[3:5])
    assert f"Is {first} {calendar.month_name[month]} {day} or {calendar.month_name[day]} {month}?" in question
    radio = next(r for r in app.radio if r.label == "How this file writes its dates")
    assert radio.value is None  # never a guess
    assert radio.options == [f"Month first: {first} is {calendar.month_name[month]} {day}",
                             f"Day first: {first} is {calendar.month_name[day]} {month}"]
    assert not app.metric and not [b for b in app.button if b.label.startswith("Load ")]

    app = answer_dates(app, "day_first")
    assert not app.exception
    assert next(r for r in app.radio if r.label == "How this file writes its dates").value == "day_first"
    assert metric(app, "Valid").value == "3"
    assert metric(app, "Folded into their record").value == "2"
    app = button(app, "Load 3 records").click().run()
    assert "3 new, 0 updated, 0 unchanged, 2 folded into their record, 0 rejected" in app.success[0].value
    assert count(city_copy_url, ingests) == loads + 1
    with reading(create_engine(city_copy_url)) as conn:
        stored = dict(conn.execute(sa.select(records.c.source_record_id, records.c.occurred_at)
                                   .where(records.c.source_record_id.like("AMB-%"))).all())
    assert {key: (value.year, value.month, value.day) for key, value in stored.items()} == \
        {"AMB-1": (2025, 4, 3), "AMB-2": (2025, 6, 5), "AMB-3": (2025, 12, 11)}
    assert (stored["AMB-1"].hour, stored["AMB-1"].minute) == (9, 15)
    history = app.dataframe[-1].value
    assert history.iloc[0]["Folded"] == 2


def test_a_file_with_too_many_bad_rows_is_refused_with_its_reasons_and_loads_when_told(monkeypatch, city_copy_url):
    rows = [[f"REJ-{i}", f"2025-10-{i:02d} 08:00", "Tall grass", f"{100 + i} Main St", "Open"] for i in range(1, 21)]
    for i in (3, 7, 12):
        rows[i][1] = "soon"  # not a date: spreadsheet rows 5, 9, 14
    loads = count(city_copy_url, ingests)
    app = upload(run_page(monkeypatch, city_copy_url), "requests.csv", csv_bytes(CRM_HEADERS, rows))
    assert not app.exception
    refused = app.error[0].value
    assert refused.startswith("requests.csv: 3 of 20 rows would be rejected (15%, more than the 5% allowed), so "
                              "nothing was stored:")
    assert "- 3 of 20 rows: 'Created' values like 'soon' are not dates (rows 5, 9, 14)" in refused
    assert not app.metric and not [b for b in app.button if b.label.startswith("Load ")]
    assert count(city_copy_url, ingests) == loads

    app = next(c for c in app.checkbox if c.label == "Load anyway, keeping the rejected rows").check().run()
    assert not app.exception
    assert "3 of 20 rows (15%) will be rejected; they are kept with the load." in app.warning[0].value
    assert metric(app, "Rejected").value == "3"
    app = button(app, "Load 17 records").click().run()
    assert "17 new, 0 updated, 0 unchanged, 3 rejected" in app.success[0].value
    with reading(create_engine(city_copy_url)) as conn:
        last = loading.ingest_history(conn).iloc[0]
        assert [reject["row_number"] for reject in loading.rejects_for_ingest(conn, int(last["ingest_id"]))
                .to_dict("records")] == [5, 9, 14]


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


# --- the property master ------------------------------------------------------------------------


def upload_master(app: AppTest, name: str, content: bytes) -> AppTest:
    if app.radio(key="upload-kind").value != MASTER:
        app = app.radio(key="upload-kind").set_value(MASTER).run()
    return app.file_uploader(key="master").set_value((name, content, "text/csv")).run()


def master_button(app: AppTest):
    return next(b for b in app.button if b.label.startswith("Load ") and "property master" in b.label)


@pytest.mark.realdata
def test_a_real_parcel_file_loads_as_the_property_master_of_an_empty_database(monkeypatch, empty_db_url):
    path = shared_file("real_extracts/parcel/pittsburgh_city_owned_property.csv")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    pins = {row["pin"].strip() for row in rows if row["pin"].strip() and row["address"].strip()}

    app = upload_master(run_page(monkeypatch, empty_db_url), path.name, path.read_bytes())
    assert not app.exception
    assert f"**{len(pins):,} properties**" in app.markdown[0].value
    assert f"{len(rows) - len(pins):,} rows skipped: no property id" in app.markdown[0].value
    assert "Owner" not in app.dataframe[0].value.columns  # owners' names are not put on the screen
    assert f"It adds {len(pins):,} properties to an empty property master." in texts(app, "markdown")
    assert count(empty_db_url, properties) == 0  # nothing stored before Load

    app = master_button(app).click().run()
    assert not app.exception
    assert f"Loaded {path.name} into the property master: {len(pins):,} new properties" in app.success[0].value
    assert count(empty_db_url, properties) == len(pins)
    with reading(create_engine(empty_db_url)) as conn:
        stored = conn.execute(sa.select(properties).where(properties.c.property_id == "0024G00060000000")).one()
        audited = conn.execute(sa.select(audit_log.c.user_name, audit_log.c.target)
                               .where(audit_log.c.action == "load_properties")).all()
    assert (stored.address, stored.neighborhood, round(stored.lat, 4)) == ("1249 51 VOSKAMP ST", "Troy Hill", 40.4594)
    assert audited == [("admin", path.name)]

    app = run_page(monkeypatch, empty_db_url)  # the next visit: the master is there, extracts come next
    assert app.radio(key="upload-kind").value == EXTRACT
    assert not [w for w in texts(app, "caption") if "The property master is empty" in w]


def test_a_file_that_is_no_property_master_is_refused_and_nothing_stored_is_lost(monkeypatch, city_dir,
                                                                                 city_copy_url):
    before = count(city_copy_url, property_addresses)
    app = upload_master(run_page(monkeypatch, city_copy_url), "calls.csv",
                        csv_bytes(POLICE_HEADERS, police_rows(city_dir, 5)))
    assert not app.exception
    error = app.error[0].value
    assert "calls.csv cannot be loaded as the property master, and nothing was stored" in error
    assert "calls.csv has no property_id column" in error and "its columns are: Incident Number" in error
    assert not [b for b in app.button if b.label.startswith("Load ")]
    assert count(city_copy_url, property_addresses) == before


def test_replacing_the_master_says_what_it_does_to_placed_records_and_waits_for_a_yes(monkeypatch, city_dir,
                                                                                      city_copy_url):
    with (city_dir / "properties.csv").open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    named = rows[:300]
    ids = {row[0] for row in named}
    new = [["NEW-1", "NEW-1", "9001 LAKEVIEW DR", *rows[0][3:]], ["NEW-2", "NEW-2", "9003 LAKEVIEW DR", *rows[0][3:]]]
    content = csv_bytes(header, named + new)
    with reading(create_engine(city_copy_url)) as conn:
        stored = conn.execute(sa.select(sa.func.count()).select_from(properties)).scalar_one()
        placed = conn.execute(sa.select(sa.func.count()).select_from(matches)
                              .where(matches.c.status == "matched")).scalar_one()
    stored_records = count(city_copy_url, records)

    app = upload_master(run_page(monkeypatch, city_copy_url), "parcels-2026.csv", content)
    assert not app.exception
    plan = " ".join(texts(app, "markdown"))
    assert f"already holds a property master of {stored:,} properties" in plan
    assert (f"adds 2 new properties, replaces the fields and the address list of the {len(ids):,} it names, and "
            f"keeps the {stored - len(ids):,} it does not name") in plan
    assert f"Every stored record ({stored_records:,}) is then placed again" in plan
    assert f"Now {placed:,} are on a property" in plan
    assert master_button(app).disabled  # not before the analyst says yes
    assert count(city_copy_url, properties) == stored

    app = app.checkbox(key=next(c.key for c in app.checkbox if c.label.startswith("Replace the master"))).check().run()
    assert not master_button(app).disabled
    app = master_button(app).click().run()
    assert not app.exception
    done = app.success[0].value
    assert "2 new properties" in done and f"{len(ids):,} updated" in done
    assert f"{stored_records:,} records placed again (On a property {placed:,} → " in done
    assert count(city_copy_url, properties) == stored + 2
    assert count(city_copy_url, records) == stored_records  # records are placed again, never dropped
    assert count(city_copy_url, matches) == stored_records
