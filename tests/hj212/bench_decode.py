"""Decode throughput of a typical hourly water upload (9 parameters): ``python tests/hj212/bench_decode.py``.

Not collected by pytest (timing is not a test on a shared machine). Uses CPU time of this process,
so other load on the machine distorts it less than wall time.
"""

from __future__ import annotations

import time
from datetime import datetime

from lianfang.hj212 import BEIJING, NEED_DATA, Connection, Role, Upload, crc16

PARAMS = ("w01001", "w01009", "w01010", "w01014", "w01003", "w21011", "w21001", "w21003", "w01019")


def hourly_packet(hour: int) -> bytes:
    items = {code: {"Avg": f"{i * 1.37 + hour / 10:.3f}", "Flag": "N"} for i, code in enumerate(PARAMS)}
    upload = Upload(
        "2061",
        f"2024060{1 + hour // 24}{hour % 24:02d}0000000",
        "21",
        "123456",
        "010000A8900016F000169DC0",
        datetime(2024, 6, 1 + hour // 24, hour % 24, tzinfo=BEIJING),
        items,
    )
    return Connection(Role.LOGGER).send(upload)


def main() -> None:
    packets = [hourly_packet(h) for h in range(48)]
    stream = b"".join(packets) * 500
    count = 48 * 500
    print(f"packet size {len(packets[0])} bytes, {count} packets")
    for _ in range(3):
        conn = Connection()
        t0 = time.process_time()
        conn.receive_data(stream)
        n = 0
        while conn.next_event() is not NEED_DATA:
            n += 1
        elapsed = time.process_time() - t0
        assert n == count
        print(f"decode (bulk stream): {n / elapsed:,.0f} packets/s")
    for _ in range(2):
        conn = Connection()
        t0 = time.process_time()
        for packet in packets * 100:
            conn.receive_data(packet)
            conn.next_event()
        elapsed = time.process_time() - t0
        print(f"decode (one read per packet): {4800 / elapsed:,.0f} packets/s")
    data = packets[0][6:-6]
    t0 = time.process_time()
    for _ in range(20000):
        crc16(data)
    print(f"crc16 over {len(data)} bytes: {(time.process_time() - t0) / 20000 * 1e6:.1f} µs")


if __name__ == "__main__":
    main()
