"""The metric base classes: stateful running results (``Metric``, ``Reduce``, ``Sum``, ``Mean``,
``MeanMetricWrapper``).

Mirrors tf_keras/src/metrics/base_metric.py: a metric's state is its variables, made by ``add_weight`` (not
trainable, zeros unless told) and listed by ``variables`` in the order they were made; ``reset_state`` sets them
all to zero unless a subclass says otherwise (``reset_states`` is its old name). ``Reduce`` keeps ``total`` (and
``count`` for a mean) as float32 variables, as Keras does; ``result()`` is ``total / count``.
``get_config``/``from_config`` are Keras's. Left out: a metric as a full layer (sub-layers, ``merge_state``),
distribution strategies and their aggregation arguments.
As Keras's ``Metric.__new__`` wraps every ``update_state``, each class's own ``update_state`` is wrapped once
when the class is made: in a hand-written loop's step (``fittrace.tf``) the outermost update records a
"metric_update" event, as fit's MetricsContainer does for the compiled metrics.

    >>> m = Mean()
    >>> m.update_state(2.0, sample_weight=128); m.update_state(4.0, sample_weight=96)
    >>> round(m.result(), 4)     # (2*128 + 4*96) / 224
    2.8571
"""

from __future__ import annotations

import abc
import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from fittrace import initializers
from fittrace.autodiff import Variable, to_numpy
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


_LAYER_KWARGS = {
    "input_dim",
    "input_shape",
    "batch_input_shape",
    "batch_size",
    "weights",
    "activity_regularizer",
    "autocast",
    "implementation",
    "trainable",
    "dynamic",
}


@keras_export("keras.metrics.Metric")
class Metric(metaclass=abc.ABCMeta):
    """Base class: ``update_state``, ``result``, ``reset_state``; ``name`` is the log key (by default the class
    name in snake_case, numbered as layers are: ``my_metric``, ``my_metric_1``...)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("update_state")
        if own is not None and not getattr(own, "_fittrace_recorded", False):
            cls.update_state = _recorded_update(own)  # type: ignore[method-assign]

    def __init__(self, name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        for (
            kwarg
        ) in kwargs:  # a Keras metric is a layer: it takes (and here ignores) the layer's arguments
            if kwarg not in _LAYER_KWARGS:
                raise TypeError("Keyword argument not understood:", kwarg)
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self.dtype = str(np.dtype(dtype)) if dtype is not None else "float32"
        self._metric_variables: list[Variable] = []

    def add_weight(
        self,
        name: str,
        shape: Any = (),
        aggregation: Any = None,
        synchronization: Any = None,
        initializer: Any = None,
        dtype: Any = None,
    ) -> Variable:
        """A state variable of this metric: not trainable, zeros unless ``initializer`` says otherwise (the
        distribution arguments are accepted and ignored)."""
        dtype = str(np.dtype(dtype)) if dtype is not None else self.dtype
        shape = tuple(int(d) for d in (shape if isinstance(shape, (tuple, list)) else (shape,)))
        if initializer is None or initializer == "zeros":
            value = np.zeros(shape, dtype=dtype)
        else:
            value = np.asarray(initializers.get(initializer)(shape, dtype=dtype), dtype=dtype)
        var = Variable(
            value, name=f"{name}:0", trainable=False, dtype=dtype
        )  # as tf.Variable names it
        self._metric_variables.append(var)
        return var

    @property
    def variables(self) -> list[Variable]:
        """The metric's state variables, in the order ``add_weight`` made them (Keras's ``variables``)."""
        return list(self._metric_variables)

    weights = non_trainable_weights = variables

    @property
    def trainable_weights(self) -> list[Variable]:
        return []

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

    @abc.abstractmethod
    def update_state(self, *args: Any, **kwargs: Any) -> None:
        """Add a batch to the state (a subclass says how)."""

    @abc.abstractmethod
    def result(self) -> Any:
        """The value from the state (a subclass says how)."""

    def reset_state(self) -> None:
        """Every state variable back to zero (a subclass that only defines the old ``reset_states`` gets that
        one, with Keras's warning)."""
        if type(self).reset_states is not Metric.reset_states:
            warnings.warn(
                f"Metric {type(self).__name__} implements a `reset_states()` method; rename it to "
                '`reset_state()` (without the final "s"). The name `reset_states()` has been deprecated '
                "to improve API consistency.",
                stacklevel=2,
            )
            self.reset_states()
            return
        for v in self._metric_variables:
            v.value[...] = 0

    def reset_states(self) -> None:
        """The old name of ``reset_state``."""
        self.reset_state()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.update_state(*args, **kwargs)
        return self.result()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"

    def __str__(self) -> str:
        """As Keras prints a metric: ``Mean(name=loss,dtype=float32)``."""
        args = ",".join(f"{k}={v}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Reduce(Metric):
    """Accumulates a weighted total (and, for a mean, a count) of values, in ``total`` and ``count``."""

    _with_count = True

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(name, dtype)
        self.total = self.add_weight("total")
        if self._with_count:
            self.count = self.add_weight("count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        count = self.count.value if self._with_count else None
        if type(values) is float and (sample_weight is None or type(sample_weight) in (int, float)):
            # the loss tracker's case, once per step: one number and a batch size, no arrays needed
            w = 1.0 if sample_weight is None else float(sample_weight)
            self.total.value += values * w
            if count is not None:
                count += w
            return
        v = to_numpy(values).astype(np.float64)
        if sample_weight is None:
            self.total.value += v.sum()
            if count is not None:
                count += v.size
            return
        w = to_numpy(sample_weight).astype(np.float64)
        while w.ndim > v.ndim and w.shape[-1] == 1:
            w = w[..., 0]
        w = np.broadcast_to(w.reshape(w.shape + (1,) * (v.ndim - w.ndim)), v.shape)
        self.total.value += (v * w).sum()
        if count is not None:
            count += w.sum()


@keras_export("keras.metrics.Sum")
class Sum(Reduce):
    """The weighted sum of everything seen since the last reset (a ``total`` only, as Keras's)."""

    _with_count = False

    def __init__(self, name: str | None = "sum", dtype: Any = None) -> None:
        super().__init__(name, dtype)

    def result(self) -> float:
        return float(self.total.value)


@keras_export("keras.metrics.Mean")
class Mean(Reduce):
    """The weighted mean of everything seen since the last reset."""

    def __init__(self, name: str | None = "mean", dtype: Any = None) -> None:
        super().__init__(name, dtype)

    def result(self) -> float:
        count = self.count.value
        return float(self.total.value / count) if count else 0.0


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
