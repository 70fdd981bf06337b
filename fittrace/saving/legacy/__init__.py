"""tf-keras's legacy saving (tf_keras/src/saving/legacy/): ``save.py`` (``save_weights``/``load_weights`` for
every path that is not a ``.weights.h5`` file), ``hdf5_format.py`` (the legacy HDF5 layout of weights and
optimizer weights), ``serialization.py`` (the error ``get()`` gives for an unknown name).
"""
