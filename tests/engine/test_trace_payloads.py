"""What the engine's trace events carry: ``fittrace/engine/trace_payloads.py``."""

from __future__ import annotations

import json

import numpy as np

from fittrace.engine import trace_payloads
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


def test_nested_data_is_described_leaf_by_leaf_and_a_batch_counts_its_first_inputs_rows():
    x = {"a": np.zeros((6, 2), "float32"), "b": [np.zeros((6, 1), "int64")]}
    described = trace_payloads.describe_data(x)
    assert described == {
        "type": "dict",
        "keys": {
            "a": {"type": "ndarray", "shape": [6, 2], "dtype": "float32"},
            "b": {
                "type": "list",
                "items": [{"type": "ndarray", "shape": [6, 1], "dtype": "int64"}],
            },
        },
    }
    assert json.loads(json.dumps(described)) == described
    assert trace_payloads.batch_rows(((np.zeros((5, 1)), np.zeros((5, 2))), [np.zeros(5)])) == 5
    assert trace_payloads.batch_rows((x, {"out": np.zeros(6)})) == 6
