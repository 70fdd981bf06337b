"""The datasets and the data utilities against real TF-Keras 2.21: the same scenarios
(keras_parity_data_scenarios.py) run by both on the same small files must load the same arrays (dtypes, shapes and
bytes), pad and window the same, list the same files in the same order with the same labels, class names, batch
shapes and printed lines, split the same, convert images the same and fail with the same messages. TF-Keras runs
in its own interpreter (the ``keras_python`` fixture installs it)."""

from __future__ import annotations

import sys
from pathlib import Path

import dataset_files as files
import numpy as np
import pytest
from parity import run_side

pytestmark = [pytest.mark.keras_parity, pytest.mark.slow]

SCENARIOS = Path(__file__).with_name("keras_parity_data_scenarios.py")


def write_files(folder: Path) -> None:
    files.imdb_npz(folder / "imdb.npz")
    files.reuters_npz(folder / "reuters.npz")
    files.boston_npz(folder / "boston.npz")
    files.word_index_json(folder / "word_index.json")
    cache = folder / "keras" / "datasets"
    files.idx_gz(cache / "fashion-mnist")
    # Keras fills exactly 5 x 10,000 training images: CIFAR-10's batches must be full-size.
    files.cifar_folder(cache / "cifar-10-batches-py", files.cifar_batches("10", 10000))
    files.cifar_folder(cache / "cifar-100-python", files.cifar_batches("100", 7))
    for name in ("cifar-10-batches-py.tar.gz", "cifar-100-python.tar.gz"):
        (cache / name).write_bytes(
            b"Keras's hash check is off on the tf side; it wants the archive there"
        )
    files.image_tree(folder / "images", {"cats": 4, "dogs": 3, "birds": 2})
    files.image_tree(folder / "images_two", {"no": 2, "yes": 3})
    files.text_tree(folder / "texts", {"neg": 3, "pos": 2, "neutral": 2})


@pytest.fixture(scope="module")
def both(keras_python, tmp_path_factory):
    folder = tmp_path_factory.mktemp("parity_data")
    write_files(folder)
    return (
        run_side(keras_python, SCENARIOS, "tf", str(folder)),
        run_side(sys.executable, SCENARIOS, "fittrace", str(folder)),
    )


def _compare(keras, ours, where=""):
    if isinstance(keras, dict):
        assert set(keras) == set(ours), where
        for key in keras:
            _compare(keras[key], ours[key], f"{where}/{key}")
    else:
        assert ours == keras, where


@pytest.mark.parametrize(
    "area", ["datasets", "pad_sequences", "timeseries", "directories", "split_dataset", "images"]
)
def test_the_same_results(both, area):
    keras, ours = both
    _compare(keras[area], ours[area], area)


def test_the_scenarios_test_something(both):
    keras, _ = both
    d = keras["datasets"]
    assert d["cifar10"][0]["shape"] == [50000, 32, 32, 3] and d["cifar10"][1]["dtype"] == "uint8"
    assert d["imdb maxlen too small"][0] == "ValueError"
    errors = [
        e for area in keras.values() for k, v in area.items() if "errors" in k for e in v.values()
    ]
    assert errors and all(e[0] != "no error" for e in errors)
    assert keras["directories"]["images, no shuffle"]["printed"] == [
        "Found 9 files belonging to 3 classes."
    ]


def test_resized_images_have_tf_image_resize_pixels(both):
    keras, ours = both
    assert (
        set(ours["resized images"])
        == set(keras["resized images"])
        == {
            "bilinear, larger",
            "bilinear, smaller",
            "nearest",
            "cropped to aspect ratio",
        }
    )
    for name, want in keras["resized images"].items():
        got = np.asarray(ours["resized images"][name])
        assert got.shape == np.asarray(want).shape, name
        np.testing.assert_allclose(got, want, atol=1e-3, err_msg=name)  # pixels on 0..255
