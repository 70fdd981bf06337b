"""Initializers: ``fittrace/initializers.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace import initializers
from fittrace.keras import layers
from fittrace.seeding import set_random_seed


def test_glorot_limit_of_article_kernel():
    set_random_seed(0)
    layer = layers.Dense(512)
    layer.build((None, 784))
    limit = np.sqrt(6 / (784 + 512))
    assert np.abs(layer.kernel.numpy()).max() <= limit
    assert np.abs(layer.kernel.numpy()).max() > 0.9 * limit
    assert not layer.bias.numpy().any()


@pytest.mark.parametrize(
    "init, config",
    [
        (initializers.Zeros(), {}),
        (initializers.Constant(), {"value": 0}),
        (initializers.RandomNormal(0.1, 0.2, seed=1), {"mean": 0.1, "stddev": 0.2, "seed": 1}),
        (initializers.RandomUniform(), {"minval": -0.05, "maxval": 0.05, "seed": None}),
        (initializers.TruncatedNormal(stddev=0.3), {"mean": 0.0, "stddev": 0.3, "seed": None}),
        (
            initializers.VarianceScaling(distribution="Normal"),
            {"scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal", "seed": None},
        ),
        (initializers.GlorotUniform(seed=5), {"seed": 5}),
        (initializers.LecunNormal(), {"seed": None}),
    ],
    ids=lambda x: type(x).__name__ if not isinstance(x, dict) else "",
)
def test_configs_are_keras_and_round_trip(init, config):
    assert init.get_config() == config
    back = initializers.deserialize(initializers.serialize(init))
    assert type(back) is type(init) and back.get_config() == config
    again = type(init).from_config({**config, "dtype": "float32"})  # Keras drops a dtype
    assert again.get_config() == config


def test_get_takes_every_keras_name_form():
    assert type(initializers.get("glorot_uniform")) is initializers.GlorotUniform
    assert type(initializers.get("GlorotUniformV2")) is initializers.GlorotUniform
    assert type(initializers.get("uniform")) is initializers.RandomUniform
    assert type(initializers.get(initializers.HeNormal)) is initializers.HeNormal
    seeded = initializers.get({"class_name": "HeNormal", "config": {"seed": 3}})
    assert seeded.seed == 3
    with pytest.raises(ValueError, match="^Unknown initializer: 'nope'"):
        initializers.get("nope")
    with pytest.raises(ValueError, match="^Could not interpret initializer identifier: 3"):
        initializers.get(3)


def test_a_constant_of_an_array_comes_back():
    config = initializers.serialize(initializers.Constant(np.array([1.0, 2.0])))
    back = initializers.deserialize(config)
    assert back((2,)).tolist() == [1.0, 2.0]


def test_orthogonal_makes_orthonormal_columns_or_rows_scaled_by_the_gain_and_refuses_a_vector():
    from fittrace.initializers import Orthogonal

    tall = Orthogonal(seed=1)((6, 3))
    np.testing.assert_allclose(tall.T @ tall, np.eye(3), atol=1e-5)
    wide = Orthogonal(gain=2.0, seed=1)((3, 6))
    np.testing.assert_allclose(wide @ wide.T, 4 * np.eye(3), atol=1e-4)
    assert Orthogonal(seed=1).get_config() == {"gain": 1.0, "seed": 1}
    with pytest.raises(
        ValueError, match=r"at least two-dimensional. Received: shape=\(4,\) of rank 1"
    ):
        Orthogonal()((4,))


def test_a_users_initializer_is_recorded_under_its_own_name():
    import fittrace

    class FromSeed(initializers.Initializer):
        def __call__(self, shape, dtype=None):
            return np.full(shape, 0.5, "float32")

    class Wider(initializers.GlorotUniform):
        pass

    assert (FromSeed.name, Wider.name, initializers.GlorotUniform.name) == (
        "from_seed",
        "wider",
        "glorot_uniform",
    )
    dense = layers.Dense(2, kernel_initializer=FromSeed(), bias_initializer=Wider())
    with fittrace.trace() as run:
        dense(np.ones((1, 3), "float32"))
    made = {e.data["name"]: e.data["initializer"] for e in run.events if e.kind == "weight_created"}
    assert list(made.values()) == ["from_seed", "wider"]
