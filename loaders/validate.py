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


# Each reject has a kind, so data quality can count reasons without parsing sentences.
REJECT_KINDS = {
    "missing_id": "the record id is empty",
    "duplicate_id": "the record id repeats an earlier row",
    "missing_date": "the date is empty",
    "not_a_date": "the date is not a date",
    "future_date": "the date is in the future",
    "too_old": "the date is before 1950",
    "missing_category": "the category is empty",
    "bad_closed_date": "the closed date is not a date",
}


@dataclass
class Validated:
    records: pd.DataFrame  # canonical columns, one row per loadable record
    rejects: list[dict]  # row_number, reason, kind, raw (JSON of the source row)


def validate(frame: pd.DataFrame, spec: DepartmentSpec, columns: dict[str, str], today: datetime | None = None) -> Validated:
    """Canonical records from `frame`, whose columns feed the spec's fields as `columns` says."""
    today = pd.Timestamp(today or datetime.now())
    row_number = pd.Series(np.arange(2, len(frame) + 2), index=frame.index)
    reasons = pd.Series("", index=frame.index, dtype=object)
    kinds = pd.Series("", index=frame.index, dtype=object)

    def text(field: str) -> pd.Series:
        if field not in columns:
            return pd.Series("", index=frame.index, dtype=object)
        return frame[columns[field]].astype(str).str.strip()

    def reject(mask: pd.Series, kind: str, message) -> None:
        mask = mask & (reasons == "")  # a row keeps its first reason
        if mask.any():
            reasons.loc[mask] = [message(i) for i in mask[mask].index]
            kinds.loc[mask] = kind

    ids = text("source_record_id")
    id_column = columns["source_record_id"]
    reject(ids == "", "missing_id", lambda i: f"row {row_number[i]}: '{id_column}' is empty")
    first_row = row_number.groupby(ids).transform("min")
    reject((ids != "") & ids.duplicated(keep="first"), "duplicate_id",
           lambda i: f"row {row_number[i]}: '{id_column}' {ids[i]} repeats row {first_row[i]}")

    occurred_source, occurred_text = _occurred_text(columns, text)
    occurred = parse_dates(occurred_text, spec.date_formats)
    reject(occurred_text == "", "missing_date", lambda i: f"row {row_number[i]}: '{occurred_source}' is empty")
    reject(occurred.isna(), "not_a_date",
           lambda i: f"row {row_number[i]}: '{occurred_source}' is {occurred_text[i]}, not a date")
    reject(occurred > today + FUTURE_SLACK, "future_date",
           lambda i: f"row {row_number[i]}: '{occurred_source}' {occurred_text[i]} is in the future")
    reject(occurred < EARLIEST, "too_old",
           lambda i: f"row {row_number[i]}: '{occurred_source}' {occurred_text[i]} is before 1950")

    category = text("category")
    reject(category == "", "missing_category", lambda i: f"row {row_number[i]}: '{columns['category']}' is empty")

    closed_text = text("closed_at")
    closed = parse_dates(closed_text, spec.date_formats)
    reject((closed_text != "") & closed.isna(), "bad_closed_date",
           lambda i: f"row {row_number[i]}: '{columns['closed_at']}' is {closed_text[i]}, not a date")

    bad = (reasons != "").to_numpy()
    raw = _stored_source(frame[bad], spec, columns).to_dict(orient="records")
    rejects = [
        {"row_number": int(row_number[i]), "reason": reasons[i], "kind": kinds[i],
         "raw": json.dumps(row, ensure_ascii=False)}
        for i, row in zip(frame.index[bad], raw)
    ]
    good = frame.index[~bad]
    take = lambda values: values.loc[good]  # noqa: E731 - only the rows that load are built further

    records = pd.DataFrame(
        {
            "department": spec.department,
            "source_record_id": take(ids),
            "occurred_at": take(occurred),
            "category": take(category),
            "subcategory": _or_none(take(text("subcategory"))),
            "status": _or_none(take(text("status"))),
            "closed_at": take(closed),
            "address": _or_none(take(_address(columns, text))),
            "lat": _coordinate(take(text("lat")), -90, 90),
            "lon": _coordinate(take(text("lon")), -180, 180),
            "parcel_id": _or_none(take(text("parcel_id"))),
            "description": _or_none(take(text("description"))).map(mask_contact_details, na_action="ignore"),
            "extra": _extra(frame.loc[good], spec),
        },
        index=good,
    )
    records["content_hash"] = content_hash(records)
    records["row_number"] = take(row_number)
    return Validated(records=records.reset_index(drop=True), rejects=rejects)


def _stored_source(rows: pd.DataFrame, spec: DepartmentSpec, columns: dict[str, str]) -> pd.DataFrame:
    """A rejected row as kept for the analyst: the columns the dashboard uses, contact details masked."""
    used = set(columns.values()) | set(spec.kept_columns(list(rows.columns)).values())
    kept = rows[[column for column in rows.columns if column in used]].copy()
    if "description" in columns:
        kept[columns["description"]] = kept[columns["description"]].map(mask_contact_details)
    return kept


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
    joined = pd.Series(
        [" ".join(value for value in parts if value) for parts in zip(*(text(part) for part in ADDRESS_PARTS))],
        index=written.index, dtype=object)
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
        [json.dumps(dict(zip(kept, values)), ensure_ascii=False)
         for values in frame[list(kept.values())].itertuples(index=False)],
        index=frame.index,
        dtype=object,
    )


def content_hash(records: pd.DataFrame) -> pd.Series:
    """A fingerprint of each record's stored fields, to tell a changed record from an unchanged one.

    The text hashed is each field's str() (empty when missing) joined by \\x1f; stored hashes depend
    on it, so it must not change, or every stored record would count as updated on its next load.
    """
    fields = [_hash_text(records[name]) for name in HASHED]
    return pd.Series([hashlib.sha256("\x1f".join(values).encode()).hexdigest() for values in zip(*fields)],
                     index=records.index, dtype=object)


def _hash_text(values: pd.Series) -> list[str]:
    """str() of every value, "" where missing (what the row-wise original did, without the row loop)."""
    missing = values.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(values):
        whole_seconds = values.isna() | (values == values.dt.floor("s"))
        if whole_seconds.all():
            text = values.dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object)
        else:
            text = values.astype(object).map(str).to_numpy(dtype=object)
    else:
        text = values.astype(object).map(str).to_numpy(dtype=object)
    return ["" if gap else value for value, gap in zip(text, missing)]
