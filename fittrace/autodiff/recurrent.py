"""Whole-sequence recurrences (SimpleRNN, LSTM, GRU) as single ops with a hand-written backward through time.

The input projection of every timestep (``inputs @ kernel + bias``) is computed before, by one ordinary matmul;
``recurrence`` takes it (``xz``, batch x time x gates*units) and runs the step loop in numpy, keeping what the
backward pass needs (the states, the activated gates). Its semantics are those of Keras 2's ``backend.rnn``
driving the cells of tf_keras/src/layers/rnn/: ``go_backwards`` walks the sequence from its end (the outputs come
in the order they were computed); a masked step keeps the previous state and repeats the previous output (or
outputs zeros, ``zero_output_for_mask``); recurrent dropout multiplies the state fed to each gate's recurrent
product by that gate's mask. The result is one tensor; ``recurrence`` hands back its parts (the output sequence
or the last output, then the final states) as tensors of their own.

    >>> import numpy as np
    >>> xz = Tensor(np.zeros((2, 5, 12), "float32")); r = Tensor(np.zeros((3, 12), "float32"))
    >>> h0 = Tensor(np.zeros((2, 3), "float32"))
    >>> [t.shape for t in recurrence("lstm", xz, r, None, [h0, h0], sequences=True, states=True)]
    [(2, 5, 3), (2, 3), (2, 3)]

Left out: time-major inputs, ragged inputs, ``unroll`` (the loop is the same either way).
"""

from __future__ import annotations

import contextlib
import ctypes
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from fittrace.autodiff.ops import Tensor, _op, _t


def _sigmoid(z: np.ndarray) -> np.ndarray:
    out = np.multiply(z, 0.5)
    np.tanh(out, out=out)
    out += 1
    out *= 0.5
    return out


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0)


def _sigmoid_(z: np.ndarray) -> None:
    z *= 0.5
    np.tanh(z, out=z)
    z += 1
    z *= 0.5


#: The same activations, applied in place (on the gate blocks of the step's buffer).
_IN_PLACE: dict[str, Callable[[np.ndarray], Any]] = {
    "tanh": lambda z: np.tanh(z, out=z),
    "sigmoid": _sigmoid_,
    "relu": lambda z: np.maximum(z, 0, out=z),
    "linear": lambda z: None,
}


#: Gradients carried back below this size are set to zero, every fourth step (see ``_flush``).
FLUSH_BELOW = 1e-24


def _flush(a: np.ndarray) -> np.ndarray:
    """Values smaller than ``FLUSH_BELOW`` set to zero, in place. Gradients carried back through many steps
    shrink towards subnormal numbers, on which every operation is tens of times slower; TensorFlow's CPU kernels
    flush subnormal results to zero, and flushing the carried gradients a little above that range keeps the
    products of each step out of it too. Nothing of that size changes a float32 result."""
    np.putmask(a, np.abs(a) < FLUSH_BELOW, 0)
    return a


#: The activations a recurrence runs natively: each one's function and its derivative from its output.
ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], Any]]] = {
    "tanh": (np.tanh, lambda y: 1 - y * y),
    "sigmoid": (_sigmoid, lambda y: y * (1 - y)),
    "relu": (_relu, lambda y: (y > 0).astype(y.dtype)),
    "linear": (lambda z: z, lambda y: 1),
}

_GATES = {"simple": 1, "lstm": 4, "gru": 3}

# OpenBLAS's thread-count functions, under the names its builds give them (numpy's wheels prefix them).
_BLAS_GET = (
    "scipy_openblas_get_num_threads64_",
    "openblas_get_num_threads64_",
    "openblas_get_num_threads",
)
_BLAS_SET = (
    "scipy_openblas_set_num_threads64_",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)
_blas: list[Any] = []  # [get, set] once found, [None, None] where there is no OpenBLAS to find


