"""Reading, mapping and validating extracts, one line per real-world file or row (no database)."""

import hashlib
import io
import json
import random
from datetime import date, datetime, time

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from loaders import mappings
from loaders.privacy import mask_contact_details
from loaders.read import LoadError, cell_text, read_table
from loaders.specs import CANONICAL_FIELDS, detect_department, spec, specs
from loaders.validate import HASHED, REJECT_KINDS, content_hash, validate

TODAY = datetime(2026, 3, 1, 12, 0)
POLICE_HEADER = ["Incident Number", "Call Date/Time", "Call Type", "Location", "Disposition", "Beat", "Narrative"]
FIRE_HEADER = ["Incident Number", "Alarm Date", "Alarm Time", "Incident Type Code", "Incident Type", "Street Number",
               "Street Prefix", "Street Name", "Street Type", "Street Suffix", "Apt", "Latitude", "Longitude",
               "Narrative"]
WORKS_HEADER = ["Case Number", "Case Type", "Open Date", "Close Date", "Status", "Tax Key", "Site Address"]
CRM_HEADER = ["Request ID", "Created", "Category", "Topic", "Department Routed", "Address", "Status", "Closed",
              "Description"]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def police_row(number=1, when=None, call_type="NOISE COMPLAINT", location="100 N MAIN ST", **extra):
    when = f"01/{14 + number % 10:02d}/2026 10:30" if when is None else when  # month first, as the 14th+ shows
    row = {"Incident Number": f"LPD26-{number:06d}", "Call Date/Time": when, "Call Type": call_type,
           "Location": location, "Disposition": "ADVISED", "Beat": "B2", "Narrative": ""}
    row.update(extra)
    return row


def csv_bytes(rows: list[dict], header=POLICE_HEADER, encoding="utf-8") -> bytes:
    return pd.DataFrame(rows, columns=header).to_csv(index=False).encode(encoding)


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def police(rows: list[dict]):
    frame = read_table(csv_bytes(rows), "calls.csv").frame
    police_spec = spec("police")
    return validate(frame, police_spec, police_spec.resolve(list(frame.columns)), today=TODAY)


# --- reading ------------------------------------------------------------------------------------


@pytest.mark.parametrize("content, encoding, note", [
    ("Incident Number,Location\nA1,Café São Paulo “Bar”\n".encode("utf-8"), "utf-8-sig", None),
    ("Incident Number,Location\nA1,Café São Paulo “Bar”\n".encode("utf-8-sig"), "utf-8-sig", None),
    ("Incident Number,Location\nA1,Café São Paulo “Bar”\n".encode("cp1252"), "cp1252", "Windows-1252"),
    ("Incident Number;Location\r\nA1;Café São Paulo “Bar”\r\n".encode("cp1252"), "cp1252", "Windows-1252"),
    ("Incident Number\tLocation\nA1\tCafé São Paulo “Bar”\n".encode("utf-8"), "utf-8-sig", None),
    ("Incident Number,Location\nA1,Café São Paulo “Bar”,\n".encode("utf-8"), "utf-8-sig", None),
    ("Incident Number,Location\n\nA1,Café São Paulo “Bar”\n\n".encode("utf-8"), "utf-8-sig", None),
], ids=["utf-8", "utf-8 with BOM", "windows-1252", "semicolons and CRLF", "tabs", "trailing commas", "blank lines"])
def test_text_files_in_any_common_encoding_and_dialect_read_the_same(content, encoding, note):
    table = read_table(content, "calls.csv")
    assert table.frame.to_dict(orient="records") == [
        {"Incident Number": "A1", "Location": "Café São Paulo “Bar”"}]
    assert table.encoding == encoding
    assert (note in " ".join(table.notes)) if note else table.notes == []


