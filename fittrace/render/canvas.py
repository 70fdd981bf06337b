"""A tiny drawing surface: boxes, lines, arrows and text, written out as SVG text or PNG bytes.

Diagrams that Graphviz does not lay out (the sequence diagram) are drawn here once and exported to both formats,
so the PNG needs no browser and no Graphviz: Pillow rasterises the same primitives. All text is escaped on the way
into SVG.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from html import escape
from typing import Any

FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
CHAR_W = 6.6  # average width of a 12 px sans-serif character, for layout


def text_width(text: str, size: float = 12) -> float:
    return len(text) * CHAR_W * size / 12


@dataclass
class Canvas:
    width: float
    height: float
    ops: list[tuple] = field(default_factory=list)

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        stroke: str = "#333",
        fill: str = "none",
        dash: bool = False,
        radius: float = 0,
    ) -> None:
        self.ops.append(("rect", x, y, w, h, stroke, fill, dash, radius))

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        stroke: str = "#333",
        dash: bool = False,
        width: float = 1.0,
    ) -> None:
        self.ops.append(("line", x1, y1, x2, y2, stroke, dash, width))

    def arrow(self, x1: float, y1: float, x2: float, y2: float, stroke: str = "#333") -> None:
        self.line(x1, y1, x2, y2, stroke)
        d = 1 if x2 >= x1 else -1
        self.ops.append(("poly", [(x2, y2), (x2 - 8 * d, y2 - 4), (x2 - 8 * d, y2 + 4)], stroke))

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float = 12,
        anchor: str = "start",
        color: str = "#111",
        bold: bool = False,
        halo: bool = False,
    ) -> None:
        """``halo``: a white outline under the glyphs, so text written across a line stays readable."""
        self.ops.append(("text", x, y, text, size, anchor, color, bold, halo))

    # --- SVG ------------------------------------------------------------------------------------------------------
    def to_svg(self, title: str = "") -> str:
        out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width:.0f}" height="{self.height:.0f}" '
            f'viewBox="0 0 {self.width:.0f} {self.height:.0f}" font-family="{FONT}" role="img">'
        ]
        if title:
            out.append(f"<title>{escape(title)}</title>")
        out.append(
            f'<rect x="0" y="0" width="{self.width:.0f}" height="{self.height:.0f}" fill="#ffffff"/>'
        )
        for op in self.ops:
            kind = op[0]
            if kind == "rect":
                _, x, y, w, h, stroke, fill, dash, radius = op
                out.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{radius}" '
                    f'fill="{fill}" stroke="{stroke}"'
                    + (' stroke-dasharray="4 3"' if dash else "")
                    + "/>"
                )
            elif kind == "line":
                _, x1, y1, x2, y2, stroke, dash, width = op
                out.append(
                    f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" '
                    f'stroke-width="{width}"' + (' stroke-dasharray="4 3"' if dash else "") + "/>"
                )
            elif kind == "poly":
                _, pts, color = op
                out.append(
                    f'<polygon points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in pts)}" fill="{color}"/>'
                )
            elif kind == "text":
                _, x, y, text, size, anchor, color, bold, halo = op
                out.append(
                    f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{color}"'
                    + (' font-weight="bold"' if bold else "")
                    + (
                        ' stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"'
                        if halo
                        else ""
                    )
                    + f">{escape(text)}</text>"
                )
        out.append("</svg>")
        return "\n".join(out)

    # --- PNG ------------------------------------------------------------------------------------------------------
    def to_png(self, scale: float = 1.0) -> bytes:
        from PIL import Image, ImageDraw, ImageFont

        img = Image.new("RGB", (int(self.width * scale) + 1, int(self.height * scale) + 1), "white")
        draw = ImageDraw.Draw(img)
        fonts: dict[tuple[float, bool], Any] = {}

        def font(size: float, bold: bool) -> Any:
            key = (size, bold)
            if key not in fonts:
                try:
                    fonts[key] = ImageFont.load_default(size=max(8, int(size * scale)))
                except TypeError:  # Pillow < 10.1: a fixed bitmap font
                    fonts[key] = ImageFont.load_default()
            return fonts[key]

        s = scale
        for op in self.ops:
            kind = op[0]
            if kind == "rect":
                _, x, y, w, h, stroke, fill, dash, radius = op
                draw.rectangle(
                    [x * s, y * s, (x + w) * s, (y + h) * s],
                    outline=stroke,
                    fill=None if fill == "none" else fill,
                )
            elif kind == "line":
                _, x1, y1, x2, y2, stroke, dash, width = op
                if dash:
                    _dashed(draw, x1 * s, y1 * s, x2 * s, y2 * s, stroke)
                else:
                    draw.line(
                        [x1 * s, y1 * s, x2 * s, y2 * s], fill=stroke, width=max(1, int(width * s))
                    )
            elif kind == "poly":
                _, pts, color = op
                draw.polygon([(a * s, b * s) for a, b in pts], fill=color)
            elif kind == "text":
                _, x, y, text, size, anchor, color, bold, halo = op
                text = text.translate(_ASCII)  # the bundled bitmap-safe font lacks these glyphs
                f = font(size, bold)
                w = draw.textlength(text, font=f)
                x0 = x * s - (w / 2 if anchor == "middle" else w if anchor == "end" else 0)
                draw.text(
                    (x0, y * s - size * s * 0.85),
                    text,
                    fill=color,
                    font=f,
                    stroke_width=2 if halo else 0,
                    stroke_fill="white",
                )
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        return buf.getvalue()


_ASCII = str.maketrans({"×": "x", "→": ">", "—": "-", "…": "...", "‖": "|"})


def _dashed(
    draw: Any, x1: float, y1: float, x2: float, y2: float, color: str, on: float = 4, off: float = 3
) -> None:
    length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
    if length == 0:
        return
    dx, dy = (x2 - x1) / length, (y2 - y1) / length
    pos = 0.0
    while pos < length:
        end = min(pos + on, length)
        draw.line([x1 + dx * pos, y1 + dy * pos, x1 + dx * end, y1 + dy * end], fill=color)
        pos += on + off
