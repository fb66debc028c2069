"""From a department's rows to canonical records: each row is loaded, folded into its record, or rejected with a reason.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first record row 2.
Real systems write several rows for one case, call or request (one per violation, per responding
unit, per status change): rows that share a record id become one record that keeps what differs.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from loaders import coordinates
from loaders.dates import AmbiguousDateOrder, infer, parse_dates
from loaders.privacy import mask_contact_details
from loaders.read import RowFault
from loaders.specs import ADDRESS_PARTS, MAPPING_SETTINGS, DepartmentSpec

EARLIEST = pd.Timestamp("1950-01-01")
FUTURE_SLACK = timedelta(days=1)  # a clock a little ahead is not an error
HASHED = ("occurred_at", "category", "subcategory", "status", "closed_at", "address", "lat", "lon",
          "parcel_id", "description", "extra")
# What systems write in a field that has no value; read as blank wherever a value is optional.
PLACEHOLDERS = frozenset({"na", "n/a", "#n/a", "null", "none", "nan", "unspecified", "unknown address",
                          "no primary address specified", "-", "--"})
FLOAT_ID = re.compile(r"^(\d+)\.0+$")  # an id a spreadsheet turned into a number: 202515001499.0
KEEP = "keep"  # the mapping key that lists further columns stored under their own name
MAX_FOLDED_VALUES = 50  # values kept per column of a folded record; a case with more keeps its first ones
ID_JOINER = "-"


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
    "short_row": "the row has fewer fields than the header",
    "cell_too_long": "a cell is longer than a cell may be",
}


@dataclass
class Validated:
    records: pd.DataFrame  # canonical columns, one row per loadable record
    rejects: list[dict]  # row_number, reason, kind, raw (JSON of the source row), column, value
    folded: int = 0  # rows that joined an earlier row's record (same id, something differs)
    duplicates: int = 0  # rows identical to an earlier row in every stored column
    notes: list[str] = field(default_factory=list)


def sources(columns: dict, name: str) -> tuple[str, ...]:
    """The file's columns that feed a field: one, several (an id built from them) or none."""
    source = columns.get(name)
    if source is None or name in MAPPING_SETTINGS or name == KEEP:
        return ()
    return tuple(source) if isinstance(source, (list, tuple)) else (source,)


def source_label(columns: dict, name: str) -> str:
    return " + ".join(sources(columns, name)) or name


