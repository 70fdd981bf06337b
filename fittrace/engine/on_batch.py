"""train_on_batch, test_on_batch and predict_on_batch: one call of the train, test or predict function on one batch.

Mirrors ``Model.train_on_batch``, ``Model.test_on_batch`` and ``Model.predict_on_batch`` of ``keras.engine.training``
(tf_keras/src/engine/training.py) with ``data_adapter.single_batch_iterator``: compile check, metrics reset unless
``reset_metrics=False``, the cached function made or reused, run once on the whole of ``x`` (a batch of static
shape, as a dataset made ``from_tensors`` has), and the logs returned as a list (or a lone float) or a dict. No
callbacks, progress bar, shuffling or adapter selection, as in Keras. Left out: distribution strategies and the
"inside a tf.function" check. Where Keras 2 fails obscurely (``steps_per_execution`` > 1, lists of numbers),
fittrace says why instead.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.autodiff import to_numpy
from fittrace.engine import data_adapter
from fittrace.engine.evaluation import describe_data, flatten_metrics_in_order, logs_to_floats
from fittrace.tracing import recorder as rec
from fittrace.tracing.events import KERAS_TRAINING


class OnBatchMixin:
    """The ``*_on_batch`` methods of ``Model``."""

    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, class_weight: dict | None = None,
                       reset_metrics: bool = True, return_dict: bool = False) -> Any:
        """One gradient update on one batch (``Model.train_on_batch``): the train function runs once on the whole
        of ``x``; no callbacks, shuffling or progress bar. ``reset_metrics=False`` accumulates the metrics."""
        with rec.span("api_call", "Model.train_on_batch", keras=f"{KERAS_TRAINING}.Model.train_on_batch",
                      data={"method": "train_on_batch", "model": self.name, "detail": describe_data(x)}):
            self._assert_compile_was_called()
            check_one_step(self, "train_on_batch")
            if reset_metrics:
                self.reset_metrics()
            iterator = data_adapter.single_batch_iterator(x, y, sample_weight, class_weight, method="train_on_batch")
            self.train_function = self.make_train_function()
            logs = logs_to_floats(run_one_batch(self, self.train_function, iterator))
        return logs if return_dict else flatten_metrics_in_order(logs, self.metrics_names)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, reset_metrics: bool = True,
                      return_dict: bool = False) -> Any:
        """Loss and metrics on one batch, in inference mode (``Model.test_on_batch``): no callbacks, no progress
        bar. ``reset_metrics=False`` accumulates the metrics over calls."""
        with rec.span("api_call", "Model.test_on_batch", keras=f"{KERAS_TRAINING}.Model.test_on_batch",
                      data={"method": "test_on_batch", "model": self.name, "detail": describe_data(x)}):
            self._assert_compile_was_called()
            check_one_step(self, "test_on_batch")
            if reset_metrics:
                self.reset_metrics()
            iterator = data_adapter.single_batch_iterator(x, y, sample_weight, method="test_on_batch")
            self.test_function = self.make_test_function()
            logs = logs_to_floats(run_one_batch(self, self.test_function, iterator))
        return logs if return_dict else flatten_metrics_in_order(logs, self.metrics_names)

    def predict_on_batch(self, x: Any) -> np.ndarray:
        """The model's outputs for one batch (``Model.predict_on_batch``): no callbacks, no progress bar."""
        with rec.span("api_call", "Model.predict_on_batch", keras=f"{KERAS_TRAINING}.Model.predict_on_batch",
                      data={"method": "predict_on_batch", "model": self.name, "detail": describe_data(x)}):
            check_one_step(self, "predict_on_batch")
            iterator = data_adapter.single_batch_iterator(x, method="predict_on_batch")
            self.predict_function = self.make_predict_function()
            outputs = run_one_batch(self, self.predict_function, iterator)
        return to_numpy(outputs)


def check_one_step(model: Any, method: str) -> None:
    """The ``*_on_batch`` methods feed one batch; a function compiled to take several per call would ask for more.
    Keras 2 fails then, deep in the graph, with an OutOfRangeError; this says why before anything changes."""
    spe = getattr(model, "_steps_per_execution", 1) or 1
    if spe > 1:
        raise ValueError(f"`{method}` feeds one batch, but the model was compiled with steps_per_execution={spe}, "
                         f"so each call of its function takes {spe} batches (Keras 2 fails here with an "
                         "OutOfRangeError). Compile with steps_per_execution=1 to use it, or use fit/evaluate/"
                         "predict.")


def run_one_batch(model: Any, function: Any, iterator: Any) -> Any:
    """Run a train/test/predict function once on a single-batch iterator. Its dataset is made ``from_tensors``,
    so the batch dimension is static: a new batch size is a new signature, as tf.function sees it."""
    saved = getattr(model, "_static_batch", False), getattr(model, "_current_steps_per_execution", 1)
    model._static_batch, model._current_steps_per_execution = True, 1
    try:
        return function(iterator)
    finally:
        model._static_batch, model._current_steps_per_execution = saved
