"""The upload page's working state, kept in the session: a file is read once per upload, its mapping
suggested once per department, and prepared (validated and matched) once per department, column
mapping and answer, not on every rerun.

Only the latest file and its latest preparation are kept, so a session holds one extract at most.
"""

from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from loaders import ingest
from loaders.dates import AmbiguousDateOrder
from loaders.properties import Master
from loaders.propose import FieldGuess
from loaders.read import LoadError, read_table
from loaders.specs import best_fit
from services import loads
from ui import data

READ = "upload:read"
SUGGESTED = "upload:suggested"
DATE_QUESTIONS = "upload:date-questions"
PREPARED = "upload:prepared"
LOADED = "upload:loaded"
MASTER_READ = "upload:master"
MASTER_LOADED = "upload:master-loaded"


@dataclass(frozen=True)
class Upload:
    file_id: str
    name: str
    content: bytes
    file_hash: str
    frame: pd.DataFrame | None  # every cell as text; None when the file cannot be read
    notes: tuple[str, ...]
    error: str | None  # why the file cannot be read

    @property
    def headers(self) -> list[str]:
        return [] if self.frame is None else list(self.frame.columns)


def read(uploaded) -> Upload:
    """The uploaded file read once (per upload, not per rerun)."""
    held = st.session_state.get(READ)
    if held is not None and held.file_id == uploaded.file_id:
        return held
    content = uploaded.getvalue()
    frame, notes, error = None, (), None
    try:
        # Of several sheets, the one most like an extract; of equals (a new shape), the first with rows.
        table = read_table(content, uploaded.name, fit=lambda headers: best_fit(headers) + 0.001)
        frame, notes = table.frame, tuple(table.notes)
    except LoadError as failure:
        error = str(failure)
    held = Upload(uploaded.file_id, uploaded.name, content, ingest.file_hash(content), frame, notes, error)
    st.session_state[READ] = held
    for key in (SUGGESTED, DATE_QUESTIONS, PREPARED):
        st.session_state.pop(key, None)
    return held


@dataclass(frozen=True)
class Suggestion:
    """Where a file's mapping comes from, in prepare()'s order: a mapping saved for its shape, a known
    layout, the department's column names, or else a mapping proposed from its columns and values."""
    kind: str | None  # "saved", "layout", "names", "proposal"; None: nothing to suggest
    department: str | None
    mapping: dict = field(default_factory=dict)  # as prepare() takes it: columns, lists, settings, keep
    name: str | None = None  # the saved mapping's name or the layout's label
    guesses: tuple[FieldGuess, ...] = ()
    why: str = ""  # a proposal's reason for its department


def suggest(upload: Upload, department: str | None = None) -> Suggestion:
    """The mapping to start from for this file, as `department` (None: whichever fits it)."""
    held = st.session_state.setdefault(SUGGESTED, {})
    key = (upload.file_id, department)
    if key not in held:
        first = held.get((upload.file_id, None))
        # What fits the file best also fits its own department best: no second proposal to compute.
        same = department is not None and first is not None and first.department == department
        held[key] = first if same else _suggestion(upload, department)
    return held[key]


def _suggestion(upload: Upload, department: str | None) -> Suggestion:
    found = ingest.find_mapping(data.engine(), upload.headers, department, frame=upload.frame)
    proposal = found.proposal
    return Suggestion(found.kind, found.department, found.columns, found.name,
                      guesses=proposal.guesses if proposal else (), why=proposal.department_why if proposal else "")


def date_question(upload: Upload, columns: dict) -> AmbiguousDateOrder | None:
    """The day/month question these date columns raised earlier, so it stays on the page once answered."""
    return st.session_state.get(DATE_QUESTIONS, {}).get((upload.file_id, _date_sources(columns)))


def remember_date_question(upload: Upload, columns: dict, question: AmbiguousDateOrder) -> None:
    st.session_state.setdefault(DATE_QUESTIONS, {})[(upload.file_id, _date_sources(columns))] = question


def _date_sources(columns: dict) -> str:
    return repr([columns.get(name) for name in ("occurred_at", "occurred_date", "occurred_time", "closed_at")])


