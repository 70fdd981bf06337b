"""timeseries_dataset_from_array (fittrace/utils/timeseries_dataset.py): windows, targets, batches, checks."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.utils.timeseries_dataset import timeseries_dataset_from_array


def test_windows_and_targets_by_hand():
    data = np.arange(10) * 10
    ds = timeseries_dataset_from_array(
        data, np.arange(10), 3, sequence_stride=2, sampling_rate=2, batch_size=2
    )
    got = [(x.tolist(), y.tolist()) for x, y in ds]
    # starts 0, 2, 4 (the last window must end inside the data: 4 + 2 * 2 = 8 < 10)
    assert got == [([[0, 20, 40], [20, 40, 60]], [0, 2]), ([[40, 60, 80]], [4])]
    assert ds.keras_returns == "tf.data.Dataset" and ds.made_by == "timeseries_dataset_from_array"


def test_start_and_end_index_and_no_targets():
    ds = timeseries_dataset_from_array(
        np.arange(10), None, 2, start_index=3, end_index=7, batch_size=None
    )
    assert [x.tolist() for x in ds] == [[3, 4], [4, 5], [5, 6]]


def test_shuffle_keeps_each_window_with_its_target_and_reshuffles_per_epoch():
    data = np.arange(30)
    ds = timeseries_dataset_from_array(data, data * 2, 4, batch_size=5, shuffle=True, seed=1)
    first = [(x, y) for x, y in ds]
    starts = np.concatenate([x[:, 0] for x, _ in first])
    assert sorted(starts.tolist()) == list(range(27)) and starts.tolist() != list(range(27))
    for x, y in first:
        np.testing.assert_array_equal(y, x[:, 0] * 2)
    ds.on_epoch_end()
    assert np.concatenate([x[:, 0] for x, _ in ds]).tolist() != starts.tolist()


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(start_index=-1), "`start_index` must be 0 or greater. Received: start_index=-1"),
        (dict(end_index=10), "`end_index` must be lower than the length of the data."),
        (dict(sampling_rate=0), "`sampling_rate` must be higher than 0. Received: sampling_rate=0"),
        (dict(sequence_stride=10), "`sequence_stride` must be lower than the length of the data."),
    ],
)
def test_checks(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        timeseries_dataset_from_array(np.arange(10), None, 2, **kwargs)
