"""The functional side of the bench compares like with like: the article model written as ``Model(inputs,
outputs)`` is the Sequential's model (same layers, same weights from the same seed, same outputs and training),
and the two train in turns, one epoch each per round, every step of each clocked."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.bench.functional_side import functional_beside_sequential, steps_in_turn
from fittrace.bench.workload import article_functional_model, article_model
from fittrace.engine.functional import Functional
from fittrace.engine.sequential import Sequential
from fittrace.seeding import set_random_seed


def _digits(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n).astype(np.uint8)


def test_the_functional_article_model_is_built_when_made_and_matches_the_sequential_one():
    set_random_seed(0)
    functional = article_functional_model()
    assert type(functional) is Functional and functional.built
    assert [w.shape for w in functional.get_weights()] == [(784, 512), (512,), (512, 10), (10,)]
    set_random_seed(0)
    sequential = article_model()
    assert isinstance(sequential, Sequential) and not sequential.built  # built by its first step
    sequential.build((None, 784))
    for a, b in zip(functional.get_weights(), sequential.get_weights()):
        np.testing.assert_array_equal(a, b)  # the same draws in the same order
    x, y = _digits(256)
    np.testing.assert_allclose(
        functional.predict(x, verbose=0), sequential.predict(x, verbose=0), rtol=1e-6
    )
    a = functional.fit(x, y, epochs=2, batch_size=64, shuffle=False, verbose=0).history["loss"]
    b = sequential.fit(x, y, epochs=2, batch_size=64, shuffle=False, verbose=0).history["loss"]
    assert a == pytest.approx(b, rel=1e-5) and a[1] < a[0]


def test_the_two_models_take_turns_fit_by_fit_then_step_by_step():
    x, y = _digits(128 * 6 + 40)  # six full batches and a partial one
    got = functional_beside_sequential(x, y, rounds=3)
    assert got["functional_steps"] == 6  # the full batches only
    assert got["functional_s_per_epoch"] > 0 and got["functional_sequential_s_per_epoch"] > 0
    assert -0.9 < got["functional_overhead"] < 9 and -0.9 < got["functional_epoch_overhead"] < 9


def test_steps_in_turn_run_each_models_own_train_function_on_its_batches_in_order():
    x, y = _digits(128 * 5)
    models = {}
    for kind, make in (("sequential", article_model), ("functional", article_functional_model)):
        set_random_seed(0)
        models[kind] = make()
        models[kind].fit(x[:128], y[:128], epochs=1, batch_size=128, shuffle=False, verbose=0)
    functions = {kind: model.train_function for kind, model in models.items()}
    before = {kind: int(model.optimizer.iterations) for kind, model in models.items()}
    times = steps_in_turn(models, x, y)
    for kind, model in models.items():
        assert len(times[kind]) == 5 and (times[kind] > 0).all()
        assert int(model.optimizer.iterations) == before[kind] + 5  # five steps each, no more
        assert model.train_function is functions[kind]  # reused, not made again
    # the same weights and the same batches in the same order: the two trained alike
    for a, b in zip(models["sequential"].get_weights(), models["functional"].get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
