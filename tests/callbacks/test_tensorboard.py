"""TensorBoard: ``fittrace/callbacks/tensorboard.py``. The files are decoded here by a reader written for the test
(TFRecord framing, then the protobuf wire format); test_keras_parity_metrics.py reads them with TensorBoard's own
``EventAccumulator`` and compares them with what TF-Keras writes."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from fittrace.callbacks import Callback, TensorBoard
from fittrace.callbacks import tensorboard as tb
from fittrace.keras import layers
from fittrace.keras.models import Sequential


def _fields(buf: bytes) -> list[tuple[int, object]]:
    """(field number, value) pairs of one protobuf message: varints as ints, 64-bit as doubles, bytes as bytes."""
    out, i = [], 0
    while i < len(buf):
        key, i = _read_varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _read_varint(buf, i)
        elif wire == 1:
            value, i = struct.unpack("<d", buf[i : i + 8])[0], i + 8
        elif wire == 2:
            n, i = _read_varint(buf, i)
            value, i = buf[i : i + n], i + n
        else:
            raise AssertionError(f"unexpected wire type {wire}")
        out.append((field, value))
    return out


def _read_varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def _records(path: Path) -> list[bytes]:
    data, i, out = path.read_bytes(), 0, []
    while i < len(data):
        (n,) = struct.unpack("<Q", data[i : i + 8])
        out.append(data[i + 12 : i + 12 + n])
        i += 12 + n + 4
    assert i == len(data)
    return out


def _scalars(folder: Path) -> dict[str, list[tuple[int, float]]]:
    """tag -> [(step, value)] of the scalar summaries in the one event file of ``folder``."""
    (path,) = folder.glob("events.out.tfevents.*.v2")
    found: dict[str, list[tuple[int, float]]] = {}
    for record in _records(path)[1:]:
        event = dict(_fields(record))
        if 5 not in event:
            continue
        value = dict(_fields(dict(_fields(event[5]))[1]))
        plugin = dict(_fields(dict(_fields(value[9]))[1]))[1]
        if plugin != b"scalars":
            continue
        tensor = dict(_fields(value[8]))
        assert tensor[1] == 1  # DT_FLOAT
        (v,) = struct.unpack("<f", tensor[4])
        found.setdefault(value[1].decode(), []).append((event.get(2, 0), v))
    return found


def test_crc32c_and_its_mask_are_the_tfrecord_ones():
    assert tb.crc32c(b"123456789") == 0xE3069283  # the standard check value of CRC-32C
    assert tb.crc32c(b"") == 0
    record = tb.tfrecord(b"abc")
    assert record[:8] == struct.pack("<Q", 3) and record[12:15] == b"abc" and len(record) == 19


def test_the_first_record_is_tensorflows_file_version(tmp_path):
    writer = tb.EventFileWriter(str(tmp_path))
    writer.close()
    (first,) = _records(Path(writer.path))
    event = dict(_fields(first))
    assert event[3] == b"brain.Event:2" and event[1] == int(event[1])
    assert Path(writer.path).name.startswith("events.out.tfevents.")


def test_histogram_buckets_are_tensorboards():
    data = np.array([0.0, 0.1, 0.5, 1.0, 1.0])
    b = tb.histogram_buckets(data, bucket_count=4)
    np.testing.assert_allclose(b[:, 0], [0.0, 0.25, 0.5, 0.75])
    np.testing.assert_allclose(b[:, 1], [0.25, 0.5, 0.75, 1.0])
    np.testing.assert_array_equal(b[:, 2], [2, 0, 1, 2])  # the maximum falls in the last bucket
    one = tb.histogram_buckets(np.full(3, 2.0), bucket_count=4)
    np.testing.assert_array_equal(one[:, 2], [0, 0, 0, 3])


def _fit(tmp_path: Path, callbacks: list, validation: bool = True) -> dict:
    rng = np.random.default_rng(0)
    x, y = rng.random((16, 3), dtype="float32"), (rng.random((16, 1)) > 0.5).astype("float32")
    model = Sequential([layers.Dense(1, activation="sigmoid", input_shape=(3,))])
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(
        x,
        y,
        batch_size=4,
        epochs=2,
        verbose=0,
        validation_data=(x, y) if validation else None,
        callbacks=callbacks,
    )
    return history.history


def test_epoch_scalars_go_to_train_and_validation_under_keras_tags(tmp_path):
    logs = _fit(tmp_path, [TensorBoard(tmp_path)])
    train, val = _scalars(tmp_path / "train"), _scalars(tmp_path / "validation")
    assert sorted(train) == ["epoch_accuracy", "epoch_loss"]
    assert [s for s, _ in train["epoch_loss"]] == [0, 1]
    np.testing.assert_allclose([v for _, v in train["epoch_loss"]], logs["loss"], rtol=1e-6)
    np.testing.assert_allclose([v for _, v in val["epoch_loss"]], logs["val_loss"], rtol=1e-6)
    # after each evaluation, at the optimizer's iteration count (4 steps an epoch)
    assert [s for s, _ in val["evaluation_loss_vs_iterations"]] == [4, 8]


def test_batch_scalars_need_the_batch_hooks_as_in_keras(tmp_path):
    _fit(tmp_path / "quiet", [TensorBoard(tmp_path / "quiet", update_freq=2)], validation=False)
    assert not any(t.startswith("batch_") for t in _scalars(tmp_path / "quiet" / "train"))

    class PerBatch(Callback):
        def on_train_batch_end(self, batch, logs=None):
            pass

    _fit(
        tmp_path / "hooks",
        [TensorBoard(tmp_path / "hooks", update_freq=2), PerBatch()],
        validation=False,
    )
    batch = _scalars(tmp_path / "hooks" / "train")["batch_loss"]
    assert [s for s, _ in batch] == [2, 4, 6, 8]


def test_the_model_graph_and_weight_histograms_are_written(tmp_path):
    _fit(tmp_path, [TensorBoard(tmp_path, histogram_freq=1)], validation=False)
    (path,) = (tmp_path / "train").glob("events*")
    tags = []
    for record in _records(path)[1:]:
        event = dict(_fields(record))
        value = dict(_fields(dict(_fields(event[5]))[1]))
        tags.append(value[1].decode())
    assert tags[0] == "keras"
    hist = sorted({t for t in tags if t.endswith("/histogram")})
    assert [t.split("/", 1)[1] for t in hist] == ["bias_0/histogram", "kernel_0/histogram"]
    assert all(tags.count(t) == 2 for t in hist)  # one each epoch


def test_arguments_fittrace_does_not_write_warn_and_bad_ones_fail_as_in_keras(tmp_path):
    with pytest.warns(UserWarning, match="fittrace has no profiler"):
        TensorBoard(tmp_path, profile_batch=(2, 3))
    with pytest.warns(UserWarning, match="writes no weight images"):
        TensorBoard(tmp_path, write_images=True)
    with pytest.raises(ValueError, match="profile_batch must be a non-negative integer or 2-tuple"):
        TensorBoard(tmp_path, profile_batch=-1)
    with pytest.raises(ValueError, match="Unrecognized arguments in `TensorBoard` Callback"):
        TensorBoard(tmp_path, colour="red")
