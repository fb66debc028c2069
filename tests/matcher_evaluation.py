"""The matcher on data it was not developed beside, and its figures per kind of record.

Sources (all in ../shared/data, none from sample_data/):
- a property master built from Pittsburgh's two parcel files by the loaders;
- real strings with known answers: Pittsburgh code-enforcement rows (their parcel numbers are the
  truth; the matcher sees only the address), the Pittsburgh fire file's block and intersection
  forms (and its rows in other municipalities), real 311 intersections (St. Louis, New York),
  Chicago inspection addresses (another city: all outside);
- the usaddress labelled strings, on a master assembled from their own labels;
- tests/address_noise.py, a noise model of its own on the Pittsburgh master.

Every row belongs to the tuning set or the evaluation set by a hash of its street (synthetic rows),
parcel (code enforcement) or text (the rest), so a street tuned on never reaches the evaluation.

    .venv/bin/python -m tests.matcher_evaluation [--scourgify] [--sample-city] [--markdown]

prints the per-kind table of both sets (and of the scourgify join and the sample city; --markdown
prints the README's tables).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import tempfile
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from tests import address_noise

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
REAL = SHARED / "real_extracts"
PARCEL_FILES = ("parcel/pittsburgh_city_owned_property.csv", "parcel/pittsburgh_parcel_tax_delinquency.csv")
CODE_ENFORCEMENT = "code_enforcement/pittsburgh_condemned_deadend_properties.csv"
FIRE = "fire/pittsburgh_fire_incidents.csv"
STLOUIS_311 = "311/stlouis_csb_2012.csv"
NYC_311 = "311/nyc_311.csv"
CHICAGO = "chicago_food_inspections/InspectionsGarrisonExport20141105.csv"
LABELLED = ("usaddress/training_labeled.xml", "usaddress/measure_performance_test_data_labeled.xml")

# What a Pittsburgh install would set: the city's own names and ZIP codes (its parcel files carry neither).
PITTSBURGH = {"names": ("PITTSBURGH", "PGH"), "zips": address_noise.PITTSBURGH_ZIPS, "states": ("PA",)}
TRUTH_WORDS = ("BLOCK", "INTERSECTION", "OUTSIDE", "NONE", "AMBIGUOUS")
PARTS = ("tuning", "evaluation")
MIN_ROWS = 200  # a kind is held to the goals on its own from this many rows


def part_of(group: str) -> str:
    return PARTS[zlib.crc32(group.encode()) % 2]


# --- sources ----------------------------------------------------------------------------------

def pittsburgh_master() -> pd.DataFrame:
    """Both Pittsburgh parcel files, loaded by the loaders as a city would load them."""
    from loaders.properties import load_properties
    from storage import migrate, property_data
    from storage.engine import create_engine, reading

    with tempfile.TemporaryDirectory() as directory:
        engine = create_engine(f"sqlite:///{directory}/master.db")
        migrate.upgrade(engine)
        for name in PARCEL_FILES:
            load_properties(REAL / name, engine)
        with reading(engine) as conn:
            master = property_data.property_master(conn)
        engine.dispose()
    return master


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _folded(text: str) -> str:
    """A street line compared plainly: the part before a comma without a unit or a half, upper
    case, single spaces, no leading zeros, the common type spellings as one."""
    line = str(text).upper().split(",")[0]
    # a unit or a half the master does not list names the building's parcel (the matcher's rule)
    line = re.sub(r"^(\s*\d+)\s*(?:1/2|½)\s", r"\1 ", line)
    line = re.sub(r"\s(?:#|APT|UNIT|STE|FL|REAR)\b.*$", "", line)
    words = line.split()
    if words:
        words[0] = words[0].lstrip("0") or "0"
        words[-1] = address_noise.MASTER_TYPES.get(words[-1], words[-1])
    return " ".join(words)


def code_enforcement(master: pd.DataFrame) -> pd.DataFrame:
    """Pittsburgh's condemned and dead-end properties with an address.

    Truth is the row's parcel; AMBIGUOUS where the master lists the written line on several parcels
    (the text cannot choose); NONE where the parcel is not on this partial master. A row whose
    written line is another master parcel's and not its own is left out: the text names that
    other parcel (an adjoining lot, another unit of the building) and no matcher could know.
    """
    from loaders.properties import PLACEHOLDERS

    rows = _read(REAL / CODE_ENFORCEMENT)
    rows = rows[~rows["address"].str.strip().str.upper().isin(PLACEHOLDERS)]
    parcels = set(master["property_id"].astype(str))
    owners: dict[str, set[str]] = {}
    for pid, text in zip(master["property_id"].astype(str), master["address"]):
        owners.setdefault(_folded(text), set()).add(pid)
    kept, truth = [], []
    for parcel, text in zip(rows["parcel_id"], rows["address"]):
        parcel = re.sub(r"[^0-9A-Z]", "", parcel.upper())
        named = owners.get(_folded(text), set())
        kept.append(not named or parcel in named)
        if parcel not in parcels:
            truth.append("NONE")
        elif len(named) > 1:
            truth.append("AMBIGUOUS")
        else:
            truth.append(parcel)
    rows = rows.assign(truth=truth)[kept]
    kind = np.where(rows["truth"] == "NONE", "pgh_code_enforcement_off_master", "pgh_code_enforcement")
    return pd.DataFrame({"address": rows["address"].to_numpy(), "truth": rows["truth"].to_numpy(), "kind": kind,
                         "group": rows["parcel_id"].to_numpy()})


def fire() -> pd.DataFrame:
    """Pittsburgh fire incidents: "N BLOCK STREET, CITY PA ZIP" and "A & B, CITY PA ZIP". Those in
    another municipality, or in a ZIP code that is not the city's (mutual aid), are OUTSIDE."""
    rows = _read(REAL / FIRE)
    place = rows["address"].str.extract(r",\s*([A-Z .]+?)\s+PA\b")[0].fillna("")
    kinds, truth = [], []
    for text, city in zip(rows["address"], place):
        form = "intersection" if " & " in text else "block" if re.match(r"\d+ BLOCK ", text) else "other"
        zip_code = re.search(r" PA (\d{5})", text)
        if (city and city != "PITTSBURGH") or (zip_code and zip_code.group(1) not in address_noise.PITTSBURGH_ZIPS):
            kinds.append("pgh_fire_other_city")
            truth.append("OUTSIDE")
        else:
            kinds.append(f"pgh_fire_{form}")
            truth.append({"block": "BLOCK", "intersection": "INTERSECTION"}.get(form, ""))
    frame = pd.DataFrame({"address": rows["address"], "truth": truth, "kind": kinds, "group": rows["address"]})
    frame["lat"] = pd.to_numeric(rows["latitude"], errors="coerce")
    frame["lon"] = pd.to_numeric(rows["longitude"], errors="coerce")
    return frame[frame["truth"] != ""]


