"""Payload helpers: what the engine hands the recorder becomes plain JSON values, and callables are computed only
when asked."""

from __future__ import annotations

import json
import math

import numpy as np

from fittrace.tracing.payloads import finite_logs, jsonable, materialize, payload_get


def test_jsonable_turns_numpy_tuples_and_non_finite_floats_into_json_values():
    value = {
        "loss": np.float32(0.5),
        "shape": (128, 784),
        "nan": float("nan"),
        "inf": -math.inf,
        3: "key",
        "nested": {"a": [np.int64(2), (1.5, np.float64("nan"))], "arr": np.arange(3)},
        "ok": True,
        "none": None,
    }
    out = jsonable(value)
    assert out == {
        "loss": 0.5,
        "shape": [128, 784],
        "nan": "nan",
        "inf": "-inf",
        "3": "key",
        "nested": {"a": [2, [1.5, "nan"]], "arr": [0, 1, 2]},
        "ok": True,
        "none": None,
    }
    assert type(out["loss"]) is float and type(out["nested"]["a"][0]) is int
    json.dumps(out, allow_nan=False)  # nothing a strict encoder would refuse is left


def test_jsonable_of_plain_values_and_unknown_objects():
    assert (
        jsonable(3) == 3
        and jsonable("s") == "s"
        and jsonable(None) is None
        and jsonable(2.5) == 2.5
    )
    assert jsonable(float("inf")) == "inf"
    assert jsonable(np.float32(2.0)) == 2.0 and jsonable(np.bool_(True)) is True
    assert jsonable(object) == str(object)  # anything else is described, not refused


def test_jsonable_copies_instead_of_changing_the_payload():
    payload = {"x": float("nan"), "shape": (1, 2)}
    jsonable(payload)
    assert math.isnan(payload["x"]) and payload["shape"] == (1, 2)


def test_materialize_calls_callable_payloads_and_values():
    calls = []

    def stats():
        calls.append(1)
        return {"mean": 0.5}

    assert materialize(None) == {}
    assert materialize(stats) == {"mean": 0.5}
    assert materialize({"a": 1, "s": lambda: 2}) == {"a": 1, "s": 2}
    plain = {"a": 1}
    assert materialize(plain) is plain  # nothing to compute: no copy
    assert len(calls) == 1


def test_payload_get_does_not_compute_a_callable_payload():
    assert payload_get({"step": 3}, "step", None) == 3
    assert payload_get(None, "step", 7) == 7
    assert payload_get(lambda: 1 / 0, "step", 7) == 7


def test_finite_logs():
    assert finite_logs({"loss": 0.1, "acc": 1.0}) and finite_logs(None)
    assert not finite_logs({"loss": float("nan")}) and not finite_logs({"loss": math.inf})
