"""The resolved model of a Technical Framework: typed, cross-linked, located.

Everything downstream (pages, diagrams, annexes) reads only these objects, never
the YAML, so that every output is derived from one checked source. Each object
keeps the :class:`~generator.problems.Loc` it came from, for error messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal

from ..problems import Loc
from .sequence import Sequence

Status = Literal["public-comment", "trial-implementation", "final-text", "deprecated", "retired"]
Optionality = Literal["R", "O", "C"]

STATUS_LABELS: dict[str, str] = {
    "public-comment": "Public Comment",
    "trial-implementation": "Trial Implementation",
    "final-text": "Final Text",
    "deprecated": "Deprecated",
    "retired": "Retired",
}
# Maturity order, used where a minimum status is required (annexes).
STATUS_RANK: dict[str, int] = {
    "retired": 0,
    "deprecated": 1,
    "public-comment": 2,
    "trial-implementation": 3,
    "final-text": 4,
}


PLACEHOLDER_BASE = 1_000_000  # placeholders sort after every real number


class Chapter(int):
    """A chapter not yet assigned: prints as "XX" (the IHE placeholder) and sorts after every real one.

    Only a Public Comment supplement may carry it (checked); everything that formats
    a chapter number prints "XX", everything that sorts by it keeps working."""

    def __new__(cls) -> "Chapter":
        return super().__new__(cls, PLACEHOLDER_BASE)

    def __str__(self) -> str:
        return "XX"

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return format("XX", spec)

    def __reduce__(self):
        return (Chapter, ())


def chapter_of(value) -> int:
    """A profile's ``chapter`` as written: a number, or the placeholder "XX"."""
    return Chapter() if value == "XX" else value


def is_placeholder_chapter(value) -> bool:
    return isinstance(value, Chapter)


def is_placeholder_id(tx_id: str) -> bool:
    return not tx_id.rsplit("-", 1)[-1].isdigit()


class Text(str):
    """Narrative text from a spec that knows where each of its characters stands in the file.

    Entities keep one :class:`Loc` each, but a problem inside a long narrative field
    (a diagram that fails on its 40th line) belongs at its own line of the spec.
    ``locate(offset)`` gives the Loc of character ``offset`` (``Document.text_loc``).
    Used for fields that hold a diagram fence; it compares, hashes and serialises as
    the plain string, and copies as itself (it is immutable).
    """

    locate: Callable[[int], Loc]

    @classmethod
    def at(cls, value: str, locate: Callable[[int], Loc]) -> "Text":
        text = cls(value)
        text.locate = locate
        return text

    def __copy__(self) -> "Text":
        return self

    def __deepcopy__(self, memo) -> "Text":
        return self

    def __reduce__(self):
        return (str, (str(self),))


@dataclass
class ProfileGroup:
    """A heading under which Volume 1 lists some of its profiles (``publishing.navigation.profile_groups``).

    ``profile_locs`` are where each acronym is written, to locate an unknown one."""

    title: str
    profiles: list[str]
    loc: Loc
    profile_locs: list[Loc] = field(default_factory=list)


@dataclass
class Domain:
    acronym: str
    title: str
    revision: str
    date: str
    status: Status
    loc: Loc
    description: str = ""
    copyright: str = ""
    publishing: dict = field(default_factory=dict)
    profile_groups: list[ProfileGroup] | None = None  # None: Volume 1 is grouped by profile type


@dataclass
class Actor:
    id: str
    name: str
    definition: str
    domain: str
    loc: Loc
    status: Status | None = None


@dataclass
class Role:
    actor: str
    role: Literal["initiator", "responder"]
    description: str
    loc: Loc


@dataclass
class Message:
    name: str
    type: Literal["request", "response"]
    loc: Loc
    trigger: str = ""
    semantics: str = ""
    expected_actions: str = ""


@dataclass
class Interaction:
    """One interaction of a transaction of several (ITI-108: search, create, read, update, delete).

    ``messages`` are indices into the transaction's ``messages``, which stay one list in
    order, so message numbers, anchors and diagrams are the same with or without interactions."""

    name: str
    loc: Loc
    description: str = ""
    messages: list[int] = field(default_factory=list)


