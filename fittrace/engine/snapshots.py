"""Which tensors a traced fit keeps as snapshots, and when: fittrace's own, called from the loop of
``keras.engine.training``'s ``fit`` as fittrace mirrors it (Keras itself keeps no tensor values).

At the chosen moments of ``fit``, and only while a trace records with snapshots on (``tracing/snapshots.py``
encodes them and keeps the budget):

* the first step of each fit: a few input rows of the batch (``INPUT_ROWS``) with their targets, each layer's
  output for the batch's first row, and the first weight of two or more axes (the first layer's kernel) as it was
  before the update, with its gradient and its update;
* the last step of each epoch: each layer's output for the batch's first row (the last epoch's is the fit's last);
* each epoch's end: that kernel again, as the epoch left it.

In "full" mode every weight of two or more axes is kept, not only the first. The layer calls and the optimizer's
update ask :func:`~fittrace.tracing.snapshots.capturing` (one global read) and do nothing more in ordinary steps;
the snapshots never change the run: they copy values and draw no random numbers.

Left out: the steps of ``evaluate``, ``predict`` and the ``*_on_batch`` methods; with ``steps_per_execution`` above
one, the first train step of a chosen execution stands for it.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np

from fittrace.autodiff import to_numpy
from fittrace.engine import data_adapter
from fittrace.tracing import recorder as rec
from fittrace.tracing import snapshots as tsnap

#: How many rows of the first batch the input snapshot keeps.
INPUT_ROWS = 8

_NO_CAPTURE = contextlib.nullcontext()


def _cuts(ndim: int, weight: bool) -> list[tsnap.Cut]:
    """How a tensor of ``ndim`` axes is cut down when large: a weight keeps its first units (filters) and then
    thins its inputs; a sample's output keeps its first channels (units) and then thins its rows."""
    if ndim <= 1:
        return [(0, "unit" if weight else "value", "first")]
    if weight and ndim == 2:  # a Dense kernel (inputs, units)
        return [(1, "unit", "first"), (0, "input", "every")]
    if weight:  # a convolution's kernel (..., input channels, filters)
        return [(ndim - 1, "filter", "first"), (ndim - 2, "input channel", "first")]
    if ndim == 3:  # a feature map (rows, columns, channels)
        return [(2, "channel", "first"), ((0, 1), "row and column", "every")]
    return [(ndim - 1, "feature", "first"), (0, "row", "every")]


def _target(y: Any) -> Any:
    """A row's target as a plain value: a class index for a whole-number or one-hot target, else a number (None:
    not a finite number)."""
    a = np.asarray(y)
    if not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        return None
    if a.size == 1:
        v = float(a.reshape(()))
        if not np.isfinite(v):
            return None
        return int(v) if v.is_integer() else v
    if a.ndim == 1 and a.size:
        return int(np.argmax(a))
    return None


def _first_array(x: Any) -> tuple[np.ndarray | None, Any]:
    """The first input array of ``x`` (an array, or a list, tuple or dict of them) and its name or index."""
    if isinstance(x, dict):
        for key, v in x.items():
            return _as_numbers(v), key
        return None, None
    if isinstance(x, (list, tuple)):
        return (_as_numbers(x[0]), 0) if x else (None, None)
    return _as_numbers(x), None


def _as_numbers(v: Any) -> np.ndarray | None:
    try:
        a = to_numpy(v)
    except Exception:  # a value the engine would not turn into an array is simply not pictured
        return None
    return a if np.issubdtype(a.dtype, np.number) or a.dtype == bool else None


def _emit(name: str, layer: str | None, payload: dict[str, Any] | None) -> None:
    if payload is not None:
        rec.emit("tensor_snapshot", name, layer=layer, data=payload)


def _weights(model: Any, keeper: tsnap.SnapshotKeeper) -> list[Any]:
    """The weights a snapshot keeps: the first of two or more axes ("default"), or all such ("full")."""
    found = [v for v in getattr(model, "trainable_variables", []) if np.ndim(v.value) >= 2]
    return found if keeper.mode == "full" else found[:1]


def _layer_of(variable_name: str) -> str | None:
    return variable_name.split("/")[0] if "/" in variable_name else None


