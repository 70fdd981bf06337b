"""Every value a page shows, written for a person: arrays by dtype and shape, flags as yes or no, a missing
value as a word that fits, numbers with their thousands grouped.

A trace describes the values it mentions as JSON (``tracing/describe.py``): an array is
``{'type': 'ndarray', 'shape': [60000, 784], 'dtype': 'float32'}``, a dict of arrays lists its keys, a list of numbers
says its length. Printed as they are, those are Python reprs; :func:`value_text` reads them back into words, and
:func:`setting_text` writes a ``fit``/``compile`` argument with what its value means there.

>>> value_text({"type": "ndarray", "shape": [60000, 784], "dtype": "float32"})
'float32 array of shape (60000, 784)'
>>> value_text(None), value_text(True), value_text(["accuracy", "mae"]), value_text(401408)
('not given', 'yes', 'accuracy, mae', '401,408')
>>> setting_text("run_eagerly", None)
'run_eagerly: no (graph mode)'
>>> setting_text("validation_split", 0.0), setting_text("shuffle", True)
('validation_split: none', 'shuffle: yes')
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from fittrace.analysis.shapes import shape_text

#: The keys of a value described by ``tracing.describe.describe_data``.
_DESCRIPTION_KEYS = frozenset({"type", "shape", "dtype", "keys", "length", "of", "items"})
#: How the recorder spells a number JSON cannot hold.
_NON_FINITE = {"nan": "NaN (not a number)", "inf": "infinity", "-inf": "minus infinity"}


def value_text(value: Any, missing: str = "not given") -> str:
    """``value`` as a person reads it: a described array as ``float32 array of shape (60000, 784)``, a flag as
    yes/no, None as ``missing``, lists joined with commas, mappings as ``key: value`` pairs."""
    if value is None:
        return missing
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, str):
        return _NON_FINITE.get(value, value)  # the recorder's spelling of a non-finite number
    if isinstance(value, Mapping):
        if _is_description(value):
            return _described(value)
        if not value:
            return "none"
        return ", ".join(f"{k}: {value_text(v, missing)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        if not value:
            return "none"
        if _is_shape(value):
            return shape_text(list(value))
        if all(isinstance(v, (list, tuple)) and _is_shape(v, any_int=False) for v in value):
            return ", ".join(shape_text(list(v)) for v in value)  # a signature: one shape per input
        return ", ".join(value_text(v, missing) for v in value)
    return str(value)


def number_text(value: Any, digits: int = 4) -> str:
    """A number for a person: integers with their thousands grouped (``60,000``), floats to ``digits`` significant
    digits without a trailing ``.0`` (``0.001``, ``0.2614``, ``1e-7``); the recorder's ``"nan"``/``"inf"`` in words.
    Anything else is given back as text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return _NON_FINITE.get(value.lower(), value)
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return _NON_FINITE["nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")]
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        text = f"{value:.{digits}g}"
        if "e" in text:  # 1e-07 → 1e-7
            mantissa, exponent = text.split("e")
            text = f"{mantissa}e{int(exponent)}"
        return text
    return str(value)


def _is_description(value: Mapping[str, Any]) -> bool:
    return isinstance(value.get("type"), str) and set(value) <= _DESCRIPTION_KEYS


def _is_shape(value: list | tuple, any_int: bool = True) -> bool:
    """A list of dimensions (ints and None; with ``any_int`` at least one int, else ``[None]`` could be a list
    of missing values): a shape as JSON writes it."""
    dims = [d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in value]
    known = any(isinstance(d, int) and not isinstance(d, bool) for d in value)
    return bool(value) and all(dims) and (known or not any_int)


def _described(d: Mapping[str, Any]) -> str:
    kind = d["type"]
    noun = "array" if kind == "ndarray" else kind
    if "dtype" in d or "shape" in d:
        shape = d.get("shape")
        where = "of unknown shape" if shape is None else f"of shape {shape_text(shape)}"
        return " ".join(p for p in (d.get("dtype"), noun, where) if p)
    if "keys" in d:
        keys = d["keys"] or {}
        inside = "; ".join(f"{k}: {value_text(v)}" for k, v in keys.items())
        return f"{kind} of {len(keys)} ({inside})" if keys else f"empty {kind}"
    if "length" in d:
        of = d.get("of")
        return f"{kind} of {number_text(d['length'])} {of}s" if of else f"{kind} of {d['length']}"
    if "items" in d:
        items = d["items"] or []
        return f"{kind} of {len(items)} ({'; '.join(value_text(v) for v in items)})"
    return f"{kind} object"


def epoch_comma(epoch: int | None) -> str:
    """``"epoch 2, "`` for a moment inside an epoch, ``""`` outside any (a hand-written loop's step, an evaluate),
    so that a sentence reads ``(epoch 2, step 0)`` or ``(step 0)``, never ``(epoch None, step 0)``."""
    return "" if epoch is None else f"epoch {epoch}, "


# --- fit's and compile's arguments --------------------------------------------------------------------------------
def _eagerly(v: Any) -> str:
    return "yes (eager: every step runs as plain Python)" if v else "no (graph mode)"


def _verbose(v: Any) -> str:
    words = {0: "silent", 1: "a progress bar", 2: "one line per epoch", "auto": "a progress bar"}
    meaning = words.get(v) if isinstance(v, (int, str)) and not isinstance(v, bool) else None
    return f"{value_text(v)} ({meaning})" if meaning else value_text(v)


def _given(v: Any) -> str:  # fit records whether class_weight and sample_weight were given
    return "given" if v not in (None, False, {}, []) else "none"


def _split(v: Any) -> str:
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 < v < 1:
        return "none" if not v else value_text(v)
    return f"{value_text(v)} (the last {v * 100:g}% of the samples, held out before shuffling)"


#: What a value of each setting means, where the bare value would mislead (None for run_eagerly is graph mode).
_SETTINGS = {
    "run_eagerly": _eagerly,
    "jit_compile": lambda v: "yes (XLA)" if v else "no",
    "verbose": _verbose,
    "shuffle": lambda v: "by batch" if v == "batch" else value_text(bool(v)),
    "validation_split": _split,
    "validation_data": lambda v: value_text(v, missing="none"),
    "validation_steps": lambda v: value_text(v, missing="all of the validation data"),
    "validation_batch_size": lambda v: value_text(v, missing="the batch_size"),
    "class_weight": _given,
    "sample_weight": _given,
    "callbacks": lambda v: value_text(v, missing="none given (fit adds History and ProgbarLogger)"),
    "metrics": lambda v: value_text(v, missing="none"),
    "weighted_metrics": lambda v: value_text(v, missing="none"),
    "loss_weights": lambda v: value_text(v, missing="none (every output counts once)"),
    "batch_size": lambda v: value_text(v, missing="not given (32 for arrays)"),
    "steps_per_epoch": lambda v: value_text(v, missing="not given (all of the data each epoch)"),
    "initial_epoch": value_text,
    "epochs": value_text,
}


def setting_value(name: str, value: Any) -> str:
    """Only the value part of :func:`setting_text`: ``no (graph mode)`` for ``run_eagerly=None``."""
    return _SETTINGS.get(name, value_text)(value)


def setting_text(name: str, value: Any) -> str:
    """One argument of ``fit`` or ``compile`` (or a callback's parameter) as ``name: value``, the value in words
    where a bare one would mislead: ``run_eagerly: no (graph mode)``, ``shuffle: yes``, ``validation_split: none``,
    ``x: float32 array of shape (60000, 784)``."""
    return f"{name}: {setting_value(name, value)}"
