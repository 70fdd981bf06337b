"""The containers ``compile()`` makes: LossesContainer and MetricsContainer, for one output or several.

Mirrors ``keras.engine.compile_utils`` (tf_keras/src/engine/compile_utils.py). Both are built lazily, on the first
batch, from the structure of the model's outputs: a single loss or metric list applies to every output, a list
pairs with the outputs in order, a dict is keyed by output name (``map_to_output_names``; a subclassed model's
names are ``output_1``, ``output_2``..., or a dict output's keys: ``create_pseudo_output_names``), and a missing
dict key means "nothing for that output". A loss string becomes ``losses.get(name)`` wrapped in a
``LossFunctionWrapper`` named after the string (reduction AUTO = SUM_OVER_BATCH_SIZE); "accuracy" is resolved from
the shapes of the first ``y_true`` and ``y_pred`` of its output (before ``match_dtype_and_rank``), keeping
"accuracy" as its log key. The logged ``loss`` is a ``Mean`` weighted by batch size of the weighted sum of the
outputs' losses plus the regularization losses; with several outputs each loss is also tracked unweighted as
``<output>_loss`` and each metric is logged as ``<output>_<metric>`` (a weighted metric whose name is taken
becomes ``<output>_weighted_<metric>``, or ``weighted_<metric>`` with one output). Unweighted ``metrics`` never see
sample weights; ``weighted_metrics`` do. One output that is a plain array takes the short path it always took.

Where Keras 2 says nothing and pairs wrongly, fittrace raises: a loss or loss-weight list whose length is not
the number of outputs (Keras drops the unpaired ones), and a loss or loss-weight dict with a key that is no output
of a dict-output model (Keras applies it to another output); the message is Keras's own "Found unexpected losses
or metrics ..." for the second. A mask on a prediction (``_keras_mask``) multiplies its sample weights, and
weights its plain metrics, as Keras's containers do (utils/losses_utils.py ``apply_mask``).
Left out: ``SUM`` reduction scaling across replicas, the containers'
get_config/from_config.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace import losses as losses_mod
from fittrace import metrics as metrics_mod
from fittrace.autodiff import Tensor, to_numpy
from fittrace.tracing import recorder as rec
from fittrace.tracing.events import KERAS_COMPILE_UTILS
from fittrace.utils import losses_utils, nest

_NESTED = (list, tuple, dict)
_BY_SHAPE = ("accuracy", "acc", "crossentropy", "ce")


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


# --- output names and the mapping of per-output structures -------------------------------------------------------
def create_pseudo_output_names(outputs: Any) -> list[str]:
    """A subclassed model's output names: ``output_1``, ``output_2``... for a list, the keys for a dict (a list
    under key ``a`` gives ``a_1``, ``a_2``), ``output_1`` for one tensor."""
    names = []
    for path in nest.yield_flat_paths(outputs):
        if not path:
            names.append("output_1")
            continue
        parts = [p + 1 if isinstance(p, int) else p for p in path]  # one-based
        name = "_".join(str(p) for p in parts)
        names.append("output_" + name if isinstance(path[0], int) else name)
    return names


def map_to_output_names(y_pred: Any, output_names: Sequence[str] | None, struct: Any) -> Any:
    """A dict keyed by output name, as a list in output order, when the outputs are one tensor or a flat list;
    any other ``struct`` as it is."""
    single_output = not nest.is_nested(y_pred)
    flat_list = (
        not single_output
        and isinstance(y_pred, (list, tuple))
        and not any(nest.is_nested(y_p) for y_p in y_pred)
    )
    if not ((single_output or flat_list) and isinstance(struct, dict)):
        return struct
    output_names = output_names or create_pseudo_output_names(y_pred)
    struct = copy.copy(struct)
    mapped = [struct.pop(name, None) for name in output_names]
    if struct:
        raise _unexpected_keys(struct, output_names)
    return mapped[0] if len(mapped) == 1 else mapped


def _unexpected_keys(extra: dict, output_names: Sequence[str]) -> ValueError:
    return ValueError(
        "Found unexpected losses or metrics that do not correspond to any Model output: "
        f"{extra.keys()}. Valid mode output names: {list(output_names)}. Received struct is: {extra}."
    )


def map_missing_dict_keys(y_pred: Any, struct: Any) -> Any:
    """A dict for dict outputs with None for each output it does not name."""
    if not isinstance(y_pred, dict) or not isinstance(struct, dict):
        return struct
    struct = copy.copy(struct)
    for key in y_pred:
        struct.setdefault(key, None)
    return struct


class Container:
    """What both containers share (``compile_utils.Container``): the output names, the mapping of per-output
    structures onto the outputs, and a build on the first batch before which they track no metrics."""

    def __init__(self, output_names: Sequence[str] | None = None) -> None:
        self._output_names = None if output_names is None else list(output_names)
        self._built = False
        self._many = False  # several outputs (or one inside a list/dict): the per-output path
        self._fast = False  # built for one plain output: plain targets take the short path

    @property
    def built(self) -> bool:
        return self._built

    @property
    def metrics(self) -> list[Any]:
        """The metric objects whose results are logs; none before the build."""
        return self._built_metrics() if self._built else []

    def _built_metrics(self) -> list[Any]:
        raise NotImplementedError

    def build(self, y_pred: Any) -> None:
        if self._output_names is None:
            self._output_names = create_pseudo_output_names(y_pred)
        self._many = nest.is_nested(y_pred)
        self._fast = not self._many

    def _conform_to_outputs(self, outputs: Any, struct: Any) -> Any:
        """``struct`` (targets, weights, losses or metrics) laid out as the outputs are."""
        struct = map_to_output_names(outputs, self._output_names, struct)
        struct = map_missing_dict_keys(outputs, struct)
        if not nest.is_nested(struct) and nest.is_nested(outputs):
            struct = nest.map_structure(lambda _: struct, outputs)
        return struct

    def _maybe_broadcast_to_outputs(self, outputs: Any, objects: Any) -> Any:
        """One loss or metric list for all outputs: repeated per output (metrics copied, so each keeps its own
        state when there are several outputs)."""
        if not self._should_broadcast(objects):
            return objects
        several = len(nest.flatten(outputs)) > 1

        def one() -> Any:
            return nest.map_structure(self._copy_object, objects) if several else objects

        return nest.map_structure(lambda _: one(), outputs)

    def _should_broadcast(self, objects: Any) -> bool:
        raise NotImplementedError

    def _copy_object(self, obj: Any) -> Any:
        return obj


def _first_leaf(structure: Any) -> Any:
    if not isinstance(structure, _NESTED):
        return structure
    leaves = nest.flatten(structure)
    return leaves[0] if leaves else None


class LossesContainer(Container):
    """Computes the compiled loss and tracks its running mean (the "loss" log), and with several outputs each
    output's loss (the "<output>_loss" logs)."""

    def __init__(
        self,
        losses: Any,
        loss_weights: Any = None,
        output_names: Sequence[str] | None = None,
        total_loss_mean: Any = None,
    ) -> None:
        super().__init__(output_names)
        self._user_losses = losses
        self._user_loss_weights = loss_weights
        self._losses: Any = losses
        self._loss_weights: Any = loss_weights
        self._per_output_metrics: list[Any] = [None]
        self._loss_metric = total_loss_mean or metrics_mod.Mean(name="loss")
        self._tracked: list[Any] = [self._loss_metric]

    def _built_metrics(self) -> list[Any]:
        return self._tracked

    def _should_broadcast(self, objects: Any) -> bool:
        return not nest.is_nested(objects)

    def build(self, y_pred: Any) -> None:
        """Resolve the losses and weights for each output, and make the per-output loss trackers."""
        super().build(y_pred)
        losses = self._conform_to_outputs(
            y_pred, self._maybe_broadcast_to_outputs(y_pred, self._losses)
        )
        self._check_keys(y_pred, losses)
        losses = nest.flatten(nest.map_structure(self._get_loss_object, losses))
        weights = self._conform_to_outputs(
            y_pred, self._maybe_broadcast_to_outputs(y_pred, self._loss_weights)
        )
        self._check_keys(y_pred, weights)
        weights = nest.flatten(weights)
        self._check_count(y_pred, losses, "loss", "losses")
        self._check_count(y_pred, weights, "loss_weights", "weights")
        self._losses, self._loss_weights = losses, weights
        self._create_metrics()
        self._built = True

    def _check_keys(self, y_pred: Any, struct: Any) -> None:
        # for a dict output Keras keeps the dict, and a key that names no output shifts the pairing silently
        if isinstance(y_pred, dict) and isinstance(struct, dict):
            extra = {k: v for k, v in struct.items() if k not in y_pred}
            if extra:
                raise _unexpected_keys(extra, self._output_names or [])

    def _check_count(self, y_pred: Any, flat: list[Any], arg: str, what: str) -> None:
        outputs = len(nest.flatten(y_pred))
        if len(flat) != outputs:
            raise ValueError(
                f"`{arg}` has {len(flat)} {what} for the model's {outputs} output(s) "
                f"{self._output_names}: give one per output, in the order of the outputs, a dict keyed by "
                f"output name, or a single one for every output. (Keras 2 does not check this: it pairs "
                f"them with the outputs in order and silently drops the ones left unpaired.)"
            )

    def _create_metrics(self) -> None:
        """A ``Mean`` per output that has a loss, named ``<output>_loss``, when there are several outputs."""
        names = self._output_names or []
        if len(names) == 1:
            self._per_output_metrics = [None]
        else:
            self._per_output_metrics = [
                None if loss is None else metrics_mod.Mean(name=f"{name}_loss")
                for loss, name in zip(self._losses, names)
            ]
        self._tracked = [self._loss_metric] + [m for m in self._per_output_metrics if m is not None]

    @staticmethod
    def _get_loss_object(loss: Any) -> Any:
        if loss is None:
            return None  # no loss for this output
        fn = losses_mod.get(loss)
        if isinstance(fn, losses_mod.Loss):
            return fn
        name = loss if isinstance(loss, str) else getattr(loss, "__name__", "loss")
        return losses_mod.LossFunctionWrapper(fn, name=name)

    def __call__(
        self,
        y_true: Any,
        y_pred: Any,
        sample_weight: Any = None,
        regularization_losses: Sequence[Tensor] | None = None,
    ) -> Tensor | None:
        """The total loss to minimize (None when nothing gives one), with the running means updated."""
        if not self._fast or isinstance(y_true, _NESTED) or isinstance(sample_weight, _NESTED):
            y_true = self._conform_to_outputs(y_pred, y_true)
            sample_weight = self._conform_to_outputs(y_pred, sample_weight)
            if not self._built:
                self.build(y_pred)
            if self._many:
                return self._sum_over_outputs(y_true, y_pred, sample_weight, regularization_losses)
            y_true, sample_weight = _first_leaf(y_true), _first_leaf(sample_weight)
        # one output that is a plain tensor: the training step's hot path
        loss_obj, loss_weight = self._losses[0], self._loss_weights[0]
        if loss_obj is None and not regularization_losses:
            return None
        y_t, y_p, sw = match_dtype_and_rank(y_true, y_pred, sample_weight)
        mask = getattr(y_p, "_keras_mask", None)
        if mask is not None:
            sw = losses_utils.apply_mask(y_p, sw, mask)
        batch = int(y_p.shape[0]) if y_p is not None and len(y_p.shape) else 1
        total: Tensor | None = None
        # without targets Keras skips the loss, and train_step then says "Target data is missing"
        if loss_obj is not None and y_t is not None:
            total = loss_obj(y_t, y_p, sample_weight=sw)
            if loss_weight is not None:
                total = ops.multiply(total, np.float32(loss_weight))
        reg_value = 0.0
        if regularization_losses:
            total, reg_value = _add_regularization(total, regularization_losses)
        if total is None:
            return None
        value = float(total.value)
        self._loss_metric.update_state(value, sample_weight=batch)
        if rec.stepwise() is not None:  # the payload is made only if the event is kept
            self._emit(getattr(loss_obj, "name", "loss"), value, reg_value, None)
        return total

    def _sum_over_outputs(
        self, y_true: Any, y_pred: Any, sample_weight: Any, regularization_losses: Any
    ) -> Tensor | None:
        """Each output's loss (tracked unweighted), weighted and summed, plus the regularization losses."""
        total: Tensor | None = None
        batch: int | None = None
        per_output: dict[str, float] = {}
        for y_t, y_p, sw, loss_obj, weight, tracker, name in zip(
            nest.flatten(y_true),
            nest.flatten(y_pred),
            nest.flatten(sample_weight),
            self._losses,
            self._loss_weights,
            self._per_output_metrics,
            self._output_names or [],
        ):
            if y_t is None or loss_obj is None:  # an output may have no loss or no targets
                continue
            y_t, y_p, sw = match_dtype_and_rank(y_t, y_p, sw)
            sw = losses_utils.apply_mask(y_p, sw, losses_utils.get_mask(y_p))
            value = loss_obj(y_t, y_p, sample_weight=sw)
            per_output[name] = float(value.value)
            if batch is None:
                batch = int(y_t.shape[0])  # the first output with a loss sets the batch size
            if tracker is not None:
                tracker.update_state(per_output[name], sample_weight=batch)
            if weight is not None:
                value = ops.multiply(value, np.float32(weight))
            total = value if total is None else ops.add(total, value)
        total, reg_value = _add_regularization(total, regularization_losses)
        if total is None:
            return None
        value = float(total.value)
        self._loss_metric.update_state(value, sample_weight=batch)
        if rec.stepwise() is not None:
            names = [getattr(obj, "name", "loss") for obj in self._losses if obj is not None]
            self._emit(" + ".join(names), value, reg_value, per_output)
        return total

    def _emit(self, name: str, value: float, reg_value: float, per_output: Any) -> None:
        rec.emit(
            "loss",
            name,
            keras=f"{KERAS_COMPILE_UTILS}.LossesContainer.__call__",
            data=lambda: {
                "name": name,
                "value": value,
                "reduction": "sum_over_batch_size",
                "regularization": reg_value,
                "running_mean": self._loss_metric.result(),
                **({} if per_output is None else {"per_output": dict(per_output)}),
            },
        )

    def reset_state(self) -> None:
        for m in self._tracked:
            m.reset_state()


