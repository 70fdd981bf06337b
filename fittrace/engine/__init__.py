"""The training engine, as tf-keras files it (tf_keras/src/engine/): ``training.py`` (``Model``: compile, fit,
evaluate, predict, the ``*_on_batch`` methods, ``train_step``), ``sequential.py``, ``base_layer.py``,
``input_layer.py``, ``input_spec.py``, ``data_adapter.py`` (``DataHandler`` and the adapters),
``compile_utils.py`` (the loss and metrics containers), ``functions.py`` (the train/test/predict functions).
``trace_payloads.py`` is fittrace's own: what the engine's trace events carry, built beside the engine so that the
engine's code shows only short ``span``/``emit`` calls at its stages.
May import the autodiff, layers, losses, metrics, optimizers, callbacks, saving, utils and ``tracing.recorder``;
never analysis, rendering or the command line.
"""
