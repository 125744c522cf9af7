"""PlantUML for the diagrams that follow from the model, drawn as IHE draws them.

* A transaction's **interaction diagram** (IHE ITI TF-2, "Interaction Diagram"):
  :mod:`.sequence`, with what the transaction's ``diagram`` states (dividers, notes,
  fragments...).
* A profile's **actor diagram** (TF-1, "Actors and Transactions"): :mod:`.actor_diagram`.
* A use case's **process flow**: :mod:`.use_case_diagram`.

Every name and label comes from the model and is escaped (:mod:`.puml`); links are
relative to the page that shows the diagram (``site_paths.url_link``).
"""

from __future__ import annotations

from ..model import Framework
from .actor_diagram import profile_diagram
from .core import Diagram
from .sequence import transaction_diagram
from .use_case_diagram import use_case_diagram

__all__ = ["model_diagrams", "profile_diagram", "transaction_diagram", "use_case_diagram"]


def model_diagrams(fw: Framework) -> list[Diagram]:
    """Every transaction, profile and use-case diagram of ``fw``, in a deterministic order.

    Transactions by domain and number, then profiles by domain and chapter, each
    profile's actor diagram followed by its use cases in their order.
    """
    out: list[Diagram] = []
    for tx in sorted(fw.transactions.values(), key=lambda t: (t.domain, t.number, t.id)):
        out.append(transaction_diagram(fw, tx))
    for profile in sorted(fw.profiles.values(), key=lambda p: (p.domain, p.chapter, p.acronym)):
        out.append(profile_diagram(fw, profile))
        for use_case in profile.use_cases:
            if use_case.steps:
                out.append(use_case_diagram(fw, profile, use_case))
    return out
