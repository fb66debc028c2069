"""What the benchmarks share: the generated benchmark city, and timing a command with its peak memory."""

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"


def city(scale: float, seed: int = 1) -> Path:
    """The sample city at `scale`, generated once into benchmarks/out/."""
    directory = OUT / f"city-scale{scale:g}-seed{seed}"
    if not (directory / "truth.csv").exists():
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sample_data.generate", str(directory), "--seed", str(seed),
                        "--scale", str(scale)], cwd=ROOT, check=True)
        print(f"generated {directory.name} in {time.perf_counter() - started:.1f} s")
    return directory


def records_file(directory: Path) -> Path:
    """All four extracts as one matcher input: record_id, address, parcel_id, lat, lon."""
    path = directory / "all_records.csv"
    if path.exists():
        return path
    police = pd.read_csv(directory / "police.csv", dtype=str, keep_default_na=False)
    fire = pd.read_csv(directory / "fire.csv", dtype=str, keep_default_na=False)
    works = pd.read_csv(directory / "public_works.csv", dtype=str, keep_default_na=False)
    crm = pd.read_csv(directory / "crm.csv", dtype=str, keep_default_na=False)
    parts = fire[["Street Number", "Street Prefix", "Street Name", "Street Type", "Street Suffix", "Apt"]]
    fire_address = parts.apply(lambda row: " ".join(v for v in row if v), axis=1, raw=True)
    frames = [
        pd.DataFrame({"record_id": "police:" + police["Incident Number"], "address": police["Location"]}),
        pd.DataFrame({"record_id": "fire:" + fire["Incident Number"], "address": fire_address,
                      "lat": fire["Latitude"], "lon": fire["Longitude"]}),
        pd.DataFrame({"record_id": "public_works:" + works["Case Number"], "address": works["Site Address"],
                      "parcel_id": works["Tax Key"]}),
        pd.DataFrame({"record_id": "crm:" + crm["Request ID"], "address": crm["Address"]}),
    ]
    pd.concat(frames, ignore_index=True).fillna("").to_csv(path, index=False)
    return path


def scourgify_line(text: str) -> str:
    """The baseline's key for an address: usaddress-scourgify's normalised line ("" where it cannot read one)."""
    from scourgify import normalize_address_record

    try:
        parts = normalize_address_record(text)
    except Exception:  # scourgify raises on anything it cannot parse
        return ""
    return " ".join(p for p in (parts.get("address_line_1"), parts.get("address_line_2")) if p)


@dataclass
class Run:
    seconds: float
    peak_mb: float


def _pss_kb(proc: int) -> int:
    """Proportional set size: memory shared between forked workers is counted once, not per process."""
    try:
        for line in Path(f"/proc/{proc}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_memory_kb(pid: int) -> int:
    """Memory of a process and all its descendants (worker processes count too)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        proc = todo.pop()
        total += _pss_kb(proc)
        todo.extend(children.get(proc, ()))
    return total


def checkout(revision: str) -> Path:
    """The project as it was at `revision` (a git worktree under benchmarks/out), to time beside today's code."""
    commit = subprocess.run(["git", "rev-parse", "--short", revision], cwd=ROOT, check=True, capture_output=True,
                            text=True).stdout.strip()
    directory = OUT / f"checkout-{commit}"
    if not directory.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(directory), commit], cwd=ROOT, check=True,
                       capture_output=True)
    return directory


def timed(command: list[str], cwd: Path = ROOT) -> Run:
    """Wall time of `command` and the peak memory (PSS) of its process tree, sampled every 250 ms (a walk of /proc
    costs CPU the measured command may want)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stderr=subprocess.PIPE, text=True,
                               env=dict(os.environ, PYTHONUNBUFFERED="1"))
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_memory_kb(process.pid))
        time.sleep(0.25)
    seconds = time.perf_counter() - started
    error = process.stderr.read()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{error}")
    if error.strip():
        print("   ", error.strip().splitlines()[-1])
    return Run(seconds, peak / 1024)


def median_run(runs: list[Run]) -> Run:
    return Run(statistics.median(r.seconds for r in runs), statistics.median(r.peak_mb for r in runs))
