"""Scenarios for the datasets and the data utilities, run twice, by real TF-Keras 2 and by fittrace, for
tests/test_keras_parity_data.py to compare.

    python keras_parity_data_scenarios.py tf FOLDER        # under an interpreter that has tf_keras
    python keras_parity_data_scenarios.py fittrace FOLDER  # under the test environment

FOLDER holds the small files the test wrote (tests/dataset_files.py): imdb.npz, reuters.npz, boston.npz, a word
index, a Keras cache folder ``keras/datasets/`` with fashion-mnist's IDX files and CIFAR's extracted batches, and
the trees ``images/`` and ``texts/``. On the tf side, Keras's hash check is switched off (``validate_file``), since
these small files are not the ones Keras downloads; nothing is downloaded on either side. Prints one JSON object:
the loaded arrays (small ones in full, big ones as shape, dtype and digest), pad_sequences outputs, timeseries
windows, the directory datasets' file order, labels, class names, batch shapes and printed lines, split_dataset's
parts, the image utilities' arrays, and the messages of the errors. Nothing here checks anything: the test does.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
TF = sys.argv[1] == "tf"
FOLDER = sys.argv[2]
if TF:
    import tf_keras as keras
    from tf_keras.src.utils import data_utils as _data_utils

    _data_utils.validate_file = lambda *args, **kwargs: True
else:
    import fittrace.keras as keras

CACHE = os.path.join(FOLDER, "keras")


def snap(a) -> dict:
    a = np.ascontiguousarray(np.asarray(a))
    if a.dtype == object:
        return {
            "shape": list(a.shape),
            "dtype": "object",
            "items": [list(map(int, x)) for x in a.ravel()],
        }
    return {
        "shape": list(a.shape),
        "dtype": str(a.dtype),
        "sha": hashlib.sha256(a.tobytes()).hexdigest(),
    }


def tolist(a):
    a = np.asarray(a)
    if a.dtype == object:
        return [x.decode() if isinstance(x, bytes) else tolist(x) for x in a.ravel()]
    return a.tolist()


def loaded(result) -> list:
    (x_train, y_train), (x_test, y_test) = result
    return [snap(x_train), snap(y_train), snap(x_test), snap(y_test)]


def error(fn) -> list:
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the type and text are what is compared
        return [type(e).__name__, str(e)]
    return ["no error", ""]


def printed(fn):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = fn()
    return result, [line for line in out.getvalue().splitlines() if line.strip()]


def rel(paths) -> list[str]:
    return [os.path.relpath(p, FOLDER) for p in paths]


def batches(ds, limit: int = 20) -> list:
    """Every batch's shapes and labels (a tf.data.Dataset or fittrace's DatasetSequence alike)."""
    out = []
    for i, batch in enumerate(ds):
        if i >= limit:
            break
        parts = batch if isinstance(batch, tuple) else (batch,)
        arrays = [np.asarray(p.numpy() if hasattr(p, "numpy") else p) for p in parts]
        out.append(
            {
                "shapes": [list(a.shape) for a in arrays],
                "dtypes": [str(a.dtype) for a in arrays],
                "labels": tolist(arrays[1]) if len(arrays) > 1 else None,
            }
        )
    return out


def datasets() -> dict:
    d = keras.datasets
    imdb = os.path.join(FOLDER, "imdb.npz")
    reuters = os.path.join(FOLDER, "reuters.npz")
    boston = os.path.join(FOLDER, "boston.npz")
    words = os.path.join(FOLDER, "word_index.json")
    out = {
        "imdb default": loaded(d.imdb.load_data(path=imdb)),
        "imdb num_words skip_top maxlen": loaded(
            d.imdb.load_data(path=imdb, num_words=9, skip_top=4, maxlen=7, seed=5)
        ),
        "imdb no start, no oov": loaded(
            d.imdb.load_data(path=imdb, start_char=None, oov_char=None, index_from=2, num_words=6)
        ),
        "imdb no start, index_from 0 (Keras adds the arrays)": error(
            lambda: d.imdb.load_data(path=imdb, start_char=None, index_from=0)
        ),
        "imdb maxlen too small": error(lambda: d.imdb.load_data(path=imdb, maxlen=1)),
        "imdb unknown keyword": error(lambda: d.imdb.load_data(path=imdb, colour=1)),
        "imdb word index": d.imdb.get_word_index(path=words),
        "reuters default": loaded(d.reuters.load_data(path=reuters)),
        "reuters test_split maxlen": loaded(
            d.reuters.load_data(path=reuters, test_split=0.35, maxlen=8, num_words=10, seed=1)
        ),
        "reuters unknown keyword": error(lambda: d.reuters.load_data(path=reuters, colour=1)),
        "reuters word index": d.reuters.get_word_index(path=words),
        "reuters label names": list(d.reuters.get_label_names()),
        "boston default": loaded(d.boston_housing.load_data(path=boston)),
        "boston test_split seed": loaded(
            d.boston_housing.load_data(path=boston, test_split=0.45, seed=7)
        ),
        "boston bad test_split": error(
            lambda: d.boston_housing.load_data(path=boston, test_split=1)
        )[0],
        "fashion_mnist": loaded(d.fashion_mnist.load_data(cache_dir=CACHE)),
        "cifar10": loaded(d.cifar10.load_data(cache_dir=CACHE)),
        "cifar100 fine": loaded(d.cifar100.load_data(cache_dir=CACHE)),
        "cifar100 coarse": loaded(d.cifar100.load_data("coarse", cache_dir=CACHE)),
        "cifar100 bad label_mode": error(lambda: d.cifar100.load_data("medium", cache_dir=CACHE)),
    }
    return out


def pad() -> dict:
    ps = keras.utils.pad_sequences
    seqs = [[1, 2, 3, 4], [5], [], [6, 7]]
    out = {}
    for padding in ("pre", "post"):
        for truncating in ("pre", "post"):
            key = f"padding={padding} truncating={truncating}"
            out[key] = ps(seqs, maxlen=3, padding=padding, truncating=truncating).tolist()
    out["no maxlen"] = ps(seqs).tolist()
    out["value and float dtype"] = ps(seqs, maxlen=5, dtype="float32", value=-1.5).tolist()
    out["vectors"] = ps([[[1, 2], [3, 4]], [[5, 6]]], maxlen=3).tolist()
    out["strings"] = ps([["a", "b"], ["c"]], dtype=object, value="-").tolist()
    out["dtype"] = str(ps(seqs).dtype)
    out["errors"] = {
        "not iterable": error(lambda: ps(5)),
        "non-iterable item": error(lambda: ps([[1], 2])),
        "bad padding": error(lambda: ps(seqs, padding="middle")),
        "bad truncating": error(lambda: ps(seqs, maxlen=2, truncating="middle")),
        "string value, int dtype": error(lambda: ps([["a"]], value="x")),
        "ragged samples": error(lambda: ps([[[1, 2]], [[1, 2, 3]]])),
    }
    return out


def timeseries() -> dict:
    ts = keras.utils.timeseries_dataset_from_array
    data = np.arange(40).reshape(20, 2)
    targets = np.arange(100, 120)
    out = {}
    cases = {
        "plain": dict(sequence_length=4, batch_size=3),
        "stride rate": dict(sequence_length=3, sequence_stride=2, sampling_rate=3, batch_size=4),
        "start end": dict(sequence_length=2, start_index=3, end_index=15, batch_size=5),
        "no batch": dict(sequence_length=5, sequence_stride=4, batch_size=None),
    }
    for name, kw in cases.items():
        ds = ts(data, targets, **kw)
        items = []
        for batch in ds:
            x, y = batch
            items.append([tolist(np.asarray(x)), tolist(np.asarray(y))])
        out[name] = items
    ds = ts(data, None, sequence_length=3, batch_size=4)
    out["no targets"] = [tolist(np.asarray(b)) for b in ds]
    ds = ts(data, targets, sequence_length=3, batch_size=4, shuffle=True, seed=11)
    windows = sorted(
        (tolist(np.asarray(x)[i]), int(np.asarray(y)[i])) for x, y in ds for i in range(len(x))
    )
    out["shuffled windows (as a set)"] = windows
    out["shuffled batch sizes"] = [len(np.asarray(x)) for x, _ in ds]
    out["errors"] = {
        "negative start": error(lambda: ts(data, None, 3, start_index=-1)),
        "start too big": error(lambda: ts(data, None, 3, start_index=20)),
        "end before start": error(lambda: ts(data, None, 3, start_index=5, end_index=4)),
        "end too big": error(lambda: ts(data, None, 3, end_index=20)),
        "sampling_rate 0": error(lambda: ts(data, None, 3, sampling_rate=0)),
        "sampling_rate too big": error(lambda: ts(data, None, 3, sampling_rate=25)),
        "stride 0": error(lambda: ts(data, None, 3, sequence_stride=0)),
        "stride too big": error(lambda: ts(data, None, 3, sequence_stride=30)),
    }
    return out


def resized_images() -> dict:
    """The first batch's pixels, resized as tf.image.resize resizes (compared with a tolerance by the test)."""
    images = os.path.join(FOLDER, "images")
    idf = keras.utils.image_dataset_from_directory
    out = {}
    for name, kw in (
        ("bilinear, larger", {"image_size": (9, 7)}),
        ("bilinear, smaller", {"image_size": (4, 3)}),
        ("nearest", {"image_size": (9, 4), "interpolation": "nearest"}),
        ("cropped to aspect ratio", {"image_size": (4, 4), "crop_to_aspect_ratio": True}),
    ):
        first = next(iter(idf(images, shuffle=False, batch_size=3, **kw)))
        out[name] = np.asarray(first[0]).tolist()
    return out


