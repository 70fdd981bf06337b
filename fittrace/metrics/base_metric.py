"""The metric base classes: stateful running results (``Metric``, ``Reduce``, ``Sum``, ``Mean``,
``MeanMetricWrapper``).

Mirrors tf_keras/src/metrics/base_metric.py: ``update_state`` accumulates ``total`` and ``count``; ``result()`` is
``total / count``. ``get_config``/``from_config`` are Keras's. As Keras's ``Metric.__new__`` wraps every
``update_state``, each class's own ``update_state`` is wrapped once when the class is made: in a hand-written loop's
step (``fittrace.tf``) the outermost update records a "metric_update" event, as fit's MetricsContainer does for the
compiled metrics. Left out: metric variables as layer weights,
distribution strategies.

    >>> m = Mean()
    >>> m.update_state(2.0, sample_weight=128); m.update_state(4.0, sample_weight=96)
    >>> round(m.result(), 4)     # (2*128 + 4*96) / 224
    2.8571
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from fittrace.autodiff import to_numpy
from fittrace.engine import functions
from fittrace.engine.base_layer import unique_name
from fittrace.saving import serialization_lib
from fittrace.saving.keras_export import keras_export, module_symbols
from fittrace.saving.legacy import serialization as legacy_serialization
from fittrace.tracing import recorder as rec
from fittrace.utils.generic_utils import to_snake_case

_updating: list[
    Any
] = []  # the metrics whose recorded update_state runs now (the outermost records)


def _recorded_update(update_state: Callable[..., Any]) -> Callable[..., Any]:
    """``update_state`` that, in a hand-written loop's step, records the metric's running result after the
    outermost update (a subclass's update calling its base's records once)."""

    @functools.wraps(update_state)
    def wrapper(self: Metric, *args: Any, **kwargs: Any) -> Any:
        if not functions.in_hand_loop_step() or _updating:
            return update_state(self, *args, **kwargs)
        _updating.append(self)
        try:
            out = update_state(self, *args, **kwargs)
        finally:
            _updating.pop()
        if rec.stepwise() is not None:
            rec.emit(
                "metric_update",
                self.name,
                keras="keras.metrics.Metric.update_state",
                data=lambda: {
                    "name": self.name,
                    "fn": type(self).__name__,
                    "value": float(self.result()),
                },
            )
        return out

    wrapper._fittrace_recorded = True  # type: ignore[attr-defined]
    return wrapper


def get_metric(identifier: Any) -> Any:
    """``keras.metrics.get`` for a wrapper's saved function: a name (a registered or scoped one first, then the
    functions and classes exported as ``keras.metrics.*``), a config, or a callable."""
    module_objects = module_symbols("keras.metrics")
    if isinstance(identifier, dict):
        if "module" not in identifier:
            return legacy_serialization.deserialize_keras_object(
                identifier, module_objects=module_objects, printable_module_name="metric function"
            )
    if isinstance(identifier, (str, dict)):
        found = serialization_lib.deserialize_keras_object(
            identifier, module_objects=module_objects, printable_module_name="metric function"
        )
        if isinstance(found, str):
            raise legacy_serialization.unknown("metric function", found)
        return found
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


@keras_export("keras.metrics.Metric")
class Metric:
    """Base class: ``update_state``, ``result``, ``reset_state``; ``name`` is the log key (by default the class
    name in snake_case, numbered as layers are: ``my_metric``, ``my_metric_1``...)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("update_state")
        if own is not None and not getattr(own, "_fittrace_recorded", False):
            cls.update_state = _recorded_update(own)  # type: ignore[method-assign]

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self.dtype = str(np.dtype(dtype)) if dtype is not None else "float32"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        """The metric a config describes: ``cls(**config)`` (metrics are layers in Keras, with their message)."""
        try:
            return cls(**config)
        except Exception as e:
            raise TypeError(
                f"Error when deserializing class '{cls.__name__}' using config={config}.\n\n"
                f"Exception encountered: {e}"
            ) from e

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError

    def result(self) -> float:
        raise NotImplementedError

    def reset_state(self) -> None:
        raise NotImplementedError

    def __call__(self, *args: Any, **kwargs: Any) -> float:
        self.update_state(*args, **kwargs)
        return self.result()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"

    def __str__(self) -> str:
        """As Keras prints a metric: ``Mean(name=loss,dtype=float32)``."""
        args = ",".join(f"{k}={v}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Reduce(Metric):
    """Accumulates a weighted total and count of values."""

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(name, dtype)
        self.total = 0.0
        self.count = 0.0

    def reset_state(self) -> None:
        self.total, self.count = 0.0, 0.0

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        if type(values) is float and (sample_weight is None or type(sample_weight) in (int, float)):
            # the loss tracker's case, once per step: one number and a batch size, no arrays needed
            w = 1.0 if sample_weight is None else float(sample_weight)
            self.total += values * w
            self.count += w
            return
        v = to_numpy(values).astype(np.float64)
        if sample_weight is None:
            self.total += float(v.sum())
            self.count += float(v.size)
            return
        w = to_numpy(sample_weight).astype(np.float64)
        while w.ndim > v.ndim and w.shape[-1] == 1:
            w = w[..., 0]
        w = np.broadcast_to(w.reshape(w.shape + (1,) * (v.ndim - w.ndim)), v.shape)
        self.total += float((v * w).sum())
        self.count += float(w.sum())


@keras_export("keras.metrics.Sum")
class Sum(Reduce):
    def __init__(self, name: str | None = "sum", dtype: Any = None) -> None:
        super().__init__(name, dtype)

    def result(self) -> float:
        return float(self.total)


@keras_export("keras.metrics.Mean")
class Mean(Reduce):
    """The weighted mean of everything seen since the last reset."""

    def __init__(self, name: str | None = "mean", dtype: Any = None) -> None:
        super().__init__(name, dtype)

    def result(self) -> float:
        return float(self.total / self.count) if self.count else 0.0


@keras_export("keras.metrics.MeanMetricWrapper")
class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred)`` per sample; ``name`` is the user's key (e.g. "accuracy")."""

    def __init__(
        self, fn: Callable[..., Any], name: str | None = None, dtype: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(name, dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        super().update_state(self._fn(y_true, y_pred, **self._fn_kwargs), sample_weight)

    def get_config(self) -> dict[str, Any]:
        """Name and dtype, the function's keyword arguments, and (for this class itself, not a subclass, whose
        function is fixed) the function."""
        config = dict(self._fn_kwargs)
        if type(self) is MeanMetricWrapper:
            config["fn"] = self._fn
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        fn = config.pop("fn", None)
        if cls is MeanMetricWrapper:
            return cls(get_metric(fn), **config)
        return super().from_config(config)
