"""Procurement (RFP) requirement annexes and IHE Integration Statements, from the model.

* :mod:`.selection` reads annexes and statements (YAML, command line, JSON) and
  checks what they select against the model;
* :mod:`.expand` expands a selection into requirements, to a fixed point;
* :mod:`.render` and :mod:`.office` write them (Markdown, HTML, CSV, JSON, Word, Excel);
* :mod:`.statement` renders integration statements and checks them against annexes;
* :mod:`.site` gives the publisher the annex pages, downloads and the builder page;
* :mod:`.cli` holds the ``tfpub annex`` and ``tfpub statement`` commands.
"""

import importlib

# Eager: the module and the function share a name, and importing the module (as the checks do)
# would otherwise leave the package attribute naming the module, not the function.
from .expand import Expansion, Requirement, expand

# Imported when first used (PEP 562), not with the package: ``tfpub validate`` needs only the
# checks, and importing the document, site and Office writers cost every run a tenth of a second.
_WHERE = {
    "Annex": ".selection",
    "AnnexError": ".selection",
    "Selected": ".selection",
    "Statement": ".selection",
    "annex_site_files": ".site",
    "validate_annexes": ".site",
}


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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
