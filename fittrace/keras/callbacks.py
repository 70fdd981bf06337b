"""``fittrace.keras.callbacks`` (as ``tensorflow.keras.callbacks``)."""
from fittrace.callbacks import (Callback, CallbackList, EarlyStopping, History, LambdaCallback, ModelCheckpoint,
                                ProgbarLogger, TerminateOnNaN)

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger", "EarlyStopping", "LambdaCallback",
           "ModelCheckpoint", "TerminateOnNaN"]
