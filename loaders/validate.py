"""From a department's rows to canonical records, row by row: each row is loaded or rejected with a reason.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first record row 2.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from loaders.dates import parse_dates
from loaders.privacy import mask_contact_details
from loaders.specs import ADDRESS_PARTS, DepartmentSpec

EARLIEST = pd.Timestamp("1950-01-01")
FUTURE_SLACK = timedelta(days=1)  # a clock a little ahead is not an error
HASHED = ("occurred_at", "category", "subcategory", "status", "closed_at", "address", "lat", "lon",
          "parcel_id", "description", "extra")


@dataclass
class Validated:
    records: pd.DataFrame  # canonical columns, one row per loadable record
    rejects: list[dict]  # row_number, reason, raw (JSON of the source row)


def validate(frame: pd.DataFrame, spec: DepartmentSpec, columns: dict[str, str], today: datetime | None = None) -> Validated:
    """Canonical records from `frame`, whose columns feed the spec's fields as `columns` says."""
    today = pd.Timestamp(today or datetime.now())
    row_number = pd.Series(np.arange(2, len(frame) + 2), index=frame.index)
    reasons = pd.Series("", index=frame.index, dtype=object)

    def text(field: str) -> pd.Series:
        if field not in columns:
            return pd.Series("", index=frame.index, dtype=object)
        return frame[columns[field]].astype(str).str.strip()

    def reject(mask: pd.Series, message) -> None:
        mask = mask & (reasons == "")
        if mask.any():
            reasons.loc[mask] = [message(i) for i in mask[mask].index]

    ids = text("source_record_id")
    id_column = columns["source_record_id"]
    reject(ids == "", lambda i: f"row {row_number[i]}: '{id_column}' is empty")
    first_row = row_number.groupby(ids).transform("min")
    reject((ids != "") & ids.duplicated(keep="first"),
           lambda i: f"row {row_number[i]}: '{id_column}' {ids[i]} repeats row {first_row[i]}")

    occurred_source, occurred_text = _occurred_text(columns, text)
    occurred = parse_dates(occurred_text, spec.date_formats)
    reject(occurred_text == "", lambda i: f"row {row_number[i]}: '{occurred_source}' is empty")
    reject(occurred.isna(), lambda i: f"row {row_number[i]}: '{occurred_source}' is {occurred_text[i]}, not a date")
    reject(occurred > today + FUTURE_SLACK,
           lambda i: f"row {row_number[i]}: '{occurred_source}' {occurred_text[i]} is in the future")
    reject(occurred < EARLIEST, lambda i: f"row {row_number[i]}: '{occurred_source}' {occurred_text[i]} is before 1950")

    category = text("category")
    reject(category == "", lambda i: f"row {row_number[i]}: '{columns['category']}' is empty")

    closed_text = text("closed_at")
    closed = parse_dates(closed_text, spec.date_formats)
    reject((closed_text != "") & closed.isna(),
           lambda i: f"row {row_number[i]}: '{columns['closed_at']}' is {closed_text[i]}, not a date")

    records = pd.DataFrame(
        {
            "department": spec.department,
            "source_record_id": ids,
            "occurred_at": occurred,
            "category": category,
            "subcategory": _or_none(text("subcategory")),
            "status": _or_none(text("status")),
            "closed_at": closed,
            "address": _or_none(_address(columns, text)),
            "lat": _coordinate(text("lat"), -90, 90),
            "lon": _coordinate(text("lon"), -180, 180),
            "parcel_id": _or_none(text("parcel_id")),
            "description": _or_none(text("description")).map(mask_contact_details, na_action="ignore"),
            "extra": _extra(frame, spec),
        },
        index=frame.index,
    )
    records["content_hash"] = _content_hash(records)
    records["row_number"] = row_number

    bad = reasons != ""
    raw = frame[bad].to_dict(orient="records")
    rejects = [
        {"row_number": int(row_number[i]), "reason": reasons[i], "raw": json.dumps(row, ensure_ascii=False)}
        for i, row in zip(frame.index[bad], raw)
    ]
    return Validated(records=records[~bad].reset_index(drop=True), rejects=rejects)


def _occurred_text(columns: dict[str, str], text) -> tuple[str, pd.Series]:
    if "occurred_at" in columns:
        return columns["occurred_at"], text("occurred_at")
    source = columns["occurred_date"]
    if "occurred_time" in columns:
        time = text("occurred_time")
        return f"{source}' + '{columns['occurred_time']}", (text("occurred_date") + " " + time).str.strip()
    return source, text("occurred_date")


def _address(columns: dict[str, str], text) -> pd.Series:
    """The address as the department wrote it; NFIRS-style parts are joined in their order."""
    written = text("address")
    if not any(part in columns for part in ADDRESS_PARTS):
        return written
    parts = pd.concat([text(part) for part in ADDRESS_PARTS], axis=1)
    joined = parts.apply(lambda row: " ".join(value for value in row if value), axis=1, raw=True)
    if isinstance(joined, pd.DataFrame) or joined.empty:
        joined = pd.Series("", index=written.index, dtype=object)
    return written.where(written != "", joined)


def _coordinate(values: pd.Series, low: float, high: float) -> pd.Series:
    numbers = pd.to_numeric(values.replace("", np.nan), errors="coerce")
    numbers = numbers.where(numbers.between(low, high) & (numbers != 0))
    return numbers.astype(object).where(numbers.notna(), None)


def _or_none(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values != "", None)


def _extra(frame: pd.DataFrame, spec: DepartmentSpec) -> pd.Series:
    kept = spec.kept_columns(list(frame.columns))
    if not kept:
        return pd.Series("{}", index=frame.index, dtype=object)
    return pd.Series(
        [json.dumps(dict(zip(kept, values)), ensure_ascii=False) for values in frame[kept].itertuples(index=False)],
        index=frame.index,
        dtype=object,
    )


def _content_hash(records: pd.DataFrame) -> pd.Series:
    joined = records[list(HASHED)].astype(object).where(records[list(HASHED)].notna(), "").astype(str).agg(
        "\x1f".join, axis=1)
    return joined.map(lambda value: hashlib.sha256(value.encode()).hexdigest())
