"""``fittrace.keras.losses`` (as ``tensorflow.keras.losses``)."""
from fittrace.losses import (
                             MAE,
                             MSE,
                             BinaryCrossentropy,
                             CategoricalCrossentropy,
                             Loss,
                             LossFunctionWrapper,
                             MeanAbsoluteError,
                             MeanSquaredError,
                             Reduction,
                             SparseCategoricalCrossentropy,
                             binary_crossentropy,
                             categorical_crossentropy,
                             get,
                             mae,
                             mean_absolute_error,
                             mean_squared_error,
                             mse,
                             sparse_categorical_crossentropy,
)

__all__ = ["Loss", "LossFunctionWrapper", "Reduction", "SparseCategoricalCrossentropy", "CategoricalCrossentropy",
           "BinaryCrossentropy", "MeanSquaredError", "MeanAbsoluteError", "sparse_categorical_crossentropy",
           "categorical_crossentropy", "binary_crossentropy", "mean_squared_error", "mean_absolute_error", "mse",
           "mae", "MSE", "MAE", "get"]
