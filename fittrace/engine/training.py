"""The Model: compile, fit, evaluate and predict, as named stages a tracer (and a reader) can follow.

Mirrors ``keras.engine.training`` (tf_keras/src/engine/training.py), kept whole as tf-keras keeps it: ``fit`` runs
``_assert_compile_was_called``, ``data_adapter.get_data_handler``, builds the ``CallbackList``,
``make_train_function``, then the epoch/step loop of the article's pseudo-code; ``train_step`` calls the model
under a ``GradientTape``, computes the loss, lets the optimizer minimize it and updates the metrics. ``evaluate`` and
``predict`` take the same handler/adapter path with ``test_step`` and ``predict_step`` (inside ``fit``, validation
calls ``evaluate`` with fit's own ``CallbackList`` and a cached data handler, as Keras does); the ``*_on_batch``
methods run the same functions once on one batch of static shape (``data_adapter.single_batch_iterator``), with no
callbacks. Several inputs and outputs pass through as Keras passes them: x, y and the sample weights may be lists,
tuples or dicts of arrays (dicts keyed by input and output names); the compiled containers pair losses, weights and
metrics with the outputs by ``output_names`` (None for a subclassed model, whose containers name its outputs
``output_1``, ``output_2``... or by a dict output's keys); ``predict`` returns the list, tuple or dict of arrays the
model's ``call`` returns. ``compile`` keeps what it was given (``get_compile_config``, the ``compile_config`` of a
``.keras`` file; ``compile_from_config`` compiles from it and creates the optimizer's variables, so a saved
optimizer state loads). The summary table is ``utils/layer_utils.py``'s, the weight and whole-model files
``saving/saving_api.py``'s, the tf.function stand-in ``engine/functions.py``'s, and what the trace events carry
``engine/trace_payloads.py``'s.

``Model(inputs, outputs)`` returns a ``Functional`` (engine/functional.py), as ``Model.__new__`` does in Keras.

Left out: subclasses of Model that pass ``inputs``/``outputs`` to ``super().__init__``, distribution strategies,
``jit_compile``, ``BackupAndRestore`` counters, multi-worker and parameter-server training, the SavedModel format;
ragged outputs in ``predict``. Where Keras 2 fails obscurely (``steps_per_execution`` > 1 with the ``*_on_batch``
methods, lists of numbers), fittrace says why instead.

    >>> from fittrace.keras import layers
    >>> from fittrace.keras.models import Sequential
    >>> model = Sequential([layers.Dense(2)])
    >>> model.fit(np.zeros((4, 3)), np.zeros((4, 2)))
    Traceback (most recent call last):
    ...
    RuntimeError: You must compile your model before training/testing. Use `model.compile(optimizer, loss)`.
"""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from fittrace import callbacks as callbacks_module
from fittrace import optimizers
from fittrace.autodiff import GradientTape, to_numpy
from fittrace.engine import compile_utils, data_adapter, snapshots, trace_payloads
from fittrace.engine.base_layer import Layer, dedup_weights
from fittrace.engine.functions import (
    check_one_step,
    concat_outputs,
    has_static_batch,
    make_function,
    outputs_to_numpy,
    placeholder_inputs,
    reset_compile_cache,
    run_one_batch,
)
from fittrace.engine.training_utils import (
    _check_validation_freq,
    _get_verbosity,
    _should_eval,
    configure_callbacks,
    flatten_metrics_in_order,
)
from fittrace.saving import saving_api, saving_lib, serialization_lib
from fittrace.tracing import recorder as rec
from fittrace.tracing.events import KERAS_TRAINING
from fittrace.utils import layer_utils
from fittrace.utils.tf_utils import logs_to_floats
from fittrace.version import __version__

_KERAS_FIT = f"{KERAS_TRAINING}.Model.fit"
#: What the trace's header says ran the model (a real tf-keras run's bridge says tf_keras, tensorflow).
FRAMEWORK = {"framework": "fittrace", "framework_version": __version__, "backend": "numpy"}
#: compile's arguments, in order: what its compile_config holds
COMPILE_ARGS = "optimizer loss metrics loss_weights weighted_metrics run_eagerly steps_per_execution jit_compile"


