"""Loading the property master (parcels and their addresses), and re-placing the records it affects."""

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from integration.address import normalize
from integration.matcher import parcel_key
from loaders.ingest import plain_rows
from loaders.placement import rematch
from loaders.read import LoadError, read_table
from loaders.specs import header_token
from storage import audit_trail, property_data
from storage.engine import writing
from storage.schema import properties
from vocabulary import TREATMENTS

# The headers each field of the master is recognised by, compared as header tokens (case and
# punctuation aside). A field takes the first non-blank value among the columns a file has, in
# this order; the property id takes one column only, so ids of two kinds never mix.
PARCEL_HEADERS = ("parcel_id", "pin", "parcel number", "parcel no", "parcel", "parcelid", "tax key", "taxkey",
                  "tax key number", "apn", "account number")
FIELDS = {
    "property_id": ("property_id", *PARCEL_HEADERS),
    "parcel_id": PARCEL_HEADERS,
    "address": ("address", "site address", "property address", "situs address", "location", "full address",
                "street address"),
    "city": ("city",),
    "state": ("state",),
    "zip": ("zip", "zip code", "zipcode", "postal code"),
    "lat": ("lat", "latitude", "y"),
    "lon": ("lon", "long", "longitude", "lng", "x"),
    "land_use": ("land_use", "land use"),
    "ward": ("ward",),
    "neighborhood": ("neighborhood", "neighborhood_name", "neighbourhood"),
    "owner": ("owner",),
}
ATTRIBUTES = [name for name in FIELDS if name not in ("property_id", "address")]
# Values that portals write where they have none.
PLACEHOLDERS = frozenset({"", "NA", "N/A", "NULL", "NO PRIMARY ADDRESS SPECIFIED", "UNSPECIFIED"})
# Coordinates outside these are projected (state-plane feet, metres), which the matcher cannot use.
DEGREES = {"lat": 90.0, "lon": 180.0}


@dataclass
class PropertiesResult:
    counts: dict[str, int]
    rematched: int
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> rows
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        c = self.counts
        skipped = "".join(f"; {rows:,} rows skipped: {reason}" for reason, rows in self.skipped.items() if rows)
        notes = "".join(f"; {note}" for note in self.notes)
        return (f"properties: {c['new']:,} new, {c['updated']:,} updated, {c['addresses']:,} addresses"
                f"{skipped}{notes}; {self.rematched:,} records re-matched")


@dataclass(frozen=True)
class Master:
    """A property master file read and checked, ready to store: nothing is stored yet."""
    file_name: str
    property_rows: list[dict]
    address_rows: list[dict]
    skipped: dict[str, int]  # reason -> rows
    notes: list[str]


def load_properties(path: Path, engine: Engine, loaded_by: str = "command line") -> PropertiesResult:
    """Load or refresh the property master from a CSV/XLSX, then re-match the stored records."""
    master = read_master(Path(path).read_bytes(), Path(path).name)
    with writing(engine) as conn:
        counts = property_data.replace_properties(conn, master.property_rows, master.address_rows)
        audit_trail.audit(conn, loaded_by, "load_properties", master.file_name,
                          f"{len(master.property_rows)} properties")
    return PropertiesResult(counts=counts, rematched=rematch(engine), skipped=master.skipped, notes=master.notes)


def read_master(content: bytes, name: str) -> Master:
    """Read and check a property master (CSV/XLSX); raises LoadError saying what is wrong and where.

    Columns are recognised by the names in FIELDS; without a parcel column of its own, the property id
    is the parcel id.
    """
    frame, notes = _master_fields(read_table(content, name).frame, name)
    without_id = frame["property_id"] == ""
    without_address = ~without_id & (frame["address"] == "")
    frame = frame[~without_id & ~without_address]
    skipped = {"no property id": int(without_id.sum()), "no address": int(without_address.sum())}
    if frame.empty:
        raise LoadError(f"{name} has no property rows with both an id and an address")
    _check_lengths(frame, name)

    # A property on several rows: the first row's address is its primary, the others its aliases,
    # and each attribute comes from the first row that has it.
    primary = frame.replace({"": None}).groupby("property_id", sort=False).first().reset_index()
    primary[["lat", "lon"]] = primary[["lat", "lon"]].apply(pd.to_numeric, errors="coerce")
    property_rows = plain_rows(primary[["property_id", "address", *ATTRIBUTES]])
    addresses = frame.drop_duplicates(["property_id", "address"])
    keys = {text: normalize(text).key for text in addresses["address"].unique()}
    address_rows = [
        {"property_id": pid, "address": text, "key": keys[text], "is_primary": first}
        for pid, text, first in zip(addresses["property_id"], addresses["address"],
                                    ~addresses["property_id"].duplicated(keep="first"))
    ]
    return Master(name, property_rows, address_rows, skipped, notes)


