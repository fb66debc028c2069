"""The four department extracts of the sample city, with the planted problem properties and the
institutions that collect records for reasons of their own.

Each extract is built as records (day, second of day, fields, truth, noise), sorted by time and
then numbered the way its system numbers them, so ids rise with time as in a real export.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from statistics import median

from sample_data import vocabulary as words
from sample_data.addresses import NEEDS, AddressNoise, Parts, applies, title_case, unit_text
from sample_data.city import CITY, STATE, City, Intersection, Property, Segment

PERIOD_START = date(2025, 11, 1)
PERIOD_DAYS = 365   # through 2026-10-31
RECENT_DAYS = 90

# Month multipliers, January first.
SEASONS = {
    "flat": (1,) * 12,
    "summer": (0.6, 0.6, 0.7, 0.9, 1.1, 1.3, 1.5, 1.5, 1.2, 1.0, 0.8, 0.6),
    "winter": (1.5, 1.5, 1.2, 0.9, 0.7, 0.6, 0.6, 0.6, 0.7, 0.9, 1.2, 1.5),
    "grass": (0, 0, 0, 0.2, 1.5, 2, 2, 1.8, 1.2, 0.4, 0, 0),
    "snow": (2, 2, 1, 0.2, 0, 0, 0, 0, 0, 0, 0.5, 1.5),
    # Residents call about unshovelled walks only while it snows; public works' own cases trail into April.
    "snowfall": (2, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0.5, 1.5),
}
# Weekday multipliers, Monday first: offices barely work weekends, police and fire always do.
WEEKDAYS = {
    "police": (1, 1, 1, 1, 1.1, 1.2, 1.1),
    "fire": (1,) * 7,
    "office": (1, 1, 1, 1, 1, 0.04, 0.02),
    "crm": (1, 1, 1, 1, 1, 0.15, 0.1),
}
HOURS = {
    "police": (3, 2.5, 2, 1.5, 1, 1, 1.5, 2.5, 3, 3.5, 4, 4, 4, 4, 4, 4.5, 5, 5.5, 6, 6, 6, 6, 5, 4),
    "fire": (2, 1.5, 1.2, 1, 1, 1.2, 2, 3, 4, 4.5, 5, 5, 5, 5, 5, 5, 5, 5, 4.5, 4, 3.5, 3, 2.5, 2),
    "crm": (0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 2, 6, 7, 7, 6, 5, 6, 6, 5, 4, 1.5, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1),
}

# Noise label -> weight, per department, for records at a property. The first label is "as the
# system writes a clean address".
POLICE_NOISE = {"clean": 66, "unit": 8, "alias": 6, "range_member": 5, "missing_suffix": 4, "missing_direction": 3,
                "typo": 3, "abbrev": 2, "suffix_spelling": 2, "wrong_number": 1.2}
FIRE_NOISE = {"split_parts": 58, "type_in_name": 12, "unit": 8, "alias": 5, "range_member": 4, "missing_suffix": 4,
              "direction_in_name": 3, "typo": 3, "abbrev": 1.5, "wrong_number": 1.2}
PUBLIC_WORKS_NOISE = {"clean": 70, "unit": 8, "alias": 5, "range_member": 5, "parcel_typo": 5, "parcel_only": 2,
                      "abbrev": 1.5, "missing_suffix": 2, "typo": 2, "wrong_number": 1.5}
CRM_NOISE = {"clean": 15, "case": 10, "suffix_spelling": 10, "direction_spelling": 5, "abbrev": 3, "ordinal_word": 4,
             "missing_suffix": 6, "missing_direction": 3, "typo": 8, "unit": 8, "range_member": 3, "alias": 3,
             "city_tail": 10, "neighborhood_tail": 4, "wrong_number": 1.6}

# How often each land use draws a department's records (apartments also grow with their units).
LAND_USE_DRAW = {
    "police": {"RESIDENTIAL": 1, "DUPLEX": 1.8, "APARTMENT": 1, "COMMERCIAL": 3, "VACANT": 0.8,
               "INSTITUTIONAL": 1.5, "INDUSTRIAL": 1},
    "fire": {"RESIDENTIAL": 1, "DUPLEX": 1.6, "APARTMENT": 1, "COMMERCIAL": 2, "VACANT": 0.3,
             "INSTITUTIONAL": 2, "INDUSTRIAL": 1.5},
    "public_works": {"RESIDENTIAL": 1, "DUPLEX": 1.8, "APARTMENT": 1.5, "COMMERCIAL": 0.8, "VACANT": 4,
                     "INSTITUTIONAL": 0.3, "INDUSTRIAL": 0.7},
    "crm": {"RESIDENTIAL": 1, "DUPLEX": 1.5, "APARTMENT": 1, "COMMERCIAL": 1, "VACANT": 1.5,
            "INSTITUTIONAL": 1, "INDUSTRIAL": 0.5},
}
PER_UNIT_DRAW = {"police": 0.25, "fire": 0.3, "public_works": 0.05, "crm": 0.1}

# Patterns planted in the CRM extract for the customer-service page (generate.py's docstring lists them).
COMPLAINING_WARD = 7              # calls 311 about its properties ~3x as often per resident as the median ward,
COMPLAINING_WARD_LIFT = 3         # while its police, fire and public works records stay ordinary
SLOW_DEPARTMENT = "Building"      # its requests take ~3x as long to close
SLOW_DEPARTMENT_FACTOR = 3
OVERLOADED_STAFF = "D. Brandt"    # a Phones agent taking ~3x the requests of any colleague on the phones,
OVERLOAD = 3                      # and ~1.7x as long to close them
OVERLOADED_SLOWDOWN = 1.7
TRANSFER_SHARE = 0.08             # of Complaint and Inquiry requests, first routed to the wrong department
SEASONAL_TOPICS = {"Snow Removal": (11, 12, 1, 2, 3), "Tall Grass": (4, 5, 6, 7, 8, 9, 10)}   # topic: its months
CRM_DAYS_TO_CLOSE = 4             # mean time to close a complaint, inquiry or permit
CRM_REQUESTS_AT_SCALE_1 = 20000   # staff grow with the square root of the volume: 14 at scale 1, at least 6
STAFF_AT_SCALE_1, MIN_STAFF = 14, 6

# Problem properties: scenario, land uses, records in the last 90 days, records 90-180 days back,
# and records that each appear (in the last 90 days) half of the time.
SCENARIOS = (
    ("nuisance_house", ("RESIDENTIAL", "DUPLEX"),
     (("police", "NOISE COMPLAINT"), ("police", "DISTURBANCE"), ("police", "FIGHT"), ("police", "DISTURBANCE"),
      ("public_works", "NUISANCE"), ("crm", "Noise"), ("crm", "Noise")),
     (("police", "NOISE COMPLAINT"), ("police", "DISTURBANCE"), ("public_works", "PROPERTY MAINTENANCE"),
      ("crm", "Noise")),
     (("police", "SHOTS FIRED"), ("fire", "321"), ("crm", "Abandoned Vehicle"), ("police", "NOISE COMPLAINT"))),
    ("fire_risk_hoarding", ("RESIDENTIAL",),
     (("fire", "745"), ("fire", "113"), ("fire", "311"), ("police", "WELFARE CHECK"), ("police", "WELFARE CHECK"),
      ("public_works", "PROPERTY MAINTENANCE"), ("public_works", "JUNK AND DEBRIS"), ("crm", "Rodents")),
     (("fire", "733"), ("fire", "321"), ("police", "WELFARE CHECK"), ("crm", "Property Maintenance"),
      ("public_works", "GARBAGE CARTS")),
     (("fire", "743"), ("fire", "651"), ("crm", "Junk and Debris"))),
    ("vacant_building", ("RESIDENTIAL", "DUPLEX", "COMMERCIAL"),
     (("police", "TRESPASS"), ("police", "TRESPASS"), ("police", "SUSPICIOUS PERSON"),
      ("public_works", "UNSAFE STRUCTURE"), ("public_works", "VACANT BUILDING"), ("crm", "Vacant Building"),
      ("crm", "Rodents"), ("fire", "151")),
     (("police", "TRESPASS"), ("police", "BURGLARY"), ("public_works", "VACANT BUILDING"),
      ("public_works", "TALL GRASS"), ("crm", "Tall Grass")),
     (("fire", "111"), ("police", "TRESPASS"), ("crm", "Junk and Debris"))),
    ("drug_house", ("RESIDENTIAL", "DUPLEX"),
     (("police", "DRUG ACTIVITY"), ("police", "DRUG ACTIVITY"), ("police", "DRUG ACTIVITY"), ("police", "SHOTS FIRED"),
      ("crm", "Drug Activity Tip"), ("public_works", "NUISANCE"), ("fire", "321")),
     (("police", "DRUG ACTIVITY"), ("police", "SUSPICIOUS VEHICLE"), ("crm", "Abandoned Vehicle"),
      ("public_works", "JUNK AND DEBRIS")),
     (("police", "FIGHT"), ("crm", "Noise"), ("fire", "321"))),
    ("junk_grass_chronic", ("RESIDENTIAL", "VACANT"),
     (("public_works", "TALL GRASS"), ("public_works", "JUNK AND DEBRIS"), ("public_works", "INOPERABLE VEHICLE"),
      ("crm", "Tall Grass"), ("crm", "Junk and Debris"), ("police", "NOISE COMPLAINT"), ("police", "DISTURBANCE"),
      ("fire", "561")),
     (("public_works", "TALL GRASS"), ("public_works", "TALL GRASS"), ("crm", "Tall Grass"), ("crm", "Rodents")),
     (("police", "ANIMAL COMPLAINT"), ("crm", "Illegal Dumping"))),
    ("problem_rental", ("APARTMENT", "DUPLEX"),
     (("police", "DOMESTIC"), ("police", "DISTURBANCE"), ("police", "FIGHT"), ("police", "DISTURBANCE"),
      ("fire", "113"), ("fire", "745"), ("public_works", "PROPERTY MAINTENANCE"),
      ("public_works", "RENTAL INSPECTION"), ("crm", "Rodents"), ("crm", "Property Maintenance")),
     (("fire", "733"), ("police", "NOISE COMPLAINT"), ("crm", "Garbage Pickup"), ("public_works", "GARBAGE CARTS")),
     (("police", "SHOTS FIRED"), ("fire", "321"), ("crm", "Water Bill"))),
)

# Records institutions collect at scale 1 per department: (category, count). The first category of
# each department also falls in the last 90 days at least once.
INSTITUTION_ACTIVITY = {
    "police_station": {
        "police": (("WALK-IN REPORT", 300), ("FOUND PROPERTY", 80), ("FOLLOW UP", 80), ("CIVIL MATTER", 60),
                   ("WARRANT SERVICE", 40)),
        "fire": (("321", 8), ("745", 3)), "public_works": (("SIDEWALK REPAIR", 1), ("SNOW REMOVAL", 2)),
        "crm": (("Transfer to Police", 25),)},
    "hospital": {
        "police": (("ASSIST EMS", 120), ("DISTURBANCE", 60), ("WELFARE CHECK", 40), ("MENTAL HEALTH", 80),
                   ("THEFT", 20)),
        "fire": (("321", 180), ("311", 60), ("745", 20)),
        "public_works": (("SIDEWALK REPAIR", 2), ("SNOW REMOVAL", 2)),
        "crm": (("Parking", 10), ("Street Light Out", 4))},
    "city_hall": {
        "police": (("ASSIST CITIZEN", 40), ("DISTURBANCE", 15), ("SUSPICIOUS PERSON", 10)),
        "fire": (("745", 8), ("321", 6)), "public_works": (("SIDEWALK REPAIR", 1), ("SNOW REMOVAL", 2)),
        "crm": (("Tax Bill Question", 60), ("Water Bill", 60), ("Building Permit", 30), ("Garbage Pickup", 20))},
    "big_box_store": {
        "police": (("RETAIL THEFT", 300), ("THEFT", 50), ("ALARM", 30), ("DISTURBANCE", 30),
                   ("SUSPICIOUS PERSON", 20), ("ACCIDENT PROPERTY DAMAGE", 30)),
        "fire": (("745", 25), ("321", 25), ("311", 5)),
        "public_works": (("JUNK AND DEBRIS", 4), ("ZONING", 3), ("SNOW REMOVAL", 2)),
        "crm": (("Illegal Dumping", 6), ("Parking", 6), ("Junk and Debris", 4))},
    "high_school": {
        "police": (("FIGHT", 50), ("DISTURBANCE", 40), ("TRESPASS", 20), ("JUVENILE COMPLAINT", 40), ("THEFT", 15)),
        "fire": (("745", 20), ("743", 8), ("321", 10)),
        "public_works": (("SIDEWALK REPAIR", 1), ("SNOW REMOVAL", 2)),
        "crm": (("Parking", 8), ("Noise", 4))},
    "bus_terminal": {
        "police": (("DISTURBANCE", 60), ("SUSPICIOUS PERSON", 40), ("FIGHT", 20), ("MENTAL HEALTH", 30),
                   ("TRESPASS", 20), ("DRUG ACTIVITY", 15)),
        "fire": (("321", 20), ("311", 5)),
        "public_works": (("PROPERTY MAINTENANCE", 2), ("SNOW REMOVAL", 2)),
        "crm": (("Graffiti", 5), ("Street Light Out", 3))},
}

GARBAGE_ADDRESSES = ("", "", "UNKNOWN", "unknown", "N/A", "n/a", "NA", "CITYWIDE", "citywide", "City Wide",
                     "see description", "LAKEPORT", "Lakeport, WI", "various locations", "none", "?", "TBD")
HIGHWAYS = ("I 94", "I-94 NB", "STH 20", "HWY 11", "STH 32", "CTH K")
FIRE_MUTUAL_AID = ("MUTUAL AID TO CALEDONIA", "MUTUAL AID TO MT PLEASANT FD", "COVER STATION 2 DURING TRAINING",
                   "STANDBY AT COUNTY FAIRGROUNDS", "VEHICLE FIRE ON INTERSTATE SHOULDER")


@dataclass
class Event:
    """A record the story of a planted or institutional property calls for."""

    department: str
    prop: Property
    category: str
    day: int


@dataclass
class Extract:
    """One department's rows (without the header) and its truth rows."""

    rows: list[list[str]]
    truth: list[tuple[str, str, str, str]]