def directories() -> dict:
    images = os.path.join(FOLDER, "images")
    texts = os.path.join(FOLDER, "texts")
    idf = keras.utils.image_dataset_from_directory
    tdf = keras.utils.text_dataset_from_directory
    out = {}

    def image_case(name, **kw):
        ds, lines = printed(lambda: idf(images, image_size=(6, 5), **kw))
        parts = ds if isinstance(ds, list) else [ds]
        out[name] = {
            "printed": lines,
            "parts": [
                {
                    "class_names": list(p.class_names),
                    "file_paths": rel(p.file_paths),
                    "batches": batches(p) if not kw.get("shuffle", True) else None,
                    "batch sizes": [b["shapes"][0][0] for b in batches(p)],
                }
                for p in parts
            ],
        }

    image_case("images, no shuffle", shuffle=False, batch_size=4)
    image_case("images, shuffled", seed=42, batch_size=4)
    image_case("images, categorical grayscale", shuffle=False, label_mode="categorical",
               color_mode="grayscale", batch_size=8)  # fmt: skip
    image_case("images, validation both", seed=3, validation_split=0.3, subset="both", batch_size=2)
    image_case("images, validation subset", seed=3, validation_split=0.3, subset="validation")
    image_case("images, class_names order", shuffle=False, class_names=["dogs", "birds", "cats"])
    image_case("images, no labels", shuffle=False, labels=None, batch_size=5)
    ds = idf(images, image_size=(6, 5), shuffle=False, batch_size=3, color_mode="rgba")
    first = next(iter(ds))
    out["image pixels, size unchanged"] = snap(np.asarray(first[0]))
    out["image crop_to_aspect_ratio shape"] = list(
        np.asarray(
            next(iter(idf(images, image_size=(3, 4), shuffle=False, crop_to_aspect_ratio=True)))[0]
        ).shape
    )
    binary = os.path.join(FOLDER, "images_two")
    out["images binary"] = batches(
        idf(binary, image_size=(6, 5), shuffle=False, label_mode="binary")
    )
    out["image errors"] = {
        "binary with 3 classes": error(lambda: idf(images, label_mode="binary")),
        "labels not a list": error(lambda: idf(images, labels="folders")),
        "class_names with labels": error(lambda: idf(images, labels=[0] * 9, class_names=["a"])),
        "bad label_mode": error(lambda: idf(images, label_mode="onehot")),
        "bad color_mode": error(lambda: idf(images, color_mode="cmyk")),
        "bad interpolation": error(lambda: idf(images, interpolation="fancy")),
        "split without seed": error(lambda: idf(images, validation_split=0.2, subset="training")),
        "split without subset": error(lambda: idf(images, validation_split=0.2, seed=1)),
        "bad subset": error(lambda: idf(images, validation_split=0.2, subset="test", seed=1)),
        "split out of range": error(
            lambda: idf(images, validation_split=1.5, subset="both", seed=1)
        ),
        "class_names mismatch": error(lambda: idf(images, class_names=["cats", "dogs"])),
        "labels wrong length": printed(lambda: error(lambda: idf(images, labels=[0, 1])))[0],
        "unknown keyword": error(lambda: idf(images, colour="red")),
    }
    for name, kw in {
        "texts, no shuffle": dict(shuffle=False, batch_size=3),
        "texts, shuffled max_length": dict(seed=9, max_length=10, batch_size=2),
        "texts, both": dict(seed=1, validation_split=0.4, subset="both", batch_size=4),
        "texts, categorical": dict(shuffle=False, label_mode="categorical"),
        "texts, labels list": dict(shuffle=False, labels=[1, 0, 2, 2, 1, 0, 1]),
    }.items():
        ds, lines = printed(lambda kw=kw: tdf(texts, **kw))
        parts = ds if isinstance(ds, list) else [ds]
        out[name] = {
            "printed": lines,
            "class_names": [list(p.class_names) for p in parts],
            "batches": [batches(p) for p in parts] if not kw.get("shuffle", True) else None,
            "texts": sorted(
                t
                for p in parts
                for b in p
                for t in tolist(np.asarray(b[0].numpy() if TF else b[0]))
            ),
        }
    ds = tdf(texts, shuffle=False, batch_size=2, max_length=12)
    out["text contents in order"] = [tolist(np.asarray(b[0].numpy() if TF else b[0])) for b in ds]
    out["text errors"] = {
        "no files": error(lambda: printed(lambda: tdf(os.path.join(CACHE, "datasets")))),
        "binary with 3": error(lambda: tdf(images, label_mode="binary")),
    }
    return out


