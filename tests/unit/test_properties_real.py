"""The property master from real parcel files (Pittsburgh), and records placed on it by parcel number.

Opt-in tier: the files sit in ../shared/data beside the project; without them these tests skip
(in CI they fail).
"""

import math
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from integration.matcher import parcel_key
from loaders.ingest import ingest
from loaders.properties import load_properties
from loaders.read import LoadError, read_table
from storage import property_data
from storage.engine import reading
from storage.schema import matches, properties, records, rejects
from tests.conftest import shared_file

pytestmark = pytest.mark.realdata

CITY_OWNED = "real_extracts/parcel/pittsburgh_city_owned_property.csv"
TAX_DELINQUENT = "real_extracts/parcel/pittsburgh_parcel_tax_delinquency.csv"
CONDEMNED = "real_extracts/code_enforcement/pittsburgh_condemned_deadend_properties.csv"
CONDEMNED_COLUMNS = {"source_record_id": "_id", "occurred_at": "date", "category": "property_type",
                     "status": "inspection_status", "parcel_id": "parcel_id", "address": "address"}
MIN_PLACED_SHARE = 0.95  # of condemned rows whose parcel is in the master: 1.000 on each master when set


PARCEL_KEYS = [
    # as written                  key
    ("0024G00060000000", "0024G00060000000"),  # county PIN with a letter
    ("0174R00318000B00", "0174R00318000B00"),  # ...and a letter near its end
    ("0081a00132000000", "0081A00132000000"),
    ("0081A-00132-000000", "0081A00132000000"),
    (" 0081A 00132 000000 ", "0081A00132000000"),
    ("276-01-02-00003-000", "276010200003000"),  # the sample city's dashed tax key
    ("123-4567-890", "1234567890"),
    ("12.345.678", "12345678"),
    ("202515001499.0", "202515001499"),  # exported through a float
    ("202515001499.00", "202515001499"),
    (202515001499.0, "202515001499"),
    ("002400060000000", "002400060000000"),  # leading zeros are part of the id
    ("", ""),
    ("  ", ""),
    (None, ""),
    (math.nan, ""),
]


@pytest.mark.parametrize(("written", "key"), PARCEL_KEYS)
def test_parcel_key(written, key):
    assert parcel_key(written) == key


def test_a_letter_in_a_pin_keeps_two_parcels_apart():
    assert parcel_key("0024G00060000000") != parcel_key("002400060000000")


def pins(relative: str) -> pd.Series:
    """The file's PIN column, as the loaders read it."""
    path = shared_file(relative)
    return read_table(path.read_bytes(), path.name).frame["pin"]


@pytest.mark.parametrize("relative", [CITY_OWNED, TAX_DELINQUENT])
def test_a_parcel_file_loads_as_the_master(sqlite_engine, relative):
    path = shared_file(relative)
    with_pin = pins(relative).str.strip() != ""
    result = load_properties(path, sqlite_engine)
    with reading(sqlite_engine) as conn:
        loaded = conn.execute(sa.select(sa.func.count()).select_from(properties)).scalar_one()
        same_parcel = conn.execute(sa.select(sa.func.count()).select_from(properties)
                                   .where(properties.c.parcel_id == properties.c.property_id)).scalar_one()
    print(f"{path.name}: {loaded:,} properties from {len(with_pin):,} rows ({with_pin.sum():,} with a PIN); "
          f"{result.summary()}")
    assert loaded == pins(relative)[with_pin].nunique()
    assert loaded >= 0.99 * with_pin.sum()
    assert result.skipped["no property id"] == (~with_pin).sum()
    assert same_parcel == loaded  # no parcel column of its own: the PIN is the parcel


def test_pins_with_letters_addresses_and_coordinates_are_kept(sqlite_engine):
    load_properties(shared_file(CITY_OWNED), sqlite_engine)
    with reading(sqlite_engine) as conn:
        voskamp = property_data.get_property(conn, "0024G00060000000")
        mathilda = property_data.get_property(conn, "0050E00015000000")
        langley = property_data.get_property(conn, "0046P00062000000")  # "214\n214 LANGLEY AVE" in the file
        located = conn.execute(sa.select(sa.func.count()).select_from(properties)
                               .where(properties.c.lat.is_not(None))).scalar_one()
    assert voskamp["parcel_id"] == "0024G00060000000"
    assert voskamp["address"] == "1249 51 VOSKAMP ST"
    assert (round(voskamp["lat"], 4), round(voskamp["lon"], 4)) == (40.4594, -79.9893)
    assert (voskamp["ward"], voskamp["neighborhood"]) == ("24", "Troy Hill")
    assert mathilda["address"] == "408 N MATHILDA ST"
    assert langley["address"] == "214 214 LANGLEY AVE"
    assert located >= 0.99 * 12_758


def test_placeholders_read_as_blank(sqlite_engine):
    load_properties(shared_file(TAX_DELINQUENT), sqlite_engine)
    with reading(sqlite_engine) as conn:
        forbes = property_data.get_property(conn, "0001C00228000100")  # neighborhood "NA", no coordinates
        lettered = property_data.get_property(conn, "0001C01661A03800")
    assert (forbes["address"], forbes["neighborhood"], forbes["lat"]) == ("100 FORBES AVE", None, None)
    assert lettered["neighborhood"] == "Central Business District"


def test_loading_a_second_file_adds_to_the_master(sqlite_engine):
    load_properties(shared_file(TAX_DELINQUENT), sqlite_engine)
    load_properties(shared_file(CITY_OWNED), sqlite_engine)
    union = set(pins(TAX_DELINQUENT)) | set(pins(CITY_OWNED))
    with reading(sqlite_engine) as conn:
        loaded = set(conn.execute(sa.select(properties.c.property_id)).scalars())
    assert loaded == union - {""}