def _master_fields(raw: pd.DataFrame, file_name: str) -> tuple[pd.DataFrame, list[str]]:
    """The file's columns as the master's fields, as clean text ("" for none); and notes on what was left out."""
    by_token: dict[str, list[str]] = {}
    for column in raw.columns:
        by_token.setdefault(header_token(column), []).append(column)
    found = {
        wanted: list(dict.fromkeys(column for header in headers for column in by_token.get(header_token(header), [])))
        for wanted, headers in FIELDS.items()
    }
    missing = [wanted for wanted in ("property_id", "address") if not found[wanted]]
    if missing:
        looked_for = "; ".join(f"{wanted}: {', '.join(FIELDS[wanted])}" for wanted in missing)
        raise LoadError(f"{file_name} has no {' or '.join(missing)} column (looked for {looked_for}); "
                        f"its columns are: {', '.join(raw.columns)}")
    found["property_id"] = found["property_id"][:1]

    notes = []
    for axis, limit in DEGREES.items():
        projected = [column for column in found[axis] if not _in_degrees(raw[column], limit)]
        if projected:
            notes.append(f"{', '.join(projected)} not read as {axis}: the values are not degrees")
        found[axis] = [column for column in found[axis] if column not in projected]
    if not (found["lat"] and found["lon"]):
        found["lat"] = found["lon"] = []

    frame = pd.DataFrame({wanted: _first_filled(raw, columns) for wanted, columns in found.items()}, index=raw.index)
    if not found["parcel_id"]:
        frame["parcel_id"] = frame["property_id"]
    if found["property_id"][0] in found["parcel_id"]:
        frame["property_id"] = frame["property_id"].map(parcel_key)
    frame["parcel_id"] = frame["parcel_id"].map(parcel_key)
    frame["address"] = frame["address"].str.upper()
    return frame, notes


def _first_filled(raw: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Per row, the first of `columns` with a value, as text with its spaces folded ("" for none)."""
    filled = pd.Series("", index=raw.index, dtype=object)
    for column in reversed(columns):
        text = raw[column].fillna("").astype(str).str.split().str.join(" ")
        text = text.where(~text.str.upper().isin(PLACEHOLDERS), "")
        filled = text.where(text != "", filled)
    return filled


def _in_degrees(values: pd.Series, limit: float) -> bool:
    numbers = pd.to_numeric(values.where(~values.str.strip().str.upper().isin(PLACEHOLDERS)), errors="coerce")
    return bool((numbers.dropna().abs() <= limit).all())


def _check_lengths(frame: pd.DataFrame, file_name: str) -> None:
    """Refuse a value longer than its column holds, with its row, before the database does less kindly."""
    for column in ("property_id", *ATTRIBUTES):
        limit = getattr(properties.c[column].type, "length", None)
        if limit is None:
            continue
        too_long = frame.index[frame[column].astype(str).str.len() > limit]
        if len(too_long):
            row = too_long[0]
            raise LoadError(f"{file_name} row {row + 2}: {column} '{frame[column][row]}' is longer than "
                            f"{limit} characters")


def load_institutions(path: Path, engine: Engine, loaded_by: str = "command line") -> str:
    """Load the team's institution list (property_id, treatment damp|exclude, reason); returns a summary."""
    frame = read_table(Path(path).read_bytes(), Path(path).name).frame
    frame.columns = [column.strip().lower() for column in frame.columns]
    if "property_id" not in frame.columns:
        raise LoadError(f"{Path(path).name} has no property_id column; its columns are: {', '.join(frame.columns)}")
    treatments = frame.get("treatment", pd.Series("damp", index=frame.index)).str.strip().str.lower().replace("", "damp")
    bad = frame.index[~treatments.isin(TREATMENTS)]
    if len(bad):
        raise LoadError(f"{Path(path).name} row {bad[0] + 2}: treatment is '{treatments[bad[0]]}', not damp or exclude")
    with writing(engine) as conn:
        unknown = [pid for pid in frame["property_id"] if property_data.get_property(conn, pid.strip()) is None]
        if unknown:
            raise LoadError(f"{Path(path).name}: no property with id {', '.join(unknown[:5])} in the master")
        for pid, treatment, reason in zip(frame["property_id"], treatments, frame.get("reason", [""] * len(frame))):
            property_data.set_institution(conn, pid.strip(), treatment, reason or None, loaded_by)
    return f"institutions: {len(frame)} properties on the list"


def load_ward_populations(path: Path, engine: Engine, loaded_by: str = "command line") -> str:
    """Load residents per ward (columns ward and population), replacing the table; returns a summary."""
    name = Path(path).name
    frame = read_table(Path(path).read_bytes(), name).frame
    frame.columns = [column.strip().lower() for column in frame.columns]
    people_column = next((c for c in ("population", "residents", "people") if c in frame.columns), None)
    if "ward" not in frame.columns or people_column is None:
        raise LoadError(f"{name} needs a ward column and a population column; its columns are: "
                        f"{', '.join(frame.columns)}")
    wards = frame["ward"].str.strip()
    counts = pd.to_numeric(frame[people_column].str.replace(",", "").str.strip(), errors="coerce")
    for index in frame.index:
        row = index + 2  # the header is row 1
        if not wards[index]:
            raise LoadError(f"{name} row {row}: the ward is empty")
        if pd.isna(counts[index]) or counts[index] < 0 or counts[index] != int(counts[index]):
            raise LoadError(f"{name} row {row}: population '{frame[people_column][index]}' is not a whole number")
    repeated = wards[wards.duplicated()]
    if len(repeated):
        raise LoadError(f"{name} row {repeated.index[0] + 2}: ward {repeated.iloc[0]} is listed twice")
    with writing(engine) as conn:
        known = set(property_data.wards(conn))
        property_data.replace_ward_populations(conn, dict(zip(wards, counts.astype(int))), loaded_by)
    unknown = sorted(set(wards) - known, key=lambda w: (len(w), w)) if known else []
    note = f"; not in the property master: {', '.join(unknown)}" if unknown else ""
    return f"ward populations: {len(frame)} wards, {int(counts.sum()):,} residents{note}"
