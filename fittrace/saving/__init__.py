"""Saving and loading, as tf-keras files them (tf_keras/src/saving/): ``saving_api.py`` (weight files) and
``legacy/serialization.py`` (the error for a name nothing is registered under). May import the autodiff only;
the model is handed in.
"""
