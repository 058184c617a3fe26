"""``lianfang hj212 decode|encode``: HJ 212 frames to JSON lines and back, for field engineers.

A thin skin over :class:`lianfang.hj212.PacketReader` and
:func:`lianfang.hj212.jsonform.frame_from_json`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import IO, Any

import click

from lianfang.hj212 import CRC_VARIANTS, LocalProtocolError, PacketReader, RemoteProtocolError, Tolerance
from lianfang.hj212.jsonform import error_json, frame_from_json, packet_json

__all__ = ["hj212"]

_CHUNK = 65536


@click.group()
def hj212() -> None:
    """Decode and build HJ 212 packets."""


def _tolerance(
    max_data_len: int,
    lf_only_tail: bool,
    char_count_length: bool,
    encoding: str,
    crc_variant: tuple[str, ...],
) -> Tolerance:
    try:
        return Tolerance(
            max_data_len=max_data_len,
            lf_only_tail=lf_only_tail,
            char_count_length=char_count_length,
            encoding=encoding,
            crc_variants=crc_variant,
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _decoded(stream: IO[bytes], reader: PacketReader) -> Iterator[dict[str, Any]]:
    while True:
        chunk = stream.read1(_CHUNK) if hasattr(stream, "read1") else stream.read(_CHUNK)
        reader.receive_data(chunk)
        while True:
            try:
                packet = reader.next_packet()
            except RemoteProtocolError as exc:
                yield error_json(exc)
                continue
            if packet is None:
                break
            yield packet_json(packet)
        if not chunk:
            return


@hj212.command()
@click.argument("file", type=click.File("rb"), default="-")
@click.option(
    "--max-data-len",
    type=click.IntRange(0, 9999),
    default=1024,
    show_default=True,
    help="Largest accepted data segment [bytes] (the standard: 1024).",
)
@click.option("--lf-only-tail", is_flag=True, help="Accept <LF> without <CR> as the packet tail.")
@click.option("--char-count-length", is_flag=True, help="Accept a length field counting characters.")
@click.option("--encoding", default="utf-8", show_default=True, help="Data segment encoding (e.g. gbk).")
@click.option(
    "--crc-variant",
    type=click.Choice(CRC_VARIANTS),
    multiple=True,
    help="Also accept this non-standard CRC (repeatable).",
)
def decode(
    file: IO[bytes],
    max_data_len: int,
    lf_only_tail: bool,
    char_count_length: bool,
    encoding: str,
    crc_variant: tuple[str, ...],
) -> None:
    """Read a raw HJ 212 byte stream (FILE or stdin) and print one JSON object per frame found.

    Frames are cut by their length field; bytes between frames (log prefixes, noise) are
    skipped. Split packets are printed part by part. A rejected frame prints
    {"ok": false, "error": CODE, "message": ...}.
    """
    tolerance = _tolerance(max_data_len, lf_only_tail, char_count_length, encoding, crc_variant)
    reader = PacketReader(max_data_len=max_data_len, tolerance=tolerance)
    out = sys.stdout
    for obj in _decoded(file, reader):
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        out.flush()


@hj212.command()
@click.argument("packet", required=False)
@click.option(
    "--max-data-len",
    type=click.IntRange(0, 9999),
    default=1024,
    show_default=True,
    help="Refuse data segments longer than this [bytes].",
)
@click.option("--encoding", default="utf-8", show_default=True, help="Data segment encoding.")
def encode(packet: str | None, max_data_len: int, encoding: str) -> None:
    """Build HJ 212 frames from JSON (the shape `decode` prints), computing length and CRC.

    PACKET is one JSON object; without it, stdin is read as one object or one object per line.
    Fields are written in the standard's order QN;ST;CN;PW;MN;Flag;PNUM;PNO;CP. Example:

      lianfang hj212 encode '{"qn": "20160801085857223", "st": "32", "cn": "1062",
      "pw": "100000", "mn": "010000A8900016F000169DC0", "flag": 5, "cp": {"RtdInterval": "30"}}'
    """
    text = packet if packet is not None else sys.stdin.read()
    try:
        objects = _json_objects(text)
        frames = [frame_from_json(o, encoding=encoding, max_data_len=max_data_len) for o in objects]
    except (ValueError, LookupError, LocalProtocolError) as exc:
        raise click.ClickException(f"cannot build a packet: {exc}") from None
    out = sys.stdout.buffer
    for frame in frames:
        out.write(frame)
    out.flush()


def _json_objects(text: str) -> list[Any]:
    stripped = text.strip()
    if not stripped:
        raise ValueError("no JSON given")
    try:
        return [json.loads(stripped)]
    except json.JSONDecodeError:
        pass
    objects = []
    for number, line in enumerate(stripped.splitlines(), start=1):
        if line.strip():
            try:
                objects.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {number}: {exc}") from None
    return objects
