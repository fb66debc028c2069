"""The street grid and the property master of Lakeport, WI, the synthetic sample city.

The city is a grid of ~100 m blocks. Columns (x) count westward from the lake shore, rows (y)
northward. MAIN ST (column `east_west_base`) is where house numbers on east-west streets start;
STATE ST (row `north_south_base`) is where numbers on north-south streets start. A street that
runs across a base line carries a pre-directional on each side with the same numbers (N MAIN ST /
S MAIN ST, E STATE ST / W STATE ST); a street on one side only has none. Every block between
two cross streets is one hundred block; odd numbers are on the north or east side, even on the
south or west side. Lots take even offsets 4..96 within the hundred (+1 on the odd side); offsets
1, 2, 98 and 99 are kept for the side addresses of corner lots, so an alias never collides.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass

from sample_data import vocabulary as words

CITY = "LAKEPORT"
STATE = "WI"
LAT0, LON0 = 42.72, -87.80
DEG_LAT = 0.0009     # one block (~100 m) north-south
DEG_LON = 0.001226   # one block east-west at 42.7 N
SETBACK = 0.15       # blocks between a street's centre line and its houses
MAX_LOTS_PER_FACE = 40
LAND_USES = ("RESIDENTIAL", "DUPLEX", "APARTMENT", "COMMERCIAL", "VACANT", "INSTITUTIONAL", "INDUSTRIAL")


@dataclass(frozen=True, slots=True)
class Street:
    """One named street on one side of a base line, e.g. N MAIN ST."""

    prefix: str
    name: str
    suffix: str
    full: str

    @property
    def numbered(self) -> bool:
        return self.name[0].isdigit()


@dataclass(slots=True)
class Segment:
    """One hundred block of a street: its low-number end, direction and odd side, in grid units."""

    street: Street
    hundred: int
    x0: float
    y0: float
    dx: float
    dy: float
    odd_x: float
    odd_y: float
    kind: str            # "ew", "ns" or "court"
    arterial: bool
    zone: str
    setback: float = SETBACK

    def point(self, offset: int, odd: bool) -> tuple[float, float]:
        """Grid position of the lot at this offset (0..100) on the odd or even side."""
        side = self.setback if odd else -self.setback
        share = offset / 100
        return self.x0 + self.dx * share + self.odd_x * side, self.y0 + self.dy * share + self.odd_y * side

    def centre(self) -> tuple[float, float]:
        return self.x0 + self.dx / 2, self.y0 + self.dy / 2


@dataclass(frozen=True, slots=True)
class Intersection:
    x: int
    y: int
    north_south: Street
    east_west: Street
    weight: float


@dataclass(slots=True)
class Property:
    """One parcel. `aliases` are its other street addresses (corner side, second door of a duplex);
    `units` are unit labels used in records; `unit_rows` says the master lists them as addresses."""

    property_id: str
    parcel_id: str
    street: Street
    number: int
    land_use: str
    x: float
    y: float
    range_hi: int = 0
    aliases: tuple[tuple[Street, int], ...] = ()
    units: tuple[str, ...] = ()
    unit_rows: bool = False
    owner: str = ""
    lat: float = 0.0
    lon: float = 0.0
    ward: int = 0
    neighborhood: str = ""
    zip: str = ""
    role: str = ""

    @property
    def number_text(self) -> str:
        return f"{self.number}-{self.range_hi}" if self.range_hi else str(self.number)

    @property
    def address(self) -> str:
        return f"{self.number_text} {self.street.full}"

    def address_rows(self) -> list[str]:
        """Every address of the property as the master lists it, the primary one first."""
        rows = [self.address]
        rows += [f"{number} {street.full}" for street, number in self.aliases]
        if self.unit_rows:
            rows += [f"{self.address} {unit}" for unit in self.units]
        return rows


@dataclass
class City:
    """The street network and the property master, with the look-ups record writers need."""

    grow: float
    columns: int
    rows: int
    segments: list[Segment]
    intersections: list[Intersection]
    properties: list[Property]
    institutions: dict[str, Property]
    numbers: dict[Street, set[int]]
    streets_by_name: dict[str, list[Street]]
    parcels: set[str]
    ward_population: list[int]

    def latlon(self, x: float, y: float) -> tuple[float, float]:
        """Latitude and longitude of a grid position; the grid centre sits at (LAT0, LON0)."""
        return LAT0 + (y - self.rows / 2) * DEG_LAT, LON0 - (x - self.columns / 2) * DEG_LON

    def has_number(self, street: Street, number: int) -> bool:
        return number in self.numbers.get(street, ())

    def streets_with_number(self, name: str, number: int) -> list[Street]:
        return [s for s in self.streets_by_name.get(name, ()) if number in self.numbers[s]]

    def beat(self, x: float, y: float) -> str:
        """Police beat (B1..B9): a 3 x 3 split of the city."""
        column = min(2, max(0, int(3 * x / self.columns)))
        row = min(2, max(0, int(3 * (self.rows - y) / self.rows)))
        return f"B{row * 3 + column + 1}"


def ordinal(n: int) -> str:
    """5 -> 5TH, 21 -> 21ST, 12 -> 12TH."""
    if 10 <= n % 100 <= 20:
        return f"{n}TH"
    return f"{n}{ {1: 'ST', 2: 'ND', 3: 'RD'}.get(n % 10, 'TH') }"


class _Layout:
    """Where the base lines and the city edge are for one scale."""

    def __init__(self, grow: float):
        self.columns = round(40 * grow)
        self.rows = round(52 * grow)
        self.east_west_base = max(2, round(3 * grow))      # column of MAIN ST
        self.north_south_base = round(28 * grow)            # row of STATE ST
        self.south_west_edge = self.east_west_base + round(24 * grow)
        self.shore_north_edge = self.north_south_base + round(10 * grow)

    def row_extent(self, y: int) -> tuple[int, int]:
        if y < self.north_south_base:
            return self.east_west_base, self.south_west_edge
        if y <= self.shore_north_edge:
            return 0, self.columns - 1
        return self.east_west_base, self.columns - 1

    def column_extent(self, x: int) -> tuple[int, int]:
        if x < self.east_west_base:
            return self.north_south_base, self.shore_north_edge
        if x <= self.south_west_edge:
            return 0, self.rows - 1
        return self.north_south_base, self.rows - 1


def _ordinal(number: int) -> str:
    ending = "TH" if number % 100 in (11, 12, 13) else {1: "ST", 2: "ND", 3: "RD"}.get(number % 10, "TH")
    return f"{number}{ending}"


class _Names:
    """Hands out street names from the lists in order, never the same name and suffix twice."""

    def __init__(self):
        self.taken: set[tuple[str, str]] = set()
        invented = ((stem + ending, suffix) for suffix in ("DR", "AVE", "ST", "LN", "CT")
                    for stem in words.NAME_STEMS for ending in words.NAME_ENDINGS)
        # past those, numbered streets as a big city's outer grid has them: 101ST ST, 102ND AVE, ...
        numbered = ((_ordinal(number), suffix) for number in range(101, 100_000) for suffix in ("ST", "AVE"))
        self.extra = itertools.chain(invented, numbered)

    def take(self, pool: list[tuple[str, str]]) -> tuple[str, str]:
        while pool:
            candidate = pool.pop(0)
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        # Only a very large scale gets here; invented names keep every street distinct.
        for name, suffix in self.extra:
            if (name, suffix) not in self.taken and all(name != n for n, _ in self.taken):
                self.taken.add((name, suffix))
                return name, suffix
        raise ValueError("ran out of street names")

    def reserve(self, *names: tuple[str, str]) -> None:
        self.taken.update(names)


_STREETS: dict[str, Street] = {}


def street(prefix: str, name: str, suffix: str) -> Street:
    """The one Street object for this spelling (so streets compare and hash cheaply)."""
    full = " ".join(part for part in (prefix, name, suffix) if part)
    found = _STREETS.get(full)
    if found is None:
        found = _STREETS[full] = Street(prefix, name, suffix, full)
    return found


def _zone(layout: _Layout, grow: float, x: float, y: float) -> str:
    if x >= layout.south_west_edge - 7 * grow and y <= 8 * grow:
        return "industrial"
    distance = math.hypot(x - (layout.east_west_base + 3 * grow), y - layout.north_south_base)
    if distance <= 4.5 * grow:
        return "downtown"
    if distance <= 13 * grow:
        return "core"
    return "suburb"


def _street_names(layout: _Layout, names: _Names) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(name, suffix) of every column (north-south street) and row (east-west street)."""
    grand_column = min(layout.columns - 1, layout.south_west_edge + 3)
    forced_rows = {layout.rows - 1: ("NORTH", "AVE"), layout.shore_north_edge + 2: ("GRAND", "BLVD"),
                   layout.shore_north_edge + 5: ("RAPIDS", "DR"), layout.north_south_base: ("STATE", "ST")}
    names.reserve(("MAIN", "ST"), ("GRAND", "AVE"), ("SOUTH", "ST"), ("WASHINGTON", "AVE"),
                  ("DURAND", "AVE"), *forced_rows.values())
    shore, north_south = list(words.LAKESHORE_STREETS), list(words.NORTH_SOUTH_STREETS)
    columns = []
    for x in range(layout.columns):
        if x == layout.east_west_base:
            columns.append(("MAIN", "ST"))
        elif x == grand_column:
            columns.append(("GRAND", "AVE"))
        else:
            columns.append(names.take(shore if x < layout.east_west_base else north_south))

    south = []
    n = 1
    while len(south) < layout.north_south_base - 1:
        south.append((ordinal(n), "ST"))
        names.reserve(south[-1])
        if n == 7:
            south.append(("WASHINGTON", "AVE"))
        if n == 18:
            south.append(("DURAND", "AVE"))
        n += 1
    south = south[:layout.north_south_base - 1]
    east_west = list(words.EAST_WEST_STREETS)
    rows = []
    for y in range(layout.rows):
        if y == 0:
            rows.append(("SOUTH", "ST"))
        elif y < layout.north_south_base:
            rows.append(south[layout.north_south_base - 1 - y])
        elif y in forced_rows:
            rows.append(forced_rows[y])
        else:
            rows.append(names.take(east_west))
    return columns, rows