class _StepCapture:
    """The snapshots of one chosen train step: installed while the step runs, asked by each layer call and by
    the optimizer's update."""

    def __init__(self, keeper: tsnap.SnapshotKeeper, moment: str, model: Any, data: Any) -> None:
        self.keeper = keeper
        self.moment = moment
        self.model = model
        self.data = data
        self.label: Any = None
        self.seen: set[str] = set()
        self.before: list[tuple[Any, np.ndarray, np.ndarray]] = []

    def __enter__(self) -> _StepCapture:
        x, y, _ = data_adapter.unpack_x_y_sample_weight(self.data)
        ys, _ = _first_array(y) if y is not None else (None, None)
        if ys is not None and ys.ndim >= 1 and len(ys):
            self.label = _target(ys[0])
        if self.moment == "first_step":
            self._input(x, ys)
        tsnap.set_capture(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        tsnap.set_capture(None)

    def _input(self, x: Any, ys: np.ndarray | None) -> None:
        xs, which = _first_array(x)
        if xs is None or xs.ndim < 1:
            return
        rows = xs[:INPUT_ROWS]
        facts: dict[str, Any] = {"role": "input", "moment": self.moment, "rows": int(len(rows))}
        if which is not None:
            facts["input"] = which
        if ys is not None and len(ys) >= len(rows):
            labels = [_target(t) for t in ys[: len(rows)]]
            if all(v is not None for v in labels):
                facts["labels"] = labels
        cuts = [(0, "row", "first")] + (
            [((1, 2), "row and column", "every")] if rows.ndim >= 4 else []
        )
        _emit("input", None, self.keeper.payload(rows, cuts, **facts))

    # --- asked by Layer.__call__ and Optimizer.apply_gradients --------------------------------------------------------
    def layer_output(self, layer: Any, out: Any) -> None:
        """A layer's output, for the batch's first row (each layer once per step)."""
        if layer.name in self.seen or not hasattr(out, "shape"):
            return
        self.seen.add(layer.name)
        a = _as_numbers(out)
        if a is None or a.ndim < 1 or len(a) == 0:
            return
        sample = a[0]
        facts: dict[str, Any] = {
            "role": "feature_map" if sample.ndim == 3 else "layer_output",
            "moment": self.moment,
            "layer_class": type(layer).__name__,
            "sample": 0,
        }
        activation = getattr(layer, "activation", None)
        if activation is not None:
            facts["activation"] = getattr(activation, "__name__", type(activation).__name__)
        if self.label is not None:
            facts["label"] = self.label
        payload = self.keeper.payload(sample, _cuts(sample.ndim, weight=False), **facts)
        _emit(f"{facts['role']} {layer.name}", layer.name, payload)

    def before_update(self, pairs: list[tuple[Any, Any]]) -> None:
        """Before the optimizer changes the weights: copy the chosen weights and their gradients."""
        if self.moment != "first_step":
            return
        chosen = {id(v) for v in _weights(self.model, self.keeper)}
        self.before = [
            (var, np.array(var.value), np.array(g)) for g, var in pairs if id(var) in chosen
        ]

    def after_update(self) -> None:
        """After the update: each chosen weight as it was, its gradient, and what the update changed."""
        for var, value, grad in self.before:
            layer = _layer_of(var.name)
            for role, values in (
                ("kernel", value),
                ("gradient", grad),
                ("update", var.value - value),
            ):
                payload = self.keeper.payload(
                    values,
                    _cuts(values.ndim, weight=True),
                    role=role,
                    moment=self.moment,
                    variable=var.name,
                )
                _emit(f"{role} {var.name}", layer, payload)
        self.before = []


def around_train_step(model: Any, data: Any) -> Any:
    """A context manager around one ``train_step``: a capture at a chosen step of a recorded fit, else a shared
    do-nothing context (the cost of an ordinary step: this call and a few reads)."""
    r = rec.active()
    if r is None or r.snapshots is None:
        return _NO_CAPTURE
    step = rec.innermost_step()
    fit = rec.innermost("fit")
    if step is None or fit is None or not isinstance(step.data, dict):
        return _NO_CAPTURE
    if step.data.get("phase") != "train":
        return _NO_CAPTURE
    keeper = r.snapshots
    this_step = ("step", fit.seq, r._epoch, step.data.get("step"))
    if keeper.once(("first_step", fit.seq)):
        keeper.once(this_step)
        return _StepCapture(keeper, "first_step", model, data)
    if step.data.get("last") and keeper.once(this_step):
        return _StepCapture(keeper, "last_step", model, data)
    return _NO_CAPTURE


def at_epoch_end(model: Any) -> None:
    """The kept weights as the epoch leaves them (outside any step, so that no detail level drops them)."""
    r = rec.active()
    if r is None or r.snapshots is None or rec.innermost("fit") is None:
        return
    keeper = r.snapshots
    for var in _weights(model, keeper):
        values = np.asarray(var.value)
        payload = keeper.payload(
            values,
            _cuts(values.ndim, weight=True),
            role="kernel",
            moment="epoch_end",
            variable=var.name,
        )
        _emit(f"kernel {var.name}", _layer_of(var.name), payload)
