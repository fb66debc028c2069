"""The ingest pipeline: read, map, validate, match, store — all of a file or none of it.

`prepare()` does everything that needs no write (so a page can preview it); `commit()` stores a
prepared file in one transaction. `ingest()` does both.
"""

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from integration.matcher import Matcher
from loaders import mappings
from loaders.read import LoadError, read_table
from loaders.specs import DepartmentSpec, best_fit, detect_department, field_label, spec
from loaders.validate import HASHED, validate
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
    mapping_name: str | None = None  # the saved mapping (or mapping file) that fed `columns`
    sheet: str | None = None  # the workbook sheet read, for XLSX

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
        rows = "row" if c["read"] == 1 else "rows"
        return (
            f"{self.department}: {self.file_name}: {c['read']:,} {rows} read, {c['new']:,} new, "
            f"{c['updated']:,} updated, {c['unchanged']:,} unchanged, {c['rejected']:,} rejected"
            + (f"; matched: {placed}" if placed else "")
        )


def file_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def prepare(content: bytes, file_name: str, department: str | None, engine: Engine,
            columns: dict[str, str] | None = None, today: datetime | None = None, matcher: Matcher | None = None,
            mapping: str | None = None) -> Prepared:
    """Read, map, validate and match a department file without storing anything.

    `department` None: detected from the headers. Which column feeds which field: `columns`, or
    `mapping` (a saved mapping's name, or a JSON/TOML mapping file), or else the department's column
    names, and failing those a mapping saved for files of this shape.
    """
    mapping_name = None
    if mapping is not None:
        department = department or _department_of_mapping(engine, mapping)
        chosen = mappings.resolve(engine, department, mapping)
        columns, mapping_name = chosen.columns, chosen.name
    table = read_table(content, file_name, fit=_sheet_fit(engine, department, columns))
    frame, notes = table.frame, list(table.notes)
    headers = list(frame.columns)
    if department is None:
        department = _detect(engine, file_name, headers, notes)
    department_spec = spec(department)
    if columns is not None:
        columns = mappings.check_mapping(department, columns, headers, file_name, mapping_name)
        if mapping_name:
            notes.append(f"columns mapped as '{mapping_name}' says")
    else:
        columns, mapping_name = _columns_for(engine, department_spec, headers, file_name)
        if mapping_name:
            notes.append(f"used the {department_spec.label} mapping '{mapping_name}' saved for files with "
                         f"these columns")
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
        notes=notes,
        mapping_name=mapping_name,
        sheet=table.sheet,
    )


def _department_of_mapping(engine: Engine, name: str) -> str:
    if Path(name).suffix.lower() in mappings.MAPPING_FILE_SUFFIXES:
        raise LoadError(f"choose the department to load with the mapping file {Path(name).name}")
    found = mappings.departments_with(engine, name)
    if len(found) != 1:
        where = f"several departments ({', '.join(found)})" if found else "no department"
        raise LoadError(f"{where} saved a mapping called '{name}'; choose the department")
    return found[0]


def _sheet_fit(engine: Engine, department: str | None, columns: dict[str, str] | None):
    """How well a workbook sheet's headers fit what is being loaded: the sheet to read is the best."""
    if columns is not None:
        return mappings.columns_fit(columns)
    fit = spec(department).fit if department is not None else best_fit

    @cache
    def saved() -> frozenset[str]:  # read only for a workbook of several sheets
        with reading(engine) as conn:
            return frozenset(repository.mappings(conn, department)["header_signature"])

    return lambda headers: 1.0 if mappings.header_signature(headers) in saved() else fit(headers)


def _detect(engine: Engine, file_name: str, headers: list[str], notes: list[str]) -> str:
    """The department a file's headers (or a mapping saved for its shape) say it comes from."""
    detected, _fit = detect_department(headers)
    if detected is not None:
        notes.append(f"taken for a {spec(detected).label} extract from its columns")
        return detected
    saved = mappings.saved_for_any(engine, headers)
    if len(saved) == 1:
        notes.append(f"taken for a {spec(saved[0][0]).label} extract: a mapping for its columns was saved there")
        return saved[0][0]
    raise LoadError(f"{file_name} does not look like any department's extract (its columns are: "
                    f"{', '.join(headers)}): choose the department and map its columns")


def _columns_for(engine: Engine, department_spec: DepartmentSpec, headers: list[str],
                 file_name: str) -> tuple[dict[str, str], str | None]:
    """The department's own column names; else a mapping saved for this file shape; else why neither fits."""
    resolved = department_spec.resolve(headers)
    if not department_spec.missing(resolved):
        return resolved, None
    saved = mappings.saved_for(engine, department_spec.department, headers)
    if saved is not None:
        checked = mappings.check_mapping(department_spec.department, saved["columns"], headers, file_name,
                                         saved["name"])
        return checked, saved["name"]
    other, _fit = detect_department(headers)
    if other is not None and other != department_spec.department:
        other_spec = spec(other)
        found = other_spec.resolve(headers)
        shown = ", ".join(found[f] for f in other_spec.required if f in found)
        raise LoadError(f"{file_name} looks like a {other_spec.label} extract ({shown}), not "
                        f"{department_spec.label}: choose {other_spec.label}, or map its columns")
    _check_columns(department_spec, resolved, headers, file_name)
    return resolved, None


