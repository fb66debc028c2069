"""Exports people download (CSV and XLSX): safe to open in a spreadsheet, and saying where they came from.

Every text cell that a spreadsheet would run as a formula (starting with = + - @, or a tab or
carriage return) is escaped with a leading apostrophe. Each file says who exported it, when, and
the filters that produced it, apart from the table so the table opens as one: on a sheet called
About in XLSX, and in CSV as `#` comment lines above the header (read with pandas'
`read_csv(..., comment="#")`, R's `read.csv(..., comment.char = "#")`, or most CSV tools' comment
option).
"""

import csv
import io
from collections.abc import Mapping
from datetime import datetime

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """The value, with a leading apostrophe if a spreadsheet would treat it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    escaped = frame.copy()
    escaped.columns = [escape_cell(str(column)) for column in frame.columns]
    for column in escaped.columns:
        if escaped[column].dtype == object or pd.api.types.is_string_dtype(escaped[column]):
            escaped[column] = escaped[column].map(escape_cell)
    return escaped


def provenance(exported_by: str, filters: Mapping[str, object] | None = None,
               at: datetime | None = None) -> list[tuple[str, str]]:
    """The lines that head every export: who, when, and with which filters."""
    at = at or datetime.now().replace(microsecond=0)
    lines = [("Exported by", exported_by), ("Exported at", at.isoformat(sep=" "))]
    lines += [(f"Filter: {name}", _describe(value)) for name, value in (filters or {}).items()]
    return [(escape_cell(name), escape_cell(value)) for name, value in lines]


COMMENT = "#"


def to_csv(frame: pd.DataFrame, exported_by: str, filters: Mapping[str, object] | None = None) -> bytes:
    """CSV (UTF-8 with BOM, so Excel reads it right): the provenance as `#` comment lines, then the
    table, its header first, every text cell quoted."""
    out = io.StringIO()
    for name, value in provenance(exported_by, filters):
        out.write(comment_line(f"{name}: {value}"))
    # Text quoted, so a reader that skips what follows a # keeps "120 MAIN ST # 4" whole.
    escape_frame(frame).to_csv(out, index=False, quoting=csv.QUOTE_NONNUMERIC)
    return out.getvalue().encode("utf-8-sig")


def comment_line(text: str) -> str:
    """One `#` line of a CSV: on one line, no quote that could open a field, and every piece a
    spreadsheet would split off at a comma escaped like a cell."""
    flat = " ".join(str(text).replace('"', "'").split())
    return ",".join(escape_cell(piece) if at else piece
                    for at, piece in enumerate(f"{COMMENT} {flat}".split(","))) + "\n"


def to_xlsx(frame: pd.DataFrame, exported_by: str, filters: Mapping[str, object] | None = None,
            sheet: str = "Data") -> bytes:
    """XLSX with the table on one sheet and the provenance on a sheet called About."""
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        escape_frame(_excel_safe(frame)).to_excel(writer, sheet_name=sheet[:31], index=False)
        pd.DataFrame(provenance(exported_by, filters), columns=["", ""]).to_excel(
            writer, sheet_name="About", index=False, header=False)
    return out.getvalue()


def _excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    # Excel has no time zones; drop them rather than fail.
    safe = frame.copy()
    for column in safe.columns:
        if isinstance(safe[column].dtype, pd.DatetimeTZDtype):
            safe[column] = safe[column].dt.tz_localize(None)
    return safe


def _describe(value: object) -> str:
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value) or "all"
    return "" if value is None else str(value)