_CORNER = re.compile(r"^[^0-9].*?(\s&\s|\s@\s|@|\s/\s|\sAND\s|\sAT\s)")


def intersections_311() -> pd.DataFrame:
    """Real 311 intersections: St. Louis rows written as two streets (no house number) joined by
    &, @, /, AND or AT; New York rows its system marks INTERSECTION, as Street 1 & Street 2."""
    stl = _read(REAL / STLOUIS_311)["PROBADDRESS"].str.strip()
    stl = stl[stl.str.upper().map(lambda t: bool(_CORNER.match(t)))]
    nyc = _read(REAL / NYC_311)
    nyc = nyc[nyc["Address Type"] == "INTERSECTION"]
    nyc_text = nyc["Intersection Street 1"] + " & " + nyc["Intersection Street 2"]
    texts = pd.concat([stl, nyc_text], ignore_index=True)
    return pd.DataFrame({"address": texts, "truth": "INTERSECTION", "kind": "real_311_intersection",
                         "group": texts})


def chicago() -> pd.DataFrame:
    """Chicago inspection addresses against the Pittsburgh master: another city, all outside."""
    texts = _read(SHARED / CHICAGO)["address"]
    return pd.DataFrame({"address": texts, "truth": "OUTSIDE", "kind": "chicago_other_city", "group": texts})


