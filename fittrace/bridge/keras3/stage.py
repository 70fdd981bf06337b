"""A stage of Keras's run as a span, opened and closed by fittrace's guarded code around Keras's own call.

A hook wraps Keras's function as ``return within(hooks, label, open_span, original, *args, **kwargs)``: the span
opens (if the recording is on and opening works), the original runs exactly once with the same arguments, its
result or exception passes through, and the span closes with that outcome (an exception becomes the trace's
``error`` event). A failure in fittrace's own part is noted in :attr:`Hooks.failed` and the run goes on.

Spans that Keras opens in one call and closes in another (an epoch: ``on_epoch_begin`` ... ``on_epoch_end``) use
:func:`enter` and :func:`leave`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fittrace.bridge.hooks import Hooks
from fittrace.tracing import recorder as rec


def enter(hooks: Hooks, label: str, open_span: Callable[[], Any]) -> Any:
    """``open_span()`` (a ``rec.span(...)``) entered, or None when it fails."""
    span = hooks.guard(label, open_span)
    if span is None:
        return None
    return hooks.guard(label, span.__enter__)


def leave(hooks: Hooks, label: str, span: Any, exc: BaseException | None = None) -> None:
    """Close ``span`` (from :func:`enter`) if it is still open in the recording, with ``exc`` if one ended it."""
    if span is None or not hooks.guard(label, rec.is_open, span):
        return
    if exc is None:
        hooks.guard(label, span.__exit__, None, None, None)
    else:
        hooks.guard(label, span.__exit__, type(exc), exc, exc.__traceback__)


def within(
    hooks: Hooks,
    label: str,
    open_span: Callable[[], Any],
    original: Callable[..., Any],
    *args: Any,
    after: Callable[[Any, Any], None] | None = None,
    **kwargs: Any,
) -> Any:
    """Run ``original(*args, **kwargs)`` inside the span ``open_span()`` makes; ``after(span, result)`` may add
    what the result says to the span's payload before it closes."""
    span = enter(hooks, label, open_span)
    try:
        result = original(*args, **kwargs)
    except BaseException as exc:
        leave(hooks, label, span, exc)
        raise
    if span is not None and after is not None:
        hooks.guard(label, after, span, result)
    leave(hooks, label, span)
    return result
