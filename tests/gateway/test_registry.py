"""Password checks: cached per (MN, password) and hash, re-checked when the stored hash changes."""

from __future__ import annotations

import pytest

from lianfang.credentials import hash_secret
from lianfang.hj212 import DataAck, RequestAnswer
from lianfang.store.base import Store

from .conftest import MN, PW, run, running
from .fake_logger import FakeLogger, hourly_items, past_hour


def test_changed_password_takes_effect_after_reload(store: Store) -> None:
    async def scenario() -> None:
        async with running(store) as gw:
            logger = await FakeLogger(MN, PW).connect(gw.port)
            _, frame = logger.upload(past_hour(1), hourly_items())
            await logger.write(frame)
            assert isinstance(await logger.event(), DataAck)
            store.set_station_password(MN, hash_secret("new-pw", n=2**4))
            await gw.reload_stations()
            _, old = logger.upload(past_hour(2), hourly_items())
            await logger.write(old)
            refused = await logger.event()
            assert isinstance(refused, RequestAnswer)
            assert refused.qn_rtn == 3
            _, new = logger.upload(past_hour(2), hourly_items(), pw="new-pw")
            await logger.write(new)
            assert isinstance(await logger.event(), DataAck)
            await logger.close()

    run(scenario())


def test_new_password_is_accepted_without_reload(store: Store) -> None:
    """A mismatch re-reads the station, so a password changed in the store works at once."""

    async def scenario() -> None:
        async with running(store) as gw:
            store.set_station_password(MN, hash_secret("changed", n=2**4))
            logger = await FakeLogger(MN, "changed").connect(gw.port)
            _, frame = logger.upload(past_hour(1), hourly_items())
            await logger.write(frame)
            assert isinstance(await logger.event(), DataAck)
            assert gw.metrics.rejects["bad_password"] == 0
            await logger.close()

    run(scenario())


def test_station_registered_after_start_is_found(store: Store) -> None:
    from .conftest import register

    async def scenario() -> None:
        async with running(store) as gw:
            register(store, "SC0000000000000000000777", "777777")
            logger = await FakeLogger("SC0000000000000000000777", "777777").connect(gw.port)
            _, frame = logger.upload(past_hour(1), hourly_items())
            await logger.write(frame)
            assert isinstance(await logger.event(), DataAck)
            assert "SC0000000000000000000777" in gw.online
            await logger.close()

    run(scenario())


def test_password_guessing_costs_no_kdf_runs(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import lianfang.gateway.registry as registry

    runs: list[str] = []
    real = registry.verify_secret

    def counting(secret: str, encoded: str) -> bool:
        runs.append(secret)
        return real(secret, encoded)

    monkeypatch.setattr(registry, "verify_secret", counting)

    async def scenario() -> None:
        async with running(store) as gw:
            logger = await FakeLogger(MN, PW).connect(gw.port)
            _, frame = logger.upload(past_hour(1), hourly_items())
            await logger.write(frame)
            assert isinstance(await logger.event(), DataAck)
            assert runs == [PW]
            guesses = b"".join(
                logger.upload(past_hour(1), hourly_items(), pw=f"guess{i}")[1] for i in range(20)
            )
            await logger.write(guesses)
            for _ in range(20):
                answer = await logger.event()
                assert isinstance(answer, RequestAnswer)
                assert answer.qn_rtn == 3
            # the hash verifies PW only: no scrypt for the guesses beyond one re-read check
            assert len(runs) == 1
            assert gw.metrics.rejects["bad_password"] == 20
            await logger.close()

    run(scenario())
