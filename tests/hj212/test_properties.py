"""Properties: any bytes give only RemoteProtocolError and terminate; encode → decode round trips."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from lianfang.hj212 import (
    BEIJING,
    NEED_DATA,
    Connection,
    DataAck,
    DataUpload,
    RemoteProtocolError,
    Role,
    Tolerance,
    Upload,
    make_qn,
)
from lianfang.hj212.encode import encode_frame

from .feeding import read_packets

MN = "010000A8900016F000169DC0"
GOOD = encode_frame(
    f"QN=20160801085857223;ST=21;CN=2061;PW=123456;MN={MN};Flag=5;CP=&&DataTime=20160801080000;w21003-Avg=0.52,w21003-Flag=N&&"
)

# bytes that matter to the grammar, so that random input reaches deep into the parser
TOKENS = [b"#", b"##", b"0", b"1", b"9", b"\r", b"\n", b"&&", b";", b",", b"=", b"-", b"CP=&&", b"CN=2061"]
TOKENS += [b"Flag=7", b"PNUM=2", b"PNO=1", b"DataTime=20160801080000", b"\xff", b"A"]
ALPHABET = st.sampled_from(TOKENS)
CODES = {
    "crc_mismatch",
    "length_mismatch",
    "bad_length_field",
    "missing_tail",
    "length_exceeds_1024",
    "not_utf8",
    "format",
}
TOKEN_SOUP = st.lists(ALPHABET, max_size=200).map(b"".join)


def drain(conn: Connection, data: bytes, pieces: int) -> list[object]:
    """Feed ``data`` in ``pieces`` chunks then EOF; every call must make progress."""
    out: list[object] = []
    size = max(1, len(data) // max(pieces, 1))
    chunks = [data[i : i + size] for i in range(0, len(data), size)] + [b""]
    for chunk in chunks:
        conn.receive_data(chunk)
        for _ in range(len(data) + 10):  # each rejection consumes bytes, so this bound is never reached
            try:
                event = conn.next_event()
            except RemoteProtocolError as exc:
                out.append(exc)
                continue
            if event is NEED_DATA:
                break
            out.append(event)
        else:
            raise AssertionError("next_event made no progress")
    conn.flush_partial()
    errors = [e for e in out if isinstance(e, RemoteProtocolError)]
    assert all(e.code in CODES and e.frame for e in errors)
    return out


LENIENT = Tolerance(lf_only_tail=True, char_count_length=True, crc_variants=("modbus", "modbus_swapped"))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600) | TOKEN_SOUP, st.integers(1, 8))
def test_random_bytes_only_raise_remote_protocol_error(data: bytes, pieces: int) -> None:
    for role in Role:
        drain(Connection(role), data, pieces)
        drain(Connection(role, tolerance=LENIENT), data, pieces)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=80), st.integers(0, len(GOOD) - 1), st.binary(min_size=1, max_size=3))
def test_mutated_frames_then_a_good_one(prefix: bytes, at: int, patch: bytes) -> None:
    broken = GOOD[:at] + patch + GOOD[at + len(patch) :]
    results = drain(Connection(), prefix + broken + b"\r\n" + GOOD, 3)
    # whatever the damage, the good frame after it is decoded
    assert isinstance(results[-1], DataUpload)


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=300), st.lists(st.integers(1, 50), min_size=1, max_size=20))
def test_result_does_not_depend_on_read_boundaries(noise: bytes, cuts: list[int]) -> None:
    stream = noise + GOOD + noise + GOOD
    whole = read_packets(stream)
    reader_chunks = []
    pos = 0
    for cut in cuts:
        reader_chunks.append(stream[pos : pos + cut])
        pos += cut
    reader_chunks.append(stream[pos:])
    from lianfang.hj212.reader import PacketReader

    reader = PacketReader()
    pieces: list[str] = []
    for chunk in [*reader_chunks, b""]:
        reader.receive_data(chunk)
        while True:
            try:
                packet = reader.next_packet()
            except RemoteProtocolError as exc:
                pieces.append(exc.code)
                continue
            if packet is None:
                break
            pieces.append(packet.cn or "")
    assert pieces == [r["cn"] if r["ok"] else r["error"] for r in whole]


VALUE = st.text(st.sampled_from("0123456789.-NFMSDCTB"), min_size=1, max_size=12)
CODE = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789"), min_size=1, max_size=8)
SUFFIX = st.sampled_from(["Rtd", "Avg", "Min", "Max", "Cou", "Flag", "EFlag", "ZsAvg", "SampleTime"])
ITEMS = st.dictionaries(CODE, st.dictionaries(SUFFIX, VALUE, min_size=1, max_size=5), max_size=120)


@settings(max_examples=100, deadline=None)
@given(ITEMS, st.booleans(), st.sampled_from(["2011", "2051", "2061", "2031"]), st.integers(0, 10**6))
def test_upload_round_trip(items: dict[str, dict[str, str]], wants_ack: bool, cn: str, minutes: int) -> None:
    when = datetime(2020, 1, 1, tzinfo=BEIJING) + timedelta(minutes=minutes)
    logger, platform = Connection(Role.LOGGER), Connection()
    wire = logger.send(Upload(cn, make_qn(when), "21", "123456", MN, when, items, wants_ack))
    platform.receive_data(wire)
    event = platform.next_event()
    assert isinstance(event, DataUpload)
    assert platform.next_event() is NEED_DATA
    assert (event.cn, event.data_time, event.items, event.mn, event.complete) == (cn, when, items, MN, True)
    assert len(event.ack_packets) == (len(event.packets) if wants_ack else 0)
    for packet in event.ack_packets:
        logger.receive_data(platform.send(DataAck.for_packet(packet)))
        ack = logger.next_event()
        assert isinstance(ack, DataAck)
        assert ack.qn == packet.qn


@settings(max_examples=100, deadline=None)
@given(ITEMS)
def test_cli_json_round_trip(items: dict[str, dict[str, str]]) -> None:
    from lianfang.hj212.jsonform import frame_from_json

    frame = Connection(Role.LOGGER).send(
        Upload(
            "2061", "20160801085857223", "21", "123456", MN, datetime(2016, 8, 1, 8, tzinfo=BEIJING), items
        )
    )
    decoded = read_packets(frame)
    assert all(d["ok"] for d in decoded)
    assert b"".join(frame_from_json(d) for d in decoded) == frame