def _openblas() -> tuple[Any, Any]:
    """OpenBLAS's get and set functions for its thread count, found among the libraries this process loaded
    (Linux's /proc/self/maps), or (None, None)."""
    if not _blas:
        found: list[Any] = [None, None]
        try:
            with open("/proc/self/maps") as fh:
                paths = sorted(set(re.findall(r"(/\S*openblas\S*\.so\S*)", fh.read())))
            for path in paths:
                lib = ctypes.CDLL(path)
                get = next((getattr(lib, n) for n in _BLAS_GET if hasattr(lib, n)), None)
                put = next((getattr(lib, n) for n in _BLAS_SET if hasattr(lib, n)), None)
                if get is not None and put is not None:
                    found = [get, put]
                    break
        except OSError:
            pass
        _blas[:] = found
    return _blas[0], _blas[1]


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Run the step loop's small products on one BLAS thread. A team of threads gains little on products of
    this size, and on a busy machine its members wait for each other: there one thread was 20 times faster."""
    get, put = _openblas()
    before = get() if get is not None else 1
    if before > 1:
        put(1)
    try:
        yield
    finally:
        if before > 1:
            put(before)


def _rec(h: np.ndarray, r: np.ndarray, masks: np.ndarray | None) -> np.ndarray:
    """The recurrent product of state ``h`` (B, U) with ``r`` (U, G*U), each gate's block fed ``h`` times its
    dropout mask when ``masks`` (G, B, U) is given."""
    if masks is None:
        return h @ r
    u, gu = r.shape
    g = gu // u
    blocks = np.matmul(h[None] * masks, r.reshape(u, g, u).transpose(1, 0, 2))  # (G, B, U)
    return blocks.transpose(1, 0, 2).reshape(h.shape[0], gu)


def _rec_back(
    d: np.ndarray, r: np.ndarray, masks: np.ndarray | None, r_t: Any = None
) -> np.ndarray:
    """The gradient of ``_rec`` with respect to the state, for the gradient ``d`` (B, G*U) of its result
    (``r_t``: ``r.T`` made contiguous once, the faster operand)."""
    if masks is None:
        return d @ (r.T if r_t is None else r_t)
    u, gu = r.shape
    g = gu // u
    blocks = np.matmul(
        d.reshape(d.shape[0], g, u).transpose(1, 0, 2), r.reshape(u, g, u).transpose(1, 2, 0)
    )
    return (blocks * masks).sum(axis=0)


def _rec_kernel_grad(hs: np.ndarray, d: np.ndarray, masks: np.ndarray | None) -> np.ndarray:
    """The recurrent kernel's gradient from the states fed in (B, T, U) and the gradients (B, T, G*U)."""
    u, gu = hs.shape[-1], d.shape[-1]
    if masks is None:
        return hs.reshape(-1, u).T @ d.reshape(-1, gu)
    g = gu // u
    return np.concatenate(
        [
            (hs * masks[k][:, None]).reshape(-1, u).T @ d[:, :, k * u : (k + 1) * u].reshape(-1, u)
            for k in range(g)
        ],
        axis=1,
    )


def _kernel_grad(
    kind: str,
    reset_after: bool,
    fed: np.ndarray,
    dx: np.ndarray,
    dinner: np.ndarray | None,
    d_rh: np.ndarray | None,
    rmasks: np.ndarray | None,
    u: int,
) -> np.ndarray:
    """The recurrent kernel's gradient (the GRU without ``reset_after`` has its candidate block apart)."""
    if kind == "gru" and not reset_after:
        zr_masks = None if rmasks is None else rmasks[:2]
        return np.concatenate([_rec_kernel_grad(fed, dx[:, :, : 2 * u], zr_masks), d_rh], axis=1)
    return _rec_kernel_grad(fed, dinner if dinner is not None else dx, rmasks)


