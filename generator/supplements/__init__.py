"""Supplements: new work that adds to and amends the volumes, published apart until it is Final Text.

A supplement is data, a folder ``specs/<DOMAIN>/supplements/<id>/`` (:mod:`.model`):
``supplement.yaml`` (title, revision, status public-comment | trial-implementation
| final-text, date, editors, ``applies_to.revision``, introduction, open and closed
issues); new actors, transactions, profiles and content modules in ``actors/``,
``transactions/``, ``profiles/``, ``content/``, new terms and standards in
``glossary.yaml`` and ``standards.yaml``, all written with the framework's own
schemas; and ``amendments.yaml``, the changes to what exists, applied in order:
add-option, add-transaction, set-optionality (with an optional ``was`` check),
remove-transaction, add-actor, add-grouping, remove-grouping, add-role,
add-use-case, replace-narrative and append-narrative (on a profile's, a profile actor's, an
option's, a transaction's, an actor's or a content module's narrative fields).

Design, step by step:

* **Applying** (:mod:`.apply`) is a pure function ``apply(base, supplement) ->
  Applied``: a copy of the framework with the new entities built by the resolver
  that builds the volumes, and the amendments made. An amendment whose target does
  not exist, or that would change nothing (already incorporated), is a located
  error. Each change is recorded with a key (what it touches) and a value.
* **Checking** (:mod:`.check`): each open supplement is applied and the framework's
  own cross-reference checks run on the result; problems that were not there
  before are the supplement's. Two open supplements of a domain that give one key
  different values conflict (``supplement-conflict``); the same change twice is an
  overlap warning; two appends to one text compose. ``tfpub validate`` runs this.
* **The document** (:mod:`.document`): every volume page is rendered by the
  volumes' own views and templates from the base and from the amended framework.
  New pages become "add new chapter/section", changed numbered sections become
  "amend Section", shown by rendering the view values merged by :mod:`.diff`
  (narrative compared word by word, tables row by row with rows matched on their
  identifying cells) through the same template. Numbers are therefore the ones the
  volumes will have. Sections are demoted under the supplement's volume headings,
  their anchors made unique and their links pointed at the site's pages or, for
  new entities, at their place in the supplement.
* **The site** (:mod:`.site`): a page per open supplement with its status banner
  and comment links (``publishing.issue_tracker`` in domain.yaml), a print-ready
  HTML beside it, an index per domain, a Supplements navigation section, and a
  note on every chapter an open supplement changes. Final-text supplements are
  listed in the index only: their changes are in the volumes.
* **Print** (:mod:`.printing`): one self-contained HTML page; PDF from it with
  headless Chromium. Site PDFs are opt-in (``TFPUB_SUPPLEMENT_PDF=1``).
* **The framework as published** (:func:`.check.framework_with_supplements`): the
  base with every open supplement applied in turn, which is what IHE publishes
  (the volumes plus the Trial Implementation supplements). Whatever is compared
  with published facts is compared with this.
* **Incorporation** (:mod:`.incorporate`): the base YAML files are edited with
  ruamel.yaml round-trip (comments, key order, styles kept; a file that would not
  round-trip exactly is refused; a reviewer's comment between two amendments
  stays in amendments.yaml), new files copied in, the supplement marked
  final-text. Everything is checked first, including that the edited specs, in a
  scratch copy, define exactly the framework ``apply`` computed; then the files
  are replaced as one change, through a journal a rerun finishes or undoes
  (:mod:`.journal`).
"""

import importlib

# Eager: the module and the function share a name, and importing the module (as the checks do)
# would otherwise leave the package attribute naming the module, not the function.
from .apply import Applied, Change, apply

# Imported when first used (PEP 562), not with the package: ``tfpub validate`` needs only the
# checks, and importing the document, site and Office writers cost every run a tenth of a second.
_WHERE = {
    "check_all": ".check",
    "framework_with_supplements": ".check",
    "validate_supplements": ".check",
    "SupplementDocument": ".document",
    "build_document": ".document",
    "Amendment": ".model",
    "Supplement": ".model",
    "SupplementError": ".model",
    "load_supplement": ".model",
    "load_supplements": ".model",
}


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "Amendment",
    "Applied",
    "Change",
    "Supplement",
    "SupplementDocument",
    "SupplementError",
    "apply",
    "build_document",
    "check_all",
    "framework_with_supplements",
    "load_supplement",
    "load_supplements",
    "validate_supplements",
]
