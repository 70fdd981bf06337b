"""TensorBoard: real TensorBoard event files, written without TensorFlow, so a teacher can open ``tensorboard
--logdir logs`` on a fittrace run as on a Keras one.

Mirrors ``keras.callbacks.TensorBoard`` (tf_keras/src/callbacks.py). Why real files rather than a pointer to
``fittrace report`` or CSVLogger: a course's notebook passes ``TensorBoard(log_dir)`` to ``fit`` and opens the
dashboard next; the format is small and stable (TFRecord framing with masked CRC32C checksums around ``Event``
protocol buffers), so it is encoded here by hand, and the tests read the files back with TensorBoard's own
``EventAccumulator``. What is written is what tf-keras 2.21 writes, under the same folders, tags and steps:
``train/`` and ``validation/`` event files; ``epoch_<log>`` scalars at the epoch index (``val_`` logs go to
``validation/`` without the prefix); ``evaluation_<log>_vs_iterations`` in ``validation/`` at the optimizer's
iteration count after each evaluation; ``batch_<log>`` every ``update_freq`` steps (the running epoch value, at the
step count, and, as in Keras, only when the batch hooks run: some callback, such as the progress bar at
``verbose=1``, must want them); ``epoch_learning_rate`` under a schedule; ``epoch_steps_per_second`` and
``batch_steps_per_second`` if asked; the model's config as the ``keras`` summary TensorBoard's graph tab draws
(``write_graph``, Sequential and functional models); weight histograms every ``histogram_freq`` epochs (30 buckets,
TensorBoard's bucketing). Scalars are float32 tensors with the "scalars" plugin, as ``tf.summary.scalar`` writes.

Left out, with a warning when asked for: the op-level TensorFlow graph (fittrace has none; the ``keras`` summary is
written), weight images (``write_images``), the profiler (``profile_batch``; a fittrace trace has per-step
timings: ``fittrace report``), embeddings (``embeddings_freq``).

    >>> masked_crc32c(b"")   # the mask of CRC32C's empty checksum
    2726488792
"""

from __future__ import annotations

import itertools
import os
import socket
import struct
import time
import warnings
from typing import Any

import numpy as np

from fittrace.callbacks.callback import Callback

# --- TFRecord framing ---------------------------------------------------------------------------------------------
_CRC32C_POLY = 0x82F63B78  # Castagnoli, reflected


def _crc_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ _CRC32C_POLY if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc_table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc = _TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TFRecord's checksum: CRC32C rotated right by 15 bits plus a constant, modulo 2**32."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def tfrecord(data: bytes) -> bytes:
    """One record: its length (uint64), the length's checksum, the bytes, their checksum (little-endian)."""
    length = struct.pack("<Q", len(data))
    return (
        length
        + struct.pack("<I", masked_crc32c(length))
        + data
        + struct.pack("<I", masked_crc32c(data))
    )


# --- protocol buffer encoding (only what an Event needs) -----------------------------------------------------------
def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # negative int64 as two's complement, as protobuf does
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _varint(field << 3 | wire)


def _bytes_field(field: int, data: bytes) -> bytes:
    return _key(field, 2) + _varint(len(data)) + data


def _int_field(field: int, value: int) -> bytes:
    return _key(field, 0) + _varint(value)


def _double_field(field: int, value: float) -> bytes:
    return _key(field, 1) + struct.pack("<d", value)


DT_FLOAT, DT_DOUBLE, DT_STRING = 1, 2, 7


def _tensor_proto(
    dtype: int, shape: tuple[int, ...], content: bytes | None, strings: Any = ()
) -> bytes:
    """TensorProto: dtype (1), tensor_shape (2, its dims in field 2 of size field 1), tensor_content (4) or
    string_val (8)."""
    dims = b"".join(_bytes_field(2, _int_field(1, d)) for d in shape)
    out = _int_field(1, dtype) + _bytes_field(2, dims)
    if content is not None:
        out += _bytes_field(4, content)
    for s in strings:
        out += _bytes_field(8, s)
    return out


def _summary_value(tag: str, tensor: bytes, plugin: str, content: bytes = b"") -> bytes:
    """Summary.Value: tag (1), tensor (8), metadata (9) naming the plugin (plugin_data 1: name 1, content 2)."""
    plugin_data = _bytes_field(1, plugin.encode()) + (_bytes_field(2, content) if content else b"")
    return (
        _bytes_field(1, tag.encode())
        + _bytes_field(8, tensor)
        + _bytes_field(9, _bytes_field(1, plugin_data))
    )


