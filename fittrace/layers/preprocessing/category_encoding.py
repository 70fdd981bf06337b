"""CategoryEncoding: integer ids as one-hot, multi-hot or count vectors of ``num_tokens``.

Mirrors tf_keras/src/layers/preprocessing/category_encoding.py: Keras's argument checks and messages, the range
check of the values (``0 <= values < num_tokens``; Keras's is a TF assertion, an InvalidArgumentError, here a
ValueError with the same sentence), ``count_weights`` for ``count``, the encoding of
``preprocessing_utils.encode_categorical_inputs`` and Keras's ``get_config``. The deprecated ``max_tokens``
is taken for ``num_tokens``. Left out: sparse inputs and outputs (``sparse=True`` refused).

    >>> CategoryEncoding(num_tokens=4, output_mode="one_hot")(np.array([3, 0])).numpy().tolist()
    [[0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.autodiff import Tensor
from fittrace.engine.base_layer import Layer
from fittrace.engine.base_preprocessing_layer import PreprocessingLayer, as_array
from fittrace.layers.preprocessing import preprocessing_utils as utils
from fittrace.saving.keras_export import keras_export


@keras_export(
    "keras.layers.CategoryEncoding", "keras.layers.experimental.preprocessing.CategoryEncoding"
)
class CategoryEncoding(Layer):
    """Encode integer ids (``0 <= id < num_tokens``) as vectors.

    Args:
        num_tokens: the vector size. output_mode: ``"multi_hot"`` (default), ``"one_hot"`` or ``"count"``.
    """

    def __init__(
        self,
        num_tokens: int | None = None,
        output_mode: str = "multi_hot",
        sparse: bool = False,
        **kwargs: Any,
    ) -> None:
        if "max_tokens" in kwargs:
            num_tokens = kwargs.pop("max_tokens")
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "float32"
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = utils.MULTI_HOT
        utils.validate_string_arg(
            output_mode,
            allowable_strings=(utils.COUNT, utils.ONE_HOT, utils.MULTI_HOT),
            layer_name="CategoryEncoding",
            arg_name="output_mode",
        )
        if num_tokens is None:
            raise ValueError(
                "num_tokens must be set to use this layer. If the number of tokens is not known "
                "beforehand, use the IntegerLookup layer instead."
            )
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        utils.refuse_sparse(sparse, "CategoryEncoding")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse

    __call__ = PreprocessingLayer.__call__  # a list of values is one input

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        input_shape = list(input_shape)
        if not input_shape:
            return (self.num_tokens,)
        if self.output_mode == utils.ONE_HOT and input_shape[-1] != 1:
            return (*input_shape, self.num_tokens)
        return (*input_shape[:-1], self.num_tokens)

    def call(self, inputs: Any, count_weights: Any = None) -> Tensor:
        values = as_array(inputs)
        if count_weights is not None:
            if self.output_mode != utils.COUNT:
                raise ValueError(
                    "`count_weights` is not used when `output_mode` is not `'count'`. Received "
                    "`count_weights={count_weights}`."
                )
            count_weights = as_array(count_weights).astype(self.dtype)
        if values.size and (values.max() >= self.num_tokens or values.min() < 0):
            raise ValueError(
                "Input values must be in the range 0 <= values < num_tokens with "
                f"num_tokens={self.num_tokens}"
            )
        return Tensor(
            utils.encode_categorical_inputs(
                np.asarray(values),
                output_mode=self.output_mode,
                depth=self.num_tokens,
                dtype=self.dtype,
                count_weights=count_weights,
            )
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_tokens": self.num_tokens,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        }