def _segments(layout: _Layout, grow: float, columns, rows):
    east_west: dict[tuple[int, int], Segment] = {}
    north_south: dict[tuple[int, int], Segment] = {}
    base_x, base_y = layout.east_west_base, layout.north_south_base
    for y, (name, suffix) in enumerate(rows):
        low, high = layout.row_extent(y)
        arterial = (name, suffix) in words.ARTERIALS
        for k in range(low, high):
            if k >= base_x:
                seg_street = street("W" if low < base_x else "", name, suffix)
                hundred, x0, dx = 100 * (k - base_x + 1), k, 1
            else:
                seg_street = street("E", name, suffix)
                hundred, x0, dx = 100 * (base_x - k), k + 1, -1
            east_west[y, k] = Segment(seg_street, hundred, x0, y, dx, 0, 0, 1, "ew", arterial,
                                      _zone(layout, grow, k + 0.5, y))
    for x, (name, suffix) in enumerate(columns):
        low, high = layout.column_extent(x)
        arterial = (name, suffix) in words.ARTERIALS
        for k in range(low, high):
            if k >= base_y:
                seg_street = street("N" if low < base_y else "", name, suffix)
                hundred, y0, dy = 100 * (k - base_y + 1), k, 1
            else:
                seg_street = street("S", name, suffix)
                hundred, y0, dy = 100 * (base_y - k), k + 1, -1
            # Odd numbers on the east side, which is towards smaller x.
            north_south[x, k] = Segment(seg_street, hundred, x, y0, 0, dy, -1, 0, "ns", arterial,
                                        _zone(layout, grow, x, k + 0.5))
    return east_west, north_south