def validate(frame: pd.DataFrame, spec: DepartmentSpec, columns: dict, today: datetime | None = None,
             date_order: str | None = None, timezone: str | None = None,
             faults: dict[int, RowFault] | None = None) -> Validated:
    """Canonical records from `frame`, whose columns feed the spec's fields as the mapping `columns` says.

    `faults` (the reader's, by position in `frame`) reject their rows before anything else is checked.
    Raises AmbiguousDateOrder when a date column reads both as month/day and day/month and neither
    `date_order` nor the mapping's date_order says which.
    """
    today = pd.Timestamp(today or datetime.now())
    date_order = date_order or columns.get("date_order")
    row_number = pd.Series(np.arange(2, len(frame) + 2), index=frame.index)
    reasons = pd.Series("", index=frame.index, dtype=object)
    kinds = pd.Series("", index=frame.index, dtype=object)
    culprits: dict[int, tuple[str, str]] = {}  # row -> (column, value) that rejected it
    notes: list[str] = []

    def text(name: str, placeholders: bool = True) -> pd.Series:
        feeding = sources(columns, name)
        if not feeding:
            return pd.Series("", index=frame.index, dtype=object)
        parts = [_blank_placeholders(frame[column].astype(str).str.strip()) if placeholders
                 else frame[column].astype(str).str.strip() for column in feeding]
        if len(parts) == 1:
            return parts[0]
        joined = parts[0].str.cat(parts[1:], sep=ID_JOINER)
        return joined.where(pd.concat(parts, axis=1).ne("").all(axis=1), "")

    def reject(mask: pd.Series, kind: str, column: str, values: pd.Series, message) -> None:
        mask = mask & (reasons == "")  # a row keeps its first reason
        if mask.any():
            rows = mask[mask].index
            reasons.loc[rows] = [message(i) for i in rows]
            kinds.loc[rows] = kind
            culprits.update({i: (column, values[i]) for i in rows})

    for position, fault in (faults or {}).items():
        i = frame.index[position]
        reasons[i], kinds[i] = f"row {row_number[i]}: {fault.detail}", fault.kind
        culprits[i] = (fault.column, fault.value)

    ids = _without_float_tail(text("source_record_id", placeholders=False))
    id_column = source_label(columns, "source_record_id")
    reject(ids == "", "missing_id", id_column, ids, lambda i: f"row {row_number[i]}: '{id_column}' is empty")

    occurred_source, occurred_text = _occurred_text(columns, text)
    closed_text = text("closed_at")
    date_order = _date_order(occurred_text, closed_text, occurred_source, date_order)
    occurred = parse_dates(occurred_text, column=occurred_source, date_order=date_order, timezone=timezone)
    reject(occurred_text == "", "missing_date", occurred_source, occurred_text,
           lambda i: f"row {row_number[i]}: '{occurred_source}' is empty")
    reject(occurred.isna(), "not_a_date", occurred_source, occurred_text,
           lambda i: f"row {row_number[i]}: '{occurred_source}' is {occurred_text[i]}, not a date")
    reject(occurred > today + FUTURE_SLACK, "future_date", occurred_source, occurred_text,
           lambda i: f"row {row_number[i]}: '{occurred_source}' {occurred_text[i]} is in the future")
    reject(occurred < EARLIEST, "too_old", occurred_source, occurred_text,
           lambda i: f"row {row_number[i]}: '{occurred_source}' {occurred_text[i]} is before 1950")

    category = text("category", placeholders=False)
    if not sources(columns, "category") and columns.get("default_category"):
        category = pd.Series(str(columns["default_category"]).strip(), index=frame.index, dtype=object)
    category_column = source_label(columns, "category")
    reject(category == "", "missing_category", category_column, category,
           lambda i: f"row {row_number[i]}: '{category_column}' is empty")

    closed_source = source_label(columns, "closed_at")
    closed = parse_dates(closed_text, column=closed_source, date_order=date_order, timezone=timezone)
    reject((closed_text != "") & closed.isna(), "bad_closed_date", closed_source, closed_text,
           lambda i: f"row {row_number[i]}: '{closed_source}' is {closed_text[i]}, not a date")

    bad = (reasons != "").to_numpy()
    raw = _stored_source(frame[bad], spec, columns).to_dict(orient="records")
    rejects = [
        {"row_number": int(row_number[i]), "reason": reasons[i], "kind": kinds[i],
         "raw": json.dumps(row, ensure_ascii=False), "column": culprits[i][0], "value": culprits[i][1]}
        for i, row in zip(frame.index[bad], raw)
    ]
    good = frame.index[~bad]
    take = lambda values: values.loc[good]  # noqa: E731 - only the rows that load are built further

    lat, lon = _coordinates(columns, text, notes)
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
            "lat": take(lat).astype(object).where(take(lat).notna(), None),
            "lon": take(lon).astype(object).where(take(lon).notna(), None),
            "parcel_id": _or_none(take(text("parcel_id"))),
            "description": _masked(_or_none(take(text("description")))),
            "extra": _extra(frame.loc[good], spec, columns),
        },
        index=good,
    )
    records["row_number"] = take(row_number)
    records, folded, duplicates = fold(records, frame.loc[good], _stored_columns(frame, spec, columns))
    records["content_hash"] = content_hash(records)
    if folded or duplicates:
        notes.append(_fold_note(folded, duplicates, id_column))
    return Validated(records=records.reset_index(drop=True), rejects=rejects, folded=folded,
                     duplicates=duplicates, notes=notes)


