"""A small three-agency network with sharing scenarios, and an independent oracle of who sees what.

The oracle restates the policy row by row with explicit station sets (no selectors, no slices), so
that the tests check lianfang.share against a second, plain reading of the rules:
own stations fully; others' only through an agreement in force, its parameters, kinds no finer than
its resolution, and values whose period ended ``delay`` ago.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from lianfang.credentials import token_digest
from lianfang.model import (
    BEIJING,
    DataKind,
    Jurisdiction,
    Observation,
    ObservationBatch,
    Station,
    StationKind,
)
from lianfang.share import Role
from lianfang.share.tokens import issue_token
from lianfang.store.base import Agreement, ApiToken
from lianfang.store.duckdb import DuckDBStore

AGENCIES = ("SC", "CQ", "GZ")

STATIONS: tuple[Station, ...] = (
    Station("SCW01", "嘉陵江 A", StationKind.WATER, "SC", 106.1, 30.8, river="Jialing", min_interval=10),
    Station("SCW02", "嘉陵江 B", StationKind.WATER, "SC", 106.3, 30.2, river="Jialing"),
    Station("SCW03", "岷江 C", StationKind.WATER, "SC", 104.0, 29.6, river="Min"),
    Station("SCA01", "成都 空气", StationKind.AIR, "SC", 104.07, 30.67),
    Station("CQW01", "长江 D", StationKind.WATER, "CQ", 106.5, 29.5, river="Yangtze"),
    Station("CQA01", "重庆 空气", StationKind.AIR, "CQ", 106.55, 29.56),
    Station("GZW01", "乌江 E", StationKind.WATER, "GZ", 107.0, 27.0, river="Wu"),
)
BY_MN = {s.mn: s for s in STATIONS}
PARAMS = {StationKind.WATER: ("w01001", "w01018", "w21003"), StationKind.AIR: ("a21026", "a34004")}
RANK = {DataKind.RTD: 0, DataKind.MIN: 1, DataKind.HOUR: 2, DataKind.DAY: 3}


@dataclass(frozen=True)
class Term:
    """One scenario agreement, stated plainly for the oracle."""

    label: str
    owner: str
    grantee: str
    stations: frozenset[str]
    params: frozenset[str] | None = None
    resolution: DataKind = DataKind.RTD
    delay: timedelta = timedelta(0)
    valid_from_offset: timedelta = timedelta(days=-2)  # relative to the network's anchor time
    until_offset: timedelta | None = None
    revoked: bool = False


# Each grants disjoint stations, so every case is checked on its own.
TERMS: tuple[Term, ...] = (
    Term("granted", "SC", "CQ", frozenset({"SCW01"})),
    Term("partial", "SC", "CQ", frozenset({"SCW02"}), frozenset({"w21003"}), DataKind.HOUR),
    Term("delayed", "SC", "CQ", frozenset({"SCW03"}), delay=timedelta(hours=6)),
    Term("revoked", "SC", "CQ", frozenset({"SCA01"}), revoked=True),
    Term("expired", "CQ", "SC", frozenset({"CQW01"}), until_offset=timedelta(hours=-1)),
    Term("coarse+delayed", "CQ", "SC", frozenset({"CQA01"}), None, DataKind.DAY, timedelta(days=1)),
    Term("not yet valid", "SC", "GZ", frozenset({"SCW01"}), valid_from_offset=timedelta(days=1)),
)


def period(kind: DataKind, station: Station) -> timedelta:
    return {
        DataKind.RTD: timedelta(0),
        DataKind.MIN: timedelta(minutes=station.min_interval or 1),
        DataKind.HOUR: timedelta(hours=1),
        DataKind.DAY: timedelta(days=1),
    }[kind]


@dataclass
class Network:
    """The scenario as written into a store: anchor time, rows, agreement ids, tokens."""

    anchor: datetime
    rows: list[Observation] = field(default_factory=list)
    agreement_ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # "SC:admin" / "CQ:revoked" … -> secret

    # --- the oracle -------------------------------------------------------------------------------
    def in_force(self, term: Term, at: datetime) -> bool:
        if term.revoked:
            return False
        if at < self.anchor + term.valid_from_offset:
            return False
        return term.until_offset is None or at < self.anchor + term.until_offset

    def sees_station(self, agency: str, mn: str, at: datetime) -> bool:
        station = BY_MN[mn]
        if station.jurisdiction == agency:
            return True
        return any(t.grantee == agency and mn in t.stations and self.in_force(t, at) for t in TERMS)

    def sees_row(
        self, agency: str, mn: str, param: str, kind: DataKind, time: datetime, at: datetime
    ) -> bool:
        station = BY_MN[mn]
        if station.jurisdiction == agency:
            return True
        for t in TERMS:
            if t.grantee != agency or mn not in t.stations or not self.in_force(t, at):
                continue
            if t.params is not None and param not in t.params:
                continue
            if RANK[kind] < RANK[t.resolution]:
                continue
            if time + period(kind, station) <= at - t.delay:
                return True
        return False

    def sees_series(self, agency: str, mn: str, param: str, kind: DataKind, at: datetime) -> bool:
        """The series itself is granted (its values may still be too new: a delay)."""
        if BY_MN[mn].jurisdiction == agency:
            return True
        return any(
            t.grantee == agency
            and mn in t.stations
            and self.in_force(t, at)
            and (t.params is None or param in t.params)
            and RANK[kind] >= RANK[t.resolution]
            for t in TERMS
        )

    def visible_rows(self, agency: str, at: datetime) -> set[tuple[str, str, str, datetime]]:
        return {
            (r.mn, r.param, r.kind.value, r.time.astimezone(UTC))
            for r in self.rows
            if self.sees_row(agency, r.mn, r.param, r.kind, r.time, at)
        }

    def agreements_crossed(self, agency: str, at: datetime) -> set[int]:
        return {self.agreement_ids[t.label] for t in TERMS if t.grantee == agency and self.in_force(t, at)}


def _series_rows(anchor: datetime) -> Iterable[Observation]:
    hour0 = anchor.replace(minute=0, second=0, microsecond=0)
    day0 = anchor.astimezone(BEIJING).replace(hour=0, minute=0, second=0, microsecond=0)
    min0 = anchor.replace(minute=anchor.minute - anchor.minute % 10, second=0, microsecond=0)
    rtd0 = anchor.replace(second=0, microsecond=0)
    for station in STATIONS:
        for i, param in enumerate(PARAMS[station.kind]):
            base = 10.0 * (i + 1)
            for k in range(48):
                yield Observation(station.mn, param, DataKind.HOUR, hour0 - timedelta(hours=k), base + k)
            for k in range(3):
                yield Observation(station.mn, param, DataKind.DAY, day0 - timedelta(days=k), base + 0.5 * k)
            for k in range(18):
                yield Observation(station.mn, param, DataKind.MIN, min0 - timedelta(minutes=10 * k), base - k)
            for k in range(12):
                yield Observation(
                    station.mn, param, DataKind.RTD, rtd0 - timedelta(minutes=5 * k), base + 0.1 * k
                )
            # a logger whose clock runs a day ahead: its own agency sees it, nobody else may
            yield Observation(station.mn, param, DataKind.RTD, rtd0 + timedelta(days=1), -1.0, "T")


def populate(store: DuckDBStore, anchor: datetime | None = None) -> Network:
    """Write the network, its observations, agreements and tokens into ``store``."""
    net = Network(anchor=anchor or datetime.now(UTC))
    for code, name in (("SC", "四川省"), ("CQ", "重庆市"), ("GZ", "贵州省")):
        store.upsert_jurisdiction(Jurisdiction(code, name))
    for station in STATIONS:
        store.upsert_station(station)
    net.rows = list(_series_rows(net.anchor))
    batch = ObservationBatch()
    batch.extend(net.rows)
    store.write_observations(batch)
    for term in TERMS:
        stored = store.add_agreement(
            Agreement(
                id=0,
                version=1,
                owner=term.owner,
                grantee=term.grantee,
                valid_from=net.anchor + term.valid_from_offset,
                created_at=net.anchor - timedelta(days=3),
                stations=tuple(sorted(term.stations)),
                params=tuple(sorted(term.params)) if term.params is not None else None,
                resolution=term.resolution,
                delay=term.delay,
                until=net.anchor + term.until_offset if term.until_offset is not None else None,
                purpose=f"scenario {term.label}",
                created_by="tests",
            )
        )
        if term.revoked:
            store.add_agreement_version(replace(stored, revoked_at=net.anchor - timedelta(minutes=5)))
        net.agreement_ids[term.label] = stored.id
    codes = [j.code for j in store.jurisdictions()]
    for agency in AGENCIES:
        for role in Role:
            _, secret = issue_token(
                store,
                agency=agency,
                role=role,
                known_agencies=codes,
                now=net.anchor,
                name=f"{agency.lower()}-{role.value}",
            )
            net.tokens[f"{agency}:{role.value}"] = secret
    record, revoked = issue_token(store, agency="CQ", role=Role.ADMIN, known_agencies=codes, now=net.anchor)
    store.revoke_token(record.id, net.anchor)
    net.tokens["CQ:revoked"] = revoked
    expired = "lf_expired-token-for-tests"
    store.add_token(
        ApiToken(
            "tk_expired",
            "CQ",
            "admin",
            "cq-expired",
            token_digest(expired),
            net.anchor - timedelta(days=2),
            net.anchor - timedelta(days=1),
        )
    )
    net.tokens["CQ:expired"] = expired
    return net
