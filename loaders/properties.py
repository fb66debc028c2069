"""Loading the property master (parcels and their addresses), and re-placing the records it affects."""

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from integration.address import normalize
from loaders.ingest import plain_rows
from loaders.placement import rematch
from loaders.read import LoadError, read_table
from storage import repository
from storage.engine import writing

REQUIRED = ("property_id", "address")
OPTIONAL = ("parcel_id", "city", "state", "zip", "lat", "lon", "land_use", "ward", "neighborhood", "owner")


@dataclass
class PropertiesResult:
    counts: dict[str, int]
    rematched: int

    def summary(self) -> str:
        c = self.counts
        return (f"properties: {c['new']:,} new, {c['updated']:,} updated, {c['addresses']:,} addresses; "
                f"{self.rematched:,} records re-matched")


def load_properties(path: Path, engine: Engine, loaded_by: str = "command line") -> PropertiesResult:
    """Load or refresh the property master from a CSV/XLSX, then re-match the stored records."""
    table = read_table(Path(path).read_bytes(), Path(path).name)
    frame = table.frame
    frame.columns = [column.strip().lower() for column in frame.columns]
    missing = [column for column in REQUIRED if column not in frame.columns]
    if missing:
        raise LoadError(f"{Path(path).name} has no {', '.join(missing)} column; its columns are: {', '.join(frame.columns)}")
    frame = frame[frame["property_id"].str.strip() != ""].copy()
    if frame.empty:
        raise LoadError(f"{Path(path).name} has no property rows")
    for column in OPTIONAL:
        if column not in frame.columns:
            frame[column] = ""
    frame["property_id"] = frame["property_id"].str.strip()
    frame["address"] = frame["address"].str.strip().str.upper()
    frame["parcel_id"] = frame["parcel_id"].str.replace(r"\D", "", regex=True)
    for column in ("lat", "lon"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")

    primary = frame.drop_duplicates("property_id", keep="first")
    property_rows = plain_rows(primary[["property_id", "address", *OPTIONAL]].replace({"": None}))
    addresses = frame.drop_duplicates(["property_id", "address"])
    keys = {text: normalize(text).key for text in addresses["address"].unique()}
    address_rows = [
        {"property_id": pid, "address": text, "key": keys[text], "is_primary": first}
        for pid, text, first in zip(addresses["property_id"], addresses["address"],
                                    ~addresses["property_id"].duplicated(keep="first"))
    ]
    with writing(engine) as conn:
        counts = repository.replace_properties(conn, property_rows, address_rows)
        repository.audit(conn, loaded_by, "load_properties", Path(path).name, f"{len(property_rows)} properties")
    return PropertiesResult(counts=counts, rematched=rematch(engine))


def load_institutions(path: Path, engine: Engine, loaded_by: str = "command line") -> str:
    """Load the team's institution list (property_id, treatment damp|exclude, reason); returns a summary."""
    frame = read_table(Path(path).read_bytes(), Path(path).name).frame
    frame.columns = [column.strip().lower() for column in frame.columns]
    if "property_id" not in frame.columns:
        raise LoadError(f"{Path(path).name} has no property_id column; its columns are: {', '.join(frame.columns)}")
    treatments = frame.get("treatment", pd.Series("damp", index=frame.index)).str.strip().str.lower().replace("", "damp")
    bad = frame.index[~treatments.isin(["damp", "exclude"])]
    if len(bad):
        raise LoadError(f"{Path(path).name} row {bad[0] + 2}: treatment is '{treatments[bad[0]]}', not damp or exclude")
    with writing(engine) as conn:
        unknown = [pid for pid in frame["property_id"] if repository.get_property(conn, pid.strip()) is None]
        if unknown:
            raise LoadError(f"{Path(path).name}: no property with id {', '.join(unknown[:5])} in the master")
        for pid, treatment, reason in zip(frame["property_id"], treatments, frame.get("reason", [""] * len(frame))):
            repository.set_institution(conn, pid.strip(), treatment, reason or None, loaded_by)
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
        known = set(repository.wards(conn))
        repository.replace_ward_populations(conn, dict(zip(wards, counts.astype(int))), loaded_by)
    unknown = sorted(set(wards) - known, key=lambda w: (len(w), w)) if known else []
    note = f"; not in the property master: {', '.join(unknown)}" if unknown else ""
    return f"ward populations: {len(frame)} wards, {int(counts.sum()):,} residents{note}"
