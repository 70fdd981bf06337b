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


def test_a_model_with_a_graph_carries_it_and_its_nested_graphs_into_the_header():
    import fittrace.keras as keras
    from fittrace.engine.trace_payloads import describe_model
    from fittrace.keras import layers

    keras.backend.clear_session()
    inner_in = keras.Input(shape=(4,), name="inner_in")
    inner = keras.Model(inner_in, layers.Dense(2, name="inner_dense")(inner_in), name="inner")
    x = keras.Input(shape=(3,), name="x")
    outer = keras.Model(x, inner(layers.Dense(4, name="d")(x)), name="outer")
    described = describe_model(outer)
    assert [g["model"] for g in described["graphs"]] == ["outer", "inner"]
    depths = described["graphs"][0]["nodes_by_depth"]
    assert [[n["layer"] for n in d] for d in depths] == [["x"], ["d"], ["inner"]]
    assert depths[2][0]["inbound"] == ["d[0][0]"] and depths[2][0]["output_shapes"] == [[None, 2]]
    unbuilt = keras.Sequential([layers.Dense(2)])
    assert "graphs" not in describe_model(unbuilt)  # no graph yet: nothing to carry


def test_the_legacy_fallback_warning_names_the_model_the_shape_the_error_and_the_layer():
    from fittrace.engine.trace_payloads import legacy_deferred

    data = legacy_deferred("seq", (None, 5), ValueError("needs 8"), "odd")
    assert (
        data["model"],
        data["shape"],
        data["error_type"],
        data["error"],
        data["failed_layer"],
    ) == (
        "seq",
        [None, 5],
        "ValueError",
        "needs 8",
        "odd",
    )
    assert "(None, 5)" in data["message"] and "one by one" in data["message"]


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
