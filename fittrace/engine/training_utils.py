"""How the fit, evaluate and predict loops read their arguments and shape their results: the verbosity, the
validation frequency and whether an epoch validates, and the logs as the list ``return_dict=False`` gives.

Mirrors the module-level helpers of tf_keras/src/engine/training.py and training_utils.py that ``Model``'s loops
call. Left out: the TF-specific helpers of training_utils.py (sample-weight modes, distribution strategies).

    >>> _should_eval(1, 2), _should_eval(0, [1, 3]), flatten_metrics_in_order({"loss": 0.5}, ["loss"])
    (True, True, 0.5)
"""

from __future__ import annotations

from typing import Any

from fittrace import callbacks as callbacks_module


def _get_verbosity(verbose: Any) -> int:
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2) or isinstance(verbose, bool):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto'. Received: verbose={verbose!r}")
    return int(verbose)


def configure_callbacks(
    model: Any, callbacks: Any, verbose: int, epochs: int, steps: int | None
) -> Any:
    """The ``CallbackList`` fit gives its hooks: the one given, or one made from the user's callbacks with a
    ``History`` and (unless ``verbose`` is 0) a ``ProgbarLogger`` added, as ``Model.fit`` makes it."""
    if isinstance(callbacks, callbacks_module.CallbackList):
        return callbacks
    return callbacks_module.CallbackList(
        callbacks,
        add_history=True,
        add_progbar=verbose != 0,
        model=model,
        verbose=verbose,
        epochs=epochs,
        steps=steps,
    )


def _check_validation_freq(validation_freq: Any) -> None:
    if isinstance(validation_freq, bool) or not isinstance(validation_freq, (int, list)):
        raise ValueError(
            f"Expected `validation_freq` to be a list or int. Received: validation_freq={validation_freq} "
            f"of the type {type(validation_freq)}."
        )


def _should_eval(epoch: int, validation_freq: Any) -> bool:
    epoch = epoch + 1
    if isinstance(validation_freq, int):
        return epoch % validation_freq == 0
    return epoch in validation_freq


def flatten_metrics_in_order(logs: dict[str, float], metrics_names: list[str]) -> Any:
    """Logs as Keras returns them when ``return_dict`` is False: the model's metrics in order, then any other
    keys sorted; a single value alone, not in a list."""
    results = [logs[name] for name in metrics_names if name in logs]
    results += [logs[key] for key in sorted(logs) if key not in metrics_names]
    return results[0] if len(results) == 1 else results
