"""evaluate() and predict(): the same handler/adapter path as fit, with test_step and predict_step.

Mirrors the evaluate/predict half of ``keras.engine.training`` (tf_keras/src/engine/training.py:
``Model.evaluate``, ``test_step``, ``make_test_function``, ``Model.predict``, ``predict_step``,
``make_predict_function``). Inside ``fit``, validation calls ``evaluate`` with fit's own ``CallbackList`` and a
cached data handler, as Keras does. Left out: ``predict`` on a dataset of unknown size with ``steps=None`` beyond
running until the data ends, output structures other than a single array, ``return_dict`` for ``predict``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from fittrace import callbacks as callbacks_module
from fittrace.autodiff import Tensor, to_numpy
from fittrace.engine import data_adapter
from fittrace.engine.functions import make_function
from fittrace.tracing import recorder as rec
from fittrace.tracing.events import KERAS_TRAINING


def describe_data(x: Any) -> Any:
    """A short JSON description of an input (type, shape, dtype) for trace events."""
    if x is None:
        return None
    if isinstance(x, (np.ndarray, Tensor)) or (hasattr(x, "shape") and hasattr(x, "dtype")):
        return {"type": type(x).__name__, "shape": [None if d is None else int(d) for d in x.shape],
                "dtype": str(x.dtype)}
    if isinstance(x, dict):
        return {"type": "dict", "keys": {str(k): describe_data(v) for k, v in x.items()}}
    if isinstance(x, (list, tuple)):
        if x and all(isinstance(v, (int, float, bool, str, bytes)) for v in x[:5]):
            return {"type": type(x).__name__, "length": len(x), "of": type(x[0]).__name__}
        return {"type": type(x).__name__, "items": [describe_data(v) for v in list(x)[:8]]}
    return {"type": type(x).__name__}


def logs_to_floats(logs: Any) -> dict[str, float]:
    if not logs:
        return {}
    return {k: v if type(v) is float else float(to_numpy(v)) for k, v in logs.items()}


class EvaluationMixin:
    """evaluate/predict for ``Model``."""

    def test_step(self, data: Any) -> dict[str, float]:
        """One evaluation step: forward in inference mode, update the loss tracker and metrics."""
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        self.compute_loss(x, y, y_pred, sample_weight)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data: Any) -> Any:
        x, _, _ = data_adapter.unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _run_test_step(self, data: Any) -> dict[str, float]:
        with rec.span("test_step", f"{type(self).__name__}.test_step", keras=f"{KERAS_TRAINING}.Model.test_step",
                      data={"size": _rows(data)}):
            return self.test_step(data)

    def _run_predict_step(self, data: Any) -> Any:
        with rec.span("predict_step", f"{type(self).__name__}.predict_step",
                      keras=f"{KERAS_TRAINING}.Model.predict_step", data={"size": _rows(data)}):
            return self.predict_step(data)

    def make_test_function(self, force: bool = False) -> Any:
        return make_function(self, "test_function", self._run_test_step, force)

    def make_predict_function(self, force: bool = False) -> Any:
        return make_function(self, "predict_function", self._run_predict_step, force)

    # --- evaluate --------------------------------------------------------------------------------------------------
    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None, verbose: Any = "auto",
                 sample_weight: Any = None, steps: int | None = None, callbacks: Any = None,
                 max_queue_size: int = 10, workers: int = 1, use_multiprocessing: bool = False,
                 return_dict: bool = False, **kwargs: Any) -> Any:
        """Loss and metrics on the given data, in inference mode (``Model.evaluate``)."""
        use_cached = kwargs.pop("_use_cached_eval_dataset", False)
        if kwargs:
            raise TypeError(f"Invalid keyword arguments: {list(kwargs)}")
        from fittrace.engine.training import _get_verbosity
        verbose = _get_verbosity(verbose)
        in_fit = isinstance(callbacks, callbacks_module.CallbackList) and use_cached
        with rec.span("evaluate", "Model.evaluate", keras=f"{KERAS_TRAINING}.Model.evaluate",
                      data={"x": describe_data(x), "y": describe_data(y), "batch_size": batch_size, "steps": steps,
                            "verbose": verbose, "return_dict": return_dict, "in_fit": in_fit}):
            self._assert_compile_was_called()
            handler = getattr(self, "_eval_data_handler", None) if use_cached else None
            if handler is None:
                handler = data_adapter.get_data_handler(
                    x=x, y=y, sample_weight=sample_weight, batch_size=batch_size, steps_per_epoch=steps,
                    initial_epoch=0, epochs=1, shuffle=False, max_queue_size=max_queue_size, workers=workers,
                    use_multiprocessing=use_multiprocessing, model=self, steps_per_execution=self._steps_per_execution)
                if use_cached:
                    self._eval_data_handler = handler
            if not isinstance(callbacks, callbacks_module.CallbackList):
                callbacks = callbacks_module.CallbackList(callbacks, add_history=False, add_progbar=verbose != 0,
                                                          model=self, verbose=verbose, epochs=1,
                                                          steps=handler.inferred_steps)
            self.test_function = self.make_test_function()
            logs = self._test_loop(handler, callbacks)
            if return_dict:
                return logs
            return flatten_metrics_in_order(logs, self.metrics_names)

    def _test_loop(self, handler: Any, callbacks: Any) -> dict[str, float]:
        from fittrace.engine.training import _has_static_batch
        saved_static, self._static_batch = getattr(self, "_static_batch", False), _has_static_batch(handler)
        callbacks.on_test_begin()
        self.reset_metrics()
        logs: Any = {}
        last = (handler.inferred_steps - 1) if handler.inferred_steps else None
        try:
            for _, iterator in handler.enumerate_epochs():
                with handler.catch_stop_iteration():
                    for step in handler.steps():
                        with rec.span("step", f"test step {step}", keras=f"{KERAS_TRAINING}.Model.evaluate",
                                      data={"step": step, "last": step == last, "phase": "test"}) as s:
                            callbacks.on_test_batch_begin(step)
                            self._current_steps_per_execution = handler.step_increment + 1
                            logs = self.test_function(iterator)
                            callbacks.on_test_batch_end(step + handler.step_increment, logs)
                            s.set(logs=logs_to_floats(logs))
        finally:
            self._static_batch = saved_static
        logs = self.get_metrics_result() or logs_to_floats(logs)
        callbacks.on_test_end(logs)
        return logs

    # --- predict ---------------------------------------------------------------------------------------------------
    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto", steps: int | None = None,
                callbacks: Any = None, max_queue_size: int = 10, workers: int = 1,
                use_multiprocessing: bool = False) -> np.ndarray:
        """The model's outputs for ``x``, batch by batch, concatenated (``Model.predict``)."""
        from fittrace.engine.training import _get_verbosity, _has_static_batch
        verbose = _get_verbosity(verbose)
        with rec.span("predict", "Model.predict", keras=f"{KERAS_TRAINING}.Model.predict",
                      data={"x": describe_data(x), "batch_size": batch_size, "steps": steps, "verbose": verbose}):
            handler = data_adapter.get_data_handler(
                x=x, batch_size=batch_size, steps_per_epoch=steps, initial_epoch=0, epochs=1, shuffle=False,
                max_queue_size=max_queue_size, workers=workers, use_multiprocessing=use_multiprocessing, model=self,
                steps_per_execution=self._steps_per_execution)
            if not isinstance(callbacks, callbacks_module.CallbackList):
                callbacks = callbacks_module.CallbackList(callbacks, add_history=False, add_progbar=verbose != 0,
                                                          model=self, verbose=verbose, epochs=1,
                                                          steps=handler.inferred_steps)
            self.predict_function = self.make_predict_function()
            saved_static, self._static_batch = getattr(self, "_static_batch", False), _has_static_batch(handler)
            outputs: list[np.ndarray] = []
            last = (handler.inferred_steps - 1) if handler.inferred_steps else None
            callbacks.on_predict_begin()
            try:
                for _, iterator in handler.enumerate_epochs():
                    with handler.catch_stop_iteration():
                        for step in handler.steps():
                            with rec.span("step", f"predict step {step}", keras=f"{KERAS_TRAINING}.Model.predict",
                                          data={"step": step, "last": step == last, "phase": "predict"}):
                                callbacks.on_predict_batch_begin(step)
                                self._current_steps_per_execution = handler.step_increment + 1
                                batch_out = self.predict_function(iterator)
                                outputs.append(to_numpy(batch_out))
                                callbacks.on_predict_batch_end(step + handler.step_increment,
                                                               {"outputs": outputs[-1]})
            finally:
                self._static_batch = saved_static
            if not outputs:
                raise ValueError("Unexpected result of `predict_function` (Empty batch_outputs). Please use "
                                 "`Model.compile(..., run_eagerly=True)`, or `tf.config.run_functions_eagerly(True)` "
                                 "for more information of where went wrong, or file a issue/bug to `tf.keras`.")
            result = np.concatenate(outputs, axis=0)
            callbacks.on_predict_end()
            return result


def flatten_metrics_in_order(logs: dict[str, float], metrics_names: list[str]) -> Any:
    """Logs as Keras returns them when ``return_dict`` is False: the model's metrics in order, then any other
    keys sorted; a single value alone, not in a list."""
    results = [logs[name] for name in metrics_names if name in logs]
    results += [logs[key] for key in sorted(logs) if key not in metrics_names]
    return results[0] if len(results) == 1 else results


def _rows(data: Any) -> int | None:
    x = data[0] if isinstance(data, tuple) else data
    shape = getattr(x, "shape", None)
    return int(shape[0]) if shape else None
