"""Utilities, in the modules tf-keras files them under (tf_keras/src/utils/): ``generic_utils.py`` (the text
progress bar), ``layer_utils.py`` (the summary table), ``vis_utils.py`` (``plot_model``), ``conv_utils.py``
(convolution argument checks), ``losses_utils.py`` (masks as sample weights), ``data_utils.py`` (``Sequence``,
``pad_sequences``, finding Keras's cached files), ``np_utils.py`` (``to_categorical``), ``dataset_utils.py``
(directory indexing, ``split_dataset`` and the ``DatasetSequence`` that stands in for a ``tf.data.Dataset``),
``timeseries_dataset.py``, ``image_dataset.py``, ``text_dataset.py``, ``image_utils.py`` (Pillow, imported when
first needed; ``smart_resize`` with ``tf.image.resize``'s values), ``restricted_pickle.py`` (reading dataset
pickles without running code), and ``nest.py`` (the ``tf.nest`` functions the engine uses for several inputs and
outputs). May import the autodiff and ``tracing`` (its recorder and atomic files); never the model, analysis or
rendering.
"""