class Model(Layer):
    """A trainable stack of layers. Subclass it (define layers in ``__init__``, the forward pass in ``call``) or
    use ``Sequential``. Override ``train_step(data)`` to customise what one training step does.
    """

    _event_kind = "model_call"
    _saves_atomically = (
        True  # save and save_weights write all or nothing: ModelCheckpoint relies on it
    )
    #: engine/functional.py's Functional, set when that module loads (``Model(inputs, outputs)`` makes one)
    _functional_class: Any = None

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            return object.__new__(Model._functional_class)
        return object.__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__ got inputs and outputs: fittrace makes functional models "
                "as keras.Model(inputs, outputs); a subclass of Model makes its layers in __init__ and runs "
                "them in call()."
            )
        super().__init__(**kwargs)
        # as Keras: a model has no symbolic inputs or outputs until a graph network is initialised
        self.inputs: Any = None
        self.outputs: Any = None
        self.input_names: list[str] | None = None
        self._is_compiled = False
        self.optimizer: Any = None
        self.compiled_loss: Any = None
        self.compiled_metrics: Any = None
        self.loss: Any = None
        self.stop_training = False
        self.history: Any = None
        self.train_function = self.test_function = self.predict_function = None
        self._run_eagerly: bool | None = None
        self._steps_per_execution = 1
        self._current_steps_per_execution = 1
        self._static_batch = False
        self._train_counter = 0
        self._compile_args: dict[str, Any] = {}
        self._compile_config: Any = None

    def build(self, input_shape: Any = None) -> None:
        """Make a subclassed model's weights: call it once on zeros of ``input_shape`` (Keras: on placeholders)."""
        if input_shape is None:
            raise ValueError(
                "Input shape must be defined when calling build() on a `Model` subclass."
            )
        if not self.built:
            self(placeholder_inputs(input_shape), training=False)
        self._build_input_shape, self.built = input_shape, True

    def _maybe_build(self, input_shape: tuple) -> None:
        # Model.build is Keras's "default" build: __call__ skips it and only marks the model built; the layers
        # inside build themselves when call() reaches them.
        if not self.built:
            self._build_input_shape = (
                input_shape if isinstance(input_shape, dict) else tuple(input_shape)
            )
            self.built = True

    # --- compile ---------------------------------------------------------------------------------------------------
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        metrics: Any = None,
        loss_weights: Any = None,
        weighted_metrics: Any = None,
        run_eagerly: bool | None = None,
        steps_per_execution: int | None = None,
        jit_compile: Any = None,
        **kwargs: Any,
    ) -> None:
        """Choose the optimizer, loss and metrics (``Model.compile``); clears the cached train/test functions."""
        # the arguments as given, for get_compile_config (a .keras file's compile_config)
        given = locals()
        compile_config = serialization_lib.Config(**{k: given[k] for k in COMPILE_ARGS.split()})
        from_serialized = bool(kwargs.pop("from_serialized", False))
        if kwargs:
            raise TypeError(
                f"Invalid keyword argument(s) in `compile()`: {tuple(kwargs)}. Valid keyword arguments "
                'include "cloning", "experimental_run_tf_function", "distribute", '
                '"target_tensors", or "sample_weight_mode".'
            )
        with rec.span(
            "api_call",
            "Model.compile",
            keras=f"{KERAS_TRAINING}.Model.compile",
            data={"method": "compile", "model": self.name, "detail": None},
        ):
            args = {k: v for k, v in compile_config.config.items() if k != "jit_compile"}
            self._compile(**args, from_serialized=from_serialized)
        self._compile_config = compile_config

    def _compile(
        self,
        optimizer: Any,
        loss: Any,
        metrics: Any,
        loss_weights: Any,
        weighted_metrics: Any,
        run_eagerly: bool | None,
        steps_per_execution: int | None,
        from_serialized: bool = False,
    ) -> None:
        spe = 1 if steps_per_execution is None else steps_per_execution
        if not isinstance(spe, (int, np.integer)) or isinstance(spe, bool) or spe < 1:
            raise ValueError(
                f"Expected steps_per_execution to be positive. Received is {steps_per_execution}."
            )
        self.optimizer = optimizers.get(optimizer)
        self.compiled_loss = compile_utils.LossesContainer(
            loss, loss_weights, output_names=self.output_names
        )
        self.compiled_metrics = compile_utils.MetricsContainer(
            metrics,
            weighted_metrics,
            output_names=self.output_names,
            from_serialized=from_serialized,
        )
        self._run_eagerly = run_eagerly
        self._steps_per_execution = int(spe)
        self.loss = loss or {}
        reset_compile_cache(
            self,
            "compile() was called: Keras clears train_function, test_function and "
            "predict_function so the next fit/evaluate/predict makes them anew",
        )
        self._is_compiled = True
        self._compile_args = trace_payloads.compile_args(
            self.optimizer, loss, metrics, loss_weights, weighted_metrics, run_eagerly, int(spe)
        )
        rec.emit(
            "compile",
            "Model.compile",
            keras=f"{KERAS_TRAINING}.Model.compile",
            data=dict(
                self._compile_args, reset=["train_function", "test_function", "predict_function"]
            ),
        )

    @property
    def output_names(self) -> list[str] | None:
        """The names of the model's outputs: the keys of per-output losses, loss weights and metrics in
        ``compile``, of targets in ``fit``, and the prefixes of the per-output logs. None for a subclassed model,
        as in Keras 2: its compiled containers name the outputs they first see (``output_1``, ``output_2``..., or
        a dict output's keys). A model built from layers sets them to its output layers' names."""
        return self.__dict__.get("_output_names")

    @output_names.setter
    def output_names(self, names: Any) -> None:
        self.__dict__["_output_names"] = None if names is None else list(names)

    # Keras 2's Model orders its weights layer by layer, the layers' before its own (Layer puts its own first), and
    # a model whose class defines build() refuses to list weights it has not created yet.
    def _assert_weights_created(self) -> None:
        if "build" in type(self).__dict__ and type(self) is not Model and not self.built:
            raise ValueError(
                f"Weights for model '{self.name}' have not yet been created. Weights are created when "
                "the model is first called on inputs or `build()` is called with an `input_shape`."
            )

    @property
    def layers(self) -> list[Layer]:
        """The layers the model tracks, in the order they were assigned (Keras's ``Model.layers``)."""
        return list(self._flatten_layers())

    @property
    def weights(self) -> list[Any]:
        """Each layer's weights in layer order (its trainable ones, then its others), then the model's own: a
        BatchNormalization's moving statistics sit beside its gamma and beta, not after every trainable weight.
        get_weights, set_weights and fittrace's .npz files follow this order."""
        self._assert_weights_created()
        out: list[Any] = []
        for layer in self._flatten_layers():
            out += layer.weights
        return dedup_weights(out + self._trainable_weights + self._non_trainable_weights)

    @property
    def trainable_weights(self) -> list[Any]:
        self._assert_weights_created()
        if not self.trainable:
            return []
        out: list[Any] = []
        for layer in self._flatten_layers():
            out += layer.trainable_weights
        return dedup_weights(out + self._trainable_weights)

    @property
    def non_trainable_weights(self) -> list[Any]:
        self._assert_weights_created()
        children: list[Any] = []
        for layer in self._flatten_layers():
            children += layer.non_trainable_weights
        if self.trainable:
            return dedup_weights(children + self._non_trainable_weights)
        trainable: list[Any] = []  # a frozen model: all trainable ones first, then the others
        for layer in self._flatten_layers():
            trainable += layer.trainable_weights
        return dedup_weights(
            trainable + self._trainable_weights + children + self._non_trainable_weights
        )

    trainable_variables = property(lambda self: self.trainable_weights)
    non_trainable_variables = property(lambda self: self.non_trainable_weights)
    variables = property(lambda self: self.weights)

    @property
    def run_eagerly(self) -> bool:
        return bool(self._run_eagerly)

    @run_eagerly.setter
    def run_eagerly(self, value: bool) -> None:
        # Like Keras: only stored; a cached train_function keeps its mode until compile() resets it.
        self._run_eagerly = value

    def _assert_compile_was_called(self) -> None:
        rec.emit(
            "compile_check",
            "_assert_compile_was_called",
            keras=f"{KERAS_TRAINING}.Model._assert_compile_was_called",
            data={"is_compiled": self._is_compiled},
        )
        if not self._is_compiled:
            raise RuntimeError(
                "You must compile your model before training/testing. Use "
                "`model.compile(optimizer, loss)`."
            )

    # --- metrics ---------------------------------------------------------------------------------------------------
    @property
    def metrics(self) -> list[Any]:
        """The loss tracker, then the compiled metrics: empty until the first step built the containers."""
        out: list[Any] = []
        if self._is_compiled:
            if self.compiled_loss is not None:
                out += self.compiled_loss.metrics
            if self.compiled_metrics is not None:
                out += self.compiled_metrics.metrics
        return out

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    def get_metrics_result(self) -> dict[str, Any]:
        """Each metric's result by name: a float, an array for a metric of several thresholds, and the entries
        of a dict result at the top level, as Keras's."""
        out: dict[str, Any] = {}
        for m in self.metrics:
            r = m.result()
            if isinstance(r, dict):
                out.update(r)
                continue
            a = to_numpy(r)
            out[m.name] = float(a) if a.ndim == 0 else a
        return out

    # --- one step --------------------------------------------------------------------------------------------------
    def compute_loss(
        self, x: Any = None, y: Any = None, y_pred: Any = None, sample_weight: Any = None
    ) -> Any:
        return self.compiled_loss(y, y_pred, sample_weight, regularization_losses=self.losses)

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any) -> dict[str, float]:
        self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def _validate_target_and_loss(self, y: Any, loss: Any) -> None:
        if self.loss and y is None:
            raise ValueError(
                "Target data is missing. Your model was compiled with "
                f"loss={self.loss}, and therefore expects target data to be provided in `fit()`."
            )
        if loss is None:
            raise ValueError(
                "No loss found. You may have forgotten to provide a `loss` argument in the `compile()` "
                "method."
            )

    def train_step(self, data: Any) -> dict[str, float]:
        """One step: forward under a GradientTape, loss, gradients and update, metrics (``Model.train_step``)."""
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
        self._validate_target_and_loss(y, loss)
        self.optimizer.minimize(loss, self.trainable_variables, tape=tape)
        self._last_tape = tape
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def _run_train_step(self, data: Any) -> dict[str, float]:
        """``run_step``: the train_step (the user's override, if any) inside a span, then the step counter."""
        overridden = type(self).train_step is not Model.train_step
        rows = self._last_batch_rows = trace_payloads.batch_rows(data)
        with (
            rec.span(
                "train_step",
                f"{type(self).__name__}.train_step",
                keras=f"{KERAS_TRAINING}.Model.train_step",
                data={"size": rows, "user_override": overridden},
            ),
            snapshots.around_train_step(self, data),
        ):
            logs = self.train_step(data)
        self._train_counter += 1
        return logs

    def make_train_function(self, force: bool = False) -> Any:
        """Create (or return the cached) ``train_function``."""
        return make_function(self, "train_function", self._run_train_step, force)

    # --- fit -------------------------------------------------------------------------------------------------------
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: Any = "auto",
        callbacks: Any = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: Any = True,
        class_weight: dict | None = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        validation_batch_size: int | None = None,
        validation_freq: Any = 1,
        max_queue_size: int = 10,
        workers: int = 1,
        use_multiprocessing: bool = False,
    ) -> Any:
        """Train for ``epochs`` epochs and return the ``History`` (``Model.fit``)."""
        verbose = _get_verbosity(verbose)
        args = {
            "x": trace_payloads.describe_data(x),
            "y": trace_payloads.describe_data(y),
            "batch_size": batch_size,
            "epochs": epochs,
            "verbose": verbose,
            "shuffle": shuffle,
            "validation_split": validation_split,
            "validation_data": trace_payloads.describe_data(validation_data),
            "initial_epoch": initial_epoch,
            "steps_per_epoch": steps_per_epoch,
            "validation_freq": validation_freq,
            "callbacks": [type(c).__name__ for c in (callbacks or [])]
            if isinstance(callbacks, list)
            else None,
            "class_weight": class_weight is not None,
            "sample_weight": sample_weight is not None,
            "run_eagerly": self._run_eagerly,
        }
        with rec.span("fit", "Model.fit", keras=f"{KERAS_TRAINING}.Model.fit", data=args):
            rec.describe(
                call="fit",
                **FRAMEWORK,
                model=trace_payloads.describe_model(self),
                compile=self._compile_args,
                fit=args,
            )
            self._assert_compile_was_called()
            _check_validation_freq(validation_freq)
            if validation_split and validation_data is None:
                (x, y, sample_weight), validation_data = data_adapter.train_validation_split(
                    (x, y, sample_weight), validation_split=validation_split
                )
            val = (
                data_adapter.unpack_x_y_sample_weight(validation_data)
                if validation_data is not None
                else None
            )
            handler = data_adapter.get_data_handler(
                x=x,
                y=y,
                sample_weight=sample_weight,
                batch_size=batch_size,
                steps_per_epoch=steps_per_epoch,
                initial_epoch=initial_epoch,
                epochs=epochs,
                shuffle=shuffle,
                class_weight=class_weight,
                max_queue_size=max_queue_size,
                workers=workers,
                use_multiprocessing=use_multiprocessing,
                model=self,
                steps_per_execution=self._steps_per_execution,
            )
            callback_list = configure_callbacks(
                self, callbacks, verbose, epochs, handler.inferred_steps
            )
            self.stop_training = False
            self.train_function = self.make_train_function()
            self._train_counter = 0
            self._static_batch = has_static_batch(handler)
            callback_list.on_train_begin()
            training_logs = self._epoch_loop(
                handler,
                callback_list,
                val,
                validation_steps,
                validation_batch_size or batch_size,
                validation_freq,
            )
            callback_list.on_train_end(logs=training_logs)
            self._eval_data_handler = None
            return self.history

    def _epoch_loop(
        self,
        handler: Any,
        callback_list: Any,
        val: Any,
        val_steps: Any,
        val_batch: Any,
        validation_freq: Any,
    ) -> dict[str, float] | None:
        """``for epoch, iterator in data_handler.enumerate_epochs()`` — the outer loop of fit."""
        training_logs = None
        for epoch, iterator in handler.enumerate_epochs():
            self.reset_metrics()
            with rec.span(
                "epoch",
                f"epoch {epoch}",
                keras=f"{KERAS_TRAINING}.Model.fit",
                data={"epoch": epoch},
            ) as epoch_span:
                callback_list.on_epoch_begin(epoch)
                logs, steps_run = self._step_loop(handler, iterator, callback_list)
                if logs is None:
                    raise ValueError(
                        "Unexpected result of `train_function` (Empty logs). Please use "
                        "`Model.compile(..., run_eagerly=True)`, or `tf.config.run_functions_eagerly(True)` "
                        "for more information of where went wrong, or file a issue/bug to `tf.keras`."
                    )
                epoch_logs = copy.copy(self._validate_and_get_metrics_result(logs))
                if val is not None and _should_eval(epoch, validation_freq):
                    epoch_logs.update(
                        self._validate(epoch, val, val_steps, val_batch, callback_list)
                    )
                snapshots.at_epoch_end(self)
                callback_list.on_epoch_end(epoch, epoch_logs)
                epoch_span.set(logs=epoch_logs, steps_run=steps_run)
            training_logs = epoch_logs
            if self.stop_training:
                break
        return training_logs

    def _step_loop(self, handler: Any, iterator: Any, callback_list: Any) -> tuple[Any, int]:
        """``for step in data_handler.steps()`` inside ``catch_stop_iteration`` — the inner loop of fit."""
        logs = None
        steps_run = 0
        with handler.catch_stop_iteration():
            for step in handler.steps():
                tracing = rec.stepwise() is not None  # "summary" detail keeps no step figures
                with rec.span(
                    "step",
                    f"step {step}",
                    keras=_KERAS_FIT,
                    data={"step": step, "last": handler.reaches_end(step), "phase": "train"},
                ) as step_span:
                    callback_list.on_train_batch_begin(step)
                    self._current_steps_per_execution = handler.step_increment + 1
                    t0 = time.perf_counter_ns() if tracing else 0
                    logs = self.train_function(iterator)
                    end_step = step + handler.step_increment
                    callback_list.on_train_batch_end(end_step, logs)
                    steps_run = end_step + 1
                    if tracing:
                        # None: recording stopped mid-fit
                        figures = getattr(step_span, "data", None) or {}
                        step_span.set_payload(
                            trace_payloads.step_figures(
                                self, figures, logs, time.perf_counter_ns() - t0
                            )
                        )
                if self.stop_training:
                    break
        return logs, steps_run

    def _validate_and_get_metrics_result(self, logs: dict[str, float]) -> dict[str, float]:
        result = self.get_metrics_result()
        return result if set(result) == set(logs) else logs_to_floats(logs)

    def _validate(
        self, epoch: int, val: tuple, steps: Any, batch_size: Any, callback_list: Any
    ) -> dict[str, float]:
        """Validation at the epoch's end, through evaluate's path (``val_`` logs)."""
        val_x, val_y, val_sw = val
        if getattr(self, "_eval_data_handler", None) is None:  # fit makes it first, as Keras
            self._eval_data_handler = data_adapter.get_data_handler(
                *val, batch_size, steps, model=self, steps_per_execution=self._steps_per_execution
            )
        with rec.span(
            "validation",
            "Model.evaluate (validation)",
            keras=f"{KERAS_TRAINING}.Model.fit",
            data={"epoch": epoch},
        ) as s:
            val_logs = self.evaluate(
                x=val_x,
                y=val_y,
                sample_weight=val_sw,
                batch_size=batch_size,
                steps=steps,
                callbacks=callback_list,
                return_dict=True,
                _use_cached_eval_dataset=True,
            )
            out = {"val_" + k: v for k, v in val_logs.items()}
            s.set(logs=out)
        return out

    # --- evaluate and predict -------------------------------------------------------------------------------------
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
        with rec.span(
            "test_step",
            f"{type(self).__name__}.test_step",
            keras=f"{KERAS_TRAINING}.Model.test_step",
            data={"size": trace_payloads.batch_rows(data)},
        ):
            return self.test_step(data)

    def _run_predict_step(self, data: Any) -> Any:
        with rec.span(
            "predict_step",
            f"{type(self).__name__}.predict_step",
            keras=f"{KERAS_TRAINING}.Model.predict_step",
            data={"size": trace_payloads.batch_rows(data)},
        ):
            return self.predict_step(data)

    def make_test_function(self, force: bool = False) -> Any:
        return make_function(self, "test_function", self._run_test_step, force)

    def make_predict_function(self, force: bool = False) -> Any:
        return make_function(self, "predict_function", self._run_predict_step, force)

    # --- evaluate --------------------------------------------------------------------------------------------------
    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: Any = "auto",
        sample_weight: Any = None,
        steps: int | None = None,
        callbacks: Any = None,
        max_queue_size: int = 10,
        workers: int = 1,
        use_multiprocessing: bool = False,
        return_dict: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Loss and metrics on the given data, in inference mode (``Model.evaluate``)."""
        use_cached = kwargs.pop("_use_cached_eval_dataset", False)
        if kwargs:
            raise TypeError(f"Invalid keyword arguments: {list(kwargs)}")
        verbose = _get_verbosity(verbose)
        in_fit = isinstance(callbacks, callbacks_module.CallbackList) and use_cached
        with rec.span(
            "evaluate",
            "Model.evaluate",
            keras=f"{KERAS_TRAINING}.Model.evaluate",
            data={
                "x": trace_payloads.describe_data(x),
                "y": trace_payloads.describe_data(y),
                "batch_size": batch_size,
                "steps": steps,
                "verbose": verbose,
                "return_dict": return_dict,
                "in_fit": in_fit,
            },
        ):
            if rec.active() is not None and not in_fit:  # what ran, before any fit says more
                rec.describe(**FRAMEWORK, model=trace_payloads.describe_model(self))
            self._assert_compile_was_called()
            handler = getattr(self, "_eval_data_handler", None) if use_cached else None
            if handler is None:
                handler = data_adapter.get_data_handler(
                    x=x,
                    y=y,
                    sample_weight=sample_weight,
                    batch_size=batch_size,
                    steps_per_epoch=steps,
                    initial_epoch=0,
                    epochs=1,
                    shuffle=False,
                    max_queue_size=max_queue_size,
                    workers=workers,
                    use_multiprocessing=use_multiprocessing,
                    model=self,
                    steps_per_execution=self._steps_per_execution,
                )
            if not isinstance(callbacks, callbacks_module.CallbackList):
                callbacks = callbacks_module.CallbackList(
                    callbacks,
                    add_history=True,  # as Keras's: a fresh History, so model.history is reset
                    add_progbar=verbose != 0,
                    model=self,
                    verbose=verbose,
                    epochs=1,
                    steps=handler.inferred_steps,
                )
            self.test_function = self.make_test_function()
            logs = self._test_loop(handler, callbacks)
            if return_dict:
                return logs
            return flatten_metrics_in_order(logs, self.metrics_names)

    def _test_loop(self, handler: Any, callbacks: Any) -> dict[str, float]:
        saved_static, self._static_batch = (
            getattr(self, "_static_batch", False),
            has_static_batch(handler),
        )
        callbacks.on_test_begin()
        self.reset_metrics()
        logs: Any = {}
        try:
            for _, iterator in handler.enumerate_epochs():
                with handler.catch_stop_iteration():
                    for step in handler.steps():
                        with rec.span(
                            "step",
                            f"test step {step}",
                            keras=f"{KERAS_TRAINING}.Model.evaluate",
                            data={"step": step, "last": handler.reaches_end(step), "phase": "test"},
                        ) as s:
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
    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: Any = "auto",
        steps: int | None = None,
        callbacks: Any = None,
        max_queue_size: int = 10,
        workers: int = 1,
        use_multiprocessing: bool = False,
    ) -> Any:
        """The model's outputs for ``x``, batch by batch, concatenated (``Model.predict``): an array, or for a
        model with several outputs the list, tuple or dict its ``call`` returns, of arrays."""
        verbose = _get_verbosity(verbose)
        with rec.span(
            "predict",
            "Model.predict",
            keras=f"{KERAS_TRAINING}.Model.predict",
            data={
                "x": trace_payloads.describe_data(x),
                "batch_size": batch_size,
                "steps": steps,
                "verbose": verbose,
            },
        ):
            if rec.active() is not None:
                rec.describe(**FRAMEWORK, model=trace_payloads.describe_model(self))
            handler = data_adapter.get_data_handler(
                x=x,
                batch_size=batch_size,
                steps_per_epoch=steps,
                initial_epoch=0,
                epochs=1,
                shuffle=False,
                max_queue_size=max_queue_size,
                workers=workers,
                use_multiprocessing=use_multiprocessing,
                model=self,
                steps_per_execution=self._steps_per_execution,
            )
            if not isinstance(callbacks, callbacks_module.CallbackList):
                callbacks = callbacks_module.CallbackList(
                    callbacks,
                    add_history=True,  # as Keras's: a fresh History, so model.history is reset
                    add_progbar=verbose != 0,
                    model=self,
                    verbose=verbose,
                    epochs=1,
                    steps=handler.inferred_steps,
                )
            self.predict_function = self.make_predict_function()
            saved_static, self._static_batch = (
                getattr(self, "_static_batch", False),
                has_static_batch(handler),
            )
            outputs: list[np.ndarray] = []
            callbacks.on_predict_begin()
            try:
                for _, iterator in handler.enumerate_epochs():
                    with handler.catch_stop_iteration():
                        for step in handler.steps():
                            with rec.span(
                                "step",
                                f"predict step {step}",
                                keras=f"{KERAS_TRAINING}.Model.predict",
                                data={
                                    "step": step,
                                    "last": handler.reaches_end(step),
                                    "phase": "predict",
                                },
                            ):
                                callbacks.on_predict_batch_begin(step)
                                self._current_steps_per_execution = handler.step_increment + 1
                                batch_out = self.predict_function(iterator)
                                outputs.append(outputs_to_numpy(batch_out))
                                callbacks.on_predict_batch_end(
                                    step + handler.step_increment, {"outputs": outputs[-1]}
                                )
            finally:
                self._static_batch = saved_static
            if not outputs:
                raise ValueError(
                    "Unexpected result of `predict_function` (Empty batch_outputs). Please use "
                    "`Model.compile(..., run_eagerly=True)`, or `tf.config.run_functions_eagerly(True)` "
                    "for more information of where went wrong, or file a issue/bug to `tf.keras`."
                )
            result = concat_outputs(outputs)
            callbacks.on_predict_end()
            return result

    # --- one batch: train_on_batch, test_on_batch, predict_on_batch ----------------------------------------

    def train_on_batch(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        class_weight: dict | None = None,
        reset_metrics: bool = True,
        return_dict: bool = False,
    ) -> Any:
        """One gradient update on one batch (``Model.train_on_batch``): the train function runs once on the whole
        of ``x``; no callbacks, shuffling or progress bar. ``reset_metrics=False`` accumulates the metrics."""
        with rec.span(
            "api_call",
            "Model.train_on_batch",
            keras=f"{KERAS_TRAINING}.Model.train_on_batch",
            data={
                "method": "train_on_batch",
                "model": self.name,
                "detail": trace_payloads.describe_data(x),
            },
        ):
            self._assert_compile_was_called()
            check_one_step(self, "train_on_batch")
            if reset_metrics:
                self.reset_metrics()
            iterator = data_adapter.single_batch_iterator(
                x, y, sample_weight, class_weight, method="train_on_batch"
            )
            self.train_function = self.make_train_function()
            logs = logs_to_floats(run_one_batch(self, self.train_function, iterator))
        return logs if return_dict else flatten_metrics_in_order(logs, self.metrics_names)

    def test_on_batch(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        reset_metrics: bool = True,
        return_dict: bool = False,
    ) -> Any:
        """Loss and metrics on one batch, in inference mode (``Model.test_on_batch``): no callbacks, no progress
        bar. ``reset_metrics=False`` accumulates the metrics over calls."""
        with rec.span(
            "api_call",
            "Model.test_on_batch",
            keras=f"{KERAS_TRAINING}.Model.test_on_batch",
            data={
                "method": "test_on_batch",
                "model": self.name,
                "detail": trace_payloads.describe_data(x),
            },
        ):
            self._assert_compile_was_called()
            check_one_step(self, "test_on_batch")
            if reset_metrics:
                self.reset_metrics()
            iterator = data_adapter.single_batch_iterator(
                x, y, sample_weight, method="test_on_batch"
            )
            self.test_function = self.make_test_function()
            logs = logs_to_floats(run_one_batch(self, self.test_function, iterator))
        return logs if return_dict else flatten_metrics_in_order(logs, self.metrics_names)

    def predict_on_batch(self, x: Any) -> Any:
        """The model's outputs for one batch (``Model.predict_on_batch``), as ``predict`` gives them: no
        callbacks, no progress bar."""
        with rec.span(
            "api_call",
            "Model.predict_on_batch",
            keras=f"{KERAS_TRAINING}.Model.predict_on_batch",
            data={
                "method": "predict_on_batch",
                "model": self.name,
                "detail": trace_payloads.describe_data(x),
            },
        ):
            check_one_step(self, "predict_on_batch")
            iterator = data_adapter.single_batch_iterator(x, method="predict_on_batch")
            self.predict_function = self.make_predict_function()
            outputs = run_one_batch(self, self.predict_function, iterator)
        return outputs_to_numpy(outputs)

    # --- summary and weight files ---------------------------------------------------------------------------------
    def summary(
        self,
        line_length: int | None = None,
        positions: list[float] | None = None,
        print_fn: Callable[[str], Any] | None = None,
    ) -> None:
        """Print Keras's table: each layer with its output shape and parameter count (``layer_utils.print_summary``)."""
        with rec.span(
            "api_call",
            "Model.summary",
            keras=f"{KERAS_TRAINING}.Model.summary",
            data={"method": "summary", "model": self.name, "detail": None},
        ):
            if not self.built:
                raise ValueError(
                    "This model has not yet been built. Build the model first by calling `build()` or "
                    "by calling the model on a batch of data."
                )
            layer_utils.print_summary(self, line_length, positions, print_fn)

    def save_weights(
        self,
        filepath: str | os.PathLike,
        overwrite: bool = True,
        save_format: Any = None,
        options: Any = None,
    ) -> None:
        """Save every weight, in the format the path's ending names: ``x.weights.h5`` (Keras's weights file),
        ``x.h5`` (the legacy HDF5 layout), ``x.npz`` (fittrace's own); atomically (``saving_api.save_weights``)."""
        saving_api.save_weights(self, filepath, overwrite=overwrite, save_format=save_format)

    def load_weights(
        self,
        filepath: str | os.PathLike,
        skip_mismatch: bool = False,
        by_name: bool = False,
        options: Any = None,
    ) -> None:
        """Load weights saved by :meth:`save_weights` (here or by tf-keras); the model is unchanged if it fails."""
        saving_api.load_weights(self, filepath, skip_mismatch=skip_mismatch, by_name=by_name)

    # --- whole models ---------------------------------------------------------------------------------------------
    def save(
        self, filepath: Any, overwrite: bool = True, save_format: Any = None, **kwargs: Any
    ) -> None:
        """Save the whole model (config, weights, compile and optimizer state): ``x.keras`` as Keras's zip
        archive, ``x.h5`` as the legacy HDF5 file (``saving_api.save_model``)."""
        saving_api.save_model(self, filepath, overwrite, save_format, **kwargs)

    def get_compile_config(self) -> dict[str, Any] | None:
        """What ``compile`` was given, serialized (a ``.keras`` file's ``compile_config``); None if uncompiled."""
        if self._is_compiled and self._compile_config is not None:
            return self._compile_config.serialize()
        return None

    def compile_from_config(self, config: dict[str, Any]) -> None:
        """Compile from ``get_compile_config``'s config and make the optimizer's variables, for a saved state."""
        if type(self).compile is not Model.compile:
            where = f"{KERAS_TRAINING}.Model.compile_from_config"
            saving_lib.log_warning(saving_lib.CUSTOM_COMPILE_WARNING, where, where)
            return
        self.compile(**serialization_lib.deserialize_keras_object(config))
        if isinstance(self.optimizer, optimizers.Optimizer) and self.built:
            self.optimizer.build(self.trainable_variables)

    def to_json(self, **kwargs: Any) -> str:
        """The model's config as JSON, for ``keras.models.model_from_json``; ``kwargs`` go to ``json.dumps``."""
        return json.dumps(
            saving_lib.updated_config(self), default=saving_lib.get_json_type, **kwargs
        )
