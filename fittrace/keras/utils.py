"""``fittrace.keras.utils``: Sequence, to_categorical, set_random_seed (as ``tensorflow.keras.utils``)."""
from fittrace.seeding import set_random_seed
from fittrace.utils import Sequence, to_categorical

__all__ = ["Sequence", "to_categorical", "set_random_seed"]
