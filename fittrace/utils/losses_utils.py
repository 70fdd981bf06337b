"""The masks of predictions as sample weights: how a loss and the metrics honour ``y_pred._keras_mask``.

Mirrors ``get_mask``, ``apply_mask`` and ``apply_valid_mask`` of tf_keras/src/utils/losses_utils.py (with the part
of ``squeeze_or_expand_dimensions`` they use): the compiled loss and metrics multiply the sample weights by the mask
of ``y_pred`` (the mask alone when there are no weights), and a loss reduced over the batch size rescales the mask
by ``total / valid`` so that the masked-out entries do not count in the mean. Weights come back as float32 arrays.
Left out: ragged tensors, the reductions themselves (``losses.compute_weighted_loss``).

    >>> mask = np.array([[True, True, False, False]])
    >>> apply_valid_mask(np.zeros((1, 4)), None, mask, "sum_over_batch_size").tolist()
    [[2.0, 2.0, 0.0, 0.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.autodiff import to_numpy

_OVER_BATCH = ("auto", "sum_over_batch_size")


def get_mask(y_p: Any) -> Any:
    """The Keras mask a tensor carries (None when it has none)."""
    return getattr(y_p, "_keras_mask", None)


def _conform_weights(weights: np.ndarray, rank: int) -> np.ndarray:
    """Weights one axis short of the mask get a trailing axis; one axis more, with a last axis of 1, lose it."""
    if weights.ndim == 0:
        return weights
    diff = weights.ndim - rank
    if diff == 1 and weights.shape[-1] == 1:
        return weights[..., 0]
    if diff == -1:
        return weights[..., None]
    return weights


def apply_mask(y_p: Any, sw: Any, mask: Any) -> Any:
    """The sample weights times the mask (the mask itself without weights), as float32 (``apply_mask``)."""
    if mask is None:
        return sw
    m = to_numpy(mask).astype(np.float32)
    if sw is None:
        return m
    w = _conform_weights(to_numpy(sw).astype(np.float32), m.ndim)
    return w * m


def apply_valid_mask(losses: Any, sw: Any, mask: Any, reduction: str) -> Any:
    """``apply_mask`` after rescaling the mask by ``total / valid`` for a mean over the batch, so that the mean
    is taken over the valid entries only (``apply_valid_mask``)."""
    if mask is None:
        return sw
    m = to_numpy(mask).astype(np.float32)
    if reduction in _OVER_BATCH:
        with np.errstate(divide="ignore", invalid="ignore"):  # no valid entry: nan, as in Keras
            m = m * (np.float32(m.size) / np.float32(m.sum()))
    return apply_mask(losses, sw, m)
