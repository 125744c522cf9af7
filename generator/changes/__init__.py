"""Change proposals, revisions, and what changed between them.

* :mod:`.model`: a CP is one file ``specs/<DOMAIN>/change-proposals/CP-<DOMAIN>-NNNN.yaml``:
  number, title, submitter, status and its dated history, rationale, the volumes it
  changes, and its changes as amendments (the supplements' operations, plus message edits).
* :mod:`.apply`, :mod:`.check`: applied and checked with the supplements' own code
  (targets, ``was:``, the framework's checks on the result), conflicts with other open
  CPs and supplements, status steps checked against the CP's history and the revision log.
* :mod:`.revisions`: the revision log ``revisions.yaml`` and the snapshots of earlier revisions.
* :mod:`.document`: the CP document (editor instructions, change markup) computed as a
  supplement's is; its print page and Word file.
* :mod:`.fold`: ``tfpub revision fold``: every final-text CP into the base, all or nothing.
* :mod:`.history`: what changed on each volume page from one revision to the next.
* :mod:`.site`: the CP index and pages, the revision pages, "last changed" notes.
"""

from .check import validate_change_proposals

__all__ = ["validate_change_proposals"]