def splits() -> dict:
    split = keras.utils.split_dataset
    x = np.arange(30).reshape(10, 3)
    y = np.arange(10) * 2
    out = {}

    def parts(result):
        return [[[tolist(np.asarray(e)) for e in (el if isinstance(el, tuple) else (el,))] for el in p]
                for p in result]  # fmt: skip

    out["array left 0.6"] = parts(split(x, left_size=0.6))
    out["array right 3"] = parts(split(x, right_size=3))
    out["tuple left 4 right 3"] = parts(split((x, y), left_size=4, right_size=3))
    out["tuple shuffled"] = parts(split((x, y), left_size=0.5, shuffle=True, seed=8))
    out["list of arrays"] = parts(split([x, y], right_size=0.2))
    out["errors"] = {
        "no sizes": error(lambda: split(x)),
        "not arrays": error(lambda: split("text", left_size=1)),
        "left too big": error(lambda: split(x, left_size=10)),
        "right float too big": error(lambda: split(x, right_size=1.5)),
        "both zero": error(lambda: split(x, left_size=0, right_size=0)),
        "sum above one": error(lambda: split(x, left_size=0.6, right_size=0.6)),
        "wrong type": error(lambda: split(x, left_size="half")),
        "both wrong type": error(lambda: split(x, left_size="a", right_size="b")),
        "lengths differ": error(lambda: split((x, y[:5]), left_size=2)),
        "empty list": error(lambda: split([], left_size=2)),
        "sum too big": error(lambda: split(x, left_size=6, right_size=6)),
    }
    return out


