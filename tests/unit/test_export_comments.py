"""A CSV export opens as a table: where it came from is in `#` comment lines above the header, which
spreadsheet-safe escaping still covers, and nothing in the table is lost to a reader that skips them."""

import csv
import io

import pandas as pd
import pytest

from integration.exports import comment_line, to_csv, to_xlsx

HOTSPOTS = pd.DataFrame({
    "Rank": [1, 2],
    "Address": ["120 MAIN ST # 4", "=HYPERLINK(\"http://evil.example\")"],
    "Score": [12.5, 9.0],
    "Departments": ["Police, Fire", "Public Works"],
})
FILTERS = {"window": 90, "departments": ["police", "fire"], "ward": None, "as of": "2026-11-20", "owner": "a,=1+1"}


def test_the_table_starts_after_the_comment_lines_and_reads_whole():
    text = to_csv(HOTSPOTS, "lead jo", FILTERS).decode("utf-8-sig")
    lines = text.splitlines()
    comments = [line for line in lines if line.startswith("#")]
    assert lines[:len(comments)] == comments and len(comments) == 2 + len(FILTERS)
    back = pd.read_csv(io.StringIO(text), comment="#")
    assert list(back.columns) == list(HOTSPOTS.columns)
    assert back["Address"].tolist() == ["120 MAIN ST # 4", "'=HYPERLINK(\"http://evil.example\")"]
    assert back["Departments"].tolist() == HOTSPOTS["Departments"].tolist()
    assert back["Score"].tolist() == [12.5, 9.0]
    rows = list(csv.reader(io.StringIO("\n".join(lines[len(comments):]))))  # no comment option at all
    assert rows[0] == list(HOTSPOTS.columns) and len(rows) == 3


@pytest.mark.parametrize("text, line", [
    ("Exported by: lead jo", "# Exported by: lead jo\n"),
    ("Filter: owner: a,=1+1", "# Filter: owner: a,'=1+1\n"),  # a spreadsheet splits at the comma: escaped
    ("Filter: note: two\nlines", "# Filter: note: two lines\n"),
    ('Filter: note: say "=1+1"', "# Filter: note: say '=1+1'\n"),  # no quote that opens a field
    ("Filter: departments: police, fire", "# Filter: departments: police, fire\n"),
])
def test_comment_line(text, line):
    assert comment_line(text) == line


def test_the_xlsx_keeps_the_table_on_its_own_sheet_and_the_provenance_on_another():
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(to_xlsx(HOTSPOTS, "lead jo", FILTERS, sheet="Hotspots")))
    assert book.sheetnames == ["Hotspots", "About"]
    assert next(book["Hotspots"].iter_rows(values_only=True)) == tuple(HOTSPOTS.columns)
    assert [row[0] for row in book["About"].iter_rows(values_only=True)][:2] == ["Exported by", "Exported at"]
