"""Procurement (RFP) requirement annexes and IHE Integration Statements, from the model.

* :mod:`.selection` reads annexes and statements (YAML, command line, JSON) and
  checks what they select against the model;
* :mod:`.expand` expands a selection into requirements, to a fixed point;
* :mod:`.render` and :mod:`.office` write them (Markdown, HTML, CSV, JSON, Word, Excel);
* :mod:`.statement` renders integration statements and checks them against annexes;
* :mod:`.site` gives the publisher the annex pages, downloads and the builder page;
* :mod:`.cli` holds the ``tfpub annex`` and ``tfpub statement`` commands.
"""

from .expand import Expansion, Requirement, expand
from .selection import Annex, AnnexError, Selected, Statement
from .site import annex_site_files, validate_annexes

__all__ = [
    "Annex",
    "AnnexError",
    "Expansion",
    "Requirement",
    "Selected",
    "Statement",
    "annex_site_files",
    "expand",
    "validate_annexes",
]
