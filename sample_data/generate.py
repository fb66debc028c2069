"""Deterministic generator of Lakeport, WI: a synthetic mid-sized US city (~77,000 residents,
~28,000 properties at scale 1) with a year of records from four departments.

    python -m sample_data.generate OUT [--seed 1] [--scale 1]

The same seed and scale give byte-identical files. Scale multiplies properties, records and
population together (0.05 makes a small city for tests; 10 makes ~280,000 properties and ~940,000
records). The record period is the twelve months 2025-11-01 .. 2026-10-31, whatever today is.

Files written into OUT (UTF-8 CSV, "\\n" line endings, a header row):

properties.csv  property_id,parcel_id,address,city,state,zip,lat,lon,land_use,ward,neighborhood,owner
    One row per ADDRESS; the first row of a property is its primary address, further rows with the
    same property_id are aliases with the same parcel and attributes:
    - corner lots: the address on the cross street, e.g. `1101 N OAK ST` besides `2306 W HIGH ST`
      (side addresses always end in 01, 02, 98 or 99); the primary is sometimes the side one.
    - side-by-side duplexes: the second door, the primary number + 2 (`1412 ELM ST`, `1414 ELM ST`).
    - stacked duplexes: `1412 N HOLMES AVE UPPER` and `... LOWER` besides the base address.
    Range parcels list only the range (`1500-1504 WASHINGTON AVE`, same-parity members); apartment
    buildings list only the base address, never their units. parcel_id is 15 digits (the public
    works extract dashes it: 276-03-02-00007-000). ward is 1..15. land_use is RESIDENTIAL, DUPLEX,
    APARTMENT, COMMERCIAL, VACANT, INSTITUTIONAL or INDUSTRIAL.
police.csv  Incident Number,Call Date/Time,Call Type,Location,Disposition,Beat,Narrative
    LPD26-012345 (numbered per calendar year), MM/DD/YYYY HH:MM. Location: ~50% block level
    (`1200 BLOCK N MAIN ST`, `12XX N MAIN ST`, `1200 BLK MAIN ST`), ~25% intersections
    (`N MAIN ST / 5TH ST`, `MAIN ST & 5TH ST`, `MAIN AND 5TH`), ~25% addresses (units as `APT 4`,
    `#4`, `UNIT 4`, `UPPER`, `UPR`).
fire.csv  Incident Number,Alarm Date,Alarm Time,Incident Type Code,Incident Type,Street Number,
          Street Prefix,Street Name,Street Type,Street Suffix,Apt,Latitude,Longitude,Narrative
    F26-001234, YYYY-MM-DD, HH:MM:SS, NFIRS codes. ~85% at properties with the address in parts
    (sometimes the type inside Street Name, or the direction; a range parcel keeps its range in
    Street Number; Street Suffix, the post-directional, is always blank), lat/lon a few metres
    off the house and blank on ~8% of them; intersections go whole into Street Name (`N MAIN ST / 5TH ST`);
    ~5% has no address (blank or a highway such as `I 94`).
public_works.csv  Case Number,Case Type,Open Date,Close Date,Status,Tax Key,Site Address
    CE-2026-00123, M/D/YYYY, Close Date blank unless CLOSED. Tax Key dashed on ~88% of rows
    (~5% of them mistyped, pointing at no parcel), blank on the rest; ~2% of rows have the tax key
    and a blank Site Address. Every case is at a property.
crm.csv  Request ID,Created,Category,Topic,Department Routed,Address,Status,Closed,Description,Handled By,Team,
         Transferred From,Transferred To,Transferred At
    311-0012345, YYYY-MM-DD HH:MM:SS. Free-typed addresses with noise (case, suffix and direction
    spellings, ordinal words, typos, units, city/neighborhood tails), ~3% blank or garbage, ~1% in
    another city, ~6% block or intersection. Descriptions hold fake names, phones and e-mails.
    Closed is blank unless Status is Closed. Handled By is the customer-service staff member who took
    the request (`M. Alvarez`; 14 at scale 1, growing with the square root of the scale, never
    fewer than 6), Team theirs: Phones (most staff), Walk-in or Web and Email (which alone takes
    requests made after hours and at weekends). ~8% of Complaint and Inquiry requests were first
    routed to the wrong department: Transferred From names it, Transferred To the department that
    owns the request (always Department Routed), Transferred At when it moved (hours to a few days
    after Created, never after Closed); the owner starts work only then, so transfers add their
    delay to the time to close. The three are blank otherwise, always for the Transfer category.
    Planted patterns (constants in sample_data/extracts.py):
    - seasonal topics (SEASONAL_TOPICS): Snow Removal only November to March, Tall Grass only
      April to October.
    - a slower department (SLOW_DEPARTMENT): requests routed to Building take ~3x as long to close
      (median) as the other departments'.
    - an overloaded staff member (OVERLOADED_STAFF): D. Brandt, on the Phones team, handles ~3x the
      requests of any Phones colleague and takes ~1.7x as long to close them.
    - a complaining ward (COMPLAINING_WARD): ward 7's properties draw ~3x the CRM requests per
      resident of the median ward, while its police, fire and public works records stay ordinary.
truth.csv  department,source_record_id,truth,noise
    One row per record of every extract: the property_id the record really refers to, or BLOCK,
    INTERSECTION or NONE. noise names the main distortion of its address: clean (split_parts in
    fire), case, suffix_spelling, direction_spelling, abbrev (SAINT/ST., MOUNT/MT.), ordinal_word,
    missing_suffix, missing_direction, typo, unit, range_member, alias, city_tail,
    neighborhood_tail, type_in_name, direction_in_name, parcel_typo, parcel_only, wrong_number
    (the number exists nowhere on the street: review, not a match), block, intersection,
    other_city, garbage. CRM rows other than clean may also differ in case; a public works row
    whose tax key is right is still labelled by its address.
planted.csv  property_id,kind,scenario
    kind problem: properties with an escalating history across departments in the last six
    months, 3+ departments in the last 90 days (scenarios nuisance_house, fire_risk_hoarding,
    vacant_building, drug_house, junk_grass_chronic, problem_rental); kind institutional:
    police_station, hospital, city_hall, big_box_store, high_school, bus_terminal, which collect
    many records of every department for reasons of their own.
wards.csv  ward,population
institutions.csv  property_id,treatment,reason
    The integration team's explicit list of institutional properties (damp or exclude), as a
    city would keep it: loaded with the city, editable on the hotspots page.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from pathlib import Path

from sample_data.city import CITY, STATE, build_city
from sample_data.extracts import Departments, crm, fire, police, public_works, tell_stories

# Scale-1 sizes and the floor a tiny scale never goes under.
SIZES = {"properties": (28000, 600), "population": (77000, 1500), "police": (60000, 400), "fire": (8000, 100),
         "public_works": (6000, 100), "crm": (20000, 200)}

HEADERS = {
    "properties": ["property_id", "parcel_id", "address", "city", "state", "zip", "lat", "lon", "land_use", "ward",
                   "neighborhood", "owner"],
    "police": ["Incident Number", "Call Date/Time", "Call Type", "Location", "Disposition", "Beat", "Narrative"],
    "fire": ["Incident Number", "Alarm Date", "Alarm Time", "Incident Type Code", "Incident Type", "Street Number",
             "Street Prefix", "Street Name", "Street Type", "Street Suffix", "Apt", "Latitude", "Longitude",
             "Narrative"],
    "public_works": ["Case Number", "Case Type", "Open Date", "Close Date", "Status", "Tax Key", "Site Address"],
    "crm": ["Request ID", "Created", "Category", "Topic", "Department Routed", "Address", "Status", "Closed",
            "Description", "Handled By", "Team", "Transferred From", "Transferred To", "Transferred At"],
    "truth": ["department", "source_record_id", "truth", "noise"],
    "planted": ["property_id", "kind", "scenario"],
    "wards": ["ward", "population"],
    "institutions": ["property_id", "treatment", "reason"],
}


def sizes_for(scale: float) -> dict[str, int]:
    """Target counts (properties, residents, records per department) at this scale."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    return {name: max(floor, round(base * scale)) for name, (base, floor) in SIZES.items()}


