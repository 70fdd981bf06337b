"""A user's script as it is, on TensorFlow's Keras (Keras 3 as ``tf.keras``): ``fittrace run`` traces it unchanged
(tests/bridge/keras3/test_trainer.py)."""

import numpy as np
import tensorflow as tf

rng = np.random.default_rng(0)
x = rng.random((40, 4), dtype=np.float32)
y = rng.random((40, 1), dtype=np.float32)
model = tf.keras.Sequential([tf.keras.layers.Dense(2), tf.keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
model.fit(x, y, batch_size=16, epochs=2, verbose=0)
