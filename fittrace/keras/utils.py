"""``fittrace.keras.utils``: Sequence, to_categorical, set_random_seed, plot_model, model_to_dot (as
``tensorflow.keras.utils``)."""

from fittrace.seeding import set_random_seed
from fittrace.utils.data_utils import Sequence
from fittrace.utils.np_utils import to_categorical
from fittrace.utils.vis_utils import model_to_dot, plot_model

__all__ = ["Sequence", "to_categorical", "set_random_seed", "plot_model", "model_to_dot"]
