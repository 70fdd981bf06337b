"""The containers ``compile()`` makes: LossesContainer and MetricsContainer.

Mirrors ``keras.engine.compile_utils`` (tf_keras/src/engine/compile_utils.py). Both are built lazily, on the first
batch: the loss string becomes ``losses.get(name)`` wrapped in a ``LossFunctionWrapper`` named after the string
(reduction AUTO = SUM_OVER_BATCH_SIZE); "accuracy" is resolved from the shapes of the first ``y_true`` and
``y_pred`` (before ``match_dtype_and_rank``), keeping "accuracy" as its log key. The logged ``loss`` is a ``Mean``
weighted by batch size, so the epoch figure is the per-sample mean; regularization losses are added to it.
Unweighted ``metrics`` never see sample weights; ``weighted_metrics`` do.

Left out: several outputs (dict/list losses, loss_weights per output, output-name prefixes), masks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace import losses as losses_mod
from fittrace import metrics as metrics_mod
from fittrace.autodiff import Tensor, to_numpy
from fittrace.tracing import recorder as rec
from fittrace.tracing.events import KERAS_COMPILE_UTILS


def match_dtype_and_rank(y_t: Any, y_p: Any, sw: Any) -> tuple[Any, Any, Any]:
    """Give rank-1 targets (and weights) a trailing axis when the predictions have rank 2, as Keras does."""
    if y_t is not None and y_p is not None:
        t = to_numpy(y_t)
        if t.ndim == 1 and len(y_p.shape) == 2:
            y_t = t.reshape(-1, 1)
    if sw is not None and y_p is not None:
        w = to_numpy(sw)
        if w.ndim == 1 and len(y_p.shape) == 2:
            sw = w.reshape(-1, 1)
    return y_t, y_p, sw


def _single(obj: Any, what: str) -> Any:
    if isinstance(obj, (dict, list, tuple)) and what == "loss":
        if isinstance(obj, (list, tuple)) and len(obj) == 1:
            return obj[0]
        raise NotImplementedError(
            f"fittrace models have a single output: pass one {what}, not {type(obj).__name__} "
            f"{obj!r}."
        )
    return obj


class Container:
    """What both containers share (``compile_utils.Container``): the output names, and a build on the first batch
    before which they track no metrics."""

    def __init__(self, output_names: Sequence[str] | None = None) -> None:
        self._output_names = output_names
        self._built = False

    @property
    def built(self) -> bool:
        return self._built

    @property
    def metrics(self) -> list[Any]:
        """The metric objects whose results are logs; none before the build."""
        return self._built_metrics() if self._built else []

    def _built_metrics(self) -> list[Any]:
        raise NotImplementedError


class LossesContainer(Container):
    """Computes the compiled loss and tracks its running mean (the "loss" log)."""

    def __init__(
        self, losses: Any, loss_weights: Any = None, output_names: Sequence[str] | None = None
    ) -> None:
        super().__init__(output_names)
        self._user_losses = _single(losses, "loss")
        self._loss_weight = float(loss_weights) if isinstance(loss_weights, (int, float)) else None
        self._loss_obj: Any = None
        self._loss_metric = metrics_mod.Mean(name="loss")

    def _built_metrics(self) -> list[Any]:
        return [self._loss_metric]

    def build(self) -> None:
        loss = self._user_losses
        if isinstance(loss, str):
            fn = losses_mod.get(loss)
            self._loss_obj = (
                fn
                if isinstance(fn, losses_mod.Loss)
                else losses_mod.LossFunctionWrapper(fn, name=loss)
            )
        elif isinstance(loss, losses_mod.Loss):
            self._loss_obj = loss
        elif callable(loss):
            self._loss_obj = losses_mod.LossFunctionWrapper(
                loss, name=getattr(loss, "__name__", "loss")
            )
        self._built = True

    def __call__(
        self,
        y_true: Any,
        y_pred: Any,
        sample_weight: Any = None,
        regularization_losses: Sequence[Tensor] | None = None,
    ) -> Tensor | None:
        if not self._built:
            self.build()
        if self._loss_obj is None and not regularization_losses:
            return None
        y_t, y_p, sw = match_dtype_and_rank(y_true, y_pred, sample_weight)
        batch = int(y_p.shape[0]) if y_p is not None and len(y_p.shape) else 1
        total: Tensor | None = None
        # without targets Keras skips the loss, and train_step then says "Target data is missing"
        if self._loss_obj is not None and y_t is not None:
            total = self._loss_obj(y_t, y_p, sample_weight=sw)
            if self._loss_weight is not None:
                total = ops.multiply(total, np.float32(self._loss_weight))
        reg_value = 0.0
        if regularization_losses:
            reg = regularization_losses[0]
            for r in regularization_losses[1:]:
                reg = ops.add(reg, r)
            reg_value = float(reg.value)
            total = reg if total is None else ops.add(total, reg)
        if total is None:
            return None
        value = float(total.value)
        self._loss_metric.update_state(value, sample_weight=batch)
        if rec.stepwise() is not None:  # the payload is made only if the event is kept
            rec.emit(
                "loss",
                getattr(self._loss_obj, "name", None) or "loss",
                keras=f"{KERAS_COMPILE_UTILS}.LossesContainer.__call__",
                data=lambda: {
                    "name": getattr(self._loss_obj, "name", None),
                    "value": value,
                    "reduction": "sum_over_batch_size",
                    "regularization": reg_value,
                    "running_mean": self._loss_metric.result(),
                },
            )
        return total

    def reset_state(self) -> None:
        self._loss_metric.reset_state()


class MetricsContainer(Container):
    """Updates the compiled metrics; resolves "accuracy" from the shapes it first sees."""

    def __init__(
        self,
        metrics: Any = None,
        weighted_metrics: Any = None,
        output_names: Sequence[str] | None = None,
    ) -> None:
        if isinstance(metrics, dict) or isinstance(weighted_metrics, dict):
            raise NotImplementedError(
                "fittrace models have a single output: pass metrics as a list, not a dict."
            )
        super().__init__(output_names)
        self._user_metrics = list(metrics or [])
        self._user_weighted = list(weighted_metrics or [])
        self._metrics: list[Any] = []
        self._weighted: list[Any] = []
        self._fns: dict[int, str] = {}

    def _built_metrics(self) -> list[Any]:
        return self._metrics + self._weighted

    def _resolve(self, metric: Any, y_t: np.ndarray, y_p: Any) -> Any:
        if isinstance(metric, metrics_mod.Metric):
            self._fns[id(metric)] = type(metric).__name__
            return metric
        name = metric if isinstance(metric, str) else getattr(metric, "__name__", "metric")
        if metric in ("accuracy", "acc", "crossentropy", "ce"):
            fn = self._by_shape(metric, y_t, y_p)
        else:
            fn = metrics_mod.get(metric)
            if isinstance(fn, metrics_mod.Metric):
                self._fns[id(fn)] = type(fn).__name__
                return fn
        wrapper = metrics_mod.MeanMetricWrapper(fn, name=name)
        self._fns[id(wrapper)] = getattr(fn, "__name__", str(fn))
        return wrapper

    @staticmethod
    def _by_shape(metric: str, y_t: np.ndarray, y_p: Any) -> Any:
        p_shape = tuple(y_p.shape)
        is_binary = p_shape[-1] == 1
        is_sparse = y_t.ndim < len(p_shape) or (y_t.shape[-1:] == (1,) and p_shape[-1] > 1)
        if metric in ("accuracy", "acc"):
            return (
                metrics_mod.binary_accuracy
                if is_binary
                else metrics_mod.sparse_categorical_accuracy
                if is_sparse
                else metrics_mod.categorical_accuracy
            )
        fn = (
            losses_mod.binary_crossentropy
            if is_binary
            else losses_mod.sparse_categorical_crossentropy
            if is_sparse
            else losses_mod.categorical_crossentropy
        )

        def crossentropy(y_true: Any, y_pred: Any) -> np.ndarray:
            return np.asarray(fn(y_true, y_pred).value)

        crossentropy.__name__ = fn.__name__
        return crossentropy

    def build(self, y_true: Any, y_pred: Any) -> None:
        y_t = to_numpy(y_true)
        self._metrics = [self._resolve(m, y_t, y_pred) for m in self._user_metrics]
        self._weighted = [self._resolve(m, y_t, y_pred) for m in self._user_weighted]
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        if y_true is None:
            if not self._built and (self._user_metrics or self._user_weighted):
                # Keras fails here with an AttributeError on None; say what is missing instead
                raise ValueError(
                    "Target data is missing: the compiled metrics "
                    f"{[getattr(m, 'name', m) for m in self._user_metrics + self._user_weighted]} "
                    "need targets the first time they are computed. Pass y (or batches of (x, y))."
                )
            return  # Keras skips an output without targets
        if not self._built:
            self.build(y_true, y_pred)  # before match_dtype_and_rank: it sees the raw target shape
        y_t, y_p, sw = match_dtype_and_rank(y_true, y_pred, sample_weight)
        tracing = rec.stepwise() is not None
        for metric in self._metrics:
            metric.update_state(y_t, y_p)
            if tracing:
                self._emit(metric)
        for metric in self._weighted:
            metric.update_state(y_t, y_p, sample_weight=sw)
            if tracing:
                self._emit(metric)

    def _emit(self, metric: Any) -> None:
        rec.emit(
            "metric_update",
            metric.name,
            keras=f"{KERAS_COMPILE_UTILS}.MetricsContainer.update_state",
            data=lambda: {
                "name": metric.name,
                "fn": self._fns.get(id(metric)),
                "value": float(metric.result()),
            },
        )

    def reset_state(self) -> None:
        for m in self.metrics:
            m.reset_state()
