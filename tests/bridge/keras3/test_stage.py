"""fittrace/bridge/keras3/stage.py: Keras's call runs once inside the span, its result or exception passes
through, and fittrace's own failure is noted, never raised."""

from __future__ import annotations

import pytest

import fittrace
from fittrace.bridge.hooks import Hooks
from fittrace.bridge.keras3.stage import enter, leave, within
from fittrace.tracing import recorder as rec


def test_the_call_runs_once_in_its_span_and_its_result_passes_through():
    hooks, calls = Hooks(), []

    def keras_function(a, b=0):
        calls.append((a, b))
        return a + b

    with fittrace.trace() as run:
        result = within(
            hooks,
            "f",
            lambda: rec.span("train_step", "f", data={}),
            keras_function,
            1,
            b=2,
            after=lambda span, out: span.set(size=out),
        )
    assert result == 3 and calls == [(1, 2)]
    (span,) = [e for e in run.events if e.kind == "train_step"]
    assert span.data["size"] == 3 and span.dur is not None


def test_an_exception_closes_the_span_with_it_and_passes_through():
    hooks = Hooks()

    def failing():
        raise KeyError("k")

    with fittrace.trace() as run:
        with pytest.raises(KeyError):
            within(hooks, "f", lambda: rec.span("train_step", "f", data={}), failing)
    (span,) = [e for e in run.events if e.kind == "train_step"]
    assert span.data["error"] == "KeyError"
    assert [e.data["type"] for e in run.events if e.kind == "error"] == ["KeyError"]


def test_fittraces_own_failure_is_noted_and_keras_still_runs():
    hooks, calls = Hooks(), []

    def broken_span():
        raise RuntimeError("fittrace's bug")

    with fittrace.trace():
        assert within(hooks, "label", broken_span, lambda: calls.append(1) or "ok") == "ok"
    assert calls == [1] and hooks.failed["label"].startswith("RuntimeError")


def test_a_span_left_open_is_closed_once_and_not_after_the_recording():
    hooks = Hooks()
    with fittrace.trace() as run:
        span = enter(hooks, "epoch", lambda: rec.span("epoch", "epoch 0", data={"epoch": 0}))
        leave(hooks, "epoch", span)
        leave(hooks, "epoch", span)  # already closed: nothing
        late = enter(hooks, "epoch", lambda: rec.span("epoch", "epoch 1", data={"epoch": 1}))
    leave(hooks, "epoch", late)  # the recording ended and closed it
    assert [e.data["epoch"] for e in run.events if e.kind == "epoch"] == [0, 1]
    assert hooks.failed == {}
