"""``text_dataset_from_directory``: a folder of class folders of ``.txt`` files, as batches of (texts, labels).

Mirrors tf_keras/src/utils/text_dataset.py: the same arguments, checks and messages, the file order and split of
fittrace.utils.dataset_utils.index_directory (Keras's, to the file), the label modes, and each text as the file's
bytes (the first ``max_length`` bytes when given, as ``tf.strings.substr`` cuts them). A batch of texts is a numpy
object array of ``bytes``, what ``.numpy()`` of Keras's string tensor gives. Keras returns a ``tf.data.Dataset``
(or two, for ``subset="both"``); this returns DatasetSequences with ``class_names`` (and ``file_paths``, which
tf-keras 2.21's text datasets lack), which read each batch's files when the batch is asked for. Order: see
fittrace.utils.dataset_utils. Left out: nothing else.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.saving.keras_export import keras_export
from fittrace.utils import dataset_utils
from fittrace.utils.dataset_utils import DatasetSequence


def path_to_string_content(path: str, max_length: int | None) -> bytes:
    """The file's bytes, cut to ``max_length`` bytes if given."""
    with open(path, "rb") as fh:
        return fh.read() if max_length is None else fh.read(max_length)


def paths_and_labels_to_dataset(
    file_paths: list[str],
    labels: Any,
    label_mode: str | None,
    num_classes: int,
    max_length: int | None,
    batch_size: int | None,
    shuffle: bool,
    seed: int | None,
    class_names: list[str],
) -> DatasetSequence:
    """The DatasetSequence over these files (texts read batch by batch)."""
    targets = (
        None if not label_mode else dataset_utils.labels_to_array(labels, label_mode, num_classes)
    )

    def fetch(idx: np.ndarray, single: bool) -> Any:
        texts = np.empty(len(idx), dtype=object)
        texts[:] = [path_to_string_content(file_paths[i], max_length) for i in idx]
        if single:
            return texts[0] if targets is None else (texts[0], targets[idx[0]])
        return texts if targets is None else (texts, targets[idx])

    return DatasetSequence(
        len(file_paths),
        fetch,
        batch_size,
        "text_dataset_from_directory",
        shuffle=shuffle,
        seed=seed,
        class_names=class_names,
        file_paths=list(file_paths),
    )


@keras_export("keras.utils.text_dataset_from_directory")
def text_dataset_from_directory(
    directory: Any,
    labels: Any = "inferred",
    label_mode: str | None = "int",
    class_names: list[str] | None = None,
    batch_size: int | None = 32,
    max_length: int | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    follow_links: bool = False,
) -> DatasetSequence | list[DatasetSequence]:
    """Batches of texts (and labels) from ``directory``: see the module docstring."""
    dataset_utils.check_labels_arg(labels, class_names, label_mode, "text files", "text samples")
    if labels is None or label_mode is None:
        labels = None
        label_mode = None
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    file_paths, labels, class_names = dataset_utils.index_directory(
        directory,
        labels,
        formats=(".txt",),
        class_names=class_names,
        shuffle=shuffle,
        seed=seed,
        follow_links=follow_links,
    )
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(
            'When passing `label_mode="binary"`, there must be exactly 2 class_names. '
            f"Received: class_names={class_names}"
        )
    common = dict(
        label_mode=label_mode,
        num_classes=len(class_names),
        max_length=max_length,
        batch_size=batch_size,
        seed=seed,
        class_names=class_names,
    )
    if subset == "both":
        paths_train, labels_train = dataset_utils.get_training_or_validation_split(
            file_paths, labels, validation_split, "training"
        )
        paths_val, labels_val = dataset_utils.get_training_or_validation_split(
            file_paths, labels, validation_split, "validation"
        )
        if not paths_train:
            raise ValueError(
                f"No training text files found in directory {directory}. Allowed format: .txt"
            )
        if not paths_val:
            raise ValueError(
                f"No validation text files found in directory {directory}. Allowed format: .txt"
            )
        return [
            paths_and_labels_to_dataset(paths_train, labels_train, shuffle=shuffle, **common),
            paths_and_labels_to_dataset(paths_val, labels_val, shuffle=False, **common),
        ]
    file_paths, labels = dataset_utils.get_training_or_validation_split(
        file_paths, labels, validation_split, subset
    )
    if not file_paths:
        raise ValueError(f"No text files found in directory {directory}. Allowed format: .txt")
    return paths_and_labels_to_dataset(file_paths, labels, shuffle=shuffle, **common)
