"""UpSampling2D: nearest repeats pixels, bilinear keeps a constant image constant and a ramp a ramp inside,
both formats, Keras's interpolation check: ``fittrace/layers/reshaping/up_sampling2d.py``.
(Bilinear values against tf.image.resize: tests/test_keras_parity_convs.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import layers

R = np.random.default_rng(0)


def test_nearest_repeats_pixels():
    x = R.normal(size=(2, 3, 4, 2)).astype("float32")
    out = layers.UpSampling2D((2, 3))(x).value
    np.testing.assert_array_equal(out, np.repeat(np.repeat(x, 2, axis=1), 3, axis=2))
    first = layers.UpSampling2D(data_format="channels_first")(x).value
    np.testing.assert_array_equal(first, np.repeat(np.repeat(x, 2, axis=2), 2, axis=3))


def test_bilinear_keeps_constants_and_interpolates_between_pixels(gradcheck):
    flat = np.full((1, 3, 3, 1), 2.5, dtype="float32")
    layer = layers.UpSampling2D(interpolation="bilinear")
    np.testing.assert_allclose(layer(flat).value, 2.5, rtol=1e-6)
    ramp = np.arange(3, dtype="float32").reshape(1, 3, 1, 1) * np.ones((1, 1, 2, 1), "float32")
    rows = layer(ramp).value[0, :, 0, 0]
    np.testing.assert_allclose(rows, [0.0, 0.25, 0.75, 1.25, 1.75, 2.0], rtol=1e-6)
    gradcheck(layer.call, R.normal(size=(1, 3, 2, 2)))


def test_interpolation_names_and_shapes():
    with pytest.raises(NotImplementedError, match="Value not recognized for `interpolation`"):
        layers.UpSampling2D(interpolation="cubic")
    with pytest.raises(NotImplementedError, match="fittrace's UpSampling2D"):
        layers.UpSampling2D(interpolation="bicubic")
    layer = layers.UpSampling2D((2, 3), interpolation="BILINEAR")
    assert layer.get_config()["interpolation"] == "bilinear"
    assert layer.compute_output_shape((None, 5, None, 3)) == (None, 10, None, 3)
