"""Keras 3's symbolic build failing before the loop, explained with the fix Keras users are given. The traces are
made with the recorder API the Keras 3 bridge uses (the real runs are in tests/bridge/keras3/test_building.py)."""

from __future__ import annotations

import pytest

import fittrace
from fittrace.tracing import recorder as rec

X = {"type": "ndarray", "shape": [50, 4], "dtype": "float32"}


def _run(inner: Exception, outer: Exception | None, in_build: bool = True):
    """A fit whose symbolic build (or, with ``in_build=False``, whose loop) raises ``inner``; Keras wraps it in
    ``outer`` when given."""
    with fittrace.trace() as run:
        with pytest.raises(type(outer or inner)):
            with rec.span("fit", "Model.fit", data={"x": X, "batch_size": 16, "epochs": 1}):
                if not in_build:
                    raise inner
                with rec.span(
                    "symbolic_build",
                    "Trainer._symbolic_build",
                    data={"model": "peeky", "unbuilt_layers": ["dense"]},
                ):
                    try:
                        with rec.span(
                            "layer_build",
                            "Peeky.build",
                            layer="peeky",
                            data={"input_shape": [16, 4]},
                        ):
                            raise inner
                    except Exception:
                        rec.emit(
                            "warning",
                            "Trainer._symbolic_build",
                            data={
                                "message": "failed",
                                "model": "peeky",
                                "model_class": "Peeky",
                                "unbuilt_layers": ["dense"],
                            },
                        )
                        if outer is None:
                            raise
                        raise outer from None
    return run


def test_a_wrapped_failure_is_one_failure_in_keras_words_with_the_fix():
    wrapped = RuntimeError("Unable to automatically build the model. Please build it yourself ...")
    d = _run(TypeError("float() argument must be a real number"), wrapped).why_rebuilt()
    assert [f.error_type for f in d.failures] == [
        "RuntimeError"
    ]  # the inner TypeError is not counted again
    f = d.failures[0]
    assert (
        "keras.Input(shape=(4,))" in f.fix
        and "model.build((None, 4))" in f.fix
        and "model(x[:1])" in f.fix
    )
    assert "keras.ops" in f.fix
    assert (
        "peeky" in f.cause
        and "Peeky" in f.cause
        and "dense" in f.cause
        and "call() failed" in f.cause
    )
    assert f.origin == "Trainer._symbolic_build in Model.fit"


def test_a_value_error_passed_through_is_said_to_come_from_the_model():
    d = _run(ValueError("Input 0 of layer dense is incompatible"), None).why_rebuilt()
    (f,) = d.failures
    assert f.error_type == "ValueError" and "ValueError from the model itself" in f.cause


def test_an_error_outside_the_symbolic_build_is_not_explained_as_one():
    d = _run(ValueError("bad data"), None, in_build=False).why_rebuilt()
    assert all("symbolic" not in f.dimension for f in d.failures)
