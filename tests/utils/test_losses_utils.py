"""Masks as sample weights: ``fittrace/utils/losses_utils.py``."""

from __future__ import annotations

import numpy as np

from fittrace.autodiff import Tensor
from fittrace.utils.losses_utils import apply_mask, apply_valid_mask, get_mask

MASK = np.array([[True, True, False], [True, False, False]])


def test_get_mask_reads_the_slot():
    t = Tensor(np.zeros((2, 3)))
    assert get_mask(t) is None and get_mask(np.zeros(2)) is None
    t._keras_mask = Tensor(MASK)
    assert get_mask(t) is t._keras_mask


def test_apply_mask_is_the_mask_without_weights_and_multiplies_them_otherwise():
    assert apply_mask(None, None, None) is None
    assert apply_mask(None, np.ones(2), None).tolist() == [1.0, 1.0]
    alone = apply_mask(None, None, Tensor(MASK))
    assert alone.dtype == np.float32 and alone.tolist() == MASK.astype(float).tolist()
    per_sample = apply_mask(
        None, np.array([2.0, 3.0]), MASK
    )  # (batch,) weights of a (batch, time) mask
    assert per_sample.tolist() == [[2.0, 2.0, 0.0], [3.0, 0.0, 0.0]]
    trailing = apply_mask(None, np.array([[2.0], [3.0]]), MASK)
    assert trailing.tolist() == per_sample.tolist()


def test_apply_valid_mask_rescales_for_a_mean_over_the_valid_entries():
    w = apply_valid_mask(None, None, MASK, "sum_over_batch_size")
    # 6 entries, 3 valid: each valid one weighs 2, so the mean over all 6 is the mean over the 3
    assert w.tolist() == [[2.0, 2.0, 0.0], [2.0, 0.0, 0.0]]
    losses = np.array([[1.0, 2.0, 9.0], [3.0, 9.0, 9.0]])
    assert (losses * w).mean() == 2.0
    assert apply_valid_mask(None, None, MASK, "sum").tolist() == MASK.astype(float).tolist()
    assert apply_valid_mask(None, None, MASK, "auto").tolist() == w.tolist()
