"""Reading department extracts: CSV of any common dialect and encoding, and XLSX.

Every cell comes back as text, exactly as the department wrote it (no number or date guessing,
no formula evaluation); validation decides what it means. A file is bounded before it is read
whole (LIMIT_SETTINGS): a workbook by the sizes its zip directory declares, so a zip bomb is
refused before anything inflates; every file by its rows and cells; every cell by its length.
A row the reader cannot load as written (a short row, an oversized cell) comes back with a fault,
which validation turns into a reject.
"""

import codecs
import csv
import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

import numpy as np
import pandas as pd

SNIFF_BYTES = 64 * 1024
SNIFF_LINES = 20
# The csv sniffer's patterns take time in the square of its sample on lines of unmatched quotes
# (20 lines of ',"' repeated: 3 s at 1,000 characters each); 8,000 characters hold the lines it needs.
SNIFF_CHARS = 8_000
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc) container
ENCODINGS = ("utf-8-sig", "cp1252")  # legacy Windows systems export cp1252; latin-1 never fails
# Excel's "Unicode text" is UTF-16 with a byte-order mark. UTF-32's marks begin with UTF-16's, so they come first.
BYTE_ORDER_MARKS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Text files hold almost no control characters besides tab and line ends; binary data is full of them.
CONTROL_CHARACTERS = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r", "\f"}
MAX_CONTROL_SHARE = 0.01
DELIMITERS = ",;\t|"

Fit = Callable[[list[str]], float]  # how well a sheet's headers fit what is being loaded (0..1)

# Load limits: environment variable -> (default, what it bounds). Read on every load, so a server
# picks up a change without a restart; the README's Configuration table lists each one.
LIMIT_SETTINGS = {
    "LOAD_MAX_CELL_CHARS": (100_000, "characters in one cell"),
    "LOAD_MAX_ROWS": (1_000_000, "rows in one file or sheet"),
    "LOAD_MAX_CELLS": (30_000_000, "cells (rows times columns) in one file or sheet"),
    "LOAD_MAX_XLSX_MB": (500, "megabytes a workbook may inflate to"),
    "LOAD_MAX_XLSX_RATIO": (100, "times one part of a workbook may inflate"),
}
MB = 1024 * 1024
# Small parts of a workbook (styles, relationships) inflate many times over harmlessly.
RATIO_FLOOR = MB
SHOWN_CHARS = 200  # what a reject keeps of an oversized cell


class LoadError(Exception):
    """A file that cannot be loaded, with a message for the person who supplied it."""


@dataclass(frozen=True)
class Limits:
    cell_chars: int
    rows: int
    cells: int
    xlsx_mb: int
    xlsx_ratio: int


def limits() -> Limits:
    """The load limits: each LOAD_MAX_* environment variable, or its default when unset."""
    values = []
    for name, (default, _bounds) in LIMIT_SETTINGS.items():
        written = (os.environ.get(name) or "").strip()
        number = written.replace(",", "").replace("_", "")
        if not written:
            values.append(default)
        elif number.isdigit() and int(number) > 0:
            values.append(int(number))
        else:
            raise LoadError(f"{name} is '{written}', which is not a whole number above 0 (its default is {default:,})")
    return Limits(*values)


@dataclass(frozen=True)
class RowFault:
    """Why a row that was read cannot load as written; validation rejects it with this reason."""
    kind: str  # one of loaders.validate.REJECT_KINDS
    detail: str  # the reason, after "row N: "
    column: str
    value: str


@dataclass
class Table:
    frame: pd.DataFrame
    encoding: str
    notes: list[str] = field(default_factory=list)
    sheet: str | None = None  # the workbook sheet read, for XLSX
    faults: dict[int, RowFault] = field(default_factory=dict)  # position in frame -> why that row cannot load