def _write(path: Path, header: list[str], rows) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def generate(out_dir, seed: int = 1, scale: float = 1.0) -> dict[str, int]:
    """Write the sample city into `out_dir`; return the data rows written per file name."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sizes = sizes_for(scale)
    rng = random.Random(seed)
    city = build_city(rng, scale, sizes["properties"], sizes["population"])
    departments = Departments(city, rng)
    stories = tell_stories(departments, scale)
    extracts = {
        "police": police(departments, sizes["police"], stories.events["police"]),
        "fire": fire(departments, sizes["fire"], stories.events["fire"]),
        "public_works": public_works(departments, sizes["public_works"], stories.events["public_works"]),
        "crm": crm(departments, sizes["crm"], stories.events["crm"]),
    }

    written = {}
    written["properties.csv"] = _write(out / "properties.csv", HEADERS["properties"], (
        [p.property_id, p.parcel_id, address, CITY, STATE, p.zip, f"{p.lat:.6f}", f"{p.lon:.6f}", p.land_use,
         str(p.ward), p.neighborhood, p.owner]
        for p in city.properties for address in p.address_rows()))
    for name, extract in extracts.items():
        written[f"{name}.csv"] = _write(out / f"{name}.csv", HEADERS[name], extract.rows)
    written["truth.csv"] = _write(out / "truth.csv", HEADERS["truth"],
                                  (row for extract in extracts.values() for row in extract.truth))
    written["planted.csv"] = _write(out / "planted.csv", HEADERS["planted"], stories.planted)
    written["wards.csv"] = _write(out / "wards.csv", HEADERS["wards"],
                                  ([str(ward), str(people)] for ward, people in enumerate(city.ward_population, 1)))
    # The integration team's own list of institutions: the places that collect records for
    # other reasons, some of which (a big-box store) no land use would catch.
    written["institutions.csv"] = _write(out / "institutions.csv", HEADERS["institutions"], (
        [pid, "damp", scenario.replace("_", " ")] for pid, kind, scenario in stories.planted if kind == "institutional"))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_data.generate",
                                     description="Write the synthetic sample city of Lakeport, WI.")
    parser.add_argument("out", type=Path, help="directory to write the CSV files into (created if missing)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="1 is ~28,000 properties and ~94,000 records; properties and records scale together")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        written = generate(args.out, seed=args.seed, scale=args.scale)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    departments = ("police", "fire", "public_works", "crm")
    records = sum(written[f"{d}.csv"] for d in departments)
    with (args.out / "properties.csv").open(encoding="utf-8", newline="") as handle:
        properties = len({row[0] for row in csv.reader(handle)}) - 1  # a property may have several address rows
    parts = ", ".join(f"{d} {written[f'{d}.csv']:,}" for d in departments)
    print(f"wrote {args.out}: {properties:,} properties ({written['properties.csv']:,} addresses) and "
          f"{records:,} records ({parts}) in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
