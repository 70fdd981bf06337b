"""What the engine's trace events carry: ``fittrace/engine/trace_payloads.py``."""

from __future__ import annotations

import numpy as np

from fittrace.engine.trace_payloads import dtype_name


def test_dtype_name_is_numpys_name_and_takes_any_dtype_like():
    class Unhashable:
        __hash__ = None

        def __str__(self) -> str:
            return "custom"

    for dt in (
        np.dtype("float32"),
        np.dtype("int64"),
        np.dtype("float32"),
        np.dtype([("a", "f4")]),
        "uint8",
    ):
        assert dtype_name(dt) == str(dt)
    assert dtype_name(Unhashable()) == "custom"