def read_table(content: bytes, file_name: str, fit: Fit | None = None) -> Table:
    """The file's rows as text; raises LoadError with a plain reason when it cannot be read.

    For a workbook, `fit` chooses the sheet whose headers fit best; without it, the first sheet with rows.
    Rows that cannot load as written (short rows, oversized cells) are in `faults`.
    """
    if not content.strip():
        raise LoadError(f"{file_name} is empty")
    bounds = limits()
    if content.startswith(OLE_MAGIC):
        raise LoadError(f"{file_name} is an old-style Excel (.xls) or Office file; save it as .xlsx or CSV")
    if content.startswith(XLSX_MAGIC) or file_name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(content, file_name, fit, bounds)
    text, encoding = _decode(content, file_name)
    sample = text[:SNIFF_BYTES]
    if sum(ch in CONTROL_CHARACTERS for ch in sample) > MAX_CONTROL_SHARE * len(sample):
        raise _not_text(file_name)
    dialect = _sniff(sample)
    try:
        # The header is read as a row like the others: with it as the header, pandas would take a
        # first row with extra fields as an index, silently shifting every column.
        rows = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            sep=dialect.delimiter,
            quotechar=dialect.quotechar,
            skipinitialspace=True,
            engine="c",
            nrows=bounds.rows + 2,  # the header and one row past the limit tell a file over it
        )
        _check_size(len(rows) - 1, rows.shape[1], file_name, bounds)
        # pandas pads a short row with blanks, as if its missing fields were there and empty.
        faults = _short_rows(rows, text, dialect)
        if faults is None:  # the two readers disagree on where rows begin: the careful one decides
            rows, faults = _rows_read_slowly(text, dialect, file_name, bounds)
    except pd.errors.ParserError:
        rows, faults = _rows_read_slowly(text, dialect, file_name, bounds)
    except csv.Error as error:
        raise LoadError(f"{file_name} is not a readable CSV file: {error}") from None
    except pd.errors.EmptyDataError:
        raise LoadError(f"{file_name} is empty") from None
    _check_size(len(rows) - 1, rows.shape[1], file_name, bounds)
    frame = rows.iloc[1:].reset_index(drop=True)
    frame.columns = column_names(rows.iloc[0].tolist())
    if len(text) > bounds.cell_chars:  # otherwise no cell can be over the limit
        _check_header(list(frame.columns), file_name, bounds)
        _oversized_cells(frame, bounds, faults)
    notes = [] if encoding in ("utf-8-sig", "utf-16", "utf-32") else [
        f"read as Windows-1252 ({encoding}): the file is not UTF-8"]
    return Table(frame=frame, encoding=encoding, notes=notes, faults=faults)


