"""``fittrace.keras.metrics`` (as ``tensorflow.keras.metrics``)."""
from fittrace.metrics import (
                              Accuracy,
                              BinaryAccuracy,
                              CategoricalAccuracy,
                              Mean,
                              MeanAbsoluteError,
                              MeanMetricWrapper,
                              MeanSquaredError,
                              Metric,
                              SparseCategoricalAccuracy,
                              SparseTopKCategoricalAccuracy,
                              Sum,
                              TopKCategoricalAccuracy,
                              binary_accuracy,
                              categorical_accuracy,
                              get,
                              sparse_categorical_accuracy,
                              sparse_top_k_categorical_accuracy,
                              top_k_categorical_accuracy,
)

__all__ = ["Metric", "Mean", "Sum", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
           "SparseCategoricalAccuracy", "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
           "MeanSquaredError", "MeanAbsoluteError", "binary_accuracy", "categorical_accuracy",
           "sparse_categorical_accuracy", "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "get"]
