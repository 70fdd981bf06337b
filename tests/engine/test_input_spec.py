"""InputSpec's checks and Keras's messages: ``fittrace/engine/input_spec.py``."""

from __future__ import annotations

import pytest

from fittrace.engine.input_spec import InputSpec, _Shaped, assert_input_compatibility


@pytest.mark.parametrize(
    "spec,shape,message",
    [
        (
            InputSpec(min_ndim=2),
            (5,),
            "expected min_ndim=2, found ndim=1. Full shape received: (5,)",
        ),
        (InputSpec(ndim=3), (2, 4), "expected ndim=3, found ndim=2. Full shape received: (2, 4)"),
        (InputSpec(max_ndim=2), (1, 2, 3), "expected max_ndim=2, found ndim=3"),
        (
            InputSpec(axes={-1: 784}),
            (32, 100),
            "expected axis -1 of input shape to have value 784, but received input with shape (32, 100)",
        ),
    ],
)
def test_input_spec_messages(spec, shape, message):
    with pytest.raises(ValueError) as err:
        assert_input_compatibility(spec, _Shaped(shape), "dense_4")
    assert str(err.value) == f'Input 0 of layer "dense_4" is incompatible with the layer: {message}'


def test_non_tensor_input_is_a_type_error():
    with pytest.raises(TypeError, match="Inputs to a layer should be tensors"):
        assert_input_compatibility(InputSpec(min_ndim=2), 3, "dense")
