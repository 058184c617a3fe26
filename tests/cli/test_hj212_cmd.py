"""`lianfang hj212 decode|encode`: JSON shapes other tools rely on (issue 2 §3)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from lianfang.cli import main
from lianfang.hj212 import crc16
from lianfang.hj212.encode import encode_frame

MN = "010000A8900016F000169DC0"
HOURLY = encode_frame(
    f"QN=20160801085857223;ST=21;CN=2061;PW=123456;MN={MN};Flag=5;"
    "CP=&&DataTime=20160801080000;w21003-Avg=0.52,w21003-Flag=N;w01001-Avg=7.50,w01001-Flag=N&&"
)
EXPECTED = {
    "ok": True,
    "qn": "20160801085857223",
    "st": "21",
    "cn": "2061",
    "pw": "123456",
    "mn": MN,
    "flag": 5,
    "pnum": None,
    "pno": None,
    "cp": {
        "DataTime": "20160801080000",
        "w21003": {"Avg": "0.52", "Flag": "N"},
        "w01001": {"Avg": "7.50", "Flag": "N"},
    },
}
SPLIT = [
    encode_frame(
        f"QN=2016080108585722{n};ST=21;CN=2061;PW=1;MN={MN};Flag=7;PNUM=2;PNO={n};CP=&&DataTime=1;a{n}-Avg=1&&"
    )
    for n in (1, 2)
]


def lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines()]


def test_decode_stdin_one_object_per_frame_in_order() -> None:
    stream = b"[log] " + HOURLY + HOURLY[:-6] + b"0000\r\n" + SPLIT[0] + b"junk" + SPLIT[1] + HOURLY[:40]
    result = CliRunner().invoke(main, ["hj212", "decode"], input=stream)
    assert result.exit_code == 0, result.output
    out = lines(result.output)
    assert out[0] == EXPECTED
    assert out[1]["ok"] is False
    assert out[1]["error"] == "crc_mismatch"
    assert isinstance(out[1]["message"], str)
    # split parts are printed one per frame, not merged
    assert [(o["pnum"], o["pno"], o["cp"]) for o in out[2:4]] == [
        (2, 1, {"DataTime": "1", "a1": {"Avg": "1"}}),
        (2, 2, {"DataTime": "1", "a2": {"Avg": "1"}}),
    ]
    assert out[4] == {"ok": False, "error": "missing_tail", "message": "stream ended inside a frame"}
    assert len(out) == 5


def test_decode_file_and_tolerance_options(tmp_path: Path) -> None:
    capture = tmp_path / "rx.log"
    capture.write_bytes(HOURLY[:-2] + b"\n" + HOURLY)
    strict = CliRunner().invoke(main, ["hj212", "decode", str(capture)])
    assert [o.get("error", "ok") for o in lines(strict.output)] == ["missing_tail", "ok"]
    tolerant = CliRunner().invoke(main, ["hj212", "decode", "--lf-only-tail", str(capture)])
    assert lines(tolerant.output) == [EXPECTED, EXPECTED]
    bad = CliRunner().invoke(main, ["hj212", "decode", "--encoding", "no-such-codec", str(capture)])
    assert bad.exit_code == 2
    assert "no-such-codec" in bad.output


def test_every_reject_code_reaches_the_output() -> None:
    segment = b"QN=1;ST=32;CN=2011;PW=1;MN=1;Flag=4;CP=&&DataTime=20160801080000&&"
    long_segment = segment.replace(b"DataTime", b"A" * 1000 + b"=1;DataTime")
    stream = (
        encode_frame(segment.decode())[:-6] + b"0000\r\n"  # crc_mismatch
        + b"##0010" + segment + b"0000\r\n"  # length_mismatch
        + b"##00x1\r\n"  # bad_length_field
        + encode_frame(segment.decode())[:-2]  # missing_tail (next frame follows)
        + encode_frame(long_segment.decode())  # length_exceeds_1024
        + b"##0004\xff\xfe\xfd\xfc" + b"%04X" % crc16(b"\xff\xfe\xfd\xfc") + b"\r\n"  # not_utf8
        + encode_frame("QN=1;CN=2011")  # format: no CP
    )  # fmt: skip
    result = CliRunner().invoke(main, ["hj212", "decode"], input=stream)
    errors = [o["error"] for o in lines(result.output)]
    assert errors == [
        "crc_mismatch", "length_mismatch", "bad_length_field", "missing_tail",
        "length_exceeds_1024", "not_utf8", "format",
    ]  # fmt: skip


def test_encode_from_argument_round_trips_decode() -> None:
    result = CliRunner().invoke(main, ["hj212", "encode", json.dumps(EXPECTED)])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == HOURLY


def test_encode_from_stdin_json_lines_with_numbers() -> None:
    packets = [
        {
            "qn": "20160801085857223",
            "st": "32",
            "cn": "1062",
            "pw": "100000",
            "mn": MN,
            "flag": 5,
            "cp": {"RtdInterval": 30},
        },
        {"st": "91", "cn": "9014", "cp": {"QN": "20040516010101001", "CN": "2051"}},
    ]
    result = CliRunner().invoke(main, ["hj212", "encode"], input="\n".join(json.dumps(p) for p in packets))
    assert result.exit_code == 0, result.output
    # the standard's example packet, CRC 1C80 [HJ 212-2017 §6.3]
    assert result.stdout_bytes.startswith(
        b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n"
    )
    assert result.stdout_bytes.endswith(encode_frame("ST=91;CN=9014;CP=&&QN=20040516010101001;CN=2051&&"))


def test_encode_errors_are_one_line() -> None:
    for bad in [
        "{",
        '{"st": "32"}',
        '{"cn": "2011", "cp": {"a": "x;y"}}',
        '{"cn": "2011", "bogus": 1}',
        "[1]",
    ]:
        result = CliRunner().invoke(main, ["hj212", "encode", bad])
        assert result.exit_code == 1, bad
        assert result.output.startswith("Error: cannot build a packet"), result.output
    too_long = json.dumps({"cn": "2011", "cp": {"a": "1" * 1100}})
    assert CliRunner().invoke(main, ["hj212", "encode", too_long]).exit_code == 1
    assert CliRunner().invoke(main, ["hj212", "encode", "--max-data-len", "2000", too_long]).exit_code == 0


def test_decode_as_a_real_subprocess() -> None:
    exe = Path(sys.executable).with_name("lianfang")
    proc = subprocess.run(
        [str(exe), "hj212", "decode"], input=HOURLY + HOURLY, capture_output=True, timeout=60, check=True
    )
    assert lines(proc.stdout.decode()) == [EXPECTED, EXPECTED]
    enc = subprocess.run(
        [str(exe), "hj212", "encode"],
        input=json.dumps(EXPECTED).encode(),
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert enc.stdout == HOURLY