def _event(
    wall_time: float, step: int = 0, summary_value: bytes | None = None, **extra: bytes
) -> bytes:
    """Event: wall_time (1), step (2, left out when 0 as protobuf does), summary (5: its values in field 1)."""
    out = _double_field(1, wall_time)
    if step:
        out += _int_field(2, step)
    if "file_version" in extra:
        out += _bytes_field(3, extra["file_version"])
    if summary_value is not None:
        out += _bytes_field(5, _bytes_field(1, summary_value))
    if "source_writer" in extra:
        out += _bytes_field(10, _bytes_field(1, extra["source_writer"]))
    return out


def scalar_event(tag: str, value: float, step: int, wall_time: float | None = None) -> bytes:
    """What ``tf.summary.scalar`` writes: a float32 scalar tensor under the "scalars" plugin."""
    tensor = _tensor_proto(DT_FLOAT, (), struct.pack("<f", float(value)))
    return _event(
        time.time() if wall_time is None else wall_time,
        step,
        _summary_value(tag, tensor, "scalars"),
    )


def histogram_buckets(data: Any, bucket_count: int = 30) -> np.ndarray:
    """(bucket_count, 3) rows of [left edge, right edge, count], as TensorBoard's ``tf.summary.histogram``
    buckets them: equal widths from min to max, the max in the last bucket; one value fills the last bucket."""
    x = np.asarray(data, dtype=np.float64).reshape(-1)
    if x.size == 0:
        return np.zeros((bucket_count, 3))
    lo, hi = x.min(), x.max()
    if hi == lo:
        counts = np.zeros(bucket_count)
        counts[-1] = x.size
        return np.stack([np.full(bucket_count, hi), np.full(bucket_count, hi), counts], axis=1)
    width = (hi - lo) / bucket_count
    idx = np.minimum(np.floor((x - lo) / width).astype(np.int64), bucket_count - 1)
    counts = np.bincount(idx, minlength=bucket_count).astype(np.float64)
    edges = np.linspace(lo, hi, bucket_count + 1)
    edges[-1] = hi
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def histogram_event(tag: str, data: Any, step: int, wall_time: float | None = None) -> bytes:
    buckets = histogram_buckets(data)
    tensor = _tensor_proto(DT_DOUBLE, buckets.shape, buckets.astype("<f8").tobytes())
    return _event(
        time.time() if wall_time is None else wall_time,
        step,
        _summary_value(tag, tensor, "histograms"),
    )


def keras_model_event(model_json: str, step: int = 0) -> bytes:
    """The model's config as a string tensor under "graph_keras_model": TensorBoard's graph tab draws it."""
    tensor = _tensor_proto(DT_STRING, (), None, strings=[model_json.encode()])
    return _event(time.time(), step, _summary_value("keras", tensor, "graph_keras_model", b"1"))


_writer_ids = itertools.count()


class EventFileWriter:
    """One ``events.out.tfevents.<time>.<host>.<pid>.<n>.v2`` file in ``logdir``, opened with TensorFlow's
    first record (the file version)."""

    def __init__(self, logdir: str) -> None:
        os.makedirs(logdir, exist_ok=True)
        now = time.time()
        name = f"events.out.tfevents.{int(now):010d}.{socket.gethostname()}.{os.getpid()}.{next(_writer_ids)}.v2"
        self.path = os.path.join(logdir, name)
        self._file: Any = open(self.path, "wb")  # noqa: SIM115 - kept open across the fit
        self.add(
            _event(
                float(int(now)),
                file_version=b"brain.Event:2",
                source_writer=b"tensorflow.core.util.events_writer",
            )
        )
        self.flush()

    def add(self, event: bytes) -> None:
        self._file.write(tfrecord(event))

    def flush(self) -> None:
        if not self._file.closed:
            self._file.flush()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


# --- the callback --------------------------------------------------------------------------------------------------
_SUPPORTED_KWARGS = {"write_grads", "embeddings_layer_names", "embeddings_data", "batch_size"}


