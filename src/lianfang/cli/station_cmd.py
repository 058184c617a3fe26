"""``lianfang station add|list|import|passwd``: the registry of stations that may send data.

Passwords are hashed here (scrypt, :func:`lianfang.credentials.hash_secret`) and only the hash is
stored; no command ever prints one. A jurisdiction code not yet known to the store is created on
the fly, named from :data:`PROVINCE_NAMES` when it is a Chinese province-level code.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from lianfang.cli.common import data_option, open_data_store
from lianfang.credentials import hash_secret
from lianfang.errors import InputError
from lianfang.model import Jurisdiction, SectionLevel, Station, StationKind, WaterBody
from lianfang.store.duckdb import DuckDBStore

__all__ = ["PROVINCE_NAMES", "parse_section_level", "parse_target_class", "station"]

T = TypeVar("T")

#: ISO 3166-2:CN (2017 revision) codes of the province-level divisions and their names.
PROVINCE_NAMES: dict[str, str] = {
    "AH": "安徽省", "BJ": "北京市", "CQ": "重庆市", "FJ": "福建省", "GD": "广东省",
    "GS": "甘肃省", "GX": "广西壮族自治区", "GZ": "贵州省", "HA": "河南省", "HB": "湖北省",
    "HE": "河北省", "HI": "海南省", "HK": "香港特别行政区", "HL": "黑龙江省", "HN": "湖南省",
    "JL": "吉林省", "JS": "江苏省", "JX": "江西省", "LN": "辽宁省", "MO": "澳门特别行政区",
    "NM": "内蒙古自治区", "NX": "宁夏回族自治区", "QH": "青海省", "SC": "四川省", "SD": "山东省",
    "SH": "上海市", "SN": "陕西省", "SX": "山西省", "TJ": "天津市", "TW": "台湾省",
    "XJ": "新疆维吾尔自治区", "XZ": "西藏自治区", "YN": "云南省", "ZJ": "浙江省",
}  # fmt: skip

# GB 3838-2002 §4: water quality classes I to V (Ⅰ–Ⅴ in Chinese documents, often "Ⅲ类").
_CLASSES = {
    **{str(n): n for n in range(1, 6)},
    **{roman: n for n, roman in enumerate(("I", "II", "III", "IV", "V"), start=1)},
    **{roman: n for n, roman in enumerate(("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ"), start=1)},
}
_ROMAN = {n: roman for roman, n in _CLASSES.items() if roman.isascii() and roman.isalpha()}
_SECTION_LEVELS = {
    **{str(level): level for level in SectionLevel},
    "cross_border": SectionLevel.CROSS_BORDER,
    "国控": SectionLevel.NATIONAL,
    "省控": SectionLevel.PROVINCIAL,
    "跨界": SectionLevel.CROSS_BORDER,
}
# HJ 212-2017 Table 3: MN up to 24 characters. Real loggers send 7-24, also lowercase, "-", "_".
_MN = re.compile(r"[0-9A-Za-z_-]{1,24}")
# The PW travels in the packet header, where ";", ",", "=", "&" separate fields (HJ 212-2017 §6.3.2).
_PASSWORD = re.compile(r"[^\s;,=&]{1,24}")

_COLUMNS = (
    "mn", "name", "kind", "jurisdiction", "lon", "lat", "river", "river_km", "section_level",
    "target_class", "water_body", "min_interval", "simulated", "active",
)  # fmt: skip
_IMPORT_COLUMNS = {*_COLUMNS, "password", "lake"}
_TRUE, _FALSE = {"1", "true", "yes", "y", "是"}, {"0", "false", "no", "n", "否", ""}


def parse_target_class(text: str) -> int:
    """A GB 3838 class given as ``III``, ``3``, ``Ⅲ`` or ``Ⅲ类`` → 3."""
    key = text.strip().upper().removesuffix("类").strip()
    if key not in _CLASSES:
        raise InputError(f"target class {text!r} is not one of I..V or 1..5")
    return _CLASSES[key]


def parse_section_level(text: str) -> SectionLevel:
    key = text.strip().lower()
    if key not in _SECTION_LEVELS:
        raise InputError(f"section level {text!r} is not one of {', '.join(str(v) for v in SectionLevel)}")
    return _SECTION_LEVELS[key]


def _check_mn(mn: str) -> str:
    if not _MN.fullmatch(mn):
        raise InputError(f"MN {mn!r} must be 1-24 letters, digits, '-' or '_'")
    return mn


def _check_password(password: str) -> str:
    if not _PASSWORD.fullmatch(password):
        raise InputError("password must be 1-24 characters without spaces or any of ; , = &")
    return password


def _flag(name: str, text: str) -> bool:
    key = text.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise InputError(f"{name} {text!r} is not yes/no")


def _number(name: str, text: str, kind: type[float] | type[int] = float) -> float | None:
    if not text.strip():
        return None
    try:
        return kind(text)
    except ValueError as exc:
        raise InputError(f"{name} {text!r} is not a number") from exc


def _ensure_jurisdiction(store: DuckDBStore, code: str) -> None:
    if code not in {j.code for j in store.jurisdictions()}:
        store.upsert_jurisdiction(Jurisdiction(code, PROVINCE_NAMES.get(code, code)))


@click.group()
def station() -> None:
    """The station registry: who may send data, and where the stations are."""


# --- add -----------------------------------------------------------------------------------------


def _checked(option: str, parse: Callable[[str], T], text: str | None) -> T | None:
    """``parse(text)``; an InputError becomes click's usage error naming ``option``."""
    if text is None:
        return None
    try:
        return parse(text)
    except InputError as exc:
        raise click.BadParameter(exc.message, param_hint=option) from exc


