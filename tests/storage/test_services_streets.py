"""services.streets against a database (SQLite and PostgreSQL): the streets of the master as stored."""

from services import streets
from storage import property_data
from storage.engine import writing
from tests.storage.test_storage import _property

METRES_EAST = 1 / (111_320 * 0.7337)  # degrees of longitude per metre at 42.8 N


def test_the_streets_of_the_master_as_stored(engine):
    rows, addresses = [], []
    for n, number in enumerate(range(101, 400, 3)):  # Main St running east, odd and even sides, 15 m apart
        pid = f"M{n:03d}"
        lat = 42.8 + (0.0001 if number % 2 else -0.0001)
        rows.append(_property(pid, f"{number} MAIN ST", parcel_id=f"{n:015d}", lat=lat,
                              lon=-87.8 + n * 15 * METRES_EAST))
        addresses.append(dict(property_id=pid, address=f"{number} MAIN ST", key=f"{number} MAIN ST", is_primary=True))
    rows.append(_property("X1", "12 ELM ST", parcel_id="999", lat=None, lon=None))  # not located: no line
    addresses.append(dict(property_id="X1", address="12 ELM ST", key="12 ELM ST", is_primary=True))
    with writing(engine) as conn:
        property_data.replace_properties(conn, rows, addresses)
    lines = streets.streets(engine)
    assert lines["street"].tolist() == ["MAIN ST"]
    line = lines.iloc[0]
    assert (line["low"], line["high"]) == (101, 398)
    path = line["path"]
    assert path[0][0] < path[-1][0] and abs(path[0][1] - 42.8) < 0.00003  # east along the middle of the street
