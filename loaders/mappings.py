"""Saved column mappings: an analyst maps a new file shape once; next cycle's file of the same shape loads.

A mapping is canonical field -> the file's column. It is stored by department and name, and found
again by the file's header signature (the same columns, in any order and spelling of case or
punctuation). From the command line a mapping may also come from a JSON or TOML file.
"""

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from loaders.read import LoadError
from loaders.dates import DATE_ORDERS
from loaders.specs import (CANONICAL_FIELDS, MAPPING_SETTINGS, field_label, header_token, headers_by_token, spec,
                           specs)
from loaders.validate import KEEP
from storage import audit_trail, loading
from storage.engine import reading, writing

MAPPING_FILE_SUFFIXES = (".json", ".toml")


@dataclass(frozen=True)
class Mapping:
    name: str
    columns: dict[str, str]  # canonical field -> source column


def header_signature(headers: list[str]) -> str:
    """The shape of a file: sha256 of its sorted header tokens (order, case and punctuation aside)."""
    tokens = sorted(header_token(header) for header in headers)
    return hashlib.sha256("\n".join(tokens).encode()).hexdigest()


def check_mapping(department: str, columns: dict, headers: list[str], file_name: str,
                  name: str | None = None) -> dict:
    """The mapping with each source column spelt as in the file; LoadError saying what does not fit.

    A mapping maps canonical fields (and the department's further stored fields) to a column, or to
    a list of columns for an id built from several; it may hold MAPPING_SETTINGS values and a `keep`
    list of further columns to store.
    """
    department_spec = spec(department)
    what = f"mapping '{name}'" if name else "the column mapping"
    known = set(CANONICAL_FIELDS) | set(department_spec.kept) | set(MAPPING_SETTINGS) | {KEEP}
    unknown = [field for field in columns if field not in known]
    if unknown:
        raise LoadError(f"{what} names {_quoted(unknown)}, which the dashboard does not know; "
                        f"the fields are: {', '.join(CANONICAL_FIELDS)}; the settings: {', '.join(MAPPING_SETTINGS)}")
    by_token = headers_by_token(headers)
    checked, absent = {}, []

    def spelt(field: str, source) -> str | None:
        header = by_token.get(header_token(source)) if isinstance(source, str) else None
        if header is None:
            absent.append(f"{field} to '{source}'")
        return header

    for field, source in columns.items():
        if _blank(source):
            continue  # left blank: this field has no column
        if field in MAPPING_SETTINGS:
            checked[field] = _setting(field, source, what)
        elif field == KEEP:
            listed = [source] if isinstance(source, str) else list(source)
            checked[KEEP] = [header for column in listed if (header := spelt(KEEP, column)) is not None]
        elif isinstance(source, (list, tuple)):
            parts = [spelt(field, column) for column in source if not _blank(column)]
            checked[field] = parts[0] if len(parts) == 1 else parts
        else:
            checked[field] = spelt(field, source)
    if absent:
        raise LoadError(f"{what} maps {'; '.join(absent)}, but {file_name} has no such column; "
                        f"its columns are: {', '.join(headers)}")
    missing = department_spec.missing(checked)
    if missing:
        raise LoadError(f"{what} leaves no column for {', '.join(field_label(field) for field in missing)}, "
                        f"which a {department_spec.label} extract needs")
    return checked


def _blank(source) -> bool:
    if source is None:
        return True
    if isinstance(source, str):
        return not source.strip()
    if isinstance(source, (list, tuple)):
        return all(_blank(part) for part in source)
    return False


def _setting(field: str, value, what: str) -> str:
    value = str(value).strip()
    if field == "date_order":
        value = value.lower().replace("-", "_").replace(" ", "_")
        if value not in DATE_ORDERS:
            raise LoadError(f"{what}: date_order is '{value}'; write {' or '.join(DATE_ORDERS)}")
    return value


def source_columns(columns: dict) -> list[str]:
    """Every file column a mapping names (settings aside)."""
    found = []
    for field, source in columns.items():
        if field in MAPPING_SETTINGS or _blank(source):
            continue
        found.extend([source] if isinstance(source, str) else [part for part in source if not _blank(part)])
    return found


