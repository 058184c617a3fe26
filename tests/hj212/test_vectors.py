"""Conformance vectors from the standard and from open-source captures (tests/vectors/hj212_*.jsonl)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from lianfang.hj212 import (
    DataAck,
    DataUpload,
    HistoryRequest,
    OtherPacket,
    ProtocolVersion,
    Role,
    SetTime,
    Tolerance,
)
from lianfang.hj212.connection import Connection
from lianfang.hj212.encode import encode_frame
from lianfang.hj212.reader import PacketReader

from .feeding import MODES, read_events, read_packets

VECTORS = Path(__file__).parents[1] / "vectors"


def load(name: str) -> list[dict[str, Any]]:
    with (VECTORS / name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


PACKETS = load("hj212_packets.jsonl")
SEGMENTS = load("hj212_segments.jsonl")


def test_every_vector_names_its_source() -> None:
    for vector in PACKETS + SEGMENTS:
        assert vector["source"].strip(), vector["id"]
    assert len({v["id"] for v in PACKETS + SEGMENTS}) == len(PACKETS) + len(SEGMENTS)


def _tolerance(vector: dict[str, Any]) -> Tolerance:
    options = dict(vector.get("tolerance", {}))
    if "crc_variants" in options:
        options["crc_variants"] = tuple(options["crc_variants"])
    return Tolerance(**options)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("vector", PACKETS, ids=[v["id"] for v in PACKETS])
def test_packet_vector(vector: dict[str, Any], mode: str) -> None:
    frame = vector["frame"].encode("utf-8")
    results = read_packets(frame, mode, tolerance=_tolerance(vector))
    assert len(results) == 1
    got = results[0]
    expect = vector["expect"]
    if expect["ok"]:
        assert got == expect
    else:
        assert (got["ok"], got["error"]) == (False, expect["error"])


@pytest.mark.parametrize("vector", [v for v in PACKETS if "version" in v], ids=lambda v: v["id"])
def test_packet_vector_version(vector: dict[str, Any]) -> None:
    reader = PacketReader(max_data_len=4096, tolerance=_tolerance(vector))
    reader.receive_data(vector["frame"].encode())
    packet = reader.next_packet()
    assert packet is not None
    assert packet.version is ProtocolVersion[vector["version"]]


def test_all_vectors_in_one_stream() -> None:
    strict = [v for v in PACKETS if "tolerance" not in v]
    stream = b"".join(v["frame"].encode() for v in strict)
    for mode in MODES:
        results = read_packets(stream, mode)
        assert [r["ok"] for r in results] == [v["expect"]["ok"] for v in strict]


def _beijing(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("vector", SEGMENTS, ids=[v["id"] for v in SEGMENTS])
def test_segment_vector(vector: dict[str, Any], mode: str) -> None:
    role = Role.PLATFORM if vector["role"] == "platform" else Role.LOGGER
    conn = Connection(role)
    events = read_events(conn, encode_frame(vector["segment"]), mode)
    assert len(events) == 1
    event = events[0]
    assert type(event).__name__ == vector["event"]
    packet = event.packets[0] if isinstance(event, DataUpload) else getattr(event, "packet", None)
    assert packet is not None
    if "version" in vector:
        assert packet.version is ProtocolVersion[vector["version"]]
    if isinstance(event, DataUpload):
        assert event.items == vector["items"]
        assert event.data_time == _beijing(vector["data_time"])
        answer = Connection().send(DataAck.for_packet(packet))
        assert answer == encode_frame(vector["answer"])  # the standard's own 9014, byte for byte
    elif isinstance(event, HistoryRequest):
        assert (event.begin, event.end) == (_beijing(vector["begin"]), _beijing(vector["end"]))
        assert event.wants_ack
    elif isinstance(event, SetTime):
        assert event.system_time == _beijing(vector["system_time"])
        assert event.pol_id == "w01018"
    elif isinstance(event, DataAck):
        assert event.qn == packet.qn
    elif isinstance(event, OtherPacket) and "fields" in vector:
        assert packet.cp.fields == vector["fields"]


def test_standard_history_request_is_reproduced_by_the_encoder() -> None:
    vector = next(v for v in SEGMENTS if v["id"] == "hj2025-hour-history-request")
    request = read_events(Connection(Role.LOGGER), encode_frame(vector["segment"]))[0]
    assert isinstance(request, HistoryRequest)
    again = Connection().send(request)
    # same fields; only the version bits differ (we speak HJ 212-2017: Flag=5 instead of 9)
    assert again == encode_frame(vector["segment"].replace("Flag=9", "Flag=5"))
