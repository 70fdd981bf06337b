"""Tensor snapshots: a small, picture-sized copy of a tensor's values, kept in the trace at a chosen moment.

A snapshot is a ``tensor_snapshot`` event. Its values are quantized to 256 levels over the whole tensor's exact
``[min, max]`` and stored as base64 text (the ``uint8-base64`` encoding): a picture needs no more than 256 levels,
one byte per value keeps a trace small, and base64 keeps the file plain JSON that loading never runs as code. The
exact ``min``, ``max``, ``mean`` and ``std`` of the whole tensor, its ``shape`` and ``dtype`` travel beside the
bytes, with the ``stored_shape`` and, when the tensor was larger than a snapshot may be, how it was cut down, in
words (``"the first 20 of 512 units"``, ``"every 2nd row and column"``).

A :class:`SnapshotKeeper` belongs to one recording. It holds the mode (``default`` or ``full``; ``off`` makes no
keeper), the cap on values per snapshot and the byte budget of the whole trace: once the budget is spent, later
snapshots are dropped and counted, and the footer says how many (``footer()``).

    >>> keeper = SnapshotKeeper("default")
    >>> p = keeper.payload(np.arange(6, dtype="float32").reshape(2, 3), [(1, "unit", "first")], role="kernel")
    >>> p["shape"], p["stored_shape"], p["min"], p["max"], decode(p).tolist()
    ([2, 3], [2, 3], 0.0, 5.0, [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: The snapshot modes of ``fittrace.trace(snapshots=...)``.
MODES = ("off", "default", "full")

#: The one encoding: one byte per value, 0 at the tensor's min and 255 at its max, as base64 text.
ENCODING = "uint8-base64"

LEVELS = 255


@dataclass(frozen=True, slots=True)
class Limits:
    """How large one snapshot may be (values) and how many bytes of snapshot data one trace may hold."""

    max_values: int
    budget_bytes: int


LIMITS = {
    # a 784 x 20 slice of a Dense kernel is 15,680 values, about 21 KB of base64; 1 MB holds the demo's snapshots
    # several times over
    "default": Limits(max_values=16_384, budget_bytes=1_000_000),
    "full": Limits(max_values=1_048_576, budget_bytes=64_000_000),
}

#: A cut: (axis or axes, noun, "first" to keep the first entries or "every" to keep every n-th).
Cut = tuple[Any, str, str]


def default_mode(detail: str) -> str:
    """The snapshot mode a detail level implies: none at ``summary``, the default set otherwise."""
    return "off" if detail == "summary" else "default"


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"unknown snapshots mode: {mode!r} (must be one of {list(MODES)})")
    return mode


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def downsample(
    values: np.ndarray, max_values: int, cuts: Sequence[Cut]
) -> tuple[np.ndarray, str | None]:
    """``values`` cut down to at most ``max_values`` entries by the ``cuts`` in order, each only as far as
    needed, and what was done in words (None when nothing was cut).

        >>> v, words = downsample(np.zeros((784, 512)), 16_384, [(1, "unit", "first"), (0, "input", "every")])
        >>> v.shape, words
        ((784, 20), 'the first 20 of 512 units')
        >>> v, words = downsample(np.zeros((26, 26, 2)), 400, [((0, 1), "row and column", "every")])
        >>> v.shape, words
        ((13, 13, 2), 'every 2nd row and column')
    """
    out = values
    words: list[str] = []
    for axes, noun, how in cuts:
        if out.size <= max_values:
            break
        axes = (axes,) if isinstance(axes, int) else tuple(axes)
        if any(out.shape[a] == 0 for a in axes):
            break
        rest = out.size // math.prod(out.shape[a] for a in axes)
        if how == "first":
            (axis,) = axes
            n = out.shape[axis]
            keep = max(1, max_values // rest)
            if keep < n:
                out = out[(slice(None),) * axis + (slice(0, keep),)]
                words.append(f"the first {keep} of {n} {noun}s")
        else:
            stride = 1
            while rest * math.prod(-(-out.shape[a] // stride) for a in axes) > max_values:
                if all(out.shape[a] <= stride for a in axes):
                    break
                stride += 1
            if stride > 1:
                index = [slice(None)] * out.ndim
                for a in axes:
                    index[a] = slice(None, None, stride)
                out = out[tuple(index)]
                words.append(f"every {_ordinal(stride)} {noun}")
    if out.size > max_values:  # the cuts were not enough: every n-th value, flattened
        stride = -(-out.size // max_values)
        out = out.reshape(-1)[::stride]
        words.append(f"every {_ordinal(stride)} value, flattened")
    return out, ", then ".join(words) or None


def encode(stored: np.ndarray, lo: float, hi: float) -> str:
    """``stored`` as 256 levels over ``[lo, hi]``, base64 text; values that are not finite become level 0."""
    a = stored.astype(np.float64, copy=False)
    span = hi - lo
    if span > 0:
        levels = np.rint((a - lo) * (LEVELS / span))
    else:
        levels = np.zeros(a.shape)
    levels = np.clip(np.nan_to_num(levels, nan=0.0, posinf=0.0, neginf=0.0), 0, LEVELS)
    return base64.b64encode(levels.astype(np.uint8).tobytes()).decode("ascii")


class SnapshotError(ValueError):
    """A snapshot payload that cannot be decoded."""


def decode(payload: Mapping[str, Any]) -> np.ndarray:
    """The stored values of a snapshot payload as a float32 array of its ``stored_shape`` (each within half a
    level of the value recorded). Raises :class:`SnapshotError` saying what is wrong with a corrupt payload."""
    check_payload(payload)
    raw = np.frombuffer(base64.b64decode(payload["data"], validate=True), dtype=np.uint8)
    lo, hi = float(payload["min"]), float(payload["max"])
    values = lo + raw.astype(np.float64) * ((hi - lo) / LEVELS)
    return values.astype(np.float32).reshape(payload["stored_shape"])


def _is_shape(v: Any) -> bool:
    return isinstance(v, list) and all(
        isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in v
    )


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def check_payload(payload: Mapping[str, Any]) -> None:
    """Raise :class:`SnapshotError` unless ``payload`` is a snapshot whose bytes decode to its stored shape."""
    if payload.get("encoding") != ENCODING:
        raise SnapshotError(
            f"tensor_snapshot: unknown encoding {payload.get('encoding')!r} (must be {ENCODING!r})"
        )
    for key in ("shape", "stored_shape"):
        if not _is_shape(payload.get(key)):
            raise SnapshotError(
                f"tensor_snapshot: {key!r} must be a list of non-negative integers, got {payload.get(key)!r}"
            )
    for key in ("min", "max"):
        if not _is_number(payload.get(key)):
            raise SnapshotError(
                f"tensor_snapshot: {key!r} must be a finite number, got {payload.get(key)!r}"
            )
    if payload["min"] > payload["max"]:
        raise SnapshotError(
            f"tensor_snapshot: min {payload['min']} is greater than max {payload['max']}"
        )
    data = payload.get("data")
    if not isinstance(data, str):
        raise SnapshotError(
            f"tensor_snapshot: 'data' must be base64 text, got {type(data).__name__}"
        )
    try:
        size = len(base64.b64decode(data, validate=True))
    except (binascii.Error, ValueError):
        raise SnapshotError("tensor_snapshot: 'data' is not valid base64") from None
    expected = math.prod(payload["stored_shape"])
    if size != expected:
        raise SnapshotError(
            f"tensor_snapshot: 'data' holds {size} values but stored_shape "
            f"{payload['stored_shape']} needs {expected}"
        )


def _float(x: Any) -> float:
    return float(np.float32(x)) if np.isfinite(x) else 0.0


def make_payload(values: Any, max_values: int, cuts: Sequence[Cut], **facts: Any) -> dict[str, Any]:
    """A snapshot payload for ``values`` (any array-like), cut down to ``max_values`` by ``cuts``; ``facts``
    (role, moment, variable, labels...) are added as they are."""
    a = np.asarray(values)
    dtype = str(a.dtype)
    if a.dtype == bool:
        a = a.astype(np.uint8)
    if not np.issubdtype(a.dtype, np.number):
        raise TypeError(f"a tensor snapshot needs numbers, not {dtype} values")
    # the whole tensor's facts without a float64 copy of it (a 784 x 512 kernel is 400,000 values): float64
    # accumulators only
    finite = np.isfinite(a) if a.dtype.kind in "fc" else None
    nonfinite = 0 if finite is None else int(a.size - np.count_nonzero(finite))
    seen = a[finite] if nonfinite else a.reshape(-1)
    if seen.size:
        lo, hi = float(seen.min()), float(seen.max())
        mean, std = float(seen.mean(dtype=np.float64)), float(seen.std(dtype=np.float64))
    else:
        lo = hi = mean = std = 0.0
    stored, sampled = downsample(a, max_values, cuts)
    payload = {
        **facts,
        "shape": list(a.shape),
        "dtype": dtype,
        "stored_shape": list(stored.shape),
        "sampled": sampled,
        "min": _float(lo),
        "max": _float(hi),
        "mean": _float(mean),
        "std": _float(std),
        "nonfinite": nonfinite,
        "encoding": ENCODING,
    }
    payload["data"] = encode(stored, payload["min"], payload["max"])
    return payload


class SnapshotKeeper:
    """The snapshots of one recording: the mode, the limits, and what was kept and dropped so far.

    ``once(key)`` lets the engine take a moment only once (the first step of each fit...)."""

    def __init__(self, mode: str) -> None:
        check_mode(mode)
        if mode == "off":
            raise ValueError("snapshots 'off' needs no keeper")
        self.mode = mode
        self.limits = LIMITS[mode]
        self.kept = 0
        self.dropped = 0
        self.bytes = 0
        self._taken: set[Any] = set()

    def once(self, key: Any) -> bool:
        """True the first time ``key`` is asked for, False after."""
        if key in self._taken:
            return False
        self._taken.add(key)
        return True

    def payload(self, values: Any, cuts: Sequence[Cut], **facts: Any) -> dict[str, Any] | None:
        """A snapshot payload within this keeper's limits, its bytes counted against the budget; None (and one
        more dropped) once the budget cannot hold it."""
        p = make_payload(values, self.limits.max_values, cuts, **facts)
        size = len(p["data"])
        if self.bytes + size > self.limits.budget_bytes:
            self.dropped += 1
            return None
        self.bytes += size
        self.kept += 1
        return p

    def header(self) -> dict[str, Any]:
        """The header's ``snapshots`` entry: the mode and the limits."""
        return {
            "mode": self.mode,
            "encoding": ENCODING,
            "max_values": self.limits.max_values,
            "budget_bytes": self.limits.budget_bytes,
        }

    def footer(self) -> dict[str, Any]:
        """The footer's ``snapshots`` entry: how many were kept and dropped, and the bytes kept."""
        return {"mode": self.mode, "kept": self.kept, "dropped": self.dropped, "bytes": self.bytes}


#: The engine's capture of the step being snapshotted (set only during such a step; see engine/snapshots.py).
_capture: Any = None


def capturing() -> Any:
    """What is capturing snapshots inside the current step, or None (the one check a layer call or an update
    makes)."""
    return _capture


def set_capture(capture: Any) -> None:
    global _capture
    _capture = capture
