"""The embedding lookup op and its scatter-add gradient: ``fittrace/autodiff/embedding.py``."""

from __future__ import annotations

import numpy as np

from fittrace.autodiff import GradientTape, Variable, embedding_lookup, reduce_sum

R = np.random.default_rng(3)


def test_lookup_picks_rows():
    table = R.normal(size=(5, 3)).astype("float32")
    ids = np.array([[4, 0, 4], [1, 1, 2]])
    assert np.array_equal(embedding_lookup(table, ids).value, table[ids])


def test_gradient_matches_finite_differences(gradcheck):
    ids = np.array([[4, 0, 4], [1, 1, 2]])
    gradcheck(lambda table: embedding_lookup(table, ids), R.normal(size=(6, 3)))


def test_gradient_adds_up_repeated_ids_and_leaves_unused_rows_zero():
    table = Variable(R.normal(size=(4, 2)).astype("float32"))
    ids = np.array([[1, 1], [1, 3]])
    w = R.normal(size=(2, 2, 2)).astype("float32")
    with GradientTape() as tape:
        loss = reduce_sum(embedding_lookup(table, ids) * w)
    (grad,) = tape.gradient(loss, [table])
    want = np.zeros((4, 2), "float32")
    for (i, j), row in np.ndenumerate(ids):
        want[row] += w[i, j]
    np.testing.assert_allclose(grad, want, rtol=1e-6)
    assert not grad[[0, 2]].any()
