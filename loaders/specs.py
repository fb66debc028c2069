"""Department specs and known layouts: the declarative field maps in departments.toml and layouts.toml, read once.

A department spec names the columns its systems use for each canonical field (synonyms); a layout is
one system's or portal's export, mapped column by column, recognised by its headers.
"""

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SPEC_FILE = Path(__file__).resolve().parent / "departments.toml"
LAYOUT_FILE = Path(__file__).resolve().parent / "layouts.toml"
SHARED = "shared"  # the table of departments.toml whose fields every department has

# Every canonical field a column may feed, and how to name it to a person.
CANONICAL_FIELDS = {
    "source_record_id": "the record's id in its own system",
    "occurred_at": "date and time it happened",
    "occurred_date": "date it happened",
    "occurred_time": "time of day it happened",
    "category": "call type, case type or request category",
    "subcategory": "sub-type or topic",
    "status": "status or disposition",
    "closed_at": "date it was closed",
    "address": "address or location",
    "address_number": "house number",
    "address_predir": "direction before the street name",
    "address_street": "street name",
    "address_type": "street type",
    "address_postdir": "direction after the street name",
    "address_unit": "apartment or unit",
    "address_block": "block number (the street in the address column)",
    "city": "city or municipality of the address",
    "zip": "ZIP code of the address",
    "lat": "latitude",
    "lon": "longitude",
    "point": "coordinates as one text: (lat, lon) or POINT (lon lat)",
    "x": "projected x (easting), with the mapping's coordinate system",
    "y": "projected y (northing), with the mapping's coordinate system",
    "parcel_id": "parcel id or tax key",
    "description": "free-text description or narrative",
}
# Values a mapping may give instead of a column: they hold for every row of the file.
MAPPING_SETTINGS = {
    "default_category": "the category of every row, for a file without a category column",
    "coordinate_system": "the coordinate system of x / y (an EPSG code such as EPSG:2263)",
    "date_order": "month_first or day_first, for dates like 03/04/2025",
}
# A required field is also fed by its stand-in: a date column for the date-time, a street for the
# address, a fixed category for the category column.
STAND_INS = {"occurred_at": ("occurred_date",), "occurred_date": ("occurred_at",), "address": ("address_street",),
             "category": ("default_category",)}

ADDRESS_PARTS = (
    "address_number",
    "address_predir",
    "address_street",
    "address_type",
    "address_postdir",
    "address_unit",
)


def header_token(name: str) -> str:
    """A column name reduced to letters and digits, so 'Call Date/Time' fits 'CALL_DATE_TIME'."""
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def headers_by_token(headers: list[str]) -> dict[str, str]:
    """Each header under its token, the first of headers sharing one."""
    found = {}
    for header in headers:
        found.setdefault(header_token(header), header)
    return found


@dataclass(frozen=True)
class DepartmentSpec:
    department: str
    label: str
    system: str
    cadence_days: int
    required: tuple[str, ...]
    fields: dict[str, tuple[str, ...]]
    own_fields: frozenset[str]  # the fields named in the department's own table, not the shared one
    keep: tuple[str, ...]
    sensitive: tuple[str, ...]
    kept: dict[str, tuple[str, ...]]

    def resolve(self, headers: list[str]) -> dict[str, str]:
        """canonical field -> the file's column that feeds it, for every field the file has."""
        by_token = headers_by_token(headers)
        found = {}
        for field, synonyms in self.fields.items():
            for synonym in synonyms:
                header = by_token.get(header_token(synonym))
                if header is not None and header not in found.values():
                    found[field] = header
                    break
        return found

    def missing(self, columns: dict[str, str]) -> list[str]:
        """Required canonical fields a column map leaves unfed (an address may come in parts)."""
        return [field for field in self.required
                if field not in columns and not any(stand_in in columns for stand_in in STAND_INS.get(field, ()))]

    def kept_columns(self, headers: list[str]) -> dict[str, str]:
        """Further columns stored with each record: the name it is stored under -> the file's column.
        `keep` columns are stored under their own name; `kept` fields under the field's name, from
        the first of its synonyms the file has."""
        by_token = headers_by_token(headers)
        kept_as_is = {header_token(name) for name in self.keep}
        found = {header: header for header in headers if header_token(header) in kept_as_is}
        for name, synonyms in self.kept.items():
            header = next((by_token[header_token(s)] for s in synonyms if header_token(s) in by_token), None)
            if header is not None and header not in found.values():
                found[name] = header
        return found

    def fit(self, headers: list[str]) -> float:
        """Share of the department's own fields the headers feed: how well a file looks like this department's.
        (The shared fields, coordinates and address parts, say nothing about which department wrote it.)"""
        own = [field for field in self.resolve(headers) if field in self.own_fields]
        return len(own) / len(self.own_fields)


