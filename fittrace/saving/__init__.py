"""Saving and loading, as tf-keras files them (tf_keras/src/saving/): ``saving_api.py`` (``save_weights`` and
``load_weights``: the format from the path), ``saving_lib.py`` (Keras's ``.weights.h5`` file, its HDF5 store and
the walk through a model's layers, optimizer and metrics), ``legacy/`` (the legacy HDF5 layout of ``.h5`` weight
files, and the error for a name nothing is registered under). May import the engine's layers, the optimizers and
metrics (the objects whose state is saved), ``utils`` and ``tracing.recorder``; the model is handed in.
"""
