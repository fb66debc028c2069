"""Exports people download: formula-like cells escaped, a provenance header, and the table intact."""

import io
from datetime import datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from integration.exports import escape_cell, provenance, to_csv, to_xlsx

AT = datetime(2026, 3, 1, 9, 30)


@pytest.mark.parametrize("value, escaped", [
    ("=HYPERLINK(\"http://evil.example\",\"click\")", "'=HYPERLINK(\"http://evil.example\",\"click\")"),
    ("=1+1", "'=1+1"),
    ("+1", "'+1"),
    ("-5", "'-5"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("100 N MAIN ST", "100 N MAIN ST"),
    ("A=B", "A=B"),
    ("", ""),
    (-5, -5),  # a number is a number, not a formula
    (1.5, 1.5),
    (None, None),
])
def test_escape_cell(value, escaped):
    assert escape_cell(value) == escaped


FRAME = pd.DataFrame({
    "record": ["LPD26-000001", "LPD26-000002", "LPD26-000003"],
    "address": ["=HYPERLINK(\"http://evil.example\",\"click\")", "100 N MAIN ST", "@SUM(A1:A2)"],
    "note": ["+1 262 555 0142", "-5", "fine"],
    "count": [1, -5, 3],
})
ESCAPED_TEXT = {
    "address": ["'=HYPERLINK(\"http://evil.example\",\"click\")", "100 N MAIN ST", "'@SUM(A1:A2)"],
    "note": ["'+1 262 555 0142", "'-5", "fine"],
}


def test_provenance_says_who_when_and_which_filters():
    lines = provenance("=jo", {"department": ["police", "fire"], "window": 90, "ward": None, "status": []}, at=AT)
    assert lines == [
        ("Exported by", "'=jo"),
        ("Exported at", "2026-03-01 09:30:00"),
        ("Filter: department", "police, fire"),
        ("Filter: window", "90"),
        ("Filter: ward", ""),
        ("Filter: status", "all"),
    ]


def test_csv_round_trip_with_provenance_first():
    content = to_csv(FRAME, "analyst jo", {"department": ["police"]})
    assert content.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
    text = content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "# Exported by: analyst jo"
    assert lines[1].startswith("# Exported at: ")
    assert lines[2] == "# Filter: department: police"
    assert lines[3] == '"record","address","note","count"'  # the header follows the comment lines
    back = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, comment="#")
    assert list(back.columns) == list(FRAME.columns)
    assert back["record"].tolist() == FRAME["record"].tolist()
    assert back["address"].tolist() == ESCAPED_TEXT["address"]
    assert back["note"].tolist() == ESCAPED_TEXT["note"]
    assert back["count"].tolist() == ["1", "-5", "3"]  # numbers are not escaped


def test_xlsx_round_trip_holds_no_formulas():
    content = to_xlsx(FRAME, "analyst jo", {"department": ["police"]}, sheet="Hotspots")
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Hotspots", "About"]
    cells = [cell for row in book["Hotspots"].iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    rows = list(book["Hotspots"].iter_rows(values_only=True))
    assert rows[0] == tuple(FRAME.columns)
    assert [row[1] for row in rows[1:]] == ESCAPED_TEXT["address"]
    assert [row[2] for row in rows[1:]] == ESCAPED_TEXT["note"]
    assert [row[3] for row in rows[1:]] == [1, -5, 3]
    about = list(book["About"].iter_rows(values_only=True))
    assert about[0] == ("Exported by", "analyst jo")
    assert about[2] == ("Filter: department", "police")


def test_an_empty_export_still_says_where_it_came_from():
    empty = FRAME.iloc[0:0]
    text = to_csv(empty, "analyst jo").decode("utf-8-sig")
    assert text.startswith("# Exported by: analyst jo")
    assert text.rstrip().endswith('"record","address","note","count"')
    assert list(load_workbook(io.BytesIO(to_xlsx(empty, "analyst jo")))["Data"].iter_rows(values_only=True)) == [
        tuple(FRAME.columns)]
