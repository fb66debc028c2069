"""Hostile and careless files loaded whole, on both engines: each is loaded or refused as its row
says, in time, and a refused file leaves every table as it was.

A new loader feature adds its hazards here. The files are made by the test (tests/unit/test_hostile.py
has the makers, the limits one by one and the property-based tests).
"""

import codecs
import csv
import time
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from loaders.ingest import ingest
from loaders.read import LoadError
from storage import loading
from storage.engine import reading
from storage.schema import metadata
from tests.unit.test_hostile import POLICE_HEADER, csv_text, police_rows, police_workbook, row_xml, zip_bomb

ROWS = 40  # one bad row of 40 is 2.5%: under the 5% that refuses a load


@dataclass(frozen=True)
class Case:
    name: str
    make: object  # () -> bytes
    outcome: str  # "loaded" or "refused"
    records: int = ROWS  # loaded: records stored
    rejects: tuple[str, ...] = ()  # loaded: the kinds of the rejected rows
    message: str = ""  # refused: what the refusal says (a regular expression)
    file_name: str = "calls.csv"
    settings: dict = field(default_factory=dict)
    seconds: float = 20.0


def calls(narrative=lambda n: "quiet", **csv_options) -> bytes:
    return csv_text(police_rows(ROWS, narrative), **csv_options).encode()


def with_row(row: int, replace, narrative=lambda n: "quiet") -> bytes:
    """The calls with one row's line replaced by `replace(line)`."""
    lines = csv_text(police_rows(ROWS, narrative)).split("\n")
    lines[row] = replace(lines[row])
    return "\n".join(lines).encode()


def placeholders() -> bytes:
    rows = police_rows(ROWS)
    for row, placeholder in zip(rows, ["NA", "Unspecified", "No primary address specified", "-"]):
        row[3] = placeholder
    return csv_text(rows).encode()


def utf16_text() -> bytes:
    return csv_text(police_rows(ROWS), delimiter="\t", line_end="\r\n").encode("utf-16")


def crlf_header_lf_rows() -> bytes:
    header, rest = csv_text(police_rows(ROWS)).split("\n", 1)
    return (header + "\r\n" + rest).encode()


def quoted_line_break() -> bytes:
    rows = police_rows(ROWS)
    rows[5][3] = "100 N MAIN ST\nREAR HOUSE"
    return csv_text(rows, quoting=csv.QUOTE_ALL).encode()


def injections() -> bytes:
    rows = police_rows(ROWS)
    rows[0][6] = '=HYPERLINK("http://example.invalid","click")'
    rows[1][3] = "'; DROP TABLE records; --"
    rows[2][6] = "@SUM(1+1)*cmd|' /C calc'!A0"
    return csv_text(rows).encode()


