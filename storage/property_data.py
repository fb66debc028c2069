"""The property master: properties and their addresses, land uses and wards, the institution list and
ward populations.

Entry points (each takes a connection first): replace_properties, property_master, get_property,
count_properties, master_version, land_uses, property_facts, wards, institution_treatments,
institution_list, set_institution, remove_institution, replace_ward_populations,
ward_population_table, properties_within.
"""

from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from vocabulary import TREATMENTS
from storage import summaries
from storage.schema import institutions, properties, property_addresses, ward_populations
from storage.store import BATCH_ROWS, insert_many, now, read_frame, update_many


def replace_properties(conn: Connection, property_rows: Sequence[dict], address_rows: Sequence[dict]) -> dict:
    """Load a property master: upsert properties, replace their address lists.

    Properties missing from the new master are kept (records may point at them); returns counts.
    """
    existing = set(conn.execute(sa.select(properties.c.property_id)).scalars())
    stamp = now()
    new_rows = [dict(row, updated_at=stamp) for row in property_rows if row["property_id"] not in existing]
    changed = [dict(row, updated_at=stamp) for row in property_rows if row["property_id"] in existing]
    insert_many(conn, properties, new_rows)
    update_many(conn, properties, "property_id", changed)
    # only a property already stored can have addresses to replace (a county's first master: none)
    loaded_ids = [row["property_id"] for row in property_rows if row["property_id"] in existing]
    for start in range(0, len(loaded_ids), BATCH_ROWS):
        chunk = loaded_ids[start : start + BATCH_ROWS]
        conn.execute(property_addresses.delete().where(property_addresses.c.property_id.in_(chunk)))
    insert_many(conn, property_addresses, address_rows)
    if changed:
        summaries.touch_requests(conn)  # the requests' wards are kept with them
    return {"new": len(new_rows), "updated": len(changed), "addresses": len(address_rows)}


def property_master(conn: Connection) -> pd.DataFrame:
    """Every address of every property, with the property's parcel and location: the matcher's input."""
    query = (
        sa.select(
            properties.c.property_id,
            property_addresses.c.address,
            properties.c.parcel_id,
            properties.c.city,
            properties.c.state,
            properties.c.zip,
            properties.c.lat,
            properties.c.lon,
            properties.c.neighborhood,
        )
        .join(property_addresses, property_addresses.c.property_id == properties.c.property_id)
        .order_by(properties.c.property_id, property_addresses.c.id)
    )
    return read_frame(conn, query)


def get_property(conn: Connection, property_id: str) -> dict | None:
    row = conn.execute(sa.select(properties).where(properties.c.property_id == property_id)).mappings().first()
    if row is None:
        return None
    found = dict(row)
    found["addresses"] = list(
        conn.execute(
            sa.select(property_addresses.c.address)
            .where(property_addresses.c.property_id == property_id)
            .order_by(property_addresses.c.is_primary.desc(), property_addresses.c.id)
        ).scalars()
    )
    return found


def count_properties(conn: Connection) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(properties)).scalar_one()


def master_version(conn: Connection) -> tuple[int, str]:
    """Changes when properties are added or refreshed: the cache key of what is built from the master."""
    count, updated = conn.execute(sa.select(sa.func.count(), sa.func.max(properties.c.updated_at))
                                  .select_from(properties)).one()
    return count, str(updated)


def land_uses(conn: Connection, uses: Sequence[str]) -> pd.DataFrame:
    """property_id and land_use of the properties with one of these land uses (for damping)."""
    # the land uses as the master spells them, read from their index; then the properties with those
    wanted = {use.upper() for use in uses}
    spelled = [use for use in conn.execute(sa.select(properties.c.land_use).distinct()).scalars()
               if use is not None and use.upper() in wanted]
    return read_frame(conn, sa.select(properties.c.property_id, properties.c.land_use)
                      .where(properties.c.land_use.in_(spelled)))


def property_facts(conn: Connection, property_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """property_id, address, parcel, land use, ward, neighbourhood and location, for lists and maps."""
    query = sa.select(properties.c.property_id, properties.c.address, properties.c.parcel_id, properties.c.land_use,
                      properties.c.ward, properties.c.neighborhood, properties.c.lat, properties.c.lon)
    if property_ids is None:
        return read_frame(conn, query)
    parts = [read_frame(conn, query.where(properties.c.property_id.in_(list(property_ids[start : start + BATCH_ROWS]))))
             for start in range(0, len(property_ids), BATCH_ROWS)]
    return pd.concat(parts, ignore_index=True) if parts else read_frame(conn, query.where(sa.false()))


def wards(conn: Connection) -> list[str]:
    query = sa.select(properties.c.ward).where(properties.c.ward.is_not(None)).distinct()
    return sorted(conn.execute(query).scalars(), key=lambda ward: (len(str(ward)), str(ward)))


def institution_treatments(conn: Connection) -> list[tuple[str, str]]:
    """(property_id, treatment) of the explicit institution list, by property id: what scoring reads."""
    query = sa.select(institutions.c.property_id, institutions.c.treatment).order_by(institutions.c.property_id)
    return [tuple(row) for row in conn.execute(query)]


def institution_list(conn: Connection) -> pd.DataFrame:
    """The explicit institution list with each property's address."""
    query = (
        sa.select(institutions.c.property_id, properties.c.address, properties.c.land_use, institutions.c.treatment,
                  institutions.c.reason, institutions.c.added_by, institutions.c.added_at)
        .join(properties, properties.c.property_id == institutions.c.property_id)
        .order_by(properties.c.address)
    )
    return read_frame(conn, query)


def set_institution(conn: Connection, property_id: str, treatment: str, reason: str | None, added_by: str) -> None:
    if treatment not in TREATMENTS:
        raise ValueError("treatment is 'damp' or 'exclude'")
    conn.execute(institutions.delete().where(institutions.c.property_id == property_id))
    conn.execute(institutions.insert().values(property_id=property_id, treatment=treatment, reason=reason,
                                              added_by=added_by, added_at=now()))


def remove_institution(conn: Connection, property_id: str) -> None:
    conn.execute(institutions.delete().where(institutions.c.property_id == property_id))


def replace_ward_populations(conn: Connection, populations: dict[str, int], loaded_by: str) -> None:
    """Replace the table of residents per ward."""
    conn.execute(ward_populations.delete())
    stamp = now()
    rows = [dict(ward=str(ward), population=int(people), loaded_by=loaded_by, loaded_at=stamp)
            for ward, people in populations.items()]
    if rows:
        conn.execute(ward_populations.insert(), rows)


def ward_population_table(conn: Connection) -> pd.DataFrame:
    """ward, population."""
    return read_frame(conn, sa.select(ward_populations.c.ward, ward_populations.c.population)
                  .order_by(ward_populations.c.ward))


def properties_within(conn: Connection, south: float, west: float, north: float, east: float,
                      limit: int = 3_000) -> pd.DataFrame:
    """Properties located inside a latitude/longitude box (the surroundings drawn on a small map)."""
    query = (
        sa.select(properties.c.property_id, properties.c.address, properties.c.lat, properties.c.lon)
        .where(properties.c.lat.between(south, north), properties.c.lon.between(west, east))
        .limit(limit)
    )
    return read_frame(conn, query)