def _street_at(segments: dict[tuple[int, int], Segment], line: int, at: int) -> Street | None:
    found = segments.get((line, at)) or segments.get((line, at - 1))
    return found.street if found else None


def _intersections(layout: _Layout, east_west, north_south) -> list[Intersection]:
    found = []
    for y in range(layout.rows):
        for x in range(layout.columns):
            ew = _street_at(east_west, y, x)
            ns = _street_at(north_south, x, y)
            if ew is None or ns is None:
                continue
            ew_segment = east_west.get((y, x)) or east_west.get((y, x - 1))
            ns_segment = north_south.get((x, y)) or north_south.get((x, y - 1))
            busy = ew_segment.arterial + ns_segment.arterial
            weight = 1 + 2 * busy + 2 * (busy == 2)
            found.append(Intersection(x, y, ns, ew, weight))
    return found


def _courts(layout: _Layout, grow: float, rng: random.Random, names: _Names, east_west, north_south):
    pool = list(words.COURT_STREETS)
    wanted = round(35 * grow)
    courts: list[Segment] = []
    used: set[tuple[int, int]] = set()
    tries = 0
    while len(courts) < wanted and tries < 100 * wanted:
        tries += 1
        y = rng.randrange(0, layout.rows - 1)
        k = rng.randrange(layout.east_west_base, layout.columns - 1)
        if (y, k) in used or (y, k) not in east_west or (y + 1, k) not in east_west:
            continue
        if (k, y) not in north_south:
            continue
        used.add((y, k))
        name, suffix = ("OAK", "CT") if not courts else names.take(pool)
        court = Segment(street("", name, suffix), 100 * (k - layout.east_west_base + 1), k, y + 0.5, 0.6, 0,
                        0, 1, "court", False, _zone(layout, grow, k + 0.3, y + 0.5), setback=0.12)
        courts.append(court)
    return courts