def images() -> dict:
    u = keras.utils
    path = os.path.join(FOLDER, "images", "cats", "img_01.png")
    out = {
        "img_to_array(load_img)": snap(u.img_to_array(u.load_img(path))),
        "grayscale": snap(u.img_to_array(u.load_img(path, color_mode="grayscale"))),
        "rgba": snap(u.img_to_array(u.load_img(path, color_mode="rgba"))),
        "target_size nearest": snap(u.img_to_array(u.load_img(path, target_size=(3, 2)))),
        "target_size bilinear": snap(
            u.img_to_array(u.load_img(path, target_size=(4, 4), interpolation="bilinear"))
        ),
        "keep_aspect_ratio": snap(
            u.img_to_array(u.load_img(path, target_size=(2, 4), keep_aspect_ratio=True))
        ),
        "channels_first": snap(u.img_to_array(u.load_img(path), data_format="channels_first")),
    }
    x = np.random.RandomState(0).rand(4, 3, 3).astype("float32") * 7
    out["array_to_img scaled"] = snap(np.asarray(u.array_to_img(x)))
    out["array_to_img unscaled"] = snap(np.asarray(u.array_to_img(x * 30, scale=False)))
    out["array_to_img one channel"] = [
        u.array_to_img(x[:, :, :1]).mode,
        u.array_to_img(x[:, :, :1] * 100, scale=False).mode,
    ]
    saved = os.path.join(FOLDER, f"saved_{sys.argv[1]}.png")
    u.save_img(saved, x)
    out["save_img then load"] = snap(u.img_to_array(u.load_img(saved)))
    out["errors"] = {
        "rank 2": error(lambda: u.array_to_img(x[0])),
        "5 channels": error(lambda: u.array_to_img(np.zeros((2, 2, 5)))),
        "bad data_format": error(lambda: u.img_to_array(u.load_img(path), data_format="nhwc")),
        "bad color_mode": error(lambda: u.load_img(path, color_mode="cmyk")),
        "bad interpolation": error(lambda: u.load_img(path, target_size=(2, 2), interpolation="x")),
        "bad path type": error(lambda: u.load_img(3)),
    }
    return out


print(
    json.dumps(
        {
            "datasets": datasets(),
            "pad_sequences": pad(),
            "timeseries": timeseries(),
            "directories": directories(),
            "resized images": resized_images(),
            "split_dataset": splits(),
            "images": images(),
        }
    )
)