@station.command("add")
@data_option
@click.option("--mn", required=True, help="HJ 212 MN of the station's data logger (its key).")
@click.option("--password", help="HJ 212 PW the logger sends; prompted for when omitted.")
@click.option("--kind", type=click.Choice([str(k) for k in StationKind]), required=True)
@click.option("--jurisdiction", required=True, help="Jurisdiction code, e.g. SC or CQ (created if new).")
@click.option("--name", help="Station name [default: the MN].")
@click.option("--lon", type=click.FloatRange(-180, 180), help="Longitude [degrees, WGS 84].")
@click.option("--lat", type=click.FloatRange(-90, 90), help="Latitude [degrees, WGS 84].")
@click.option("--river", help="River (or lake) the station samples.")
@click.option("--river-km", type=float, help="Position along the river [km from its source].")
@click.option("--target-class", help="GB 3838 class the section must meet: I..V or 1..5.")
@click.option("--section-level", help="national, provincial or cross-border.")
@click.option("--lake", is_flag=True, help="A lake or reservoir (GB 3838 sets a stricter TP limit).")
@click.option("--min-interval", type=click.IntRange(min=1), help="Minute-data (CN 2051) interval [min].")
@click.option("--inactive", is_flag=True, help="Register the station but refuse its data for now.")
@click.option("--replace", "replace_existing", is_flag=True, help="Overwrite a station with this MN.")
def add(
    data: Path | None,
    mn: str,
    password: str | None,
    kind: str,
    jurisdiction: str,
    name: str | None,
    lon: float | None,
    lat: float | None,
    river: str | None,
    river_km: float | None,
    target_class: str | None,
    section_level: str | None,
    lake: bool,
    min_interval: int | None,
    inactive: bool,
    replace_existing: bool,
) -> None:
    """Register a station (or, with --replace, overwrite one)."""
    klass = _checked("--target-class", parse_target_class, target_class)
    level = _checked("--section-level", parse_section_level, section_level)
    _checked("--mn", _check_mn, mn)
    if password is None:
        password = click.prompt(f"Password (PW) of {mn}", hide_input=True, confirmation_prompt=True)
    _checked("--password", _check_password, password)
    code = jurisdiction.strip().upper()
    new = Station(
        mn=mn,
        name=name or mn,
        kind=StationKind(kind),
        jurisdiction=code,
        lon=lon,
        lat=lat,
        river=river,
        river_km=river_km,
        section_level=level,
        target_class=klass,
        water_body=WaterBody.LAKE if lake else WaterBody.RIVER,
        min_interval=min_interval,
        active=not inactive,
        password_hash=hash_secret(password),
    )
    with open_data_store(data, create=True) as store:
        if store.station(mn) is not None and not replace_existing:
            raise click.ClickException(f"station {mn} exists (use --replace to overwrite it)")
        _ensure_jurisdiction(store, code)
        store.upsert_station(new)
    click.echo(f"station {mn} ({new.name}, {new.kind}, {code}) saved")