# land use weights per zone: RESIDENTIAL, DUPLEX, APARTMENT, COMMERCIAL, VACANT, INSTITUTIONAL, INDUSTRIAL
_LAND_USE_WEIGHTS = {
    "downtown": (42, 12, 12, 25, 5, 2, 1),
    "core": (60, 22, 4, 5, 7, 1, 1),
    "suburb": (87, 5, 2, 2.5, 2.5, 0.5, 0.5),
    "industrial": (18, 3, 0, 12, 14, 0, 53),
    "arterial": (45, 9, 8, 28, 6, 2, 1),
    "court": (93, 5, 0, 0, 2, 0, 0),
}
_FACE_DENSITY = {"downtown": 1.5, "core": 1.3, "suburb": 1.0, "industrial": 0.45}


def _choose_offsets(count: int, rng: random.Random, required: tuple[int, ...] = ()) -> list[int]:
    """Sorted even offsets 4..96 for `count` lots, spread along the block, holding `required`."""
    candidates = [o for o in range(4, 97, 2) if all(abs(o - r) >= 4 for r in required)]
    wanted = max(0, count - len(required))
    chosen: list[int] = []
    step = len(candidates) / max(wanted, 1)
    for i in range(wanted):
        index = int((i + 0.5 + rng.uniform(-0.35, 0.35)) * step)
        index = min(len(candidates) - 1, max(0, index))
        if chosen and candidates[index] <= chosen[-1]:
            later = [o for o in candidates if o > chosen[-1]]
            if not later:
                break
            chosen.append(later[0])
        else:
            chosen.append(candidates[index])
    return sorted(set(chosen) | set(required))


def _pick(rng: random.Random, options, weights):
    return rng.choices(options, weights=weights, k=1)[0]


