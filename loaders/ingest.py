"""The ingest pipeline: read, map, validate, match, store — all of a file or none of it.

`prepare()` does everything that needs no write (so a page can preview it); `commit()` stores a
prepared file in one transaction. `ingest()` does both.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from integration.matcher import Matcher
from loaders.read import LoadError, read_table
from loaders.specs import DepartmentSpec, spec
from loaders.validate import validate
from storage import repository
from storage.engine import reading, writing

Progress = Callable[[str, float], None]

DECISION_STATUS = {
    "property": "matched",
    "block": "block",
    "intersection": "intersection",
    "not_property": "unmatched",
    "outside": "unmatched",
}


@dataclass
class Prepared:
    department: str
    file_name: str
    file_hash: str
    columns: dict[str, str]
    records: pd.DataFrame
    matches: pd.DataFrame  # aligned with records
    rejects: list[dict]
    rows_read: int
    notes: list[str] = field(default_factory=list)

    def status_counts(self) -> dict[str, int]:
        return self.matches["status"].value_counts().to_dict()


@dataclass
class IngestResult:
    ingest_id: int
    department: str
    file_name: str
    counts: dict[str, int]
    statuses: dict[str, int]
    notes: list[str]

    def summary(self) -> str:
        c = self.counts
        placed = ", ".join(f"{n:,} {status}" for status, n in sorted(self.statuses.items()))
        return (
            f"{self.department}: {self.file_name}: {c['read']:,} rows read, {c['new']:,} new, {c['updated']:,} updated, "
            f"{c['unchanged']:,} unchanged, {c['rejected']:,} rejected" + (f"; matched: {placed}" if placed else "")
        )


def file_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def prepare(content: bytes, file_name: str, department: str, engine: Engine, columns: dict[str, str] | None = None,
            today: datetime | None = None, matcher: Matcher | None = None) -> Prepared:
    """Read, map, validate and match a department file without storing anything."""
    department_spec = spec(department)
    table = read_table(content, file_name)
    frame = table.frame
    headers = list(frame.columns)
    columns = columns or department_spec.resolve(headers)
    _check_columns(department_spec, columns, headers, file_name)
    if frame.empty:
        raise LoadError(f"{file_name} has a header row but no records")
    checked = validate(frame, department_spec, columns, today=today)
    if matcher is None:
        with reading(engine) as conn:
            matcher = Matcher(repository.property_master(conn))
    placed = matcher.match(checked.records)
    placed = apply_decisions(engine, department, placed)
    return Prepared(
        department=department,
        file_name=file_name,
        file_hash=file_hash(content),
        columns=columns,
        records=checked.records,
        matches=placed,
        rejects=checked.rejects,
        rows_read=len(frame),
        notes=table.notes,
    )


def _check_columns(department_spec: DepartmentSpec, columns: dict[str, str], headers: list[str], file_name: str) -> None:
    missing = department_spec.missing(columns)
    if not missing:
        return
    wanted = "; ".join(f"{field} (one of: {', '.join(department_spec.fields.get(field, ()))})" for field in missing)
    raise LoadError(
        f"{file_name} does not look like a {department_spec.label} extract: no column for {wanted}. "
        f"Its columns are: {', '.join(headers)}"
    )


def apply_decisions(engine: Engine, department: str, placed: pd.DataFrame) -> pd.DataFrame:
    """Analysts' decisions win over the matcher, for every record with a decided address string."""
    with reading(engine) as conn:
        decisions = repository.match_decisions_for(conn, department)
    if decisions.empty or placed.empty:
        return placed
    decided = placed[["normalized"]].merge(decisions, on="normalized", how="left")
    hit = decided["decision"].notna().to_numpy()
    placed = placed.copy()
    placed.loc[hit, "status"] = decided.loc[hit, "decision"].map(DECISION_STATUS).to_numpy()
    placed.loc[hit, "method"] = "decision"
    placed.loc[hit, "property_id"] = decided.loc[hit, "property_id"].to_numpy()
    placed.loc[hit, "score"] = 1.0
    placed.loc[hit, "candidates"] = None
    return placed


def commit(engine: Engine, prepared: Prepared, loaded_by: str, progress: Progress | None = None) -> IngestResult:
    """Store a prepared file in one transaction: its records, their matches, its rejects, its log line."""
    progress = progress or (lambda _step, _share: None)
    records = prepared.records
    matches = prepared.matches
    with writing(engine) as conn:
        ingest_id = repository.start_ingest(conn, prepared.department, prepared.file_name, prepared.file_hash,
                                            loaded_by, mapping=_mapping_text(prepared.columns))
        existing = repository.existing_records(conn, prepared.department, records["source_record_id"].tolist())
        known = records["source_record_id"].map(lambda sid: existing.get(sid, (None, None)))
        record_ids = known.map(lambda pair: pair[0])
        is_new = record_ids.isna()
        changed = ~is_new & (known.map(lambda pair: pair[1]) != records["content_hash"])
        progress("storing records", 0.2)

        columns = [c for c in records.columns if c != "row_number"]
        new_rows = plain_rows(records.loc[is_new, columns].assign(ingest_id=ingest_id, updated_ingest_id=None))
        new_ids = repository.insert_records(conn, new_rows)
        record_ids = record_ids.astype(object)
        record_ids.loc[is_new] = new_ids
        changed_rows = plain_rows(records.loc[changed, columns].drop(columns=["department", "source_record_id"])
                             .assign(record_id=record_ids[changed], updated_ingest_id=ingest_id))
        repository.update_records(conn, changed_rows)
        progress("storing matches", 0.6)

        touched = is_new | changed
        stamp = repository.now()
        match_rows = plain_rows(matches.loc[touched, ["property_id", "status", "method", "score", "candidates", "normalized"]]
                           .assign(record_id=record_ids[touched], matched_at=stamp))
        repository.replace_matches(conn, match_rows)
        repository.insert_rejects(conn, ingest_id, prepared.rejects)
        counts = {
            "read": prepared.rows_read,
            "new": int(is_new.sum()),
            "updated": int(changed.sum()),
            "unchanged": int((~touched).sum()),
            "rejected": len(prepared.rejects),
        }
        repository.finish_ingest(conn, ingest_id, counts)
        repository.audit(conn, loaded_by, "upload", prepared.file_name,
                         f"{prepared.department}: {counts['new']} new, {counts['updated']} updated")
    progress("done", 1.0)
    return IngestResult(ingest_id, prepared.department, prepared.file_name, counts, prepared.status_counts(),
                        prepared.notes)


def ingest(path: Path, department: str, engine: Engine, loaded_by: str = "command line",
           columns: dict[str, str] | None = None, progress: Progress | None = None,
           matcher: Matcher | None = None) -> IngestResult:
    """Load one department extract from a file."""
    content = Path(path).read_bytes()
    prepared = prepare(content, Path(path).name, department, engine, columns=columns, matcher=matcher)
    return commit(engine, prepared, loaded_by, progress)


def _mapping_text(columns: dict[str, str]) -> str:
    return "; ".join(f"{field}={source}" for field, source in sorted(columns.items()))


def plain_rows(frame: pd.DataFrame) -> list[dict]:
    """DataFrame rows as dicts of plain Python values (None for missing), ready for executemany."""
    if frame.empty:
        return []
    plain = frame.astype(object).where(frame.notna(), None)
    rows = plain.to_dict(orient="records")
    for row in rows:
        for key, value in row.items():
            if isinstance(value, pd.Timestamp):
                row[key] = value.to_pydatetime()
    return rows