CASES = [
    # the hazards of real extracts
    Case("UTF-8 byte-order mark", lambda: codecs.BOM_UTF8 + calls(), "loaded"),
    Case("CRLF header with LF rows", crlf_header_lf_rows, "loaded"),
    Case("every field quoted", lambda: calls(quoting=csv.QUOTE_ALL), "loaded"),
    Case("a line break in a quoted field", quoted_line_break, "loaded"),
    Case("placeholders for the address", placeholders, "loaded"),
    Case("Windows-1252", lambda: calls(lambda n: "Café “Bar”").decode().encode("cp1252"), "loaded"),
    Case("semicolons and CR line ends", lambda: calls(delimiter=";", line_end="\r"), "loaded"),
    Case("UTF-16 with a byte-order mark, tab-separated", utf16_text, "loaded", file_name="calls.txt"),
    Case("a row without its trailing empty field",
         lambda: with_row(3, lambda line: line.removesuffix(","), narrative=lambda n: ""), "loaded"),
    Case("trailing commas", lambda: with_row(3, lambda line: line + ",,"), "loaded"),
    Case("formulas and injection strings", injections, "loaded"),
    Case("a workbook", lambda: police_workbook(ROWS), "loaded", file_name="calls.xlsx"),
    Case("a workbook that claims A1:XFD1048576", lambda: police_workbook(ROWS, dimension="A1:XFD1048576"),
         "loaded", file_name="calls.xlsx"),
    # found by probing
    Case("an 80,000-character narrative", lambda: calls(lambda n: "a" * 80_000 if n == 7 else "quiet"), "loaded",
         seconds=10),
    Case("a 10 MB narrative", lambda: calls(lambda n: "a" * 10_000_000 if n == 7 else "quiet"), "loaded",
         records=ROWS - 1, rejects=("cell_too_long",), seconds=10),
    Case("a short row: 3 of 7 fields, the location among those missing",
         lambda: with_row(3, lambda line: ",".join(line.split(",")[:3])), "loaded", records=ROWS - 1,
         rejects=("short_row",)),
    Case("short rows everywhere", lambda: csv_text([row[:3] for row in police_rows(ROWS)]).encode(), "refused",
         message=r"(?s)40 of 40 rows would be rejected .* the row has fewer fields than the header"),
    Case("a zip bomb: 4 MB that inflates to 1 GB", zip_bomb, "refused", file_name="calls.xlsx",
         message=r"would inflate to 953 MB .* \(LOAD_MAX_XLSX_MB\): export the sheet as CSV", seconds=5),
    Case("a zip bomb under the size limit", lambda: zip_bomb(200_000_000), "refused", file_name="calls.xlsx",
         message=r"inflate 2\d\d times, more than the 100 times a workbook may \(LOAD_MAX_XLSX_RATIO\)", seconds=5),
    Case("a workbook row numbered 5,000,000",
         lambda: police_workbook(ROWS, after=row_xml(["LPD26-9", "01/20/2026 10:30", "NOISE"], 5_000_000)),
         "refused", file_name="calls.xlsx",
         message=r"has more than 1,000,000 rows, the most a load may hold \(LOAD_MAX_ROWS\)"),
    Case("more rows than the limit", calls, "refused", settings={"LOAD_MAX_ROWS": "30"},
         message=r"has more than 30 rows, the most a load may hold \(LOAD_MAX_ROWS\): split it"),
    Case("a quote left open over 100,000 characters", lambda: with_row(3, lambda line: line + ',"' + "x" * 300_000),
         "refused", message=r"a cell from line 4 on runs past .* \(LOAD_MAX_CELL_CHARS\); is a quote left open"),
    Case("a header cell of 200,000 characters",
         lambda: csv_text(police_rows(ROWS), header=POLICE_HEADER[:6] + ["N" * 200_000]).encode(), "refused",
         message=r"a header cell holds 200,000 characters"),
    Case("a row longer than the header", lambda: with_row(3, lambda line: line + ",x,y"), "refused",
         message=r"line 4 has 9 fields where the header has 7"),
    # careless files
    Case("empty", lambda: b"", "refused", message="calls.csv is empty"),
    Case("a picture named .csv", lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "refused",
         message="not a text file"),
    Case("an old .xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "refused", file_name="calls.xls",
         message=r"old-style Excel \(\.xls\)"),
    Case("a zip named .xlsx", lambda: b"PK\x03\x04 this is no workbook", "refused", file_name="calls.xlsx",
         message="not a readable Excel workbook"),
    Case("a date of 4,301 digits", lambda: with_row(3, lambda line: line.replace(
        "01/17/2026 10:30", "9" * 4_301)), "loaded", records=ROWS - 1, rejects=("not_a_date",)),
]


def snapshot(engine) -> dict[str, list]:
    """Every row of every table, in a stable order."""
    with reading(engine) as conn:
        return {table.name: sorted(map(repr, conn.execute(sa.select(table)).all()))
                for table in metadata.sorted_tables}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_a_hostile_file_is_loaded_or_refused_and_a_refusal_stores_nothing(engine, tmp_path, monkeypatch, case):
    # a database with something in it, for a refusal to leave alone
    (tmp_path / "earlier.csv").write_text(csv_text(police_rows(3, start=900)))
    ingest(tmp_path / "earlier.csv", "police", engine)
    before = snapshot(engine)
    path = tmp_path / case.file_name
    path.write_bytes(case.make())
    for name, value in case.settings.items():
        monkeypatch.setenv(name, value)

    started = time.perf_counter()
    if case.outcome == "refused":
        with pytest.raises(LoadError, match=case.message):
            ingest(path, "police", engine)
        assert snapshot(engine) == before
    else:
        result = ingest(path, "police", engine)
        with reading(engine) as conn:
            kinds = loading.rejects_for_ingest(conn, result.ingest_id)["kind"].tolist()
        assert (result.counts["new"], tuple(kinds)) == (case.records, case.rejects)
    assert time.perf_counter() - started < case.seconds
