"""Creating agreements over a real DuckDB store: explicit stations must be the owner's registered
stations; selectors matching nothing and parameter codes never observed are warned about."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from lianfang.errors import InputError
from lianfang.model import StationKind
from lianfang.share.agreements import create_agreement, review_agreement
from lianfang.store.base import Agreement
from lianfang.store.duckdb import DuckDBStore, open_store
from tests.share.network import AGENCIES, Network, populate


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[DuckDBStore, Network]]:
    store = open_store(tmp_path / "lianfang.duckdb")
    net = populate(store)
    yield store, net
    store.close()


def add(world: tuple[DuckDBStore, Network], **terms: Any) -> Agreement:
    store, net = world
    return create_agreement(store, owner="SC", grantee="CQ", known_agencies=AGENCIES, now=net.anchor, **terms)


def test_explicit_stations_of_the_owner_are_accepted(world: tuple[DuckDBStore, Network]) -> None:
    stored = add(world, stations=["SCW02", "SCW01", "SCW02"])
    assert stored.stations == ("SCW02", "SCW01")
    review = review_agreement(world[0], stored)
    assert review.stations == ("SCW01", "SCW02")
    assert review.warnings == ()


@pytest.mark.parametrize(
    ("stations", "named"),
    [
        (["SCW01", "NOPE01"], "NOPE01"),  # not registered
        (["SCW01", "CQW01"], "CQW01"),  # registered, but Chongqing's
        (["GZW01", "SCW03", "XX9"], "GZW01, XX9"),  # both, named in the order given
    ],
)
def test_stations_that_are_not_the_owners_are_refused_by_name(
    world: tuple[DuckDBStore, Network], stations: list[str], named: str
) -> None:
    store, _ = world
    before = store.agreements(history=True)
    with pytest.raises(InputError) as refused:
        add(world, stations=stations)
    assert refused.value.message == f"not registered stations of SC: {named}"
    assert "SCW" not in refused.value.message  # the owner's own stations are not blamed
    assert store.agreements(history=True) == before  # nothing stored


def test_an_unregistered_and_a_foreign_station_get_the_same_words(world: tuple[DuckDBStore, Network]) -> None:
    """Over HTTP any agency's admin is an owner: the refusal must not reveal which MNs exist elsewhere."""
    messages = []
    for mn in ("CQW01", "CQW99"):
        with pytest.raises(InputError) as refused:
            add(world, stations=[mn])
        messages.append(refused.value.message.replace(mn, "MN"))
    assert messages[0] == messages[1]


def test_a_long_list_of_strangers_is_named_in_part(world: tuple[DuckDBStore, Network]) -> None:
    with pytest.raises(InputError) as refused:
        add(world, stations=[f"X{i:03d}" for i in range(25)])
    assert refused.value.message.endswith("X019 (+5 more)")


@pytest.mark.parametrize(
    ("terms", "warning"),
    [
        ({"river": "Yangtze"}, "no station of SC on river 'Yangtze' is registered yet"),
        ({"station_kind": StationKind.SOURCE}, "no station of SC of kind source is registered yet"),
    ],
)
def test_a_selector_matching_nothing_is_created_with_a_warning(
    world: tuple[DuckDBStore, Network], terms: dict[str, Any], warning: str
) -> None:
    store, _ = world
    stored = add(world, **terms)
    assert store.agreement(stored.id) == stored
    review = review_agreement(store, stored)
    assert review.stations == ()
    (only,) = review.warnings
    assert only.startswith(warning)


def test_parameter_codes_never_observed_at_the_covered_stations_are_warned_about(
    world: tuple[DuckDBStore, Network],
) -> None:
    store, _ = world
    # a34004 (PM2.5) is observed, but only at SCA01: not on the Jialing; w12003 is a typo
    stored = add(world, river="jialing", params=["w21003", "a34004", "w12003"])
    review = review_agreement(store, stored)
    assert review.stations == ("SCW01", "SCW02")
    (warning,) = review.warnings
    assert warning.startswith("parameter code(s) a34004, w12003 never observed at the 2 station(s) covered")


@pytest.mark.parametrize("params", [None, ["w21003", "w01001"]])
def test_observed_or_all_parameters_need_no_warning(
    world: tuple[DuckDBStore, Network], params: list[str] | None
) -> None:
    store, _ = world
    stored = add(world, station_kind=StationKind.WATER, params=params)
    review = review_agreement(store, stored)
    assert review.stations == ("SCW01", "SCW02", "SCW03")
    assert review.warnings == ()


def test_the_other_terms_are_still_checked(world: tuple[DuckDBStore, Network]) -> None:
    with pytest.raises(InputError, match="delay must not be negative"):
        add(world, stations=["SCW01"], delay=-timedelta(hours=1))
    with pytest.raises(InputError, match="unknown grantee"):
        create_agreement(
            world[0],
            owner="SC",
            grantee="XZ",
            known_agencies=AGENCIES,
            now=world[1].anchor,
            stations=["NOPE"],
        )
