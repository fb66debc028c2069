"""Views the pages drew, kept in the database (the kept_views table) so that a view scored once is
read by every app server, after every restart, until what it was made from changes.

A view is a DataFrame stored under its kind ("hotspots", "weekly", ...) and a key: a digest of
everything it depends on, which the caller computes (services.hotspots). A changed input is a new
key, so a kept view is never stale, only unused; each kind keeps its KEEP_PER_KIND newest views.

Entry points (each takes a connection first): read, write, clear; and encode, decode, the frames
as stored (an Arrow table, with its index, its `attrs` and its tuple and list cells as they were).
"""

import json
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage import summaries
from storage.schema import kept_views

KEEP_PER_KIND = 8  # the views a kind keeps: the default view and the few filters people open after it
META = b"kept_view"  # the Arrow schema's metadata key for what a frame needs back beyond its columns


def read(conn: Connection, kind: str, key: str) -> pd.DataFrame | None:
    """The view kept under `kind` and `key`, or None."""
    payload = conn.execute(sa.select(kept_views.c.payload).where(kept_views.c.kind == kind,
                                                                 kept_views.c.key == key)).scalar()
    return None if payload is None else decode(payload)


def write(conn: Connection, kind: str, key: str, frame: pd.DataFrame) -> None:
    """Keep `frame` under `kind` and `key` (replacing a view kept under both), and drop the kind's
    views past its KEEP_PER_KIND newest."""
    conn.execute(kept_views.delete().where(kept_views.c.kind == kind, kept_views.c.key == key))
    conn.execute(kept_views.insert().values(kind=kind, key=key, payload=encode(frame), built_at=datetime.now()))
    others = (kept_views.c.kind == kind, kept_views.c.key != key)
    newest = (sa.select(kept_views.c.key).where(*others)
              .order_by(kept_views.c.built_at.desc(), kept_views.c.key).limit(KEEP_PER_KIND - 1))
    conn.execute(kept_views.delete().where(*others, kept_views.c.key.not_in(newest.scalar_subquery())))


def clear(conn: Connection) -> int:
    """Forget every kept view (they are made again when next drawn); how many there were."""
    return conn.execute(kept_views.delete()).rowcount


def _cells(values: pd.Series) -> str:
    """How an object column's cells come back: "tuple" or "list" for Python sequences (the first
    present cell says), "object" for any other Python value (text with None for missing)."""
    present = values.dropna()
    first = present.iloc[0] if len(present) else None
    return "tuple" if isinstance(first, tuple) else "list" if isinstance(first, list) else "object"


INDEX = "__index__"  # the index's entry among the cells


def encode(frame: pd.DataFrame) -> bytes:
    """The frame as a compressed Arrow table: its columns, its index, its attrs, and how its object
    columns' cells come back (Arrow keeps tuples and lists as lists, and text as text)."""
    cells = {name: _cells(frame[name]) for name in frame.columns if frame[name].dtype == object}
    if frame.index.dtype == object:
        cells[INDEX] = _cells(frame.index.to_series())
    table = pyarrow.Table.from_pandas(frame, preserve_index=True)
    extra = {"attrs": frame.attrs, "cells": cells, "index": frame.index.name}
    table = table.replace_schema_metadata({**table.schema.metadata, META: json.dumps(extra, default=str).encode()})
    return summaries.encode(table)


def _objects(column: pyarrow.ChunkedArray, kind: str) -> np.ndarray:
    make = {"tuple": tuple, "list": list}.get(kind)
    values = column.to_pylist()
    cells = np.empty(len(values), dtype=object)
    cells[:] = values if make is None else [None if value is None else make(value) for value in values]
    return cells


def decode(payload: bytes) -> pd.DataFrame:
    table = summaries.decode(payload)
    extra = json.loads(table.schema.metadata[META])
    frame = table.to_pandas()
    for name, kind in extra["cells"].items():
        if name == INDEX:
            frame.index = pd.Index(_objects(table.column(extra["index"] or "__index_level_0__"), kind),
                                   dtype=object, name=extra["index"])
        else:
            frame[name] = pd.Series(_objects(table.column(name), kind), index=frame.index, dtype=object)
    frame.attrs.update(extra["attrs"])
    return frame