@cache
def specs() -> dict[str, DepartmentSpec]:
    with SPEC_FILE.open("rb") as handle:
        raw = tomllib.load(handle)
    shared = raw.pop(SHARED)["fields"]
    return {
        name: DepartmentSpec(
            department=name,
            label=entry["label"],
            system=entry["system"],
            cadence_days=int(entry["cadence_days"]),
            required=tuple(entry["required"]),
            fields=_with_shared(entry["fields"], shared),
            own_fields=frozenset(entry["fields"]),
            keep=tuple(entry.get("keep", ())),
            sensitive=tuple(entry.get("sensitive", ())),
            kept={name: tuple(names) for name, names in entry.get("kept", {}).items()},
        )
        for name, entry in raw.items()
    }


def _with_shared(own: dict[str, list[str]], shared: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """A department's fields, then the shared ones; a field in both takes the department's names first."""
    fields = {field: tuple(names) for field, names in own.items()}
    for field, names in shared.items():
        fields[field] = fields.get(field, ()) + tuple(name for name in names if name not in fields.get(field, ()))
    return fields


def spec(department: str) -> DepartmentSpec:
    try:
        return specs()[department]
    except KeyError:
        known = ", ".join(specs())
        raise KeyError(f"unknown department '{department}'; known departments: {known}") from None


def detect_department(headers: list[str]) -> tuple[str | None, float]:
    """The department whose spec the headers fit best, and how well (0..1)."""
    scored = sorted(((s.fit(headers), name) for name, s in specs().items() if not s.missing(s.resolve(headers))),
                    reverse=True)
    if not scored:
        return None, 0.0
    fit, name = scored[0]
    return name, fit


def best_fit(headers: list[str]) -> float:
    """How well the headers fit the department they fit best (0..1): a sheet chooser's score."""
    return max(s.fit(headers) for s in specs().values())


def field_label(field: str) -> str:
    """A canonical field as a person reads it: "category (call type, case type or request category)"."""
    return f"{field} ({CANONICAL_FIELDS[field]})" if field in CANONICAL_FIELDS else field


@dataclass(frozen=True)
class Layout:
    """One system's or portal's export, mapped column by column: recognised when the file has every mapped column."""
    name: str
    label: str
    department: str
    columns: dict[str, str | tuple[str, ...]]  # canonical field -> column (several columns: an id built from them)
    keep: tuple[str, ...]  # further columns stored with each record under their own name
    settings: dict[str, str]  # MAPPING_SETTINGS values

    def mapping(self) -> dict:
        """The layout as a column mapping: columns and settings in one dict, as a saved mapping holds them."""
        return {**{field: list(source) if isinstance(source, tuple) else source
                   for field, source in self.columns.items()},
                **self.settings, **({"keep": list(self.keep)} if self.keep else {})}

    def fits(self, headers: list[str]) -> bool:
        tokens = {header_token(header) for header in headers}
        return all(header_token(column) in tokens for column in self.source_columns())

    def source_columns(self) -> list[str]:
        return [column for source in self.columns.values()
                for column in (source if isinstance(source, tuple) else (source,))]


@cache
def layouts() -> dict[str, Layout]:
    with LAYOUT_FILE.open("rb") as handle:
        raw = tomllib.load(handle)
    return {
        name: Layout(
            name=name,
            label=entry["label"],
            department=entry["department"],
            columns={field: tuple(source) if isinstance(source, list) else source
                     for field, source in entry["columns"].items()},
            keep=tuple(entry.get("keep", ())),
            settings=dict(entry.get("settings", {})),
        )
        for name, entry in raw.items()
    }


def find_layout(headers: list[str], department: str | None = None) -> Layout | None:
    """The known layout the headers fit (the one mapping most columns), for `department` if given."""
    fitting = [layout for layout in layouts().values()
               if layout.fits(headers) and department in (None, layout.department)]
    return max(fitting, key=lambda layout: len(layout.source_columns()), default=None)
