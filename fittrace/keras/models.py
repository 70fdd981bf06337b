"""``fittrace.keras.models``: the model classes and the model-level functions (as ``tensorflow.keras.models``):
``clone_model``, ``save_model`` / ``load_model`` (whole models in ``.keras`` and ``.h5`` files) and
``model_from_config`` / ``model_from_json``."""

from fittrace.engine.functional import Functional
from fittrace.engine.sequential import Sequential
from fittrace.engine.training import Model
from fittrace.models.cloning import clone_model
from fittrace.saving.legacy.model_config import model_from_config, model_from_json, model_from_yaml
from fittrace.saving.saving_api import load_model, save_model

__all__ = [
    "Sequential",
    "Model",
    "Functional",
    "clone_model",
    "save_model",
    "load_model",
    "model_from_config",
    "model_from_json",
    "model_from_yaml",
]
