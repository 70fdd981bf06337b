"""Keras 2's text progress bar, character for character.

Mirrors ``Progbar`` in ``keras.utils.generic_utils`` (tf_keras/src/utils/generic_utils.py); it prints
with ``print_msg`` of ``io_utils.py``, as Keras does. At verbose=1 the bar is redrawn in place (at
most every ``interval`` seconds, and always at the end)::

    469/469 [==============================] - 3s 6ms/step - loss: 0.2570 - accuracy: 0.9256

At verbose=2 one line is printed at the end of each epoch::

    469/469 - 1s - loss: 2.3361 - accuracy: 0.0999 - 1s/epoch - 3ms/step

Metrics named in ``stateful_metrics`` (``fit`` passes the model's own, which are already running means) are shown
as given; any other value is averaged by the bar, weighted by the steps since the previous update.

``to_snake_case`` names things as Keras does. The module also holds ``func_dump`` and ``func_load``, as
tf-keras's does: a Python function as its marshalled bytecode (base64 text, with its defaults and closure values)
and back, what a Lambda layer's config keeps. ``func_load`` builds a function from that bytecode, so only a loader
that has been told the file is trusted may call it (``safe_mode=False``).

Left out: absl logging when interactive logging is off (everything goes to ``sys.stdout``).
``_now`` is the clock; tests replace it to get exact timings.

    >>> _format_time(0.006, "step"), _format_time(2.4, "epoch"), _format_eta(75)
    (' 6ms/step', ' 2s/epoch', '1:15')
"""

from __future__ import annotations

import binascii
import codecs
import marshal
import math
import os
import re
import sys
import time
import types
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from fittrace.utils.io_utils import print_msg

_now: Callable[[], float] = time.time

KERAS_PROGBAR_UPDATE = "keras.utils.generic_utils.Progbar.update"


def to_snake_case(name: str) -> str:
    """``BatchNormalization`` -> ``batch_normalization``, as Keras names layers (a leading ``_`` gets ``private``)."""
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    s = re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()
    return "private" + s if s.startswith("_") else s


def _is_dynamic_display() -> bool:
    """Keras redraws in place on a terminal, in Jupyter, in PyCharm, and on any POSIX system.

    The POSIX clause is always true on Linux and macOS, which is why a log redirected to a file is full of
    backspaces and carriage returns there.
    """
    return (
        (hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
        or "ipykernel" in sys.modules
        or "posix" in sys.modules
        or "PYCHARM_HOSTED" in os.environ
    )


def _format_time(seconds: float, unit_name: str) -> str:
    """A duration per unit: `` 3s/step``, `` 6ms/step`` or `` 12us/step``."""
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit_name}"
    return f" {seconds * 1e6:.0f}us/{unit_name}"