def _add_regularization(total: Tensor | None, regularization_losses: Any) -> tuple[Any, float]:
    if not regularization_losses:
        return total, 0.0
    reg = regularization_losses[0]
    for r in regularization_losses[1:]:
        reg = ops.add(reg, r)
    return (reg if total is None else ops.add(total, reg)), float(reg.value)


class MetricsContainer(Container):
    """Updates the compiled metrics of each output; resolves "accuracy" from the shapes it first sees."""

    def __init__(
        self,
        metrics: Any = None,
        weighted_metrics: Any = None,
        output_names: Sequence[str] | None = None,
        from_serialized: bool = False,
    ) -> None:
        super().__init__(output_names)
        _check_duplicated_metrics(metrics, weighted_metrics)
        # metrics from a saved model's training config already carry their output prefixes: not renamed again
        self._from_serialized = from_serialized
        self._user_metrics = metrics
        self._user_weighted_metrics = weighted_metrics
        self._metrics: Any = metrics
        self._weighted: Any = weighted_metrics
        self._metrics_in_order: list[Any] = []
        self._fns: dict[int, str] = {}

    def _built_metrics(self) -> list[Any]:
        return self._metrics_in_order

    def _should_broadcast(self, objects: Any) -> bool:
        if not nest.is_nested(objects):
            return True  # e.g. "mae"
        return isinstance(objects, (list, tuple)) and not any(nest.is_nested(o) for o in objects)

    def _copy_object(self, obj: Any) -> Any:
        if isinstance(obj, metrics_mod.Metric):
            fresh = copy.deepcopy(obj)
            fresh.reset_state()
            return fresh
        return obj

    def build(self, y_pred: Any, y_true: Any) -> None:
        """Resolve each output's metrics (from its first targets and predictions) and name them."""
        super().build(y_pred)
        metrics = self._conform_to_outputs(
            y_pred, self._maybe_broadcast_to_outputs(y_pred, self._user_metrics)
        )
        weighted = self._conform_to_outputs(
            y_pred, self._maybe_broadcast_to_outputs(y_pred, self._user_weighted_metrics)
        )
        y_pred, y_true = nest.list_to_tuple(y_pred), nest.list_to_tuple(y_true)
        metrics, weighted = nest.list_to_tuple(metrics), nest.list_to_tuple(weighted)
        names = iter(self._output_names or [])
        per_output = nest.map_structure_up_to(
            y_pred, lambda m, t, p: (next(names), m, t, p), metrics, y_true, y_pred
        )
        names = iter(self._output_names or [])
        per_output_w = nest.map_structure_up_to(
            y_pred, lambda m, t, p: (next(names), m, t, p), weighted, y_true, y_pred
        )
        self._metrics = [
            self._get_metric_objects(*a) for a in nest.flatten_up_to(y_pred, per_output, False)
        ]
        self._weighted = [
            self._get_metric_objects(*a) for a in nest.flatten_up_to(y_pred, per_output_w, False)
        ]
        if not self._from_serialized:
            self._set_metric_names()
        self._metrics_in_order = [
            m for ms, wms in zip(self._metrics, self._weighted) for m in ms + wms if m is not None
        ]
        self._plain = [m for m in self._metrics[0] if m is not None] if self._fast else []
        self._weighted_plain = [m for m in self._weighted[0] if m is not None] if self._fast else []
        self._built = True

    def _get_metric_objects(self, output: str, metrics: Any, y_t: Any, y_p: Any) -> list[Any]:
        return [self._get_metric_object(m, output, y_t, y_p) for m in nest.flatten(metrics)]

    def _get_metric_object(self, metric: Any, output: str, y_t: Any, y_p: Any) -> Any:
        if metric is None:
            return None  # no metric for this output
        if isinstance(metric, metrics_mod.Metric):
            self._fns[id(metric)] = type(metric).__name__
            return metric
        name = metric if isinstance(metric, str) else getattr(metric, "__name__", "metric")
        if isinstance(metric, str) and metric in _BY_SHAPE:
            if y_t is None:  # Keras fails here with an AttributeError on None
                raise ValueError(
                    f"Target data is missing for output '{output}': the compiled metric {metric!r} is "
                    "resolved from the targets' shape the first time it is computed. Pass targets for "
                    "every output that has metrics."
                )
            fn = self._by_shape(metric, to_numpy(y_t), y_p)
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

    def _set_metric_names(self) -> None:
        """Prefix each metric with its output's name when there are several outputs; a weighted metric whose
        name is taken gets "weighted_"; two metrics of one name are an error."""
        seen: set[str] = set()
        several = len(self._output_names or []) > 1
        for output, metrics, weighted in zip(
            self._output_names or [], self._metrics, self._weighted
        ):
            for m in metrics:
                if m is None:
                    continue
                if several:
                    m.name = f"{output}_{m.name}"
                if m.name in seen:
                    raise ValueError(
                        f"Found two metrics with the same name: {m.name}. All the metrics added to the "
                        "model need to have unique names."
                    )
                seen.add(m.name)
            for wm in weighted:
                if wm is None:
                    continue
                if several:
                    taken = f"{output}_{wm.name}" in seen
                    wm.name = f"{output}_weighted_{wm.name}" if taken else f"{output}_{wm.name}"
                elif wm.name in seen:
                    wm.name = f"weighted_{wm.name}"
                if wm.name in seen:
                    raise ValueError(
                        f"Found two weighted metrics with the same name: {wm.name}.All the metrics added "
                        "to the model need to have unique names."
                    )
                seen.add(wm.name)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Update every metric of every output that has targets."""
        if not self._fast or isinstance(y_true, _NESTED) or isinstance(sample_weight, _NESTED):
            if y_true is None and not nest.is_nested(y_pred):
                self._check_targets_given()
                return  # Keras skips an output without targets
            y_true = self._conform_to_outputs(y_pred, y_true)
            sample_weight = self._conform_to_outputs(y_pred, sample_weight)
            if not self._built:
                self.build(
                    y_pred, y_true
                )  # before match_dtype_and_rank: it sees the raw target shape
            if self._many:
                self._update_outputs(y_true, y_pred, sample_weight)
                return
            y_true, sample_weight = _first_leaf(y_true), _first_leaf(sample_weight)
        if y_true is None:
            return
        # one output that is a plain tensor: the training step's hot path
        y_t, y_p, sw = match_dtype_and_rank(y_true, y_pred, sample_weight)
        tracing = rec.stepwise() is not None
        mask = getattr(y_p, "_keras_mask", None)
        if (
            mask is not None
        ):  # as Keras: the plain metrics are weighted by the mask, the weighted ones by both
            sw = losses_utils.apply_mask(y_p, sw, mask)
        for metric in self._plain:
            if mask is None:
                metric.update_state(y_t, y_p)
            else:
                metric.update_state(y_t, y_p, sample_weight=mask)
            if tracing:
                self._emit(metric)
        for metric in self._weighted_plain:
            metric.update_state(y_t, y_p, sample_weight=sw)
            if tracing:
                self._emit(metric)

    def _check_targets_given(self) -> None:
        wanted = [m for m in nest.flatten([self._user_metrics, self._user_weighted_metrics]) if m]
        if not self._built and wanted:
            # Keras fails here with an AttributeError on None; say what is missing instead
            raise ValueError(
                "Target data is missing: the compiled metrics "
                f"{[getattr(m, 'name', m) for m in wanted]} "
                "need targets the first time they are computed. Pass y (or batches of (x, y))."
            )

    def _update_outputs(self, y_true: Any, y_pred: Any, sample_weight: Any) -> None:
        for y_t, y_p, sw, metrics, weighted in zip(
            nest.flatten(y_true),
            nest.flatten(y_pred),
            nest.flatten(sample_weight),
            self._metrics,
            self._weighted,
        ):
            if y_t is None or not any(m is not None for m in metrics + weighted):
                continue  # an output may have no targets or no metrics
            y_t, y_p, sw = match_dtype_and_rank(y_t, y_p, sw)
            self._update(metrics, weighted, y_t, y_p, sw)

    def _update(self, metrics: list[Any], weighted: list[Any], y_t: Any, y_p: Any, sw: Any) -> None:
        tracing = rec.stepwise() is not None
        mask = losses_utils.get_mask(y_p)
        sw = losses_utils.apply_mask(y_p, sw, mask)
        for metric in metrics:
            if metric is not None:
                if mask is None:
                    metric.update_state(y_t, y_p)
                else:
                    metric.update_state(y_t, y_p, sample_weight=mask)
                if tracing:
                    self._emit(metric)
        for metric in weighted:
            if metric is not None:
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
                "class": type(metric).__name__,
                "value": _traced_value(metric.result()),
                "variables": {
                    v.name.split(":")[0]: _traced_value(v.value) for v in metric.variables
                },
            },
        )

    def reset_state(self) -> None:
        for m in self.metrics:
            m.reset_state()


def _traced_value(x: Any) -> Any:
    """A metric's result or variable as the trace holds it: a float, a short list, or a long array's shape
    and sum (AUC's four counts have 200 thresholds each)."""
    if isinstance(x, dict):
        return {k: _traced_value(v) for k, v in x.items()}
    a = np.asarray(to_numpy(x), dtype=np.float64)
    if a.ndim == 0:
        return float(a)
    if a.size <= 16:
        return a.tolist()
    return {"shape": list(a.shape), "sum": float(a.sum())}


def _check_duplicated_metrics(metrics: Any, weighted_metrics: Any) -> None:
    """One Metric object in two places would be updated twice: Keras refuses it at compile."""
    seen: list[Any] = []
    duplicated: list[Any] = []
    for m in nest.flatten(metrics) + nest.flatten(weighted_metrics):
        if not isinstance(m, metrics_mod.Metric):
            continue
        if any(m is s for s in seen):
            duplicated.append(m)
        seen.append(m)
    if duplicated:
        raise ValueError(
            "Found duplicated metrics object in the user provided metrics and weighted metrics. This "
            "will cause the same metric object to be updated multiple times, and report wrong results. \n"
            f"Duplicated items: {duplicated}"
        )