def _without_float_tail(values: pd.Series) -> pd.Series:
    """202515001499.0 -> 202515001499 (a spreadsheet's number), looked for only where a value ends in ".0"."""
    tailed = values.str.endswith(".0").fillna(False).astype(bool)
    if not tailed.any():
        return values
    return values.where(~tailed, values[tailed].str.replace(FLOAT_ID, r"\1", regex=True))


def _blank_placeholders(values: pd.Series) -> pd.Series:
    return values.where(~values.str.lower().isin(PLACEHOLDERS), "")


def _date_order(occurred: pd.Series, closed: pd.Series, column: str, given: str | None) -> str | None:
    """The day/month order: as given, else as the dates themselves settle it (the opened and the closed
    dates of one system are written alike); AmbiguousDateOrder when nothing settles it."""
    if given is not None:
        return given
    found = infer(occurred)
    if found.ambiguous and closed.ne("").any():
        settled = infer(closed)
        if settled.order is not None and not settled.ambiguous:
            return settled.order
    if found.ambiguous:
        raise AmbiguousDateOrder(column, found.examples)
    return found.order


def _fold_note(folded: int, duplicates: int, id_column: str) -> str:
    parts = []
    if folded:
        parts.append(f"{folded:,} rows added to the record of an earlier row with the same '{id_column}' "
                     f"(what differs is kept with the record)")
    if duplicates:
        parts.append(f"{duplicates:,} rows repeated an earlier row exactly and were counted once")
    return "; ".join(parts)


def fold(records: pd.DataFrame, source: pd.DataFrame, stored: list[str]) -> tuple[pd.DataFrame, int, int]:
    """One record per id: (records, rows folded into an earlier row's record, exact repeats).

    The record keeps its first row's values, the earliest occurred date, the latest closed date and
    the status of its latest row; every stored source column whose values differ between its rows is
    kept in extra["folded"] as the list of its values, and extra["rows"] says how many rows it had.
    """
    repeated = records["source_record_id"].duplicated(keep=False)
    if not repeated.any():
        return records, 0, 0
    exact = pd.concat([records["source_record_id"], source[stored]], axis=1).duplicated(keep="first")
    duplicates = int(exact.sum())
    records, source = records[~exact], source[~exact]
    repeated = records["source_record_id"].duplicated(keep=False)
    if not repeated.any():
        return records, 0, duplicates
    single, many = records[~repeated], records[repeated]
    groups = many.groupby("source_record_id", sort=False)
    merged = groups.head(1).copy()  # each id's first row, where it stands in the file
    ids = merged["source_record_id"]
    latest_status = (many.assign(_order=np.arange(len(many)))
                     .sort_values(["occurred_at", "_order"], kind="stable")
                     .groupby("source_record_id", sort=False)["status"].last())
    merged["occurred_at"] = ids.map(groups["occurred_at"].min())
    merged["closed_at"] = ids.map(groups["closed_at"].max())
    merged["status"] = ids.map(latest_status)
    for name in ("subcategory", "address", "lat", "lon", "parcel_id", "description"):
        merged[name] = ids.map(groups[name].first())  # the first value any row has, for a first row left blank
    varying = source.loc[many.index, stored].assign(_id=many["source_record_id"].to_numpy())
    differ = varying.groupby("_id", sort=False).nunique(dropna=False)
    differ = differ[differ.gt(1).any(axis=1)]
    counts = groups.size()
    folded_values = _folded_values(varying, differ)
    merged["extra"] = [_with_folded(extra, int(counts[record_id]), folded_values.get(record_id))
                       for record_id, extra in zip(ids, merged["extra"])]
    combined = pd.concat([single, merged]).sort_index()
    for name in ("lat", "lon", "subcategory", "status", "address", "parcel_id", "description"):
        combined[name] = combined[name].astype(object).where(combined[name].notna(), None)
    return combined, int(len(many) - len(merged)), duplicates