def _person(rng: random.Random) -> str:
    last, first = rng.choice(words.LAST_NAMES), rng.choice(words.FIRST_NAMES)
    roll = rng.random()
    if roll < 0.3:
        return f"{last} {first} & {rng.choice(words.FIRST_NAMES)}"
    if roll < 0.55:
        return f"{last} {first} {rng.choice('ABCDEFGHJKLMNPRSTW')}"
    if roll < 0.6:
        return f"{last} FAMILY TRUST"
    return f"{last} {first}"


def _owner(rng: random.Random, land_use: str) -> str:
    company = rng.choice(words.COMPANY_WORDS)
    if land_use == "RESIDENTIAL":
        return _person(rng) if rng.random() < 0.85 else f"{company} {rng.choice(words.RENTAL_OWNER_KINDS)}"
    if land_use in ("DUPLEX", "APARTMENT"):
        share = 0.55 if land_use == "DUPLEX" else 0.1
        return _person(rng) if rng.random() < share else f"{company} {rng.choice(words.RENTAL_OWNER_KINDS)}"
    if land_use == "COMMERCIAL":
        return f"{rng.choice(words.LAST_NAMES)} {rng.choice(words.BUSINESS_OWNER_KINDS)}" if rng.random() < 0.5 \
            else f"{company} {rng.choice(words.BUSINESS_OWNER_KINDS)}"
    if land_use == "INDUSTRIAL":
        return f"{company} {rng.choice(words.INDUSTRIAL_OWNER_KINDS)}"
    if land_use == "INSTITUTIONAL":
        return rng.choice(words.INSTITUTIONAL_OWNERS)
    return "CITY OF LAKEPORT" if rng.random() < 0.3 else _person(rng)