def columns_fit(columns: dict):
    """A workbook sheet chooser: the share of a mapping's source columns a sheet's headers hold."""
    wanted = {header_token(source) for source in source_columns(columns)}
    return lambda headers: len(wanted & {header_token(header) for header in headers}) / max(len(wanted), 1)


def save_mapping(engine: Engine, department: str, name: str, headers: list[str], columns: dict[str, str],
                 saved_by: str, file_name: str = "the file") -> dict[str, str]:
    """Check a mapping against a file's headers and store it under a name; returns it as stored."""
    name = name.strip()
    if not name:
        raise LoadError("a saved mapping needs a name")
    checked = check_mapping(department, columns, headers, file_name, name)
    with writing(engine) as conn:
        loading.save_mapping(conn, department, name, header_signature(headers), json.dumps(checked), saved_by)
        audit_trail.audit(conn, saved_by, "save_mapping", f"{department}: {name}", mapping_text(checked))
    return checked


def saved_for(engine: Engine, department: str, headers: list[str]) -> dict | None:
    """The newest mapping saved for this department and file shape, or None."""
    with reading(engine) as conn:
        found = loading.find_mapping(conn, department, header_signature=header_signature(headers))
    return _parsed(found)


def by_name(engine: Engine, department: str, name: str) -> dict | None:
    with reading(engine) as conn:
        found = loading.find_mapping(conn, department, name=name)
    return _parsed(found)


def saved_names(engine: Engine, department: str) -> list[str]:
    with reading(engine) as conn:
        return loading.mappings(conn, department)["name"].tolist()


def read_mapping_file(path: Path) -> dict[str, str]:
    """canonical field -> source column, from a JSON or TOML file of that one table."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    try:
        if path.suffix.lower() == ".toml":
            loaded = tomllib.loads(text)
        else:
            loaded = json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        kind = "TOML" if path.suffix.lower() == ".toml" else "JSON"
        raise LoadError(f"{path.name} is not a readable {kind} mapping file: {error}") from None
    if not isinstance(loaded, dict) or not loaded:
        raise LoadError(f"{path.name} should hold field = \"source column\" pairs, like source_record_id = \"Call No\"")
    bad = [field for field, source in loaded.items()
           if not (isinstance(source, str) or (isinstance(source, list) and all(isinstance(s, str) for s in source)))]
    if bad:
        raise LoadError(f"{path.name}: the column for {_quoted(bad)} should be a column name in quotes "
                        f"(or a list of them, for an id built from several columns)")
    return dict(loaded)


def resolve(engine: Engine, department: str, name_or_file: str) -> Mapping:
    """A mapping named on the command line: a JSON/TOML mapping file if one exists there, else a saved one."""
    path = Path(name_or_file)
    if path.suffix.lower() in MAPPING_FILE_SUFFIXES and path.is_file():
        return Mapping(path.name, read_mapping_file(path))
    found = by_name(engine, department, name_or_file)
    if found is None:
        saved = saved_names(engine, department)
        listing = f"saved ones: {', '.join(saved)}" if saved else "none is saved yet"
        raise LoadError(f"there is no saved {spec(department).label} mapping called '{name_or_file}' ({listing}), "
                        f"and no mapping file of that name")
    return Mapping(found["name"], found["columns"])


def departments_with(engine: Engine, name: str) -> list[str]:
    """The departments that have a mapping saved under `name`."""
    with reading(engine) as conn:
        return [department for department in specs()
                if loading.find_mapping(conn, department, name=name) is not None]


def saved_for_any(engine: Engine, headers: list[str]) -> list[tuple[str, dict]]:
    """(department, mapping) for every department with a mapping saved for this file shape."""
    signature = header_signature(headers)
    with reading(engine) as conn:
        found = [(department, loading.find_mapping(conn, department, header_signature=signature))
                 for department in specs()]
    return [(department, _parsed(row)) for department, row in found if row is not None]


def mapping_text(columns: dict, name: str | None = None) -> str:
    """How a mapping reads in the ingest log: "name: field=column; ..." (several columns joined by +)."""
    pairs = "; ".join(f"{field}={source if isinstance(source, str) else '+'.join(source)}"
                      for field, source in sorted(columns.items()))
    return f"{name}: {pairs}" if name else pairs


def _parsed(row: dict | None) -> dict | None:
    if row is None:
        return None
    return dict(row, columns=json.loads(row["columns"]))


def _quoted(names: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)
