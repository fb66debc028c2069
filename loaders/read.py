"""Reading department extracts: CSV of any common dialect and encoding, and XLSX.

Every cell comes back as text, exactly as the department wrote it (no number or date guessing,
no formula evaluation); validation decides what it means.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

import pandas as pd

SNIFF_BYTES = 64 * 1024
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc) container
ENCODINGS = ("utf-8-sig", "cp1252")  # legacy Windows systems export cp1252; latin-1 never fails
# Text files hold almost no control characters besides tab and line ends; binary data is full of them.
CONTROL_CHARACTERS = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r", "\f"}
MAX_CONTROL_SHARE = 0.01

Fit = Callable[[list[str]], float]  # how well a sheet's headers fit what is being loaded (0..1)


class LoadError(Exception):
    """A file that cannot be loaded, with a message for the person who supplied it."""


@dataclass
class Table:
    frame: pd.DataFrame
    encoding: str
    notes: list[str] = field(default_factory=list)
    sheet: str | None = None  # the workbook sheet read, for XLSX


def read_table(content: bytes, file_name: str, fit: Fit | None = None) -> Table:
    """The file's rows as text; raises LoadError with a plain reason when it cannot be read.

    For a workbook, `fit` chooses the sheet whose headers fit best; without it, the first sheet with rows.
    """
    if not content.strip():
        raise LoadError(f"{file_name} is empty")
    if content.startswith(OLE_MAGIC):
        raise LoadError(f"{file_name} is an old-style Excel (.xls) or Office file; save it as .xlsx or CSV")
    if content.startswith(XLSX_MAGIC) or file_name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(content, file_name, fit)
    if b"\x00" in content[:SNIFF_BYTES]:
        raise _not_text(file_name)
    text, encoding = _decode(content)
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
        )
    except pd.errors.ParserError:
        rows = _ragged_rows(text, dialect, file_name)
    except csv.Error as error:
        raise LoadError(f"{file_name} is not a readable CSV file: {error}") from None
    except pd.errors.EmptyDataError:
        raise LoadError(f"{file_name} is empty") from None
    frame = rows.iloc[1:].reset_index(drop=True)
    frame.columns = column_names(rows.iloc[0].tolist())
    notes = [] if encoding == "utf-8-sig" else [f"read as Windows-1252 ({encoding}): the file is not UTF-8"]
    return Table(frame=frame, encoding=encoding, notes=notes)


def _ragged_rows(text: str, dialect: type[csv.Dialect], file_name: str) -> pd.DataFrame:
    """Rows longer than the header, read slowly: empty extra fields (a trailing comma) are dropped;
    a row with more values than the header has columns cannot be read without guessing."""
    reader = csv.reader(io.StringIO(text), delimiter=dialect.delimiter, quotechar=dialect.quotechar,
                        skipinitialspace=True)
    rows = []
    try:
        for row in reader:
            if not row:
                continue
            if rows and len(row) > len(rows[0]):
                if any(cell.strip() for cell in row[len(rows[0]):]):
                    raise LoadError(f"{file_name} is not a readable CSV file: line {reader.line_num} has "
                                    f"{len(row)} fields where the header has {len(rows[0])} "
                                    f"(a comma or quote out of place?)")
                row = row[: len(rows[0])]
            rows.append(row + [""] * (len(rows[0]) - len(row)) if rows else row)
    except csv.Error as error:
        raise LoadError(f"{file_name} is not a readable CSV file: line {reader.line_num}: {error}") from None
    return pd.DataFrame(rows, dtype=str)


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


def _decode(content: bytes) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1"), "latin-1"


def _sniff(sample: str) -> type[csv.Dialect]:
    first_lines = "\n".join(sample.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(first_lines, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


# --- XLSX -------------------------------------------------------------------------------------


def _read_xlsx(content: bytes, file_name: str, fit: Fit | None) -> Table:
    from openpyxl import load_workbook  # only workbooks need it

    try:
        # data_only=False: a formula cell comes back as its text ("=HYPERLINK(...)"), never as a result.
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for a damaged workbook
        raise LoadError(f"{file_name} is not a readable Excel workbook ({type(error).__name__})") from None
    try:
        return _read_sheets(book, file_name, fit)
    except LoadError:
        raise
    except Exception as error:  # a workbook that opens but breaks while its rows are read
        raise LoadError(f"{file_name} is not a readable Excel workbook ({type(error).__name__})") from None
    finally:
        book.close()


def _read_sheets(book, file_name: str, fit: Fit | None) -> Table:
    names = list(book.sheetnames)
    headed = {}  # sheet name -> headers, for sheets that have a header and at least one row under it
    for name in names:
        headers = _sheet_headers(book[name])
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
    frame = _sheet_frame(book[chosen])
    notes = []
    if len(names) > 1:
        how = "whose columns fit best" if fit is not None and len(headed) > 1 else "the first with rows"
        notes.append(f"the workbook has {len(names)} sheets ({_listing(names)}); read '{chosen}', {how}")
    formulas = int(frame.apply(lambda column: column.str.startswith("=")).to_numpy().sum()) if not frame.empty else 0
    if formulas:
        notes.append(f"{formulas:,} cells start with '=' (formulas or text); kept as written, never evaluated")
    return Table(frame=frame, encoding="xlsx", notes=notes, sheet=chosen)


def _listing(names: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _rows(sheet):
    """The sheet's non-blank rows as lists of text."""
    for values in sheet.iter_rows(values_only=True):
        row = [cell_text(value) for value in values]
        if any(row):
            yield row


def _sheet_headers(sheet) -> list[str] | None:
    """The header row of a sheet with at least one row under it; None for a sheet without rows."""
    rows = _rows(sheet)
    header = next(rows, None)
    if header is None or next(rows, None) is None:
        return None
    return [text.strip() for text in header]


def _sheet_frame(sheet) -> pd.DataFrame:
    rows = list(_rows(sheet))
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
