"""Images as arrays and back (fittrace/utils/image_utils.py), with Pillow."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from fittrace.utils import image_utils as iu
from fittrace.utils.image_utils import get_interpolation, smart_resize


def test_save_load_round_trip_and_modes(tmp_path):
    x = np.random.RandomState(0).randint(0, 256, size=(5, 4, 3)).astype("float32")
    iu.save_img(tmp_path / "a.png", x, scale=False)
    back = iu.img_to_array(iu.load_img(tmp_path / "a.png"))
    np.testing.assert_array_equal(back, x)
    assert back.dtype == np.float32 and back.shape == (5, 4, 3)
    assert iu.img_to_array(iu.load_img(tmp_path / "a.png", color_mode="grayscale")).shape == (
        5,
        4,
        1,
    )
    assert iu.img_to_array(iu.load_img(tmp_path / "a.png", color_mode="rgba")).shape == (5, 4, 4)
    assert iu.load_img(tmp_path / "a.png", target_size=(2, 3)).size == (3, 2)
    assert iu.img_to_array(iu.load_img(tmp_path / "a.png"), data_format="channels_first").shape == (
        3,
        5,
        4,
    )


def test_array_to_img_scales_to_the_full_range():
    img = iu.array_to_img(np.array([[[0.0], [0.5]], [[1.0], [0.25]]]))
    assert img.mode == "L" and np.asarray(img).tolist() == [[0, 127], [255, 63]]
    assert iu.array_to_img(np.full((2, 2, 1), 300.0), scale=False).mode == "I"
    with pytest.raises(ValueError, match="Unsupported channel number: 2"):
        iu.array_to_img(np.zeros((2, 2, 2)))


def test_smart_resize_crops_the_centre_to_the_aspect_ratio():
    x = np.zeros((4, 8, 1), "float32")
    x[:, 2:6] = 1.0  # the centred 4x4 box is all ones
    np.testing.assert_array_equal(iu.smart_resize(x, (4, 4)), np.ones((4, 4, 1)))
    assert iu.smart_resize(np.zeros((2, 6, 6, 3)), (3, 2)).shape == (2, 3, 2, 3)


def test_without_pillow_the_error_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="pip install pillow"):
        iu.array_to_img(np.zeros((2, 2, 3)))


def test_interpolation_names():
    assert get_interpolation("Nearest") == "nearest"
    with pytest.raises(
        NotImplementedError, match="Value not recognized for `interpolation`: cubic"
    ):
        get_interpolation("cubic")


def test_smart_resize_crops_the_centre_before_resizing():
    tall = np.zeros((6, 2, 1), "float32")
    tall[2:4] = 1.0
    out = smart_resize(tall, (1, 1), "nearest")
    assert out.shape == (1, 1, 1)
    batch = np.ones((2, 9, 3, 2), "float32")
    assert smart_resize(batch, (4, 4)).shape == (2, 4, 4, 2)
    with pytest.raises(ValueError, match="incorrect rank"):
        smart_resize(np.zeros((3, 3)), (2, 2))
