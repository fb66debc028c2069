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
