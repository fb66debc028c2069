"""The upload page's working state, kept in the session: a file is read once per upload and
prepared (validated and matched) once per department and column mapping, not on every rerun.

Only the latest file and its latest preparation are kept, so a session holds one extract at most.
"""

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from loaders import ingest
from loaders.read import LoadError, read_table
from loaders.specs import best_fit
from ui import data

READ = "upload:read"
PREPARED = "upload:prepared"
LOADED = "upload:loaded"


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
    st.session_state.pop(PREPARED, None)
    return held


def preparation_key(upload: Upload, department: str, columns: dict[str, str], mapping: str | None = None) -> tuple:
    return (upload.file_id, department, tuple(sorted(columns.items())), mapping)


def prepare(upload: Upload, department: str, columns: dict[str, str], mapping: str | None = None) -> ingest.Prepared:
    """The file validated and matched for this department and mapping (raises LoadError).

    `mapping`: the name of the saved mapping `columns` is, unchanged, so the load log names it."""
    key = preparation_key(upload, department, columns, mapping)
    held = st.session_state.get(PREPARED)
    if held is None or held[0] != key:
        try:
            result = ingest.prepare(upload.content, upload.name, department, data.engine(),
                                    columns=None if mapping else columns, mapping=mapping, matcher=data.matcher())
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
