"""``timeseries_dataset_from_array``: sliding windows over an array (and the target at each window's start).

Mirrors tf_keras/src/utils/timeseries_dataset.py: the same argument checks and messages, the same windows (window
``i`` starts at ``start_index + start_positions[i]`` and takes ``sequence_length`` steps ``sampling_rate`` apart;
its target is ``targets[start_index + start_positions[i]]``), ``num_seqs = end_index - start_index -
(sequence_length - 1) * sampling_rate`` capped by ``len(targets)``, and with ``shuffle=True`` the window starts
shuffled by ``np.random.RandomState(seed)`` as Keras does before batching. Keras returns a ``tf.data.Dataset``;
this returns a DatasetSequence (fittrace.utils.dataset_utils), whose batches hold the same windows in the same
order except that Keras's extra ``dataset.shuffle(buffer_size=batch_size * 8)`` (TensorFlow's random numbers, at
every pass) is not reproduced: with ``shuffle=True`` the first pass follows the numpy-shuffled starts, and each
later epoch reshuffles them with numpy. Windows are cut when a batch is asked for, not stored. Left out: nothing
else.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.saving.keras_export import keras_export
from fittrace.utils.dataset_utils import DatasetSequence


@keras_export("keras.utils.timeseries_dataset_from_array")
def timeseries_dataset_from_array(
    data: Any,
    targets: Any,
    sequence_length: int,
    sequence_stride: int = 1,
    sampling_rate: int = 1,
    batch_size: int | None = 128,
    shuffle: bool = False,
    seed: int | None = None,
    start_index: int | None = None,
    end_index: int | None = None,
) -> DatasetSequence:
    """Windows of ``data`` (and their ``targets``) in batches: see the module docstring."""
    if start_index:
        if start_index < 0:
            raise ValueError(
                f"`start_index` must be 0 or greater. Received: start_index={start_index}"
            )
        if start_index >= len(data):
            raise ValueError(
                "`start_index` must be lower than the length of the data. "
                f"Received: start_index={start_index}, for data of length {len(data)}"
            )
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(
                "`end_index` must be higher than `start_index`. "
                f"Received: start_index={start_index}, and end_index={end_index} "
            )
        if end_index >= len(data):
            raise ValueError(
                "`end_index` must be lower than the length of the data. "
                f"Received: end_index={end_index}, for data of length {len(data)}"
            )
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    if sampling_rate <= 0:
        raise ValueError(
            f"`sampling_rate` must be higher than 0. Received: sampling_rate={sampling_rate}"
        )
    if sampling_rate >= len(data):
        raise ValueError(
            "`sampling_rate` must be lower than the length of the data. "
            f"Received: sampling_rate={sampling_rate}, for data of length {len(data)}"
        )
    if sequence_stride <= 0:
        raise ValueError(
            f"`sequence_stride` must be higher than 0. Received: sequence_stride={sequence_stride}"
        )
    if sequence_stride >= len(data):
        raise ValueError(
            "`sequence_stride` must be lower than the length of the data. "
            f"Received: sequence_stride={sequence_stride}, for data of length {len(data)}"
        )
    if start_index is None:
        start_index = 0
    if end_index is None:
        end_index = len(data)
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_seqs = min(num_seqs, len(targets))
    index_dtype = "int32" if num_seqs < 2147483647 else "int64"
    start_positions = np.arange(0, num_seqs, sequence_stride, dtype=index_dtype)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(start_positions)
    steps = np.asarray(data)[start_index:end_index]
    goals = None if targets is None else np.asarray(targets)[start_index:end_index]
    offsets = np.arange(0, sequence_length * sampling_rate, sampling_rate, dtype=index_dtype)

    def fetch(idx: np.ndarray, single: bool) -> Any:
        starts = start_positions[idx]
        windows = steps[starts[:, None] + offsets[None, :]]
        if goals is None:
            return windows[0] if single else windows
        labels = goals[starts]
        return (windows[0], labels[0]) if single else (windows, labels)

    # The later reshuffles draw from their own generator, so the first pass is exactly Keras's start order.
    return DatasetSequence(
        len(start_positions),
        fetch,
        batch_size,
        "timeseries_dataset_from_array",
        shuffle=shuffle,
        seed=seed,
    )