@dataclass
class Transaction:
    id: str
    name: str
    scope: str
    domain: str
    loc: Loc
    roles: list[Role] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    standards: list[str] = field(default_factory=list)
    status: Status | None = None
    section: str = ""
    security: str = ""
    audit: str = ""
    interactions: list[Interaction] = field(default_factory=list)  # empty: one interaction, not named
    diagram: Sequence | None = None  # the interaction diagram as stated (model.sequence); None: drawn from the messages

    @property
    def number(self) -> int:
        """The number in the id; a placeholder (ITI-YY1) sorts after every assigned number."""
        tail = self.id.rsplit("-", 1)[1]
        if tail.isdigit():
            return int(tail)
        return PLACEHOLDER_BASE + int(tail[2:] or 0)

    @property
    def is_placeholder(self) -> bool:
        return is_placeholder_id(self.id)

    @property
    def label(self) -> str:
        """How IHE cites a transaction: 'Registry Stored Query [ITI-18]'."""
        return f"{self.name} [{self.id}]"

    def role_of(self, actor_id: str) -> Role | None:
        return next((r for r in self.roles if r.actor == actor_id), None)


@dataclass
class TransactionUse:
    transaction: str
    optionality: Optionality
    loc: Loc
    condition: str = ""
    note: str = ""
    reference: list[str] = field(default_factory=list)  # as published; empty: the transaction's Volume 2 section
    role: str = ""  # "initiator" | "responder": binds the actor to this role in this profile; "" = as the transaction says


@dataclass
class Requirement:
    """A row of the X.1 table for what an actor does without a transaction: creating content,
    recording audit events. Published as "R" with a reference, where an empty actor shows "–"."""

    text: str
    optionality: Optionality | Literal[""]  # "": the published cell is empty ("--"), printed "–"
    loc: Loc
    condition: str = ""
    reference: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class TableNote:
    """A note under a Volume 1 table that no row points to. ``numbered`` notes continue the
    row notes' numbers ("Note 3:"); an unnumbered one prints "Note:", as IHE publishes a lone note."""

    text: str
    loc: Loc
    numbered: bool = True


@dataclass
class Statement:
    """A section published as prose instead of its table ("There are no required groupings").
    ``table``: the table follows the statement instead of being replaced by it."""

    text: str
    loc: Loc
    table: bool = False
    after: bool = False  # printed after its table (MHDS: the list "below" Table 1:50.1-1); implies ``table``


@dataclass
class Exchange:
    """A real initiator -> responder exchange of a transaction within a profile (``exchanges``)."""

    transaction: str
    initiator: str
    responder: str
    loc: Loc


@dataclass
class ContentUse:
    module: str
    optionality: Optionality
    loc: Loc
    note: str = ""
    reference: list[str] = field(default_factory=list)  # as published; empty: the module's Volume 3 section


@dataclass
class AtLeastOneOf:
    transactions: list[str]
    options: list[str]
    loc: Loc
    note: str = ""
    placement: str = "rows"  # "table": a note under the table that no row points to, as IGs print it (MHD, PDQm)


@dataclass
class OptionClaim:
    option: str
    loc: Loc
    required: bool = False
    note: str = ""
    reference: list[str] = field(default_factory=list)  # this actor's row, where it differs from the option's


@dataclass
class ProfileActor:
    actor: str
    loc: Loc
    description: str = ""
    transactions: list[TransactionUse] = field(default_factory=list)
    content_modules: list[ContentUse] = field(default_factory=list)
    at_least_one_of: list[AtLeastOneOf] = field(default_factory=list)
    options: list[OptionClaim] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)
    # ``transactions: []`` written: the published row says "None" (an actor whose work comes from the
    # actors it is grouped with, or a content actor), stated rather than forgotten (no empty-actor)
    no_transactions: bool = False


@dataclass
class OptionEffect:
    """What an option adds to *another* actor: with the option, ``actor`` supports ``transaction``."""

    actor: str
    transaction: str
    optionality: Optionality
    loc: Loc


@dataclass
class Option:
    id: str
    name: str
    description: str
    loc: Loc
    transactions: list[str] = field(default_factory=list)
    requires: list[str] = field(default_factory=list)
    status: Status | None = None
    reference: list[str] = field(default_factory=list)  # as published; empty: its X.2.n section
    adds: list[OptionEffect] = field(default_factory=list)