# --- list ----------------------------------------------------------------------------------------


def _record(s: Station) -> dict[str, Any]:
    """A station as plain values, in :data:`_COLUMNS` order; never the password hash."""
    return {
        "mn": s.mn,
        "name": s.name,
        "kind": str(s.kind),
        "jurisdiction": s.jurisdiction,
        "lon": s.lon,
        "lat": s.lat,
        "river": s.river,
        "river_km": s.river_km,
        "section_level": None if s.section_level is None else str(s.section_level),
        "target_class": s.target_class,
        "water_body": str(s.water_body),
        "min_interval": s.min_interval,
        "simulated": s.simulated,
        "active": s.active,
    }


def _print_table(stations: list[Station]) -> None:
    table = Table("MN", "name", "kind", "juris.", "lon", "lat", "river", "class", "level", "active")
    for s in stations:
        table.add_row(
            s.mn,
            s.name,
            str(s.kind) + (" (lake)" if s.water_body is WaterBody.LAKE else ""),
            s.jurisdiction,
            "" if s.lon is None else f"{s.lon:.4f}",
            "" if s.lat is None else f"{s.lat:.4f}",
            s.river or "",
            _ROMAN.get(s.target_class, "") if s.target_class else "",
            "" if s.section_level is None else str(s.section_level),
            "yes" if s.active else "no",
        )
    Console().print(table)


