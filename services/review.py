"""Match review: the address strings the matcher could not safely place, their records and candidates.

Entry points: `groups`, `summary`, `group_records`, `candidates`, `properties_within`, `decisions`.
The decision itself is `loaders.placement.decide` (and `undo`).
"""

import json
from collections.abc import Sequence

import pandas as pd
from sqlalchemy.engine import Engine

from integration import access
from storage import property_data, review_queue
from storage.engine import reading

STATUSES = ("review", "unmatched")


def groups(engine: Engine, department: str | None = None, limit: int = 500) -> pd.DataFrame:
    """Records waiting for a decision, one row per department and address string, largest first:
    department, normalized, status, records, example (as written), candidates (JSON)."""
    with reading(engine) as conn:
        return review_queue.review_groups(conn, department, STATUSES, limit=limit)


def summary(engine: Engine, department: str | None = None, statuses: Sequence[str] = STATUSES) -> dict[str, int]:
    """How much waits: address strings, their records, and records with no usable address."""
    with reading(engine) as conn:
        return review_queue.review_summary(conn, department, tuple(statuses))


def group_records(engine: Engine, viewer: access.User | None, department: str, normalized: str) -> pd.DataFrame:
    """The newest records of one address string, the fields `viewer` may not read blanked."""
    with reading(engine) as conn:
        found = review_queue.group_records(conn, department, normalized)
    return access.redact(found, viewer, department)


def candidates(engine: Engine, candidates_json: str | None) -> pd.DataFrame:
    """A group's candidate properties as the matcher ranked them: rank, property_id, address, score,
    parcel_id, lat, lon."""
    listed = json.loads(candidates_json) if isinstance(candidates_json, str) else []
    ranked = pd.DataFrame(listed, columns=["property_id", "address", "score"])
    ranked.insert(0, "rank", range(1, len(ranked) + 1))
    with reading(engine) as conn:
        located = property_data.property_facts(conn, list(ranked["property_id"]))
    return ranked.merge(located[["property_id", "parcel_id", "lat", "lon"]], on="property_id", how="left")


def properties_within(engine: Engine, box: tuple[float, float, float, float]) -> pd.DataFrame:
    """The properties inside a (south, west, north, east) box: the surroundings of a small map."""
    with reading(engine) as conn:
        return property_data.properties_within(conn, *box)


def decisions(engine: Engine, department: str | None = None, limit: int = 100) -> pd.DataFrame:
    """The latest decisions, newest first, with the address of the property each placed its records on."""
    with reading(engine) as conn:
        made = review_queue.decisions(conn, department, limit=limit)
        placed_on = property_data.property_facts(conn, list(made["property_id"].dropna().unique()))
    addresses = dict(zip(placed_on["property_id"], placed_on["address"]))
    return made.assign(property_address=made["property_id"].map(addresses))
