"""The cells' dropout masks: ``fittrace/layers/rnn/dropout_rnn_cell_mixin.py``."""

from __future__ import annotations

import numpy as np

from fittrace.layers.rnn.dropout_rnn_cell_mixin import DropoutRNNCellMixin, dropout_masks
from fittrace.seeding import set_random_seed


class Cell(DropoutRNNCellMixin):
    dropout = 0.5
    recurrent_dropout = 0.0


class Shaped:
    shape = (400, 50)


def test_masks_keep_about_one_minus_the_rate_scaled_up_and_repeat_with_the_seed():
    set_random_seed(1)
    (a,) = dropout_masks((400, 50), 0.25, 1)
    assert set(np.unique(a)) == {0.0, np.float32(1 / 0.75)}
    assert abs((a > 0).mean() - 0.75) < 0.02
    set_random_seed(1)
    np.testing.assert_array_equal(dropout_masks((400, 50), 0.25, 1)[0], a)


def test_a_cell_keeps_its_masks_until_reset_and_has_none_outside_training_or_at_rate_zero():
    cell = Cell()
    first = cell.get_dropout_mask_for_cell(Shaped(), True, count=3)
    assert len(first) == 3 and not np.array_equal(first[0], first[1])
    assert cell.get_dropout_mask_for_cell(Shaped(), True, count=3) is first
    cell.reset_dropout_mask()
    assert cell.get_dropout_mask_for_cell(Shaped(), True, count=3) is not first
    assert cell.get_dropout_mask_for_cell(Shaped(), False) is None
    assert cell.get_recurrent_dropout_mask_for_cell(Shaped(), True) is None
