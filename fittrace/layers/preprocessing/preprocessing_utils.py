"""What the preprocessing layers share: the output-mode names, Keras's check of a string argument, the encoding of
integer ids as one-hot / multi-hot / count / tf-idf vectors, and config values as lists.

Mirrors tf_keras/src/layers/preprocessing/preprocessing_utils.py (``encode_categorical_inputs``,
``listify_tensors``; ``validate_string_arg`` is tf-keras's ``utils/layer_utils.py`` one, kept here beside its only
users). Left out: sparse outputs (``sparse=True`` is refused by the layers) and ragged inputs (a text layer's
token rows are Python lists inside the layer, padded before they leave it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

INT = "int"
ONE_HOT = "one_hot"
MULTI_HOT = "multi_hot"
COUNT = "count"
TF_IDF = "tf_idf"


def validate_string_arg(
    value: Any,
    allowable_strings: tuple[str, ...],
    layer_name: str,
    arg_name: str,
    allow_none: bool = False,
    allow_callables: bool = False,
) -> None:
    """Keras's check of a string-valued argument, with its message (and its spelling, "Unkown")."""
    if allow_none and value is None:
        return
    if allow_callables and callable(value):
        return
    if isinstance(value, str) and value in allowable_strings:
        return
    allowed = "`None`, " if allow_none else ""
    allowed += "a `Callable`, " if allow_callables else ""
    allowed += f"or one of the following values: {allowable_strings}"
    note = (
        f"If restoring a model and `{arg_name}` is a custom callable, please ensure the callable is "
        "registered as a custom object. See https://www.tensorflow.org/guide/keras/save_and_serialize"
        "#registering_the_custom_object for details. "
        if allow_callables
        else ""
    )
    raise ValueError(
        f"Unkown value for `{arg_name}` argument of layer {layer_name}. {note}Allowed values are: "
        f"{allowed}. Received: {value}"
    )


def refuse_sparse(sparse: bool, layer_name: str) -> None:
    if sparse:
        raise NotImplementedError(
            f"fittrace's {layer_name} gives dense outputs only: pass sparse=False."
        )


def listify_tensors(x: Any) -> Any:
    """A config value as Keras writes it: arrays become (nested) lists, anything else stays."""
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, tuple):
        return list(x)
    return x


def encode_categorical_inputs(
    inputs: np.ndarray,
    output_mode: str,
    depth: int,
    dtype: str = "float32",
    count_weights: np.ndarray | None = None,
    idf_weights: np.ndarray | None = None,
) -> np.ndarray:
    """Integer ids as vectors of ``depth``, as Keras's ``encode_categorical_inputs`` (``tf.math.bincount`` along
    the last axis): ``one_hot`` adds an axis unless the last one is 1, ``multi_hot`` marks each id present,
    ``count`` counts them (weighted by ``count_weights``), ``tf_idf`` multiplies the counts by ``idf_weights``.
    Ids at or above ``depth`` (and negative ones) are dropped, as bincount's ``maxlength`` drops them."""
    if output_mode == INT:
        return np.asarray(inputs).astype(dtype)
    inputs = np.asarray(inputs)
    original_shape = inputs.shape
    if inputs.ndim == 0:
        inputs = inputs[None]
    if output_mode == ONE_HOT and inputs.shape[-1] != 1:
        inputs = inputs[..., None]
    if inputs.ndim > 2:
        raise ValueError(
            "When output_mode is not `'int'`, maximum supported output rank is 2. Received output_mode "
            f"{output_mode} and input shape {original_shape}, which would result in output rank "
            f"{inputs.ndim}."
        )
    rows = inputs if inputs.ndim == 2 else inputs[None]
    out = np.zeros((rows.shape[0], depth), dtype=np.float64)
    weights = None if count_weights is None else np.asarray(count_weights, dtype=np.float64)
    if weights is not None and weights.ndim < rows.ndim:
        weights = weights.reshape(rows.shape)
    ids = rows.astype(np.int64)
    keep = (ids >= 0) & (ids < depth)
    row_index = np.broadcast_to(np.arange(rows.shape[0])[:, None], ids.shape)
    if output_mode in (MULTI_HOT, ONE_HOT):
        out[row_index[keep], ids[keep]] = 1.0
    else:
        np.add.at(out, (row_index[keep], ids[keep]), 1.0 if weights is None else weights[keep])
    if output_mode == TF_IDF:
        if idf_weights is None:
            raise ValueError(
                "When output mode is `'tf_idf'`, idf_weights must be provided. Received: "
                f"output_mode={output_mode} and idf_weights={idf_weights}"
            )
        out = out.astype(dtype) * np.asarray(idf_weights, dtype=dtype)
    out = out.astype(dtype)
    return out if inputs.ndim == 2 else out[0]
