"""LambdaCallback: plain functions as hooks: ``fittrace/callbacks/lambda_callback.py``."""

from __future__ import annotations

from fittrace.callbacks import CallbackList, LambdaCallback


def test_lambda_callback_batch_function_implements_batch_hooks():
    seen = []
    cb = LambdaCallback(on_batch_end=lambda batch, logs: seen.append(batch))
    assert (
        cb._implements_train_batch_hooks() and not LambdaCallback()._implements_train_batch_hooks()
    )
    cl = CallbackList([cb])
    cl.on_train_batch_end(4, {})
    assert seen == [4]


def test_lambda_callback_hooks_and_extra_names():
    seen = []
    cb = LambdaCallback(
        on_train_begin=lambda logs: seen.append("begin"),
        on_epoch_end=lambda epoch, logs: seen.append((epoch, logs["loss"])),
        on_test_end=lambda logs: seen.append("test end"),
    )
    cl = CallbackList([cb])
    cl.on_train_begin()
    cl.on_epoch_end(0, {"loss": 0.3})
    cl.on_test_end()
    assert seen == ["begin", (0, 0.3), "test end"]
