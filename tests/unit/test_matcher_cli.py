"""`python -m integration match`: every input row out, in order, with its placement; bad input
stops with one line that says what is wrong."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from integration.__main__ import InputError, main, run_match

ROOT = Path(__file__).resolve().parents[2]
MASTER = (
    "property_id,address,city,zip,lat,lon\n"
    "P1,100 N MAIN ST,LAKEPORT,53403,42.7000,-87.8000\n"
    "P2,\"1249\n1249 51 VOSKAMP ST\",LAKEPORT,53403,42.7100,-87.8000\n"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_row_out_in_order_with_its_placement(tmp_path):
    master = write(tmp_path / "master.csv", MASTER)
    records = write(tmp_path / "records.csv", "\ufeffrecord_id,address,status,lat,lon\n"
                    "a,100 N Main St,open,,\n"
                    "b,\"1251 VOSKAMP ST\",closed,,\n"
                    "c,100 N MAIN ST KENOSHA WI 53140,open,,\n"
                    "d,,open,42.70001,-87.80001\n"
                    "e,MAIN ST & 5TH AVE,open\n")  # a short row
    out = tmp_path / "out.csv"
    summary = run_match(master, records, out)
    placed = rows(out)
    assert list(placed[0]) == ["record_id", "address", "lat", "lon", "property_id", "status", "method", "score",
                               "candidates", "normalized"]  # an input status column gives way to ours
    assert [r["record_id"] for r in placed] == ["a", "b", "c", "d", "e"]
    assert [(r["status"], r["method"], r["property_id"]) for r in placed] == [
        ("matched", "exact", "P1"), ("matched", "range", "P2"), ("unmatched", "outside", ""),
        ("matched", "spatial", "P1"), ("intersection", "", "")]
    assert placed[0]["score"] == "1.0" and placed[4]["normalized"] == "5TH AVE & MAIN ST"
    assert summary.startswith("5 records in") and "matched 3" in summary


@pytest.mark.parametrize(("content", "message"), [
    (None, "does not exist"),
    ("record_id,street\n1,100 MAIN ST\n", "has no address column; its columns are: record_id, street"),
    ("address\n100 MAIN ST,extra\n", "line 2 has 2 fields, the header 1"),
    ("", "it is empty"),
    (b"address\n\xff\xfe100 MAIN ST\n", "UnicodeDecodeError"),
])
def test_bad_input_is_named_in_one_line(tmp_path, content, message):
    master = write(tmp_path / "master.csv", MASTER)
    records = tmp_path / "records.csv"
    if isinstance(content, bytes):
        records.write_bytes(content)
    elif content is not None:
        write(records, content)
    with pytest.raises(InputError, match=message):
        run_match(master, records, tmp_path / "out.csv")
    assert main(["match", "--properties", str(master), "--records", str(records),
                 "--out", str(tmp_path / "out.csv")]) == 1


def test_the_command_runs_as_a_module(tmp_path):
    master = write(tmp_path / "master.csv", MASTER)
    records = write(tmp_path / "records.csv", "address\n100 N MAIN ST\n")
    done = subprocess.run([sys.executable, "-m", "integration", "match", "--properties", str(master), "--records",
                           str(records), "--out", str(tmp_path / "out.csv")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "1 records in" in done.stderr and rows(tmp_path / "out.csv")[0]["property_id"] == "P1"
