"""Event payloads: what the engine hands the recorder, and how it becomes plain JSON.

A payload is a mapping, a zero-argument callable returning one (computed only if the event is kept), or None.
Values inside a mapping may be callables too. :func:`jsonable` turns what the engine gives (numpy scalars and
arrays, tuples, non-finite floats) into JSON values, so that an event in memory equals the event read back from
its file. Nothing here knows about files, spans or detail levels.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

Payload = Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None


def payload_get(data: Payload, key: str, default: Any) -> Any:
    """``data[key]`` from a mapping payload; ``default`` for None or a callable payload (not computed here)."""
    if data is None or callable(data):
        return default
    return data.get(key, default)


def materialize(data: Payload) -> Mapping[str, Any]:
    """The payload as a mapping: a callable payload is called, and so is any callable value inside it."""
    if data is None:
        return {}
    if callable(data):
        data = data()
    for v in data.values():
        if callable(v):
            return {k: (v() if callable(v) else v) for k, v in data.items()}
    return data


class PlainPayload(dict):
    """A payload the engine vouches for, so that the recorder may keep it as it is (no :func:`jsonable` pass): str
    keys; values that are str, int, bool, None, finite floats, or dicts of str to such values. The engine uses it
    for the step's figures, the one payload made on every step; when a figure is not finite it hands a plain dict
    instead, which the recorder checks and cleans."""

    __slots__ = ()


def finite_figures(figures: Mapping[str, Any]) -> bool:
    """False if a step's figures hold a NaN or infinite value: a loss or metric in ``logs``, or the gradient norm."""
    norm = figures.get("grad_norm")
    return finite_logs(figures.get("logs")) and not (
        isinstance(norm, float) and not math.isfinite(norm)
    )


def finite_logs(logs: Any) -> bool:
    """False if any float in a logs mapping is NaN or infinite."""
    if type(logs) is not dict and not isinstance(
        logs, Mapping
    ):  # a plain dict skips the slow ABC check
        return True
    for v in logs.values():
        if isinstance(v, float) and not math.isfinite(v):
            return False
    return True


_PLAIN = (str, int, bool, type(None))
_isfinite = math.isfinite


def jsonable(value: Any) -> Any:
    """Turn numpy scalars/arrays, tuples and non-finite floats into plain JSON values."""
    t = type(value)
    if t is dict:
        # the common payload: a flat dict of plain values, checked without a call per value
        out = {}
        for k, v in value.items():
            tv = type(v)
            if tv is str or tv is int or tv is bool or v is None:
                pass
            elif tv is float:
                if not _isfinite(v):
                    v = repr(v)  # "nan", "inf": JSON has no such numbers
            else:
                v = jsonable(v)
            out[k if type(k) is str else str(k)] = v
        return out
    if t is str or t is int or t is bool or value is None:
        return value
    if t is float:
        return value if _isfinite(value) else repr(value)
    if t is list or t is tuple:
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, float):  # numpy's float64 is a float: made a plain one
        value = float(value)
        return value if _isfinite(value) else repr(value)
    item = getattr(value, "item", None)
    if item is not None and getattr(value, "ndim", 1) == 0:
        return jsonable(item())
    tolist = getattr(value, "tolist", None)
    if tolist is not None:
        return jsonable(tolist())
    return str(value)
