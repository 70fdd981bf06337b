"""StringLookup: strings to integer indices in a vocabulary (or back, with ``invert``).

Mirrors tf_keras/src/layers/preprocessing/string_lookup.py: an IndexLookup (``index_lookup.py``) of string tokens,
OOV token ``"[UNK]"``, no mask token unless given, ``encoding`` for bytes inputs, Keras's ``get_config`` (without
``vocabulary_dtype``, with ``encoding``). Left out: vocabulary files and sparse outputs (refused).

    >>> layer = StringLookup(vocabulary=["a", "b"])
    >>> layer(np.array([["a", "c"], ["b", "a"]])).numpy().tolist()
    [[1, 0], [2, 1]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.layers.preprocessing.index_lookup import IndexLookup
from fittrace.saving.keras_export import keras_export


@keras_export("keras.layers.StringLookup", "keras.layers.experimental.preprocessing.StringLookup")
class StringLookup(IndexLookup):
    """Map strings to indices: ``[mask], [UNK]..., then the vocabulary`` (see IndexLookup for the rules).

    Args:
        max_tokens: the largest vocabulary (special tokens included). num_oov_indices: OOV indices (default 1).
        mask_token / oov_token: the special tokens. vocabulary: a list of strings (else ``adapt``).
        idf_weights: for ``tf_idf`` with a given vocabulary. invert: indices back to strings.
        output_mode: ``int``, ``one_hot``, ``multi_hot``, ``count`` or ``tf_idf``.
        pad_to_max_tokens: vector outputs of ``max_tokens`` whatever the vocabulary's size.
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        num_oov_indices: int = 1,
        mask_token: str | None = None,
        oov_token: str = "[UNK]",
        vocabulary: Any = None,
        idf_weights: Any = None,
        encoding: str = "utf-8",
        invert: bool = False,
        output_mode: str = "int",
        sparse: bool = False,
        pad_to_max_tokens: bool = False,
        **kwargs: Any,
    ) -> None:
        if kwargs.get("dtype") in ("string", str):
            del kwargs["dtype"]
        self.encoding = encoding
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary=vocabulary,
            vocabulary_dtype="string",
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            sparse=sparse,
            pad_to_max_tokens=pad_to_max_tokens,
            **kwargs,
        )

    def _key(self, value: Any) -> Any:
        if isinstance(value, bytes):
            return value.decode(self.encoding)
        return str(value)

    def _sort_key(self, token: Any) -> Any:
        return token.encode(self.encoding)

    def _numpy_vocabulary_dtype(self) -> Any:
        return np.str_

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["vocabulary_dtype"]
        return {**config, "encoding": self.encoding}