class Clock:
    """Draws days and times of day with each department's seasons, weekdays and hours."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.days = [PERIOD_START + timedelta(days=i) for i in range(PERIOD_DAYS)]
        self._days: dict[tuple[str, str], list[float]] = {}
        self._hours = {name: list(accumulate(weights)) for name, weights in HOURS.items()}

    def day(self, season: str, weekdays: str) -> int:
        cum = self._days.get((season, weekdays))
        if cum is None:
            months, week = SEASONS[season], WEEKDAYS[weekdays]
            cum = self._days[season, weekdays] = list(accumulate(months[d.month - 1] * week[d.weekday()]
                                                                 for d in self.days))
        return min(PERIOD_DAYS - 1, bisect_right(cum, self.rng.random() * cum[-1]))

    def second(self, hours: str) -> int:
        cum = self._hours[hours]
        hour = min(23, bisect_right(cum, self.rng.random() * cum[-1]))
        return hour * 3600 + self.rng.randrange(3600)


class _Table:
    """Weighted choice among items with one precomputed cumulative list."""

    def __init__(self, items, weights):
        pairs = [(item, w) for item, w in zip(items, weights) if w > 0]
        self.items = [item for item, _ in pairs]
        self.cum = list(accumulate(w for _, w in pairs))

    def draw(self, rng: random.Random):
        return self.items[bisect_right(self.cum, rng.random() * self.cum[-1])]


def _fake_name(rng: random.Random) -> str:
    return f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}"


def _fake_phone(rng: random.Random) -> str:
    line = f"01{rng.randrange(100):02d}"
    return rng.choice((f"262-555-{line}", f"(262) 555 {line}", f"(262) 555-{line}", f"262.555.{line}",
                       f"262555{line}", f"555-{line}"))


def _fake_email(rng: random.Random) -> str:
    first, last = rng.choice(words.FIRST_NAMES).lower(), rng.choice(words.LAST_NAMES).lower()
    user = rng.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}{rng.randrange(10, 99)}", f"{last}{first[0]}"))
    return f"{user}@{rng.choice(('example.com', 'example.net', 'example.org', 'mail.example.com'))}"


class Departments:
    """Shared machinery for the four extracts: who draws records, and how addresses are written."""

    def __init__(self, city: City, rng: random.Random):
        self.city = city
        self.rng = rng
        self.clock = Clock(rng)
        self.noise = AddressNoise(city, rng)
        self.candidates = [p for p in city.properties if not p.role]
        self.draw_weight = self._weights()
        self.complaining_share = self._complaining_share()
        self._pools: dict[tuple[str, str], tuple[list[Property], list[float]]] = {}
        segment_weights = [_segment_weight(s) for s in city.segments]
        self._segments = (city.segments, list(accumulate(segment_weights)))
        self._intersections = (city.intersections, list(accumulate(i.weight for i in city.intersections)))

    def _weights(self) -> dict[str, list[float]]:
        rng = self.rng
        departments = list(LAND_USE_DRAW)
        weights: dict[str, list[float]] = {department: [] for department in departments}
        for prop in self.candidates:
            # Most properties concern at most one department (a noisy neighbour for police, a messy
            # yard for public works); a few concern two. The planted problems are the ones that
            # concern three or four, so a cross-department score can find them.
            roll = rng.random()
            if roll < 0.35:
                active: tuple[str, ...] = ()
            elif roll < 0.97:
                active = (rng.choice(departments),)
            else:
                active = tuple(rng.sample(departments, 2))
            for department in departments:
                draw = LAND_USE_DRAW[department][prop.land_use]
                if prop.land_use == "APARTMENT":
                    draw *= 1 + PER_UNIT_DRAW[department] * len(prop.units)
                # A heavy-tailed appetite: a few properties draw several records of a department.
                draw *= min(10.0, rng.lognormvariate(0, 0.9)) * (1.0 if department in active else 0.02)
                weights[department].append(draw)
        return weights

    def _complaining_share(self) -> float:
        """The share of CRM draws that gives COMPLAINING_WARD its lift over the median ward, per resident."""
        by_ward: dict[int, float] = {}
        for prop, weight in zip(self.candidates, self.draw_weight["crm"]):
            by_ward[prop.ward] = by_ward.get(prop.ward, 0.0) + weight
        people = dict(enumerate(self.city.ward_population, 1))
        others = [ward for ward in people if ward != COMPLAINING_WARD and people[ward]]
        if not people.get(COMPLAINING_WARD) or not others:
            return 0.0
        wanted = COMPLAINING_WARD_LIFT * median(by_ward.get(w, 0.0) / people[w] for w in others) \
            * people[COMPLAINING_WARD]
        return wanted / (wanted + sum(by_ward.get(w, 0.0) for w in others))

    def _lift_complaining_ward(self, members: list[tuple[Property, float]]) -> list[tuple[Property, float]]:
        # The same share in every pool: units, ranges and corner lots are not spread evenly over
        # the wards, so lifting the weights once would lift the ward by more than it says.
        share = self.complaining_share
        ward = sum(w for p, w in members if p.ward == COMPLAINING_WARD)
        rest = sum(w for p, w in members if p.ward != COMPLAINING_WARD)
        if not (share and ward and rest):
            return members
        lift = share * rest / ((1 - share) * ward)
        return [(p, w * lift if p.ward == COMPLAINING_WARD else w) for p, w in members]

    def _pool(self, department: str, noise: str) -> tuple[list[Property], list[float]]:
        key = (department, noise if noise in NEEDS else "")
        pool = self._pools.get(key)
        if pool is None:
            weights = self.draw_weight[department]
            members = [(p, w) for p, w in zip(self.candidates, weights) if applies(p, noise)]
            if department == "crm":
                members = self._lift_complaining_ward(members)
            pool = self._pools[key] = ([p for p, _ in members], list(accumulate(w for _, w in members)))
        return pool

    def draw_property(self, department: str, noise: str) -> Property:
        props, cum = self._pool(department, noise)
        return props[bisect_right(cum, self.rng.random() * cum[-1])]

    def property_addresses(self, department: str, count: int, noise_weights: dict[str, float]):
        """Yield (property, noise, parts) for `count` records spread over the noise labels."""
        rng = self.rng
        labels = list(noise_weights)
        clean = labels[0]
        drawn = rng.choices(labels, weights=list(noise_weights.values()), k=count)
        for noise in labels:
            for _ in range(drawn.count(noise)):
                prop = self.draw_property(department, noise)
                parts = self.noise.parts(prop, noise)
                tries = 0
                while parts is None and tries < 8:
                    prop = self.draw_property(department, noise)
                    parts = self.noise.parts(prop, noise)
                    tries += 1
                if parts is None:
                    noise_used, parts = clean, self.noise.parts(prop, clean)
                else:
                    noise_used = noise
                yield prop, noise_used, parts

    def event_address(self, prop: Property, noise_weights: dict[str, float]) -> tuple[str, Parts]:
        """A noise label and parts for a record at a given property (planted or institutional)."""
        labels = [label for label in noise_weights if applies(prop, label)]
        noise = self.rng.choices(labels, weights=[noise_weights[label] for label in labels], k=1)[0]
        parts = self.noise.parts(prop, noise)
        if parts is None:
            noise = labels[0]
            parts = self.noise.parts(prop, noise)
        return noise, parts

    def draw_segment(self) -> Segment:
        items, cum = self._segments
        return items[bisect_right(cum, self.rng.random() * cum[-1])]

    def draw_intersection(self) -> Intersection:
        items, cum = self._intersections
        return items[bisect_right(cum, self.rng.random() * cum[-1])]


def _segment_weight(segment: Segment) -> float:
    density = {"downtown": 2.0, "core": 1.4, "suburb": 1.0, "industrial": 0.5}[segment.zone]
    return density * (3 if segment.arterial else 1) * (0.4 if segment.kind == "court" else 1)


def _cad_address(rng: random.Random, parts: Parts) -> str:
    text = parts.line()
    return f"{text} {unit_text(rng, parts.unit)}" if parts.unit else text


def _without_prefix(street) -> str:
    return f"{street.name} {street.suffix}"


def _block_text(rng: random.Random, segment: Segment) -> str:
    hundred, street = segment.hundred, segment.street
    roll = rng.random()
    if roll < 0.55:
        return f"{hundred} BLOCK {street.full}"
    if roll < 0.75:
        return f"{hundred // 100}XX {street.full}"
    if roll < 0.9:
        return f"{hundred} BLK {street.full}"
    return f"{hundred} BLK {_without_prefix(street)}"   # dispatchers drop the direction


def _intersection_text(rng: random.Random, crossing: Intersection) -> str:
    a, b = crossing.north_south, crossing.east_west
    if rng.random() < 0.5:
        a, b = b, a
    roll = rng.random()
    if roll < 0.35:
        return f"{a.full} / {b.full}"
    if roll < 0.6:
        return f"{a.full} & {b.full}"
    if roll < 0.75:
        return f"{a.full}/{b.full}"
    if roll < 0.9:
        return f"{_without_prefix(a)} & {_without_prefix(b)}"
    return f"{a.name} AND {b.name}"


# ---------------------------------------------------------------- police


_POLICE_TYPES = {row[0]: row for row in words.POLICE_CALL_TYPES}


def _police_season(call_type: str) -> str:
    row = _POLICE_TYPES.get(call_type)
    return row[1] if row else "flat"


def police(ctx: Departments, total: int, events: list[Event]) -> Extract:
    """CAD calls for service: half block level, a quarter intersections, a quarter addresses."""
    rng, clock = ctx.rng, ctx.clock
    names = [row[0] for row in words.POLICE_CALL_TYPES]
    at_block = _Table(names, [row[2] for row in words.POLICE_CALL_TYPES])
    at_crossing = _Table(names, [row[3] for row in words.POLICE_CALL_TYPES])
    at_home = _Table(names, [row[4] for row in words.POLICE_CALL_TYPES])
    at_business = _Table(names, [row[5] for row in words.POLICE_CALL_TYPES])
    general = _Table([d for d, _ in words.POLICE_DISPOSITIONS], [w for _, w in words.POLICE_DISPOSITIONS])
    traffic = _Table([d for d, _ in words.TRAFFIC_DISPOSITIONS], [w for _, w in words.TRAFFIC_DISPOSITIONS])

    records = []

    def add(day, call_type, location, x, y, truth, noise):
        disposition = (traffic if call_type in words.TRAFFIC_CALL_TYPES else general).draw(rng)
        narrative = rng.choice(words.POLICE_NARRATIVES[call_type])
        if rng.random() < 0.25:
            narrative = f"RP {_fake_name(rng)} ADVISES {narrative}"
        if rng.random() < 0.08:
            narrative += f" CB {_fake_phone(rng)}"
        records.append((day, clock.second("police"), len(records), call_type, location, disposition,
                        ctx.city.beat(x, y), narrative, truth, noise))

    for event in events:
        noise, parts = ctx.event_address(event.prop, POLICE_NOISE)
        add(event.day, event.category, _cad_address(rng, parts), event.prop.x, event.prop.y,
            event.prop.property_id, noise)
    exact = max(0, round(total * 0.25) - len(events))
    block = round(total * 0.5)
    crossing_count = max(0, total - len(events) - exact - block)
    for prop, noise, parts in ctx.property_addresses("police", exact, POLICE_NOISE):
        table = at_home if prop.land_use in ("RESIDENTIAL", "DUPLEX", "APARTMENT", "VACANT") else at_business
        call_type = table.draw(rng)
        add(clock.day(_police_season(call_type), "police"), call_type, _cad_address(rng, parts),
            prop.x, prop.y, prop.property_id, noise)
    for _ in range(block):
        segment = ctx.draw_segment()
        call_type = at_block.draw(rng)
        x, y = segment.centre()
        add(clock.day(_police_season(call_type), "police"), call_type, _block_text(rng, segment), x, y,
            "BLOCK", "block")
    for _ in range(crossing_count):
        crossing = ctx.draw_intersection()
        call_type = at_crossing.draw(rng)
        add(clock.day(_police_season(call_type), "police"), call_type, _intersection_text(rng, crossing),
            crossing.x, crossing.y, "INTERSECTION", "intersection")

    rows, truth = [], []
    yearly: dict[int, int] = {}
    records.sort(key=lambda r: (r[0], r[1], r[2]))
    for day, second, _, call_type, location, disposition, beat, narrative, target, noise in records:
        when = clock.days[day]
        yearly[when.year] = yearly.get(when.year, 0) + 1
        incident = f"LPD{when.year % 100:02d}-{yearly[when.year]:06d}"
        called = f"{when.month:02d}/{when.day:02d}/{when.year} {second // 3600:02d}:{second % 3600 // 60:02d}"
        rows.append([incident, called, call_type, location, disposition, beat, narrative])
        truth.append(("police", incident, target, noise))
    return Extract(rows, truth)


# ---------------------------------------------------------------- fire


_FIRE_TYPES = {row[0]: row for row in words.FIRE_INCIDENT_TYPES}


def _fire_parts(rng: random.Random, parts: Parts, noise: str) -> list[str]:
    prefix, name, suffix = parts.prefix, parts.name, parts.suffix
    if noise == "type_in_name":
        name, suffix = f"{name} {suffix}", ""
    elif noise == "direction_in_name":
        name, prefix = f"{prefix} {name}", ""
    unit = parts.unit
    if unit and unit not in ("UPPER", "LOWER") and rng.random() < 0.3:
        unit = f"APT {unit}"
    elif unit in ("UPPER", "LOWER") and rng.random() < 0.3:
        unit = "UPR" if unit == "UPPER" else "LWR"
    return [parts.number, prefix, name, suffix, "", unit]


def fire(ctx: Departments, total: int, events: list[Event]) -> Extract:
    """RMS incidents, NFIRS style: mostly at properties, with the address split into parts."""
    rng, clock, city = ctx.rng, ctx.clock, ctx.city
    codes = [row[0] for row in words.FIRE_INCIDENT_TYPES]
    at_property = _Table(codes, [row[3] for row in words.FIRE_INCIDENT_TYPES])
    at_crossing = _Table(codes, [row[4] for row in words.FIRE_INCIDENT_TYPES])
    nowhere = _Table(codes, [row[5] for row in words.FIRE_INCIDENT_TYPES])
    records = []

    def add(day, code, parts, lat, lon, truth, noise, narrative=None):
        if narrative is None:
            key = next((k for k in (code, code[:2], code[0]) if k in words.FIRE_NARRATIVES), "5")
            narrative = rng.choice(words.FIRE_NARRATIVES[key])
            narrative = narrative.format(unit=rng.randint(1, 7), name=_fake_name(rng))
        position = ["", ""]
        if lat is not None and rng.random() >= 0.08:
            # Apparatus GPS puts the incident a few metres from the house.
            position = [f"{lat + rng.gauss(0, 0.00004):.6f}", f"{lon + rng.gauss(0, 0.00005):.6f}"]
        records.append((day, clock.second("fire"), len(records), code, parts, position, narrative, truth, noise))

    for event in events:
        noise, parts = ctx.event_address(event.prop, FIRE_NOISE)
        add(event.day, event.category, _fire_parts(rng, parts, noise), event.prop.lat, event.prop.lon,
            event.prop.property_id, noise)
    remaining = max(0, total - len(events))
    crossing_count = round(total * 0.10)
    nowhere_count = round(total * 0.05)
    at_properties = max(0, remaining - crossing_count - nowhere_count)
    for prop, noise, parts in ctx.property_addresses("fire", at_properties, FIRE_NOISE):
        code = at_property.draw(rng)
        add(clock.day(_FIRE_TYPES[code][2], "fire"), code, _fire_parts(rng, parts, noise), prop.lat, prop.lon,
            prop.property_id, noise)
    for _ in range(crossing_count):
        crossing = ctx.draw_intersection()
        code = at_crossing.draw(rng)
        lat, lon = city.latlon(crossing.x, crossing.y)
        text = _intersection_text(rng, crossing)
        add(clock.day(_FIRE_TYPES[code][2], "fire"), code, ["", "", text, "", "", ""], lat, lon,
            "INTERSECTION", "intersection")
    for _ in range(nowhere_count):
        code = nowhere.draw(rng)
        street_name = rng.choice(HIGHWAYS) if rng.random() < 0.4 else ""
        add(clock.day(_FIRE_TYPES[code][2], "fire"), code, ["", "", street_name, "", "", ""], None, None,
            "NONE", "garbage", narrative=rng.choice(FIRE_MUTUAL_AID))

    rows, truth = [], []
    yearly: dict[int, int] = {}
    records.sort(key=lambda r: (r[0], r[1], r[2]))
    for day, second, _, code, parts, position, narrative, target, noise in records:
        when = clock.days[day]
        yearly[when.year] = yearly.get(when.year, 0) + 1
        incident = f"F{when.year % 100:02d}-{yearly[when.year]:06d}"
        rows.append([incident, when.isoformat(), f"{second // 3600:02d}:{second % 3600 // 60:02d}:{second % 60:02d}",
                     code, _FIRE_TYPES[code][1], *parts, *position, narrative])
        truth.append(("fire", incident, target, noise))
    return Extract(rows, truth)


# ---------------------------------------------------------------- public works


_CASE_TYPES = {row[0]: row for row in words.PUBLIC_WORKS_CASE_TYPES}


def dashed_parcel(parcel: str) -> str:
    """276000012345000 -> 276-00-00-12345-000, as the public works system writes tax keys."""
    return f"{parcel[:3]}-{parcel[3:5]}-{parcel[5:7]}-{parcel[7:12]}-{parcel[12:]}"


def _parcel_typo(rng: random.Random, parcel: str, parcels: set[str]) -> str:
    for _ in range(20):
        digits = list(parcel)
        i = rng.randrange(5, 12)
        if rng.random() < 0.5 and digits[i] != digits[i + 1]:
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
        else:
            digits[i] = rng.choice([d for d in "0123456789" if d != digits[i]])
        candidate = "".join(digits)
        if candidate not in parcels:
            return candidate
    return parcel[:-1] + "9"


def public_works(ctx: Departments, total: int, events: list[Event]) -> Extract:
    """Code enforcement cases: all at properties, most with the tax key."""
    rng, clock, city = ctx.rng, ctx.clock, ctx.city
    table = _Table([row[0] for row in words.PUBLIC_WORKS_CASE_TYPES], [row[2] for row in words.PUBLIC_WORKS_CASE_TYPES])
    last_day = PERIOD_DAYS - 1
    records = []

    def add(day, case_type, prop, noise, parts):
        typical = _CASE_TYPES[case_type][3]
        close = day + max(1, round(rng.expovariate(1 / typical)))
        roll = rng.random()
        if roll < 0.04:
            status, close = "REFERRED", None
        elif close <= last_day and roll < 0.97:
            status = "CLOSED"
        else:
            status, close = rng.choice(("OPEN", "IN PROGRESS")), None
        tax_key = dashed_parcel(prop.parcel_id)
        address = _cad_address(rng, parts)
        if noise == "parcel_typo":
            tax_key = dashed_parcel(_parcel_typo(rng, prop.parcel_id, city.parcels))
        elif noise == "parcel_only":
            address = ""
        elif noise == "wrong_number" or rng.random() < 0.12:
            tax_key = ""
        records.append((day, 0, len(records), case_type, close, status, tax_key, address, prop.property_id, noise))

    for event in events:
        noise, parts = ctx.event_address(event.prop, PUBLIC_WORKS_NOISE)
        add(event.day, event.category, event.prop, noise, parts)
    for prop, noise, parts in ctx.property_addresses("public_works", max(0, total - len(events)), PUBLIC_WORKS_NOISE):
        case_type = table.draw(rng)
        add(clock.day(_CASE_TYPES[case_type][1], "office"), case_type, prop, noise, parts)

    rows, truth = [], []
    yearly: dict[int, int] = {}
    records.sort(key=lambda r: (r[0], r[1], r[2]))

    def us_date(day: int) -> str:
        when = clock.days[day]
        return f"{when.month}/{when.day}/{when.year}"

    for day, _, _, case_type, close, status, tax_key, address, target, noise in records:
        year = clock.days[day].year
        yearly[year] = yearly.get(year, 0) + 1
        case = f"CE-{year}-{yearly[year]:05d}"
        rows.append([case, case_type, us_date(day), us_date(close) if close is not None else "", status, tax_key,
                     address])
        truth.append(("public_works", case, target, noise))
    return Extract(rows, truth)


# ---------------------------------------------------------------- CRM / 311


_TOPICS = {row[0]: row for row in words.CRM_TOPICS}


def _typed_case(rng: random.Random, text: str, noise: str) -> str:
    if noise == "clean":
        return text
    roll = rng.random()
    if noise == "case":
        return title_case(text) if roll < 0.6 else text.lower()
    if roll < 0.45:
        return text
    return title_case(text) if roll < 0.85 else text.lower()


def _crm_unit(rng: random.Random, label: str) -> str:
    if label in ("UPPER", "LOWER"):
        short = "UPR" if label == "UPPER" else "LWR"
        return rng.choice((f" {label}", f" {label}", f" {label} UNIT", f", {label}", f" {short}"))
    return rng.choice((f" APT {label}", f" #{label}", f" UNIT {label}", f", APT {label}", f" APT. {label}",
                       f" # {label}"))


def _city_tail(rng: random.Random, zip_code: str) -> str:
    return rng.choice((f", {CITY} {STATE} {zip_code}", f", {CITY}, {STATE} {zip_code}", f" {CITY}, {STATE}",
                       f", {CITY}", f" {CITY} {STATE}", f", {CITY}, WISCONSIN {zip_code}",
                       f" {CITY} {STATE} {zip_code}-{rng.randrange(1000, 9999)}", f", {CITY} {STATE}, {zip_code}"))


def _neighborhood_tail(rng: random.Random, neighborhood: str) -> str:
    return rng.choice((f", {neighborhood}", f" {neighborhood}", f" ({neighborhood})", f" - {neighborhood}"))


def _crm_address(rng: random.Random, prop: Property, noise: str, parts: Parts) -> str:
    text = parts.line()
    if parts.unit:
        text += _crm_unit(rng, parts.unit)
    if noise == "city_tail":
        text += _city_tail(rng, prop.zip)
    elif noise == "neighborhood_tail":
        text += _neighborhood_tail(rng, prop.neighborhood)
    return _typed_case(rng, text, noise)


def _crm_block(rng: random.Random, segment: Segment) -> str:
    hundred, street = segment.hundred, segment.street
    text = rng.choice((f"{hundred} BLOCK OF {street.full}", f"{hundred} BLK {street.full}",
                       f"{hundred // 100}XX {street.full}", f"{hundred} BLOCK {street.name}"))
    return _typed_case(rng, text, "block")


def _crm_crossing(rng: random.Random, crossing: Intersection) -> str:
    a, b = crossing.north_south, crossing.east_west
    if rng.random() < 0.5:
        a, b = b, a
    text = rng.choice((f"{a.full} AND {b.full}", f"CORNER OF {a.full} & {b.full}", f"{a.full}/{b.full}",
                       f"{a.name} & {b.name}", f"{_without_prefix(a)} AND {_without_prefix(b)}"))
    return _typed_case(rng, text, "intersection")


def _other_city(rng: random.Random, ctx: Departments) -> str:
    city, zip_code = rng.choice(words.OTHER_CITIES)
    if rng.random() < 0.5:
        # A street that also exists in Lakeport: only the city tells it is elsewhere.
        street_text = ctx.rng.choice(ctx.candidates).address
    else:
        elsewhere = ("MAIN ST", "OAK AVE", "22ND AVE", "SHERIDAN RD", "GREEN BAY RD", "75TH ST")
        street_text = f"{rng.randrange(100, 9999)} {rng.choice(elsewhere)}"
    text = street_text + rng.choice((f", {city} WI {zip_code}", f", {city}, WI {zip_code}", f" {city} WI",
                                     f", {city}, WISCONSIN"))
    return _typed_case(rng, text, "other_city")


def _garbage(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return rng.choice((f"PO BOX {rng.randrange(1, 2000)}", f"P.O. Box {rng.randrange(1, 2000)}",
                           f"po box {rng.randrange(1, 2000)}"))
    return rng.choice(GARBAGE_ADDRESSES)


def _description(rng: random.Random, topic: str) -> str:
    text = rng.choice(words.CRM_DESCRIPTIONS[topic])
    roll = rng.random()
    # Free text is where callers leave who they are: the PII the dashboard must mask.
    if roll < 0.12:
        text = f"Caller {title_case(_fake_name(rng))} says: {text.lower()}"
    elif roll < 0.22:
        text = f"{text}. Call back {_fake_phone(rng)}"
    elif roll < 0.28:
        text = f"{text}. Contact {_fake_email(rng)}"
    elif roll < 0.33:
        text = f"{text}. {title_case(_fake_name(rng))} {_fake_phone(rng)} / {_fake_email(rng)}"
    elif roll < 0.36:
        text = f"{text}. Neighbor {title_case(_fake_name(rng))} also complained"
    return text


class _ServiceDesk:
    """Who takes each 311 request, and which requests bounce between departments before they land."""

    def __init__(self, rng: random.Random, total: int):
        self.rng = rng
        count = round(STAFF_AT_SCALE_1 * (total / CRM_REQUESTS_AT_SCALE_1) ** 0.5)
        roster = words.CRM_STAFF[:max(MIN_STAFF, min(len(words.CRM_STAFF), count))]
        self.team_of = dict(roster)
        self.office = _Table([team for team, _ in words.CRM_TEAMS], [weight for _, weight in words.CRM_TEAMS])
        self.staff = {team: _Table([name for name, of in roster if of == team],
                                   [OVERLOAD if name == OVERLOADED_STAFF else 1 for name, of in roster if of == team])
                      for team, _ in words.CRM_TEAMS}
        # Scale each topic's proneness so that TRANSFER_SHARE of all complaints and inquiries move.
        asked = {row[0]: row[4] + row[5] for row in words.CRM_TOPICS if row[1] in ("Complaint", "Inquiry")}
        average = sum(words.CRM_TRANSFERS[topic][0] * weight for topic, weight in asked.items()) / sum(asked.values())
        self.transfer_chance = {topic: TRANSFER_SHARE * words.CRM_TRANSFERS[topic][0] / average for topic in asked}
        self.moves = {topic: _Table([(first, final) for first, final, _ in moves], [w for _, _, w in moves])
                      for topic, (_, moves) in words.CRM_TRANSFERS.items()}

    def take(self, weekday: int, hour: int) -> str:
        """The staff member who takes a request made at this weekday (Monday 0) and hour."""
        in_office = weekday < 5 and 8 <= hour < 17
        team = self.office.draw(self.rng) if in_office else words.AFTER_HOURS_TEAM
        return self.staff[team].draw(self.rng)

    def transfer(self, topic: str, created: int, period_end: int) -> tuple[str, str, int] | None:
        """(first department, final department, second it moved) if the request moved before the period ended."""
        rng = self.rng
        if rng.random() >= self.transfer_chance.get(topic, 0.0):
            return None
        first, final = self.moves[topic].draw(rng)
        # The first department looks at it within hours, now and then only after a few days.
        moved = created + round(3600 * min(120.0, 2 + rng.expovariate(1 / 18)))
        return (first, final, moved) if moved < period_end else None


def crm(ctx: Departments, total: int, events: list[Event]) -> Extract:
    """311 requests: free-typed addresses with every kind of noise, some not in the city at all."""
    rng, clock = ctx.rng, ctx.clock
    # Staff and transfers draw from a stream of their own, so tuning them leaves the other columns be.
    desk = _ServiceDesk(random.Random(rng.getrandbits(64)), total)
    topics = [row[0] for row in words.CRM_TOPICS]
    at_property = _Table(topics, [row[4] for row in words.CRM_TOPICS])
    on_street = _Table(topics, [row[5] for row in words.CRM_TOPICS])
    anywhere = _Table(topics, [row[4] + row[5] for row in words.CRM_TOPICS])
    end_second = PERIOD_DAYS * 86400
    records = []

    def add(day, topic, address, truth, noise):
        second = clock.second("crm")
        _, category, routed, _, _, _ = _TOPICS[topic]
        start = day * 86400 + second
        if category == "Transfer":
            work = rng.randrange(60, 900)   # handed to police or fire at once
        else:
            work = rng.expovariate(1 / (CRM_DAYS_TO_CLOSE * 86400))
        roll, pending = rng.random(), rng.choice(("Open", "In Progress"))
        description = _description(rng, topic)

        staff = desk.take(clock.days[day].weekday(), second // 3600)
        moved = desk.transfer(topic, start, end_second) if category in ("Complaint", "Inquiry") else None
        begun = start
        if moved is not None:
            # The owning department starts only once the request reaches it.
            routed, begun = moved[1], moved[2]
        if routed == SLOW_DEPARTMENT:
            work *= SLOW_DEPARTMENT_FACTOR
        if staff == OVERLOADED_STAFF:
            work *= OVERLOADED_SLOWDOWN
        closed = begun + round(work)
        if closed < end_second and roll < 0.93:
            status = "Closed"
        else:
            status, closed = pending, None
        records.append((day, second, len(records), category, topic, routed, address, status, closed,
                        description, staff, moved, truth, noise))

    for event in events:
        noise, parts = ctx.event_address(event.prop, CRM_NOISE)
        add(event.day, event.category, _crm_address(rng, event.prop, noise, parts), event.prop.property_id, noise)
    remaining = max(0, total - len(events))
    garbage, elsewhere = round(total * 0.03), round(total * 0.01)
    block, crossing_count = round(total * 0.03), round(total * 0.03)
    at_properties = max(0, remaining - garbage - elsewhere - block - crossing_count)
    for prop, noise, parts in ctx.property_addresses("crm", at_properties, CRM_NOISE):
        topic = at_property.draw(rng)
        add(clock.day(_TOPICS[topic][3], "crm"), topic, _crm_address(rng, prop, noise, parts), prop.property_id, noise)
    for _ in range(block):
        topic = on_street.draw(rng)
        add(clock.day(_TOPICS[topic][3], "crm"), topic, _crm_block(rng, ctx.draw_segment()), "BLOCK", "block")
    for _ in range(crossing_count):
        topic = on_street.draw(rng)
        add(clock.day(_TOPICS[topic][3], "crm"), topic, _crm_crossing(rng, ctx.draw_intersection()),
            "INTERSECTION", "intersection")
    for _ in range(elsewhere):
        topic = at_property.draw(rng)
        add(clock.day(_TOPICS[topic][3], "crm"), topic, _other_city(rng, ctx), "NONE", "other_city")
    for _ in range(garbage):
        topic = anywhere.draw(rng)
        add(clock.day(_TOPICS[topic][3], "crm"), topic, _garbage(rng), "NONE", "garbage")

    def stamp(moment: int) -> str:
        day, second = divmod(moment, 86400)
        return (f"{clock.days[day].isoformat()} {second // 3600:02d}:{second % 3600 // 60:02d}:{second % 60:02d}")

    rows, truth = [], []
    records.sort(key=lambda r: (r[0], r[1], r[2]))
    for i, (day, second, _, category, topic, routed, address, status, closed, description, staff, moved, target,
            noise) in enumerate(records, start=1):
        request = f"311-{i:07d}"
        transfer = [moved[0], moved[1], stamp(moved[2])] if moved is not None else ["", "", ""]
        rows.append([request, stamp(day * 86400 + second), category, topic, routed, address, status,
                     stamp(closed) if closed is not None else "", description, staff, desk.team_of[staff],
                     *transfer])
        truth.append(("crm", request, target, noise))
    return Extract(rows, truth)


# ---------------------------------------------------------------- stories


@dataclass
class Stories:
    """Planted problem properties and institutions, and the records their stories call for."""

    planted: list[tuple[str, str, str]] = field(default_factory=list)   # property_id, kind, scenario
    events: dict[str, list[Event]] = field(default_factory=lambda: {d: [] for d in LAND_USE_DRAW})


def tell_stories(ctx: Departments, scale: float) -> Stories:
    """Choose the problem properties and lay out every planted and institutional record."""
    rng, city = ctx.rng, ctx.city
    stories = Stories()
    count = max(len(SCENARIOS), round(25 * scale))
    by_land_use: dict[str, list[Property]] = {}
    for prop in ctx.candidates:
        by_land_use.setdefault(prop.land_use, []).append(prop)
    chosen: set[str] = set()
    last = PERIOD_DAYS - 1
    pools = {land_uses: [p for land_use in land_uses for p in by_land_use.get(land_use, [])]
             for _, land_uses, _, _, _ in SCENARIOS}
    for i in range(count):
        scenario, land_uses, recent, history, maybe = SCENARIOS[i % len(SCENARIOS)]
        pool = pools[land_uses]
        prop = rng.choice(pool)
        while prop.property_id in chosen:
            prop = rng.choice(pool)
        chosen.add(prop.property_id)
        stories.planted.append((prop.property_id, "problem", scenario))
        story = [(d, c, True) for d, c in recent] + [(d, c, False) for d, c in history]
        story += [(d, c, True) for d, c in maybe if rng.random() < 0.5]
        for department, category, is_recent in story:
            # Escalation: the recent records crowd towards the end of the period.
            back = int((RECENT_DAYS - 1) * rng.random() ** 1.6) if is_recent else RECENT_DAYS + rng.randrange(90)
            stories.events[department].append(Event(department, prop, category, last - back))

    seasons = {"police": _police_season, "fire": lambda code: _FIRE_TYPES[code][2],
               "public_works": lambda case: _CASE_TYPES[case][1], "crm": lambda topic: _TOPICS[topic][3]}
    weekdays = {"police": "police", "fire": "fire", "public_works": "office", "crm": "crm"}
    for role, activity in INSTITUTION_ACTIVITY.items():
        prop = city.institutions[role]
        stories.planted.append((prop.property_id, "institutional", role))
        for department, categories in activity.items():
            for n, (category, base) in enumerate(categories):
                for i in range(max(2, round(base * scale))):
                    day = ctx.clock.day(seasons[department](category), weekdays[department])
                    if n == 0 and i == 0:
                        # Even a small city shows each institution in every department lately,
                        # so the damping of institutional addresses always has something to damp.
                        day = last - rng.randrange(RECENT_DAYS)
                    stories.events[department].append(Event(department, prop, category, day))
    return stories
