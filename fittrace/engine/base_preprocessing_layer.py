"""PreprocessingLayer: a layer with state learnt from data by ``adapt`` rather than by training.

Mirrors tf_keras/src/engine/base_preprocessing_layer.py: ``adapt(data, batch_size=None, steps=None)`` resets the
state, builds the layer on the data's shape when it is not built yet (with a batch input shape of Nones, as
Keras's ``_adapt_maybe_build``), feeds the data batch by batch (32 rows a batch unless told) to
``update_state``, then ``finalize_state``, and ``is_adapted`` turns true. Keras reads the data with its
DataHandler; here a numpy array (or a list, or a fittrace Tensor) is sliced in order, never shuffled.
Empty data gets Keras's "Expected input data to be non-empty."; an adapt that fails part-way leaves the layer as it
was before it (its state is put back). Left out: ``tf.data`` datasets and generators as adapt data (refused),
``compile(run_eagerly, steps_per_execution)`` (accepted, nothing to compile) and the SavedModel bookkeeping.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from fittrace.autodiff import Tensor
from fittrace.engine.base_layer import Layer
from fittrace.saving.keras_export import keras_export


def as_array(data: Any) -> np.ndarray:
    """Adapt data or a call's input as a numpy array (a fittrace Tensor gives its value; bytes stay bytes)."""
    if isinstance(data, Tensor):
        return data.value
    if isinstance(data, np.ndarray):
        return data
    if isinstance(data, (list, tuple, str, bytes, int, float)):
        return np.asarray(data)
    raise TypeError(
        f"fittrace adapts preprocessing layers on numpy arrays, lists or Tensors; got {type(data).__name__} "
        "(tf.data datasets and generators are not supported)."
    )


def _holds_tensors(values: Any) -> bool:
    return any(
        hasattr(v, "shape") or isinstance(v, (list, tuple)) and _holds_tensors(v) for v in values
    )


@keras_export("keras.layers.experimental.preprocessing.PreprocessingLayer")
class PreprocessingLayer(Layer):
    """Base class of the layers that learn their state with :meth:`adapt` (Normalization, TextVectorization...).

    Subclasses write ``update_state(batch)`` (add a batch to the running statistics), ``finalize_state()`` (turn
    them into what ``call`` uses) and ``reset_state()``; ``_adapt_state_names`` lists the attributes an adapt may
    change, so a failed adapt can put them back.
    """

    _adapt_state_names: tuple[str, ...] = ()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._is_compiled = False
        self._is_adapted = False

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """A Python list of values (strings, numbers) is one input, an array, as Keras's preprocessing layers
        take it (the base layer would read a list as several inputs)."""
        if isinstance(inputs, (list, tuple)) and not _holds_tensors(inputs):
            inputs = np.asarray(inputs)
        return Layer.__call__(self, inputs, *args, **kwargs)

    @property
    def is_adapted(self) -> bool:
        """Whether the layer has been adapted to data already."""
        return self._is_adapted

    def update_state(self, data: Any) -> None:
        raise NotImplementedError

    def reset_state(self) -> None:
        raise NotImplementedError

    def finalize_state(self) -> None:
        pass

    def compile(self, run_eagerly: Any = None, steps_per_execution: Any = None) -> None:
        """Accepted as Keras's (which configures the adapt function); fittrace has nothing to compile."""
        self._is_compiled = True

    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Learn the layer's state from ``data``: reset, then every batch through ``update_state``, then
        ``finalize_state``. A failure part-way leaves the layer as it was."""
        array = as_array(data)
        if array.ndim == 0 or array.shape[0] == 0:
            raise ValueError("Expected input data to be non-empty.")
        n = int(array.shape[0])
        if not batch_size:
            batch_size = int(math.ceil(n / steps)) if steps else 32
        n_batches = int(math.ceil(n / batch_size))
        if steps is not None:
            n_batches = min(n_batches, int(steps))
        snapshot = self._snapshot()
        try:
            if not self._is_compiled:
                self.compile()
            if self.built:
                self.reset_state()
            for i in range(n_batches):
                batch = array[i * batch_size : (i + 1) * batch_size]
                self._adapt_maybe_build(batch, batch_size if n % batch_size == 0 else None)
                self.update_state(batch)
            self.finalize_state()
        except BaseException:
            self._restore(snapshot)
            raise
        self._is_adapted = True

    def _snapshot(self) -> dict[str, Any]:
        """What an adapt may change: the listed attributes, the built flag and the weights' values."""
        names = (*self._adapt_state_names, "built", "_batch_input_shape", "_build_input_shape")
        state = {k: copy.deepcopy(self.__dict__[k]) for k in names if k in self.__dict__}
        state["__weights__"] = [(w, w.value.copy()) for w in self.weights]
        state["__weight_lists__"] = (
            list(self._trainable_weights),
            list(self._non_trainable_weights),
        )
        return state

    def _restore(self, state: dict[str, Any]) -> None:
        weights = state.pop("__weights__")
        trainable, non_trainable = state.pop("__weight_lists__")
        for k, v in state.items():
            object.__setattr__(self, k, v)
        self._trainable_weights, self._non_trainable_weights = trainable, non_trainable
        for w, value in weights:
            w.assign(value)

    def _adapt_maybe_build(self, data: np.ndarray, batch_dim: int | None = None) -> None:
        """Build on the first batch's shape, the batch input shape all Nones (Keras's ``_adapt_maybe_build``).
        The batch dimension is unknown unless every batch is full (then tf.data knows it: ``batch_dim``)."""
        if self.built:
            return
        if self._batch_input_shape is None:
            self._batch_input_shape = tuple([None] * data.ndim)
        self.build((batch_dim, *data.shape[1:]))
        self.built = True