def combined_master(tmp_path):
    """Both parcel files as one, their columns side by side: the master the team would load."""
    frames = [read_table(shared_file(relative).read_bytes(), relative).frame
              for relative in (TAX_DELINQUENT, CITY_OWNED)]
    path = tmp_path / "pittsburgh_parcels.csv"
    pd.concat(frames, ignore_index=True).fillna("").to_csv(path, index=False)
    return path


def test_both_parcel_files_load_as_one_master(sqlite_engine, tmp_path):
    result = load_properties(combined_master(tmp_path), sqlite_engine)
    both = pd.concat([pins(TAX_DELINQUENT), pins(CITY_OWNED)])
    print(f"combined: {result.summary()}")
    assert result.counts["new"] == both[both != ""].nunique()
    with reading(sqlite_engine) as conn:
        shared = property_data.get_property(conn, "0024G00060000000")
    assert shared["neighborhood"] == "Troy Hill"  # from the city-owned file's neighborhood_name


@pytest.mark.parametrize("master", [CITY_OWNED, TAX_DELINQUENT, "combined"])
def test_condemned_properties_are_placed_on_their_parcels(engine, tmp_path, master):
    load_properties(combined_master(tmp_path) if master == "combined" else shared_file(master), engine)
    condemned = shared_file(CONDEMNED)
    ingest(condemned, "public_works", engine, columns=CONDEMNED_COLUMNS)

    rows = read_table(condemned.read_bytes(), condemned.name).frame
    rows["key"] = rows["parcel_id"].map(parcel_key)
    with reading(engine) as conn:
        parcels = set(conn.execute(sa.select(properties.c.parcel_id)).scalars())
        reasons = conn.execute(sa.select(rejects.c.reason).limit(3)).scalars().all()
        placed = pd.DataFrame(conn.execute(
            sa.select(records.c.source_record_id, matches.c.status, properties.c.parcel_id)
            .join(matches, matches.c.record_id == records.c.record_id)
            .outerjoin(properties, properties.c.property_id == matches.c.property_id)
        ).all(), columns=["_id", "status", "placed_parcel"])
    assert not reasons, f"condemned rows rejected, e.g. {reasons}"
    in_master = rows[rows["key"].isin(parcels)].merge(placed, on="_id", how="left")
    on_its_parcel = (in_master["status"] == "matched") & (in_master["placed_parcel"] == in_master["key"])
    share = on_its_parcel.mean()
    print(f"{Path(master).name}: {on_its_parcel.sum():,} of {len(in_master):,} condemned rows with a PIN in the master "
          f"placed on that parcel ({share:.3f}); {len(rows):,} rows in the file")
    assert len(in_master) > 500
    assert share >= MIN_PLACED_SHARE


def test_headers_are_recognised_by_their_common_names(sqlite_engine, tmp_path):
    path = tmp_path / "parcels.csv"
    path.write_text(
        "Parcel Number,Site Address,X,Y,Ward\n"
        "202515001499.0,12  main st,2561234.5,731234.1,3\n"  # state-plane feet: not degrees
        "NA,14 MAIN ST,2561240.5,731230.1,3\n"
        "202515001500,N/A,2561250.5,731220.1,3\n"
    )
    result = load_properties(path, sqlite_engine)
    assert result.skipped == {"no property id": 1, "no address": 1}
    assert any("not degrees" in note for note in result.notes)
    with reading(sqlite_engine) as conn:
        found = property_data.get_property(conn, "202515001499")
    assert (found["parcel_id"], found["address"], found["lat"], found["ward"]) == ("202515001499", "12 MAIN ST",
                                                                                   None, "3")


def test_a_file_without_an_id_column_names_what_was_looked_for(sqlite_engine, tmp_path):
    path = tmp_path / "parcels.csv"
    path.write_text("owner_name,street\nA,12 MAIN ST\n")
    with pytest.raises(LoadError) as error:
        load_properties(path, sqlite_engine)
    message = str(error.value)
    assert "owner_name, street" in message
    assert "pin" in message and "site address" in message


def test_real_notices_on_their_parcels_score_as_the_rules_say(sqlite_engine, tmp_path):
    """Pittsburgh's condemned and dead-end notices, placed on its parcels and read from the page blocks
    (dates without a time: many equal scores), score as the rules applied one property at a time, and
    the flagged ones are listed by score, then departments, then property id."""
    from dataclasses import replace

    from integration import scoring
    from services import hotspots
    from tests.unit.test_scoring import scores_by_hand

    load_properties(combined_master(tmp_path), sqlite_engine)
    ingest(shared_file(CONDEMNED), "public_works", sqlite_engine, columns=CONDEMNED_COLUMNS)
    _first, last = hotspots.date_range(sqlite_engine)
    placed = hotspots.placed_window(sqlite_engine, last, 3 * 365)
    config = replace(scoring.load_config(), min_departments=1)  # one department here: every property flags
    end = hotspots.window_end(last)
    scored = scoring.score(placed, end, 365, config=config)
    expected = scores_by_hand(placed, end, 365, config=config)
    assert len(scored) == len(expected) > 200
    for pid, row in scored.iterrows():
        points, records_, _n, _nuisance, _flagged = expected[pid]
        assert row["score"] == pytest.approx(points, abs=0.011) and row["records"] == records_ and row["flagged"]
    ranked = sorted(expected, key=lambda pid: (-scored.loc[pid, "score"], -scored.loc[pid, "n_departments"], pid))
    assert scored.index.tolist() == ranked
    assert scored["score"].duplicated().sum() > 50  # ties the order had to settle
