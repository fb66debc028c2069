"""The ingest pipeline: read, map, validate, match, store — all of a file or none of it.

`prepare()` does everything that needs no write (so a page can preview it); `commit()` stores a
prepared file in one transaction. `ingest()` does both.
"""

import hashlib
import json
import math
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from integration.matcher import Matcher
from loaders import mappings
from loaders.propose import Proposal, propose
from loaders.read import LoadError, read_table
from loaders.specs import best_fit, detect_department, field_label, find_layout, spec
from loaders.validate import HASHED, REJECT_KINDS, Validated, validate
from storage import audit_trail, department_records, loading, property_data, review_queue, store
from storage.engine import reading, writing

Progress = Callable[[str, float], None]
STORED_REJECT = ("row_number", "reason", "kind", "raw")

DECISION_STATUS = {
    "property": "matched",
    "block": "block",
    "intersection": "intersection",
    "not_property": "unmatched",
    "outside": "unmatched",
}


# A load that would reject more than this share of its rows stores nothing, unless told to load anyway.
MAX_REJECT_SHARE = 0.05
TOP_REASONS = 5
REJECT_PHRASES = {"not_a_date": "are not dates", "bad_closed_date": "are not dates",
                  "future_date": "are in the future", "too_old": "are before 1950"}


class TooManyRejects(LoadError):
    """A load refused whole: too many of its rows would be rejected."""

    def __init__(self, message: str, prepared: "Prepared"):
        super().__init__(message)
        self.prepared = prepared


@dataclass
class Prepared:
    department: str
    file_name: str
    file_hash: str
    columns: dict
    records: pd.DataFrame
    matches: pd.DataFrame  # aligned with records
    rejects: list[dict]
    rows_read: int
    notes: list[str] = field(default_factory=list)
    mapping_name: str | None = None  # the saved mapping, mapping file or known layout that fed `columns`
    sheet: str | None = None  # the workbook sheet read, for XLSX
    folded: int = 0  # rows added to an earlier row's record
    duplicates: int = 0  # rows that repeated an earlier row exactly

    def status_counts(self) -> dict[str, int]:
        return self.matches["status"].value_counts().to_dict()

    def reject_share(self) -> float:
        return len(self.rejects) / self.rows_read if self.rows_read else 0.0

    def top_reasons(self, limit: int = TOP_REASONS) -> list[str]:
        """The commonest reasons rows were rejected, each with its count, example values and rows."""
        return reject_summary(self.rejects, self.rows_read, limit)


