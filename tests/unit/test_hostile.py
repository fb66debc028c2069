"""Hostile and careless files: every one is read, rejected row by row, or refused with a reason, quickly.

The files are made here. The first half pins each limit and hazard with a literal case; the second
throws random text, random CSV structure and random cell sizes (hypothesis, derandomised so a run
is reproducible) at the reader, the date parser, the address normaliser and the masking, each of
which must return or raise LoadError within a time bound, never anything else. The whole-load
table, with its check that a refused file stores nothing, is tests/storage/test_hostile.py.
"""

import codecs
import csv
import io
import re
import time
import zipfile
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from integration.address import Address, normalize
from loaders.dates import parse_dates
from loaders.privacy import mask_contact_details
from loaders.read import LIMIT_SETTINGS, LoadError, limits, read_table
from loaders.specs import spec
from loaders.validate import validate

TODAY = pd.Timestamp("2026-03-01")
POLICE_HEADER = ["Incident Number", "Call Date/Time", "Call Type", "Location", "Disposition", "Beat", "Narrative"]
# The contact-detail pattern masking used before it was made linear: the reference for what it masks.
OLD_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
README = Path(__file__).resolve().parents[2] / "README.md"
# Generous per call: the hazards this guards against took 6 s (40,000 characters) to forever.
BOUND = 3.0


def police_rows(count: int, narrative=lambda n: "quiet", start: int = 1) -> list[list[str]]:
    return [[f"LPD26-{n:06d}", f"01/{14 + n % 10:02d}/2026 10:30", "NOISE COMPLAINT", f"{100 + n} N MAIN ST",
             "ADVISED", "B2", narrative(n)] for n in range(start, start + count)]


def csv_text(rows: list[list[str]], header=POLICE_HEADER, delimiter=",", quoting=csv.QUOTE_MINIMAL,
             line_end="\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=line_end)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def police(content: bytes, name: str = "calls.csv"):
    table = read_table(content, name)
    police_spec = spec("police")
    return validate(table.frame, police_spec, police_spec.resolve(list(table.frame.columns)), today=TODAY,
                    faults=table.faults)


def timed(call, *args, **kwargs):
    started = time.perf_counter()
    result = call(*args, **kwargs)
    return result, time.perf_counter() - started


# --- workbooks made byte by byte ----------------------------------------------------------------------


@cache
def _workbook_frame() -> dict[str, bytes]:
    """The parts of a one-sheet workbook as openpyxl writes it, but for the sheet itself."""
    book = Workbook()
    book.active.title = "Calls"
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "xl/worksheets/sheet1.xml"}


SHEET_START = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
               b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def row_xml(values: list[str], number: int | None = None) -> bytes:
    cells = "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in values)
    return (f'<row r="{number}">' if number else "<row>").encode() + cells.encode() + b"</row>"