def _apartment_units(rng: random.Random, zone: str) -> tuple[str, ...]:
    count = rng.choice((4, 4, 6, 6, 8, 8, 12, 16, 24, 36, 48) if zone == "downtown" else (3, 4, 4, 6, 6, 8, 8, 12, 16))
    if count <= 4 and rng.random() < 0.4:
        return tuple("ABCD"[:count])
    if count <= 12:
        return tuple(str(i) for i in range(1, count + 1))
    per_floor = 6 if count <= 24 else 12
    return tuple(f"{floor}{unit:02d}" for floor in range(1, count // per_floor + 1) for unit in range(1, per_floor + 1))


# Institutions that draw records for reasons of their own, each alone on its side of the block:
# role, land use, street, hundred, odd side, offset, range end offset, owner.
INSTITUTIONS = (
    ("city_hall", "INSTITUTIONAL", "WASHINGTON AVE", 700, False, 30, 0, "CITY OF LAKEPORT"),   # 730
    ("police_station", "INSTITUTIONAL", "WASHINGTON AVE", 700, True, 24, 0, "CITY OF LAKEPORT"),  # 725
    ("hospital", "INSTITUTIONAL", "N MAIN ST", 1800, False, 20, 48, "LAKEPORT MEMORIAL HOSPITAL INC"),  # 1820-1848
    ("big_box_store", "COMMERCIAL", "RAPIDS DR", 3600, False, 50, 0, "VALUMART REAL ESTATE BUSINESS TRUST"),  # 3650
    ("high_school", "INSTITUTIONAL", "GRAND AVE", 1400, True, 14, 0, "LAKEPORT UNIFIED SCHOOL DISTRICT"),  # 1415
    ("bus_terminal", "INSTITUTIONAL", "W STATE ST", 300, False, 10, 0, "CITY OF LAKEPORT"),  # 310, transit center
)

# Addresses that always exist, so documentation examples and traps hold at every scale:
# street, number, land use (None: drawn as usual), stacked duplex.
FIXED_ADDRESSES = (
    ("GRAND AVE", 2210, "RESIDENTIAL", False),
    ("GRAND BLVD", 2210, "RESIDENTIAL", False),
    ("N MAIN ST", 1523, None, False),
    ("S MAIN ST", 1523, None, False),
    ("5TH ST", 718, None, False),
    ("N HOLMES AVE", 1412, "DUPLEX", True),
)


def build_city(rng: random.Random, scale: float, property_count: int, population: int) -> City:
    """Lay out the streets and fill them with `property_count` properties."""
    grow = max(1.0, math.sqrt(scale))
    layout = _Layout(grow)
    names = _Names()
    columns, rows = _street_names(layout, names)
    east_west, north_south = _segments(layout, grow, columns, rows)
    courts = _courts(layout, grow, rng, names, east_west, north_south)
    segments = [*east_west.values(), *north_south.values(), *courts]
    by_block = {(s.street.full, s.hundred): s for s in segments}

    builder = _PropertyBuilder(rng, layout, north_south)
    reserved_faces: set[tuple[int, bool]] = set()
    institutions: dict[str, Property] = {}
    for role, land_use, street_full, hundred, odd, offset, range_end, owner in INSTITUTIONS:
        segment = by_block[street_full, hundred]
        reserved_faces.add((id(segment), odd))
        prop = builder.add(segment, odd, offset, land_use, owner=owner, range_end=range_end)
        prop.role = role
        institutions[role] = prop

    required: dict[tuple[int, bool], list[tuple[int, str | None, bool]]] = {}
    for street_full, number, land_use, stacked in FIXED_ADDRESSES:
        rest = number % 100
        segment = by_block[street_full, number - rest]
        odd = bool(rest % 2)
        required.setdefault((id(segment), odd), []).append((rest - odd, land_use, stacked))

    faces: list[tuple[Segment, bool]] = []
    weights: list[float] = []
    for segment in segments:
        for odd in (True, False):
            if (id(segment), odd) in reserved_faces:
                continue
            park = rng.random() < 0.05 and (id(segment), odd) not in required
            density = 0.0 if park else _FACE_DENSITY[segment.zone] * (1.1 if segment.kind == "court" else 1.0)
            faces.append((segment, odd))
            weights.append(density * rng.uniform(0.6, 1.4))
    counts = _allocate(rng, property_count - len(institutions) - len(FIXED_ADDRESSES), weights)

    for (segment, odd), count in zip(faces, counts):
        fixed = required.get((id(segment), odd), [])
        count += len(fixed)
        if count == 0:
            continue
        offsets = _choose_offsets(count, rng, tuple(o for o, _, _ in fixed))
        fixed_by_offset = {o: (land_use, stacked) for o, land_use, stacked in fixed}
        builder.fill_face(segment, odd, offsets, fixed_by_offset)

    properties = builder.properties
    _assign_ids_and_parcels(rng, properties)
    _assign_areas(layout, grow, properties)
    ward_population = _wards(properties, population)

    for prop in properties:
        prop.lat = LAT0 + (prop.y - layout.rows / 2) * DEG_LAT
        prop.lon = LON0 - (prop.x - layout.columns / 2) * DEG_LON
    numbers: dict[Street, set[int]] = {}
    for prop in properties:
        on_street = numbers.setdefault(prop.street, set())
        on_street.update(range(prop.number, (prop.range_hi or prop.number) + 1, 2))
        for alias_street, number in prop.aliases:
            numbers.setdefault(alias_street, set()).add(number)
    streets_by_name: dict[str, list[Street]] = {}
    for segment in segments:
        listed = streets_by_name.setdefault(segment.street.name, [])
        if segment.street not in listed:
            listed.append(segment.street)
        numbers.setdefault(segment.street, set())
    return City(grow, layout.columns, layout.rows, segments, _intersections(layout, east_west, north_south),
                properties, institutions, numbers, streets_by_name, {p.parcel_id for p in properties},
                ward_population)


def _allocate(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Split `total` lots over faces in proportion to weight, at most MAX_LOTS_PER_FACE each."""
    weight_sum = sum(weights)
    counts = [min(MAX_LOTS_PER_FACE, int(total * w / weight_sum)) for w in weights]
    remainder = total - sum(counts)
    indices = range(len(weights))
    while remainder > 0:
        for i in rng.choices(indices, weights=weights, k=remainder):
            if counts[i] < MAX_LOTS_PER_FACE:
                counts[i] += 1
                remainder -= 1
    return counts


class _PropertyBuilder:
    """Creates the lots of each block face with their land use, units, ranges and aliases."""

    def __init__(self, rng: random.Random, layout: _Layout, north_south: dict[tuple[int, int], Segment]):
        self.rng = rng
        self.layout = layout
        self.north_south = north_south
        self.properties: list[Property] = []

    def add(self, segment: Segment, odd: bool, offset: int, land_use: str, owner: str = "",
            range_end: int = 0, units: tuple[str, ...] = (), unit_rows: bool = False,
            aliases: tuple[tuple[Street, int], ...] = ()) -> Property:
        x, y = segment.point(offset, odd)
        parity = 1 if odd else 0
        prop = Property("", "", segment.street, segment.hundred + offset + parity, land_use, x, y,
                        range_hi=segment.hundred + range_end + parity if range_end else 0,
                        aliases=aliases, units=units, unit_rows=unit_rows,
                        owner=owner or _owner(self.rng, land_use))
        self.properties.append(prop)
        return prop

    def fill_face(self, segment: Segment, odd: bool, offsets: list[int],
                  fixed: dict[int, tuple[str | None, bool]]) -> None:
        rng = self.rng
        zone = "court" if segment.kind == "court" else ("arterial" if segment.arterial and segment.zone != "industrial"
                                                          else segment.zone)
        table = _LAND_USE_WEIGHTS[zone]
        last = len(offsets) - 1
        for i, offset in enumerate(offsets):
            next_offset = offsets[i + 1] if i < last else 98
            land_use, stacked = fixed.get(offset, (None, False))
            land_use = land_use or _pick(rng, LAND_USES, table)
            parity = 1 if odd else 0
            units: tuple[str, ...] = ()
            unit_rows = False
            range_end = 0
            aliases: list[tuple[Street, int]] = []
            room = min(96, next_offset - 2) - offset  # even numbers free after this lot
            if land_use == "DUPLEX":
                if stacked or offset in fixed or room < 2 or rng.random() < 0.6:
                    units, unit_rows = ("UPPER", "LOWER"), True
                else:
                    aliases.append((segment.street, segment.hundred + offset + 2 + parity))
            elif land_use == "APARTMENT":
                units = _apartment_units(rng, segment.zone)
                if room >= 2 and rng.random() < 0.3:
                    range_end = offset + 2 * rng.randint(1, min(3, room // 2))
            elif land_use in ("COMMERCIAL", "INDUSTRIAL") and room >= 2 and rng.random() < 0.25:
                range_end = offset + 2 * rng.randint(1, min(3, room // 2))
            corner = None
            if segment.kind == "ew" and offset not in fixed:
                if i == 0 and offset <= 24:
                    corner = self._corner(segment, odd, offset, low=True)
                elif i == last and offset >= 76:
                    corner = self._corner(segment, odd, offset, low=False)
            if corner and rng.random() < 0.55:
                aliases.append(corner)
            else:
                corner = None
            prop = self.add(segment, odd, offset, land_use, range_end=range_end, units=units,
                            unit_rows=unit_rows, aliases=tuple(aliases))
            if corner and not range_end and rng.random() < 0.3:
                # Some corner lots are known by their side-street address first.
                others = tuple(alias for alias in prop.aliases if alias != corner)
                prop.aliases = ((prop.street, prop.number), *others)
                prop.street, prop.number = corner

    def _corner(self, segment: Segment, odd: bool, offset: int, low: bool) -> tuple[Street, int] | None:
        """The address this corner lot has on the cross street, if a cross street is there."""
        x, y = segment.point(offset, odd)
        column = round(segment.x0 if low else segment.x0 + segment.dx)
        cross = self.north_south.get((column, math.floor(y)))
        if cross is None:
            return None
        on_odd_side = x < column
        near_low_end = (y - cross.y0) * cross.dy < 0.5
        offset_on_cross = (1 if near_low_end else 99) if on_odd_side else (2 if near_low_end else 98)
        return cross.street, cross.hundred + offset_on_cross


def _assign_ids_and_parcels(rng: random.Random, properties: list[Property]) -> None:
    sequence: dict[tuple[int, int], int] = {}
    for i, prop in enumerate(properties, start=1):
        prop.property_id = f"P{i:06d}"
        section = (1 + int(prop.y // 8), 1 + int(prop.x // 8))
        # Gaps between lot numbers, as in a real tax roll, make most mistyped keys point nowhere.
        sequence[section] = sequence.get(section, 0) + rng.randint(1, 4)
        prop.parcel_id = f"276{section[0]:02d}{section[1]:02d}{sequence[section]:05d}000"


ZIP_SEEDS = (("53401", 2, 0), ("53402", 8, 14), ("53403", 6, -12), ("53404", 16, 4), ("53405", 19, -10),
             ("53406", 32, 12))
# name, columns west of MAIN ST, rows north of STATE ST (in blocks at scale 1)
NEIGHBORHOOD_SEEDS = (("DOWNTOWN", 2.5, 0), ("HARBOR POINT", -1.5, 6), ("NORTHSIDE", 8, 17), ("UPTOWN", 10, 4),
                      ("WEST END", 33, 15), ("LINCOLN PARK", 20, 8), ("SOUTHSIDE", 6, -14), ("RIVERBEND", 14, -20),
                      ("CAMPUS", 15, -6), ("WESTGATE", 30, 2), ("LAKEVIEW", 2, -22), ("GATEWAY", 22, -24))


def _nearest(seeds, x: float, y: float) -> str:
    return min(seeds, key=lambda seed: (seed[1] - x) ** 2 + (seed[2] - y) ** 2)[0]


def _assign_areas(layout: _Layout, grow: float, properties: list[Property]) -> None:
    def placed(seeds):
        return [(name, layout.east_west_base + dx * grow, layout.north_south_base + dy * grow)
                for name, dx, dy in seeds]

    zips, hoods = placed(ZIP_SEEDS), placed(NEIGHBORHOOD_SEEDS)
    for prop in properties:
        prop.zip = _nearest(zips, prop.x, prop.y)
        prop.neighborhood = _nearest(hoods, prop.x, prop.y)


def residents(prop: Property) -> float:
    """Expected residents of a property (for ward populations)."""
    if prop.land_use == "RESIDENTIAL":
        return 2.4
    if prop.land_use == "DUPLEX":
        return 4.6
    if prop.land_use == "APARTMENT":
        return 1.7 * len(prop.units)
    return 0.0


def _wards(properties: list[Property], population: int) -> list[int]:
    """Fifteen wards of similar population: three bands north to south, five parts east to west."""
    people = [residents(p) for p in properties]
    total = sum(people) or 1.0
    order = sorted(range(len(properties)), key=lambda i: (-properties[i].y, properties[i].x))
    band_of: dict[int, int] = {}
    running = 0.0
    for i in order:
        band_of[i] = min(2, int(3 * running / total))
        running += people[i]
    ward_people = [0.0] * 15
    for band in range(3):
        members = sorted((i for i in order if band_of[i] == band), key=lambda i: (properties[i].x, -properties[i].y))
        band_total = sum(people[i] for i in members) or 1.0
        running = 0.0
        for i in members:
            ward = band * 5 + min(4, int(5 * running / band_total))
            properties[i].ward = ward + 1
            ward_people[ward] += people[i]
            running += people[i]
    # Largest remainder, so the wards add up to exactly the city's population.
    shares = [population * p / total for p in ward_people]
    counts = [int(s) for s in shares]
    for ward in sorted(range(15), key=lambda w: counts[w] - shares[w])[: population - sum(counts)]:
        counts[ward] += 1
    return counts
