"""Keras 2's text progress bar.

Mirrors ``Progbar`` in ``keras.utils.generic_utils`` (tf_keras/src/utils/generic_utils.py), character for
character: ``469/469 [==============================] - 3s 6ms/step - loss: 0.2570 - accuracy: 0.9256`` at
verbose=1 (redrawn in place at most every 0.05 s), and one line per epoch at verbose=2. Stateful metrics (the
model's own, already running means) are shown as they are; others are averaged by the bar.

``now`` is the clock; tests replace it to get exact timings.
"""
from __future__ import annotations

import math
import sys
import time
from typing import Any, Callable, Iterable

now: Callable[[], float] = time.time


def _dynamic_display() -> bool:
    """Keras redraws in place on a terminal, in Jupyter, and on any POSIX system."""
    return ((hasattr(sys.stdout, "isatty") and sys.stdout.isatty()) or "ipykernel" in sys.modules
            or "posix" in sys.modules or "PYCHARM_HOSTED" in __import__("os").environ)


def format_time(seconds: float, unit: str = "step") -> str:
    """`` 3s/step``, `` 6ms/step``, `` 12us/step`` as Keras's ``_format_time``."""
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit}"
    return f" {seconds * 1e6:.0f}us/{unit}"


def format_eta(eta: float) -> str:
    if eta > 3600:
        return "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
    if eta > 60:
        return "%d:%02d" % (eta // 60, eta % 60)
    return "%ds" % eta


class Progbar:
    """A progress bar for ``target`` units (None = unknown)."""

    def __init__(self, target: int | None, width: int = 30, verbose: int = 1, interval: float = 0.05,
                 stateful_metrics: Iterable[str] | None = None, unit_name: str = "step",
                 write: Callable[[str], None] | None = None) -> None:
        self.target, self.width, self.verbose, self.interval = target, width, verbose, interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics or ())
        self._write = write or _write_stdout
        self._dynamic = _dynamic_display()
        self._total_width = 0
        self._seen_so_far = 0
        self._values: dict[str, list[float]] = {}
        self._values_order: list[str] = []
        self._start = now()
        self._last_update = 0.0
        self._time_at_epoch_start = self._start
        self._time_after_first_step: float | None = None
        self.lines: list[str] = []          # every line drawn, without control characters (for trace events)

    def update(self, current: int, values: Iterable[tuple[str, Any]] | None = None, finalize: bool | None = None
               ) -> str | None:
        """Record ``values`` at unit ``current`` and redraw if due; returns the line drawn (or None)."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for k, v in values or []:
            if k not in self._values_order:
                self._values_order.append(k)
            if k not in self.stateful_metrics:
                weight = max(current - self._seen_so_far, 1)
                if k not in self._values:
                    self._values[k] = [v * weight, weight]
                else:
                    self._values[k][0] += v * weight
                    self._values[k][1] += weight
            else:
                self._values[k] = [v, 1]
        self._seen_so_far = current
        t = now()
        message = ""
        line = None
        if self.verbose == 1:
            if t - self._last_update < self.interval and not finalize:
                return None
            prev_width = self._total_width
            message += "\b" * prev_width + "\r" if self._dynamic else "\n"
            line = self._bar(current) + self._timing(current, t, finalize) + self._metrics(abs_check=True)
            self._total_width = len(line)
            if prev_width > self._total_width:
                line += " " * (prev_width - self._total_width)
            message += line
            if finalize:
                message += "\n"
            self._write(message)
        elif self.verbose == 2 and finalize:
            numdigits = int(math.log10(self.target)) + 1 if self.target else 1
            count = ("%" + str(numdigits) + "d/%d") % (current, self.target)
            elapsed = t - self._start
            line = f"{count} - {elapsed:.0f}s" + self._metrics(abs_check=False)
            time_per_unit = self._time_per_unit(current, t)
            epoch_time = t - self._time_at_epoch_start
            line += " -" + format_time(epoch_time, "epoch")
            line += " -" + format_time(epoch_time / max(self.target or current or 1, 1), self.unit_name)
            self._write(line + "\n")
            del time_per_unit
        self._last_update = t
        if line is not None:
            self.lines.append(line.rstrip())
        return line.rstrip() if line is not None else None

    def add(self, n: int, values: Iterable[tuple[str, Any]] | None = None) -> None:
        self.update(self._seen_so_far + n, values)

    def _bar(self, current: int) -> str:
        if self.target is None:
            return "%7d/Unknown" % current
        numdigits = int(math.log10(self.target)) + 1
        bar = ("%" + str(numdigits) + "d/%d [") % (current, self.target)
        prog_width = int(self.width * current / self.target)
        if prog_width > 0:
            bar += "=" * (prog_width - 1)
            bar += ">" if current < self.target else "="
        bar += "." * (self.width - prog_width) + "]"
        return bar

    def _time_per_unit(self, current: int, t: float) -> float:
        if current == 1:
            self._time_after_first_step = t
        if current > 1 and self._time_after_first_step is not None:
            return (t - self._time_after_first_step) / (current - 1)
        return (t - self._start) / current if current else 0.0

    def _timing(self, current: int, t: float, finalize: bool) -> str:
        per_unit = self._time_per_unit(current, t)
        if self.target is None or finalize:
            return f" - {t - self._start:.0f}s" + format_time(per_unit, self.unit_name)
        return " - ETA: " + format_eta(per_unit * (self.target - current))

    def _metrics(self, abs_check: bool) -> str:
        out = ""
        for k in self._values_order:
            total, count = self._values[k]
            avg = total / max(1, count) if k not in self.stateful_metrics else total
            avg = float(avg)
            big = abs(avg) > 1e-3 if abs_check else avg > 1e-3
            out += f" - {k}: " + (f"{avg:.4f}" if big else f"{avg:.4e}")
        return out


def _write_stdout(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()