def _records(text: str, dialect: type[csv.Dialect]):
    """(line the record starts on, its fields) for each record of the text, as the csv module reads them;
    blank lines (a line of spaces too) are no record, as pandas skips them."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter, quotechar=dialect.quotechar,
                        skipinitialspace=True)
    end = 0
    try:
        for record in reader:
            start, end = end + 1, reader.line_num
            if record and (len(record) > 1 or record[0].strip()):
                yield start, record
    except csv.Error as error:
        raise csv.Error(end + 1, str(error)) from None  # the line the unreadable record starts on


def _short_rows(rows: pd.DataFrame, text: str, dialect: type[csv.Dialect]) -> dict[int, RowFault] | None:
    """The rows pandas read with fewer fields than the header has, or None when the csv module and
    pandas do not agree on where the rows begin."""
    width = rows.shape[1]
    if width < 3 or len(rows) < 2:  # a row short by two fields or more is what is rejected
        return {}
    # Only a row that ends in two blanks can be short by two; only for those are the fields counted.
    candidates = ((rows.iloc[:, -1] == "") & (rows.iloc[:, -2] == "")).to_numpy(copy=True)
    candidates[0] = False
    if not candidates.any():
        return {}
    header = column_names(rows.iloc[0].tolist())
    faults = {}
    position = -1
    try:
        for position, (line, record) in enumerate(_records(text, dialect)):
            if position >= len(rows):
                return None
            if candidates[position] and len(record) < width - 1:
                if record != rows.iloc[position, : len(record)].tolist():
                    return None
                faults[position - 1] = _short_fault(record, header, line, position + 1)
    except csv.Error:
        return None
    return faults if position == len(rows) - 1 else None


def _short_fault(record: list[str], header: list[str], line: int, row: int) -> RowFault:
    lacking = header[len(record):]
    where = "" if line == row else f" (line {line} of the file)"
    return RowFault("short_row", f"has {len(record)} of the {len(header)} fields the header names; it lacks "
                                 f"{_listing(lacking)}{where}", lacking[0], "")


CSV_FIELD_LIMIT = 131_072  # the csv module's own default


def _rows_read_slowly(text: str, dialect: type[csv.Dialect], file_name: str,
                      bounds: Limits) -> tuple[pd.DataFrame, dict[int, RowFault]]:
    """The rows as the csv module reads them, for files pandas cannot read as a table.

    Empty extra fields (a trailing comma) are dropped; a row with more values than the header has
    columns cannot be read without guessing. A row missing one field (a trailing empty field some
    writers leave out) reads as blank there; a row missing more is a fault.
    """
    # The csv module's limit is the process's: set for this read and put back, so what another
    # reader in the process set (a command line raising it) cannot let an open quote run on.
    previous = csv.field_size_limit(max(bounds.cell_chars, CSV_FIELD_LIMIT))
    rows, faults = [], {}
    try:
        for line, row in _records(text, dialect):
            if not rows:
                rows.append(row)
                header = column_names(row)
                continue
            width = len(rows[0])
            if len(row) > width:
                if any(cell.strip() for cell in row[width:]):
                    raise LoadError(f"{file_name} is not a readable CSV file: line {line} has "
                                    f"{len(row)} fields where the header has {width} "
                                    f"(a comma or quote out of place?)")
                row = row[:width]
            elif len(row) < width - 1:
                faults[len(rows) - 1] = _short_fault(row, header, line, len(rows) + 1)
            rows.append(row + [""] * (width - len(row)))
            if len(rows) > bounds.rows + 1:
                break
    except csv.Error as error:
        line, reason = error.args
        if "field larger than field limit" in reason:
            raise LoadError(f"{file_name}: a cell from line {line} on runs past {csv.field_size_limit():,} "
                            f"characters, more than a cell may hold (LOAD_MAX_CELL_CHARS); is a quote left "
                            f"open?") from None
        raise LoadError(f"{file_name} is not a readable CSV file: line {line}: {reason}") from None
    finally:
        csv.field_size_limit(previous)
    if not rows:
        raise LoadError(f"{file_name} is empty")
    return pd.DataFrame(rows, dtype=str), faults


def _check_size(rows: int, width: int, file_name: str, bounds: Limits, where: str = "") -> None:
    """Refuse a file (or a workbook's sheet, `where`) with more rows or cells than the limits allow."""
    if rows > bounds.rows:
        raise LoadError(f"{file_name}{where} has more than {bounds.rows:,} rows, the most a load may hold "
                        f"(LOAD_MAX_ROWS): split it into smaller files")
    if rows * width > bounds.cells:
        raise _too_many_cells(file_name, where, bounds, f" ({rows:,} rows of {width:,} columns)")


def _too_many_cells(file_name: str, where: str, bounds: Limits, detail: str = "") -> LoadError:
    return LoadError(f"{file_name}{where} has more than {bounds.cells:,} cells{detail}, the most a load may hold "
                     f"(LOAD_MAX_CELLS): split it into smaller files, or leave out the columns the dashboard does "
                     f"not use")


def _check_header(headers: list[str], file_name: str, bounds: Limits) -> None:
    for header in headers:
        if len(header) > bounds.cell_chars:
            raise LoadError(f"{file_name}: a header cell holds {len(header):,} characters, more than the "
                            f"{bounds.cell_chars:,} a cell may hold (LOAD_MAX_CELL_CHARS); is the first row the "
                            f"header?")


def _oversized_cells(frame: pd.DataFrame, bounds: Limits, faults: dict[int, RowFault]) -> None:
    """Each row with a cell over the limit gets a fault (unless it has one); the cell keeps only its start,
    so nothing after the reader (preview, dates, masking) works through it."""
    for j, column in enumerate(frame.columns):
        lengths = frame[column].str.len().to_numpy()
        for position in np.flatnonzero(lengths > bounds.cell_chars):
            value = frame.iat[position, j]
            shown = f"{value[:SHOWN_CHARS]}… [{len(value):,} characters]"
            faults.setdefault(int(position), RowFault(
                "cell_too_long", f"'{column}' holds {len(value):,} characters, more than the {bounds.cell_chars:,} "
                                 f"a cell may hold (LOAD_MAX_CELL_CHARS)", column, shown))
            frame.iat[position, j] = shown


def column_names(headers: list) -> list[str]:
    """Header cells as column names: trimmed, blanks named by position, repeats numbered."""
    names, seen = [], {}
    for i, header in enumerate(headers):
        name = str(header).strip() or f"Column {i + 1}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


def _not_text(file_name: str) -> LoadError:
    return LoadError(f"{file_name} is not a text file (it holds binary data); export the extract as CSV or XLSX")


def _decode(content: bytes, file_name: str) -> tuple[str, str]:
    for mark, encoding in BYTE_ORDER_MARKS:
        if content.startswith(mark):
            try:
                return content.decode(encoding), encoding  # the codec reads the mark and drops it
            except UnicodeDecodeError:
                raise LoadError(f"{file_name} starts like {encoding.upper()} text but is not readable as it; "
                                f"export the extract again as CSV") from None
    if b"\x00" in content[:SNIFF_BYTES]:
        raise _not_text(file_name)
    for encoding in ENCODINGS:
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1"), "latin-1"


def _sniff(sample: str) -> type[csv.Dialect]:
    first_lines = "\n".join(sample.splitlines()[:SNIFF_LINES])
    if len(first_lines) > SNIFF_CHARS:  # whole lines, unless the first alone is longer
        cut = first_lines.rfind("\n", 0, SNIFF_CHARS)
        first_lines = first_lines[:cut] if cut > 0 else first_lines[:SNIFF_CHARS]
    try:
        return csv.Sniffer().sniff(first_lines, delimiters=DELIMITERS)
    except csv.Error:
        pass
    # The sniffer wants most lines to agree, so a short row or two near the top defeat it; the
    # header, written by the system, is the next best witness.
    header = first_lines.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=header.count)
    if not header.count(delimiter) or delimiter == csv.excel.delimiter:
        return csv.excel
    return type("HeaderDialect", (csv.excel,), {"delimiter": delimiter})


