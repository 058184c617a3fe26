"""Readers for the air conformance vectors in tests/vectors/air_* (comment lines start with '#')."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def read_csv(name: str) -> list[dict[str, str]]:
    text = (VECTORS / name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def read_json(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))
