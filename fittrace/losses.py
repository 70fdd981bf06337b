"""Losses: the functions (one value per sample) and the Loss classes that reduce them.

Mirrors ``keras.losses`` (tf_keras/src/losses.py) and the reductions of ``keras.utils.losses_utils``:
``get("sparse_categorical_crossentropy")`` returns the plain function, as Keras 2 does (``compile`` wraps it);
``SUM_OVER_BATCH_SIZE`` divides the weighted sum by the number of elements, not by the sum of weights.
Cross-entropy follows Keras 2's backend: a softmax/sigmoid output carries its logits (``_keras_logits``) and the
loss uses them (a stable log-softmax); only without them are probabilities clipped to [1e-7, 1 - 1e-7].
``get_config``/``from_config``, ``serialize``, ``deserialize`` and ``get`` are Keras's.
Left out: ``ignore_class`` (refused), Huber/KLD/hinge/cosine/poisson losses.

    >>> z = np.array([[1.0, 2.0, 3.0]], dtype="float32")
    >>> round(float(sparse_categorical_crossentropy(np.array([2]), z, from_logits=True).numpy()[0]), 6)
    0.407606
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.engine import functions
from fittrace.saving import object_registration, serialization_lib
from fittrace.saving.keras_export import keras_export
from fittrace.saving.legacy import serialization as legacy_serialization
from fittrace.saving.legacy.serialization import unknown
from fittrace.tracing import recorder as rec

EPSILON = 1e-7


@keras_export("keras.losses.Reduction")
class Reduction:
    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls) -> tuple[str, ...]:
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)


def _logits_of(y_pred: Tensor) -> Tensor | None:
    return getattr(y_pred, "_keras_logits", None)


def _check_sparse_labels(labels: np.ndarray, classes: int) -> np.ndarray:
    if labels.dtype.kind not in "iuf":
        raise ValueError(
            f"Sparse labels must be numbers (class indices); got dtype {labels.dtype}."
        )
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)):
            bad = labels[~np.isfinite(labels) | (labels != np.round(labels))][0]
            raise ValueError(
                f"Received a label value of {bad} which is not a whole class index. Sparse labels "
                "must be integers in [0, num_classes); for one-hot labels use "
                "categorical_crossentropy."
            )
    lab = labels.astype(np.int64)
    if lab.size and (lab.min() < 0 or lab.max() >= classes):
        bad = int(lab.min()) if lab.min() < 0 else int(lab.max())
        raise ValueError(
            f"Received a label value of {bad} which is outside the valid range of [0, {classes}). "
            f"Label values must be class indices from 0 to {classes - 1}: check your labels, or give "
            f"the last layer as many units as there are classes (it has {classes})."
        )
    return lab


@keras_export(
    "keras.losses.sparse_categorical_crossentropy", "keras.metrics.sparse_categorical_crossentropy"
)
def sparse_categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, axis: int = -1, ignore_class: Any = None
) -> Tensor:
    """Per-sample cross-entropy between integer labels and class scores."""
    if ignore_class is not None:
        raise NotImplementedError("fittrace's sparse_categorical_crossentropy has no ignore_class.")
    y_pred = ops.convert_to_tensor(y_pred)
    labels = np.asarray(getattr(y_true, "value", y_true))
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"Sparse labels of shape {labels.shape} do not match predictions of shape {y_pred.shape}: "
            f"expected labels of shape {y_pred.shape[:-1]} (one class index per sample). For one-hot "
            "labels use categorical_crossentropy."
        )
    lab = _check_sparse_labels(labels, y_pred.shape[-1])
    logits = _logits_of(y_pred)
    if logits is None and not from_logits:
        logits = ops.log(
            ops.clip(y_pred, EPSILON, 1 - EPSILON)
        )  # the softmax-CE op renormalises these
    elif logits is None:
        logits = y_pred
    return ops.sparse_softmax_cross_entropy(lab, logits)


def _check_same_shape(y_true: np.ndarray, y_pred: Tensor, name: str) -> np.ndarray:
    if y_true.shape != y_pred.shape:
        if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
            return y_true.reshape(y_true.shape + (1,))
        if (
            y_true.ndim == y_pred.ndim
            and y_true.shape[-1] == 1
            and y_pred.shape[-1] != 1
            and name == "categorical_crossentropy"
        ):
            raise ValueError(
                f"categorical_crossentropy needs one-hot targets of shape {y_pred.shape}, but got "
                f"{y_true.shape}: for integer class labels use sparse_categorical_crossentropy."
            )
        if y_true.size != int(np.prod(y_pred.shape)) or name == "categorical_crossentropy":
            raise ValueError(
                f"`logits` and `labels` must have the same shape, received ({y_pred.shape} vs "
                f"{y_true.shape}). {name} compares targets and predictions element by element; "
                + (
                    "for integer class labels use sparse_categorical_crossentropy."
                    if name == "categorical_crossentropy"
                    else "reshape the targets to match."
                )
            )
        return y_true.reshape(y_pred.shape)
    return y_true


@keras_export("keras.losses.categorical_crossentropy", "keras.metrics.categorical_crossentropy")
def categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """Per-sample cross-entropy between one-hot (or soft) targets and class scores; ``label_smoothing`` moves
    the targets towards 1 / classes, as Keras does."""
    y_pred = ops.convert_to_tensor(y_pred)
    target = _check_same_shape(
        np.asarray(getattr(y_true, "value", y_true), dtype=np.float32),
        y_pred,
        "categorical_crossentropy",
    )
    if label_smoothing:
        classes = np.float32(target.shape[-1])
        target = target * np.float32(1.0 - label_smoothing) + np.float32(label_smoothing) / classes
    logits = _logits_of(y_pred) if not from_logits else y_pred
    if logits is not None:
        log_p = ops.log_softmax(logits, axis=axis)
    else:
        probs = ops.divide(y_pred, ops.reduce_sum(y_pred, axis=axis, keepdims=True))
        log_p = ops.log(ops.clip(probs, EPSILON, 1 - EPSILON))
    return ops.negative(ops.reduce_sum(ops.multiply(log_p, target), axis=axis))


@keras_export("keras.losses.binary_crossentropy", "keras.metrics.binary_crossentropy")
def binary_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """Mean over the last axis of the element-wise binary cross-entropy; ``label_smoothing`` moves the targets
    towards 0.5, as Keras does."""
    y_pred = ops.convert_to_tensor(y_pred)
    target = _check_same_shape(
        np.asarray(getattr(y_true, "value", y_true), dtype=np.float32),
        y_pred,
        "binary_crossentropy",
    )
    if label_smoothing:
        target = target * np.float32(1.0 - label_smoothing) + np.float32(0.5 * label_smoothing)
    logits = _logits_of(y_pred) if not from_logits else y_pred
    if logits is not None:
        # max(z, 0) - z*t + log(1 + exp(-|z|)): stable for large |z|
        z = logits
        elem = ops.add(
            ops.subtract(ops.relu(z), ops.multiply(z, target)),
            ops.log(ops.add(ops.exp(ops.negative(ops.abs(z))), 1.0)),
        )
    else:
        p = ops.clip(y_pred, EPSILON, 1 - EPSILON)
        elem = ops.negative(
            ops.add(
                ops.multiply(ops.log(p), target),
                ops.multiply(ops.log(ops.subtract(1.0, p)), 1.0 - target),
            )
        )
    return ops.reduce_mean(elem, axis=axis)


@keras_export(
    "keras.losses.mean_squared_error",
    "keras.losses.mse",
    "keras.losses.MSE",
)
def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    y_pred = ops.convert_to_tensor(y_pred)
    target = _check_same_shape(
        np.asarray(getattr(y_true, "value", y_true), dtype=np.float32), y_pred, "mean_squared_error"
    )
    return ops.reduce_mean(ops.square(ops.subtract(y_pred, target)), axis=-1)


@keras_export(
    "keras.losses.mean_absolute_error",
    "keras.losses.mae",
    "keras.losses.MAE",
)
def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    y_pred = ops.convert_to_tensor(y_pred)
    target = _check_same_shape(
        np.asarray(getattr(y_true, "value", y_true), dtype=np.float32),
        y_pred,
        "mean_absolute_error",
    )
    return ops.reduce_mean(ops.abs(ops.subtract(y_pred, target)), axis=-1)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


def compute_weighted_loss(
    losses: Tensor, sample_weight: Any = None, reduction: str = Reduction.SUM_OVER_BATCH_SIZE
) -> Tensor:
    """Multiply by the weights, then reduce: SUM_OVER_BATCH_SIZE divides by the number of elements."""
    if sample_weight is not None:
        sw = np.asarray(getattr(sample_weight, "value", sample_weight), dtype=np.float32)
        if sw.ndim > losses.ndim:
            sw = sw.reshape(sw.shape[: losses.ndim])
        losses = ops.multiply(losses, sw)
    if reduction == Reduction.NONE:
        return losses
    total = ops.reduce_sum(losses)
    if reduction == Reduction.SUM:
        return total
    n = max(1, math.prod(losses.shape))
    return ops.divide(total, np.float32(n))


@keras_export("keras.losses.Loss")
class Loss:
    """A loss object: ``loss(y_true, y_pred, sample_weight=None)`` returns the reduced value."""

    def __init__(self, reduction: str = Reduction.AUTO, name: str | None = None) -> None:
        if reduction not in Reduction.all():
            raise ValueError(
                f'Invalid Reduction Key: {reduction}. Expected keys are "{Reduction.all()}"'
            )
        self.reduction = reduction
        self.name = name

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        raise NotImplementedError("Must be implemented in subclasses.")

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        reduction = (
            Reduction.SUM_OVER_BATCH_SIZE if self.reduction == Reduction.AUTO else self.reduction
        )
        loss = compute_weighted_loss(self.call(y_true, y_pred), sample_weight, reduction)
        if functions.in_hand_loop_step() and rec.stepwise() is not None:
            _emit_hand_loop_loss(self, loss, reduction)
        return loss

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        return cls(**config)

    def get_config(self) -> dict[str, Any]:
        return {"reduction": self.reduction, "name": self.name}


def _emit_hand_loop_loss(loss_obj: Loss, loss: Tensor, reduction: str) -> None:
    """A "loss" event for a loss object a hand-written loop calls itself (fit's LossesContainer records its own)."""
    value = loss.value
    rec.emit(
        "loss",
        loss_obj.name or type(loss_obj).__name__,
        keras="keras.losses.Loss.__call__",
        data=lambda: {
            "name": loss_obj.name,
            "value": float(value) if value.size == 1 else float(value.mean()),
            "reduction": reduction,
            "regularization": 0.0,
        },
    )


@keras_export("keras.__internal__.losses.LossFunctionWrapper")
class LossFunctionWrapper(Loss):
    """Wraps a per-sample loss function (and its keyword arguments) as a Loss."""

    def __init__(
        self,
        fn: Callable[..., Tensor],
        reduction: str = Reduction.AUTO,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(reduction, name)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        """The reduction and name, the function's keyword arguments, and the function's registered name."""
        return {
            **super().get_config(),
            **self._fn_kwargs,
            "fn": object_registration.get_registered_name(self.fn),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        fn_name = config.pop("fn", None)
        if fn_name and cls is LossFunctionWrapper:
            config["fn"] = get(fn_name)
        return cls(**config)


@keras_export("keras.losses.SparseCategoricalCrossentropy")
class SparseCategoricalCrossentropy(LossFunctionWrapper):
    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: int | None = None,
        reduction: str = Reduction.AUTO,
        name: str = "sparse_categorical_crossentropy",
    ) -> None:
        if ignore_class is not None:
            raise NotImplementedError(
                "fittrace's SparseCategoricalCrossentropy has no ignore_class."
            )
        super().__init__(
            sparse_categorical_crossentropy,
            name=name,
            reduction=reduction,
            from_logits=from_logits,
            ignore_class=ignore_class,
        )


@keras_export("keras.losses.CategoricalCrossentropy")
class CategoricalCrossentropy(LossFunctionWrapper):
    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str = Reduction.AUTO,
        name: str = "categorical_crossentropy",
    ) -> None:
        super().__init__(
            categorical_crossentropy,
            name=name,
            reduction=reduction,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


@keras_export("keras.losses.BinaryCrossentropy")
class BinaryCrossentropy(LossFunctionWrapper):
    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str = Reduction.AUTO,
        name: str = "binary_crossentropy",
    ) -> None:
        super().__init__(
            binary_crossentropy,
            name=name,
            reduction=reduction,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits


@keras_export("keras.losses.MeanSquaredError")
class MeanSquaredError(LossFunctionWrapper):
    def __init__(self, reduction: str = Reduction.AUTO, name: str = "mean_squared_error") -> None:
        super().__init__(mean_squared_error, name=name, reduction=reduction)


@keras_export("keras.losses.MeanAbsoluteError")
class MeanAbsoluteError(LossFunctionWrapper):
    def __init__(self, reduction: str = Reduction.AUTO, name: str = "mean_absolute_error") -> None:
        super().__init__(mean_absolute_error, name=name, reduction=reduction)


# What a name in a config may stand for (Keras looks in the module's namespace): the classes, the functions and
# their short names.
_MODULE_OBJECTS: dict[str, Any] = {
    "Loss": Loss,
    "LossFunctionWrapper": LossFunctionWrapper,
    "SparseCategoricalCrossentropy": SparseCategoricalCrossentropy,
    "CategoricalCrossentropy": CategoricalCrossentropy,
    "BinaryCrossentropy": BinaryCrossentropy,
    "MeanSquaredError": MeanSquaredError,
    "MeanAbsoluteError": MeanAbsoluteError,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "binary_crossentropy": binary_crossentropy,
    "mean_squared_error": mean_squared_error,
    "mean_absolute_error": mean_absolute_error,
    "bce": binary_crossentropy,
    "BCE": binary_crossentropy,
    "mse": mean_squared_error,
    "MSE": mean_squared_error,
    "mae": mean_absolute_error,
    "MAE": mean_absolute_error,
}


def serialize(loss: Any, use_legacy_format: bool = False) -> Any:
    """A Loss's config (``{"module": "keras.losses", ...}``); a function's config names it."""
    if loss is None:
        return None
    if not isinstance(loss, Loss):
        warnings.warn(
            "The `keras.losses.serialize()` API should only be used for objects of type "
            f"`keras.losses.Loss`. Found an instance of type {type(loss)}, which may lead to improper "
            "serialization.",
            stacklevel=2,
        )
    if use_legacy_format:
        return legacy_serialization.serialize_keras_object(loss)
    return serialization_lib.serialize_keras_object(loss)


def deserialize(
    name: Any, custom_objects: dict[str, Any] | None = None, use_legacy_format: bool = False
) -> Any:
    """The Loss or loss function a config or a name stands for (a class name gives an instance)."""
    if use_legacy_format:
        return legacy_serialization.deserialize_keras_object(
            name,
            module_objects=_MODULE_OBJECTS,
            custom_objects=custom_objects,
            printable_module_name="loss function",
        )
    found = serialization_lib.deserialize_keras_object(
        name,
        module_objects=_MODULE_OBJECTS,
        custom_objects=custom_objects,
        printable_module_name="loss function",
    )
    if isinstance(found, str):  # Keras hands the unknown name back; fittrace says so
        raise unknown("loss function", found)
    return found


def get(identifier: Any) -> Any:
    """A function's name gives the plain function (as in Keras 2), a class name an instance, a config its
    object; a Loss or a callable as it is."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        return deserialize(str(identifier), use_legacy_format="module" not in identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss function identifier: {identifier}")