# --- XLSX -------------------------------------------------------------------------------------


def _read_xlsx(content: bytes, file_name: str, fit: Fit | None, bounds: Limits) -> Table:
    _check_workbook_archive(content, file_name, bounds)
    from openpyxl import load_workbook  # only workbooks need it
    try:
        # data_only=False: a formula cell comes back as its text ("=HYPERLINK(...)"), never as a result.
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for a damaged workbook
        raise LoadError(f"{file_name} is not a readable Excel workbook ({type(error).__name__})") from None
    try:
        return _read_sheets(book, file_name, fit, bounds)
    except LoadError:
        raise
    except Exception as error:  # a workbook that opens but breaks while its rows are read
        raise LoadError(f"{file_name} is not a readable Excel workbook ({type(error).__name__})") from None
    finally:
        book.close()


def _check_workbook_archive(content: bytes, file_name: str, bounds: Limits) -> None:
    """Refuse a workbook whose parts would inflate past the limits, from the sizes in the zip's directory,
    before any part is inflated. Reading stops at a part's declared size (and a part that inflates
    past it fails its checksum), so the declared sizes bound what openpyxl can inflate."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        raise LoadError(f"{file_name} is not a readable Excel workbook ({type(error).__name__})") from None
    inflated = sum(part.file_size for part in parts)
    if inflated > bounds.xlsx_mb * MB:
        raise LoadError(f"{file_name} would inflate to {inflated / MB:,.0f} MB when opened, more than the "
                        f"{bounds.xlsx_mb:,} MB a workbook may (LOAD_MAX_XLSX_MB): export the sheet as CSV, or "
                        f"split the workbook into smaller files")
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > RATIO_FLOOR and ratio > bounds.xlsx_ratio:
            raise LoadError(f"{file_name}: its part {part.filename} would inflate {ratio:,.0f} times, more than "
                            f"the {bounds.xlsx_ratio:,} times a workbook may (LOAD_MAX_XLSX_RATIO), as a zip bomb "
                            f"does: export the sheet as CSV, or split the workbook into smaller files")


def _read_sheets(book, file_name: str, fit: Fit | None, bounds: Limits) -> Table:
    names = list(book.sheetnames)
    headed = {}  # sheet name -> headers, for sheets that have a header and at least one row under it
    for name in names:
        headers = _sheet_headers(book[name], file_name, bounds)
        if headers is not None:
            headed[name] = headers
    if not headed:
        raise LoadError(f"{file_name} has no sheet with rows (its sheets: {_listing(names)})")
    chosen = next(iter(headed))
    if fit is not None and len(headed) > 1:
        scores = {name: fit(headers) for name, headers in headed.items()}
        chosen = max(headed, key=lambda name: scores[name])  # the first of equals, in workbook order
        if scores[chosen] <= 0:
            raise LoadError(f"{file_name} has no sheet whose columns fit; its sheets are: {_listing(names)}")
    frame = _sheet_frame(book[chosen], file_name, bounds)
    _check_header(list(frame.columns), file_name, bounds)
    faults: dict[int, RowFault] = {}
    _oversized_cells(frame, bounds, faults)
    notes = []
    if len(names) > 1:
        how = "whose columns fit best" if fit is not None and len(headed) > 1 else "the first with rows"
        notes.append(f"the workbook has {len(names)} sheets ({_listing(names)}); read '{chosen}', {how}")
    formulas = int(frame.apply(lambda column: column.str.startswith("=")).to_numpy().sum()) if not frame.empty else 0
    if formulas:
        notes.append(f"{formulas:,} cells start with '=' (formulas or text); kept as written, never evaluated")
    return Table(frame=frame, encoding="xlsx", notes=notes, sheet=chosen, faults=faults)


def _listing(names: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _rows(sheet, file_name: str, bounds: Limits):
    """The sheet's non-blank rows as lists of text; LoadError once the sheet runs past the row or cell limit."""
    # The dimension a sheet declares is not trusted: openpyxl pads every row to its width, and a
    # declared A1:XFD1048576 would make each row 16,384 cells.
    sheet.reset_dimensions()
    where = f" (sheet '{sheet.title}')"
    seen = cells = 0
    for values in sheet.iter_rows(values_only=True):
        seen += 1  # rows the sheet skips come back empty, and count: they cost as much to go through
        cells += len(values)
        if cells > bounds.cells:
            raise _too_many_cells(file_name, where, bounds)
        _check_size(seen - 1, 0, file_name, bounds, where)
        row = [cell_text(value) for value in values]
        if any(row):
            yield row


def _sheet_headers(sheet, file_name: str, bounds: Limits) -> list[str] | None:
    """The header row of a sheet with at least one row under it; None for a sheet without rows."""
    rows = _rows(sheet, file_name, bounds)
    header = next(rows, None)
    if header is None or next(rows, None) is None:
        return None
    return [text.strip() for text in header]


def _sheet_frame(sheet, file_name: str, bounds: Limits) -> pd.DataFrame:
    rows = list(_rows(sheet, file_name, bounds))
    header = [text.strip() for text in rows[0]]
    while header and not header[-1]:  # trailing unnamed columns: formatting past the table's edge
        header.pop()
    width = len(header)
    header = column_names(header)
    body = [(row + [""] * width)[:width] for row in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype=str)


def cell_text(value) -> str:
    """A workbook cell as the text a person sees in it: 42 not 42.0, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d" if value.time() == time(0) else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    return str(value)