def workbook(rows, dimension: str | None = None) -> bytes:
    """A workbook whose sheet holds `rows` (chunks of row XML, streamed through the zip: never all in memory)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in _workbook_frame().items():
            archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(SHEET_START)
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for chunk in rows:
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def police_workbook(count: int = 40, dimension: str | None = None, after: bytes = b"") -> bytes:
    body = [row_xml(POLICE_HEADER, 1)] + [row_xml(row, n + 2) for n, row in enumerate(police_rows(count))]
    return workbook([b"".join(body), after], dimension)


@cache
def zip_bomb(inflated: int = 1_000_000_000) -> bytes:
    """A workbook of about 4 MB whose sheet inflates to `inflated` bytes: one call row, repeated."""
    row = row_xml(["NOISE COMPLAINT"] * 8)
    chunk = row * (1_000_000 // len(row))
    return workbook([row_xml(POLICE_HEADER)] + [chunk] * (inflated // len(chunk)))


# --- item by item -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "a" * 40_000,  # a narrative pasted without spaces: the pattern that took 6 s (and 10 MB, forever)
    "@" * 40_000,
    "a@" * 20_000,
    "a@b." * 10_000,
    "x.y+z-" * 6_000 + "@",
    "1" * 40_000,
    "262-555-" * 5_000,
], ids=["word characters", "at signs", "a@ repeated", "a@b. repeated", "local part then @", "digits",
        "phone-like"])
def test_masking_takes_time_linear_in_the_text(text):
    masked, seconds = timed(mask_contact_details, text)
    assert seconds < 0.5, f"{seconds:.2f} s to mask {len(text):,} characters"
    assert masked != text or "@" not in text or text.endswith("@")


def test_a_ten_megabyte_narrative_is_masked_in_seconds():
    masked, seconds = timed(mask_contact_details, "a" * 10_000_000 + " jo@example.com")
    assert masked.endswith(" [email]") and seconds < 5


@pytest.mark.parametrize("text, masked", [
    ("a@b.c+d@e.f", "[email][email]"),  # the second address starts where the first ends
    ("x@@b.com", "x@@b.com"),
    ("mail a@b.com.x@y.org", "mail [email]@y.org"),
    ("j.doe@example.com.", "[email]."),
    ("@example.com", "@example.com"),
    ("kim@host", "kim@host"),
])
def test_masking_finds_the_addresses_the_old_pattern_found(text, masked):
    assert mask_contact_details(text) == masked == OLD_EMAIL.sub("[email]", text)


def test_a_row_with_a_cell_over_the_limit_is_rejected_with_its_reason(monkeypatch):
    monkeypatch.setenv("LOAD_MAX_CELL_CHARS", "1000")
    rows = police_rows(3, narrative=lambda n: "loud music " * 500 if n == 2 else "quiet")
    checked = police(csv_text(rows).encode())
    assert [(r["row_number"], r["kind"], r["reason"]) for r in checked.rejects] == [
        (3, "cell_too_long", "row 3: 'Narrative' holds 5,500 characters, more than the 1,000 a cell may hold "
                             "(LOAD_MAX_CELL_CHARS)")]
    assert checked.records["source_record_id"].tolist() == ["LPD26-000001", "LPD26-000003"]
    assert len(checked.rejects[0]["raw"]) < 1000  # the reject keeps the start of the cell, not all of it


def test_a_ten_megabyte_cell_rejects_its_row_in_seconds():
    rows = police_rows(3, narrative=lambda n: "a" * 10_000_000 if n == 2 else "quiet")
    checked, seconds = timed(police, csv_text(rows).encode())
    assert [r["kind"] for r in checked.rejects] == ["cell_too_long"] and len(checked.records) == 2
    assert seconds < 10


def test_a_workbook_cell_over_the_limit_rejects_its_row(monkeypatch):
    monkeypatch.setenv("LOAD_MAX_CELL_CHARS", "1000")
    book = Workbook()
    book.active.append(POLICE_HEADER)
    for row in police_rows(3, narrative=lambda n: "x" * 2000 if n == 3 else ""):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    checked = police(out.getvalue(), "calls.xlsx")
    assert [(r["row_number"], r["kind"]) for r in checked.rejects] == [(4, "cell_too_long")]


@pytest.mark.parametrize("content, message", [
    # A quote left open in a file pandas cannot read as a table: the csv module meets the limit.
    ("Incident Number,Location\nA1,100 MAIN ST,,\nA2,\"" + "x" * 300_000 + "\n",
     r"a cell from line 3 on runs past [\d,]+ characters, more than a cell may hold \(LOAD_MAX_CELL_CHARS\)"),
    ("Incident Number," + "H" * 200_000 + "\nA1,100 MAIN ST\n",
     r"a header cell holds 200,000 characters, more than the 100,000 a cell may hold"),
], ids=["quote left open", "header cell"])
def test_a_cell_over_the_limit_while_reading_refuses_the_file(content, message):
    with pytest.raises(LoadError, match=message):
        read_table(content.encode(), "calls.csv")


def test_a_zip_bomb_is_refused_before_it_inflates():
    bomb = zip_bomb()
    assert 3_000_000 < len(bomb) < 6_000_000
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 950_000_000
    with pytest.raises(LoadError) as refused:
        started = time.perf_counter()
        read_table(bomb, "calls.xlsx")
    assert time.perf_counter() - started < 2
    message = str(refused.value)
    assert "would inflate to 953 MB" in message and "(LOAD_MAX_XLSX_MB)" in message
    assert "export the sheet as CSV" in message and "split the workbook" in message


@pytest.mark.parametrize("settings_, content, message", [
    ({"LOAD_MAX_XLSX_MB": "2000"}, "bomb", r"sheet1\.xml would inflate 2\d\d times, more than the 100 times a "
                                           r"workbook may \(LOAD_MAX_XLSX_RATIO\)"),
    ({"LOAD_MAX_XLSX_MB": "100"}, "bomb", r"would inflate to 191 MB when opened, more than the 100 MB a workbook "
                                          r"may \(LOAD_MAX_XLSX_MB\)"),
    ({"LOAD_MAX_ROWS": "30"}, "workbook", r"\(sheet 'Calls'\) has more than 30 rows, the most a load may hold "
                                          r"\(LOAD_MAX_ROWS\): split it"),
    ({"LOAD_MAX_CELLS": "100"}, "workbook", r"\(sheet 'Calls'\) has more than 100 cells, the most a load may "
                                            r"hold \(LOAD_MAX_CELLS\)"),
    ({"LOAD_MAX_ROWS": "30"}, "csv", r"calls\.csv has more than 30 rows, the most a load may hold "
                                     r"\(LOAD_MAX_ROWS\): split it"),
    ({"LOAD_MAX_CELLS": "100"}, "csv", r"calls\.csv has more than 100 cells \(40 rows of 7 columns\)"),
    ({"LOAD_MAX_ROWS": "many"}, "csv", r"LOAD_MAX_ROWS is 'many', which is not a whole number above 0"),
], ids=["ratio", "inflated size", "workbook rows", "workbook cells", "csv rows", "csv cells", "a setting not a number"])
def test_each_limit_refuses_with_its_name_and_what_to_do(monkeypatch, settings_, content, message):
    for name, value in settings_.items():
        monkeypatch.setenv(name, value)
    files = {"bomb": lambda: zip_bomb(200_000_000), "workbook": lambda: police_workbook(),
             "csv": lambda: csv_text(police_rows(40)).encode()}
    name = "calls.csv" if content == "csv" else "calls.xlsx"
    with pytest.raises(LoadError, match=message):
        read_table(files[content](), name)


@pytest.mark.parametrize("count, dimension, after, outcome", [
    # a declared size openpyxl padded every row to: 20,000 rows took 26 s
    (20_000, "A1:XFD1048576", b"", "read"),
    (40, None, row_xml(["LPD26-9", "01/20/2026 10:30", "NOISE"], 5_000_000), "has more than 1,000,000 rows"),
    (40, None, b"".join(f'<row r="{n}"><c r="XFD{n}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()
                        for n in range(50, 2_050)), "has more than 30,000,000 cells"),
], ids=["declared A1:XFD1048576", "a row numbered 5,000,000", "a cell in the last column of 2,000 rows"])
def test_a_workbook_that_claims_a_huge_sheet_is_read_or_refused_in_seconds(count, dimension, after, outcome):
    content = police_workbook(count, dimension=dimension, after=after)
    started = time.perf_counter()
    if outcome == "read":
        assert len(read_table(content, "calls.xlsx").frame) == count
    else:
        with pytest.raises(LoadError, match=outcome):
            read_table(content, "calls.xlsx")
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_with_a_byte_order_mark_reads_like_any_text(codec):
    text = csv_text(police_rows(5, narrative=lambda n: "Café “São Paulo”"), delimiter="\t", line_end="\r\n")
    content = text.encode(codec)
    if codec != "utf-16":
        content = (codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE) + content
    table = read_table(content, "Unicode text.txt")
    expected = read_table(text.encode("utf-8"), "calls.csv")
    assert table.encoding == "utf-16" and table.notes == []
    pd.testing.assert_frame_equal(table.frame, expected.frame)
    assert table.frame.loc[0, "Narrative"] == "Café “São Paulo”"


def test_a_broken_utf16_file_is_refused_with_a_reason():
    content = codecs.BOM_UTF16_LE + "Incident Number\tLocation\n".encode("utf-16-le") + b"\x00\xd8x"
    with pytest.raises(LoadError, match="starts like UTF-16 text but is not readable as it"):
        read_table(content, "calls.txt")


SHORT_ROW = "row 3: has 3 of the 7 fields the header names; it lacks 'Location', 'Disposition', 'Beat', 'Narrative'"


@pytest.mark.parametrize("text, rejects", [
    # line 3 is a short row: 3 of 7 fields, the location among those it lacks
    ("{h}\nLPD26-1,01/14/2026 10:30,NOISE,100 N MAIN ST,ADVISED,B2,\nLPD26-2,01/15/2026 10:30,NOISE\n"
     "LPD26-3,01/16/2026 10:30,NOISE,300 N MAIN ST,ADVISED,B2,\n", [(3, SHORT_ROW)]),
    ("{h}\r\nLPD26-1,01/14/2026 10:30,NOISE,100 N MAIN ST,ADVISED,B2,x\r\nLPD26-2,01/15/2026 10:30,NOISE\r\n",
     [(3, SHORT_ROW)]),
    ("{t}\nLPD26-1\t01/14/2026 10:30\tNOISE\t100 N MAIN ST\tADVISED\tB2\t\nLPD26-2\t01/15/2026 10:30\tNOISE\n"
     + "".join(f"LPD26-{n}\t01/16/2026 10:30\tNOISE\t{n} N MAIN ST\tADVISED\tB2\tx\n" for n in range(3, 12)),
     [(3, SHORT_ROW)]),
    ('{h}\nLPD26-1,01/14/2026 10:30,NOISE,"100 N MAIN ST\nREAR",ADVISED,B2,x\nLPD26-2,01/15/2026 10:30,NOISE\n',
     [(3, SHORT_ROW + " (line 4 of the file)")]),
    ("{h}\nLPD26-1,01/14/2026 10:30,NOISE,100 N MAIN ST,ADVISED,B2,x,,\nLPD26-2,01/15/2026 10:30,NOISE\n",
     [(3, SHORT_ROW)]),  # a row with a trailing comma sends the file to the slow reader: same reject
    ("{h}\nLPD26-1,01/14/2026 10:30,NOISE,100 N MAIN ST,ADVISED,B2,\n\nLPD26-2,01/15/2026 10:30,NOISE\n",
     [(3, SHORT_ROW + " (line 4 of the file)")]),  # a blank line is no row
    # not short: a writer that drops a trailing empty field, or a row written in full with blanks
    ("{h}\nLPD26-1,01/14/2026 10:30,NOISE,100 N MAIN ST,ADVISED,B2\nLPD26-2,01/15/2026 10:30,NOISE,,,,\n", []),
    ("{h}\nLPD26-1,01/14/2026 10:30,NOISE,100 N MAIN ST,ADVISED,B2,,\n", []),
], ids=["short row", "CRLF", "tabs", "after a line break in a quoted field", "with a trailing comma elsewhere",
        "after a blank line", "trailing field dropped and blanks written", "trailing comma"])
def test_a_short_row_is_rejected_with_its_line_and_the_fields_it_lacks(text, rejects):
    content = text.format(h=",".join(POLICE_HEADER), t="\t".join(POLICE_HEADER)).encode()
    checked = police(content)
    assert [(r["row_number"], r["reason"]) for r in checked.rejects] == rejects
    assert all(r["kind"] == "short_row" for r in checked.rejects)
    assert "LPD26-2" not in checked.records["source_record_id"].tolist() or not rejects


def test_every_limit_is_a_setting_in_the_readme():
    table = README.read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    for name, (default, _bounds) in LIMIT_SETTINGS.items():
        assert re.search(rf"^\| `{name}` \| {default:,} \|", table, re.MULTILINE), f"{name} is not in the README"
    assert limits().cell_chars == LIMIT_SETTINGS["LOAD_MAX_CELL_CHARS"][0]


# --- random input -----------------------------------------------------------------------------------

RANDOM = settings(derandomize=True, database=None, deadline=None, max_examples=300,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TEXT = "aZ9_ .,;:|\t\n\r\"'@+-–/()#&é“”\ufeff\x00\x1b"  # word characters, separators, quotes and worse
texts = st.text(alphabet=TEXT, max_size=200)
# A fragment repeated to a random size: long runs are where patterns backtrack.
long_texts = st.builds(lambda fragment, size: (fragment * (size // max(len(fragment), 1) + 1))[:size],
                       st.text(alphabet=TEXT, min_size=1, max_size=12), st.integers(0, 100_000))


def returns_or_refuses(call, *args, bound: float = BOUND):
    """The call's result, or None when it raised LoadError; fails on anything else or on a slow call."""
    started = time.perf_counter()
    try:
        result = call(*args)
    except LoadError:
        result = None
    assert time.perf_counter() - started < bound, f"{call.__name__} took {time.perf_counter() - started:.1f} s"
    return result