def labelled() -> tuple[pd.DataFrame, pd.DataFrame]:
    """usaddress's labelled strings: a master of their labelled street lines, and the strings.

    Street addresses (a number and a street, no box) become properties; intersections (two streets,
    no number) are records whose truth is INTERSECTION. The strings come from all over the country,
    so the master has no city or ZIP columns: this part measures reading the street line out of
    what surrounds it (names, units, places), not the city rules.
    """
    street_tags = ("StreetNamePreModifier", "StreetNamePreDirectional", "StreetNamePreType", "StreetName",
                   "StreetNamePostType", "StreetNamePostDirectional")
    master, records = {}, []
    for name in LABELLED:
        for element in ET.parse(SHARED / name).getroot():
            labels: dict[str, list[str]] = {}
            for child in element:
                labels.setdefault(child.tag, []).append((child.text or "").strip(" ,"))
            text = "".join(element.itertext())
            if any(tag.startswith("USPSBox") for tag in labels):
                continue
            if "IntersectionSeparator" in labels and "AddressNumber" not in labels:
                records.append((text, "INTERSECTION", "usaddress_intersection"))
                continue
            if "AddressNumber" not in labels or "StreetName" not in labels or "IntersectionSeparator" in labels:
                continue
            if len(labels["AddressNumber"]) > 1 or len(labels["StreetName"]) > 2:
                continue  # the address written twice, or labels this reading cannot assemble
            number = " ".join(labels["AddressNumber"] + labels.get("AddressNumberSuffix", []))
            street = " ".join(w for tag in street_tags for w in labels.get(tag, []))
            line = f"{number} {street}".upper()
            same = _label_key(number, labels)
            pid = master.setdefault(same, (f"L{len(master) + 1}", line))[0]
            records.append((text, pid, "usaddress_labelled"))
    master_frame = pd.DataFrame(list(master.values()), columns=["property_id", "address"])
    frame = pd.DataFrame(records, columns=["address", "truth", "kind"])
    frame["group"] = frame["address"]
    return master_frame, frame


def _label_key(number: str, labels: dict[str, list[str]]) -> tuple:
    """Two labelled lines are one place when their labelled parts agree: the direction by its
    initials, the type by Pub 28, punctuation and case aside ("111 E. Wacker Dr." is "111 East
    Wacker Drive")."""
    from integration.usps import STREET_SUFFIXES

    def plain(tag: str) -> str:
        return " ".join(re.sub(r"[^A-Z0-9 ]", "", w.upper()) for w in labels.get(tag, [])).strip()

    def direction(tag: str) -> str:
        return "".join(DIRECTIONS.get(w, w) for w in plain(tag).split())

    def kind(tag: str) -> str:
        written = plain(tag)
        return STREET_SUFFIXES.get(written.replace(" ", ""), written)

    written = number.upper().strip()
    digits = NUMBER_WORDS.get(written) or re.match(r"\d*", written).group()
    return (digits, direction("StreetNamePreDirectional"), plain("StreetNamePreModifier"),
            kind("StreetNamePreType"), plain("StreetName").replace(" ", ""), kind("StreetNamePostType"),
            direction("StreetNamePostDirectional"))


DIRECTIONS = {"NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W", "NORTHEAST": "NE", "NORTHWEST": "NW",
              "SOUTHEAST": "SE", "SOUTHWEST": "SW"}
NUMBER_WORDS = {w: str(i) for i, w in enumerate("ZERO ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE TEN".split())}
NUMBER_WORDS.update({"TWENTY": "20", "THIRTY": "30", "FORTY": "40", "FIFTY": "50", "HUNDRED": "100"})


def synthetic(master: pd.DataFrame) -> pd.DataFrame:
    frame = address_noise.records(master)
    return frame.rename(columns={"street": "group"})


