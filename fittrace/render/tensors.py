"""The tensors themselves, drawn: each snapshot of a trace as a picture with its colour scale and range.

``tensor_figures(trace) -> list[TensorFigure]`` is a pure function of the trace (``[]`` when it holds no
snapshots). Each figure's ``html`` is one self-contained ``<figure>`` (template ``tensor_figure.html.j2``): the
picture as PNG ``data:`` URIs scaled up without smoothing, its legend with the range in numbers, and a caption in
plain words that says any reshape (784 features drawn as 28 x 28) and any cut (the first 20 of 512 units).

* input rows that are images as images (a flat row whose length is a square, or rows of height x width
  [x channels]); other inputs as a grid of rows by features;
* a Dense kernel on image inputs as one tile per unit, its weights drawn as the input image (what the unit
  responds to); the gradient and the update the same way; a convolution's kernel as one tile per filter;
* a layer's output for one sample as a strip of colour; a softmax output as bars with the true label marked;
  a feature map as one tile per channel.

Weights, gradients and updates use a diverging scale centred on 0 (blue below, white at 0, red above); inputs
and activations a sequential one (grey for image inputs). One scale per picture, the snapshot's whole range.
The PNGs are made with Pillow, imported on first use.

    >>> from fittrace.tracing.document import Trace
    >>> tensor_figures(Trace({}, []))
    []
"""

from __future__ import annotations

import base64
import functools
import io
import math
import re
from dataclasses import dataclass
from typing import Any

import jinja2
import numpy as np
from markupsafe import Markup

from fittrace.analysis.real_runs import ran_on
from fittrace.analysis.tensors import Snapshot, pick, recorded, snapshots
from fittrace.analysis.values import number_text
from fittrace.render.templating import environment, template_dirs
from fittrace.tracing.document import Trace

# Colour anchors (RGB) spread evenly over the scale.
DIVERGING = np.array(
    [[33, 102, 172], [103, 169, 207], [247, 247, 247], [239, 138, 98], [178, 24, 43]], float
)
SEQUENTIAL = np.array(
    [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], float
)
GREY = np.array([[0, 0, 0], [255, 255, 255]], float)
GAP = (128, 128, 128)  # between tiles

#: About how wide (CSS pixels) a picture is drawn: readable on a 1280 x 720 projector beside its text.
TARGET_WIDTH = 520
#: Units per row of a layer output's strip.
STRIP_WIDTH = 64


@dataclass(frozen=True, slots=True)
class TensorFigure:
    """One picture of a snapshot: ``key`` (``"kernel:epoch_end:3"``...), ``title``, ``caption`` (plain words),
    ``html`` (one ``<figure>``), and where in the run it was taken."""

    key: str
    title: str
    caption: str
    html: Markup
    epoch: int | None
    step: int | None
    moment: str
    layer: str | None


# --- colours and PNGs ------------------------------------------------------------------------------------------
def colours(t: np.ndarray, anchors: np.ndarray) -> np.ndarray:
    """``t`` in [0, 1] as RGB (uint8, one more axis), interpolated between the anchors."""
    t = np.clip(np.nan_to_num(np.asarray(t, float), nan=0.0), 0.0, 1.0)
    t = np.rint(t * 254) / 254  # 255 colours at most, and the gap's grey: one PNG palette
    pos = np.linspace(0.0, 1.0, len(anchors))
    rgb = np.stack([np.interp(t, pos, anchors[:, c]) for c in range(3)], axis=-1)
    return np.rint(rgb).astype(np.uint8)


@dataclass(frozen=True, slots=True)
class Scale:
    """A colour scale: values from ``low`` to ``high`` (``diverging``: centred on 0, ``low == -high``)."""

    low: float
    high: float
    anchors: np.ndarray
    diverging: bool

    def rgb(self, values: np.ndarray) -> np.ndarray:
        span = self.high - self.low
        t = (
            (np.asarray(values, float) - self.low) / span
            if span > 0
            else np.full(np.shape(values), 0.5)
        )
        return colours(t, self.anchors)