def preparation_key(upload: Upload, department: str, columns: dict, mapping: str | None = None,
                    date_order: str | None = None, load_anyway: bool = False) -> tuple:
    return (upload.file_id, department, repr(sorted(columns.items())), mapping, date_order, load_anyway)


def prepare(upload: Upload, department: str, columns: dict, mapping: str | None = None,
            date_order: str | None = None, load_anyway: bool = False) -> ingest.Prepared:
    """The file validated and matched for this department and mapping (raises LoadError, among them
    AmbiguousDateOrder and TooManyRejects).

    `mapping`: the name of the saved mapping or known layout `columns` is, unchanged, so the load log
    names it; `load_anyway`: load however many rows are rejected."""
    key = preparation_key(upload, department, columns, mapping, date_order, load_anyway)
    held = st.session_state.get(PREPARED)
    if held is None or held[0] != key:
        try:
            result = ingest.prepare(upload.content, upload.name, department, data.engine(),
                                    columns=None if mapping else columns, matcher=data.matcher(),
                                    date_order=date_order,
                                    max_reject_share=None if load_anyway else ingest.MAX_REJECT_SHARE)
        except LoadError as failure:
            result = failure
        held = (key, result)
        st.session_state[PREPARED] = held
    if isinstance(held[1], LoadError):
        raise held[1]
    return held[1]


def loaded(key: tuple) -> ingest.IngestResult | None:
    """The result of committing this preparation in this session, if it was committed."""
    return st.session_state.get(LOADED, {}).get(key)


def remember_loaded(key: tuple, result: ingest.IngestResult) -> None:
    st.session_state[LOADED] = {key: result}


def loaded_ids() -> set[int]:
    """The loads this session made (so a file just loaded is not announced as loaded before)."""
    return {result.ingest_id for result in st.session_state.get(LOADED, {}).values()}


@st.cache_data(max_entries=8, show_spinner=False)
def history(version: tuple) -> pd.DataFrame:
    return loads.history(data.engine())


@st.cache_data(max_entries=32, show_spinner=False)
def rejects(version: tuple, ingest_id: int) -> pd.DataFrame:
    return loads.rejects(data.engine(), ingest_id)


def commit(prepared: ingest.Prepared, loaded_by: str, progress: ingest.Progress | None = None) -> ingest.IngestResult:
    """Store the prepared file (raises LoadError, nothing stored, when the database refuses it)."""
    return loads.load(data.engine(), prepared, loaded_by, progress=progress)


# --- the property master ------------------------------------------------------------------------


@dataclass(frozen=True)
class MasterUpload:
    file_id: str
    name: str
    master: Master | None  # None when the file cannot be read as a property master
    error: str | None


def read_master(uploaded) -> MasterUpload:
    """The uploaded file read and checked as a property master, once per upload."""
    held = st.session_state.get(MASTER_READ)
    if held is not None and held.file_id == uploaded.file_id:
        return held
    try:
        held = MasterUpload(uploaded.file_id, uploaded.name, loads.read_master(uploaded.getvalue(), uploaded.name), None)
    except LoadError as failure:
        held = MasterUpload(uploaded.file_id, uploaded.name, None, str(failure))
    st.session_state[MASTER_READ] = held
    return held


def plan_master(master: Master) -> loads.MasterPlan:
    """What loading the master would change, against the database as it is now (not cached)."""
    return loads.plan_master(data.engine(), master)


def commit_master(file_id: str, master: Master, loaded_by: str) -> loads.MasterLoad:
    """Store the master and place the records again (raises LoadError); every cached view is dropped,
    since the master changes where records are placed."""
    result = loads.load_master(data.engine(), master, loaded_by)
    st.cache_data.clear()
    st.session_state[MASTER_LOADED] = {file_id: result}
    return result


def master_loaded(file_id: str) -> loads.MasterLoad | None:
    """The result of loading this file as the master in this session, if it was loaded."""
    return st.session_state.get(MASTER_LOADED, {}).get(file_id)
