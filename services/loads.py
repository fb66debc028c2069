"""Loads: the log of extracts loaded, the rows each rejected, storing a prepared file, and the
property master.

Entry points: `history(engine)`, `rejects(engine, ingest_id)`, `load(engine, prepared, loaded_by)`,
`read_master(content, file_name)`, `plan_master(engine, master)`, `load_master(engine, master, loaded_by)`.
"""

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from loaders import ingest
from loaders.placement import rematch
from loaders.properties import Master
from loaders.properties import read_master as _read_master
from loaders.read import LoadError
from services import hotspots
from storage import audit_trail, data_quality, loading, property_data
from storage.engine import reading, writing
from vocabulary import MATCH_STATUSES


def history(engine: Engine, limit: int = 200) -> pd.DataFrame:
    """The latest loads, newest first, with their counts."""
    with reading(engine) as conn:
        return loading.ingest_history(conn, limit)


def rejects(engine: Engine, ingest_id: int) -> pd.DataFrame:
    """The rows one load rejected: row_number, kind, reason, raw."""
    with reading(engine) as conn:
        return loading.rejects_for_ingest(conn, ingest_id)


def load(engine: Engine, prepared: ingest.Prepared, loaded_by: str,
         progress: ingest.Progress | None = None) -> ingest.IngestResult:
    """Store a prepared file in one transaction. A database that refuses it raises LoadError with the
    database's own words: nothing is stored."""
    try:
        result = ingest.commit(engine, prepared, loaded_by, progress=progress)
    except sa.exc.SQLAlchemyError as failure:
        raise LoadError(str(getattr(failure, "orig", None) or failure)) from failure
    hotspots.keep_default_view(engine)  # the hotspots page's first view after the load is read, not scored
    return result


# --- the property master ------------------------------------------------------------------------


@dataclass(frozen=True)
class MasterPlan:
    """What storing a master file would do, counted against the database as it is now."""
    properties: int  # in the file
    addresses: int
    new: int  # in the file, not yet in the database
    updated: int  # in both: their fields and address lists replaced by the file's
    kept: int  # in the database, not in the file: kept as they are (records may point at them)
    records: int  # records stored now: every one is placed again on the new master
    placed: dict[str, int]  # records per match status now

    @property
    def replaces(self) -> bool:
        """Whether the database already holds a master that this file changes."""
        return self.updated + self.kept > 0


@dataclass(frozen=True)
class MasterLoad:
    """What storing a master did."""
    file_name: str
    new: int
    updated: int
    addresses: int
    records: int  # records placed again
    before: dict[str, int]  # records per match status before the load
    after: dict[str, int]  # and after


def read_master(content: bytes, file_name: str) -> Master:
    """A property master file read and checked; raises LoadError saying what is wrong and where.
    Nothing is stored."""
    return _read_master(content, file_name)


def plan_master(engine: Engine, master: Master) -> MasterPlan:
    """What loading `master` would change: properties added, updated and kept, records placed again."""
    ids = [row["property_id"] for row in master.property_rows]
    with reading(engine) as conn:
        updated = len(property_data.property_facts(conn, ids))
        total = property_data.count_properties(conn)
        records, placed = _placements(conn)
    return MasterPlan(properties=len(ids), addresses=len(master.address_rows), new=len(ids) - updated,
                      updated=updated, kept=total - updated, records=records, placed=placed)


def load_master(engine: Engine, master: Master, loaded_by: str) -> MasterLoad:
    """Store the property master in one transaction, with its audit row, then place every stored record
    again on it (analysts' match decisions still win). A database that refuses the master raises
    LoadError with its own words: nothing is stored."""
    try:
        with writing(engine) as conn:
            records, before = _placements(conn)
            counts = property_data.replace_properties(conn, master.property_rows, master.address_rows)
            audit_trail.audit(conn, loaded_by, "load_properties", master.file_name,
                              f"{len(master.property_rows):,} properties: {counts['new']:,} new, "
                              f"{counts['updated']:,} updated; {records:,} records to place again")
    except sa.exc.SQLAlchemyError as failure:
        raise LoadError(f"the database refused the property master, so nothing was stored: "
                        f"{getattr(failure, 'orig', None) or failure}") from failure
    try:
        placed_again = rematch(engine)
    except sa.exc.SQLAlchemyError as failure:
        raise LoadError(f"the property master of {master.file_name} was stored, but placing the stored records "
                        f"again failed ({getattr(failure, 'orig', None) or failure}): they keep their earlier "
                        "places until the file is loaded again") from failure
    with reading(engine) as conn:
        _, after = _placements(conn)
    hotspots.keep_default_view(engine)
    return MasterLoad(master.file_name, counts["new"], counts["updated"], counts["addresses"], placed_again,
                      before, after)


def _placements(conn) -> tuple[int, dict[str, int]]:
    """Stored records, and how many of them have each match status."""
    per_department = data_quality.overview(conn)
    if per_department.empty:
        return 0, dict.fromkeys(MATCH_STATUSES, 0)
    return (int(per_department["records"].sum()),
            {status: int(per_department[status].sum()) for status in MATCH_STATUSES})
