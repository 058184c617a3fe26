"""Turn HJ 212 data uploads into rows of an :class:`~lianfang.model.ObservationBatch`.

This runs once per packet on the event-loop thread, so it appends straight into the batch the
next group commit will write instead of building intermediate ``Observation`` objects.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from lianfang.hj212 import DataUpload
from lianfang.model import DataKind, ObservationBatch

__all__ = ["UPLOAD_KINDS", "VALUE_SUFFIXES", "Translation", "append_upload"]

#: HJ 212-2017 Table 9 upload commands whose values we store, and the resolution they carry.
UPLOAD_KINDS: dict[str, DataKind] = {
    "2011": DataKind.RTD,  # 上传污染物实时数据
    "2051": DataKind.MIN,  # 上传污染物分钟数据
    "2061": DataKind.HOUR,  # 上传污染物小时数据
    "2031": DataKind.DAY,  # 上传污染物日历史数据
}

#: Which CP suffix is "the value", in order of preference. HJ 212-2017 §6.3.3 Table 4: real-time
#: data carry ``-Rtd``; minute/hour/day statistics carry ``-Avg`` (with ``-Min``/``-Max``/``-Cou``).
#: Loggers in the field also send ``-Rtd`` in statistics packets and only ``-Cou`` for totals
#: (e.g. w00000 discharge volume), so those are the fall-backs.
VALUE_SUFFIXES: dict[DataKind, tuple[str, ...]] = {
    DataKind.RTD: ("Rtd", "Avg"),
    DataKind.MIN: ("Avg", "Rtd", "Cou"),
    DataKind.HOUR: ("Avg", "Rtd", "Cou"),
    DataKind.DAY: ("Avg", "Rtd", "Cou"),
}

_DEFAULT_FLAG = "N"  # HJ 212-2017 Table 8: N = instrument normal; absent flag means normal


class Translation(NamedTuple):
    """What one upload contributed: rows appended and values left out (not numbers / no value).

    A NamedTuple, not a frozen dataclass: one is made per packet, and a tuple is several times
    cheaper to build.
    """

    kind: DataKind | None
    stored: int
    not_numeric: int
    no_value: int


def append_upload(batch: ObservationBatch, upload: DataUpload, mn: str, received_at: datetime) -> Translation:
    """Append the values of ``upload`` (station ``mn``) to ``batch``.

    Uploads of commands we do not store (2021 equipment state, 2041 running time …) and uploads
    without a DataTime contribute nothing (``kind`` is None for the former). A value that is not a
    finite number is skipped and counted; the packet's other values are kept.
    """
    kind = UPLOAD_KINDS.get(upload.cn)
    if kind is None or upload.data_time is None:
        return Translation(kind, 0, 0, 0)
    time = upload.data_time  # aware, Beijing (the codec parses DataTime as UTC+8)
    qn = upload.packets[0].qn if upload.packets else None
    first, *others = VALUE_SUFFIXES[kind]
    kind_s = kind.value  # str(kind) would run Enum.__str__ in Python, once per packet
    params: list[str] = []
    values: list[float] = []
    flags: list[str] = []
    add_param, add_value, add_flag = params.append, values.append, flags.append
    not_numeric = no_value = 0
    for code, fields in upload.items.items():
        raw = fields.get(first)  # nearly always there: the loop below is the exception
        if raw is None:
            for suffix in others:
                raw = fields.get(suffix)
                if raw is not None:
                    break
            else:
                no_value += 1  # e.g. a code carrying only -SampleTime or -EFlag
                continue
        try:
            value = float(raw)
        except ValueError:
            not_numeric += 1
            continue
        if value - value != 0.0:  # NaN or ±inf: float() accepts "nan"/"inf"; loggers mean "no value"
            not_numeric += 1
            continue
        add_param(code)
        add_value(value)
        add_flag(fields.get("Flag") or _DEFAULT_FLAG)
    n = len(params)
    if n:  # whole columns at once: this runs for every packet
        batch.mn += [mn] * n
        batch.param += params
        batch.kind += [kind_s] * n
        batch.time += [time] * n
        batch.value += values
        batch.flag += flags
        batch.qn += [qn] * n
        batch.received_at += [received_at] * n
    return Translation(kind, n, not_numeric, no_value)