class TensorBoard(Callback):
    """Write the logs (and, if asked, weight histograms) as TensorBoard event files under ``log_dir``."""

    def __init__(
        self,
        log_dir: str | os.PathLike = "logs",
        histogram_freq: int = 0,
        write_graph: bool = True,
        write_images: bool = False,
        write_steps_per_second: bool = False,
        update_freq: str | int = "epoch",
        profile_batch: Any = 0,
        embeddings_freq: int = 0,
        embeddings_metadata: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        unrecognized = set(kwargs) - _SUPPORTED_KWARGS
        if unrecognized:
            raise ValueError(
                f"Unrecognized arguments in `TensorBoard` Callback: {unrecognized}. "
                f"Supported kwargs are: {_SUPPORTED_KWARGS}"
            )
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._init_profile_batch(profile_batch)
        if write_images:
            warnings.warn(
                "fittrace's TensorBoard writes no weight images (`write_images=True`): the weight histograms "
                "(`histogram_freq`) and the scalars are written.",
                stacklevel=2,
            )
        if embeddings_freq:
            warnings.warn(
                "fittrace's TensorBoard writes no embeddings projector data (`embeddings_freq`).",
                stacklevel=2,
            )
        self._writers: dict[str, EventFileWriter] = {}
        self._epoch_start_time = 0.0
        self._batch_start_time = 0.0
        self._previous_epoch_iterations = 0

    def _init_profile_batch(self, profile_batch: Any) -> None:
        message = (
            "profile_batch must be a non-negative integer or 2-tuple of positive integers. A pair of "
            "positive integers signifies a range of batches to profile. Found: "
            f"{profile_batch}"
        )
        if isinstance(profile_batch, str):
            profile_batch = [int(p) for p in profile_batch.split(",")]
            if len(profile_batch) == 1:
                profile_batch = profile_batch[0]
        if isinstance(profile_batch, int):
            start, stop = profile_batch, profile_batch
        elif isinstance(profile_batch, (tuple, list)) and len(profile_batch) == 2:
            start, stop = profile_batch
        else:
            raise ValueError(message)
        if start < 0 or stop < start:
            raise ValueError(message)
        # Keras runs the batch hooks while it profiles; fittrace has no profiler, but keeps the hooks
        self._should_trace = not (start == 0 and stop == 0)
        if self._should_trace:
            warnings.warn(
                f"fittrace has no profiler: TensorBoard(profile_batch={profile_batch!r}) writes no profile. "
                "A fittrace trace has each step's timing: see `fittrace report`.",
                stacklevel=3,
            )

    # --- writers ---------------------------------------------------------------------------------------------------
    def _writer(self, which: str) -> EventFileWriter:
        if which not in self._writers:
            self._writers[which] = EventFileWriter(os.path.join(self.log_dir, which))
        return self._writers[which]

    def _close_writers(self) -> None:
        for w in self._writers.values():
            w.close()
        self._writers = {}

    def set_model(self, model: Any) -> None:
        self.model = model
        self._close_writers()
        if self.write_graph:
            self._write_keras_model_summary()

    def _write_keras_model_summary(self) -> None:
        model = self.model
        if not (getattr(model, "_is_graph_network", False) or type(model).__name__ == "Sequential"):
            return
        try:
            model_json = model.to_json()
        except Exception as exc:  # Keras warns and goes on
            warnings.warn(f"Model failed to serialize as JSON. Ignoring... {exc}", stacklevel=2)
            return
        self._writer("train").add(keras_model_event(model_json))

    # --- hooks -----------------------------------------------------------------------------------------------------
    def _implements_train_batch_hooks(self) -> bool:
        return self._should_trace or self.write_steps_per_second

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._previous_epoch_iterations = 0

    def on_train_end(self, logs: dict | None = None) -> None:
        self._close_writers()

    def on_test_end(self, logs: dict | None = None) -> None:
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "iterations") and logs:
            writer = self._writer("validation")
            for name, value in logs.items():
                writer.add(
                    scalar_event(
                        f"evaluation_{name}_vs_iterations", value, int(optimizer.iterations)
                    )
                )
            writer.flush()

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.update_freq == "epoch":
            return
        step = int(getattr(self.model, "_train_counter", 0))
        if step % self.update_freq:
            return
        writer = self._writer("train")
        if self.write_steps_per_second:
            elapsed = max(time.time() - self._batch_start_time, 1e-12)
            writer.add(scalar_event("batch_steps_per_second", 1.0 / elapsed, step))
        for name, value in (logs or {}).items():
            if np.ndim(value) == 0:
                writer.add(scalar_event(f"batch_{name}", float(value), step))

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if self.write_steps_per_second:
            self._previous_epoch_iterations = int(self.model.optimizer.iterations)
            self._epoch_start_time = time.time()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        for w in self._writers.values():
            w.flush()  # a dashboard open on the run sees each epoch as it ends

    def _log_epoch_metrics(self, epoch: int, logs: dict | None) -> None:
        if not logs:
            return
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        optimizer = getattr(self.model, "optimizer", None)
        schedule = getattr(optimizer, "_learning_rate", None)
        if callable(schedule):
            train["learning_rate"] = float(schedule(optimizer.iterations))
        if self.write_steps_per_second:
            steps = int(optimizer.iterations) - self._previous_epoch_iterations
            train["steps_per_second"] = steps / max(time.time() - self._epoch_start_time, 1e-12)
        for which, values in (("train", train), ("validation", val)):
            if values:
                writer = self._writer(which)
                for name, value in values.items():
                    if np.ndim(value) == 0:
                        writer.add(scalar_event(f"epoch_{name}", float(value), epoch))

    def _log_weights(self, epoch: int) -> None:
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                tag = weight.name.replace(":", "_") + "/histogram"
                writer.add(histogram_event(tag, np.asarray(weight.value), epoch))
