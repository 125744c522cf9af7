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

__all__ = ["model_diagram", "model_diagrams", "profile_diagram", "transaction_diagram", "use_case_diagram"]


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


def model_diagram(fw: Framework, key: str) -> Diagram | None:
    """The one diagram of :func:`model_diagrams` with this ``key`` ("tx-ITI-18", "profile-XDS.b",
    "uc-XDS.b-referral-summary"), or None: a document that shows a few pages need not draw them all."""
    if key.startswith("tx-"):
        tx = fw.transactions.get(key[3:])
        return transaction_diagram(fw, tx) if tx is not None else None
    if key.startswith("profile-"):
        profile = fw.profiles.get(key[len("profile-"):])
        return profile_diagram(fw, profile) if profile is not None else None
    if key.startswith("uc-"):
        for profile in fw.profiles.values():  # acronyms may hold "-" (XDS-SD): match the whole prefix
            prefix = f"uc-{profile.acronym}-"
            if key.startswith(prefix):
                use_case = next((u for u in profile.use_cases if u.id == key[len(prefix):] and u.steps), None)
                if use_case is not None:
                    return use_case_diagram(fw, profile, use_case)
    return None
