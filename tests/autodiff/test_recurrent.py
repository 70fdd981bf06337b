"""The whole-sequence recurrences: ``fittrace/autodiff/recurrent.py``. Their hand-written backward through time is
checked against finite differences for every input (projected inputs, recurrent kernel, recurrent bias, initial
states), with and without a mask, forwards and backwards, with the sequence or the last output, and with recurrent
dropout masks."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace import autodiff as ops
from fittrace.autodiff.recurrent import recurrence

B, T, U = 3, 5, 2
GATES = {"simple": 1, "lstm": 4, "gru": 3}


def _flat(outs):
    return ops.concat([ops.reshape(o, (B, -1)) for o in outs], axis=1)


@pytest.mark.parametrize(
    "kind,reset_after", [("simple", True), ("lstm", True), ("gru", True), ("gru", False)]
)
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("sequences", [False, True])
def test_the_backward_through_time_matches_finite_differences(
    gradcheck, kind, reset_after, masked, go_backwards, sequences
):
    rng = np.random.default_rng(0)
    g = GATES[kind]
    mask = rng.random((B, T)) > 0.3 if masked else None
    arrays = [
        rng.normal(size=(B, T, g * U)),
        rng.normal(size=(U, g * U)) * 0.7,
        rng.normal(size=(g * U,)),
        rng.normal(size=(B, U)),
        rng.normal(size=(B, U)),
    ]
    n_states = 2 if kind == "lstm" else 1
    with_bias = kind == "gru" and reset_after

    def fn(xz, r, rb, h0, c0):
        outs = recurrence(
            kind,
            xz,
            r,
            rb if with_bias else None,
            [h0, c0][:n_states],
            mask=mask,
            go_backwards=go_backwards,
            sequences=sequences,
            states=True,
            reset_after=reset_after,
        )
        return _flat(outs)

    which = [0, 1, 3] + ([2] if with_bias else []) + ([4] if kind == "lstm" else [])
    gradcheck(fn, *arrays, which=which)


@pytest.mark.parametrize(
    "kind,reset_after", [("simple", True), ("lstm", True), ("gru", True), ("gru", False)]
)
@pytest.mark.parametrize("zero_output", [False, True])
def test_recurrent_dropout_masks_and_zeroed_masked_outputs_have_the_right_gradients(
    gradcheck, kind, reset_after, zero_output
):
    rng = np.random.default_rng(3)
    g = GATES[kind]
    mask = rng.random((B, T)) > 0.4
    masks = (rng.random((g, B, U)) > 0.4) * 1.6
    arrays = [
        rng.normal(size=(B, T, g * U)),
        rng.normal(size=(U, g * U)) * 0.7,
        rng.normal(size=(B, U)),
    ]
    rb = rng.normal(size=(g * U,)).astype(np.float32) if kind == "gru" and reset_after else None

    def fn(xz, r, h0):
        states = [h0, h0] if kind == "lstm" else [h0]
        outs = recurrence(
            kind,
            xz,
            r,
            rb,
            states,
            mask=mask,
            recurrent_masks=masks,
            zero_output_for_mask=zero_output,
            sequences=True,
            states=True,
            reset_after=reset_after,
        )
        return _flat(outs)

    gradcheck(fn, *arrays)


def test_a_masked_step_keeps_the_state_and_repeats_or_zeroes_the_output():
    rng = np.random.default_rng(1)
    xz = ops.Tensor(rng.normal(size=(2, 4, 8)).astype("float32"))
    r = ops.Tensor(rng.normal(size=(2, 8)).astype("float32"))
    h0 = ops.Tensor(np.zeros((2, 2), "float32"))
    mask = np.array([[1, 1, 0, 1], [1, 0, 0, 0]], bool)
    seq, h, c = recurrence("lstm", xz, r, None, [h0, h0], mask=mask, sequences=True, states=True)
    np.testing.assert_array_equal(seq.value[0, 2], seq.value[0, 1])  # repeated
    np.testing.assert_array_equal(h.value[1], seq.value[1, 0])  # the state after its last real step
    zeroed = recurrence(
        "lstm", xz, r, None, [h0, h0], mask=mask, sequences=True, zero_output_for_mask=True
    )[0]
    assert not zeroed.value[0, 2].any() and not zeroed.value[1, 1:].any()
    np.testing.assert_array_equal(zeroed.value[0, 3], seq.value[0, 3])


def test_the_last_output_is_the_last_of_the_sequence_and_backwards_reverses_the_walk():
    rng = np.random.default_rng(2)
    xz = rng.normal(size=(2, 6, 3)).astype("float32")
    r = ops.Tensor(rng.normal(size=(3, 3)).astype("float32"))
    h0 = ops.Tensor(np.zeros((2, 3), "float32"))
    seq = recurrence("simple", ops.Tensor(xz), r, None, [h0], sequences=True)[0]
    last = recurrence("simple", ops.Tensor(xz), r, None, [h0])[0]
    np.testing.assert_allclose(last.value, seq.value[:, -1])
    back = recurrence("simple", ops.Tensor(xz[:, ::-1].copy()), r, None, [h0], go_backwards=True)[0]
    np.testing.assert_allclose(back.value, last.value, rtol=1e-6)


def test_the_input_projection_of_every_timestep_has_the_gradients_of_a_matmul_plus_bias(gradcheck):
    from fittrace.autodiff.recurrent import projection

    rng = np.random.default_rng(4)
    gradcheck(
        projection, rng.normal(size=(2, 3, 4)), rng.normal(size=(4, 5)), rng.normal(size=(5,))
    )


def test_the_step_loop_runs_on_one_blas_thread_and_gives_the_count_back():
    from fittrace.autodiff.recurrent import _one_blas_thread, _openblas

    get, _ = _openblas()
    before = get() if get is not None else None
    with _one_blas_thread():
        if get is not None:
            assert get() == 1
    assert (get() if get is not None else None) == before
