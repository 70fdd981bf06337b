"""``fittrace.keras.callbacks``: the callbacks a Keras 2 script imports from ``tensorflow.keras.callbacks``."""
from fittrace.callbacks import CallbackList, History, ProgbarLogger
from fittrace.callbacks_base import Callback
from fittrace.callbacks_builtin import CSVLogger, EarlyStopping, LambdaCallback, ModelCheckpoint, TerminateOnNaN
from fittrace.callbacks_lr import LearningRateScheduler, ReduceLROnPlateau

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger", "EarlyStopping", "LambdaCallback",
           "ModelCheckpoint", "TerminateOnNaN", "LearningRateScheduler", "ReduceLROnPlateau", "CSVLogger"]
