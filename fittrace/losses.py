"""Losses: the functions (one value per sample) and the Loss classes that reduce them.

Mirrors ``keras.losses`` (tf_keras/src/losses.py) and the reductions of ``keras.utils.losses_utils``:
``get("sparse_categorical_crossentropy")`` returns the plain function, as Keras 2 does (``compile`` wraps it);
``SUM_OVER_BATCH_SIZE`` divides the weighted sum by the number of elements, not by the sum of weights.
Cross-entropy follows Keras 2's backend: a softmax/sigmoid output carries its logits (``_keras_logits``) and the
loss uses them (a stable log-softmax); only without them are probabilities clipped to [1e-7, 1 - 1e-7].
``get_config``/``from_config``, ``serialize``, ``deserialize`` and ``get`` are Keras's.
Also Keras's regression and margin losses, each a function and a class: Huber (``delta``), KLDivergence,
Poisson, CosineSimilarity (``axis``), LogCosh, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, and
Hinge, SquaredHinge (labels that are all 0 or 1 become -1 and 1 first, as Keras's) and CategoricalHinge. Only the
cross-entropies take ``from_logits`` and ``label_smoothing``, as in Keras. CategoricalHinge's largest wrong-class
score sends its gradient to the first of equal scores (TensorFlow's ``reduce_max`` shares it among them).
A mask on ``y_pred`` (``_keras_mask``) weights the per-sample losses as Keras's ``Loss.__call__`` does
(utils/losses_utils.py). Left out: ``ignore_class`` (refused), CategoricalFocalCrossentropy, BinaryFocalCrossentropy.

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
from fittrace.autodiff import Tensor, to_numpy
from fittrace.engine import functions
from fittrace.saving import object_registration, serialization_lib
from fittrace.saving.keras_export import keras_export
from fittrace.saving.legacy import serialization as legacy_serialization
from fittrace.saving.legacy.serialization import unknown
from fittrace.tracing import recorder as rec
from fittrace.utils import losses_utils

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


def _pair(y_true: Any, y_pred: Any, name: str) -> tuple[np.ndarray, Tensor]:
    """The targets as float32 shaped as the predictions (a trailing axis of 1 added or removed), and the
    predictions as a Tensor."""
    y_pred = ops.convert_to_tensor(y_pred)
    target = np.asarray(getattr(y_true, "value", y_true), dtype=np.float32)
    if target.ndim == y_pred.ndim + 1 and target.shape[-1] == 1:
        target = target.reshape(target.shape[:-1])
    return _check_same_shape(target, y_pred, name), y_pred


@keras_export("keras.losses.huber", "keras.metrics.huber")
def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Tensor:
    """Mean over the last axis of 0.5 * e**2 where |e| <= delta, else delta * |e| - 0.5 * delta**2."""
    target, y_pred = _pair(y_true, y_pred, "huber")
    error = ops.subtract(y_pred, target)
    abs_error = ops.abs(error)
    d = np.float32(delta)
    quadratic = ops.multiply(ops.square(error), np.float32(0.5))
    linear = ops.subtract(ops.multiply(abs_error, d), np.float32(0.5) * d * d)
    return ops.reduce_mean(ops.where(abs_error.value <= d, quadratic, linear), axis=-1)


@keras_export(
    "keras.losses.kl_divergence",
    "keras.losses.kullback_leibler_divergence",
    "keras.losses.kld",
    "keras.losses.KLD",
    "keras.metrics.kl_divergence",
    "keras.metrics.kullback_leibler_divergence",
    "keras.metrics.kld",
    "keras.metrics.KLD",
)
def kl_divergence(y_true: Any, y_pred: Any) -> Tensor:
    """Sum over the last axis of t * log(t / p), both clipped to [1e-7, 1]."""
    target, y_pred = _pair(y_true, y_pred, "kl_divergence")
    t = np.clip(target, EPSILON, 1).astype(np.float32)
    p = ops.clip(y_pred, EPSILON, 1)
    return ops.reduce_sum(ops.multiply(ops.subtract(np.log(t), ops.log(p)), t), axis=-1)


@keras_export("keras.losses.poisson", "keras.metrics.poisson")
def poisson(y_true: Any, y_pred: Any) -> Tensor:
    """Mean over the last axis of p - t * log(p + 1e-7)."""
    target, y_pred = _pair(y_true, y_pred, "poisson")
    return ops.reduce_mean(
        ops.subtract(y_pred, ops.multiply(ops.log(ops.add(y_pred, np.float32(EPSILON))), target)),
        axis=-1,
    )


@keras_export("keras.losses.cosine_similarity")
def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    """Minus the cosine of the angle between target and prediction along ``axis`` (-1 when they align)."""
    target, y_pred = _pair(y_true, y_pred, "cosine_similarity")
    t = ops.l2_normalize(target, axis=axis)
    p = ops.l2_normalize(y_pred, axis=axis)
    return ops.negative(ops.reduce_sum(ops.multiply(t, p), axis=axis))


def _softplus(z: Tensor) -> Tensor:
    """log(1 + exp(z)), computed as relu(z) + log(1 + exp(-|z|)) so that large |z| stay finite."""
    return ops.add(ops.relu(z), ops.log(ops.add(ops.exp(ops.negative(ops.abs(z))), 1.0)))


@keras_export(
    "keras.losses.log_cosh",
    "keras.losses.logcosh",
    "keras.metrics.log_cosh",
    "keras.metrics.logcosh",
)
def log_cosh(y_true: Any, y_pred: Any) -> Tensor:
    """Mean over the last axis of log(cosh(p - t)), as x + softplus(-2x) - log 2."""
    target, y_pred = _pair(y_true, y_pred, "log_cosh")
    x = ops.subtract(y_pred, target)
    value = ops.subtract(
        ops.add(x, _softplus(ops.multiply(x, np.float32(-2.0)))), np.float32(math.log(2.0))
    )
    return ops.reduce_mean(value, axis=-1)


def _maybe_convert_labels(target: np.ndarray) -> np.ndarray:
    """Labels that are all 0 or 1 become -1 and 1 (Keras's hinge losses expect -1/1)."""
    if np.all((target == 0) | (target == 1)):
        return (2.0 * target - 1.0).astype(np.float32)
    return target


@keras_export("keras.losses.hinge", "keras.metrics.hinge")
def hinge(y_true: Any, y_pred: Any) -> Tensor:
    """Mean over the last axis of max(1 - t * p, 0), labels in {-1, 1} (0/1 labels converted)."""
    target, y_pred = _pair(y_true, y_pred, "hinge")
    margin = ops.subtract(1.0, ops.multiply(y_pred, _maybe_convert_labels(target)))
    return ops.reduce_mean(ops.maximum(margin, np.float32(0.0)), axis=-1)


@keras_export("keras.losses.squared_hinge", "keras.metrics.squared_hinge")
def squared_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """Mean over the last axis of max(1 - t * p, 0) ** 2 (0/1 labels converted to -1/1)."""
    target, y_pred = _pair(y_true, y_pred, "squared_hinge")
    margin = ops.subtract(1.0, ops.multiply(y_pred, _maybe_convert_labels(target)))
    return ops.reduce_mean(ops.square(ops.maximum(margin, np.float32(0.0))), axis=-1)


@keras_export("keras.losses.categorical_hinge", "keras.metrics.categorical_hinge")
def categorical_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """max(largest wrong-class score - true-class score + 1, 0) for one-hot targets."""
    target, y_pred = _pair(y_true, y_pred, "categorical_hinge")
    pos = ops.reduce_sum(ops.multiply(y_pred, target), axis=-1)
    wrong = ops.multiply(y_pred, 1.0 - target)
    first_max = np.argmax(wrong.value, axis=-1)[..., None]
    pick = (np.arange(wrong.shape[-1]) == first_max).astype(np.float32)
    neg = ops.reduce_sum(ops.multiply(wrong, pick), axis=-1)
    return ops.maximum(ops.add(ops.subtract(neg, pos), 1.0), np.float32(0.0))


@keras_export(
    "keras.losses.mean_absolute_percentage_error",
    "keras.losses.mape",
    "keras.losses.MAPE",
    "keras.metrics.mean_absolute_percentage_error",
    "keras.metrics.mape",
    "keras.metrics.MAPE",
)
def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Tensor:
    """100 * mean over the last axis of |t - p| / max(|t|, 1e-7)."""
    target, y_pred = _pair(y_true, y_pred, "mean_absolute_percentage_error")
    scale = np.maximum(np.abs(target), np.float32(EPSILON)).astype(np.float32)
    diff = ops.abs(ops.divide(ops.subtract(target, y_pred), scale))
    return ops.multiply(ops.reduce_mean(diff, axis=-1), np.float32(100.0))


@keras_export(
    "keras.losses.mean_squared_logarithmic_error",
    "keras.losses.msle",
    "keras.losses.MSLE",
    "keras.metrics.mean_squared_logarithmic_error",
    "keras.metrics.msle",
    "keras.metrics.MSLE",
)
def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Tensor:
    """Mean over the last axis of (log(max(p, 1e-7) + 1) - log(max(t, 1e-7) + 1)) ** 2."""
    target, y_pred = _pair(y_true, y_pred, "mean_squared_logarithmic_error")
    first = ops.log(ops.add(ops.maximum(y_pred, np.float32(EPSILON)), 1.0))
    second = np.log(np.maximum(target, np.float32(EPSILON)) + 1.0).astype(np.float32)
    return ops.reduce_mean(ops.square(ops.subtract(first, second)), axis=-1)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
huber_loss = huber


def compute_weighted_loss(
    losses: Tensor, sample_weight: Any = None, reduction: str = Reduction.SUM_OVER_BATCH_SIZE
) -> Tensor:
    """Multiply by the weights, then reduce: SUM_OVER_BATCH_SIZE divides by the number of elements."""
    if sample_weight is not None:
        sw = np.asarray(getattr(sample_weight, "value", sample_weight), dtype=np.float32)
        if sw.ndim > losses.ndim:
            sw = sw.reshape(sw.shape[: losses.ndim])
        elif sw.ndim and sw.ndim == losses.ndim - 1:  # per-sample weights of per-timestep losses
            sw = sw[..., None]
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
        losses = self.call(y_true, y_pred)
        # as Keras: the mask of y_pred (and of the losses) weights the entries, the mean over valid ones only
        in_mask, out_mask = losses_utils.get_mask(y_pred), losses_utils.get_mask(losses)
        if in_mask is not None and out_mask is not None:
            mask = np.logical_and(to_numpy(in_mask), to_numpy(out_mask))
        else:
            mask = in_mask if in_mask is not None else out_mask
        if mask is not None:
            sample_weight = losses_utils.apply_valid_mask(losses, sample_weight, mask, reduction)
        loss = compute_weighted_loss(losses, sample_weight, reduction)
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


@keras_export("keras.losses.Huber")
class Huber(LossFunctionWrapper):
    """Quadratic for errors up to ``delta``, linear beyond: MSE's smoothness without its pull from outliers."""

    def __init__(
        self, delta: float = 1.0, reduction: str = Reduction.AUTO, name: str = "huber_loss"
    ) -> None:
        super().__init__(huber, name=name, reduction=reduction, delta=delta)


@keras_export("keras.losses.CosineSimilarity")
class CosineSimilarity(LossFunctionWrapper):
    def __init__(
        self, axis: int = -1, reduction: str = Reduction.AUTO, name: str = "cosine_similarity"
    ) -> None:
        super().__init__(cosine_similarity, reduction=reduction, name=name, axis=axis)


@keras_export("keras.losses.KLDivergence")
class KLDivergence(LossFunctionWrapper):
    """The Kullback-Leibler divergence of ``y_pred`` from ``y_true``."""

    def __init__(self, reduction: str = Reduction.AUTO, name: str = "kl_divergence") -> None:
        super().__init__(kl_divergence, name=name, reduction=reduction)


@keras_export("keras.losses.Poisson")
class Poisson(LossFunctionWrapper):
    """The Poisson loss: ``y_pred - y_true * log(y_pred)``."""

    def __init__(self, reduction: str = Reduction.AUTO, name: str = "poisson") -> None:
        super().__init__(poisson, name=name, reduction=reduction)


@keras_export("keras.losses.LogCosh")
class LogCosh(LossFunctionWrapper):
    """The log of the hyperbolic cosine of the error."""

    def __init__(self, reduction: str = Reduction.AUTO, name: str = "log_cosh") -> None:
        super().__init__(log_cosh, name=name, reduction=reduction)


@keras_export("keras.losses.Hinge")
class Hinge(LossFunctionWrapper):
    """The hinge loss (labels -1/1, or 0/1 converted)."""

    def __init__(self, reduction: str = Reduction.AUTO, name: str = "hinge") -> None:
        super().__init__(hinge, name=name, reduction=reduction)


@keras_export("keras.losses.SquaredHinge")
class SquaredHinge(LossFunctionWrapper):
    """The squared hinge loss (labels -1/1, or 0/1 converted)."""

    def __init__(self, reduction: str = Reduction.AUTO, name: str = "squared_hinge") -> None:
        super().__init__(squared_hinge, name=name, reduction=reduction)


@keras_export("keras.losses.CategoricalHinge")
class CategoricalHinge(LossFunctionWrapper):
    """The hinge loss for one-hot targets."""

    def __init__(self, reduction: str = Reduction.AUTO, name: str = "categorical_hinge") -> None:
        super().__init__(categorical_hinge, name=name, reduction=reduction)


@keras_export("keras.losses.MeanAbsolutePercentageError")
class MeanAbsolutePercentageError(LossFunctionWrapper):
    """100 times the mean absolute error relative to the target."""

    def __init__(
        self, reduction: str = Reduction.AUTO, name: str = "mean_absolute_percentage_error"
    ) -> None:
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction)