@pytest.mark.parametrize("content, name, message", [
    (b"", "calls.csv", "calls.csv is empty"),
    (b"  \r\n\n ", "calls.csv", "calls.csv is empty"),
    (PNG, "calls.csv", "calls.csv is not a text file (it holds binary data)"),
    (random.Random(1).randbytes(4000), "calls.csv", "not a text file"),
    (bytes(b or 1 for b in random.Random(2).randbytes(4000)), "calls.csv", "not a text file"),  # no NULs
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "calls.csv", "old-style Excel (.xls)"),
    (b"PK\x03\x04 this is no workbook", "calls.xlsx", "calls.xlsx is not a readable Excel workbook"),
    (b"Incident Number,Location\nA1,100 MAIN ST,extra,fields\n", "calls.csv",
     "calls.csv is not a readable CSV file: line 2 has 4 fields where the header has 2"),
    (b"Incident Number,Location\nA1,100 MAIN ST\n\"A2\n\",200 MAIN ST\nA3,1,2\n", "calls.csv",
     "calls.csv is not a readable CSV file: line 5 has 3 fields where the header has 2"),
], ids=["empty", "blank lines", "png named csv", "random bytes", "random bytes without NULs", "old xls",
        "zip named xlsx", "first row too long", "later row too long"])
def test_unreadable_files_say_why(content, name, message):
    with pytest.raises(LoadError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        read_table(content, name)


def test_header_only_reads_as_an_empty_table():
    table = read_table(b"Incident Number,Call Date/Time\n", "calls.csv")
    assert table.frame.empty and list(table.frame.columns) == ["Incident Number", "Call Date/Time"]


def test_a_workbook_reads_the_sheet_that_fits_the_department():
    content = xlsx_bytes({
        "Summary": [["Report", "Count"], ["Calls", 2]],
        "Fire runs": [FIRE_HEADER[:5], ["F26-1", "2026-01-02", "10:00:00", "111", "Building fire"]],
        "Calls": [POLICE_HEADER, ["LPD26-000001", "01/15/2026 10:30", "NOISE", "100 N MAIN ST", "", "B2", ""]],
    })
    table = read_table(content, "export.xlsx", fit=spec("police").fit)
    assert table.sheet == "Calls"
    assert table.frame["Incident Number"].tolist() == ["LPD26-000001"]
    assert "read 'Calls', whose columns fit best" in table.notes[0]
    assert read_table(content, "export.xlsx", fit=spec("fire").fit).sheet == "Fire runs"
    assert read_table(content, "export.xlsx").sheet == "Summary"  # no chooser: the first sheet with rows


def test_a_workbook_where_no_sheet_fits_lists_its_sheets():
    content = xlsx_bytes({"Summary": [["Report", "Count"], ["Calls", 2]], "Notes": [["Note"], ["hello"]]})
    message = "export.xlsx has no sheet whose columns fit; its sheets are: 'Summary', 'Notes'"
    with pytest.raises(LoadError, match=message):
        read_table(content, "export.xlsx", fit=spec("police").fit)


def test_a_workbook_without_rows_says_so():
    with pytest.raises(LoadError, match="export.xlsx has no sheet with rows \\(its sheets: 'Calls', 'Empty'\\)"):
        read_table(xlsx_bytes({"Calls": [POLICE_HEADER], "Empty": []}), "export.xlsx")


FORMULA_LIKE = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1", "-5", "@SUM(A1:A2)", "=1+1"]


def test_formula_like_cells_stay_text_in_workbooks_and_csv():
    rows = [[f"A{i}", text] for i, text in enumerate(FORMULA_LIKE)]
    from_xlsx = read_table(xlsx_bytes({"Calls": [["Incident Number", "Narrative"], *rows]}), "calls.xlsx")
    from_csv = read_table(pd.DataFrame(rows, columns=["Incident Number", "Narrative"]).to_csv(index=False).encode(),
                          "calls.csv")
    assert from_xlsx.frame["Narrative"].tolist() == FORMULA_LIKE
    assert from_csv.frame["Narrative"].tolist() == FORMULA_LIKE
    assert any("2 cells start with '='" in note for note in from_xlsx.notes)


@pytest.mark.parametrize("value, text", [
    (None, ""),
    ("  as typed ", "  as typed "),
    (42, "42"),
    (42.0, "42"),
    (276030200002000.0, "276030200002000"),
    (-87.779208, "-87.779208"),
    (True, "TRUE"),
    (datetime(2026, 1, 15, 10, 30), "2026-01-15 10:30:00"),
    (datetime(2026, 1, 15), "2026-01-15"),
    (date(2026, 1, 15), "2026-01-15"),
    (time(15, 27, 53), "15:27:53"),
])
def test_workbook_cells_read_as_the_text_a_person_sees(value, text):
    assert cell_text(value) == text


def test_a_workbook_call_at_midnight_is_a_date():
    content = xlsx_bytes({"Calls": [POLICE_HEADER[:4], ["LPD26-1", datetime(2026, 1, 15), "NOISE", "100 N MAIN ST"],
                                    ["LPD26-2", datetime(2026, 1, 15, 0, 5), "NOISE", "100 N MAIN ST"]]})
    frame = read_table(content, "calls.xlsx").frame
    police_spec = spec("police")
    checked = validate(frame, police_spec, police_spec.resolve(list(frame.columns)), today=TODAY)
    assert checked.rejects == []
    assert checked.records["occurred_at"].tolist() == [pd.Timestamp("2026-01-15 00:00"),
                                                       pd.Timestamp("2026-01-15 00:05")]


@pytest.mark.parametrize("cells, expected", [
    ([45672.4375, 45673.0], ["2025-01-15 10:30:00", "2025-01-16 00:00:00"]),  # Excel serial days, as numbers
    ([datetime(2025, 1, 15, 10, 30), datetime(2025, 1, 16)], ["2025-01-15 10:30:00", "2025-01-16 00:00:00"]),
])
def test_workbook_dates_as_serial_numbers_or_date_cells(cells, expected):
    content = xlsx_bytes({"Calls": [POLICE_HEADER[:4]] + [[f"C{i}", cell, "NOISE", "100 N MAIN ST"]
                                                         for i, cell in enumerate(cells)]})
    frame = read_table(content, "calls.xlsx").frame
    police_spec = spec("police")
    checked = validate(frame, police_spec, police_spec.resolve(list(frame.columns)), today=TODAY)
    assert checked.rejects == []
    assert [str(value) for value in checked.records["occurred_at"]] == expected


def test_workbook_numbers_and_dates_load_like_their_csv():
    content = xlsx_bytes({"Runs": [
        FIRE_HEADER[:5] + ["Latitude", "Longitude"],
        ["F26-1", date(2026, 1, 2), time(10, 5, 0), 111, "Building fire", 42.737229, -87.793481],
    ]})
    frame = read_table(content, "runs.xlsx").frame
    fire = spec("fire")
    checked = validate(frame, fire, fire.resolve(list(frame.columns)), today=TODAY)
    assert checked.rejects == []
    assert checked.records.loc[0, "occurred_at"] == pd.Timestamp("2026-01-02 10:05:00")
    assert checked.records.loc[0, "subcategory"] == "111"
    assert checked.records.loc[0, "lat"] == 42.737229


# --- validation ---------------------------------------------------------------------------------


REJECTS = [
    # what is wrong with row 3 (row 2 is fine)     kind                reason
    (dict(**{"Incident Number": " "}), "missing_id", "row 3: 'Incident Number' is empty"),
    (dict(when=""), "missing_date", "row 3: 'Call Date/Time' is empty"),
    (dict(when="02/31/2025 10:00"), "not_a_date", "row 3: 'Call Date/Time' is 02/31/2025 10:00, not a date"),
    (dict(when="31/01/2025 10:00"), "not_a_date", "row 3: 'Call Date/Time' is 31/01/2025 10:00, not a date"),
    (dict(when="yesterday"), "not_a_date", "row 3: 'Call Date/Time' is yesterday, not a date"),
    (dict(when="03/05/2026 10:00"), "future_date", "row 3: 'Call Date/Time' 03/05/2026 10:00 is in the future"),
    (dict(when="01/01/1949 10:00"), "too_old", "row 3: 'Call Date/Time' 01/01/1949 10:00 is before 1950"),
    (dict(call_type=""), "missing_category", "row 3: 'Call Type' is empty"),
]


@pytest.mark.parametrize("fault, kind, reason", REJECTS, ids=[kind + ":" + reason[7:40] for _, kind, reason in REJECTS])
def test_each_bad_row_is_rejected_with_a_kind_and_a_reason(fault, kind, reason):
    rows = [police_row(1), police_row(**{"number": 2, **fault}), police_row(3)]
    checked = police(rows)
    assert [(r["row_number"], r["kind"], r["reason"]) for r in checked.rejects] == [(3, kind, reason)]
    assert checked.records["source_record_id"].tolist() == ["LPD26-000001", "LPD26-000003"]
    assert json.loads(checked.rejects[0]["raw"])["Call Type"] == rows[1]["Call Type"]


def test_every_reject_kind_is_described():
    # duplicate_id describes rejects stored before rows sharing an id were folded into one record;
    # short_row and cell_too_long come from the reader (tests/unit/test_hostile.py).
    fault_kinds = {kind for _, kind, _ in REJECTS} | {"bad_closed_date", "duplicate_id", "short_row", "cell_too_long"}
    assert fault_kinds == set(REJECT_KINDS)


def test_a_closed_date_that_is_no_date_is_rejected():
    works = spec("public_works")
    frame = pd.DataFrame([["CE-1", "TALL GRASS", "1/15/2026", "1/45/2026", "CLOSED", "", "100 MAIN ST"]],
                         columns=WORKS_HEADER)
    checked = validate(frame, works, works.resolve(WORKS_HEADER), today=TODAY)
    assert [(r["kind"], r["reason"]) for r in checked.rejects] == [
        ("bad_closed_date", "row 2: 'Close Date' is 1/45/2026, not a date")]


def test_repeated_rows_count_once_and_every_row_is_accounted_for():
    rows = [police_row(1), police_row(2), police_row(1), police_row(3), police_row(2), police_row(1)]
    checked = police(rows)
    assert checked.rejects == []
    assert checked.records["source_record_id"].tolist() == ["LPD26-000001", "LPD26-000002", "LPD26-000003"]
    assert (checked.duplicates, checked.folded) == (3, 0)
    assert len(checked.records) + checked.duplicates + checked.folded == len(rows)


def test_rows_of_one_call_fold_into_one_record_that_keeps_what_differs():
    # One row per responding unit, as a CAD writes them; the call's status changed between rows.
    rows = [police_row(1, when="01/15/2026 10:30", Beat="B2", Disposition="DISPATCHED"),
            police_row(2),
            police_row(1, when="01/15/2026 10:34", Beat="B3", Disposition="CLEARED"),
            police_row(1, when="01/15/2026 10:31", Beat="B4", Disposition="ON SCENE")]
    checked = police(rows)
    assert checked.rejects == [] and (checked.folded, checked.duplicates) == (2, 0)
    call = checked.records.set_index("source_record_id").loc["LPD26-000001"]
    assert call["occurred_at"] == pd.Timestamp("2026-01-15 10:30")  # the first time it was received
    assert call["status"] == "CLEARED"  # the status of its latest row
    assert call["row_number"] == 2
    extra = json.loads(call["extra"])
    assert extra["rows"] == 3
    assert extra["folded"] == {"Call Date/Time": ["01/15/2026 10:30", "01/15/2026 10:34", "01/15/2026 10:31"],
                               "Disposition": ["DISPATCHED", "CLEARED", "ON SCENE"], "Beat": ["B2", "B3", "B4"]}
    assert "rows" not in json.loads(checked.records.set_index("source_record_id").loc["LPD26-000002", "extra"])


@pytest.mark.parametrize("parts, expected", [
    (("0002", "036"), "0002-036"),
    (("0002", ""), None),  # a part missing: no id can be built, the row is rejected
])
def test_an_id_can_be_built_from_several_columns(parts, expected):
    works = spec("public_works")
    frame = pd.DataFrame([[*parts, "VACANT", "02/28/2014", "1945 W NORTH AVE"]],
                         columns=["Block", "Lot", "Case Type", "Notice Date", "Address"])
    columns = {"source_record_id": ["Block", "Lot"], "category": "Case Type", "occurred_at": "Notice Date",
               "address": "Address"}
    checked = validate(frame, works, columns, today=TODAY)
    assert checked.records["source_record_id"].tolist() == ([expected] if expected else [])
    assert [r["kind"] for r in checked.rejects] == ([] if expected else ["missing_id"])


@pytest.mark.parametrize("written, stored", [
    ("202515001499.0", "202515001499"),  # an id a spreadsheet turned into a number
    ("18-0052973", "18-0052973"),
    ("0002", "0002"),  # leading zeros stay
    ("0024G00060000000", "0024G00060000000"),
    ("12.50", "12.50"),  # not a whole number: not a float artefact
])
def test_ids_stay_text(written, stored):
    checked = police([police_row(1, **{"Incident Number": written})])
    assert checked.records["source_record_id"].tolist() == [stored]


@pytest.mark.parametrize("placeholder", ["NA", "N/A", "Unspecified", "No primary address specified", "null", " "])
def test_placeholders_read_as_blank(placeholder):
    checked = police([police_row(1, location=placeholder, Disposition=placeholder)])
    assert checked.records.loc[0, "address"] is None
    assert checked.records.loc[0, "status"] is None


def test_fire_address_parts_are_joined_and_coordinates_checked():
    fire = spec("fire")
    frame = pd.DataFrame([
        ["F1", "2026-01-02", "10:00:00", "111", "Building fire", "1820", "N", "MAIN", "ST", "", "2", "42.73",
         "-87.77", ""],
        ["F2", "2026-01-02", "11:00:00", "111", "Building fire", "", "", "MAIN ST & 5TH ST", "", "", "", "0", "", ""],
    ], columns=FIRE_HEADER)
    records = validate(frame, fire, fire.resolve(FIRE_HEADER), today=TODAY).records
    assert records["address"].tolist() == ["1820 N MAIN ST 2", "MAIN ST & 5TH ST"]
    assert records["lat"].tolist() == [42.73, None]
    assert records.loc[0, "occurred_at"] == pd.Timestamp("2026-01-02 10:00:00")


def test_only_kept_columns_are_stored_and_descriptions_are_masked():
    checked = police([police_row(1, Narrative="RP at 262-555-0142 or jo@example.com", Beat="B7")])
    assert checked.records.loc[0, "extra"] == '{"Beat": "B7"}'
    assert checked.records.loc[0, "description"] == "RP at [phone] or [email]"


def test_crm_fields_for_the_service_page_are_stored_under_their_own_names_from_any_synonym():
    crm = spec("crm")
    header = ["Ticket", "Date Created", "Request Category", "Request Type", "Routed To", "Agent", "Work Group",
              "Original Department", "Transfer Department", "Transfer Date", "Address", "Caller Phone"]
    row = ["311-1", "2026-01-15 10:30:00", "Complaint", "Pothole", "Public Works", "M. Alvarez", "Phones",
           "Police", "Public Works", "2026-01-15 12:00:00", "100 N MAIN ST", "262-555-0100"]
    frame = pd.DataFrame([row], columns=header)
    stored = json.loads(validate(frame, crm, crm.resolve(header), today=TODAY).records.loc[0, "extra"])
    assert stored == {"routed_department": "Public Works", "handled_by": "M. Alvarez", "team": "Phones",
                      "transferred_from": "Police", "transferred_to": "Public Works",
                      "transferred_at": "2026-01-15 12:00:00"}  # the caller's phone is not kept


def _row_wise_hash(records: pd.DataFrame) -> pd.Series:
    """The fingerprint as first written (row by row); hashes already stored were made this way."""
    joined = records[list(HASHED)].astype(object).where(records[list(HASHED)].notna(), "").astype(str).agg(
        "\x1f".join, axis=1)
    return joined.map(lambda value: hashlib.sha256(value.encode()).hexdigest())


@pytest.mark.parametrize("department", sorted(specs()))
def test_the_fingerprint_is_the_one_stored_records_carry(city_dir, department):
    name = f"{department}.csv"
    frame = read_table((city_dir / name).read_bytes(), name).frame.head(400)
    department_spec = spec(department)
    records = validate(frame, department_spec, department_spec.resolve(list(frame.columns)), today=TODAY).records
    assert not records.empty
    assert records["content_hash"].tolist() == _row_wise_hash(records).tolist()
    with_seconds = records.assign(occurred_at=records["occurred_at"] + pd.Timedelta(microseconds=5))
    assert content_hash(with_seconds).tolist() == _row_wise_hash(with_seconds).tolist()


# --- departments and mappings -------------------------------------------------------------------


@pytest.mark.parametrize("header, department", [
    (POLICE_HEADER, "police"),
    (FIRE_HEADER, "fire"),
    (WORKS_HEADER, "public_works"),
    (CRM_HEADER, "crm"),
    (["INCIDENT_NUMBER", "CALL_DATE_TIME", "CALL_TYPE", "LOCATION"], "police"),
    (["Call No", "Received At", "Nature", "Where"], None),
    # Exports of systems cities commonly run, and of the open-data portals they publish through.
    (["OBJECTID", "IncidentNumber", "CallDateTime", "CallType", "Address", "X", "Y"], "police"),  # ArcGIS Hub CAD
    (["Call Number", "Call Received", "Nature of Call", "Address", "Disposition"], "police"),  # a county CAD
    (["Event Number", "Event Type", "Create Time", "Location", "Beat"], "police"),  # another CAD
    (["INC_NO", "INC_DATE", "ALARM", "INC_TYPE", "NUM_MILE", "STREET_PRE", "STREETNAME", "STREETTYPE",
      "STREETSUF", "APT_NO", "ZIP5"], "fire"),  # NFIRS basic module
    (["Record ID", "Record Type", "Date Opened", "Status", "Address", "Parcel Number"], "public_works"),  # permits
    (["Case Number", "Case Type", "Open Date", "Case Status", "Address", "Parcel Number"], "public_works"),
    (["service_request_id", "status", "service_name", "service_code", "description", "requested_datetime",
      "updated_datetime", "address", "lat", "long"], "crm"),  # Open311 GeoReport v2 / Socrata
    (["id", "created_at", "summary", "address", "status", "lat", "lng"], "crm"),  # SeeClickFix
    (["_id", "REQUEST_ID", "CREATED_ON", "REQUEST_TYPE", "STATUS", "DEPARTMENT", "X", "Y"], "crm"),  # CKAN 311
    (["Case Number", "Date/Time Opened", "Case Type", "Status", "Address"], "crm"),  # a CRM's case export
])
def test_the_department_is_detected_from_the_headers(header, department):
    assert detect_department(header)[0] == department


@pytest.mark.parametrize("department", sorted(specs()))
def test_spec_fields_are_canonical(department):
    department_spec = spec(department)
    assert set(department_spec.fields) <= set(CANONICAL_FIELDS)
    assert set(department_spec.required) <= set(CANONICAL_FIELDS)


@pytest.mark.parametrize("other, same", [
    (["Call No", "Received", "Nature", "Where"], True),
    (["Where", "Nature", "Received", "Call No"], True),
    (["CALL_NO", "received", "NATURE", "where "], True),
    (["Call No", "Received", "Nature"], False),
    (["Call No", "Received", "Nature", "Where", "Beat"], False),
])
def test_the_header_signature_ignores_order_case_and_punctuation(other, same):
    base = mappings.header_signature(["Call No", "Received", "Nature", "Where"])
    assert (mappings.header_signature(other) == base) is same
    assert len(base) == 64


CAD_HEADERS = ["Call No", "Received", "Nature", "Where", "Remarks"]
CAD_MAP = {"source_record_id": "Call No", "occurred_at": "Received", "category": "Nature", "address": "Where"}


@pytest.mark.parametrize("columns, message", [
    ({**CAD_MAP, "call_time": "Received"}, "names 'call_time', which the dashboard does not know; the fields are:"),
    ({**CAD_MAP, "description": "Notes"}, "maps description to 'Notes', but calls.csv has no such column; "
                                          "its columns are: Call No, Received, Nature, Where, Remarks"),
    ({k: v for k, v in CAD_MAP.items() if k != "category"}, "leaves no column for category"),
    ({k: v for k, v in CAD_MAP.items() if k != "occurred_at"},
     "leaves no column for occurred_at (date and time it happened)"),
])
def test_a_mapping_that_does_not_fit_says_what_is_wrong(columns, message):
    with pytest.raises(LoadError, match=message.replace("(", r"\(").replace(")", r"\)")):
        mappings.check_mapping("police", columns, CAD_HEADERS, "calls.csv", "cad")


def test_a_mapping_is_matched_to_the_file_spelling_and_blanks_mean_no_column():
    columns = {"source_record_id": "CALL NO", "occurred_date": "received", "category": "Nature",
               "address_street": "Where", "status": ""}
    assert mappings.check_mapping("police", columns, CAD_HEADERS, "calls.csv") == {
        "source_record_id": "Call No", "occurred_date": "Received", "category": "Nature", "address_street": "Where"}


@pytest.mark.parametrize("suffix, text", [
    (".json", json.dumps(CAD_MAP)),
    (".toml", "\n".join(f'{field} = "{column}"' for field, column in CAD_MAP.items())),
])
def test_mapping_files_in_json_or_toml(tmp_path, suffix, text):
    path = tmp_path / f"cad{suffix}"
    path.write_text(text)
    assert mappings.read_mapping_file(path) == CAD_MAP


@pytest.mark.parametrize("suffix, text, message", [
    (".json", "{not json", "cad.json is not a readable JSON mapping file"),
    (".toml", "source_record_id = ", "cad.toml is not a readable TOML mapping file"),
    (".json", "[1, 2]", "should hold field = \"source column\" pairs"),
    (".toml", "source_record_id = 3", "the column for 'source_record_id' should be a column name in quotes"),
])
def test_unreadable_mapping_files_say_why(tmp_path, suffix, text, message):
    path = tmp_path / f"cad{suffix}"
    path.write_text(text)
    with pytest.raises(LoadError, match=message):
        mappings.read_mapping_file(path)


# --- privacy ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, masked", [
    ("call back 262-555-0142", "call back [phone]"),
    ("(262) 555-0142", "[phone]"),
    ("(262)555-0142", "[phone]"),
    ("(262)-555-0142", "[phone]"),
    ("262.555.0142", "[phone]"),
    ("262 555 0142", "[phone]"),
    ("262/555-0142", "[phone]"),
    ("262–555–0142", "[phone]"),  # en dashes from a word processor
    ("+1 262 555 0142", "[phone]"),
    ("+1 (262) 555-0142", "[phone]"),
    ("1-262-555-0142", "[phone]"),
    ("2625550142", "[phone]"),
    ("12625550142", "[phone]"),
    ("cell 555-0142", "cell [phone]"),
    ("555.0142 or 555-0199", "[phone] or [phone]"),
    ("reach her at 262 555-0142.", "reach her at [phone]."),
    ("262-555-0142 ext 12", "[phone] ext 12"),
    ("mail j.doe+tips@example.com now", "mail [email] now"),
    ("JDOE@CITY.LAKEPORT.WI.US", "[email]"),
    ("Kim Hall 262-555-0142 / kim_hall@mail.example.org", "Kim Hall [phone] / [email]"),
    # not contact details: left alone
    ("1200 BLOCK N MAIN ST", "1200 BLOCK N MAIN ST"),
    ("1820-1848 N MAIN ST", "1820-1848 N MAIN ST"),
    ("11/01/2025 06:35", "11/01/2025 06:35"),
    ("2025-11-01", "2025-11-01"),
    ("CE-2025-00001", "CE-2025-00001"),
    ("CE-123-4567", "CE-123-4567"),
    ("LPD25-000001", "LPD25-000001"),
    ("tax key 276-07-05-00037-000", "tax key 276-07-05-00037-000"),
    ("276030200002000", "276030200002000"),
    ("zip 53403-1234", "zip 53403-1234"),
    ("", ""),
    (None, None),
])
def test_phone_numbers_and_emails_are_masked(text, masked):
    assert mask_contact_details(text) == masked


@given(st.lists(st.tuples(st.one_of(st.none(), st.text(max_size=12)), st.one_of(st.none(), st.text(max_size=12))),
                min_size=1, max_size=30))
@settings(max_examples=150, derandomize=True, deadline=None)
def test_kept_columns_are_the_json_of_each_rows_values(rows):
    """The extra fields a load keeps are each row's json.dumps of the kept columns, exactly: the stored
    content hash covers them, so a change of spelling would mark every stored record updated."""
    from loaders.validate import _extra

    frame = pd.DataFrame(rows, columns=["Beat", "Shift \u00e9"], dtype=object)
    extra = _extra(frame, spec("police"), {"keep": ["Beat", "Shift \u00e9"]})
    expected = [json.dumps({"Beat": beat, "Shift \u00e9": shift}, ensure_ascii=False)
                for beat, shift in frame.itertuples(index=False)]
    assert extra.tolist() == expected
