"""GlobalPooling1D: output shapes for both data formats and keepdims, the zero-steps refusal, the config:
``fittrace/layers/pooling/base_global_pooling1d.py``."""

from __future__ import annotations

import pytest

from fittrace.keras import Input, layers


@pytest.mark.parametrize(
    "kwargs, shape",
    [
        (dict(), (None, 4)),
        (dict(keepdims=True), (None, 1, 4)),
        (dict(data_format="channels_first"), (None, 10)),
        (dict(data_format="channels_first", keepdims=True), (None, 10, 1)),
    ],
)
def test_output_shapes(kwargs, shape):
    for cls in (layers.GlobalAveragePooling1D, layers.GlobalMaxPooling1D):
        assert cls(**kwargs).compute_output_shape((None, 10, 4)) == shape


def test_zero_steps_and_bad_data_format_and_config():
    with pytest.raises(ValueError, match="with dimension 0 at reduction axis 1"):
        layers.GlobalMaxPooling1D()(Input((0, 3)))
    with pytest.raises(ValueError, match='must be one of "channels_first", "channels_last"'):
        layers.GlobalMaxPooling1D(data_format="nhwc")
    config = layers.GlobalMaxPooling1D(keepdims=True).get_config()
    assert (config["data_format"], config["keepdims"]) == ("channels_last", True)
