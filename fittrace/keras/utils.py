"""``fittrace.keras.utils``: Sequence, to_categorical, set_random_seed, plot_model, model_to_dot (as
``tensorflow.keras.utils``)."""
from fittrace.model_plot import model_to_dot, plot_model
from fittrace.seeding import set_random_seed
from fittrace.utils import Sequence, to_categorical

__all__ = ["Sequence", "to_categorical", "set_random_seed", "plot_model", "model_to_dot"]