def datasets() -> dict[str, tuple[pd.DataFrame, pd.DataFrame, dict]]:
    """name -> (master, records, city setting); records carry truth, kind and part."""
    master = pittsburgh_master()
    pittsburgh = pd.concat([code_enforcement(master), fire(), intersections_311(), chicago(), synthetic(master)],
                           ignore_index=True)
    labelled_master, labelled_records = labelled()
    out = {"pittsburgh": (master, pittsburgh, PITTSBURGH), "usaddress": (labelled_master, labelled_records, {})}
    for _name, (_master, frame, _city) in out.items():
        for column in ("lat", "lon"):
            if column not in frame:
                frame[column] = np.nan
        frame["part"] = frame["group"].astype(str).map(part_of)
    return out


# --- placing and scoring ---------------------------------------------------------------------

def matcher_for(master: pd.DataFrame, city: dict):
    """The matcher on `master` with a city's settings (names, ZIP codes and states the master lacks)."""
    from integration.matcher import Matcher, settings

    config = dataclasses.replace(settings(), city_names=tuple(city.get("names", ())),
                                 city_zips=tuple(city.get("zips", ())), city_states=tuple(city.get("states", ())))
    return Matcher(master, config=config)


def place(master: pd.DataFrame, records: pd.DataFrame, city: dict) -> pd.DataFrame:
    placed = matcher_for(master, city).match(records[["address", "lat", "lon"]])
    return records.join(placed[["property_id", "status", "method", "candidates"]])


def figures(frame: pd.DataFrame) -> dict[str, float]:
    """precision of matched, recall of property truths, review rate, block, intersection and
    outside recall; NaN where a figure has no rows."""
    truth, status = frame["truth"], frame["status"]
    matched = status == "matched"
    is_property = ~truth.isin(TRUTH_WORDS)
    right = matched & (frame["property_id"] == truth)
    out = {"rows": len(frame), "matched": int(matched.sum()), "wrong": int((matched & ~right).sum()),
           "properties": int(is_property.sum())}
    out["precision"] = right.sum() / matched.sum() if matched.any() else np.nan
    out["recall"] = right[is_property].mean() if is_property.any() else np.nan
    out["review"] = (status == "review").mean() if len(frame) else np.nan
    for word, want in (("BLOCK", "block"), ("INTERSECTION", "intersection"), ("OUTSIDE", "unmatched")):
        of_kind = truth == word
        out[f"{word.lower()}s"] = int(of_kind.sum())
        out[f"{word.lower()}_recall"] = (status[of_kind] == want).mean() if of_kind.any() else np.nan
    return out


def table(placed: pd.DataFrame) -> pd.DataFrame:
    rows = {kind: figures(part) for kind, part in placed.groupby("kind", sort=True)}
    rows["overall"] = figures(placed)
    return pd.DataFrame.from_dict(rows, orient="index")


