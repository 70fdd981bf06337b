"""PreprocessingLayer.adapt: batches in order, build on the data, empty data, a failed adapt undone."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.engine.base_preprocessing_layer import PreprocessingLayer


class Recorder(PreprocessingLayer):
    _adapt_state_names = ("seen",)

    def __init__(self, fail_at=None, **kwargs):
        super().__init__(**kwargs)
        self.seen, self.fail_at = [], fail_at

    def update_state(self, data):
        if self.fail_at is not None and len(self.seen) == self.fail_at:
            raise ValueError("boom")
        self.seen.append(data.tolist())

    def reset_state(self):
        self.seen = []


def test_batches_in_order_32_unless_told():
    layer = Recorder()
    layer.adapt(np.arange(70))
    assert [len(b) for b in layer.seen] == [32, 32, 6] and layer.is_adapted and layer.built
    layer.adapt(np.arange(10), batch_size=4, steps=2)
    assert layer.seen == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert layer.get_config()["batch_input_shape"] == (None,)


def test_empty_data_and_a_failed_adapt():
    with pytest.raises(ValueError, match="Expected input data to be non-empty."):
        Recorder().adapt(np.zeros((0, 3)))
    layer = Recorder()
    layer.adapt(np.arange(3))
    layer.fail_at = 1
    with pytest.raises(ValueError, match="boom"):
        layer.adapt(np.arange(64))
    assert layer.seen == [[0, 1, 2]]


def test_a_list_of_values_is_one_input():
    from fittrace.layers.preprocessing import CategoryEncoding, StringLookup

    assert StringLookup(vocabulary=["a"])(["a", "b"]).numpy().tolist() == [1, 0]
    assert CategoryEncoding(3)([0, 2]).numpy().tolist() == [1.0, 0.0, 1.0]