def scale_for(s: Snapshot, image: bool = False) -> Scale:
    if s.role in ("kernel", "gradient", "update"):
        m = max(abs(s.low), abs(s.high)) or 1.0
        return Scale(-m, m, DIVERGING, True)
    return Scale(s.low, s.high, GREY if image else SEQUENTIAL, False)


def png_uri(rgb: np.ndarray) -> str:
    """An RGB array (height, width, 3) as a PNG ``data:`` URI."""
    from PIL import Image

    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    palette, index = np.unique(rgb.reshape(-1, 3), axis=0, return_inverse=True)
    if (
        len(palette) <= 256
    ):  # a snapshot has 256 levels: a paletted PNG, exact and a third of the size
        image = Image.fromarray(index.reshape(rgb.shape[:2]).astype(np.uint8), "P")
        image.putpalette(palette.astype(np.uint8).reshape(-1).tolist())
    else:
        image = Image.fromarray(rgb, "RGB")
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def mosaic(tiles: list[np.ndarray], columns: int) -> np.ndarray:
    """RGB tiles of one size laid out in rows of ``columns``, one grey pixel between them."""
    h, w = tiles[0].shape[:2]
    rows = -(-len(tiles) // columns)
    out = np.empty((rows * (h + 1) - 1, columns * (w + 1) - 1, 3), np.uint8)
    out[:] = GAP
    for i, tile in enumerate(tiles):
        r, c = divmod(i, columns)
        out[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = tile
    return out


def _picture(
    rgb: np.ndarray, alt: str, label: Any = None, width: int = TARGET_WIDTH
) -> dict[str, Any]:
    h, w = rgb.shape[:2]
    zoom = max(1, min(16, round(width / max(w, 1))))
    return {"uri": png_uri(rgb), "width": w * zoom, "height": h * zoom, "alt": alt, "label": label}


def _legend(scale: Scale) -> dict[str, Any]:
    strip = scale.rgb(np.linspace(scale.low, scale.high, 128))[None, :, :]
    return {
        "uri": png_uri(strip),
        "low": _n(scale.low),
        "high": _n(scale.high),
        "middle": "0" if scale.diverging else None,
        "words": "blue below 0, white at 0, red above" if scale.diverging else None,
    }


def _n(v: float) -> str:
    return f"{v:.3g}" if v == 0 or 1e-3 <= abs(v) < 1e4 else f"{v:.2e}"


def _label_text(v: Any) -> str:
    """A label as a person reads it: a class number as is, a regression target to three digits (a float label
    written in full was a run of 17-digit numbers across the caption)."""
    if isinstance(v, list):
        return "(" + ", ".join(_label_text(x) for x in v) + ")"
    return number_text(v, 3) if isinstance(v, (int, float)) else str(v)


# --- shapes --------------------------------------------------------------------------------------------------------
def image_shape(features: int) -> tuple[int, ...] | None:
    """How a flat row of ``features`` values is drawn as an image: a square, or a square of 3 channels."""
    for channels in (1, 3):
        side = math.isqrt(features // channels) if features % channels == 0 else 0
        if side >= 4 and side * side * channels == features:
            return (side, side) if channels == 1 else (side, side, 3)
    return None


def _shape_words(shape: tuple[int, ...]) -> str:
    return " x ".join(str(d) for d in shape)


def _to_rgb_image(values: np.ndarray, scale: Scale) -> np.ndarray:
    """One image: (h, w) through the scale, or (h, w, 3) as its own colours over the scale's range."""
    if values.ndim == 3 and values.shape[-1] == 3:
        span = scale.high - scale.low
        t = (values - scale.low) / span if span > 0 else np.zeros_like(values)
        return np.rint(np.clip(t, 0, 1) * 255).astype(np.uint8)
    if values.ndim == 3:
        values = values[..., 0]
    return scale.rgb(values)


def _sampled(s: Snapshot) -> str:
    return f" Kept: {s.sampled}." if s.sampled else ""


# --- one figure per kind -------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=4)
def _template(dirs: tuple[str, ...]) -> jinja2.Template:
    """The figure's template, loaded once per set of template folders (an override folder applies here too)."""
    return environment().get_template("tensor_figure.html.j2")


def _figure_template() -> jinja2.Template:
    return _template(tuple(template_dirs()))


def _figure(key: str, title: str, caption: str, s: Snapshot, **view: Any) -> TensorFigure:
    view.setdefault("pictures", [])
    view.setdefault("bars", None)
    view.setdefault("legend", None)
    html = _figure_template().render(
        key=key,
        anchor="tensor-" + re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-"),
        title=title,
        caption=caption,
        **view,
    )
    return TensorFigure(key, title, caption, Markup(html), s.epoch, s.step, s.moment, s.layer)


def _input_figure(s: Snapshot) -> TensorFigure:
    rows = s.values
    per_row = rows.shape[1:]
    reshape = ""
    shape = per_row if len(per_row) >= 2 else image_shape(per_row[0]) if per_row else None
    if len(per_row) == 1 and shape is not None:
        reshape = f" Each row's {per_row[0]} features are drawn as {_shape_words(shape)} pixels."
    labels = list(s.labels) if s.labels else [None] * len(rows)
    said = f" with their labels ({', '.join(_label_text(v) for v in labels)})" if s.labels else ""
    title = f"The input: {len(rows)} rows of the first batch"
    if shape is not None and len(shape) in (2, 3):
        scale = scale_for(s, image=True)
        pictures = [
            _picture(
                _to_rgb_image(row.reshape(shape), scale),
                f"input row {i}",
                labels[i] if i < len(labels) else None,
                width=96,
            )
            for i, row in enumerate(rows)
        ]
        caption = (
            f"{len(rows)} rows of the first batch{said}, as fit gave them to the model (shape "
            f"{_shape_words(s.shape)}, {s.dtype}).{reshape}{_sampled(s)} Grey from {_n(scale.low)} (black) "
            f"to {_n(scale.high)} (white)."
        )
    else:
        scale = scale_for(s)
        grid = rows.reshape(len(rows), -1)
        pictures = [_picture(scale.rgb(grid), "input rows by features")]
        caption = (
            f"{len(rows)} rows of the first batch{said}: one line per row, one cell per feature (shape "
            f"{_shape_words(s.shape)}, {s.dtype}).{_sampled(s)}"
        )
    return _figure("input", title, caption, s, pictures=pictures, legend=_legend(scale))


_WEIGHT_WORDS = {
    "kernel": "the weights",
    "gradient": "the gradient of the loss with respect to the weights",
    "update": "the change the optimizer made to the weights",
}


_TILE_MEANING = {
    "kernel": "which pixels push that unit up (red) or down (blue)",
    "gradient": "where raising a weight would raise the loss (red) or lower it (blue); the optimizer moves "
    "each weight against it",
    "update": "where this step raised a weight (red) or lowered it (blue)",
}


def _weight_figure(key: str, s: Snapshot, input_image: tuple[int, ...] | None) -> TensorFigure:
    v = s.values
    scale = scale_for(s)
    when = {
        "first_step": "at the first step" + (" (before the update)" if s.role == "kernel" else ""),
        "epoch_end": f"at the end of epoch {s.epoch}",
        "last_step": "at the last step",
    }.get(s.moment, s.moment)
    name = s.variable or s.layer or "a weight"
    title = f"{s.role.capitalize()} of {name} {when}"
    what = _WEIGHT_WORDS.get(s.role, s.role)
    tile_shape = image_shape(v.shape[0]) if v.ndim == 2 else None
    if v.ndim == 2 and input_image is not None and math.prod(input_image) == v.shape[0]:
        tile_shape = input_image
    if v.ndim == 2 and tile_shape is not None and len(tile_shape) == 2:
        tiles = [scale.rgb(v[:, u].reshape(tile_shape)) for u in range(v.shape[1])]
        columns = min(len(tiles), 10)
        pictures = [_picture(mosaic(tiles, columns), f"{s.role} of {name}, one tile per unit")]
        caption = (
            f"{what.capitalize()} of {name} ({_shape_words(s.shape)}), {when}: one tile per unit, its "
            f"{v.shape[0]} input weights drawn as the {_shape_words(tile_shape)} input image, so a tile shows "
            f"{_TILE_MEANING.get(s.role, _TILE_MEANING['kernel'])}.{_sampled(s)}"
        )
    elif v.ndim == 4:
        kh, kw, cin, cout = v.shape
        tiles = [scale.rgb(v[:, :, c, f]) for c in range(cin) for f in range(cout)]
        pictures = [_picture(mosaic(tiles, cout), f"{s.role} of {name}, one tile per filter")]
        caption = (
            f"{what.capitalize()} of {name} ({_shape_words(s.shape)}), {when}: one {kh} x {kw} tile per "
            f"filter, across; {'one row per input channel' if cin > 1 else 'one input channel'}.{_sampled(s)}"
        )
    else:
        grid = v.reshape(v.shape[0], -1) if v.ndim >= 2 else v.reshape(1, -1)
        pictures = [_picture(scale.rgb(grid), f"{s.role} of {name} as a grid")]
        caption = (
            f"{what.capitalize()} of {name} ({_shape_words(s.shape)}), {when}: one line per input, one "
            f"column per unit.{_sampled(s)}"
        )
    return _figure(key, title, caption, s, pictures=pictures, legend=_legend(scale))


def _is_softmax(s: Snapshot) -> bool:
    return s.values.ndim == 1 and s.activation == "softmax"


def _output_figure(key: str, s: Snapshot) -> TensorFigure:
    v = s.values
    layer = s.layer or "a layer"
    when = (
        "at the first step" if s.moment == "first_step" else f"at the last step of epoch {s.epoch}"
    )
    cls = f" ({s.layer_class})" if s.layer_class else ""
    true = f", whose true label is {s.label}" if isinstance(s.label, int) else ""
    if _is_softmax(s):
        label = s.label if isinstance(s.label, int) else None
        bars = [
            {
                "x": 30 + i * 36,
                "height": round(max(0.0, min(1.0, float(p))) * 150, 1),
                "p": _n(float(p)),
                "cls": i,
                "true": i == label,
            }
            for i, p in enumerate(v)
        ]
        guess = int(np.argmax(v))
        title = f"Softmax output of {layer} {when}"
        caption = (
            f"What {layer}{cls} gave the batch's first sample{true} {when}: one bar per class, the "
            f"probability it gives that class (0 to 1). The model's guess is class {guess}"
            + ("; the true label's bar is outlined and marked." if label is not None else ".")
        )
        return _figure(key, title, caption, s, bars={"bars": bars, "width": 40 + 36 * len(v)})
    scale = scale_for(s)
    if s.role == "feature_map" and v.ndim == 3:
        tiles = [scale.rgb(v[:, :, c]) for c in range(v.shape[2])]
        columns = min(len(tiles), 8)
        pictures = [
            _picture(mosaic(tiles, columns), f"feature maps of {layer}, one tile per channel")
        ]
        title = f"Feature maps of {layer} {when}"
        caption = (
            f"The output of {layer}{cls} for the batch's first sample{true} {when} "
            f"({_shape_words(s.shape)}): one {v.shape[0]} x {v.shape[1]} tile per channel.{_sampled(s)}"
        )
    else:
        flat = v.reshape(-1)
        width = min(STRIP_WIDTH, len(flat)) or 1
        rows = -(-len(flat) // width)
        padded = np.full(rows * width, np.nan)
        padded[: len(flat)] = flat
        rgb = scale.rgb(np.nan_to_num(padded, nan=scale.low).reshape(rows, width))
        rgb.reshape(-1, 3)[len(flat) :] = GAP
        pictures = [_picture(rgb, f"output of {layer} as a strip")]
        title = f"Output of {layer} {when}"
        wrapped = f", {width} per row" if rows > 1 else ""
        caption = (
            f"The output of {layer}{cls} for the batch's first sample{true} {when}: one cell per value "
            f"({len(flat)} values{wrapped}).{_sampled(s)}"
        )
    return _figure(key, title, caption, s, pictures=pictures, legend=_legend(scale))


# --- the whole set -------------------------------------------------------------------------------------------------
def _input_image(found: list[Snapshot]) -> tuple[int, ...] | None:
    """The image shape of one input row, if the input rows are images."""
    for s in pick(found, role="input"):
        per_row = s.shape[1:]
        if len(per_row) == 1:
            return image_shape(per_row[0])
        if len(per_row) in (2, 3):
            return tuple(per_row[:2])
    return None


def _outputs(found: list[Snapshot], moment: str) -> list[TensorFigure]:
    chosen: dict[str, Snapshot] = {}
    for s in pick(found, role=("layer_output", "feature_map"), moment=moment):
        if (
            moment == "last_step" or s.layer not in chosen
        ):  # the fit's last step: the latest epoch's
            chosen.pop(s.layer or "", None)
            chosen[s.layer or ""] = s
    figures = []
    for s in chosen.values():
        if _is_softmax(s):
            key = f"softmax:{moment}"
        else:
            key = f"{s.role}:{moment}:{s.layer}"
        if all(f.key != key for f in figures):
            figures.append(_output_figure(key, s))
    return figures


def tensor_figures(trace: Trace) -> list[TensorFigure]:
    """Every snapshot of ``trace`` worth a picture, in the order a lesson tells them: the input, the first
    step's layer outputs, the first weight with its gradient and update, the weights epoch by epoch, the last
    step's layer outputs. Keys are unique; ``[]`` for a trace without snapshots."""
    found = snapshots(trace)
    if not found:
        return []
    figures: list[TensorFigure] = []
    inputs = pick(found, role="input")
    if inputs:
        figures.append(_input_figure(inputs[0]))
    figures.extend(_outputs(found, "first_step"))
    input_image = _input_image(found)
    weights = pick(found, role=("kernel", "gradient", "update"))
    first_variable = weights[0].variable if weights else None
    seen: set[str] = set()
    for s in weights:
        own = "" if s.variable == first_variable else f":{s.variable}"
        key = f"{s.role}:{s.moment}" + (f":{s.epoch}" if s.moment == "epoch_end" else "") + own
        if key not in seen:
            seen.add(key)
            figures.append(_weight_figure(key, s, input_image))
    figures.extend(_outputs(found, "last_step"))
    return figures


#: The report's groups of figures, by the start of their keys.
_GROUPS = (
    ("What went in", ("input",)),
    (
        "Each layer's output at the first step",
        ("layer_output:first_step", "feature_map:first_step", "softmax:first_step"),
    ),
    (
        "The first weights, their gradient and their update at the first step",
        ("kernel:first_step", "gradient:first_step", "update:first_step"),
    ),
    ("The weights at the end of each epoch", ("kernel:epoch_end",)),
    (
        "Each layer's output at the last step",
        ("layer_output:last_step", "feature_map:last_step", "softmax:last_step"),
    ),
)


def tensor_section(trace: Trace) -> dict[str, Any]:
    """What the report's "The tensors themselves" section shows: the figures in groups, the trace's snapshot
    facts, and, when there are none, why (``absent``)."""
    figures = tensor_figures(trace)
    facts = recorded(trace)
    groups = []
    for title, starts in _GROUPS:
        members = [f for f in figures if f.key.startswith(starts)]
        if members:
            groups.append({"title": title, "figures": members})
    taken = {id(f) for g in groups for f in g["figures"]}
    rest = [f for f in figures if id(f) not in taken]
    if rest:
        groups.append({"title": "Other snapshots", "figures": rest})
    ran = ran_on(trace)
    if ran.real:
        absent = (
            f"No tensor snapshots: fittrace records them in its own engine only, not yet in a run of "
            f"{ran.label}."
        )
    elif facts.get("mode", "off") == "off":
        absent = (
            "No tensor snapshots were recorded in this trace. Trace with "
            'fittrace.trace(path, snapshots="default") (the default, except at detail="summary") '
            "to keep a few input rows, each layer's output and the first layer's weights as pictures."
        )
    else:
        absent = "Snapshots were on, but no fit step ran, so none was recorded."
    facts = {"kept": 0, "bytes": 0, "dropped": 0, "budget_bytes": 0, **facts}
    return {
        "figures": figures,
        "groups": groups,
        "facts": facts,
        "size": _kilobytes(facts["bytes"]),
        "budget": _kilobytes(facts["budget_bytes"]),
        "absent": absent,
    }


def _kilobytes(n: Any) -> str:
    n = int(n or 0)
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} KB"