def _folded_values(varying: pd.DataFrame, differ: pd.DataFrame) -> dict[str, dict[str, list[str]]]:
    """id -> {column: its values across the id's rows, in file order, repeats once}, for the columns that differ."""
    found: dict[str, dict[str, list[str]]] = {}
    if differ.empty:
        return found
    rows = varying[varying["_id"].isin(differ.index)]
    for record_id, group in rows.groupby("_id", sort=False):
        changing = [column for column in differ.columns if differ.at[record_id, column] > 1]
        found[record_id] = {column: list(dict.fromkeys(group[column].tolist()))[:MAX_FOLDED_VALUES]
                            for column in changing}
    return found


def _with_folded(extra: str, rows: int, folded: dict | None) -> str:
    kept = json.loads(extra)
    kept["rows"] = rows
    if folded:
        kept["folded"] = folded
    return json.dumps(kept, ensure_ascii=False)


def _stored_columns(frame: pd.DataFrame, spec: DepartmentSpec, columns: dict) -> list[str]:
    """The file's columns the dashboard stores: those the mapping uses and those kept."""
    used = [column for name in columns for column in sources(columns, name)]
    kept = list(_kept(frame, spec, columns).values())
    return [column for column in frame.columns if column in set(used) | set(kept)]


def _stored_source(rows: pd.DataFrame, spec: DepartmentSpec, columns: dict) -> pd.DataFrame:
    """A rejected row as kept for the analyst: the columns the dashboard uses, contact details masked."""
    kept = rows[_stored_columns(rows, spec, columns)].copy()
    for column in sources(columns, "description"):
        kept[column] = kept[column].map(mask_contact_details)
    return kept


def _occurred_text(columns: dict, text) -> tuple[str, pd.Series]:
    if sources(columns, "occurred_at"):
        return source_label(columns, "occurred_at"), text("occurred_at")
    source = source_label(columns, "occurred_date")
    if sources(columns, "occurred_time"):
        time = text("occurred_time")
        return f"{source}' + '{source_label(columns, 'occurred_time')}", (text("occurred_date") + " " + time).str.strip()
    return source, text("occurred_date")


def _address(columns: dict, text) -> pd.Series:
    """The address as the department wrote it: parts joined in their order, a block number put before
    its street, and the city and ZIP after it when they are columns of their own."""
    written = text("address")
    if any(sources(columns, part) for part in ADDRESS_PARTS):
        joined = _joined([text(part) for part in ADDRESS_PARTS], " ")
        written = written.where(written != "", joined)
    if sources(columns, "address_block"):
        block = _without_float_tail(text("address_block"))
        numbered = written.str.match(r"^\d")
        with_block = block + " BLOCK " + written
        written = written.where((block == "") | (written == "") | numbered, with_block)
    if sources(columns, "city") or sources(columns, "zip"):
        place = _joined([text("city"), text("zip")], " ")
        has_place = (written != "") & (place != "") & ~written.str.contains(",", regex=False)
        written = written.where(~has_place, written + ", " + place)
    return written


def _joined(parts: list[pd.Series], separator: str) -> pd.Series:
    joined = parts[0]
    for part in parts[1:]:
        joined = (joined + separator + part).where((joined != "") & (part != ""), joined + part)
    return joined.str.strip()