def scourgify_placed(master: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """The plain baseline: scourgify's normalised line on both sides, an exact join; nothing else."""
    from benchmarks.common import scourgify_line as line

    index: dict[str, set[str]] = {}
    for pid, text in zip(master["property_id"], master["address"]):
        key = line(text)
        if key:
            index.setdefault(key, set()).add(pid)
    keys = {text: line(text) for text in records["address"].unique()}
    pids = [index.get(keys[text], set()) for text in records["address"]]
    status = ["matched" if len(p) == 1 else "review" if p else "unmatched" for p in pids]
    return records.assign(property_id=[next(iter(p)) if len(p) == 1 else None for p in pids], status=status,
                          method=None, candidates=None)


COLUMNS = ("rows", "precision", "recall", "review", "block_recall", "intersection_recall", "outside_recall", "wrong")


def _print(title: str, frame: pd.DataFrame) -> None:
    print(f"\n{title}")
    print(frame[list(COLUMNS)].to_string(float_format=lambda v: f"{v:.4f}", na_rep="-"))


def _cell(value: float, digits: int = 3) -> str:
    return "" if value != value else f"{value:.{digits}f}"


def markdown(rows: dict[str, dict], baseline: dict[str, dict] | None = None) -> str:
    """A README table: one line per label, the matcher's figures and (if given) the baseline's."""
    head = "| | rows | precision | recall | review | block | intersection | outside |"
    if baseline is not None:
        head += " scourgify precision | scourgify recall |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for label, f in rows.items():
        line = (f"| {label} | {int(f['rows']):,} | {_cell(f['precision'], 4)} | {_cell(f['recall'])} | "
                f"{_cell(f['review'])} | {_cell(f['block_recall'])} | {_cell(f['intersection_recall'])} | "
                f"{_cell(f['outside_recall'])} |")
        if baseline is not None:
            b = baseline.get(label)
            line += f" {_cell(b['precision'], 4)} | {_cell(b['recall'])} |" if b else " | |"
        lines.append(line)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scourgify", action="store_true", help="also the scourgify exact join")
    parser.add_argument("--sample-city", action="store_true", help="also the full-size sample city")
    parser.add_argument("--markdown", action="store_true", help="the README's tables")
    args = parser.parse_args()
    placed_parts, baseline_parts = [], []
    for _name, (master, records, city) in datasets().items():
        placed_parts.append(place(master, records, city))
        if args.scourgify:
            baseline_parts.append(scourgify_placed(master, records))
    placed = pd.concat(placed_parts, ignore_index=True)
    baseline = pd.concat(baseline_parts, ignore_index=True) if args.scourgify else None
    overall = {f"{part} set": figures(placed[placed["part"] == part]) for part in PARTS}
    overall_baseline = ({f"{part} set": figures(baseline[baseline["part"] == part]) for part in PARTS}
                        if args.scourgify else None)
    if args.sample_city:
        city_placed, city_baseline = sample_city(args.scourgify)
        overall["sample city"] = figures(city_placed)
        if args.scourgify:
            overall_baseline["sample city"] = figures(city_baseline)
        if not args.markdown:
            _print("sample city (scale 1), the matcher", table(city_placed))
    for part in PARTS:
        if args.markdown:
            kinds = table(placed[placed["part"] == part]).drop(index="overall")
            base = table(baseline[baseline["part"] == part]).drop(index="overall") if args.scourgify else None
            print(f"\n{part} set, per kind\n")
            print(markdown({k: r.to_dict() for k, r in kinds.iterrows()},
                           {k: r.to_dict() for k, r in base.iterrows()} if base is not None else None))
        else:
            _print(f"{part} set, the matcher", table(placed[placed["part"] == part]))
            if args.scourgify:
                _print(f"{part} set, scourgify exact join", table(baseline[baseline["part"] == part]))
    if args.markdown:
        print("\noverall\n")
        rows = dict(overall)
        for label, figure in (overall_baseline or {}).items():
            rows[f"{label}, scourgify join"] = figure
        print(markdown(rows))


def sample_city(scourgify: bool = False) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The full-size sample city placed as `make test` places it, in this module's terms (and by
    the scourgify join, if asked)."""
    from integration.matcher import Matcher
    from loaders.read import read_table
    from loaders.specs import spec
    from loaders.validate import validate
    from sample_data.generate import generate

    with tempfile.TemporaryDirectory() as directory:
        directory = Path(directory)
        generate(directory, seed=1, scale=1)
        master = pd.read_csv(directory / "properties.csv", dtype=str, keep_default_na=False)
        matcher = Matcher(master)
        parts = []
        for department in ("police", "fire", "public_works", "crm"):
            department_spec = spec(department)
            frame = read_table((directory / f"{department}.csv").read_bytes(), f"{department}.csv").frame
            checked = validate(frame, department_spec, department_spec.resolve(list(frame.columns)))
            parts.append(checked.records.drop(columns=["status"]))
        records = pd.concat(parts, ignore_index=True)
        truth = pd.read_csv(directory / "truth.csv", dtype=str, keep_default_na=False)
    records = records.merge(truth, on=["department", "source_record_id"], how="left")
    # the sample city's labels in this module's words: a number not on the street names no property
    records.loc[records["noise"] == "wrong_number", "truth"] = "NONE"
    records.loc[records["noise"] == "other_city", "truth"] = "OUTSIDE"
    records = records.rename(columns={"noise": "kind"})
    placed = records.join(matcher.match(records))
    if not scourgify:
        return placed, None
    return placed, scourgify_placed(master, records.assign(address=records["address"].fillna("").astype(str)))


if __name__ == "__main__":
    main()
