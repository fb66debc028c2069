"""One property: finding it (`search_properties`), its history from every department with the
sensitive fields the viewer may not read blanked (`property_history`), its cases, and its score
explained (`explanation`).

The one parcel rule (`parcel_query`): a search is a parcel id when it has no letters and at least
PARCEL_DIGITS digits, whatever separates them (276-00-00-12345-000); a house number has fewer.
Every other search is an address, typos forgiven.
"""

from collections.abc import Mapping

import pandas as pd
from rapidfuzz import fuzz, process
from sqlalchemy.engine import Engine

from integration import access, scoring
from integration.matcher import Matcher
from services.hotspots import date_range, listed_institutions, window_end
from storage import casework, department_records, property_data
from storage.engine import reading

PARCEL_DIGITS = 6
SUGGESTIONS = 8
SEARCH_COLUMNS = ["property_id", "address", "parcel_id"]


def parcel_query(text: str) -> str | None:
    """The digits of `text` when it reads as a parcel id, else None."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= PARCEL_DIGITS and not any(ch.isalpha() for ch in text):
        return digits
    return None


def master_version(engine: Engine) -> tuple[int, str]:
    """Changes when properties are added or refreshed."""
    with reading(engine) as conn:
        return property_data.master_version(conn)


def matcher(engine: Engine) -> Matcher:
    """The matcher over the property master as stored (building it takes seconds on a city)."""
    with reading(engine) as conn:
        return Matcher(property_data.property_master(conn))


def address_index(engine: Engine) -> pd.DataFrame:
    """Every address of every property (property_id, address, parcel_id): what search looks through."""
    with reading(engine) as conn:
        return property_data.property_master(conn)[SEARCH_COLUMNS]


def search_properties(engine: Engine, text: str, limit: int = SUGGESTIONS,
                      index: pd.DataFrame | None = None) -> pd.DataFrame:
    """Properties whose parcel id `text` is, or whose address is closest to it (typos forgiven),
    best first; `index` is address_index(engine), read when not given."""
    index = address_index(engine) if index is None else index
    text = text.strip()
    if not text:
        return index.iloc[0:0]
    parcel = parcel_query(text)
    if parcel is not None:
        return index[index["parcel_id"] == parcel].drop_duplicates("property_id").head(limit)
    found = process.extract(text.upper(), index["address"].tolist(), scorer=fuzz.WRatio, limit=limit * 2,
                            score_cutoff=60)
    rows = index.iloc[[position for _match, _score, position in found]]
    return rows.drop_duplicates("property_id").head(limit)


def property_history(engine: Engine, property_id: str, viewer: access.User | None) -> tuple[dict | None, pd.DataFrame]:
    """The property (None when there is no such id) and its records from every department, newest
    first, with the sensitive fields `viewer` may not read blanked."""
    with reading(engine) as conn:
        found = property_data.get_property(conn, property_id)
        history = department_records.property_records(conn, property_id)
    return found, access.redact(history, viewer)


def cases(engine: Engine, property_id: str) -> list[dict]:
    """The property's cases, newest first, with their actions and history."""
    with reading(engine) as conn:
        return casework.cases_for_property(conn, property_id)


def explanation(engine: Engine, property_id: str, institutions: Mapping[str, str] | None = None,
                records: pd.DataFrame | None = None) -> pd.Series | None:
    """The property's score row for the default window ending at the last record loaded; None when
    it has no records. `institutions` (property_id -> treatment) is read when not given; `records`,
    the property's records as property_history gave them (for any viewer: the score reads no
    sensitive field), saves reading them again."""
    _first, last_day = date_range(engine)
    with reading(engine) as conn:
        found = property_data.get_property(conn, property_id)
        history = department_records.property_records(conn, property_id) if records is None else records
    if last_day is None or found is None or history.empty:
        return None
    listed = dict(listed_institutions(engine) if institutions is None else institutions)
    placed = history.assign(property_id=property_id, occurred_at=pd.to_datetime(history["occurred_at"]))
    facts = pd.DataFrame({"property_id": [property_id], "land_use": [found["land_use"]]})
    scored = scoring.score(placed, window_end(last_day), properties=facts, institutions=listed)
    return scored.iloc[0] if len(scored) else None
