"""The generated store (tests/reports/fixture_store.py), built once per session: tests only read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reports.fixture_store import shared_store


@pytest.fixture
def generated_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_store(tmp_path_factory)
