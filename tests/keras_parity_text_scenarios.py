"""Scenarios for the text and structured-data preprocessing layers, run twice, by real TF-Keras 2 and by fittrace,
for tests/test_keras_parity_text.py to compare.

    python keras_parity_text_scenarios.py tf        # under an interpreter that has tf_keras
    python keras_parity_text_scenarios.py fittrace  # under the test environment
    python keras_parity_text_scenarios.py tf FOLDER; ... fittrace FOLDER  # also save models, load TF-Keras's

Prints one JSON object: for each case the adapted vocabulary (ties included), the idf weights, the outputs on the
same inputs and the config as JSON (TextVectorization in every mode and option, StringLookup, IntegerLookup,
CategoryEncoding, Normalization, Discretization, Hashing); Normalization's and Discretization's adapted statistics;
Hashing's bins for many strings and integers, with and without salt; the errors' types and messages; and a
2-epoch fit of TextVectorization(multi_hot) -> Dense from identical weights. With a folder, each side saves
models holding adapted layers as .keras files there, and fittrace loads TF-Keras's. Nothing here checks anything: the
test does.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
TF = sys.argv[1] == "tf"
if TF:
    import tf_keras as keras
    from tf_keras import layers
else:
    import fittrace.keras as keras
    from fittrace.keras import layers

R = np.random.default_rng(0)
WORDS = (
    "the a cat dog sat ran on mat big small red blue fish bird tree Apple ÄPFEL über naïve".split()
)


def sentences(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    punct = ["", "", ".", "!", ",", "?", " --", "'s"]
    out = []
    for _ in range(n):
        k = int(rng.integers(0, 9))
        words = [
            WORDS[int(i)] + punct[int(rng.integers(0, len(punct)))]
            for i in rng.integers(0, len(WORDS), k)
        ]
        sep = [" ", "  ", "\t", " \n "][int(rng.integers(0, 4))]
        out.append(sep.join(words))
    return np.array(out)


TRAIN = sentences(40, 1)
TEST = sentences(12, 2)
TIES = np.array(["b a c", "c b a", "d e f", "F E D", "z y", "y z", "aa ab", "ab aa", "é è", "è é"])


def plain(x):
    """An output as JSON: numbers as lists, strings as str."""
    arr = np.asarray(x.numpy() if hasattr(x, "numpy") else x)
    if arr.dtype.kind in "OSU":
        return [v.decode() if isinstance(v, bytes) else str(v) for v in arr.reshape(-1)], list(
            arr.shape
        )
    return arr.tolist()


def jsonable(o):
    if hasattr(o, "tolist"):
        return o.tolist()
    if isinstance(o, (list, tuple)) or type(o).__name__ == "ListWrapper":
        return list(o)
    return str(o)


def config(layer) -> str:
    return json.dumps(layer.get_config(), default=jsonable, sort_keys=True)


def vocab(layer) -> list:
    return [str(t) if not isinstance(t, bytes) else t.decode() for t in layer.get_vocabulary()]


def err(fn) -> dict:
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the point is to record what is raised
        return {"type": type(e).__name__, "message": str(e)}
    return {"type": None, "message": None}


out: dict = {
    "text": {},
    "lookup": {},
    "encoding": {},
    "norm": {},
    "disc": {},
    "hash": {},
    "errors": {},
}

# --- TextVectorization -----------------------------------------------------------------------------------------------
TV_CASES = {
    "default": dict(),
    "max_tokens": dict(max_tokens=7),
    "lower": dict(standardize="lower"),
    "strip": dict(standardize="strip_punctuation"),
    "no standardize": dict(standardize=None),
    "character": dict(split="character", max_tokens=30),
    "no split": dict(split=None),
    "ngrams 2": dict(ngrams=2),
    "ngrams (1, 3)": dict(ngrams=(1, 3), max_tokens=25),
    "ngrams (2,)": dict(ngrams=(2,)),
    "sequence 5": dict(output_sequence_length=5),
    "sequence 2": dict(output_sequence_length=2, max_tokens=6),
    "multi_hot": dict(output_mode="multi_hot"),
    "binary": dict(output_mode="binary", max_tokens=9),
    "count": dict(output_mode="count", max_tokens=10),
    "count padded": dict(output_mode="count", max_tokens=30, pad_to_max_tokens=True),
    "tf_idf": dict(output_mode="tf_idf"),
    "tf_idf max": dict(output_mode="tf_idf", max_tokens=8, ngrams=2),
    "tf_idf padded": dict(output_mode="tf_idf", max_tokens=40, pad_to_max_tokens=True),
    "multi_hot no split": dict(output_mode="multi_hot", split=None),
}
for name, kwargs in TV_CASES.items():
    layer = layers.TextVectorization(**kwargs)
    layer.adapt(TRAIN, batch_size=7)
    case = {"vocab": vocab(layer), "size": layer.vocabulary_size(), "config": config(layer)}
    case["no special"] = [str(t) for t in layer.get_vocabulary(include_special_tokens=False)]
    case["out 2d"] = plain(layer(TEST[:, None]))
    if kwargs.get("split", "whitespace") is not None:
        case["out 1d"] = plain(layer(TEST))
    if "tf_idf" in kwargs.get("output_mode", ""):
        case["idf"] = np.asarray(layer._lookup_layer.idf_weights).tolist()
    out["text"][name] = case

for name, kwargs in {
    "ties": dict(),
    "ties max": dict(max_tokens=6),
    "ties character": dict(split="character", standardize=None),
    "ties tf_idf": dict(output_mode="tf_idf"),
}.items():
    layer = layers.TextVectorization(**kwargs)
    layer.adapt(TIES)
    out["text"][name] = {"vocab": vocab(layer), "out": plain(layer(TIES[:4]))}
    if kwargs.get("output_mode") == "tf_idf":
        out["text"][name]["idf"] = np.asarray(layer._lookup_layer.idf_weights).tolist()

for name, kwargs in {
    "given vocabulary": dict(vocabulary=["cat", "the", "dog", "über"]),
    "given with specials": dict(vocabulary=["", "[UNK]", "cat", "the"]),
    "given multi_hot": dict(vocabulary=["cat", "the", "dog"], output_mode="multi_hot"),
    "given tf_idf": dict(vocabulary=["cat", "the"], output_mode="tf_idf", idf_weights=[0.5, 1.5]),
    "given tf_idf padded": dict(
        vocabulary=["cat", "the"],
        output_mode="tf_idf",
        idf_weights=[0.5, 1.5],
        max_tokens=6,
        pad_to_max_tokens=True,
    ),
}.items():
    layer = layers.TextVectorization(**kwargs)
    case = {"vocab": vocab(layer), "config": config(layer), "out": plain(layer(TEST[:5, None]))}
    if kwargs.get("output_mode") == "tf_idf":
        case["idf"] = np.asarray(layer._lookup_layer.idf_weights).tolist()
    out["text"][name] = case

layer = layers.TextVectorization(max_tokens=10)
layer.adapt(TRAIN)
layer.set_vocabulary(["zeta", "alpha", "cat"])
out["text"]["set_vocabulary"] = {"vocab": vocab(layer), "out": plain(layer(TEST[:5]))}
layer = layers.TextVectorization(standardize=lambda t: t, split="whitespace")
out["unadapted"] = err(lambda: layer(TEST[:3]))

# --- StringLookup and IntegerLookup -----------------------------------------------------------------------------------
STRS = np.array([["a", "b", "c", "a"], ["d", "a", "", "b"], ["z", "q", "b", "b"]])
EVEN = np.array([["a", "b", "a"], ["c", "a", "c"], ["b", "d", "b"], ["e", "a", "a"]])
INTS = np.array([[3, 5, 3, 9], [1, 3, 0, 5], [-4, 7, 5, 5]])
for name, (cls, kwargs, data, calls) in {
    "string adapt": ("StringLookup", dict(), STRS, STRS),
    "string max_tokens": ("StringLookup", dict(max_tokens=3), STRS, STRS),
    "string mask": ("StringLookup", dict(mask_token=""), STRS, STRS),
    "string oov 3": ("StringLookup", dict(num_oov_indices=3), STRS[:1], STRS),
    "string one_hot": ("StringLookup", dict(output_mode="one_hot"), STRS, STRS[0]),
    "string multi_hot": ("StringLookup", dict(output_mode="multi_hot", mask_token=""), STRS, STRS),
    "string count": ("StringLookup", dict(output_mode="count"), STRS, STRS),
    # Keras's tf_idf adapt of a dense batch needs as many distinct tokens in every row (its map_fn stacks them)
    "string tf_idf": ("StringLookup", dict(output_mode="tf_idf"), EVEN, STRS),
    "int adapt": ("IntegerLookup", dict(), INTS, INTS),
    "int mask": ("IntegerLookup", dict(mask_token=0), INTS, INTS),
    "int oov 3": ("IntegerLookup", dict(num_oov_indices=3), INTS[:1], INTS),
    "int max_tokens": ("IntegerLookup", dict(max_tokens=4), INTS, INTS),
    "int count": (
        "IntegerLookup",
        dict(output_mode="count", pad_to_max_tokens=True, max_tokens=9),
        INTS,
        INTS,
    ),
}.items():
    layer = getattr(layers, cls)(**kwargs)
    layer.adapt(data)
    out["lookup"][name] = {
        "vocab": [str(v) for v in layer.get_vocabulary()],
        "out": plain(layer(calls)),
        "config": config(layer),
    }
for name, (cls, kwargs, calls) in {
    "string invert": (
        "StringLookup",
        dict(vocabulary=["a", "b"], invert=True),
        np.array([[0, 1, 2, 3]]),
    ),
    "string invert mask": (
        "StringLookup",
        dict(vocabulary=["a", "b"], invert=True, mask_token="[M]"),
        np.array([[0, 1, 2, 3, 4]]),
    ),
    "int invert": (
        "IntegerLookup",
        dict(vocabulary=[12, 36], invert=True),
        np.array([[0, 1, 2, 5]]),
    ),
    "string given": ("StringLookup", dict(vocabulary=["x", "y"], num_oov_indices=2), STRS),
    "int given": (
        "IntegerLookup",
        dict(vocabulary=[3, 5], num_oov_indices=0),
        np.array([[3, 5, 5]]),
    ),
    "string given specials": ("StringLookup", dict(vocabulary=["[UNK]", "a", "b"]), STRS),
}.items():
    layer = getattr(layers, cls)(**kwargs)
    out["lookup"][name] = {
        "vocab": [str(v) for v in layer.get_vocabulary()],
        "out": plain(layer(calls)),
        "config": config(layer),
    }

# --- CategoryEncoding -------------------------------------------------------------------------------------------------
IDS = np.array([[0, 1, 1], [3, 2, 0]])
for name, (kwargs, calls, weights) in {
    "multi_hot": (dict(num_tokens=4), IDS, None),
    "count": (dict(num_tokens=5, output_mode="count"), IDS, None),
    "count weights": (
        dict(num_tokens=4, output_mode="count"),
        IDS,
        np.array([[0.5, 2.0, 1.0], [1, 1, 3.0]]),
    ),
    "one_hot": (dict(num_tokens=4, output_mode="one_hot"), np.array([3, 0, 1]), None),
    "one_hot column": (dict(num_tokens=4, output_mode="one_hot"), np.array([[3], [0]]), None),
    "multi_hot 1d": (dict(num_tokens=4), np.array([1, 3]), None),
}.items():
    layer = layers.CategoryEncoding(**kwargs)
    y = layer(calls) if weights is None else layer(calls, count_weights=weights)
    out["encoding"][name] = {"out": plain(y), "config": config(layer)}

# --- Normalization ----------------------------------------------------------------------------------------------------
DATA3 = R.normal(loc=3.0, scale=2.0, size=(50, 3, 4)).astype("float32")
for name, (kwargs, data, batch) in {
    "axis -1": (dict(), DATA3[:, 0, :], None),
    "axis -1 batch 7": (dict(), DATA3[:, 0, :] * 100.0, 7),
    "axis None": (dict(axis=None), DATA3[:, 0, :], 16),
    "axis (1, 2)": (dict(axis=(1, 2)), DATA3, 8),
    "axis 1": (dict(axis=1), DATA3, None),
    "invert": (dict(invert=True), DATA3[:, 0, :], None),
}.items():
    layer = layers.Normalization(**kwargs)
    layer.adapt(data, batch_size=batch)
    out["norm"][name] = {
        "mean": np.asarray(layer.mean).tolist(),
        "variance": np.asarray(layer.variance).tolist(),
        "weights": [np.asarray(w).tolist() for w in layer.get_weights()],
        "out": plain(layer(data[:5])),
        "config": config(layer),
    }
layer = layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 0.0])
out["norm"]["given"] = {
    "out": plain(layer(np.array([[3.0, 5.0], [1.0, 2.0]]))),
    "config": config(layer),
}

# --- Discretization ---------------------------------------------------------------------------------------------------
for name, (kwargs, data, batch) in {
    "uniform 4": (dict(num_bins=4), np.arange(100.0), None),
    "normal 5": (dict(num_bins=5), R.normal(size=300), None),
    "normal 5 batch 50": (dict(num_bins=5), R.normal(size=300), 50),
    "epsilon 0.1": (dict(num_bins=3, epsilon=0.1), R.exponential(size=(120, 2)), 40),
    "small": (dict(num_bins=6), np.array([1.0, 5.0, 2.0, 2.0, 9.0]), None),
    "one_hot": (dict(num_bins=3, output_mode="one_hot"), np.arange(30.0), None),
}.items():
    layer = layers.Discretization(**kwargs)
    layer.adapt(data, batch_size=batch)
    probe = np.linspace(float(np.min(data)) - 1, float(np.max(data)) + 1, 9)
    if kwargs.get("output_mode") == "one_hot":
        probe = probe[:, None]
    out["disc"][name] = {
        "boundaries": list(layer.bin_boundaries),
        "out": plain(layer(probe)),
        "config": config(layer),
    }
layer = layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
out["disc"]["given"] = {
    "out": plain(layer(np.array([[-1.0, 0.0, 0.5, 1.0, 2.0, 3.0]]))),
    "config": config(layer),
}
layer = layers.Discretization(bin_boundaries=[0.0, 1.0], output_mode="count")
out["disc"]["given count"] = {"out": plain(layer(np.array([[-1.0, 0.5, 0.7, 3.0]])))}

# --- Hashing ----------------------------------------------------------------------------------------------------------
HR = np.random.default_rng(5)
alphabet = list("abcdefghijklmnopqrstuvwxyz0123456789 .,ÄéüßЖ日本")
HASH_STRS = [""] + [
    "".join(HR.choice(alphabet, size=int(n))) for n in HR.integers(1, 300, size=300)
]
HASH_STRS += [str(i) for i in range(40)] + ["x" * n for n in range(1, 140)]
HASH_INTS = np.concatenate([np.arange(-30, 60), HR.integers(-(2**62), 2**62, size=100)]).astype(
    "int64"
)
STR_ARR = np.array(HASH_STRS, dtype=object)[:, None]
for name, kwargs in {
    "fast 1000": dict(num_bins=1000),
    "fast 7": dict(num_bins=7),
    "fast mask": dict(num_bins=9, mask_value=""),
    "salt 133": dict(num_bins=1000, salt=133),
    "salt pair": dict(num_bins=1 << 30, salt=[7, 2**40 + 3]),
    "salt mask": dict(num_bins=5, salt=(1, 2), mask_value="x"),
}.items():
    layer = layers.Hashing(**kwargs)
    out["hash"][name + " strings"] = {"out": plain(layer(STR_ARR)), "config": config(layer)}
for name, kwargs in {
    "fast 1000": dict(num_bins=1000),
    "fast mask": dict(num_bins=11, mask_value=0),
    "salt 9": dict(num_bins=97, salt=9),
}.items():
    out["hash"][name + " ints"] = {"out": plain(layers.Hashing(**kwargs)(HASH_INTS[:, None]))}
out["hash"]["multi_hot"] = {
    "out": plain(
        layers.Hashing(num_bins=6, output_mode="multi_hot")(np.array([["a", "b", "c", "dd"]]))
    )
}
out["hash"]["count"] = {
    "out": plain(layers.Hashing(num_bins=4, output_mode="count")(np.array([[1, 2, 3, 4, 5, 6]])))
}

# --- errors -----------------------------------------------------------------------------------------------------------
TV = layers.TextVectorization
E = out["errors"]
for name, kwargs in {
    "output_mode": dict(output_mode="foo"),
    "standardize": dict(standardize="x"),
    "split": dict(split=3),
    "ngrams": dict(ngrams="a"),
    "max_tokens": dict(max_tokens=1),
    "duplicates": dict(vocabulary=["a", "b", "a"]),
    "mask inside": dict(vocabulary=["a", ""]),
    "too long": dict(vocabulary=["a", "b", "c"], max_tokens=4),
    "empty vocabulary": dict(vocabulary=[]),
    "sequence and multi_hot": dict(output_mode="multi_hot", output_sequence_length=3),
    "sequence not int": dict(output_sequence_length=2.5),
    "tf_idf without idf": dict(output_mode="tf_idf", vocabulary=["a"]),
    "idf without tf_idf": dict(vocabulary=["a"], idf_weights=[1.0]),
    "idf length": dict(output_mode="tf_idf", vocabulary=["a", "b"], idf_weights=[1.0]),
    "pad without max": dict(pad_to_max_tokens=True),
    "dtype": dict(dtype="int32"),
}.items():
    E["TextVectorization " + name] = err(lambda kwargs=kwargs: TV(**kwargs))
E["TextVectorization not adapted multi_hot"] = err(lambda: TV(output_mode="multi_hot")(TEST))
E["TextVectorization rank"] = err(lambda: TV(vocabulary=["a"])(np.array([["a b", "c"]])))
E["TextVectorization empty adapt"] = err(lambda: TV().adapt(np.array([], dtype=str)))
E["StringLookup oov inside invert"] = err(
    lambda: layers.StringLookup(vocabulary=["a", "[UNK]"], invert=True)
)
E["StringLookup invert not int"] = err(
    lambda: layers.StringLookup(invert=True, output_mode="count")
)
E["StringLookup num_oov"] = err(lambda: layers.StringLookup(num_oov_indices=-1))
E["StringLookup adapt given"] = err(
    lambda: layers.StringLookup(vocabulary=["a"]).adapt(np.array(["a"]))
)
E["StringLookup num_oov 0"] = err(
    lambda: layers.StringLookup(vocabulary=["a"], num_oov_indices=0)(np.array(["z"]))
)
E["IntegerLookup max_tokens"] = err(lambda: layers.IntegerLookup(max_tokens=1))
E["IntegerLookup num_oov"] = err(lambda: layers.IntegerLookup(num_oov_indices=-2))
E["IntegerLookup vocabulary_dtype"] = err(lambda: layers.IntegerLookup(vocabulary_dtype="float32"))
E["IntegerLookup duplicates"] = err(lambda: layers.IntegerLookup(vocabulary=[1, 2, 2]))
E["CategoryEncoding num_tokens"] = err(lambda: layers.CategoryEncoding())
E["CategoryEncoding num_tokens 0"] = err(lambda: layers.CategoryEncoding(num_tokens=0))
E["CategoryEncoding output_mode"] = err(lambda: layers.CategoryEncoding(3, output_mode="int"))
E["CategoryEncoding range"] = err(lambda: layers.CategoryEncoding(3)(np.array([[5]])))
E["CategoryEncoding weights"] = err(
    lambda: layers.CategoryEncoding(3)(np.array([[1]]), count_weights=np.array([[1.0]]))
)
E["CategoryEncoding rank"] = err(
    lambda: layers.CategoryEncoding(3, output_mode="one_hot")(np.array([[1, 2]]))
)
E["Normalization mean only"] = err(lambda: layers.Normalization(mean=1.0))
E["Normalization axis"] = err(lambda: layers.Normalization(axis=5).build((None, 2)))
E["Normalization adapt given"] = err(
    lambda: layers.Normalization(mean=1.0, variance=2.0).adapt(np.zeros((3, 2)))
)
E["Discretization both"] = err(lambda: layers.Discretization(num_bins=3, bin_boundaries=[1.0]))
E["Discretization num_bins"] = err(lambda: layers.Discretization(num_bins=-1))
E["Discretization output_mode"] = err(
    lambda: layers.Discretization(bin_boundaries=[0.0], output_mode="x")
)
E["Discretization adapt given"] = err(
    lambda: layers.Discretization(bin_boundaries=[1.0]).adapt(np.zeros(3))
)
E["Hashing num_bins"] = err(lambda: layers.Hashing(num_bins=0))
E["Hashing salt"] = err(lambda: layers.Hashing(num_bins=3, salt="x"))
E["Hashing output_mode"] = err(lambda: layers.Hashing(num_bins=3, output_mode="x"))

# --- a fit ------------------------------------------------------------------------------------------------------------
texts = TRAIN[:, None]
labels = (np.char.find(np.char.lower(TRAIN.astype(str)), "cat") >= 0).astype("float32")
vectorize = layers.TextVectorization(output_mode="multi_hot", max_tokens=12)
vectorize.adapt(TRAIN)
inputs = keras.Input(shape=(1,), dtype="string")
dense_1, dense_2 = layers.Dense(4, activation="relu"), layers.Dense(1, activation="sigmoid")
model = keras.Model(inputs, dense_2(dense_1(vectorize(inputs))))
wr = np.random.default_rng(11)
# (Keras's model.get_weights() holds the vocabulary too, through its VocabWeightHandler: the Dense ones are set)
for dense in (dense_1, dense_2):
    dense.set_weights(
        [wr.normal(scale=0.5, size=w.shape).astype("float32") for w in dense.get_weights()]
    )
model.compile(optimizer=keras.optimizers.SGD(0.3), loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(texts, labels, epochs=2, batch_size=8, shuffle=False, verbose=0)
out["fit"] = {
    "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
    "weights": [w.tolist() for dense in (dense_1, dense_2) for w in dense.get_weights()],
    "predict": np.asarray(model.predict(TEST[:, None], verbose=0)).tolist(),
    "vocab": vocab(vectorize),
}
seq = keras.Sequential(
    [keras.Input(shape=(1,), dtype="string"), layers.TextVectorization(vocabulary=["a", "cat"])]
)
out["fit"]["sequential int"] = np.asarray(seq.predict(TEST[:4, None], verbose=0)).tolist()
out["fit"]["symbolic"] = {
    mode: [list(t.shape), str(t.dtype).replace("<dtype: '", "").replace("'>", "")]
    for mode, t in {
        "int": layers.TextVectorization()(keras.Input(shape=(1,), dtype="string")),
        "int 6": layers.TextVectorization(output_sequence_length=6)(
            keras.Input(shape=(1,), dtype="string")
        ),
        "multi_hot": layers.TextVectorization(
            max_tokens=9, output_mode="multi_hot", pad_to_max_tokens=True
        )(keras.Input(shape=(1,), dtype="string")),
        "lookup": layers.StringLookup(vocabulary=["a"])(keras.Input(shape=(3,), dtype="string")),
        "hashing": layers.Hashing(num_bins=3)(keras.Input(shape=(2,), dtype="string")),
    }.items()
}


# --- saving (with a folder: TF-Keras runs first and writes, fittrace writes and loads TF-Keras's files) -------
def saved_models() -> dict:
    wr = np.random.default_rng(3)

    def fixed(layer):
        layer.set_weights([wr.normal(size=w.shape).astype("float32") for w in layer.get_weights()])
        return layer

    def text_input(shape=(1,)):
        return keras.Input(shape=shape, dtype="string")

    made = {}
    tv = layers.TextVectorization(output_mode="tf_idf", max_tokens=12)
    tv.adapt(TRAIN)
    dense = layers.Dense(2)
    made["tf_idf"] = keras.Sequential([text_input(), tv, dense])
    fixed(dense)
    tv = layers.TextVectorization(output_sequence_length=6, ngrams=2)
    tv.adapt(TRAIN)
    made["int"] = keras.Sequential([text_input(), tv])
    lookup = layers.StringLookup(output_mode="multi_hot")
    lookup.adapt(STRS)
    inputs = text_input((4,))
    dense = layers.Dense(1)
    made["lookup"] = keras.Model(inputs, dense(lookup(inputs)))
    fixed(dense)
    lookup = layers.IntegerLookup(num_oov_indices=2)
    lookup.adapt(INTS)
    made["integer lookup"] = keras.Sequential([keras.Input(shape=(4,), dtype="int64"), lookup])
    norm = layers.Normalization()
    norm.adapt(DATA3[:, 0, :])
    made["normalization"] = keras.Sequential([keras.Input(shape=(4,)), norm])
    disc = layers.Discretization(num_bins=4)
    disc.adapt(R.normal(size=(64, 1)))
    made["discretization"] = keras.Sequential([keras.Input(shape=(1,)), disc])
    made["hashing"] = keras.Sequential([text_input(), layers.Hashing(num_bins=10, salt=3)])
    return made


PROBES = {
    "tf_idf": TEST[:, None],
    "int": TEST[:, None],
    "lookup": STRS,
    "integer lookup": INTS,
    "normalization": DATA3[:6, 1, :],
    "discretization": np.linspace(-2, 2, 9)[:, None],
    "hashing": TEST[:, None],
}
if len(sys.argv) > 2:
    folder = sys.argv[2]
    side = "tf" if TF else "fittrace"
    out["saved"], out["loaded"] = {}, {}
    for name, model in saved_models().items():
        model.save(os.path.join(folder, f"{side} {name}.keras"))
        out["saved"][name] = plain(model.predict(PROBES[name], verbose=0))
    if not TF:
        for name in PROBES:
            model = keras.models.load_model(os.path.join(folder, f"tf {name}.keras"))
            out["loaded"][name] = plain(model.predict(PROBES[name], verbose=0))

print(json.dumps(out, default=jsonable))
