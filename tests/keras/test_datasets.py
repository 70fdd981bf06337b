"""Datasets: the MNIST loader (files written here, a download from a real local HTTP server) and synthetic digits."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import socket
import threading

import numpy as np
import pytest

from fittrace.keras.datasets import mnist, synthetic_digits


def _idx_images(n: int) -> bytes:
    return (
        (2051).to_bytes(4, "big")
        + n.to_bytes(4, "big")
        + (28).to_bytes(4, "big")
        + (28).to_bytes(4, "big")
        + bytes(range(256)) * (n * 784 // 256)
        + bytes(n * 784 % 256)
    )


def _idx_labels(labels: list[int]) -> bytes:
    return (2049).to_bytes(4, "big") + len(labels).to_bytes(4, "big") + bytes(labels)


def _write_idx(folder, n_train=3, n_test=2):
    for name, data in (
        ("train-images-idx3-ubyte.gz", _idx_images(n_train)),
        ("train-labels-idx1-ubyte.gz", _idx_labels([1, 2, 3][:n_train])),
        ("t10k-images-idx3-ubyte.gz", _idx_images(n_test)),
        ("t10k-labels-idx1-ubyte.gz", _idx_labels([7, 9][:n_test])),
    ):
        with gzip.open(folder / name, "wb") as fh:
            fh.write(data)


def _npz_bytes() -> bytes:
    buf = io.BytesIO()
    np.savez(
        buf,
        x_train=np.zeros((4, 28, 28), np.uint8),
        y_train=np.arange(4, dtype=np.uint8),
        x_test=np.ones((2, 28, 28), np.uint8),
        y_test=np.array([5, 6], np.uint8),
    )
    return buf.getvalue()


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    return tmp_path / "keras" / "datasets"


def test_idx_folder(tmp_path):
    _write_idx(tmp_path)
    (x, y), (xt, yt) = mnist.load_data(path=str(tmp_path))
    assert (
        x.shape == (3, 28, 28)
        and x.dtype == np.uint8
        and y.tolist() == [1, 2, 3]
        and yt.tolist() == [7, 9]
    )


def test_npz_in_cache_is_found_first(keras_home):
    keras_home.mkdir(parents=True)
    (keras_home / "mnist.npz").write_bytes(_npz_bytes())
    (_, y), (_, yt) = mnist.load_data()
    assert y.tolist() == [0, 1, 2, 3] and yt.tolist() == [5, 6]


def test_corrupt_and_partial_idx(tmp_path):
    _write_idx(tmp_path)
    with gzip.open(tmp_path / "t10k-labels-idx1-ubyte.gz", "wb") as fh:
        fh.write((1234).to_bytes(4, "big") + (2).to_bytes(4, "big") + b"\x00\x00")
    with pytest.raises(ValueError, match="magic number 1234 is neither 2051"):
        mnist.load_data(path=str(tmp_path))
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="missing: t10k-labels-idx1-ubyte.gz"):
        mnist.load_data(path=str(tmp_path))


class _Server:
    def __init__(self, payload: bytes):
        body = payload

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.http
def test_download_verified_and_cached(keras_home, monkeypatch):
    payload = _npz_bytes()
    monkeypatch.setattr(mnist, "FILE_HASH", hashlib.sha256(payload).hexdigest())
    with _Server(payload) as server:
        monkeypatch.setenv("FITTRACE_MNIST_ORIGIN", server.url)
        (_, y), _ = mnist.load_data()
    assert y.tolist() == [0, 1, 2, 3]
    assert (keras_home / "mnist.npz").read_bytes() == payload
    assert [p.name for p in keras_home.iterdir()] == ["mnist.npz"]


@pytest.mark.http
def test_download_with_wrong_checksum_leaves_nothing(keras_home, monkeypatch):
    with _Server(b"not the file") as server:
        monkeypatch.setenv("FITTRACE_MNIST_ORIGIN", server.url)
        with pytest.raises(ValueError, match="failed verification: SHA-256"):
            mnist.load_data()
    assert not keras_home.exists() or list(keras_home.iterdir()) == []


@pytest.mark.http
def test_offline_error_names_the_alternatives(keras_home, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    monkeypatch.setenv("FITTRACE_MNIST_ORIGIN", f"http://127.0.0.1:{port}/")
    with pytest.raises(mnist.MnistUnavailableError) as err:
        mnist.load_data()
    text = str(err.value)
    assert "mnist.npz" in text and "IDX" in text and "synthetic_digits" in text


def test_synthetic_digits_shapes_determinism_and_learnability():
    (x, y), (xt, yt) = synthetic_digits.load_data(seed=3, num_train=600, num_test=200)
    assert x.shape == (600, 28, 28) and xt.shape == (200, 28, 28) and x.dtype == np.uint8
    assert set(y.tolist()) == set(range(10)) and set(yt.tolist()) == set(range(10))
    (x2, _), _ = synthetic_digits.load_data(seed=3, num_train=600, num_test=200)
    (x3, _), _ = synthetic_digits.load_data(seed=4, num_train=600, num_test=200)
    assert np.array_equal(x, x2) and not np.array_equal(x, x3)
    assert 10 < x.mean() < 80 and x.max() == 255
    # nearest class mean already separates the classes: the images carry their label
    means = np.stack([x[y == c].reshape(-1, 784).mean(0) for c in range(10)])
    d = ((xt.reshape(-1, 1, 784) - means[None]) ** 2).sum(-1)
    assert (d.argmin(1) == yt).mean() > 0.7
