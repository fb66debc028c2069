"""The Arrow reader's child process protocol: one answer per request line, errors reported, not fatal."""

import io
import json

from storage import arrow_reader


def test_the_child_answers_each_request_and_reports_errors_without_stopping(tmp_path):
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("this is not a database")
    request = json.dumps({"path": str(not_a_database), "start": "2026-01-01 00:00:00.000000",
                          "end": "2026-02-01 00:00:00.000000"}).encode() + b"\n"
    answers = io.BytesIO()
    arrow_reader.serve(io.BytesIO(request * 2), answers)
    answers.seek(0)
    for _ in range(2):  # the first failure did not end the loop
        status, payload = arrow_reader._read_answer(answers)
        assert status == b"E" and payload
    assert answers.read() == b""


def test_a_reader_whose_process_died_starts_another(tmp_path):
    import pyarrow.ipc

    from storage import migrate
    from storage.engine import create_engine

    path = tmp_path / "city.db"
    engine = create_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    reader = arrow_reader.Reader()
    try:
        reader._process.kill()
        reader._process.wait()
        stream = reader.placed_records(str(path), "2026-01-01 00:00:00.000000", "2026-02-01 00:00:00.000000")
        assert pyarrow.ipc.open_stream(stream).read_all().column_names == list(arrow_reader.COLUMNS)
    finally:
        reader.close()
