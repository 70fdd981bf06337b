"""Embedding: integer ids to dense vectors, one trainable row per id, and the mask of zeros with ``mask_zero``.

Mirrors tf_keras/src/layers/core/embedding.py: the ``embeddings`` weight of shape (input_dim, output_dim), Keras's
arguments, argument check and ``get_config`` (with ``batch_input_shape`` (None, None), as Keras gives every
Embedding an input shape of ``(input_length,)``). Ids stay integers on the way in; floats are truncated to int32, as
Keras casts them. ``mask_zero=True`` gives the output the mask ``inputs != 0`` (id 0 is padding), and the layer then
``supports_masking``. The lookup is one fused op whose gradient is a dense scatter-add (autodiff/embedding.py).
An id outside [0, input_dim) is refused with the layer and the range named (TensorFlow's "indices[...] = 12 is not
in [0, 10)"). ``compute_output_shape`` checks ``input_length`` as Keras does, but a call on KerasTensors does not
(Keras infers that shape from the lookup itself, so ``input_length`` only fixes a Sequential's input shape).
Left out: sparse inputs and ``sparse=True`` (refused), constraints and activity regularizers (refused), the one-hot
matmul path.

    >>> layer = Embedding(10, 3, mask_zero=True)
    >>> out = layer(np.array([[4, 2, 0]]))
    >>> out.shape, out._keras_mask.value.tolist()
    ((1, 3, 3), [[True, True, False]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace import initializers, regularizers
from fittrace.autodiff import Tensor
from fittrace.engine.base_layer import Layer, refuse_constraints
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.Embedding")
class Embedding(Layer):
    """Turns integer ids (of any shape) into vectors of ``output_dim``: row ``id`` of the ``embeddings`` table.

    Args:
        input_dim: the number of ids (the largest id + 1). output_dim: the size of each vector.
        embeddings_initializer: default ``"uniform"`` (RandomUniform in [-0.05, 0.05]).
        embeddings_regularizer: an optional penalty on the table. mask_zero: id 0 is padding: the output gets
        the mask ``inputs != 0``. input_length: the sequence length, when fixed (gives the input shape).
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: Any = "uniform",
        embeddings_regularizer: Any = None,
        activity_regularizer: Any = None,
        embeddings_constraint: Any = None,
        mask_zero: bool = False,
        input_length: Any = None,
        sparse: bool = False,
        **kwargs: Any,
    ) -> None:
        if "input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,) if input_length else (None,)
        if input_dim <= 0 or output_dim <= 0:
            raise ValueError(
                "Both `input_dim` and `output_dim` should be positive, "
                f"Received input_dim = {input_dim} and output_dim = {output_dim}"
            )
        kwargs.pop("autocast", None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        refuse_constraints(embeddings_constraint=embeddings_constraint)
        if sparse:
            if mask_zero:
                raise ValueError(
                    "`mask_zero` cannot be enabled when `tf.keras.layers.Embedding` is used with "
                    "`tf.SparseTensor` input."
                )
            raise NotImplementedError("fittrace has no sparse tensors: pass sparse=False.")
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = None
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.input_length = input_length
        self.sparse = sparse
        self.embeddings: Any = None

    def build(self, input_shape: Any = None) -> None:
        self.embeddings = self.add_weight(
            name="embeddings",
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
        )
        super().build(input_shape)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if not self.mask_zero:
            return None
        return Tensor(np.not_equal(ops.to_numpy(inputs), 0))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        input_shape = tuple(input_shape)
        if self.input_length is None:
            return input_shape + (self.output_dim,)
        lengths = (
            list(self.input_length)
            if isinstance(self.input_length, (list, tuple))
            else [self.input_length]
        )
        if len(lengths) != len(input_shape) - 1:
            raise ValueError(
                f'"input_length" is {self.input_length}, but received input has shape {input_shape}'
            )
        for i, (s1, s2) in enumerate(zip(lengths, input_shape[1:])):
            if s1 is not None and s2 is not None and s1 != s2:
                raise ValueError(
                    f'"input_length" is {self.input_length}, but received input has shape '
                    f"{input_shape}"
                )
            if s1 is None:
                lengths[i] = s2
        return (input_shape[0],) + tuple(lengths) + (self.output_dim,)

    def _infer_output_shape(self, shapes: Any, inputs: Any, args: tuple, kwargs: dict) -> Any:
        """On KerasTensors the output shape is the lookup's (Keras runs it on placeholders): the ids' shape and
        ``output_dim``, whatever ``input_length`` says."""
        return tuple(shapes) + (self.output_dim,)

    def call(self, inputs: Any) -> Tensor:
        ids = ops.to_numpy(inputs)
        if ids.dtype not in (np.int32, np.int64):
            ids = ids.astype(np.int32)
        if ids.size and (ids.min() < 0 or ids.max() >= self.input_dim):
            where = np.argwhere((ids < 0) | (ids >= self.input_dim))[0]
            bad = int(ids[tuple(where)])
            raise ValueError(
                f"indices[{','.join(str(int(i)) for i in where)}] = {bad} is not in "
                f"[0, {self.input_dim}): layer '{self.name}' (Embedding) has input_dim="
                f"{self.input_dim} rows, so its inputs must be integer ids from 0 to "
                f"{self.input_dim - 1}. Give input_dim the largest id + 1."
            )
        return ops.embedding_lookup(self.embeddings, ids)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": None,
            "mask_zero": self.mask_zero,
            "input_length": self.input_length,
        }
