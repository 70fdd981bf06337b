"""Every autodiff op's gradient (the op table's, the neural-network ops' and the convolutions') against finite
differences, and variables updated in place: ``fittrace/autodiff/ops.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace import autodiff as ops
from fittrace.autodiff import Variable
from fittrace.autodiff.conv import avg_pool2d, conv2d, global_max_pool2d, max_pool2d

R = np.random.default_rng(0)
A = R.normal(size=(3, 4))
B = R.normal(size=(3, 4))
POS = R.uniform(0.5, 2.0, size=(3, 4))
IMG = R.normal(
    size=(2, 5, 7, 3)
)  # (batch, rows, cols, channels): odd sizes exercise "same" padding
KER = R.normal(size=(3, 2, 3, 4))  # (rows, cols, in channels, filters)
SPREAD = (
    R.permutation(IMG.size).reshape(IMG.shape) * 0.01
)  # no two values within the step of the differences


@pytest.mark.parametrize(
    "name,fn,arrays",
    [
        ("add", ops.add, (A, B)),
        ("add broadcast row", ops.add, (A, R.normal(size=(4,)))),
        ("add broadcast col", ops.add, (A, R.normal(size=(3, 1)))),
        ("subtract", ops.subtract, (A, R.normal(size=(4,)))),
        ("multiply", ops.multiply, (A, B)),
        ("multiply broadcast", ops.multiply, (A, R.normal(size=(1, 4)))),
        ("divide", ops.divide, (A, POS)),
        ("negative", ops.negative, (A,)),
        ("power", lambda x: ops.power(x, 3.0), (POS,)),
        ("square", ops.square, (A,)),
        ("sqrt", ops.sqrt, (POS,)),
        ("exp", ops.exp, (A,)),
        ("log", ops.log, (POS,)),
        ("abs", ops.abs, (A + np.sign(A) * 0.1,)),
        ("clip", lambda x: ops.clip(x, -0.5, 0.5), (A,)),
        ("maximum", ops.maximum, (A, B)),
        ("minimum", ops.minimum, (A, B)),
        ("minimum broadcast", ops.minimum, (A, R.normal(size=(3, 1)))),
        ("batch_dot 2d . 2d", lambda x, y: ops.batch_dot(x, y, (1, 1)), (A, B)),
        (
            "batch_dot 3d . 2d",
            lambda x, y: ops.batch_dot(x, y, (1, 1)),
            (R.normal(size=(3, 4, 2)), R.normal(size=(3, 4))),
        ),
        (
            "batch_dot 3d . 4d",
            lambda x, y: ops.batch_dot(x, y, (2, 3)),
            (R.normal(size=(2, 3, 4)), R.normal(size=(2, 2, 5, 4))),
        ),
        ("expand_dims", lambda x: ops.expand_dims(x, 1), (A,)),
        ("l2_normalize last axis", ops.l2_normalize, (A,)),
        ("l2_normalize axis 0", lambda x: ops.l2_normalize(x, axis=0), (A,)),
        ("matmul 2d", ops.matmul, (A, R.normal(size=(4, 5)))),
        ("matmul 3d x 2d", ops.matmul, (R.normal(size=(2, 3, 4)), R.normal(size=(4, 2)))),
        ("reshape", lambda x: ops.reshape(x, (4, 3)), (A,)),
        ("transpose", lambda x: ops.transpose(x, (1, 0)), (A,)),
        ("getitem", lambda x: ops.getitem(x, (slice(0, 2), [1, 3])), (A,)),
        ("concat", lambda x, y: ops.concat([x, y], axis=1), (A, B)),
        ("reduce_sum all", lambda x: ops.reduce_sum(x), (A,)),
        ("reduce_sum axis", lambda x: ops.reduce_sum(x, axis=0), (A,)),
        ("reduce_mean keepdims", lambda x: ops.reduce_mean(x, axis=1, keepdims=True), (A,)),
        ("relu", ops.relu, (A + np.sign(A) * 0.05,)),
        ("sigmoid", ops.sigmoid, (A * 3,)),
        ("tanh", ops.tanh, (A,)),
        ("softmax", ops.softmax, (A,)),
        ("gelu exact", ops.gelu, (A,)),
        ("gelu approximate", lambda x: ops.gelu(x, approximate=True), (A,)),
        ("log_softmax", ops.log_softmax, (A,)),
        (
            "sparse softmax cross-entropy",
            lambda z: ops.sparse_softmax_cross_entropy(np.array([0, 3, 1]), z),
            (A,),
        ),
        ("where", lambda x, y: ops.where(A > 0, x, y), (A, B)),
        ("conv2d valid", conv2d, (IMG, KER)),
        ("conv2d same, strides 2", lambda x, k: conv2d(x, k, (2, 2), "same"), (IMG, KER)),
        ("conv2d same, strides (2, 1)", lambda x, k: conv2d(x, k, (2, 1), "same"), (IMG, KER)),
        ("max_pool2d", max_pool2d, (SPREAD,)),
        ("max_pool2d same", lambda x: max_pool2d(x, (2, 2), None, "same"), (SPREAD,)),
        ("max_pool2d overlapping", lambda x: max_pool2d(x, (3, 3), (1, 2)), (SPREAD,)),
        ("avg_pool2d", avg_pool2d, (IMG,)),
        ("avg_pool2d same, overlapping", lambda x: avg_pool2d(x, (3, 2), (2, 1), "same"), (IMG,)),
        ("global_max_pool2d", global_max_pool2d, (SPREAD,)),
    ],
)
def test_op_gradients_match_finite_differences(gradcheck, name, fn, arrays):
    gradcheck(fn, *arrays)


def test_variables_update_in_place():
    w = Variable(np.zeros(3, "float32"), name="w")
    before = w.value
    w.assign_add(np.ones(3))
    w.assign_sub(np.full(3, 0.5))
    assert w.value is before and w.value.tolist() == [0.5, 0.5, 0.5]
    assert w.value.dtype == np.float32


def test_maximum_and_minimum_give_a_tie_to_their_first_argument_as_tensorflow_does():
    a = ops.Tensor(np.array([1.0, 2.0, 3.0], "float32"))
    b = ops.Tensor(np.array([1.0, 1.0, 4.0], "float32"))
    got = {}
    for name, fn in (("maximum", ops.maximum), ("minimum", ops.minimum)):
        with ops.GradientTape() as tape:
            tape.watch([a, b])
            out = fn(a, b)
        got[name] = [g.tolist() for g in tape.gradient(out, [a, b])]
    assert got["maximum"] == [[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    assert got["minimum"] == [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]


def test_batch_dot_is_each_samples_dot_product():
    x, y = R.normal(size=(2, 3, 4)), R.normal(size=(2, 5, 4))
    out = ops.batch_dot(x.astype("float32"), y.astype("float32"), (2, 2)).value
    np.testing.assert_allclose(out, np.einsum("bik,bjk->bij", x, y), rtol=1e-5, atol=1e-5)
    assert ops.batch_dot(x[:, 0], y[:, 0], (1, 1)).shape == (2, 1)  # rank 1 gets an axis of 1
