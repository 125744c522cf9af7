"""How large a diagram is drawn in a page: fitted to its column, never smaller than legible.

A PlantUML picture has a natural size (its ``viewBox``, in CSS pixels, at which its
text is PlantUML's 12–14 px). In a page it is scaled down to the width of its column,
never up, and never below the width at which its smallest text is ``MIN_TEXT_PX``
(``MIN_PRINT_PX`` on paper): a picture that cannot fit at that size keeps it and
scrolls inside its own frame, so the page itself never scrolls sideways, and the
"full size" link opens the picture alone. These sizes are computed here, from the
SVG, and handed to the stylesheet (``generator/assets/tfpub.css``) as custom
properties on the frame; the stylesheet does the scaling, so one page serves every
screen width.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
MIN_TEXT_PX = 9.0  # on screen: the smallest diagram text, in CSS pixels (body text is 16 px)
MIN_PRINT_PX = 8.0  # on paper: 6 pt (body text is 10 pt)
_NUMBER_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*$")


@dataclass(frozen=True)
class Size:
    width: float  # natural width, CSS px
    height: float
    min_font: float  # smallest font size of its text, px (0: no text)

    def min_width(self, min_text: float = MIN_TEXT_PX) -> float:
        """The narrowest the picture may be drawn with its smallest text at least ``min_text``."""
        if self.min_font <= 0 or self.min_font <= min_text:
            return self.width
        return self.width * min_text / self.min_font

    def style(self) -> str:
        """The frame's custom properties: natural width and the narrowest legible width, on screen and in print."""
        return (
            f"--tfpub-diagram-width:{_px(self.width)};"
            f"--tfpub-diagram-min:{_px(self.min_width(MIN_TEXT_PX))};"
            f"--tfpub-diagram-print-min:{_px(self.min_width(MIN_PRINT_PX))}"
        )


def _px(value: float) -> str:
    return f"{round(value, 1):g}px"


def size_of(root: etree._Element) -> Size | None:
    """The natural size of a parsed SVG (its viewBox, else its width and height), and its smallest text."""
    box = root.attrib.get("viewBox", "").replace(",", " ").split()
    try:
        width, height = (float(box[2]), float(box[3])) if len(box) == 4 else (_number(root.attrib.get("width")), _number(root.attrib.get("height")))
    except (TypeError, ValueError):
        return None
    if not width or not height or width <= 0 or height <= 0:
        return None
    fonts = [f for f in (_number(el.attrib.get("font-size")) for el in root.iter(f"{{{SVG_NS}}}text")) if f]
    return Size(width, height, min(fonts) if fonts else 0.0)


def _number(value: str | None) -> float | None:
    m = _NUMBER_RE.match(value or "")
    return float(m.group(1)) if m else None
