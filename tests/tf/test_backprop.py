"""fittrace.tf.GradientTape: persistent tapes, watch, watch_accessed_variables, nested sources, several
targets, unconnected gradients, stop_recording (fittrace/tf/backprop.py)."""

from __future__ import annotations

import numpy as np
import pytest

import fittrace.tf as tf


def test_a_persistent_tape_gives_two_gradients_and_a_plain_one_refuses_the_second():
    x = tf.constant([2.0, -1.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * x
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [4.0, -2.0])
    np.testing.assert_allclose(tape.gradient(z, x).numpy(), [12.0, 3.0])
    w = tf.Variable([3.0])
    with tf.GradientTape() as once:
        y = w * w
    assert float(once.gradient(y, w)[0]) == 6.0
    with pytest.raises(RuntimeError) as err:
        once.gradient(y, w)
    assert str(err.value) == (
        "A non-persistent GradientTape can only be used to compute one set of gradients (or jacobians)"
    )


def test_gradients_come_back_in_the_structure_of_the_sources():
    a, b = tf.Variable([1.0, 2.0], name="a"), tf.Variable(4.0, name="b")
    c = tf.Variable(9.0, name="unused")
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(a * b)
    grads = tape.gradient(loss, {"a": a, "rest": [b, c]})
    assert set(grads) == {"a", "rest"} and grads["rest"][1] is None
    np.testing.assert_allclose(grads["a"].numpy(), [4.0, 4.0])
    assert float(grads["rest"][0]) == 3.0
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(a * b)
    zeros = tape.gradient(loss, [c], unconnected_gradients="zero")
    assert zeros[0].numpy() == 0.0


def test_watch_accessed_variables_false_watches_only_what_it_is_told():
    w, v = tf.Variable([3.0], name="w"), tf.Variable([5.0], name="v")
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(v)
        y = w * v
    gw, gv = tape.gradient(y, [w, v])
    assert gw is None and float(gv[0]) == 3.0


def test_several_targets_are_summed_and_stop_recording_makes_constants():
    w = tf.Variable([2.0], name="w")
    with tf.GradientTape() as tape:
        first, second = w * w, w * 3.0
        with tape.stop_recording():
            ignored = w * 100.0
        third = ignored * w
    # d(w^2 + 3w + 200 w)/dw: 2w + 3 + 200 (the constant factor is seen, its own path is not)
    assert float(tape.gradient([first, second, third], w)[0]) == pytest.approx(4 + 3 + 200)


def test_bad_sources_and_arguments_say_what_to_pass():
    x = np.ones(2, "float32")
    with tf.GradientTape() as tape:
        with pytest.raises(ValueError, match="not tf.Tensor or tf.Variable"):
            tape.watch(x)
    with pytest.raises(ValueError, match="must be a tensor or a variable, not ndarray"):
        tape.gradient(tf.constant(1.0), x)
    with pytest.raises(ValueError, match="unconnected_gradients"):
        tape.gradient(tf.constant(1.0), tf.constant(1.0), unconnected_gradients="some")
    with pytest.raises(ValueError, match="Tape must be recording"):
        with tape.stop_recording():
            pass
