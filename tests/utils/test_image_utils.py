"""get_interpolation's names and message, smart_resize's centred crop: ``fittrace/utils/image_utils.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.utils.image_utils import get_interpolation, smart_resize


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