@station.command("list")
@data_option
@click.option("--jurisdiction", help="Only stations of this jurisdiction code.")
@click.option("--kind", type=click.Choice([str(k) for k in StationKind]), help="Only stations of this kind.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
def list_(data: Path | None, jurisdiction: str | None, kind: str | None, fmt: str) -> None:
    """List stations (JSON: one object per line; CSV: the columns `station import` reads)."""
    with open_data_store(data, read_only=True) as store:
        stations = store.stations(
            jurisdiction=jurisdiction.strip().upper() if jurisdiction else None,
            kind=StationKind(kind) if kind else None,
        )
    if fmt == "table":
        _print_table(stations)
    elif fmt == "json":
        for s in stations:
            click.echo(json.dumps(_record(s), ensure_ascii=False))
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(_record(s) for s in stations)


# --- import --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    station: Station  # password_hash still empty
    password: str | None


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets saved on Chinese Windows write GB 18030 (a superset of GBK).
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise click.ClickException(f"{path}: neither UTF-8 nor GB 18030 text") from exc


def _header(fields: Iterable[str]) -> dict[str, str]:
    """Normalised column name (``Target-Class`` → ``target_class``) for each header field."""
    return {f: f.strip().lower().replace("-", "_").replace(" ", "_") for f in fields}


def _parse_row(line: int, cells: Mapping[str, str]) -> _Row:
    def cell(name: str) -> str:
        return (cells.get(name) or "").strip()

    for required in ("mn", "kind", "jurisdiction"):
        if not cell(required):
            raise InputError(f"{required} is empty")
    mn = _check_mn(cell("mn"))
    try:
        kind = StationKind(cell("kind").lower())
    except ValueError as exc:
        raise InputError(f"kind {cell('kind')!r} is not one of water, air, source") from exc
    lon, lat = _number("lon", cell("lon")), _number("lat", cell("lat"))
    if lon is not None and not -180 <= lon <= 180:
        raise InputError(f"lon {lon} is not within -180..180")
    if lat is not None and not -90 <= lat <= 90:
        raise InputError(f"lat {lat} is not within -90..90")
    interval = _number("min_interval", cell("min_interval"), int)
    lake = _flag("lake", cell("lake")) or cell("water_body").lower() == "lake"
    if cell("water_body") and cell("water_body").lower() not in {"river", "lake"}:
        raise InputError(f"water_body {cell('water_body')!r} is not river or lake")
    password = cell("password") or None
    station_ = Station(
        mn=mn,
        name=cell("name") or mn,
        kind=kind,
        jurisdiction=cell("jurisdiction").upper(),
        lon=lon,
        lat=lat,
        river=cell("river") or None,
        river_km=_number("river_km", cell("river_km")),
        section_level=parse_section_level(cell("section_level")) if cell("section_level") else None,
        target_class=parse_target_class(cell("target_class")) if cell("target_class") else None,
        water_body=WaterBody.LAKE if lake else WaterBody.RIVER,
        simulated=_flag("simulated", cell("simulated")),
        min_interval=None if interval is None else int(interval),
        active=True if not cell("active") else _flag("active", cell("active")),
    )
    return _Row(line, station_, None if password is None else _check_password(password))


def _parse_file(path: Path) -> tuple[list[_Row], list[tuple[int, str]]]:
    reader = csv.DictReader(_read_text(path).splitlines())
    names = _header(reader.fieldnames or [])
    unknown = sorted(set(names.values()) - _IMPORT_COLUMNS)
    if unknown:
        raise click.ClickException(
            f"{path}: unknown column(s) {', '.join(unknown)}; known: {', '.join(sorted(_IMPORT_COLUMNS))}"
        )
    if "mn" not in names.values():
        raise click.ClickException(f"{path}: no mn column (first line must name the columns)")
    rows: list[_Row] = []
    errors: list[tuple[int, str]] = []
    first_line: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        try:
            row = _parse_row(
                line, {names[k]: v for k, v in record.items() if k is not None and v is not None}
            )
        except InputError as exc:
            errors.append((line, exc.message))
            continue
        if row.station.mn in first_line:
            errors.append((line, f"MN {row.station.mn} already given on line {first_line[row.station.mn]}"))
            continue
        first_line[row.station.mn] = line
        rows.append(row)
    return rows, errors


def _hash_passwords(rows: list[_Row], console: Console) -> list[Station]:
    """The stations with their passwords hashed (scrypt is slow on purpose: in parallel, with progress)."""
    with_password = [r for r in rows if r.password is not None]
    hashes: dict[int, str] = {}
    columns = (TextColumn("hashing passwords"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with (
        Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress,
        ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool,
    ):
        task = progress.add_task("hash", total=len(with_password))
        futures = {r.line: pool.submit(hash_secret, r.password) for r in with_password if r.password}
        for line, future in futures.items():
            hashes[line] = future.result()
            progress.advance(task)
    return [replace(r.station, password_hash=hashes.get(r.line, "")) for r in rows]


@station.command("import")
@data_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(data: Path | None, file: Path) -> None:
    """Add or update stations from a CSV file whose columns are named like the `add` options.

    Columns: mn, kind, jurisdiction (required), password (required for a new station; empty keeps
    the stored one), name, lon, lat, river, river_km, target_class, section_level, lake or
    water_body, min_interval, simulated, active. Rows with errors are reported by line and skipped;
    the others are saved. The exit status is 1 when any row had an error.
    """
    rows, errors = _parse_file(file)
    err = Console(stderr=True)
    with open_data_store(data, create=True) as store:
        known = {s.mn for s in store.stations()}
        for r in rows:
            if r.password is None and r.station.mn not in known:
                errors.append((r.line, f"password is empty for new station {r.station.mn}"))
        good = [r for r in rows if r.password is not None or r.station.mn in known]
        stations = _hash_passwords(good, err)
        for code in sorted({s.jurisdiction for s in stations}):
            _ensure_jurisdiction(store, code)
        store.upsert_stations(stations)
    for line, message in sorted(errors):
        click.echo(f"{file}:{line}: {message}", err=True)
    added = sum(1 for s in stations if s.mn not in known)
    click.echo(
        f"imported {len(stations)} stations from {file} ({added} new, {len(stations) - added} updated)"
    )
    if errors:
        raise click.ClickException(f"{len(errors)} row(s) with errors were skipped (listed above)")


# --- passwd --------------------------------------------------------------------------------------


@station.command("passwd")
@data_option
@click.option("--mn", required=True, help="MN of the station.")
@click.option("--password", help="The new HJ 212 PW; prompted for when omitted.")
def passwd(data: Path | None, mn: str, password: str | None) -> None:
    """Change the password a station's data logger must send."""
    if password is None:
        password = click.prompt(f"New password (PW) of {mn}", hide_input=True, confirmation_prompt=True)
    _checked("--password", _check_password, password)
    with open_data_store(data) as store:
        store.set_station_password(mn, hash_secret(password))
    click.echo(f"password of station {mn} changed")