@pytest.mark.parametrize("fragment", ["+”.|:“", ',"', ',"x', "|\"'; "],
                         ids=["punctuation", "delimiter and quote", "quotes left open", "mixed"])
def test_long_first_lines_are_sniffed_in_time(fragment):
    # csv.Sniffer's patterns are quadratic on such lines: 20 of them took 40 s before its sample was bounded
    lines = [(fragment * 50_000)[:100_000]] * 20
    returns_or_refuses(read_table, ("Incident Number,Location\n" + "\n".join(lines) + "\n").encode(), "calls.csv")


@RANDOM
@given(texts)
def test_masking_masks_what_the_old_pattern_masked(text):
    masked = mask_contact_details(text)
    assert mask_contact_details(OLD_EMAIL.sub("[email]", text)) == masked


@RANDOM
@given(long_texts)
def test_masking_is_quick_on_any_text(text):
    assert isinstance(returns_or_refuses(mask_contact_details, text), str)


@RANDOM
@given(st.binary(max_size=4000))
def test_the_reader_reads_or_refuses_any_bytes(content):
    returns_or_refuses(read_table, content, "calls.csv")
    returns_or_refuses(read_table, content, "calls.xlsx")


CELL = st.text(alphabet="AZ az09 ,;\t\"'\n\r#.-/", max_size=30)
# Cells on both sides of the 100,000-character limit (and of the csv module's own, 131,072).
BIG_CELL = st.builds(lambda fragment, size: (fragment * (size // len(fragment) + 1))[:size],
                     st.text(alphabet=TEXT, min_size=1, max_size=12), st.integers(0, 150_000))


@st.composite
def csv_files(draw):
    """A CSV file of random shape: delimiter, quoting, line ends, encoding, rows of any length, cells of any size."""
    width = draw(st.integers(1, 9))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    header = [f"Column {i}" for i in range(width)]
    rows = draw(st.lists(st.lists(st.one_of(CELL, CELL, CELL, BIG_CELL), max_size=width + 2), max_size=30))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    line_end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = csv_text(rows, header, delimiter, quoting, line_end)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return text.encode(encoding, errors="replace")


@RANDOM
@given(csv_files())
def test_the_reader_reads_or_refuses_any_csv(content):
    # reading is linear: a second per 5 MB on top of the bound
    table = returns_or_refuses(read_table, content, "calls.csv", bound=BOUND + len(content) / 5_000_000)
    if table is not None:
        assert all(0 <= position < len(table.frame) for position in table.faults)
        longest = table.frame.map(len).to_numpy().max(initial=0)
        assert longest <= 100_000 or all(fault.kind == "cell_too_long" for fault in table.faults.values())
        assert longest < 100_300  # an oversized cell keeps only its start


@st.composite
def rows_of_any_length(draw):
    width = draw(st.integers(3, 8))
    plain = st.text(alphabet="AZaz09,\"\n", max_size=12)  # no leading spaces: the reader skips them
    rows = draw(st.lists(st.builds(lambda first, rest: [first, *rest], st.from_regex(r"[A-Z0-9]{1,6}", fullmatch=True),
                                   st.lists(plain, max_size=width - 1)), min_size=1, max_size=25))
    return width, rows


@RANDOM
@given(rows_of_any_length(), st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
def test_exactly_the_rows_short_by_two_fields_or_more_are_faults(shape, quoting):
    width, rows = shape
    header = [f"Column {i}" for i in range(width)]
    table = read_table(csv_text(rows, header, quoting=quoting).encode(), "calls.csv")
    assert sorted(table.faults) == [i for i, row in enumerate(rows) if len(row) < width - 1]
    assert table.frame.values.tolist() == [row + [""] * (width - len(row)) for row in rows]


# Runs of digits past Python's 4,300-digit limit on integers included.
date_cells = st.builds(lambda fragment, size: (fragment * (size // max(len(fragment), 1) + 1))[:size],
                       st.text(alphabet=TEXT, min_size=1, max_size=12), st.integers(0, 6_000))


def test_a_date_cell_of_thousands_of_digits_is_no_date():
    assert parse_dates(pd.Series(["9" * 4_301]), "when").isna().all()


@RANDOM
@given(st.lists(st.one_of(st.text(alphabet="0123456789/-: TAPMZ+.", max_size=30), texts, date_cells),
                min_size=1, max_size=20),
       st.sampled_from([None, "month_first", "day_first"]))
def test_the_date_parser_reads_or_refuses_any_column(values, order):
    parsed = returns_or_refuses(parse_dates, pd.Series(values, dtype=object), "when", order)
    assert parsed is None or len(parsed) == len(values)


@RANDOM
@given(st.one_of(texts, long_texts, st.text(alphabet="0123456789 NSEWMAINSTAVE&/#-BLOCKXX", max_size=60)))
def test_the_normaliser_returns_an_address_for_any_text(text):
    assert isinstance(returns_or_refuses(normalize, text), Address)
