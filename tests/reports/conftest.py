"""The generated store (tests/reports/fixture_store.py), built once per session: tests only read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reports.fixture_store import build_store


@pytest.fixture(scope="session")
def generated_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("generated") / "data"
    data.mkdir()
    build_store(data)
    return data
