"""Reading department extracts: CSV of any common dialect and encoding, and XLSX.

Every cell comes back as text, exactly as the department wrote it (no number or date guessing,
no formula evaluation); validation decides what it means.
"""

import csv
import io
from dataclasses import dataclass, field

import pandas as pd

SNIFF_BYTES = 64 * 1024
XLSX_MAGIC = b"PK\x03\x04"
ENCODINGS = ("utf-8-sig", "cp1252")  # legacy Windows systems export cp1252; latin-1 never fails


class LoadError(Exception):
    """A file that cannot be loaded, with a message for the person who supplied it."""


@dataclass
class Table:
    frame: pd.DataFrame
    encoding: str
    notes: list[str] = field(default_factory=list)


def read_table(content: bytes, file_name: str) -> Table:
    """The file's rows as text; raises LoadError with a plain reason when it cannot be read."""
    if not content.strip():
        raise LoadError(f"{file_name} is empty")
    if content.startswith(XLSX_MAGIC) or file_name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(content, file_name)
    if b"\x00" in content[:SNIFF_BYTES]:
        raise LoadError(f"{file_name} is not a text file (it holds binary data); export the extract as CSV or XLSX")
    text, encoding = _decode(content)
    dialect = _sniff(text[:SNIFF_BYTES])
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            sep=dialect.delimiter,
            quotechar=dialect.quotechar,
            skipinitialspace=True,
            engine="c",
        )
    except (pd.errors.ParserError, csv.Error) as error:
        raise LoadError(f"{file_name} is not a readable CSV file: {error}") from None
    except pd.errors.EmptyDataError:
        raise LoadError(f"{file_name} is empty") from None
    frame.columns = [str(column).strip() for column in frame.columns]
    notes = [] if encoding == "utf-8-sig" else [f"read as Windows-1252 ({encoding}): the file is not UTF-8"]
    return Table(frame=frame, encoding=encoding, notes=notes)


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


def _read_xlsx(content: bytes, file_name: str) -> Table:
    try:
        sheets = pd.read_excel(io.BytesIO(content), sheet_name=None, dtype=str, keep_default_na=False,
                               engine="openpyxl")
    except Exception as error:  # openpyxl raises many types for a damaged workbook
        raise LoadError(f"{file_name} is not a readable Excel workbook ({type(error).__name__})") from None
    filled = {name: frame for name, frame in sheets.items() if not frame.empty}
    if not filled:
        raise LoadError(f"{file_name} has no sheet with rows")
    name, frame = next(iter(filled.items()))
    frame.columns = [str(column).strip() for column in frame.columns]
    notes = []
    if len(sheets) > 1:
        notes.append(f"the workbook has {len(sheets)} sheets; read the first with rows, '{name}'")
    return Table(frame=frame, encoding="xlsx", notes=notes)