def reject_summary(rejects: list[dict], rows_read: int, limit: int = TOP_REASONS) -> list[str]:
    """Rejects grouped by kind and column: "7,874 of 7,874 rows: 'when' values like '...' are not dates (rows 2, 3, 4)"."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for reject in rejects:
        groups.setdefault((reject["kind"], reject.get("column", "")), []).append(reject)
    lines = []
    for (kind, column), rows in sorted(groups.items(), key=lambda item: -len(item[1]))[:limit]:
        examples = list(dict.fromkeys(str(row.get("value", "")) for row in rows if row.get("value")))[:3]
        numbers = ", ".join(f"{row['row_number']:,}" for row in rows[:5]) + (", ..." if len(rows) > 5 else "")
        if kind in REJECT_PHRASES and examples:
            said = f"'{column}' values like {', '.join(repr(value) for value in examples)} {REJECT_PHRASES[kind]}"
        elif kind in ("missing_id", "missing_date", "missing_category"):
            said = f"'{column}' is empty"
        else:
            said = REJECT_KINDS.get(kind, kind)
        lines.append(f"{len(rows):,} of {rows_read:,} rows: {said} (row{'s' if len(rows) > 1 else ''} {numbers})")
    return lines


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
        folded = c.get("folded", 0) + c.get("duplicate", 0)
        return (
            f"{self.department}: {self.file_name}: {c['read']:,} {rows} read, {c['new']:,} new, "
            f"{c['updated']:,} updated, {c['unchanged']:,} unchanged, "
            + (f"{folded:,} folded into their record, " if folded else "")
            + f"{c['rejected']:,} rejected"
            + (f"; matched: {placed}" if placed else "")
        )


def file_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def prepare(content: bytes, file_name: str, department: str | None, engine: Engine,
            columns: dict | None = None, today: datetime | None = None, matcher: Matcher | None = None,
            mapping: str | None = None, date_order: str | None = None,
            max_reject_share: float | None = MAX_REJECT_SHARE, workers: int = 1) -> Prepared:
    """Read, map, validate and match a department file without storing anything.

    `department` None: detected from the headers. Which column feeds which field: `columns`, or
    `mapping` (a saved mapping's name, or a JSON/TOML mapping file), or else a mapping saved for files
    of this shape, a known layout, or the department's column names. Raises AmbiguousDateOrder when a
    date column reads both ways and `date_order` does not say; TooManyRejects when more than
    `max_reject_share` of the rows would be rejected (None: load whatever loads). `workers` > 1
    builds the matcher's index (when `matcher` is not given) and places the records in that many
    forked processes: for a command line, not inside a threaded server.
    """
    mapping_name = None
    if mapping is not None:
        department = department or _department_of_mapping(engine, mapping)
        chosen = mappings.resolve(engine, department, mapping)
        columns, mapping_name = chosen.columns, chosen.name
    table = read_table(content, file_name, fit=_sheet_fit(engine, department, columns))
    frame, notes = table.frame, list(table.notes)
    headers = list(frame.columns)
    if columns is not None:
        department = department or _department_of_columns(columns, headers, file_name)
        columns = mappings.check_mapping(department, columns, headers, file_name, mapping_name)
        if mapping_name:
            notes.append(f"columns mapped as '{mapping_name}' says")
    else:
        department, columns, mapping_name, how = _columns_for(engine, department, headers, file_name)
        notes.extend([how] if how else [])
    department_spec = spec(department)
    if frame.empty:
        raise LoadError(f"{file_name} has a header row but no records")
    def check() -> Validated:
        return validate(frame, department_spec, columns, today=today, date_order=date_order, faults=table.faults)

    if matcher is None:
        checked, matcher = _validated_and_indexed(check, engine, workers)
    else:
        checked = check()
    notes.extend(checked.notes)
    placed = matcher.match(checked.records)
    placed = apply_decisions(engine, department, placed)
    prepared = Prepared(
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
        folded=checked.folded,
        duplicates=checked.duplicates,
    )
    if max_reject_share is not None and prepared.reject_share() > max_reject_share:
        raise TooManyRejects(
            f"{file_name}: {len(prepared.rejects):,} of {prepared.rows_read:,} rows would be rejected "
            f"({prepared.reject_share():.0%}, more than the {max_reject_share:.0%} allowed), so nothing was "
            f"stored:\n" + "\n".join(f"  {line}" for line in prepared.top_reasons())
            + "\nCorrect the mapping or the file, or load it anyway with the rejects kept.", prepared)
    return prepared


_FORKED_CHECK: Callable[[], Validated] | None = None  # what a forked process validates, inherited, not pickled


def _forked_check() -> Validated | None:
    """The file validated, or None when it does not validate: its error is raised where it is
    validated again, not sent back (an exception that does not unpickle would hang the pool)."""
    try:
        return _FORKED_CHECK()
    except Exception:  # the file's problem, raised again by the loading process
        return None


def _validated_and_indexed(check: Callable[[], Validated], engine: Engine, workers: int) -> tuple[Validated, Matcher]:
    """The file validated and the master's index built. With several workers, a forked process
    validates while this one reads the master and builds the index (each about two seconds for a
    200,000-row file); should the fork fail, or the file not validate, it is validated here, so its
    problem is raised as a one-process load raises it."""
    global _FORKED_CHECK
    if workers < 2:
        checked = check()
        with reading(engine) as conn:
            master = property_data.property_master(conn)
        return checked, Matcher(master, workers=workers)
    checked = None
    _FORKED_CHECK = check
    try:
        # an executor, not a pool: a worker that dies (out of memory, say) fails the future instead of hanging it
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            pending = pool.submit(_forked_check)
            with reading(engine) as conn:
                master = property_data.property_master(conn)
            matcher = Matcher(master)  # in this process alone: the other core is validating
            try:
                checked = pending.result()
            except Exception:  # the worker died or its result did not come back: validated again below
                checked = None
    finally:
        _FORKED_CHECK = None
    matcher.workers = workers  # the records are placed on every core again
    return (checked if checked is not None else check()), matcher


def _department_of_mapping(engine: Engine, name: str) -> str:
    if Path(name).suffix.lower() in mappings.MAPPING_FILE_SUFFIXES:
        raise LoadError(f"choose the department to load with the mapping file {Path(name).name}")
    found = mappings.departments_with(engine, name)
    if len(found) != 1:
        where = f"several departments ({', '.join(found)})" if found else "no department"
        raise LoadError(f"{where} saved a mapping called '{name}'; choose the department")
    return found[0]


def _department_of_columns(columns: dict, headers: list[str], file_name: str) -> str:
    layout = find_layout(headers)
    if layout is not None:
        return layout.department
    detected, _fit = detect_department(headers)
    if detected is None:
        raise LoadError(f"choose the department to load {file_name} as")
    return detected


def _sheet_fit(engine: Engine, department: str | None, columns: dict | None):
    """How well a workbook sheet's headers fit what is being loaded: the sheet to read is the best."""
    if columns is not None:
        return mappings.columns_fit(columns)
    fit = spec(department).fit if department is not None else best_fit

    @cache
    def saved() -> frozenset[str]:  # read only for a workbook of several sheets
        with reading(engine) as conn:
            return frozenset(loading.mappings(conn, department)["header_signature"])

    def sheet_fit(headers: list[str]) -> float:
        if mappings.header_signature(headers) in saved() or find_layout(headers, department) is not None:
            return 1.0
        return fit(headers)

    return sheet_fit


@dataclass(frozen=True)
class MappingSource:
    """Where a file's mapping comes from, in the order a load takes them: a mapping an analyst saved for
    files of its shape (their word wins), a known layout, the department's own column names; failing
    those, a mapping proposed from the file's columns and values, for a person to confirm."""
    kind: str | None  # "saved", "layout", "names", "proposal"; None: the headers fit another department
    department: str | None
    columns: dict = field(default_factory=dict)  # as prepare() takes them: columns, lists, settings, keep
    name: str | None = None  # the saved mapping's name or the layout's label
    proposal: Proposal | None = None

    def note(self) -> str | None:
        if self.kind == "saved":
            return f"used the {spec(self.department).label} mapping '{self.name}' saved for files with these columns"
        if self.kind == "layout":
            return f"recognised as {self.name}"
        return None


def find_mapping(engine: Engine, headers: list[str], department: str | None = None,
                 frame: pd.DataFrame | None = None) -> MappingSource:
    """The mapping to load a file with (as `department`; None: whichever fits its headers).

    A proposal is made only when `frame` (the file's rows) is given and nothing else fits.
    """
    saved = mappings.saved_for_any(engine, headers) if department is None else \
        [(department, found)] if (found := mappings.saved_for(engine, department, headers)) else []
    if len(saved) == 1:
        found_in, found = saved[0]
        return MappingSource("saved", found_in, found["columns"], found["name"])
    layout = find_layout(headers, department)
    if layout is not None:
        return MappingSource("layout", layout.department, layout.mapping(), layout.label)
    detected, _fit = detect_department(headers)
    if department is None and detected is not None:
        return MappingSource("names", detected, spec(detected).resolve(headers))
    if department is not None:
        resolved = spec(department).resolve(headers)
        if not spec(department).missing(resolved):
            return MappingSource("names", department, resolved)
        if detected is not None or find_layout(headers) is not None or mappings.saved_for_any(engine, headers):
            # The headers fit another department: a proposal would dress that file up as this one's.
            return MappingSource(None, department)
    if frame is None:
        return MappingSource("proposal", department)
    proposal = propose(frame, department)
    return MappingSource("proposal", proposal.department, proposal.columns, proposal=proposal)


def _columns_for(engine: Engine, department: str | None, headers: list[str],
                 file_name: str) -> tuple[str, dict, str | None, str | None]:
    """(department, mapping, its name, how it was found) for a file given without a mapping; LoadError
    when the headers fit another department or nothing (a person must map the file, or confirm a proposal)."""
    found = find_mapping(engine, headers, department)
    if found.kind in ("saved", "layout"):
        checked = mappings.check_mapping(found.department, found.columns, headers, file_name, found.name)
        return found.department, checked, found.name, found.note()
    if found.kind == "names":
        how = None if department else f"taken for a {spec(found.department).label} extract from its columns"
        return found.department, found.columns, None, how
    detected, _fit = detect_department(headers)
    if found.kind is None and detected is not None:
        department_spec, other_spec = spec(department), spec(detected)
        shown = ", ".join(column for field, column in other_spec.resolve(headers).items()
                          if field in other_spec.required)
        raise LoadError(f"{file_name} looks like a {other_spec.label} extract ({shown}), not "
                        f"{department_spec.label}: choose {other_spec.label}, or map its columns")
    raise UnknownLayout(file_name, headers, department)


class UnknownLayout(LoadError):
    """A file whose columns no saved mapping, known layout or department names explain."""

    def __init__(self, file_name: str, headers: list[str], department: str | None):
        self.file_name, self.headers, self.department = file_name, headers, department
        if department is None:
            message = (f"{file_name} does not look like any department's extract (its columns are: "
                       f"{', '.join(headers)}): choose the department and map its columns")
        else:
            department_spec = spec(department)
            missing = department_spec.missing(department_spec.resolve(headers))
            wanted = "; ".join(f"{field_label(field)}, one of: {', '.join(department_spec.fields.get(field, ()))}"
                               for field in missing)
            message = (f"{file_name} does not look like a {department_spec.label} extract: no column for "
                       f"{wanted}. Its columns are: {', '.join(headers)}. Choose another department, or map "
                       f"its columns")
        super().__init__(message)


def apply_decisions(engine: Engine, department: str, placed: pd.DataFrame) -> pd.DataFrame:
    """Analysts' decisions win over the matcher, for every record with a decided address string."""
    with reading(engine) as conn:
        decisions = review_queue.match_decisions_for(conn, department)
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
        ingest_id = loading.start_ingest(conn, prepared.department, prepared.file_name, prepared.file_hash,
                                            loaded_by, mapping=mappings.mapping_text(prepared.columns,
                                                                                     prepared.mapping_name))
        existing = department_records.existing_records(conn, prepared.department, records["source_record_id"].tolist())
        known = [existing.get(sid, (None, None)) for sid in records["source_record_id"]]
        record_ids = pd.Series([pair[0] for pair in known], index=records.index, dtype=object)
        is_new = record_ids.isna()
        changed = ~is_new & (pd.Series([pair[1] for pair in known], index=records.index) != records["content_hash"])
        progress("storing records", 0.2)

        columns = [c for c in records.columns if c != "row_number"]
        new_rows = plain_rows(records.loc[is_new, columns].assign(ingest_id=ingest_id, updated_ingest_id=None))
        new_ids = department_records.insert_new_records(conn, new_rows, ingest_id)
        record_ids.loc[is_new] = new_ids
        stamp = store.now()
        changed_ids = record_ids[changed].tolist()
        before = department_records.records_by_ids(conn, changed_ids, HASHED)
        changes = record_changes(records.loc[changed], changed_ids, before, ingest_id, stamp)
        changed_rows = plain_rows(records.loc[changed, columns].drop(columns=["department", "source_record_id"])
                                  .assign(record_id=record_ids[changed], updated_ingest_id=ingest_id))
        department_records.update_records(conn, changed_rows)
        department_records.insert_record_changes(conn, changes)
        progress("storing matches", 0.6)

        touched = is_new | changed
        match_rows = plain_rows(matches.loc[touched, ["property_id", "status", "method", "score", "candidates",
                                                      "normalized"]]
                                .assign(record_id=record_ids[touched], matched_at=stamp))
        department_records.replace_matches(conn, match_rows)
        loading.insert_rejects(conn, ingest_id, [{name: reject[name] for name in STORED_REJECT}
                                                    for reject in prepared.rejects])
        counts = {
            "read": prepared.rows_read,
            "new": int(is_new.sum()),
            "updated": int(changed.sum()),
            "unchanged": int((~touched).sum()),
            "folded": prepared.folded,
            "duplicate": prepared.duplicates,
            "rejected": len(prepared.rejects),
        }
        loading.finish_ingest(conn, ingest_id, counts)
        audit_trail.audit(conn, loaded_by, "upload", prepared.file_name,
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
           columns: dict | None = None, progress: Progress | None = None,
           matcher: Matcher | None = None, mapping: str | None = None, date_order: str | None = None,
           max_reject_share: float | None = MAX_REJECT_SHARE, workers: int = 1) -> IngestResult:
    """Load one department extract from a file (department None: detected from its columns)."""
    content = Path(path).read_bytes()
    prepared = prepare(content, Path(path).name, department, engine, columns=columns, matcher=matcher,
                       mapping=mapping, date_order=date_order, max_reject_share=max_reject_share,
                       workers=workers)
    return commit(engine, prepared, loaded_by, progress)


def plain_rows(frame: pd.DataFrame) -> store.Rows:
    """DataFrame rows as dicts of plain Python values (None for missing), ready for executemany;
    held as columns (storage.store.Rows), which the store writes without a dict per row."""
    if frame.empty:
        return store.Rows({})
    return store.Rows({name: _plain_column(frame.iloc[:, i]) for i, name in enumerate(frame.columns)})


def _plain_column(column: pd.Series) -> list:
    missing = column.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(column):
        values = list(column.dt.to_pydatetime())
    elif column.dtype == object and pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty"):
        values = [value.item() if isinstance(value, np.generic) else value for value in column.tolist()]
    else:
        values = column.tolist()  # numbers and strings: tolist() already gives Python values
    if missing.any():
        values = [None if gap else value for value, gap in zip(values, missing)]
    return values
