"""Model-level functions, as tf-keras lays them out (tf_keras/src/models/): ``cloning.py`` (``clone_model``: the same
architecture with new weights). May import the engine (the models it copies)."""