@dataclass
class GroupingTarget:
    profile: str
    actor: str
    loc: Loc
    options: list[str] = field(default_factory=list)


@dataclass
class ExternalTarget:
    """An actor to be grouped with that this tree does not hold, cited as published (RAD SWF Order Placer, RAD TF-1: 2)."""

    domain: str
    profile: str  # "" where the actor is published without a profile ("PCC Content Consumer")
    actor: str  # its published name: there is no actor file to name it
    reference: str  # "" where the profile is cited by name only ("PCC QEDm"): the Reference cell prints domain and profile
    loc: Loc
    options: list[str] = field(default_factory=list)  # published option names ("Document Provenance")

    @property
    def citation(self) -> str:
        """The Reference cell as published: the TF citation, else the profile by name."""
        return self.reference or f"{self.domain} {self.profile}".strip()


@dataclass
class Grouping:
    actor: str
    targets: list[GroupingTarget]
    loc: Loc
    kind: Literal["required", "recommended", "optional"] = "required"  # optional: MAY (mXDE), printed "Optional"
    when_option: str = ""
    condition: str = ""
    content_bindings: str = ""
    note: str = ""
    reference: list[str] = field(default_factory=list)  # as published; empty: each grouped profile's chapter
    external: list[ExternalTarget] = field(default_factory=list)  # alternatives outside the tree, after ``targets``

    @property
    def is_alternative(self) -> bool:
        return len(self.targets) + len(self.external) > 1


@dataclass
class Step:
    from_actor: str
    text: str
    loc: Loc
    to_actor: str = ""
    transaction: str = ""


@dataclass
class UseCase:
    id: str
    title: str
    description: str
    loc: Loc
    steps: list[Step] = field(default_factory=list)
    diagram: Sequence | None = None  # the flow as stated (model.sequence; ``message: N`` is step N); None: the steps in order


@dataclass
class Profile:
    acronym: str
    name: str
    chapter: int
    type: Literal["workflow", "transport", "content"]
    status: Status
    summary: str
    domain: str
    loc: Loc
    actors: list[ProfileActor] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    groupings: list[Grouping] = field(default_factory=list)
    overview: str = ""
    use_cases: list[UseCase] = field(default_factory=list)
    security: str = ""
    cross_profile: str = ""
    # keyed by table: "actors_and_transactions", "actor_options", "required_groupings"
    table_notes: dict[str, list[TableNote]] = field(default_factory=dict)
    statements: dict[str, Statement] = field(default_factory=dict)
    exchanges: list[Exchange] = field(default_factory=list)  # empty: every bound initiator with every bound responder

    def actor(self, actor_id: str) -> ProfileActor | None:
        return next((a for a in self.actors if a.actor == actor_id), None)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    def groupings_of(self, actor_id: str) -> list[Grouping]:
        return [g for g in self.groupings if g.actor == actor_id]


@dataclass
class ContentSection:
    title: str
    body: str


@dataclass
class ContentModule:
    id: str
    name: str
    section: str
    summary: str
    domain: str
    loc: Loc
    status: Status | None = None
    format: str = ""
    template_id: str = ""
    standards: list[str] = field(default_factory=list)
    sections: list[ContentSection] = field(default_factory=list)


@dataclass
class GlossaryTerm:
    term: str
    definition: str
    domain: str
    loc: Loc
    synonyms: list[str] = field(default_factory=list)


@dataclass
class Standard:
    id: str
    title: str
    domain: str
    loc: Loc
    publisher: str = ""
    url: str = ""


@dataclass
class Framework:
    """The whole tree of specs: all domains, with every entity indexed by id."""

    domains: dict[str, Domain] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    transactions: dict[str, Transaction] = field(default_factory=dict)
    profiles: dict[str, Profile] = field(default_factory=dict)
    content_modules: dict[str, ContentModule] = field(default_factory=dict)
    glossary: list[GlossaryTerm] = field(default_factory=list)
    standards: dict[str, Standard] = field(default_factory=dict)

    def status_of(self, entity: Actor | Transaction | Profile | ContentModule) -> Status:
        """An entity without its own status has its domain's."""
        own = getattr(entity, "status", None)
        if own:
            return own
        domain = self.domains.get(entity.domain)  # a domain.yaml that failed its schema is not in the model
        return domain.status if domain is not None else "final-text"
