"""Match review: the address strings the matcher could not safely place, their records and candidates.

Entry points: `groups`, `summary`, `group_records`, `candidates`, `properties_within`, `decisions`,
`mark_not_addresses`. One address's decision is `loaders.placement.decide` (and `undo`).

Groups come in three kinds (`KINDS`): a house number on a street, which a decision can place on one
property; a street or place without a number; and text that is not an address at all (N/A, UNKNOWN,
CITYWIDE, ?, a note), which one decision marks for every such string at once.
"""

import json
from collections.abc import Sequence

import pandas as pd
from sqlalchemy.engine import Engine

from integration import access
from integration.address import normalize
from integration.matcher import rank_candidates
from loaders import placement
from loaders.validate import PLACEHOLDERS
from storage import property_data, review_queue
from storage.engine import reading

STATUSES = ("review", "unmatched")
NUMBERED, UNNUMBERED, NOT_AN_ADDRESS = "numbered", "unnumbered", "not_address"
KINDS = {
    NUMBERED: "A house number on a street",
    UNNUMBERED: "A street or place without a house number",
    NOT_AN_ADDRESS: "Not an address",
}
NOTE_WORDS = 8  # this many words and no house number: a note someone typed, not a street's name


def address_kind(normalized: str, example: str | None = None) -> str:
    """Which of `KINDS` an address string is, judged by its normalised form and one way it was written."""
    address = normalize(normalized)
    if address.kind in ("empty", "po_box"):
        return NOT_AN_ADDRESS
    written = " ".join(str(example or "").lower().split())
    if normalized.strip().lower() in PLACEHOLDERS or written in PLACEHOLDERS:
        return NOT_AN_ADDRESS
    if address.kind == "address" and address.number.isdigit():
        return NUMBERED
    if address.kind == "address" and len(normalized.split()) >= NOTE_WORDS:
        return NOT_AN_ADDRESS
    return UNNUMBERED


def groups(engine: Engine, department: str | None = None, limit: int = 500) -> pd.DataFrame:
    """Records waiting for a decision, one row per department and address string: department,
    normalized, status, records, example (as written), candidates (JSON, nearest first) and kind
    (see `KINDS`).
    The groups a decision can place on a property come first, then streets without a number,
    then what is not an address; the largest first within each."""
    with reading(engine) as conn:
        found = review_queue.review_groups(conn, department, STATUSES, limit=limit)
    kinds = [address_kind(n, e) for n, e in zip(found["normalized"], found["example"])]
    ranked = [json.dumps(rank_candidates(n, json.loads(c))) if isinstance(c, str) else c
              for n, c in zip(found["normalized"], found["candidates"])]
    return _ordered(found.assign(kind=kinds, candidates=ranked))


def _ordered(found: pd.DataFrame) -> pd.DataFrame:
    rank = found["kind"].map({kind: place for place, kind in enumerate(KINDS)})
    return (found.assign(_rank=rank).sort_values(["_rank", "records", "normalized"], ascending=[True, False, True],
                                                 kind="stable")
            .drop(columns="_rank").reset_index(drop=True))


def summary(engine: Engine, department: str | None = None, statuses: Sequence[str] = STATUSES,
            contains: str = "") -> dict[str, int]:
    """How much waits under these filters: address strings a decision can act on (`groups`) and
    their records, strings that are not an address (`not_address`) and their records, and records
    with no address at all (`blank`, none when searching for an address)."""
    with reading(engine) as conn:
        found = review_queue.review_groups(conn, department, tuple(statuses), limit=None, contains=contains,
                                           with_candidates=False)
        blank = 0 if contains.strip() else review_queue.review_summary(conn, department, tuple(statuses))["blank"]
    junk = pd.Series([address_kind(n, e) == NOT_AN_ADDRESS for n, e in zip(found["normalized"], found["example"])],
                     index=found.index, dtype=bool)
    return {"groups": int((~junk).sum()), "records": int(found.loc[~junk, "records"].sum()),
            "not_address": int(junk.sum()), "not_address_records": int(found.loc[junk, "records"].sum()),
            "blank": int(blank)}


def mark_not_addresses(engine: Engine, strings: Sequence[tuple[str, str]], decided_by: str,
                       note: str | None = None) -> int:
    """One decision for many strings that are not an address: each (department, normalized) is
    marked "not a property" as `loaders.placement.decide` records it, with its audit row; returns
    how many records moved."""
    return sum(placement.decide(engine, department, normalized, "not_property", decided_by, note=note)
               for department, normalized in strings)


def group_records(engine: Engine, viewer: access.User | None, department: str, normalized: str) -> pd.DataFrame:
    """The newest records of one address string, the fields `viewer` may not read blanked."""
    with reading(engine) as conn:
        found = review_queue.group_records(conn, department, normalized)
    return access.redact(found, viewer, department)


def candidates(engine: Engine, candidates_json: str | None, written: str | None = None) -> pd.DataFrame:
    """A group's candidate properties, nearest to the address `written` first: rank, property_id,
    address, score, parcel_id, lat, lon."""
    listed = json.loads(candidates_json) if isinstance(candidates_json, str) else []
    if written:
        listed = rank_candidates(written, listed)
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
