"""Reading a long window of placed records from a SQLite file in a process of its own.

The hotspots list reads a few hundred thousand placed records on a large city. Python's sqlite3
module builds one tuple per row, which is most of that read's time; SQLite's Arrow driver
(adbc-driver-sqlite) fills columns directly and takes about half as long. The driver carries its
own copy of SQLite, and two copies of SQLite in one process break each other's file locks (closing
a file in one drops the other's POSIX locks), so the driver runs only in a child process,
`python -m storage.arrow_reader`, which reads like any other client of the database file. The
server never loads the driver.

The parent writes one JSON request per line to the child's standard input; the child answers each
with a status byte (K or E), an 8-byte length and the payload: the records as an Arrow IPC stream
(text columns dictionary-encoded, pandas categories on arrival; timestamps parsed), or the error.
"""

import json
import sys
import threading
from pathlib import Path
from subprocess import PIPE, Popen

# SQLAlchemy's text form of a SQLite DATETIME, which the stored values and the bounds share.
STAMP = "%Y-%m-%d %H:%M:%S.%f"
BUSY_TIMEOUT_MS = 30_000
ROOT = Path(__file__).resolve().parents[1]

# Every column is text and never null: the driver types a column from its first rows.
SQL = """
SELECT CAST(m.property_id AS TEXT), CAST(r.department AS TEXT), CAST(r.category AS TEXT),
       CAST(COALESCE(r.subcategory, '') AS TEXT), CAST(r.occurred_at AS TEXT)
FROM records AS r JOIN matches AS m ON m.record_id = r.record_id
WHERE m.status = 'matched' AND m.property_id IS NOT NULL AND r.occurred_at > ? AND r.occurred_at <= ?
"""
COLUMNS = ("property_id", "department", "category", "subcategory", "occurred_at")


class ReaderError(RuntimeError):
    """The child process failed a read, or is gone."""


class Reader:
    """The child process, started on creation and again after it dies; one read at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: Popen | None = None
        with self._lock:
            self._running()

    def placed_records(self, path: str, start: str, end: str) -> bytes:
        """The Arrow IPC stream of placed records with start < occurred_at <= end (STAMP text)."""
        request = json.dumps({"path": str(Path(path).resolve()), "start": start, "end": end}).encode() + b"\n"
        with self._lock:
            process = self._running()
            try:
                process.stdin.write(request)
                process.stdin.flush()
                status, payload = _read_answer(process.stdout)
            except (OSError, ReaderError) as error:
                process.kill()
                raise ReaderError(f"the reader process stopped: {error}") from error
        if status != b"K":
            raise ReaderError(payload.decode(errors="replace"))
        return payload

    def close(self) -> None:
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                self._process.stdin.close()
                self._process.wait(timeout=10)

    def _running(self) -> Popen:
        if self._process is None or self._process.poll() is not None:
            self._process = Popen([sys.executable, "-m", "storage.arrow_reader"], stdin=PIPE, stdout=PIPE, cwd=ROOT)
        return self._process


def _read_answer(stream) -> tuple[bytes, bytes]:
    header = _read_exactly(stream, 9)
    return header[:1], _read_exactly(stream, int.from_bytes(header[1:], "big"))


def _read_exactly(stream, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise ReaderError("the reader process closed its output")
    return data


# --- the child ------------------------------------------------------------------------------------


def placed_records(path: str, start: str, end: str) -> bytes:
    """Placed records with start < occurred_at <= end, as an Arrow IPC stream (runs in the child)."""
    import adbc_driver_sqlite.dbapi
    import pyarrow
    import pyarrow.compute

    # read-only: a wrong path is an error, never a new empty database file
    with adbc_driver_sqlite.dbapi.connect(f"{Path(path).as_uri()}?mode=ro", autocommit=True) as connection, \
            connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute(SQL, (start, end))
        table = cursor.fetch_arrow_table().combine_chunks()
    columns = [pyarrow.compute.dictionary_encode(table.column(index)).combine_chunks() for index in range(4)]
    columns.append(pyarrow.compute.cast(table.column(4), pyarrow.timestamp("us")).combine_chunks())
    placed = pyarrow.table(columns, names=list(COLUMNS))
    sink = pyarrow.BufferOutputStream()
    with pyarrow.ipc.new_stream(sink, placed.schema) as stream:
        stream.write_table(placed)
    answer = sink.getvalue().to_pybytes()
    del table, columns, placed, sink
    pyarrow.default_memory_pool().release_unused()  # between reads the process holds little
    return answer


def serve(requests=None, answers=None) -> None:
    """Answer requests until standard input closes."""
    requests = requests or sys.stdin.buffer
    answers = answers or sys.stdout.buffer
    for line in requests:
        try:
            status, payload = b"K", placed_records(**json.loads(line))
        except Exception as error:  # the parent decides what to do; this process keeps serving
            status, payload = b"E", f"{type(error).__name__}: {error}".encode()
        answers.write(status + len(payload).to_bytes(8, "big") + payload)
        answers.flush()


if __name__ == "__main__":
    answers = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but answers on the answer stream
    serve(sys.stdin.buffer, answers)
