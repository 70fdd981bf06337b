"""_Merge, the merge layers' base: shape checks, broadcasting, inputs of different rank and the output shape:
``fittrace/layers/merging/base_merge.py`` (through Add, its plainest subclass)."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import layers
from fittrace.layers.merging.base_merge import shape_list

R = np.random.default_rng(0)


def test_shape_list_reads_a_list_of_shapes_and_one_shape_as_keras_does():
    assert shape_list(((2, 3), [2, 4])) == [(2, 3), (2, 4)]
    assert shape_list([None, 3]) == (None, 3)  # a list of sizes is one shape
    assert shape_list((2, 3)) == (2, 3)


def test_a_smaller_rank_gets_new_axes_right_after_the_batch_axis():
    a, b = R.normal(size=(2, 3, 1)).astype("float32"), R.normal(size=(2, 4)).astype("float32")
    out = layers.Add()([a, b]).numpy()
    assert out.shape == (2, 3, 4)
    np.testing.assert_allclose(out, a + b[:, None, :], rtol=1e-6)
    # not numpy's own alignment, which would put the new axis in front of the batch axis
    c, d = R.normal(size=(2, 2, 3)).astype("float32"), R.normal(size=(2, 3)).astype("float32")
    np.testing.assert_allclose(layers.Add()([c, d]).numpy(), c + d[:, None, :], rtol=1e-6)


def test_inputs_of_one_rank_broadcast_after_the_batch_axis():
    a, b = R.normal(size=(2, 3, 4)).astype("float32"), R.normal(size=(2, 1, 4)).astype("float32")
    np.testing.assert_allclose(layers.Add()([a, b]).numpy(), a + b, rtol=1e-6)


def test_calling_on_one_tensor_is_refused_with_keras_words():
    with pytest.raises(ValueError) as err:
        layers.Add()(np.ones((2, 3), "float32"))
    assert str(err.value) == (
        "A merge layer should be called on a list of inputs. Received: input_shape=(2, 3) "
        "(not a list of shapes)"
    )


def test_incompatible_shapes_and_batch_sizes_are_refused():
    with pytest.raises(ValueError, match=r"incompatible shapes. Received shapes \(3,\) and \(4,\)"):
        layers.Add()([np.ones((2, 3), "float32"), np.ones((2, 4), "float32")])
    with pytest.raises(ValueError, match="Cannot merge tensors with different batch sizes"):
        layers.Add()([np.ones((2, 3), "float32"), np.ones((3, 3), "float32")])


def test_a_failed_build_leaves_the_layer_unbuilt_and_build_alone_does_not_mark_it():
    add = layers.Add()
    with pytest.raises(ValueError):
        add([np.ones((2, 3), "float32"), np.ones((2, 4), "float32")])
    assert not add.built
    add.build([(None, 3), (None, 3)])
    assert not add.built  # as Keras's: only the first call marks it built
    add([np.ones((2, 3), "float32"), np.ones((2, 3), "float32")])
    assert add.built


@pytest.mark.parametrize(
    "shapes,want",
    [
        ([(None, 3), (None, 3)], (None, 3)),
        ([(None, 3, 1), (None, 4)], (None, 3, 4)),
        ([(None, 3), (5, 1)], (5, 3)),  # the one known batch size wins
        ([(None, None, 3), (None, 4, 1)], (None, None, 3)),
        ([(None, 3), (None,)], (None, 3)),
    ],
)
def test_compute_output_shape_takes_a_list_of_shapes(shapes, want):
    assert layers.Add().compute_output_shape(shapes) == want


def test_the_config_is_the_base_layers():
    add = layers.Add(name="plus", trainable=False, dtype="float64")
    assert add.get_config() == {"name": "plus", "trainable": False, "dtype": "float64"}