def _check_columns(department_spec: DepartmentSpec, columns: dict[str, str], headers: list[str], file_name: str) -> None:
    missing = department_spec.missing(columns)
    if not missing:
        return
    wanted = "; ".join(f"{field_label(field)}, one of: {', '.join(department_spec.fields.get(field, ()))}"
                       for field in missing)
    raise LoadError(
        f"{file_name} does not look like a {department_spec.label} extract: no column for {wanted}. "
        f"Its columns are: {', '.join(headers)}. Choose another department, or map its columns"
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
                                            loaded_by, mapping=mappings.mapping_text(prepared.columns,
                                                                                     prepared.mapping_name))
        existing = repository.existing_records(conn, prepared.department, records["source_record_id"].tolist())
        known = [existing.get(sid, (None, None)) for sid in records["source_record_id"]]
        record_ids = pd.Series([pair[0] for pair in known], index=records.index, dtype=object)
        is_new = record_ids.isna()
        changed = ~is_new & (pd.Series([pair[1] for pair in known], index=records.index) != records["content_hash"])
        progress("storing records", 0.2)

        columns = [c for c in records.columns if c != "row_number"]
        new_rows = plain_rows(records.loc[is_new, columns].assign(ingest_id=ingest_id, updated_ingest_id=None))
        new_ids = repository.insert_new_records(conn, new_rows, ingest_id)
        record_ids.loc[is_new] = new_ids
        stamp = repository.now()
        changed_ids = record_ids[changed].tolist()
        before = repository.records_by_ids(conn, changed_ids, HASHED)
        changes = record_changes(records.loc[changed], changed_ids, before, ingest_id, stamp)
        changed_rows = plain_rows(records.loc[changed, columns].drop(columns=["department", "source_record_id"])
                                  .assign(record_id=record_ids[changed], updated_ingest_id=ingest_id))
        repository.update_records(conn, changed_rows)
        repository.insert_record_changes(conn, changes)
        progress("storing matches", 0.6)

        touched = is_new | changed
        match_rows = plain_rows(matches.loc[touched, ["property_id", "status", "method", "score", "candidates",
                                                      "normalized"]]
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


def record_changes(changed: pd.DataFrame, record_ids: list[int], before: dict[int, dict], ingest_id: int,
                   stamp: datetime) -> list[dict]:
    """One change row per record a newer extract changed: the old and new values of the fields that differ."""
    old = {name: [_comparable(before[record_id][name]) for record_id in record_ids] for name in HASHED}
    new = {name: [_comparable(value) for value in changed[name].tolist()] for name in HASHED}
    rows = []
    for i, record_id in enumerate(record_ids):
        differ = [name for name in HASHED if old[name][i] != new[name][i]]
        if not differ:
            continue  # same values under an older fingerprint: nothing a person would call a change
        rows.append({
            "record_id": record_id,
            "ingest_id": ingest_id,
            "changed_at": stamp,
            "before": json.dumps({name: old[name][i] for name in differ}, ensure_ascii=False),
            "after": json.dumps({name: new[name][i] for name in differ}, ensure_ascii=False),
        })
    return rows


def _comparable(value):
    """A stored or new field value as JSON can hold it: None for missing, ISO text for a date-time."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime):  # pd.Timestamp is a datetime too
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def ingest(path: Path, department: str | None, engine: Engine, loaded_by: str = "command line",
           columns: dict[str, str] | None = None, progress: Progress | None = None,
           matcher: Matcher | None = None, mapping: str | None = None) -> IngestResult:
    """Load one department extract from a file (department None: detected from its columns)."""
    content = Path(path).read_bytes()
    prepared = prepare(content, Path(path).name, department, engine, columns=columns, matcher=matcher,
                       mapping=mapping)
    return commit(engine, prepared, loaded_by, progress)


def plain_rows(frame: pd.DataFrame) -> list[dict]:
    """DataFrame rows as dicts of plain Python values (None for missing), ready for executemany."""
    if frame.empty:
        return []
    values = [_plain_column(frame.iloc[:, i]) for i in range(frame.shape[1])]
    names = list(frame.columns)
    return [dict(zip(names, row)) for row in zip(*values)]


def _plain_column(column: pd.Series) -> list:
    missing = column.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(column):
        values = list(column.dt.to_pydatetime())
    elif column.dtype == object:
        values = [value.item() if isinstance(value, np.generic) else value for value in column.tolist()]
    else:
        values = column.tolist()  # numbers and strings: tolist() already gives Python values
    if missing.any():
        values = [None if gap else value for value, gap in zip(values, missing)]
    return values