def _coordinates(columns: dict, text, notes: list[str]) -> tuple[pd.Series, pd.Series]:
    """Latitude and longitude in degrees: from lat/lon, else a point column, else projected x/y."""
    lat_text, lon_text = text("lat"), text("lon")
    if sources(columns, "lat") and coordinates.looks_projected(lon_text, lat_text):
        notes.append(f"'{source_label(columns, 'lat')}' and '{source_label(columns, 'lon')}' hold projected "
                     f"coordinates, not degrees: they were not used")
        lat_text, lon_text = lat_text.where(False, ""), lon_text.where(False, "")
    lat, lon = coordinates.in_degrees(lat_text, lon_text)
    if sources(columns, "point"):
        point_lat, point_lon = coordinates.parse_point(text("point"))
        missing = lat.isna() | lon.isna()
        lat, lon = lat.where(~missing, point_lat), lon.where(~missing, point_lon)
    if sources(columns, "x") and sources(columns, "y"):
        missing = lat.isna() | lon.isna()
        if missing.any():
            x, y = text("x"), text("y")
            system = columns.get("coordinate_system")
            if system:
                x_lat, x_lon = coordinates.to_degrees(x, y, str(system))
            elif coordinates.looks_projected(x, y):
                x_lat = x_lon = pd.Series(np.nan, index=x.index)
                if (x != "").any():
                    notes.append(f"'{source_label(columns, 'x')}' and '{source_label(columns, 'y')}' are projected "
                                 f"coordinates and the mapping names no coordinate system: they were not used "
                                 f"(name it as coordinate_system, e.g. EPSG:2263)")
            else:  # x / y in degrees, as ArcGIS Hub exports write them
                x_lat, x_lon = coordinates.in_degrees(y, x)
            lat, lon = lat.where(~missing, x_lat), lon.where(~missing, x_lon)
    return lat, lon


def _or_none(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values != "", None)


def _kept(frame: pd.DataFrame, spec: DepartmentSpec, columns: dict) -> dict[str, str]:
    """Stored name -> the file's column, for the spec's kept columns, the mapping's own kept fields
    (a department's kept names, like routed_department) and the columns the mapping lists to keep."""
    kept = spec.kept_columns(list(frame.columns))
    for name in spec.kept:
        for column in sources(columns, name):
            kept[name] = column
    listed = columns.get(KEEP) or ()
    present = set(frame.columns)
    kept.update({column: column for column in listed if column in present})
    return kept


def _extra(frame: pd.DataFrame, spec: DepartmentSpec, columns: dict) -> pd.Series:
    kept = _kept(frame, spec, columns)
    if not kept:
        return pd.Series("{}", index=frame.index, dtype=object)
    # Each row's json.dumps(dict(zip(kept, values)), ensure_ascii=False), built column by column:
    # each distinct value of a column is written once.
    text = np.full(len(frame), "{", dtype=object)
    for position, (name, column) in enumerate(kept.items()):
        seen: dict = {}
        written = [seen[value] if value in seen else seen.setdefault(value, json.dumps(value, ensure_ascii=False))
                   for value in frame[column].tolist()]
        text = text + ((", " if position else "") + json.dumps(name, ensure_ascii=False) + ": ") \
            + np.array(written, dtype=object)
    return pd.Series(text + "}", index=frame.index, dtype=object)


def _masked(texts: pd.Series) -> pd.Series:
    """mask_contact_details of every text, each distinct text masked once (narratives repeat)."""
    masked = {value: mask_contact_details(value) for value in texts.dropna().unique()}
    return texts.map(masked, na_action="ignore")


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
    if values.empty:
        return []
    missing = values.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(values):
        whole_seconds = values.isna() | (values == values.dt.floor("s"))
        if whole_seconds.all() and values.dt.tz is None:  # "2024-03-01 14:05:00", written by numpy
            stamps = values.to_numpy(dtype="datetime64[s]")
            text = np.char.replace(np.datetime_as_string(stamps, unit="s"), "T", " ").astype(object)
        elif whole_seconds.all():
            text = values.dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object)
        else:
            text = values.astype(object).map(str).to_numpy(dtype=object)
    elif pd.api.types.infer_dtype(values, skipna=True) == "string":
        text = values.to_numpy(dtype=object)  # text already: str() would give it back
    else:
        text = values.astype(object).map(str).to_numpy(dtype=object)
    return np.where(missing, "", np.asarray(text, dtype=object)).tolist()
