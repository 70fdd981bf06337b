"""The confusion-matrix metrics: the four counts (``TruePositives``...), ``Precision``, ``Recall``, the rates at a
constraint (``SensitivityAtSpecificity``, ``SpecificityAtSensitivity``, ``PrecisionAtRecall``,
``RecallAtPrecision``) and ``AUC``.

Mirrors tf_keras/src/metrics/confusion_metrics.py, with the counting of tf_keras/src/utils/metrics_utils.py
(``update_confusion_matrix_variables``) beside it here, since nothing else uses it. A prediction counts as positive
at a threshold when it is strictly greater than it. With evenly spaced thresholds (AUC's default, or a list that
happens to be even) Keras puts each prediction in a bucket, ``ceil(p * (T - 1)) - 1`` on predictions clipped to
[0, 1], and sums the buckets from the top; otherwise it compares each prediction with each threshold, unclipped.
Both ways are kept, in float32, since they differ at the edges. ``top_k`` keeps each row's k largest predictions
(ties to the lower index, as ``tf.math.top_k``) and sets the others to -1e10; ``class_id`` keeps one column.
AUC's PR curve with ``summation_method="interpolation"`` is Davis & Goadrich's interpolation as Keras computes it
(precision linear in the number of positive predictions between two thresholds); every other case is a
Riemann sum with the trapezoid (interpolation), the lower (minoring) or the upper (majoring) height.
Left out: ragged inputs, distribution strategies.

    >>> m = Precision()
    >>> m.update_state(np.array([0, 1, 1, 1]), np.array([1, 0, 1, 1])); m.result()
    0.6666666865348816
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.autodiff import Variable, to_numpy
from fittrace.metrics.base_metric import Metric
from fittrace.saving.keras_export import keras_export

NEG_INF = -1e10
EPSILON = 1e-7
TP, FP, TN, FN = "tp", "fp", "tn", "fn"
_F32 = np.float32


def _to_list(x: Any) -> list[Any]:
    if isinstance(x, (list, tuple)):
        return list(x)
    if isinstance(x, np.ndarray):
        return list(x.reshape(-1))
    return [x]


def parse_init_thresholds(thresholds: Any, default_threshold: float = 0.5) -> list[Any]:
    """The thresholds as a list, each checked to lie in [0, 1] (Keras's message)."""
    if thresholds is not None:
        invalid = [t for t in _to_list(thresholds) if t is None or t < 0 or t > 1]
        if invalid:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {invalid}")
    return _to_list(default_threshold if thresholds is None else thresholds)


def is_evenly_distributed_thresholds(thresholds: Any) -> bool:
    """Are the thresholds 0, 1/(T-1), ..., 1 (three or more of them)? Then the bucket method applies."""
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(np.asarray(thresholds, dtype=np.float64), even, atol=EPSILON))


