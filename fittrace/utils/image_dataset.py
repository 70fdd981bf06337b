"""``image_dataset_from_directory``: a folder of class folders of images, as batches of (images, labels).

Mirrors tf_keras/src/utils/image_dataset.py: the same arguments, checks and messages ("Found N files belonging to
M classes.", "Using K files for training."), the allowed formats (.bmp .gif .jpeg .jpg .png), the file order and
split of fittrace.utils.dataset_utils.index_directory (Keras's, to the file), the label modes (int: int32,
binary: float32 ``(n, 1)``, categorical: float32 one-hot) and images as float32 ``(batch, height, width,
channels)``. Keras returns a ``tf.data.Dataset`` (or two, for ``subset="both"``); this returns DatasetSequences
with ``class_names`` and ``file_paths``, which read and resize each batch's files when the batch is asked for.
Decoding and resizing are Pillow's (fittrace.utils.image_utils): the same shapes, the same pixels when
``image_size`` is the files' size, slightly different pixels after a resize. Order: see
fittrace.utils.dataset_utils (Keras's extra buffered tf.data shuffle is not reproduced). Left out: nothing else.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.saving.keras_export import keras_export
from fittrace.utils import dataset_utils
from fittrace.utils.dataset_utils import DatasetSequence
from fittrace.utils.image_utils import (
    decode_image_file,
    get_interpolation,
    pil_image,
    resize_image,
    smart_resize,
)

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


def load_image(
    path: str,
    image_size: tuple[int, int],
    num_channels: int,
    interpolation: str,
    crop_to_aspect_ratio: bool = False,
) -> np.ndarray:
    """One file as a float32 (height, width, num_channels) array of ``image_size``."""
    img = decode_image_file(path, num_channels)
    if crop_to_aspect_ratio:
        return smart_resize(img, image_size, interpolation=interpolation)
    return resize_image(img, image_size, interpolation)


def paths_and_labels_to_dataset(
    image_paths: list[str],
    image_size: tuple[int, int],
    num_channels: int,
    labels: Any,
    label_mode: str | None,
    num_classes: int,
    interpolation: str,
    crop_to_aspect_ratio: bool,
    batch_size: int | None,
    shuffle: bool,
    seed: int | None,
    class_names: list[str],
) -> DatasetSequence:
    """The DatasetSequence over these files (images read batch by batch)."""
    targets = (
        None if not label_mode else dataset_utils.labels_to_array(labels, label_mode, num_classes)
    )

    def fetch(idx: np.ndarray, single: bool) -> Any:
        images = np.stack(
            [
                load_image(
                    image_paths[i], image_size, num_channels, interpolation, crop_to_aspect_ratio
                )
                for i in idx
            ]
        )
        if single:
            return images[0] if targets is None else (images[0], targets[idx[0]])
        return images if targets is None else (images, targets[idx])

    return DatasetSequence(
        len(image_paths),
        fetch,
        batch_size,
        "image_dataset_from_directory",
        shuffle=shuffle,
        seed=seed,
        class_names=class_names,
        file_paths=list(image_paths),
    )


@keras_export("keras.utils.image_dataset_from_directory")
def image_dataset_from_directory(
    directory: Any,
    labels: Any = "inferred",
    label_mode: str | None = "int",
    class_names: list[str] | None = None,
    color_mode: str = "rgb",
    batch_size: int | None = 32,
    image_size: tuple[int, int] = (256, 256),
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    interpolation: str = "bilinear",
    follow_links: bool = False,
    crop_to_aspect_ratio: bool = False,
    **kwargs: Any,
) -> DatasetSequence | list[DatasetSequence]:
    """Batches of images (and labels) from ``directory``: see the module docstring."""
    if "smart_resize" in kwargs:
        crop_to_aspect_ratio = kwargs.pop("smart_resize")
    if kwargs:
        raise TypeError(f"Unknown keywords argument(s): {tuple(kwargs.keys())}")
    dataset_utils.check_labels_arg(labels, class_names, label_mode, "image files", "images")
    if labels is None or label_mode is None:
        labels = None
        label_mode = None
    if color_mode == "rgb":
        num_channels = 3
    elif color_mode == "rgba":
        num_channels = 4
    elif color_mode == "grayscale":
        num_channels = 1
    else:
        raise ValueError(
            '`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
            f"Received: color_mode={color_mode}"
        )
    interpolation = get_interpolation(interpolation)
    pil_image()  # fail now, with the install hint, rather than at the first batch
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    image_paths, labels, class_names = dataset_utils.index_directory(
        directory,
        labels,
        formats=ALLOWLIST_FORMATS,
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
        image_size=image_size,
        num_channels=num_channels,
        label_mode=label_mode,
        num_classes=len(class_names),
        interpolation=interpolation,
        crop_to_aspect_ratio=crop_to_aspect_ratio,
        batch_size=batch_size,
        seed=seed,
        class_names=class_names,
    )
    if subset == "both":
        paths_train, labels_train = dataset_utils.get_training_or_validation_split(
            image_paths, labels, validation_split, "training"
        )
        paths_val, labels_val = dataset_utils.get_training_or_validation_split(
            image_paths, labels, validation_split, "validation"
        )
        if not paths_train:
            raise ValueError(
                f"No training images found in directory {directory}. "
                f"Allowed formats: {ALLOWLIST_FORMATS}"
            )
        if not paths_val:
            raise ValueError(
                f"No validation images found in directory {directory}. "
                f"Allowed formats: {ALLOWLIST_FORMATS}"
            )
        return [
            paths_and_labels_to_dataset(
                paths_train, labels=labels_train, shuffle=shuffle, **common
            ),
            paths_and_labels_to_dataset(paths_val, labels=labels_val, shuffle=False, **common),
        ]
    image_paths, labels = dataset_utils.get_training_or_validation_split(
        image_paths, labels, validation_split, subset
    )
    if not image_paths:
        raise ValueError(
            f"No images found in directory {directory}. Allowed formats: {ALLOWLIST_FORMATS}"
        )
    return paths_and_labels_to_dataset(image_paths, labels=labels, shuffle=shuffle, **common)
