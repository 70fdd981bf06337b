"""The article's model as a bare numpy loop: the floor ``fittrace bench`` holds the engine against.

Same arithmetic as the engine's fit of Dense(512, relu) -> Dense(10, softmax) with RMSprop and sparse categorical
cross-entropy on batches of 128 (forward, backward, the RMSprop update, accuracy), with none of the stages: no
layers, tape, callbacks, containers or adapters. What the engine takes beyond this is the price of its stages.
It only times; it is not a second engine and nothing else uses it.

``arithmetic_floor`` times less still: only the work no implementation of this step can skip (the two large
matrix products and the optimizer's update of the 784x512 kernel), each in a tight loop on warm arrays. Its sum
over an epoch's steps is a lower bound for any numpy engine on the machine it runs on.
"""

from __future__ import annotations

import time

import numpy as np


def _rmsprop(
    g: np.ndarray, var: np.ndarray, v: np.ndarray, buf: np.ndarray, lr: np.float32
) -> None:
    np.multiply(g, g, out=buf)
    buf *= np.float32(0.1)
    v *= np.float32(0.9)
    v += buf
    np.add(v, np.float32(1e-7), out=buf)
    np.sqrt(buf, out=buf)
    np.divide(g, buf, out=buf)
    buf *= -lr
    var += buf


class BareLoop:
    """The bare loop's state (weights, RMSprop slots, shuffling), run one epoch at a time, so that ``fittrace
    bench`` can alternate its epochs with the engine's and compare the two under the same machine load."""

    def __init__(self, x: np.ndarray, y: np.ndarray, batch: int = 128, seed: int = 0) -> None:
        self.x, self.y, self.batch = x, y, batch
        self.rng = np.random.default_rng(seed)
        rng = self.rng
        self.params = [
            (rng.standard_normal((784, 512)) * 0.05).astype(np.float32),
            np.zeros(512, np.float32),
            (rng.standard_normal((512, 10)) * 0.05).astype(np.float32),
            np.zeros(10, np.float32),
        ]
        self.slots = [np.zeros_like(p) for p in self.params]
        self.bufs = [np.empty_like(p) for p in self.params]

    def epoch(self) -> tuple[float, float]:
        """Train one epoch; its seconds and its mean loss."""
        x, y, batch = self.x, self.y, self.batch
        w1, b1, w2, b2 = self.params
        lr = np.float32(0.001)
        n = len(x)
        t0 = time.perf_counter()
        total = 0.0
        order = self.rng.permutation(n)
        for start in range(0, n, batch):
            rows = order[start : start + batch]
            xb, yb = x[rows], y[rows].astype(np.int64)
            h = xb @ w1
            h += b1
            np.maximum(h, 0, out=h)
            z = h @ w2
            z += b2
            e = np.exp(z - z.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
            r = np.arange(len(yb))
            total += float(-np.log(np.maximum(p[r, yb], 1e-7)).sum())  # the loss, as logged
            float((p.argmax(axis=1) == yb).mean())  # accuracy
            p[r, yb] -= 1
            p /= len(yb)
            gh = p @ w2.T
            gh *= h > 0
            grads = [xb.T @ gh, gh.sum(axis=0), h.T @ p, p.sum(axis=0)]
            for g, var, v, buf in zip(grads, self.params, self.slots, self.bufs):
                _rmsprop(g, var, v, buf, lr)
        return time.perf_counter() - t0, total / n


def plain_numpy_epochs(
    x: np.ndarray, y: np.ndarray, epochs: int, batch: int = 128, seed: int = 0
) -> tuple[list[float], list[float]]:
    """Seconds and mean loss of each epoch of the bare loop over ``x`` (n, 784) float32 and ``y`` (n,) labels."""
    loop = BareLoop(x, y, batch, seed)
    runs = [loop.epoch() for _ in range(epochs)]
    return [t for t, _ in runs], [loss for _, loss in runs]


def arithmetic_floor(
    steps: int = 469, batch: int = 128, repeats: int = 50, rounds: int = 5
) -> dict[str, float]:
    """Seconds per epoch for the unavoidable arithmetic of the article's step, best of ``rounds``: the forward
    product (batch x 784 @ 784 x 512), the kernel's gradient (784 x batch @ batch x 512) and the RMSprop update
    of the kernel, each timed alone in a loop of ``repeats``; also the forward product's GFLOP/s."""
    rng = np.random.default_rng(0)
    xb = rng.random((batch, 784), dtype=np.float32)
    gh = rng.random((batch, 512), dtype=np.float32)
    w = rng.random((784, 512), dtype=np.float32)
    g, v, buf = rng.random((784, 512), dtype=np.float32), np.zeros_like(w), np.empty_like(w)
    out_h, out_g = np.empty((batch, 512), np.float32), np.empty((784, 512), np.float32)
    lr = np.float32(0.001)
    parts = {
        "forward": lambda: np.matmul(xb, w, out=out_h),
        "kernel_gradient": lambda: np.matmul(xb.T, gh, out=out_g),
        "rmsprop_kernel": lambda: _rmsprop(g, w, v, buf, lr),
    }
    best = {}
    for name, fn in parts.items():
        fn()
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            for _ in range(repeats):
                fn()
            times.append((time.perf_counter() - t0) / repeats)
        best[name] = min(times)
    out = {f"floor_{name}_s": t * steps for name, t in best.items()}
    out["floor_s"] = sum(out.values())
    out["matmul_gflops"] = 2 * batch * 784 * 512 / best["forward"] / 1e9
    return out