def _squeeze_or_expand(
    y_pred: np.ndarray, y_true: np.ndarray, sw: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Drop a trailing axis of size 1 where the ranks differ by one, as Keras's ``squeeze_or_expand_dimensions``."""
    pred_rank = y_pred.ndim
    if pred_rank - y_true.ndim != 1 or y_pred.shape[-1:] == (1,):
        diff = y_pred.ndim - y_true.ndim
        if diff == 1 and y_pred.shape[-1] == 1:
            y_pred = y_pred[..., 0]
        elif diff == -1 and y_true.shape[-1] == 1:
            y_true = y_true[..., 0]
    if sw is not None and sw.ndim:
        if sw.ndim - pred_rank == 1:
            sw = sw[..., 0]
        elif pred_rank - sw.ndim == 1:
            sw = sw[..., None]
    return y_pred, y_true, sw


def _broadcast_weights(w: np.ndarray, like: np.ndarray) -> np.ndarray:
    """``tf.__internal__.ops.broadcast_weights``: trailing size-1 axes added, then broadcast to ``like``."""
    w = np.asarray(w, dtype=_F32)
    if w.ndim and w.ndim < like.ndim:
        w = w.reshape(w.shape + (1,) * (like.ndim - w.ndim))
    return np.broadcast_to(w, like.shape)


def _filter_top_k(x: np.ndarray, k: int) -> np.ndarray:
    idx = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    mask = np.zeros(x.shape, dtype=bool)
    np.put_along_axis(mask, idx, True, axis=-1)
    return np.where(mask, x, _F32(NEG_INF)).astype(_F32)


def update_confusion_matrix_variables(
    variables_to_update: dict[str, Variable],
    y_true: Any,
    y_pred: Any,
    thresholds: Any,
    top_k: int | None = None,
    class_id: int | None = None,
    sample_weight: Any = None,
    multi_label: bool = False,
    label_weights: Any = None,
    thresholds_distributed_evenly: bool = False,
) -> None:
    """Add this batch's (weighted) counts at each threshold to the given variables (keys "tp", "fp", "tn",
    "fn")."""
    if multi_label and label_weights is not None:
        raise ValueError(
            "`label_weights` for multilabel data should be handled outside of "
            "`update_confusion_matrix_variables` when `multi_label` is True."
        )
    thresholds = np.asarray(thresholds, dtype=np.float64)
    with_epsilon = bool(thresholds[0] < 0.0 or thresholds[-1] > 1.0)
    thresholds = thresholds.astype(_F32)
    y_true = to_numpy(y_true).astype(_F32)
    y_pred = to_numpy(y_pred).astype(_F32)
    sw = None if sample_weight is None else to_numpy(sample_weight).astype(_F32)
    y_pred, y_true, sw = _squeeze_or_expand(y_pred, y_true, sw)
    if y_pred.shape != y_true.shape and not _compatible(y_pred.shape, y_true.shape):
        raise ValueError(
            f"Shapes {_shape(y_pred.shape)} and {_shape(y_true.shape)} are incompatible"
        )
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    lw = None if label_weights is None else np.asarray(label_weights, dtype=_F32)
    if thresholds_distributed_evenly:
        counts = _bucket_counts(y_true, y_pred, thresholds, multi_label, sw, lw, with_epsilon)
    else:
        counts = _threshold_counts(y_true, y_pred, thresholds, multi_label, sw, lw)
    for key, var in variables_to_update.items():
        var.assign_add(counts[key].astype(var.value.dtype))


def _compatible(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return len(a) == len(b) and all(x == y for x, y in zip(a, b))


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _weights(
    sw: np.ndarray | None, lw: np.ndarray | None, y_pred: np.ndarray, multi_label: bool
) -> np.ndarray:
    w = np.ones(y_pred.shape, dtype=_F32) if sw is None else _broadcast_weights(sw, y_pred)
    if lw is not None:
        w = w * _broadcast_weights(lw[None], y_pred)
    return w if multi_label else w.reshape(-1)


def _bucket_counts(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    thresholds: np.ndarray,
    multi_label: bool,
    sw: np.ndarray | None,
    lw: np.ndarray | None,
    with_epsilon: bool,
) -> dict[str, np.ndarray]:
    """Keras's optimized path for evenly spaced thresholds: one bucket per prediction, summed from the top."""
    n = len(thresholds)
    weights = _weights(sw, lw, y_pred, multi_label)
    y_pred = np.clip(y_pred, 0.0, 1.0)
    y_true = (y_true != 0).astype(_F32)
    if not multi_label:
        y_true, y_pred = y_true.reshape(-1), y_pred.reshape(-1)
    true_labels = y_true * weights
    false_labels = (1.0 - y_true) * weights
    bucket = np.ceil(y_pred * _F32(n - 1)) - 1
    if with_epsilon:
        bucket = np.maximum(bucket, 0)
    bucket = bucket.astype(np.int64)

    def per_bucket(labels: np.ndarray, ids: np.ndarray) -> np.ndarray:
        keep = ids >= 0  # unsorted_segment_sum drops negative ids
        return np.bincount(ids[keep], weights=labels[keep], minlength=n)[:n].astype(_F32)

    if multi_label:
        tp_b = np.stack(
            [per_bucket(true_labels[:, j], bucket[:, j]) for j in range(y_pred.shape[1])]
        )
        fp_b = np.stack(
            [per_bucket(false_labels[:, j], bucket[:, j]) for j in range(y_pred.shape[1])]
        )
        tp = np.cumsum(tp_b[:, ::-1], axis=1, dtype=_F32)[:, ::-1].T
        fp = np.cumsum(fp_b[:, ::-1], axis=1, dtype=_F32)[:, ::-1].T
        total_true = true_labels.sum(axis=0, dtype=_F32)
        total_false = false_labels.sum(axis=0, dtype=_F32)
    else:
        tp = np.cumsum(per_bucket(true_labels, bucket)[::-1], dtype=_F32)[::-1]
        fp = np.cumsum(per_bucket(false_labels, bucket)[::-1], dtype=_F32)[::-1]
        total_true, total_false = true_labels.sum(dtype=_F32), false_labels.sum(dtype=_F32)
    return {TP: tp, FP: fp, TN: total_false - fp, FN: total_true - tp}


def _threshold_counts(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    thresholds: np.ndarray,
    multi_label: bool,
    sw: np.ndarray | None,
    lw: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """Each prediction against each threshold (shape (T, N) flattened, or (T, N, L) for multi_label)."""
    weights = _weights(sw, lw, y_pred, multi_label)
    if multi_label:
        pred, label = y_pred[None], (y_true != 0)[None]
        th = thresholds.reshape(-1, 1, 1)
    else:
        pred, label = y_pred.reshape(1, -1), (y_true != 0).reshape(1, -1)
        th = thresholds.reshape(-1, 1)
    pred_pos = pred > th
    w = weights[None]

    def count(lab: np.ndarray, pr: np.ndarray) -> np.ndarray:
        return ((lab & pr).astype(_F32) * w).sum(axis=1, dtype=_F32)

    return {
        TP: count(label, pred_pos),
        FN: count(label, ~pred_pos),
        FP: count(~label, pred_pos),
        TN: count(~label, ~pred_pos),
    }


def _divide_no_nan(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = np.asarray(a, dtype=_F32), np.asarray(b, dtype=_F32)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b == 0, _F32(0.0), a / np.where(b == 0, _F32(1.0), b)).astype(_F32)


def _scalar_or_array(values: np.ndarray, single: bool) -> Any:
    return float(values[0]) if single else np.array(values, dtype=_F32)


class _ConfusionMatrixConditionCount(Metric):
    """One count (true positives, ...) at each threshold, in the variable ``accumulator``."""

    _condition = TP

    def __init__(self, thresholds: Any = None, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = parse_init_thresholds(thresholds, default_threshold=0.5)
        self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(self.thresholds)
        self.accumulator = self.add_weight("accumulator", shape=(len(self.thresholds),))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        update_confusion_matrix_variables(
            {self._condition: self.accumulator},
            y_true,
            y_pred,
            thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight,
        )

    def result(self) -> Any:
        return _scalar_or_array(self.accumulator.value, len(self.thresholds) == 1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds}


@keras_export("keras.metrics.TruePositives")
class TruePositives(_ConfusionMatrixConditionCount):
    _condition = TP


@keras_export("keras.metrics.FalsePositives")
class FalsePositives(_ConfusionMatrixConditionCount):
    _condition = FP


@keras_export("keras.metrics.TrueNegatives")
class TrueNegatives(_ConfusionMatrixConditionCount):
    _condition = TN


@keras_export("keras.metrics.FalseNegatives")
class FalseNegatives(_ConfusionMatrixConditionCount):
    _condition = FN


class _PrecisionOrRecall(Metric):
    """True positives and the other count (false positives for precision, false negatives for recall)."""

    _other = FP

    def __init__(
        self,
        thresholds: Any = None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else NEG_INF
        self.thresholds = parse_init_thresholds(thresholds, default_threshold=default)
        self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_weight("true_positives", shape=(n,))
        other = "false_positives" if self._other == FP else "false_negatives"
        setattr(self, other, self.add_weight(other, shape=(n,)))
        self._other_var: Variable = getattr(self, other)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        update_confusion_matrix_variables(
            {TP: self.true_positives, self._other: self._other_var},
            y_true,
            y_pred,
            thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            top_k=self.top_k,
            class_id=self.class_id,
            sample_weight=sample_weight,
        )

    def result(self) -> Any:
        tp = self.true_positives.value
        values = _divide_no_nan(tp, tp + self._other_var.value)
        return _scalar_or_array(values, len(self.thresholds) == 1)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


@keras_export("keras.metrics.Precision")
class Precision(_PrecisionOrRecall):
    """Of the predictions above the threshold, the (weighted) share whose label is positive."""

    _other = FP


@keras_export("keras.metrics.Recall")
class Recall(_PrecisionOrRecall):
    """Of the positive labels, the (weighted) share predicted above the threshold."""

    _other = FN


class SensitivitySpecificityBase(Metric):
    """The four counts at ``num_thresholds`` evenly spaced thresholds, for a rate at a constraint on another."""

    def __init__(
        self,
        value: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if num_thresholds <= 0:
            raise ValueError(
                "Argument `num_thresholds` must be an integer > 0. "
                f"Received: num_thresholds={num_thresholds}"
            )
        self.value = value
        self.class_id = class_id
        self.true_positives = self.add_weight("true_positives", shape=(num_thresholds,))
        self.true_negatives = self.add_weight("true_negatives", shape=(num_thresholds,))
        self.false_positives = self.add_weight("false_positives", shape=(num_thresholds,))
        self.false_negatives = self.add_weight("false_negatives", shape=(num_thresholds,))
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
            self._thresholds_distributed_evenly = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        update_confusion_matrix_variables(
            {
                TP: self.true_positives,
                TN: self.true_negatives,
                FP: self.false_positives,
                FN: self.false_negatives,
            },
            y_true,
            y_pred,
            thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            class_id=self.class_id,
            sample_weight=sample_weight,
        )

    def _rates(self) -> dict[str, np.ndarray]:
        tp, tn = self.true_positives.value, self.true_negatives.value
        fp, fn = self.false_positives.value, self.false_negatives.value
        return {
            "sensitivity": _divide_no_nan(tp, tp + fn),
            "specificity": _divide_no_nan(tn, tn + fp),
            "precision": _divide_no_nan(tp, tp + fp),
        }

    def _max_under_constraint(self, constrained: np.ndarray, dependent: np.ndarray) -> float:
        """The largest ``dependent`` where ``constrained >= value``; 0 where no threshold meets it."""
        feasible = constrained >= self.value
        return float(dependent[feasible].max()) if feasible.any() else 0.0

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "class_id": self.class_id}


def _check_rate(name: str, value: float) -> None:
    if value < 0 or value > 1:
        raise ValueError(f"Argument `{name}` must be in the range [0, 1]. Received: {name}={value}")


@keras_export("keras.metrics.SensitivityAtSpecificity")
class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """The best sensitivity (recall) among the thresholds whose specificity is at least ``specificity``."""

    def __init__(
        self,
        specificity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        _check_rate("specificity", specificity)
        self.specificity = specificity
        self.num_thresholds = num_thresholds
        super().__init__(specificity, num_thresholds, class_id, name, dtype)

    def result(self) -> float:
        r = self._rates()
        return self._max_under_constraint(r["specificity"], r["sensitivity"])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "specificity": self.specificity,
        }


@keras_export("keras.metrics.SpecificityAtSensitivity")
class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """The best specificity among the thresholds whose sensitivity is at least ``sensitivity``."""

    def __init__(
        self,
        sensitivity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        _check_rate("sensitivity", sensitivity)
        self.sensitivity = sensitivity
        self.num_thresholds = num_thresholds
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)

    def result(self) -> float:
        r = self._rates()
        return self._max_under_constraint(r["sensitivity"], r["specificity"])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "sensitivity": self.sensitivity,
        }


@keras_export("keras.metrics.PrecisionAtRecall")
class PrecisionAtRecall(SensitivitySpecificityBase):
    """The best precision among the thresholds whose recall is at least ``recall``."""

    def __init__(
        self,
        recall: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        _check_rate("recall", recall)
        self.recall = recall
        self.num_thresholds = num_thresholds
        super().__init__(recall, num_thresholds, class_id, name, dtype)

    def result(self) -> float:
        r = self._rates()
        return self._max_under_constraint(r["sensitivity"], r["precision"])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "recall": self.recall,
        }


@keras_export("keras.metrics.RecallAtPrecision")
class RecallAtPrecision(SensitivitySpecificityBase):
    """The best recall among the thresholds whose precision is at least ``precision``."""

    def __init__(
        self,
        precision: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        _check_rate("precision", precision)
        self.precision = precision
        self.num_thresholds = num_thresholds
        super().__init__(precision, num_thresholds, class_id, name, dtype)

    def result(self) -> float:
        r = self._rates()
        return self._max_under_constraint(r["precision"], r["sensitivity"])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "precision": self.precision,
        }


_CURVES = {"pr": "PR", "PR": "PR", "roc": "ROC", "ROC": "ROC"}
_CURVES.update({k: "PR_GAIN" for k in ("pr_gain", "prgain", "PR_GAIN", "PRGAIN")})
_SUMMATIONS = {
    "interpolation": "interpolation",
    "Interpolation": "interpolation",
    "majoring": "majoring",
    "Majoring": "majoring",
    "minoring": "minoring",
    "Minoring": "minoring",
}


@keras_export("keras.metrics.AUC")
class AUC(Metric):
    """The area under the ROC or the precision-recall curve, from the four counts at ``num_thresholds``
    thresholds (or at 0 - eps, the given ``thresholds`` and 1 + eps)."""

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype: Any = None,
        thresholds: Any = None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights: Any = None,
        from_logits: bool = False,
    ) -> None:
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._thresholds_distributed_evenly = is_evenly_distributed_thresholds(
                np.array([0.0] + thresholds + [1.0])
            )
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    "Argument `num_thresholds` must be an integer > 1. "
                    f"Received: num_thresholds={num_thresholds}"
                )
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        self._thresholds = np.array([0.0 - EPSILON] + thresholds + [1.0 + EPSILON])
        if curve not in _CURVES:
            raise ValueError(
                f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC", "PR_GAIN"]'
            )
        self.curve = _CURVES[curve]
        if summation_method not in _SUMMATIONS:
            raise ValueError(
                f'Invalid AUC summation method value: "{summation_method}". '
                'Expected values are ["interpolation", "majoring", "minoring"]'
            )
        self.summation_method = _SUMMATIONS[summation_method]
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        if label_weights is not None:
            label_weights = np.asarray(label_weights, dtype=self.dtype)
            if np.any(label_weights < 0):
                raise ValueError("All values of `label_weights` must be non-negative.")
        self.label_weights = label_weights
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self) -> list[float]:
        return list(self._thresholds)

    def _build(self, shape: tuple[Any, ...] | None) -> None:
        if self.multi_label:
            assert shape is not None
            if len(shape) != 2:
                raise ValueError(
                    "`y_pred` must have rank 2 when `multi_label=True`. "
                    f"Found rank {len(shape)}. Full shape received for `y_pred`: {_shape(shape)}"
                )
            self._num_labels = int(shape[1])
            var_shape: tuple[int, ...] = (self.num_thresholds, self._num_labels)
        else:
            var_shape = (self.num_thresholds,)
        self.true_positives = self.add_weight("true_positives", shape=var_shape)
        self.true_negatives = self.add_weight("true_negatives", shape=var_shape)
        self.false_positives = self.add_weight("false_positives", shape=var_shape)
        self.false_negatives = self.add_weight("false_negatives", shape=var_shape)
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_pred = to_numpy(y_pred).astype(_F32)
        if not self._built:
            self._build(tuple(y_pred.shape))
        if self.multi_label or self.label_weights is not None:
            t = to_numpy(y_true)
            labels = t.shape[-1] if t.ndim == 2 else None
            wanted = {self._num_labels} if self.multi_label else set()
            if self.label_weights is not None:
                wanted.add(len(self.label_weights))
            if labels is None or len(wanted | {labels}) > 1:
                raise ValueError("Number of labels is not consistent.")
        if self._from_logits:
            y_pred = (1.0 / (1.0 + np.exp(-y_pred))).astype(_F32)
        update_confusion_matrix_variables(
            {
                TP: self.true_positives,
                TN: self.true_negatives,
                FP: self.false_positives,
                FN: self.false_negatives,
            },
            y_true,
            y_pred,
            self._thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
        )

    def _by_label(self, per_label: np.ndarray) -> float:
        if self.label_weights is None:
            return float(np.mean(per_label, dtype=_F32))
        lw = self.label_weights.astype(_F32)
        return float(_divide_no_nan(np.sum(per_label * lw, dtype=_F32), np.sum(lw, dtype=_F32)))

    def interpolate_pr_auc(self) -> float:
        """Davis & Goadrich's interpolated PR area, as Keras sums it over the threshold intervals."""
        n = self.num_thresholds
        tp, fp, fn = (
            self.true_positives.value,
            self.false_positives.value,
            self.false_negatives.value,
        )
        dtp = tp[: n - 1] - tp[1:]
        p = tp + fp
        dp = p[: n - 1] - p[1:]
        prec_slope = _divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - prec_slope * p[1:]
        safe_p_ratio = np.where(
            (p[: n - 1] > 0) & (p[1:] > 0),
            _divide_no_nan(p[: n - 1], np.maximum(p[1:], 0)),
            np.ones_like(p[1:]),
        )
        with np.errstate(divide="ignore"):
            log_ratio = np.log(safe_p_ratio).astype(_F32)
        increment = _divide_no_nan(
            prec_slope * (dtp + intercept * log_ratio), np.maximum(tp[1:] + fn[1:], 0)
        )
        if self.multi_label:
            return self._by_label(np.sum(increment, axis=0, dtype=_F32))
        return float(np.sum(increment, dtype=_F32))

    def result(self) -> float:
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        tp, tn = self.true_positives.value, self.true_negatives.value
        fp, fn = self.false_positives.value, self.false_negatives.value
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, _divide_no_nan(tp, tp + fp)
        else:  # PR_GAIN
            scaling = _divide_no_nan(tp + fn, fp + tn)
            recall_gain = np.where(tp == 0, 0.0, 1.0 - scaling * _divide_no_nan(fn, tp))
            precision_gain = np.where(tp == 0, 1.0, 1.0 - scaling * _divide_no_nan(fp, tp))
            x, y = np.maximum(recall_gain, 0).astype(_F32), precision_gain.astype(_F32)
        n = self.num_thresholds
        if self.summation_method == "interpolation":
            heights = (y[: n - 1] + y[1:]) / _F32(2.0)
        elif self.summation_method == "minoring":
            heights = np.minimum(y[: n - 1], y[1:])
        else:
            heights = np.maximum(y[: n - 1], y[1:])
        terms = (x[: n - 1] - x[1:]) * heights
        if self.multi_label:
            return self._by_label(np.sum(terms, axis=0, dtype=_F32))
        return float(np.sum(terms, dtype=_F32))

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": self.label_weights,
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return {**super().get_config(), **config}
