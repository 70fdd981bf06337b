"""Callbacks, one module each, as Keras 3 lays them out (keras/src/callbacks/; tf-keras keeps them in one
``callbacks.py``): ``callback.py`` the base class, ``callback_list.py`` the container ``fit`` calls them through,
and ``history.py``, ``progbar_logger.py``, ``early_stopping.py``, ``model_checkpoint.py``, ``csv_logger.py``,
``lambda_callback.py``, ``terminate_on_nan.py``, ``learning_rate_scheduler.py``, ``reduce_lr_on_plateau.py``,
``tensorboard.py`` (event files TensorBoard reads).
May import the autodiff, ``utils`` and ``tracing.recorder``; never the model (callbacks get it by ``set_model``).

Not here: BackupAndRestore, RemoteMonitor.
"""

from __future__ import annotations

from fittrace.callbacks.callback import Callback
from fittrace.callbacks.callback_list import CallbackList
from fittrace.callbacks.csv_logger import CSVLogger
from fittrace.callbacks.early_stopping import EarlyStopping
from fittrace.callbacks.history import History
from fittrace.callbacks.lambda_callback import LambdaCallback
from fittrace.callbacks.learning_rate_scheduler import LearningRateScheduler
from fittrace.callbacks.model_checkpoint import ModelCheckpoint
from fittrace.callbacks.progbar_logger import ProgbarLogger
from fittrace.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from fittrace.callbacks.tensorboard import TensorBoard
from fittrace.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = [
    "Callback",
    "CallbackList",
    "History",
    "ProgbarLogger",
    "EarlyStopping",
    "ModelCheckpoint",
    "CSVLogger",
    "LambdaCallback",
    "TerminateOnNaN",
    "LearningRateScheduler",
    "ReduceLROnPlateau",
    "TensorBoard",
]
