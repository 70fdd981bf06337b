"""What tf.function decides about a signature (TracedSignatures, shared by fit's train_function and
fittrace.tf.function), and the marks of a hand-written loop's step (fittrace/engine/functions.py)."""

from __future__ import annotations

from fittrace.engine import functions
from fittrace.tracing.recorder import Recorder, span


def test_relaxing_signatures_cover_any_size_in_the_dimensions_that_differed():
    relaxed = functions.TracedSignatures(relax=True)
    assert relaxed.covering(((32, 4),)) is None
    assert relaxed.add(((32, 4),)) == (None, ((32, 4),))
    assert relaxed.covering(((32, 4),)) == ((32, 4),)
    assert relaxed.add(((16, 4),)) == (((32, 4),), ((None, 4),))
    assert relaxed.covering(((7, 4),)) == ((None, 4),)
    assert relaxed.covering(((7, 5),)) is None and relaxed.covering(((7, 4, 1),)) is None


def test_exact_signatures_trace_each_new_shape_as_given():
    exact = functions.TracedSignatures(relax=False)
    exact.add(((32, 4),))
    assert exact.add(((16, 4),)) == (((32, 4),), ((16, 4),))
    assert exact.covering(((8, 4),)) is None and exact.covering(((16, 4),)) == ((16, 4),)


def test_a_hand_loop_step_counts_only_while_it_is_the_innermost_step():
    r = Recorder("full").start()
    try:
        assert not functions.in_hand_loop_step()
        with span("step", "step 0", data={"step": 0, "phase": "custom"}) as outer:
            functions.enter_hand_loop_step(outer)
            assert functions.in_hand_loop_step()
            with span("step", "step 0", data={"step": 0, "phase": "train"}):
                assert not functions.in_hand_loop_step()  # a fit's step inside it
            functions.leave_hand_loop_step(outer)
            assert not functions.in_hand_loop_step()
    finally:
        r.stop()


def test_run_as_traced_sets_what_sequential_reads_and_clears_it():
    seen = functions.run_as_traced(
        lambda: (functions.tracing_batch_unknown(), functions.replaying_graph()), True, True
    )
    assert seen == (True, False)
    seen = functions.run_as_traced(
        lambda: (functions.tracing_batch_unknown(), functions.replaying_graph()), False, False
    )
    assert seen == (False, True)
    assert not functions.tracing_batch_unknown() and not functions.replaying_graph()