def projection(x: Any, kernel: Any, bias: Any = None) -> Tensor:
    """``x @ kernel + bias`` for every timestep of ``x`` (B, T, D) at once: the recurrences' input projection,
    its products on one BLAS thread like the step loop's (see ``_one_blas_thread``)."""
    x, k = _t(x), _t(kernel)
    b = _t(bias) if bias is not None else None
    lead, d = x.shape[:-1], x.shape[-1]
    x2 = x.value.reshape(-1, d)
    with _one_blas_thread():
        out = x2 @ k.value
    if b is not None:
        out += b.value
    out = out.reshape(*lead, k.shape[-1])

    def backward(g: np.ndarray) -> tuple[Any, Any, Any]:
        g2 = g.reshape(-1, g.shape[-1])
        with _one_blas_thread():
            gx = (g2 @ k.value.T).reshape(x.shape) if x._req else None
            gk = x2.T @ g2 if k._req else None
        gb = g2.sum(axis=0) if b is not None and b._req else None
        return gx, gk, gb

    return _op(out, (x, k, b), backward)


def recurrence(
    kind: str,
    xz: Any,
    recurrent_kernel: Any,
    recurrent_bias: Any,
    initial_states: Sequence[Any],
    mask: np.ndarray | None = None,
    go_backwards: bool = False,
    recurrent_masks: np.ndarray | None = None,
    zero_output_for_mask: bool = False,
    sequences: bool = False,
    states: bool = False,
    activation: str = "tanh",
    recurrent_activation: str = "sigmoid",
    reset_after: bool = True,
) -> list[Tensor]:
    """Run a ``kind`` ("simple", "lstm" or "gru") recurrence over ``xz`` (B, T, G*U), the projected inputs.

    ``recurrent_kernel`` is (U, G*U); ``recurrent_bias`` the GRU's second bias row (``reset_after``) or None;
    ``initial_states`` the (B, U) states (h, and c for an LSTM). ``mask`` (B, T) marks the steps to take;
    ``recurrent_masks`` (G, B, U) the recurrent dropout of each gate. ``activation`` and
    ``recurrent_activation`` are names in ``ACTIVATIONS``. Returns [the outputs (B, T, U) if ``sequences``, else
    the last output (B, U)], followed by the final states when ``states``."""
    xz, rk = _t(xz), _t(recurrent_kernel)
    rb = _t(recurrent_bias) if recurrent_bias is not None else None
    inits = [_t(s) for s in initial_states]
    act, dact = ACTIVATIONS[activation]
    ract, dract = ACTIVATIONS[recurrent_activation]
    act_, ract_ = _IN_PLACE[activation], _IN_PLACE[recurrent_activation]
    x = np.moveaxis(xz.value, 1, 0)  # (T, B, G*U), a view
    if go_backwards:
        x = x[::-1]
    steps, batch, _ = x.shape
    r = rk.value
    u = r.shape[0]
    dtype = np.result_type(x.dtype, r.dtype)
    m = None
    if mask is not None:
        m = np.moveaxis(np.asarray(mask), 1, 0)[..., None].astype(dtype)  # (T, B, 1)
        if go_backwards:
            m = m[::-1]
    rmasks = None if recurrent_masks is None else np.asarray(recurrent_masks, dtype=dtype)
    hs = np.empty((steps + 1, batch, u), dtype)  # the state before and after each step
    hs[0] = inits[0].value
    cs = None
    if kind == "lstm":
        cs = np.empty((steps + 1, batch, u), dtype)
        cs[0] = inits[1].value
    gates = np.empty(
        (steps, batch, _GATES[kind] * u), dtype
    )  # activated gates (GRU: z, r, candidate)
    extra = np.empty((steps, batch, u), dtype)  # LSTM: tanh(c); GRU: the reset's operand
    outs = np.empty((steps, batch, u), dtype) if m is not None else None
    out_prev = np.zeros((batch, u), dtype)
    rb_v = rb.value if rb is not None else None
    with _one_blas_thread():
        for t in range(steps):
            h = hs[t]
            if kind == "simple":
                h_new = act(x[t] + _rec(h, r, rmasks))
                gates[t] = h_new
            elif kind == "lstm":
                g = gates[t]
                if rmasks is None:
                    np.matmul(h, r, out=g)
                else:
                    g[...] = _rec(h, r, rmasks)
                g += x[t]
                ract_(g[:, : 2 * u])
                act_(g[:, 2 * u : 3 * u])
                ract_(g[:, 3 * u :])
                c_new = np.multiply(g[:, u : 2 * u], cs[t], out=cs[t + 1])
                c_new += g[:, :u] * g[:, 2 * u : 3 * u]
                tc = extra[t]
                np.copyto(tc, c_new)
                act_(tc)
                h_new = g[:, 3 * u :] * tc
            else:
                g = gates[t]
                if reset_after:
                    inner = _rec(h, r, rmasks)
                    if rb_v is not None:
                        inner += rb_v
                    g[:, : 2 * u] = ract(x[t][:, : 2 * u] + inner[:, : 2 * u])
                    extra[t] = inner[:, 2 * u :]
                    hh = act(x[t][:, 2 * u :] + g[:, u : 2 * u] * extra[t])
                else:
                    zr_masks = None if rmasks is None else rmasks[:2]
                    g[:, : 2 * u] = ract(x[t][:, : 2 * u] + _rec(h, r[:, : 2 * u], zr_masks))
                    hr = h * rmasks[2] if rmasks is not None else h
                    extra[t] = g[:, u : 2 * u] * hr
                    hh = act(x[t][:, 2 * u :] + extra[t] @ r[:, 2 * u :])
                g[:, 2 * u :] = hh
                zg = g[:, :u]
                h_new = zg * h + (1 - zg) * hh
            if m is None:
                hs[t + 1] = h_new
            else:
                mt = m[t]
                hs[t + 1] = mt * h_new + (1 - mt) * h
                if kind == "lstm":
                    cs[t + 1] = (
                        mt * c_new + (1 - mt) * cs[t]
                    )  # c_new is cs[t + 1]: read before written
                out_prev = outs[t] = mt * h_new + (
                    0 if zero_output_for_mask else (1 - mt) * out_prev
                )
    seq = hs[1:] if m is None else outs
    pieces = [np.moveaxis(seq, 0, 1) if sequences else seq[-1]]
    if states:
        pieces += [hs[-1]] + ([cs[-1]] if kind == "lstm" else [])
    sizes = [p.shape[1] if p.ndim == 3 else 1 for p in pieces]
    packed = (
        np.ascontiguousarray(pieces[0])
        if len(pieces) == 1
        else np.concatenate([p if p.ndim == 3 else p[:, None] for p in pieces], axis=1)
    )

    def backward(grad: np.ndarray) -> list[Any]:
        parts, start = [], 0
        for size, piece in zip(sizes, pieces):
            if len(pieces) == 1:
                parts.append(grad)
            else:
                parts.append(grad[:, start] if piece.ndim == 2 else grad[:, start : start + size])
            start += size
        g_seq = np.moveaxis(parts[0], 1, 0) if sequences else None
        gh = parts[1].astype(dtype) if states else np.zeros((batch, u), dtype)
        gc = (
            (parts[2].astype(dtype) if states else np.zeros((batch, u), dtype))
            if kind == "lstm"
            else None
        )
        gout = np.zeros((batch, u), dtype) if sequences else parts[0].astype(dtype)
        zero = np.zeros((batch, u), dtype)
        dx = np.empty((batch, steps, _GATES[kind] * u), dtype)  # in the inputs' order
        r_t = np.ascontiguousarray(r.T)
        dinner = np.empty_like(dx) if kind == "gru" and reset_after else None
        d_rh = np.zeros((u, u), dtype) if kind == "gru" and not reset_after else None
        with _one_blas_thread():
            for t in range(steps - 1, -1, -1):
                ti = steps - 1 - t if go_backwards else t  # the step's place in the inputs
                if not sequences:
                    go = gout
                elif (
                    m is None
                ):  # nothing is carried in the outputs: their gradient is the sequence's
                    go = g_seq[t]
                else:
                    go = gout + g_seq[t]
                h = hs[t]
                if m is None:
                    dh_new = go + gh
                    gh_direct = None
                    gout = zero
                else:
                    mt = m[t]
                    dh_new = mt * (go + gh)
                    gh_direct = (1 - mt) * gh
                    gout = np.zeros_like(go) if zero_output_for_mask else (1 - mt) * go
                g = gates[t]
                if kind == "simple":
                    dpre = dx[:, ti] = dh_new * dact(g)
                    gh = _rec_back(dpre, r, rmasks, r_t)
                elif kind == "lstm":
                    i, f, cc, o = g[:, :u], g[:, u : 2 * u], g[:, 2 * u : 3 * u], g[:, 3 * u :]
                    tc = extra[t]
                    dc = (gc if m is None else m[t] * gc) + dh_new * o * dact(tc)
                    d = dx[:, ti]
                    for block, a, b, slope in (
                        (d[:, :u], dc, cc, dract(i)),
                        (d[:, u : 2 * u], dc, cs[t], dract(f)),
                        (d[:, 2 * u : 3 * u], dc, i, dact(cc)),
                        (d[:, 3 * u :], dh_new, tc, dract(o)),
                    ):
                        np.multiply(a, b, out=block)
                        block *= slope
                    gc = dc * f if m is None else dc * f + (1 - m[t]) * gc
                    if t % 4 == 0:
                        _flush(gc)
                    gh = _rec_back(d, r, rmasks, r_t)
                else:
                    zg, rg, hh = g[:, :u], g[:, u : 2 * u], g[:, 2 * u :]
                    d = dx[:, ti]
                    dpre_h = d[:, 2 * u :] = dh_new * (1 - zg) * dact(hh)
                    d[:, :u] = dh_new * (h - hh) * dract(zg)
                    if reset_after:
                        d[:, u : 2 * u] = dpre_h * extra[t] * dract(rg)
                        di = dinner[:, ti]
                        di[:, : 2 * u] = d[:, : 2 * u]
                        di[:, 2 * u :] = dpre_h * rg
                        gh = _rec_back(di, r, rmasks, r_t) + dh_new * zg
                    else:
                        d_rh += extra[t].T @ dpre_h
                        d_hr = dpre_h @ r[:, 2 * u :].T  # gradient of r * h_dropped
                        hr = h * rmasks[2] if rmasks is not None else h
                        d[:, u : 2 * u] = d_hr * hr * dract(rg)
                        zr_masks = None if rmasks is None else rmasks[:2]
                        back = d_hr * rg if rmasks is None else d_hr * rg * rmasks[2]
                        gh = _rec_back(d[:, : 2 * u], r[:, : 2 * u], zr_masks) + back + dh_new * zg
                if gh_direct is not None:
                    gh = gh + gh_direct
                if t % 4 == 0:  # often enough: a flushed value stays zero
                    _flush(gh)
        grads: list[Any] = [None, None, None]
        if xz._req:
            grads[0] = dx
        fed = (
            hs[:-1][::-1] if go_backwards else hs[:-1]
        )  # the states fed to each step, in the inputs' order
        fed = np.moveaxis(fed, 0, 1)
        if rk._req:
            with _one_blas_thread():
                grads[1] = _kernel_grad(kind, reset_after, fed, dx, dinner, d_rh, rmasks, u)
        if rb is not None and rb._req:
            grads[2] = dinner.sum(axis=(0, 1))
        grads.append(gh)
        if kind == "lstm":
            grads.append(gc)
        return grads

    out = _op(packed, (xz, rk, rb, *inits), backward)
    if len(pieces) == 1:
        return [out]
    result, start = [], 0
    for size, piece in zip(sizes, pieces):
        result.append(_part(out, start, size, piece.ndim == 2))
        start += size
    return result


def _part(packed: Tensor, start: int, size: int, squeeze: bool) -> Tensor:
    """Slots ``start:start+size`` of a packed result's axis 1 (without that axis when ``squeeze``)."""
    value = packed.value[:, start] if squeeze else packed.value[:, start : start + size]

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        full = np.zeros_like(packed.value)
        if squeeze:
            full[:, start] = g
        else:
            full[:, start : start + size] = g
        return (full,)

    return _op(value, (packed,), backward)