@keras_export("keras.losses.MeanSquaredLogarithmicError")
class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """The mean squared error of ``log(1 + y)``."""

    def __init__(
        self, reduction: str = Reduction.AUTO, name: str = "mean_squared_logarithmic_error"
    ) -> None:
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction)


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
    "Huber": Huber,
    "KLDivergence": KLDivergence,
    "Poisson": Poisson,
    "CosineSimilarity": CosineSimilarity,
    "LogCosh": LogCosh,
    "Hinge": Hinge,
    "SquaredHinge": SquaredHinge,
    "CategoricalHinge": CategoricalHinge,
    "MeanAbsolutePercentageError": MeanAbsolutePercentageError,
    "MeanSquaredLogarithmicError": MeanSquaredLogarithmicError,
    "huber": huber,
    "huber_loss": huber,
    "kl_divergence": kl_divergence,
    "kullback_leibler_divergence": kl_divergence,
    "kld": kl_divergence,
    "KLD": kl_divergence,
    "poisson": poisson,
    "cosine_similarity": cosine_similarity,
    "log_cosh": log_cosh,
    "logcosh": log_cosh,
    "hinge": hinge,
    "squared_hinge": squared_hinge,
    "categorical_hinge": categorical_hinge,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
    "mape": mean_absolute_percentage_error,
    "MAPE": mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error,
    "msle": mean_squared_logarithmic_error,
    "MSLE": mean_squared_logarithmic_error,
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
