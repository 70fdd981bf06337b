"""Fixtures of the callback tests."""

from __future__ import annotations

import pytest

from fittrace.tracing.recorder import Recorder


@pytest.fixture
def recording():
    """A full-detail recording, started for the test and stopped after it."""
    r = Recorder("full").start()
    yield r
    r.stop()