def _format_eta(eta: float) -> str:
    """The time left: ``42s``, ``1:15`` above a minute, ``1:02:03`` above an hour."""
    if eta > 3600:
        return "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
    if eta > 60:
        return "%d:%02d" % (eta // 60, eta % 60)
    return "%ds" % eta


def _format_value(avg: float, use_abs: bool) -> str:
    """Four decimals, or scientific notation for small values (verbose=2 compares ``avg`` without ``abs``)."""
    big = abs(avg) > 1e-3 if use_abs else avg > 1e-3
    return f" {avg:.4f}" if big else f" {avg:.4e}"


def _count(current: int, target: int) -> str:
    """``  1/469``: the count right-aligned to the width of the target."""
    digits = int(math.log10(target)) + 1 if target > 0 else 1
    return ("%" + str(digits) + "d/%d") % (current, target)


def _clean(text: str) -> str:
    """The text a reader sees: no backspaces, carriage returns, newlines or trailing padding."""
    return text.replace("\b", "").replace("\r", "").replace("\n", "").rstrip()


class Progbar:
    """A progress bar for ``target`` units (``None`` when the count is unknown).

    ``update(current, values)`` records the values reached at unit ``current`` and redraws when due; it returns the
    line it printed, cleaned of control characters (None if it printed nothing). Keras's returns None; the line is
    what ``ProgbarLogger`` reports in its trace events.

        >>> bar = Progbar(2, verbose=2)
        >>> _ = bar.update(1, [("loss", 0.5)])
        >>> _ = bar.update(2, [("loss", 0.25)])     # the average of 0.5 and 0.25, over 2 steps
        2/2 - 0s - loss: 0.3750 - ...s/epoch - ...s/step
    """

    def __init__(
        self,
        target: int | None,
        width: int = 30,
        verbose: int = 1,
        interval: float = 0.05,
        stateful_metrics: Iterable[str] | None = None,
        unit_name: str = "step",
    ) -> None:
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()
        self._dynamic_display = _is_dynamic_display()
        self._total_width = 0
        self._seen_so_far = 0
        self._values: dict[str, list[Any]] = {}  # name -> [weighted sum, weight]
        self._values_order: list[str] = []
        self._start = _now()
        self._last_update = 0.0
        self._time_at_epoch_start = self._start
        self._time_at_epoch_end: float | None = None
        self._time_after_first_step: float | None = None

    def update(
        self,
        current: int,
        values: Iterable[tuple[str, Any]] | None = None,
        finalize: bool | None = None,
    ) -> str | None:
        """Record ``values`` at unit ``current``; draw if due. ``finalize`` defaults to ``current >= target``."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        self._accumulate(current, values)
        now = _now()
        if current == self.target:
            self._time_at_epoch_end = now
        line = None
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return None  # too soon to redraw; the values are still recorded
            line = self._draw_live(current, now, finalize)
        elif self.verbose == 2 and finalize:
            line = self._draw_epoch_line(current, now)
        self._last_update = now
        return line

    def add(self, n: int, values: Iterable[tuple[str, Any]] | None = None) -> str | None:
        """Advance by ``n`` units."""
        return self.update(self._seen_so_far + n, values)

    def _update_stateful_metrics(self, stateful_metrics: Iterable[str]) -> None:
        self.stateful_metrics = self.stateful_metrics.union(stateful_metrics)

    # --- values --------------------------------------------------------------------------------------------------
    def _accumulate(self, current: int, values: Iterable[tuple[str, Any]] | None) -> None:
        for k, v in values or ():
            if k not in self._values_order:
                self._values_order.append(k)
            if k in self.stateful_metrics:
                self._values[k] = [v, 1]
                continue
            # Weighted by the units since the last update; at least 1, so that a repeated ``current`` (the
            # finalize call of an epoch whose length was unknown) still counts.
            weight = max(current - self._seen_so_far, 1)
            if k in self._values:
                self._values[k][0] += v * weight
                self._values[k][1] += weight
            else:
                self._values[k] = [v * weight, weight]
        self._seen_so_far = current

    def _metrics_text(self, use_abs: bool) -> str:
        text = ""
        for k in self._values_order:
            total, weight = self._values[k]
            avg = float(np.mean(total / max(1, weight)))
            text += f" - {k}:" + _format_value(avg, use_abs)
        return text

    # --- verbose=1 -----------------------------------------------------------------------------------------------
    def _draw_live(self, current: int, now: float, finalize: bool) -> str:
        prev_width = self._total_width
        message = "\b" * prev_width + "\r" if self._dynamic_display else "\n"
        bar = self._bar(current)
        per_unit = self._estimate_step_duration(current, now)
        if self.target is None or finalize:
            info = f" - {now - self._start:.0f}s" + _format_time(per_unit, self.unit_name)
        else:
            info = " - ETA: " + _format_eta(per_unit * (self.target - current))
        info += self._metrics_text(use_abs=True)
        self._total_width = len(bar) + len(info)
        if prev_width > self._total_width:
            info += " " * (
                prev_width - self._total_width
            )  # blank out the rest of a longer previous line
        if finalize:
            info += "\n"
        print_msg(message + bar + info, line_break=False)
        return _clean(bar + info)

    def _bar(self, current: int) -> str:
        if self.target is None:
            return "%7d/Unknown" % current
        bar = _count(current, self.target) + " ["
        filled = int(self.width * (current / self.target)) if self.target else self.width
        if filled > 0:
            bar += "=" * (filled - 1) + (">" if current < self.target else "=")
        return bar + "." * (self.width - filled) + "]"

    def _estimate_step_duration(self, current: int, now: float) -> float:
        """Seconds per unit. Once past the first unit, the first is left out: it holds one-off work (tracing,
        building the weights) and would skew the estimate."""
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_unit

    # --- verbose=2 -----------------------------------------------------------------------------------------------
    def _draw_epoch_line(self, current: int, now: float) -> str:
        target = self.target if self.target is not None else current
        info = (
            _count(current, target)
            + f" - {now - self._start:.0f}s"
            + self._metrics_text(use_abs=False)
        )
        if self._time_at_epoch_end:
            # Unlike verbose=1, the time per unit here is the plain average: the first step is included.
            epoch_time = self._time_at_epoch_end - self._time_at_epoch_start
            self._time_at_epoch_start = now
            self._time_at_epoch_end = None
            info += " -" + _format_time(epoch_time, "epoch")
            info += " -" + _format_time(epoch_time / target, self.unit_name) + "\n"
        print_msg(info, line_break=False)
        return _clean(info)


# --- functions as text (Lambda layers' configs) -------------------------------------------------------------------
def func_dump(func: types.FunctionType) -> tuple[str, tuple | None, tuple | None]:
    """``(code, defaults, closure)``: the function's bytecode marshalled and base64-encoded, its default values,
    and the values its closure cells hold, as Keras's ``func_dump`` writes them.

        >>> code, defaults, closure = func_dump(lambda x, k=2: x * k)
        >>> type(code).__name__, defaults, closure
        ('str', (2,), None)
    """
    raw_code = marshal.dumps(func.__code__)
    if os.name == "nt":  # as Keras: backslashes in the bytes become slashes on Windows
        raw_code = raw_code.replace(b"\\", b"/")
    code = codecs.encode(raw_code, "base64").decode("ascii")
    closure = tuple(c.cell_contents for c in func.__closure__) if func.__closure__ else None
    return code, func.__defaults__, closure


def _cell(value: Any) -> Any:
    """A closure cell holding ``value`` (``value`` itself if it already is one)."""
    if isinstance(value, types.CellType):
        return value
    return types.CellType(value)


def func_load(
    code: Any, defaults: Any = None, closure: Any = None, globs: dict[str, Any] | None = None
) -> types.FunctionType:
    """The function ``func_dump`` wrote (``code`` may be the whole ``[code, defaults, closure]``), with ``globs``
    as its globals. This runs no code yet, but calling the result runs the file's bytecode: callers check
    that the file is trusted first.

        >>> double = func_load(func_dump(lambda x: x * 2))
        >>> double(21)
        42
    """
    if isinstance(code, (tuple, list)):
        code, defaults, closure = code
        if isinstance(defaults, list):
            defaults = tuple(defaults)
    if closure is not None:
        closure = tuple(_cell(value) for value in closure)
    try:
        raw_code = codecs.decode(code.encode("ascii"), "base64")
    except (UnicodeEncodeError, binascii.Error):
        raw_code = code.encode("raw_unicode_escape")
    try:
        code_obj = marshal.loads(raw_code)
    except (EOFError, ValueError, TypeError) as exc:
        raise ValueError(
            "Could not read the function's bytecode: it was not written by func_dump under this Python "
            f"version ({sys.version_info.major}.{sys.version_info.minor}). {exc}"
        ) from exc
    if not isinstance(code_obj, types.CodeType):
        raise ValueError(f"The bytecode holds a {type(code_obj).__name__}, not a function's code.")
    return types.FunctionType(
        code_obj,
        globals() if globs is None else globs,
        name=code_obj.co_name,
        argdefs=defaults,
        closure=closure,
    )
