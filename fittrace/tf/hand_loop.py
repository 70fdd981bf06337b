"""The steps of a hand-written training loop, as a trace groups them.

fit's trace has one "step" span per ``train_function`` call; a hand-written loop has no ``fit`` to open them, so
``fittrace.tf`` opens them itself, and this module says where one begins and ends:

* **with a ``tf.function``**: a step is one call of the decorated function (the usual ``train_step(x, y)``). Its
  span holds the "function_call" span, the trace or retrace decision, and everything the body records: the
  forward pass, the loss, the tape, the gradients, the optimizer's update, the metric updates.
* **without one**: a step is one ``GradientTape``: it opens when the tape's ``with`` block opens and stays open
  over what follows (``tape.gradient``, ``apply_gradients``, metric updates) until the next tape opens, or the
  recording ends. Mixing such a loop with ``fit`` in one trace nests the fit in the last step: give the loop a
  ``tf.function`` for that.

A function called inside a step (a helper ``tf.function`` inside another, or any inside fit's own step) opens no
step of its own. Steps are numbered per function (per the tape, without one) from 0 in each recording, with
phase "custom"; fit's are phase "train". Nothing here computes anything the loop uses.

Mirrors nothing in tf-keras (a hand-written loop is the user's own code). Left out: epochs (a hand-written
loop's epochs are plain Python ``for`` loops, which nothing can see).
"""

from __future__ import annotations

import time
from typing import Any

from fittrace.engine import functions
from fittrace.tracing import recorder as rec

KERAS_FUNCTION = "tensorflow.python.eager.polymorphic_function.polymorphic_function.Function"

_counts: dict[tuple[int, str], int] = {}  # steps opened so far, by (recording, function)
_tape_step: list[
    Any
] = []  # the open step of a loop without a tf.function: [span, tape, t0] or empty
last_tape: list[Any] = [
    None
]  # the tape that computed gradients last (the step's figures read its norms)


def _next_index(recording: Any, function: str) -> int:
    key = (id(recording), function)
    n = _counts.get(key, 0)
    _counts[key] = n + 1
    return n


def open_step(function: str, rows: int | None) -> Any:
    """Open a step span for a call of ``function`` (None when nothing records, or a step is open already)."""
    recording = rec.active()
    if recording is None or rec.innermost_step() is not None:
        return None
    n = _next_index(recording, function)
    span = rec.span(
        "step",
        f"step {n}",
        keras=KERAS_FUNCTION + ".__call__",
        data={"step": n, "phase": "custom", "function": function, "last": False, "size": rows},
    )
    span.__enter__()
    functions.enter_hand_loop_step(span)
    last_tape[0] = None
    return span


def close_step(span: Any, t0: int, result: Any, exc: BaseException | None = None) -> None:
    """Close a step span with the step's figures: its time, the loss it returned, the last tape's norms."""
    functions.leave_hand_loop_step(span)
    if span is None:
        return
    if rec.is_open(span):
        if exc is None:
            span.set(**figures(result, time.perf_counter_ns() - t0))
        span.__exit__(None if exc is None else type(exc), exc, None)


def figures(result: Any, elapsed_ns: int) -> dict[str, Any]:
    """A hand-written step's figures, as fit's step keeps them: ``logs`` (the loss the function returned, when
    it is one number), the gradient norms of the last tape, the time."""
    loss = _one_number(result)
    tape = last_tape[0]
    norms = dict(getattr(tape, "gradient_norms", None) or {})
    return {
        "logs": {} if loss is None else {"loss": loss},
        "loss": loss,
        "grad_norms": norms,
        "grad_norm": getattr(tape, "gradient_norm", None) if norms else None,
        "time_ns": elapsed_ns,
    }


def _one_number(result: Any) -> float | None:
    value = getattr(result, "value", result)
    if isinstance(value, (bool, str, bytes)) or getattr(value, "size", 1) != 1:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def tape_opens(tape: Any) -> None:
    """A GradientTape's ``with`` block opens: outside any step, it ends the loop's open tape step and opens the
    next; inside a step (a tf.function's, fit's, or a tape step whose tape still records) nothing changes."""
    if _tape_step:
        span, open_tape, t0 = _tape_step
        if getattr(open_tape, "_recording", False):
            return
        end_tape_step()
    if rec.active() is None or rec.innermost_step() is not None:
        return
    span = open_step("GradientTape", None)
    if span is not None:
        _tape_step[:] = [span, tape, time.perf_counter_ns()]


def end_tape_step() -> None:
    """Close the open step of a loop without a tf.function (if it is still open in the recording)."""
    if not _tape_step:
        return
    span, _, t0 = _tape_step
    _tape_step.clear()
    close_step(span, t0, None)
