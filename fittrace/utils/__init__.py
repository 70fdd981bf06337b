"""Utilities, in the modules tf-keras files them under (tf_keras/src/utils/): ``generic_utils.py`` (the text
progress bar), ``layer_utils.py`` (the summary table), ``vis_utils.py`` (``plot_model``), ``conv_utils.py``
(convolution argument checks), ``losses_utils.py`` (masks as sample weights), ``data_utils.py``
(``Sequence``), ``np_utils.py`` (``to_categorical``), and ``nest.py`` (the ``tf.nest`` functions the engine
uses for several inputs and outputs). May import the autodiff and ``tracing`` (its recorder and atomic files);
never the model, analysis or rendering.
"""
