"""IntegerLookup: integers to indices in a vocabulary (or back, with ``invert``).

Mirrors tf_keras/src/layers/preprocessing/integer_lookup.py: an IndexLookup (``index_lookup.py``) of integer
tokens, OOV token -1, several OOV indices chosen by ``floormod(value, num_oov_indices)`` as TF does, Keras's own
argument checks and ``get_config``; the deprecated ``max_values`` / ``mask_value`` / ``oov_value`` names are
taken for the new ones. Left out: vocabulary files and sparse outputs (refused).

    >>> layer = IntegerLookup(vocabulary=[12, 36])
    >>> layer(np.array([12, 36, 7])).numpy().tolist()
    [1, 2, 0]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.layers.preprocessing.index_lookup import IndexLookup
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.IntegerLookup", "keras.layers.experimental.preprocessing.IntegerLookup")
class IntegerLookup(IndexLookup):
    """Map integers to indices: ``[mask], OOV (-1)..., then the vocabulary`` (see IndexLookup for the rules)."""

    def __init__(
        self,
        max_tokens: int | None = None,
        num_oov_indices: int = 1,
        mask_token: int | None = None,
        oov_token: int = -1,
        vocabulary: Any = None,
        vocabulary_dtype: str = "int64",
        idf_weights: Any = None,
        invert: bool = False,
        output_mode: str = "int",
        sparse: bool = False,
        pad_to_max_tokens: bool = False,
        **kwargs: Any,
    ) -> None:
        if np.dtype(vocabulary_dtype).kind not in "iu":
            raise ValueError(
                f"`vocabulary_dtype` must be an integer dtype. Received: {vocabulary_dtype}"
            )
        if output_mode != "int" and kwargs.get("dtype") in ("int64", np.int64):
            del kwargs["dtype"]
        max_tokens = kwargs.pop("max_values", max_tokens)
        mask_token = kwargs.pop("mask_value", mask_token)
        oov_token = kwargs.pop("oov_value", oov_token)
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(
                "If `max_tokens` is set for `IntegerLookup`, it must be greater than 1. Received: "
                f"max_tokens={max_tokens}."
            )
        if num_oov_indices < 0:
            raise ValueError(
                "The value of `num_oov_indices` argument for `IntegerLookup` must >= 0. Received "
                f"num_oov_indices={num_oov_indices}."
            )
        mask_token = None if mask_token is None else int(mask_token)
        oov_token = None if oov_token is None else int(oov_token)
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary=vocabulary,
            vocabulary_dtype=str(np.dtype(vocabulary_dtype)),
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            sparse=sparse,
            pad_to_max_tokens=pad_to_max_tokens,
            **kwargs,
        )

    def _key(self, value: Any) -> Any:
        return int(value)

    def _oov_hash(self, tokens: list[Any]) -> np.ndarray:
        return np.mod(np.asarray(tokens, dtype=np.int64), self.num_oov_indices)
