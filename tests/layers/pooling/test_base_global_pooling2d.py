"""GlobalAveragePooling2D and GlobalMaxPooling2D: ``fittrace/layers/pooling/base_global_pooling2d.py``
and its two kinds."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import layers

R = np.random.default_rng(0)


def test_global_poolings_give_one_number_per_channel():
    x = R.normal(size=(3, 4, 5, 2)).astype("float32")
    mean = layers.GlobalAveragePooling2D()(x).numpy()
    np.testing.assert_allclose(mean, x.mean(axis=(1, 2)), rtol=1e-5)
    top = layers.GlobalMaxPooling2D(keepdims=True)(x).numpy()
    assert top.shape == (3, 1, 1, 2) and np.array_equal(top[:, 0, 0], x.max(axis=(1, 2)))
    assert layers.GlobalAveragePooling2D().compute_output_shape((None, 4, 5, 2)) == (None, 2)
    assert layers.GlobalMaxPool2D(keepdims=True).compute_output_shape((None, 4, 5, 2)) == (
        None,
        1,
        1,
        2,
    )
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        layers.GlobalAveragePooling2D()(x[0])


def test_global_pooling_config_is_keras():
    config = layers.GlobalAveragePooling2D(keepdims=True).get_config()
    assert list(config)[3:] == ["data_format", "keepdims"] and config["keepdims"] is True
    assert layers.GlobalMaxPooling2D.from_config(config).keepdims
