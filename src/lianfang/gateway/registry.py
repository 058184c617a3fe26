"""Who may send: station lookup by MN and password check, with the caches that make them cheap.

Every HJ 212 packet carries the station's MN and password (HJ 212-2017 §6.3.2 Table 3: "PW 访问
密码", "MN 设备唯一标识"). Passwords are stored as scrypt hashes, which take tens of milliseconds
to check, so a verified (MN, password) pair is remembered together with the hash it was checked
against: when the station's hash changes (reload, ``station passwd``) the entry no longer matches
and the password is checked again. A mismatch re-reads the station once, in case the password was
changed since the directory was loaded. Store reads and scrypt run in worker threads, never on
the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
from concurrent.futures import Executor, ThreadPoolExecutor
from enum import Enum

from lianfang.credentials import verify_secret
from lianfang.model import Station
from lianfang.store.base import Store

__all__ = ["FAILED_PAUSE", "MAX_FAILURES", "MAX_LOOKUPS_PER_S", "StationDirectory", "Verdict"]

#: After MAX_FAILURES wrong passwords for one station within FAILED_PAUSE [s], further unverified
#: passwords for it are refused without running scrypt until the pause is over (bounds the KDF work
#: a password-guessing peer can cause).
FAILED_PAUSE = 1.0
MAX_FAILURES = 3
#: Store reads per second for MNs not in the directory (registered since the last reload?).
MAX_LOOKUPS_PER_S = 50


class Verdict(Enum):
    OK = "ok"
    UNKNOWN_MN = "unknown_mn"  # not registered, or registered but inactive
    BAD_PASSWORD = "bad_password"  # noqa: S105 - a reason code, not a secret


class StationDirectory:
    """In-memory view of the station registry plus a cache of checked passwords."""

    def __init__(
        self,
        store: Store,
        *,
        recheck_interval: float = 30.0,
        kdf_workers: int = 2,
        max_cached: int = 100_000,
    ) -> None:
        self._store = store
        self._stations: dict[str, Station] = {}
        # (mn, sha256(password)) -> (password hash it was checked against, verdict). The password
        # itself is never kept; a fast digest is enough as a key inside this process.
        self._checked: dict[tuple[str, bytes], tuple[str, bool]] = {}
        self._inflight: dict[tuple[str, bytes, str], asyncio.Future[bool]] = {}
        self._reread_at: dict[str, float] = {}  # mn -> loop time of its last single-station read
        # mn -> (hash, digest of the password it verifies): a hash verifies one password only, so
        # any other password for that hash is wrong without running scrypt (a guessing attack on
        # a working station costs us a dict lookup).
        self._good: dict[str, tuple[str, bytes]] = {}
        self._failed: dict[str, tuple[float, int]] = {}  # mn -> (since, failed scrypt checks since)
        self._lookups: tuple[float, int] = (0.0, 0)  # (second, store reads in it) for unknown MNs
        self._recheck = recheck_interval
        self._max_cached = max_cached
        self._kdf: Executor = ThreadPoolExecutor(kdf_workers, thread_name_prefix="lianfang-kdf")

    def __len__(self) -> int:
        return len(self._stations)

    def station(self, mn: str) -> Station | None:
        return self._stations.get(mn)

    async def load(self) -> None:
        """(Re)read every station; cached passwords survive only where the hash is unchanged."""
        loop = asyncio.get_running_loop()
        stations = await loop.run_in_executor(None, self._store.stations)
        self._stations = {s.mn: s for s in stations}
        self._reread_at.clear()

    def invalidate(self, mn: str | None = None) -> None:
        """Forget checked passwords (of one station, or all); the next packet is checked afresh."""
        if mn is None:
            self._checked.clear()
            self._reread_at.clear()
        else:
            self._checked = {k: v for k, v in self._checked.items() if k[0] != mn}
            self._reread_at.pop(mn, None)

    def close(self) -> None:
        self._kdf.shutdown(wait=False, cancel_futures=True)

    def check_cached(self, mn: str | None, password: str | None) -> Verdict | None:
        """The verdict if it needs no slow work, else None (then await :meth:`check`)."""
        if mn is None:
            return Verdict.UNKNOWN_MN
        station = self._stations.get(mn)
        if station is None or not station.active:
            return None if self._may_reread(mn) else Verdict.UNKNOWN_MN
        hit = self._checked.get((mn, _digest(password)))
        if hit is None or hit[0] != station.password_hash:
            return None
        if hit[1]:
            return Verdict.OK
        return None if self._may_reread(mn) else Verdict.BAD_PASSWORD

    async def check(self, mn: str | None, password: str | None) -> tuple[Verdict, Station | None]:
        """Look the station up and check the password, reading the store and running scrypt if needed."""
        if mn is None:
            return Verdict.UNKNOWN_MN, None
        station = self._stations.get(mn)
        if (station is None or not station.active) and self._may_reread(mn):
            station = await self._reread(mn)
        if station is None or not station.active:
            return Verdict.UNKNOWN_MN, station
        if await self._verify(station, password):
            return Verdict.OK, station
        if self._may_reread(mn):  # the password may have changed since the directory was loaded
            fresh = await self._reread(mn)
            changed = fresh is not None and fresh.password_hash != station.password_hash
            if fresh is not None and fresh.active and changed and await self._verify(fresh, password):
                return Verdict.OK, fresh
        return Verdict.BAD_PASSWORD, station

    # --- internals -----------------------------------------------------------------------
    def _may_reread(self, mn: str) -> bool:
        now = asyncio.get_running_loop().time()
        last = self._reread_at.get(mn)
        if last is not None and now - last < self._recheck:
            return False
        second, reads = self._lookups
        if int(now) != second:
            second, reads = int(now), 0
        if reads >= MAX_LOOKUPS_PER_S:  # a flood of made-up MNs must not become a flood of reads
            return False
        self._lookups = (second, reads)
        return True

    async def _reread(self, mn: str) -> Station | None:
        loop = asyncio.get_running_loop()
        if len(self._reread_at) >= self._max_cached:
            self._reread_at.clear()
        self._reread_at[mn] = loop.time()
        second, reads = self._lookups
        self._lookups = (second, reads + 1)
        station = await loop.run_in_executor(None, self._store.station, mn)
        if station is None:
            self._stations.pop(mn, None)
        else:
            self._stations[mn] = station
        return station

    async def _verify(self, station: Station, password: str | None) -> bool:
        key = (station.mn, _digest(password))
        hit = self._checked.get(key)
        if hit is not None and hit[0] == station.password_hash:
            return hit[1]
        if not station.password_hash or password is None:
            return False
        good = self._good.get(station.mn)
        if good is not None and good[0] == station.password_hash and good[1] != key[1]:
            return False
        loop = asyncio.get_running_loop()
        since, failures = self._failed.get(station.mn, (0.0, 0))
        if failures >= MAX_FAILURES and loop.time() - since < FAILED_PAUSE:
            return False  # not cached: the same password is checked properly a moment later
        flight_key = (*key, station.password_hash)
        pending = self._inflight.get(flight_key)
        if pending is None:  # many connections of one logger share one scrypt run
            pending = asyncio.ensure_future(
                loop.run_in_executor(self._kdf, verify_secret, password, station.password_hash)
            )
            self._inflight[flight_key] = pending
            pending.add_done_callback(lambda _: self._inflight.pop(flight_key, None))
        ok = await asyncio.shield(pending)
        if len(self._checked) >= self._max_cached:
            self._checked.clear()  # crude bound; entries are cheap to rebuild
            self._failed.clear()
        self._checked[key] = (station.password_hash, ok)
        if ok:
            self._good[station.mn] = (station.password_hash, key[1])
        else:
            since, failures = self._failed.get(station.mn, (0.0, 0))
            now = loop.time()
            self._failed[station.mn] = (since, failures + 1) if now - since < FAILED_PAUSE else (now, 1)
        return ok


def _digest(password: str | None) -> bytes:
    return hashlib.sha256((password or "").encode()).digest()
