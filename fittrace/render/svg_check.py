"""Whether a diagram's SVG may be inlined in a page: its elements and attributes are checked, not its text.

The names a user chose (a layer, a callback class, a metric) reach a diagram as escaped text, so
``x" onerror="alert(1)`` or ``<script>`` in a name is harmless there and must not stop a report. What could run or
fetch is markup: a ``<script>`` or ``<foreignObject>`` element, an ``on*`` attribute, a link to another document
or to ``javascript:``, an animation that rewrites a link. :func:`checked_svg` reads the SVG the way the page will
(``html.parser``, since the SVG is inlined into HTML, entities decoded) and refuses those.

>>> checked_svg('<svg><text>x&quot; onerror=&quot;alert(1)</text></svg>')
'<svg><text>x&quot; onerror=&quot;alert(1)</text></svg>'
>>> checked_svg('<svg onload="alert(1)"></svg>')
Traceback (most recent call last):
...
fittrace.render.svg_check.UnsafeSvgError: the SVG has an event handler (onload on <svg>)
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: Elements that run code, embed another document, or change how the rest of the page is read.
_ACTIVE = frozenset(
    {
        "script",
        "foreignobject",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "handler",
        "listener",
        "base",
        "meta",
        "link",
        "form",
        "noscript",
    }
)
_ANIMATIONS = frozenset({"animate", "set", "animatemotion", "animatetransform", "discard"})
_URL_ATTRIBUTES = frozenset({"src", "action", "formaction", "data", "ping", "background"})
# a link may point inside the page, or be a picture carried in the link itself
_LOCAL_LINK = re.compile(r"(#.*|data:image/(png|jpeg|gif|webp)[;,].*)?", re.DOTALL)
_URL_CALL = re.compile(r"url\(\s*['\"]?([^)'\"]*)", re.IGNORECASE)
_INVISIBLE = re.compile(
    r"[\x00-\x20\x7f]+"
)  # browsers drop these from a link before reading its scheme
_PREAMBLE = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", re.DOTALL | re.IGNORECASE)


class UnsafeSvgError(ValueError):
    """An SVG holds markup that could run code or fetch something; the message names the element or attribute."""


def checked_svg(svg: str) -> str:
    """``svg`` without its XML declaration, doctype and comments, after checking every element and attribute.

    Raises :class:`UnsafeSvgError` for a script-like element, an event handler, a link that is not inside the page,
    a ``url(...)`` to another document, or markup the page's parser could read differently (a CDATA section, a
    processing instruction, a tag left open at the end)."""
    text = _PREAMBLE.sub("", svg).strip()
    reader = _Reader()
    reader.feed(text)
    if (
        reader.rawdata.strip()
    ):  # html.parser keeps back what it cannot finish: a tag open at the end
        reader.refuse(f"the SVG ends inside a tag ({reader.rawdata.strip()[:40]!r})")
    reader.close()
    return text


class _Reader(HTMLParser):
    # Read script and style contents as markup too: inside an inline <svg> the browser does, so a tag hidden
    # there is a tag.
    CDATA_CONTENT_ELEMENTS = ()

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_style = 0

    def refuse(self, why: str) -> None:
        raise UnsafeSvgError(why)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _ACTIVE:
            self.refuse(f"the SVG has a <{tag}> element")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.refuse(f"the SVG has an event handler ({name} on <{tag}>)")
            if (name.endswith("href") or name in _URL_ATTRIBUTES) and not _local(value):
                self.refuse(f"the SVG links outside the page ({name}={value[:60]!r} on <{tag}>)")
            if tag in _ANIMATIONS and name == "attributename":
                target = value.strip().lower()
                if target.endswith("href") or target.startswith("on"):
                    self.refuse(f"the SVG animates a link or a handler (<{tag} {name}={value!r}>)")
            self.check_urls(value, f"{name} on <{tag}>")
        if tag == "style":
            self.in_style += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "style":
            self.in_style -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "style" and self.in_style:
            self.in_style -= 1

    def handle_data(self, data: str) -> None:
        if self.in_style:
            if "@import" in data.lower():
                self.refuse("the SVG's style imports another style sheet")
            self.check_urls(data, "the SVG's <style>")

    def check_urls(self, text: str, where: str) -> None:
        for target in _URL_CALL.findall(text):
            if not _local(target):
                self.refuse(f"the SVG refers outside the page (url({target[:60]}) in {where})")

    def handle_comment(self, data: str) -> None:
        self.refuse(
            "the SVG has a comment the page would read differently (an unclosed or odd one)"
        )

    def handle_decl(self, decl: str) -> None:
        self.refuse(f"the SVG has a declaration (<!{decl[:40]}>)")

    def unknown_decl(self, data: str) -> None:
        self.refuse(f"the SVG has a marked section (<![{data[:40]}]]>)")

    def handle_pi(self, data: str) -> None:
        self.refuse(f"the SVG has a processing instruction (<?{data[:40]}>)")


def _local(link: str) -> bool:
    return _LOCAL_LINK.fullmatch(_INVISIBLE.sub("", link).lower()) is not None
