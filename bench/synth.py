"""A seeded generator of synthetic Technical Frameworks that look like IHE's.

``write_framework(size, dest, seed)`` writes a specs tree (``dest/<DOMAIN>/...``)
that passes ``tfpub validate`` with no problems at all. The same size and seed
always give the same bytes.

What it models, because that is what makes real frameworks slow or large:

* several domains; the first holds the infrastructure profiles (a Consistent
  Time-like ``CT`` and an ATNA-like ``ATNA``) that every other profile's actors
  are grouped with, across domains, as Secure Node *or* Secure Application;
* profiles with 2 to 8 actors, transactions with 1 to 4 messages and one or two
  initiators and responders, transactions and actors shared between profiles
  (now and then across domains, as RAD profiles use ITI transactions);
* R, O and C optionality, options (some adding a transaction, some requiring
  another option, some required), "at least one of" sets of transactions and of
  options, required and recommended groupings to earlier profiles (with
  ``when_option`` or a condition in words), so that the grouping graph is as deep
  as IHE's but acyclic;
* content profiles with content modules, use cases with steps, glossary terms,
  standards, and narrative that cites ``[[ITI-18]]``, ``[[actor:...]]``,
  ``[[profile:...]]``, ``[[option:.../...]]``, ``[[content:...]]`` and
  ``[[standard:...]]``;
* an annex (``<first domain>/annexes/``) of 20 selections and supplements
  (``<domain>/supplements/<id>/``), each written only when that feature is present
  in this checkout (see :func:`features`).
"""

from __future__ import annotations

import importlib.util
import random
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "generator" / "schemas"


@dataclass(frozen=True)
class Size:
    name: str
    label: str
    profiles: int
    transactions: int
    actors: int
    domains: int


SIZES: dict[str, Size] = {
    "iti": Size("iti", "ITI", 60, 130, 120, 1),
    "ihe": Size("ihe", "IHE", 300, 1000, 600, 10),
    "x10": Size("x10", "10×IHE", 3000, 10000, 6000, 30),
}

DOMAIN_NAMES = [
    ("ITI", "IT Infrastructure"), ("RAD", "Radiology"), ("LAB", "Laboratory"), ("PCC", "Patient Care Coordination"),
    ("CARD", "Cardiology"), ("EYECARE", "Eye Care"), ("PATH", "Pathology and Laboratory Medicine"),
    ("QRPH", "Quality, Research and Public Health"), ("PCD", "Devices"), ("DENT", "Dental"), ("RO", "Radiation Oncology"),
    ("PHARM", "Pharmacy"), ("ENDO", "Endoscopy"),
]


def features() -> dict[str, bool]:
    """Which optional capabilities this checkout has; a missing one is reported, never faked."""

    def importable(name: str) -> bool:
        try:
            return importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            return False

    return {
        "annex": (SCHEMAS / "annex.schema.json").is_file() and importable("generator.annex"),
        "supplements": any(SCHEMAS.glob("supplement*.schema.json")) and importable("generator.supplements"),
        "diagrams": importable("generator.diagrams"),
    }


# --------------------------------------------------------------------------- words

_SUBJECTS = [
    "Document", "Patient", "Order", "Image", "Report", "Care Plan", "Encounter", "Specimen", "Observation",
    "Medication", "Immunization", "Referral", "Consent", "Device", "Alert", "Worklist", "Procedure", "Appointment",
    "Location", "Provider", "Result", "Study", "Series", "Measurement", "Prescription", "Dispense", "Allergy",
    "Problem", "Audit", "Identity", "Terminology", "Value Set", "Form", "Survey", "Notification", "Task",
    "Schedule", "Sample", "Dose", "Plan", "Protocol", "Waveform", "Rendering", "Annotation", "Subscription",
]
_ROLES = [
    "Consumer", "Source", "Manager", "Repository", "Registry", "Creator", "Filler", "Placer", "Recipient",
    "Responder", "Gateway", "Reader", "Archive", "Tracker", "Requester", "Provider", "Publisher", "Subscriber",
    "Reporter", "Viewer", "Editor", "Forwarder", "Processor", "Supplier", "Broker", "Importer", "Exporter",
]
_VERBS = [
    "Query", "Retrieve", "Register", "Provide", "Submit", "Update", "Notify", "Cancel", "Subscribe to", "Publish",
    "Report", "Request", "Find", "Send", "Receive", "Reconcile", "Validate", "Mobile Query", "Feed", "Assign",
]
_QUALIFIERS = [
    "Cross-Enterprise", "Mobile", "Scheduled", "Integrated", "Basic", "Advanced", "Federated", "Shared",
    "Distributed", "Secure", "Real-time", "Longitudinal", "Community", "Regional", "Unified",
]
_NOUNS = [
    "Workflow", "Sharing", "Exchange", "Management", "Access", "Tracking", "Reporting", "Notification",
    "Reconciliation", "Query", "Publication", "Coordination", "Integration", "Discovery", "Capture",
]
_SENTENCES = [
    "It records who did what, and when, so that the record can be audited later.",
    "Systems that take part agree on identifiers first, and then exchange only what the other side needs.",
    "The receiving system checks the message against the rules of the affinity domain before it accepts it.",
    "Each exchange carries enough metadata for a consumer to decide whether to retrieve the content at all.",
    "Errors are reported with a code and a human-readable text, and the sender may retry safely.",
    "Large payloads travel separately from their metadata, so that queries stay fast.",
    "The profile does not constrain the user interface; it only says what must be exchanged.",
    "Where a local identifier differs from the shared one, the actor maps it before sending.",
    "Time stamps are given in UTC with the local offset, so that events from several sites can be ordered.",
    "Implementers should expect the responder to page long result lists.",
]
_TEMPLATES = [
    "The {role} keeps each {subject} for at least {n} days, so that a {qualifier} {noun} can refer back to it.",
    "A {subject} {role} may {verb} the {other} on behalf of another organisation, provided the {noun} policy allows it.",
    "When the {other} changes, the {role} sends a new {subject} rather than amending the one it sent before.",
    "Up to {n} {subject} entries can travel in one message; larger sets are split, and the {role} reassembles them.",
    "The {qualifier} {noun} of the {subject} is described once here and referenced by every transaction that carries it.",
    "Implementations that {verb} the {subject} must also accept a {other} that arrives without one.",
    "If the {role} cannot {verb} the {subject}, it answers with an error and keeps the {other} unchanged.",
    "Codes for the {subject} come from a value set the {qualifier} affinity domain publishes, version {n} or later.",
]
_STANDARD_PUBLISHERS = ["Health Level Seven International", "DICOM Standards Committee", "IETF", "OASIS", "ISO", "W3C"]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _normal(key: str) -> str:
    """What the validator's near-duplicate rule compares (lower case, no punctuation, no plural s)."""
    key = re.sub(r"[^a-z0-9]", "", key.lower())
    return key[:-1] if key.endswith("s") else key


class _Names:
    """Globally unique ids and names, also after the validator's near-duplicate normalisation."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.seen: dict[str, set[str]] = {"actor": set(), "profile": set(), "content": set()}
        self.names: set[str] = set()

    def unique(self, kind: str, wanted: str) -> str:
        candidate, n = wanted, 1
        while _normal(candidate) in self.seen[kind] or (kind == "profile" and candidate.lower() in self.names):
            n += 1
            candidate = f"{wanted}{n}" if kind == "profile" else f"{wanted}-{n}"
        self.seen[kind].add(_normal(candidate))
        if kind == "profile":
            self.names.add(candidate.lower())
        return candidate

    def reserve(self, kind: str, key: str) -> None:
        self.seen[kind].add(_normal(key))


# --------------------------------------------------------------------------- the model being generated


@dataclass
class _Tx:
    id: str
    name: str
    domain: str
    initiators: list[str] = field(default_factory=list)
    responders: list[str] = field(default_factory=list)
    messages: int = 2
    standards: list[str] = field(default_factory=list)
    status: str | None = None

    def actors(self) -> list[str]:
        return self.initiators + self.responders


@dataclass
class _PActor:
    actor: str
    txs: dict[str, str] = field(default_factory=dict)  # tx id -> optionality, in order
    conditions: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    modules: list[str] = field(default_factory=list)
    options: list[dict] = field(default_factory=list)
    at_least: list[dict] = field(default_factory=list)


@dataclass
class _Profile:
    acronym: str
    name: str
    chapter: int
    domain: str
    type: str
    status: str | None
    actors: dict[str, _PActor] = field(default_factory=dict)
    own_txs: list[str] = field(default_factory=list)
    options: list[dict] = field(default_factory=list)
    groupings: list[dict] = field(default_factory=list)
    use_cases: list[dict] = field(default_factory=list)
    data: dict = field(default_factory=dict)


class _Framework:
    def __init__(self, size: Size, seed: int):
        self.size = size
        self.rng = random.Random(f"tfpub-bench:{size.name}:{seed}")
        self.names = _Names(self.rng)
        self.domains: list[tuple[str, str]] = []
        self.actors: dict[str, dict] = {}  # id -> {name, definition, domain}
        self.txs: dict[str, _Tx] = {}
        self.profiles: list[_Profile] = []
        self.modules: dict[str, dict] = {}
        self.standards: dict[str, list[dict]] = {}
        self.glossary: dict[str, list[dict]] = {}
        self.files: dict[str, object] = {}  # relative path -> data
        self.infra: dict[str, str] = {}  # role -> actor id in the first domain

    # ----------------------------------------------------------------- helpers

    def split(self, total: int, parts: int, first_weight: float = 1.6) -> list[int]:
        """``total`` split over ``parts`` domains, the first larger, the rest varied; exact sum."""
        weights = [first_weight] + [self.rng.uniform(0.6, 1.4) for _ in range(parts - 1)]
        scale = total / sum(weights)
        raw = [w * scale for w in weights]
        counts = [int(r) for r in raw]
        for i in sorted(range(parts), key=lambda i: raw[i] - counts[i], reverse=True)[: total - sum(counts)]:
            counts[i] += 1
        return counts

    def sentence(self) -> str:
        """One sentence, varied enough that no two narrative fields are the same text."""
        rng = self.rng
        if rng.random() < 0.3:
            return rng.choice(_SENTENCES)
        return rng.choice(_TEMPLATES).format(
            role=rng.choice(_ROLES).lower(), subject=rng.choice(_SUBJECTS).lower(), other=rng.choice(_SUBJECTS).lower(),
            verb=rng.choice(_VERBS).lower(), qualifier=rng.choice(_QUALIFIERS).lower(), noun=rng.choice(_NOUNS).lower(),
            n=rng.randint(2, 90),
        )

    def text(self, n: int, refs: list[str] = ()) -> str:
        """A paragraph of ``n`` sentences with the references woven in."""
        out = [self.sentence() for _ in range(n)]
        for ref in refs:
            i = self.rng.randrange(len(out))
            out[i] = out[i][:-1] + f"; see {ref}."
        return " ".join(out)

    def new_actor(self, domain: str, name: str | None = None, key: str | None = None) -> str:
        if name is None:
            while True:
                name = f"{self.rng.choice(_SUBJECTS)} {self.rng.choice(_ROLES)}"
                if domain != self.domains[0][0]:
                    name = f"{domain.title()} {name}" if self.rng.random() < 0.5 else name
                key = self.names.unique("actor", _slug(name))
                break
        else:
            key = key or _slug(name)
            self.names.reserve("actor", key)
        suffix = key.rsplit("-", 1)[-1]
        shown = name if not suffix.isdigit() else f"{name} {suffix}"
        self.actors[key] = {"name": shown, "domain": domain}
        return key

    def new_tx(self, domain: str, number: int, name: str | None = None) -> _Tx:
        tid = f"{domain}-{number}"
        name = name or f"{self.rng.choice(_VERBS)} {self.rng.choice(_SUBJECTS)}{self.rng.choice(['', '', ' Set', ' List', ' Status'])}"
        messages = self.rng.choices([1, 2, 3, 4], weights=[2, 6, 1, 1])[0]
        tx = _Tx(tid, name, domain, messages=messages)
        tx.status = "trial-implementation" if self.rng.random() < 0.1 else None
        self.txs[tid] = tx
        return tx

    # ----------------------------------------------------------------- domains

    def build(self) -> None:
        size = self.size
        names = DOMAIN_NAMES[: size.domains]
        while len(names) < size.domains:
            i = len(names)
            names.append((f"D{i:02d}", f"Synthetic Domain {i:02d}"))
        self.domains = names
        n_profiles = self.split(size.profiles, size.domains)
        n_txs = self.split(size.transactions, size.domains)
        n_actors = self.split(size.actors, size.domains)
        for i, (acronym, title) in enumerate(names):
            self.build_domain(i, acronym, title, n_profiles[i], n_txs[i], n_actors[i])

    def build_standards(self, domain: str, index: int) -> None:
        entries = []
        count = 18 if index == 0 else 8
        for n in range(1, count + 1):
            sid = f"{domain}-STD-{n}" if index else ["HL7-v2.5", "HL7-v3", "HL7-FHIR-R4", "HL7-CDA-R2", "DICOM-PS3", "IETF-RFC-5424", "IETF-RFC-5905", "ebRIM-3.0"][n - 1] if n <= 8 else f"{domain}-STD-{n}"
            entries.append({
                "id": sid,
                "title": f"{self.rng.choice(_QUALIFIERS)} {self.rng.choice(_SUBJECTS)} Standard {n} ({domain})",
                "publisher": self.rng.choice(_STANDARD_PUBLISHERS),
                "url": f"https://standards.example.org/{_slug(domain)}/{n}",
            })
        self.standards[domain] = entries

    def build_domain(self, index: int, domain: str, title: str, n_profiles: int, n_txs: int, n_actors: int) -> None:
        rng = self.rng
        self.build_standards(domain, index)
        profiles: list[_Profile] = []
        tx_numbers = iter(range(1, 100000))
        chapter = iter(range(1, 1000))

        # Infrastructure of the first domain: CT and ATNA.
        special_actors: list[str] = []
        if index == 0:
            profiles += self.infrastructure(domain, tx_numbers, chapter)
            special_actors = [a for p in profiles for a in p.actors]
        n_content = max(1, n_profiles // 10) if n_profiles - len(profiles) >= 5 else 0
        content_actors: list[str] = []
        if n_content:
            prefix = "" if index == 0 else f"{domain.lower()}-"
            content_actors = [
                self.new_actor(domain, f"{'' if index == 0 else domain.title() + ' '}Content Creator", f"{prefix}content-creator"),
                self.new_actor(domain, f"{'' if index == 0 else domain.title() + ' '}Content Consumer", f"{prefix}content-consumer"),
            ]
        n_work = n_profiles - len(profiles) - n_content
        fresh_total = max(0, n_actors - len(special_actors) - len(content_actors))
        sizes = [rng.choices(range(2, 9), weights=[10, 18, 20, 16, 10, 6, 4])[0] for _ in range(n_work)]
        while sum(sizes) < fresh_total + n_work:  # more actors than seats: make profiles bigger
            i = rng.randrange(n_work)
            sizes[i] = min(8, sizes[i] + 1)
        fresh = iter(self.new_actor(domain) for _ in range(fresh_total))
        fresh_left = fresh_total
        slots_left = sum(sizes)
        used_in_domain: list[str] = []

        # Transactions: each workflow profile owns at least enough to give every actor a role.
        tx_left = n_txs - sum(len(p.own_txs) for p in profiles)
        own = [max(1, -(-k // 3)) for k in sizes]
        while sum(own) < tx_left:
            own[rng.randrange(n_work)] += 1
        while sum(own) > tx_left and any(o > 1 for o in own):
            i = rng.randrange(n_work)
            if own[i] > 1 and own[i] * 4 > sizes[i] + 3:
                own[i] -= 1
            elif all(o * 4 <= s + 3 or o == 1 for o, s in zip(own, sizes)):
                break

        kinds = ["workflow"] * n_work + ["content"] * n_content
        rng.shuffle(kinds)
        w = 0
        for kind in kinds:
            number = next(chapter)
            if kind == "content":
                profiles.append(self.content_profile(domain, number, content_actors, index))
                continue
            k, m = sizes[w], own[w]
            w += 1
            share = round(k * fresh_left / slots_left) if slots_left else 0
            share = max(share, 2 if not used_in_domain else 0)  # a domain's first profile has only new actors
            share = min(share, k, fresh_left)
            slots_left -= k
            actors = [next(fresh) for _ in range(share)]
            fresh_left -= share
            pool = [a for a in used_in_domain if a not in actors]
            while len(actors) < k and pool:
                pick = rng.choice(pool)
                pool.remove(pick)
                actors.append(pick)
            while len(actors) < 2:  # a first profile in a tiny domain
                actors.append(self.new_actor(domain))
            profile = self.workflow_profile(domain, number, actors, m, tx_numbers, profiles, index)
            profiles.append(profile)
            for a in profile.actors:
                if a not in used_in_domain and self.actors[a]["domain"] == domain:
                    used_in_domain.append(a)
        # Any actor not placed yet (rounding): give it to the last workflow profiles.
        leftover = list(fresh)
        workflow = [p for p in profiles if p.type != "content" and p.acronym not in ("CT", "ATNA")]
        for n, actor in enumerate(leftover):
            p = workflow[-1 - (n % len(workflow))]
            tx = self.txs[rng.choice(p.own_txs)]
            tx.responders.append(actor)
            self.seat(p, actor).txs[tx.id] = "R"
        # Transactions not yet written (rounding): more own transactions for the last profiles.
        while sum(1 for t in self.txs.values() if t.domain == domain) < n_txs and workflow:
            p = workflow[rng.randrange(len(workflow))]
            self.add_own_tx(p, domain, next(tx_numbers), list(p.actors))
        for p in profiles:
            self.finish_profile(p, profiles, index)
        self.profiles += profiles
        self.build_glossary(domain)
        self.files[f"{domain}/domain.yaml"] = self.domain_data(index, domain, title, profiles)

    # ----------------------------------------------------------------- infrastructure

    def infrastructure(self, domain: str, tx_numbers, chapter) -> list[_Profile]:
        ct = _Profile(self.names.unique("profile", "CT"), "Consistent Time", next(chapter), domain, "transport", None)
        ts = self.new_actor(domain, "Time Server")
        tc = self.new_actor(domain, "Time Client")
        t1 = self.new_tx(domain, next(tx_numbers), "Maintain Time")
        t1.initiators, t1.responders, t1.messages = [tc], [ts], 2
        ct.own_txs = [t1.id]
        ct.actors = {ts: _PActor(ts, {t1.id: "R"}), tc: _PActor(tc, {t1.id: "R"})}
        ct.options = [
            {"id": "sntp", "name": "SNTP", "description": "The Time Client may use the simpler SNTP protocol where one second of accuracy suffices."},
            {"id": "secured-ntp", "name": "Secured NTP", "description": "The actor supports authenticated NTP."},
        ]
        ct.actors[ts].options = [{"option": "secured-ntp"}]
        ct.actors[tc].options = [{"option": "sntp"}, {"option": "secured-ntp"}]
        atna = _Profile(self.names.unique("profile", "ATNA"), "Audit Trail and Node Authentication", next(chapter), domain, "transport", None)
        arr = self.new_actor(domain, "Audit Record Repository")
        arf = self.new_actor(domain, "Audit Record Forwarder")
        sn = self.new_actor(domain, "Secure Node")
        sa = self.new_actor(domain, "Secure Application")
        t19 = self.new_tx(domain, next(tx_numbers), "Authenticate Node")
        t19.initiators, t19.responders = [sa], [sn]
        t20 = self.new_tx(domain, next(tx_numbers), "Record Audit Event")
        t20.initiators, t20.responders = [sn, sa, arf], [arr]
        t20.messages = 1
        atna.own_txs = [t19.id, t20.id]
        stx = ["stx-no-secure-transport", "stx-tls-1-2-floor-using-bcp195", "stx-s-mime", "stx-ws-security"]
        atx = ["atx-tls-syslog", "atx-udp-syslog"]
        atna.options = [
            {"id": o, "name": o.split("-", 1)[0].upper() + ": " + o.split("-", 1)[1].replace("-", " ").title(),
             "description": "A transport the actor supports; see [[standard:IETF-RFC-5424]]." if o.startswith("atx") else "A secure transport the actor supports."}
            for o in stx + atx
        ]
        atna.actors = {
            arr: _PActor(arr, {t20.id: "R"}, options=[{"option": o} for o in atx], at_least=[{"options": atx, "note": "When no audit transport option is named, assume TLS syslog."}]),
            arf: _PActor(arf, {t20.id: "R"}, options=[{"option": o} for o in atx], at_least=[{"options": atx}]),
            sn: _PActor(sn, {t19.id: "R", t20.id: "R"}, options=[{"option": o} for o in stx + atx], at_least=[{"options": stx}, {"options": atx}]),
            sa: _PActor(sa, {t19.id: "R", t20.id: "R"}, options=[{"option": o} for o in stx + atx], at_least=[{"options": stx}, {"options": atx}]),
        }
        atna.groupings = [
            {"actor": arr, "with": [{"profile": ct.acronym, "actor": tc}]},
            {"actor": arf, "with": [{"profile": atna.acronym, "actor": arr}]},
            {"actor": sn, "with": [{"profile": ct.acronym, "actor": tc}]},
            {"actor": sa, "with": [{"profile": ct.acronym, "actor": tc}]},
        ]
        self.infra = {"ct": ct.acronym, "atna": atna.acronym, "time-client": tc, "secure-node": sn, "secure-application": sa, "tls": stx[1]}
        return [ct, atna]

    # ----------------------------------------------------------------- profiles

    def new_profile(self, domain: str, chapter: int, kind: str, index: int) -> _Profile:
        rng = self.rng
        name = f"{rng.choice(_QUALIFIERS)} {rng.choice(_SUBJECTS)} {rng.choice(_NOUNS)}"
        stem = "".join(w[0] for w in re.split(r"[ -]", name) if w).upper()
        acronym = self.names.unique("profile", stem + rng.choice(["", "", "", "m", ".b", "-I"]))
        statuses = [None, None, None, "trial-implementation"] + ([] if index == 0 else ["public-comment", "final-text"])
        return _Profile(acronym, name, chapter, domain, kind if kind == "content" else rng.choice(["workflow", "workflow", "transport"]), rng.choice(statuses))

    def seat(self, p: _Profile, actor: str) -> _PActor:
        if actor not in p.actors:
            p.actors[actor] = _PActor(actor)
        return p.actors[actor]

    def add_own_tx(self, p: _Profile, domain: str, number: int, candidates: list[str]) -> _Tx:
        rng = self.rng
        tx = self.new_tx(domain, number)
        a, b = rng.sample(candidates, 2) if len(candidates) >= 2 else (candidates[0], candidates[0])
        tx.initiators, tx.responders = [a], [b] if b != a else []
        if not tx.responders:
            other = next(x for x in p.actors if x != a)
            tx.responders = [other]
        p.own_txs.append(tx.id)
        for x in tx.actors():
            self.seat(p, x).txs[tx.id] = "R"
        return tx

    def workflow_profile(self, domain: str, chapter: int, actors: list[str], m: int, tx_numbers, earlier: list[_Profile], index: int) -> _Profile:
        rng = self.rng
        p = self.new_profile(domain, chapter, "workflow", index)
        for a in actors:
            self.seat(p, a)
        order = list(actors)
        rng.shuffle(order)
        uncovered = list(order)
        for _ in range(m):
            tx = self.new_tx(domain, next(tx_numbers))
            pick = lambda exclude: (uncovered.pop(0) if uncovered else rng.choice([x for x in actors if x not in exclude]))  # noqa: E731
            init = pick([])
            resp = pick([init])
            if resp == init:
                resp = rng.choice([x for x in actors if x != init])
            tx.initiators, tx.responders = [init], [resp]
            if rng.random() < 0.25 and len(actors) > 2:
                extra = pick(tx.actors())
                if extra not in tx.actors():
                    (tx.initiators if rng.random() < 0.5 else tx.responders).append(extra)
            p.own_txs.append(tx.id)
        for x in uncovered:  # still without a role: join a transaction of the profile
            tx = self.txs[rng.choice(p.own_txs)]
            (tx.responders if len(tx.responders) <= len(tx.initiators) else tx.initiators).append(x)
        for tid in p.own_txs:
            tx = self.txs[tid]
            for x in tx.actors():
                opt = rng.choices(["R", "O", "C"], weights=[70, 22, 8])[0]
                p.actors[x].txs[tid] = opt
                if opt == "C":
                    p.actors[x].conditions[tid] = f"Required when the {self.actors[x]['name']} supports {tx.name.lower()} for more than one site."
        # Reuse transactions (and the actors playing them) of earlier profiles, now and then across domains.
        sources = [q for q in earlier if q.type != "content" and q.own_txs]
        for _ in range(rng.choices([0, 1, 2], weights=[55, 30, 15])[0]):
            if not sources:
                break
            if index and rng.random() < 0.2:
                pool = [q for q in self.profiles if q.domain == self.domains[0][0] and q.own_txs and q.acronym not in (self.infra["ct"], self.infra["atna"])]
                q = rng.choice(pool) if pool else rng.choice(sources)
            else:
                q = rng.choice(sources)
            tx = self.txs[rng.choice(q.own_txs)]
            players = [x for x in tx.actors() if x in p.actors] or tx.actors()
            x = rng.choice(players)
            if x not in p.actors and len(p.actors) >= 8:
                continue
            self.seat(p, x).txs.setdefault(tx.id, rng.choice(["R", "O"]))
        # Every transaction of the profile needs the roles its actors list: they have them by construction.
        for x in p.actors:
            note_tx = next(iter(p.actors[x].txs), None)
            if note_tx and rng.random() < 0.08:
                p.actors[x].notes[note_tx] = f"The {self.actors[x]['name']} also honours [[{note_tx}]] retries."
        return p

    def content_profile(self, domain: str, chapter: int, content_actors: list[str], index: int) -> _Profile:
        rng = self.rng
        p = self.new_profile(domain, chapter, "content", index)
        creator, consumer = content_actors
        modules = []
        for _ in range(rng.randint(1, 3)):
            name = f"{rng.choice(_QUALIFIERS)} {rng.choice(_SUBJECTS)} {rng.choice(['Summary', 'Document', 'Record', 'Note', 'Report'])}"
            mid = self.names.unique("content", f"{_slug(domain)}-{_slug(name)}")
            section = f"5.{sum(1 for m in self.modules.values() if m['domain'] == domain) + 1}"
            std = [s["id"] for s in rng.sample(self.standards[domain], 2)]
            self.modules[mid] = {"id": mid, "name": name, "section": section, "domain": domain, "profile": p.acronym, "standards": std}
            modules.append(mid)
        p.actors = {
            creator: _PActor(creator, modules=[m for m in modules]),
            consumer: _PActor(consumer, modules=[m for m in modules]),
        }
        return p

    def finish_profile(self, p: _Profile, profiles: list[_Profile], index: int) -> None:
        """Options, groupings, use cases: after all the profile's actors and transactions are known."""
        rng = self.rng
        if p.acronym in (self.infra.get("ct"), self.infra.get("atna")) and p.domain == self.domains[0][0]:
            return
        actors = list(p.actors)
        if p.type != "content":
            for n in range(rng.choices(range(0, 6), weights=[15, 20, 25, 20, 12, 8])[0]):
                oid = f"{_slug(rng.choice(_QUALIFIERS))}-{_slug(rng.choice(_SUBJECTS))}-{n + 1}"
                option = {"id": oid, "name": oid.rsplit("-", 1)[0].replace("-", " ").title() + f" {n + 1}",
                          "description": self.text(2)}
                claimants = rng.sample(actors, min(len(actors), rng.randint(1, 3)))
                if rng.random() < 0.3:  # the option adds a transaction the claimants list as O
                    common = [t for t in p.actors[claimants[0]].txs if all(t in p.actors[c].txs for c in claimants)]
                    if not common:
                        claimants = claimants[:1]
                        common = list(p.actors[claimants[0]].txs)
                    if common:
                        tid = rng.choice(common)
                        option["transactions"] = [tid]
                        for c in claimants:
                            p.actors[c].txs[tid] = "O"
                            p.actors[c].conditions.pop(tid, None)
                plain = [o for o in p.options if not o.get("transactions")]
                if plain and rng.random() < 0.15:
                    req = rng.choice(plain)
                    option["requires"] = [req["id"]]
                    for c in claimants:  # with what the required option requires in turn
                        need = [req]
                        while need:
                            o = need.pop()
                            if not any(claim["option"] == o["id"] for claim in p.actors[c].options):
                                p.actors[c].options.append({"option": o["id"]})
                            need += [x for x in p.options if x["id"] in o.get("requires", [])]
                if rng.random() < 0.04 and index:
                    option["status"] = "deprecated"
                p.options.append(option)
                for c in claimants:
                    claim = {"option": oid}
                    if rng.random() < 0.1 and option.get("status") != "deprecated":
                        claim["required"] = True
                    if rng.random() < 0.05:
                        claim["note"] = f"See [[option:{p.acronym}/{oid}]] for what this adds."
                    p.actors[c].options.append(claim)
            for pa in p.actors.values():
                opt_txs = [t for t, o in pa.txs.items() if o == "O"]
                if len(opt_txs) >= 2 and rng.random() < 0.4:
                    pa.at_least.append({"transactions": rng.sample(opt_txs, 2)})
                if len(pa.options) >= 2 and rng.random() < 0.2:
                    pa.at_least.append({"options": [o["option"] for o in rng.sample(pa.options, 2)]})
        self.groupings(p, profiles, index)
        if p.type != "content":
            self.use_cases(p)

    def groupings(self, p: _Profile, profiles: list[_Profile], index: int) -> None:
        rng = self.rng
        infra = self.infra
        with_ct = rng.random() < 0.6
        tls = rng.random() < 0.2
        for a in p.actors:
            if with_ct:
                p.groupings.append({"actor": a, "with": [{"profile": infra["ct"], "actor": infra["time-client"]}]})
            target = [{"profile": infra["atna"], "actor": infra["secure-node"]}, {"profile": infra["atna"], "actor": infra["secure-application"]}]
            if tls:
                for t in target:
                    t["options"] = [infra["tls"]]
            p.groupings.append({"actor": a, "with": target})
        # Groupings with an actor of an earlier profile of the domain (acyclic by construction).
        earlier = [q for q in profiles if q.chapter < p.chapter and q.acronym not in (infra.get("ct"), infra.get("atna"))]
        for _ in range(rng.choices([0, 1, 2], weights=[50, 35, 15])[0]):
            if not earlier:
                break
            q = rng.choice(earlier)
            a = rng.choice(list(p.actors))
            b = rng.choice(list(q.actors))
            g = {"actor": a, "with": [{"profile": q.acronym, "actor": b}]}
            roll = rng.random()
            own_options = [o["option"] for o in p.actors[a].options]
            if roll < 0.25 and own_options:
                g["when_option"] = rng.choice(own_options)
            elif roll < 0.4:
                g["condition"] = f"When the {self.actors[a]['name']} also acts for another organisation."
            elif roll < 0.55:
                g["kind"] = "recommended"
            if rng.random() < 0.1:
                g["note"] = f"The grouped actors share one configuration; see [[profile:{q.acronym}]]."
            p.groupings.append(g)

    def use_cases(self, p: _Profile) -> None:
        rng = self.rng
        for n in range(rng.choices([0, 1, 2, 3], weights=[10, 40, 35, 15])[0]):
            steps = []
            for _ in range(rng.randint(2, 6)):
                tid = rng.choice(p.own_txs) if p.own_txs else None
                if tid is None:
                    break
                tx = self.txs[tid]
                frm = next((x for x in tx.initiators if x in p.actors), None)
                to = next((x for x in tx.responders if x in p.actors), None)
                if frm is None:
                    continue
                step = {"from": frm}
                if to:
                    step["to"] = to
                    step["transaction"] = tid
                step["text"] = f"The {self.actors[frm]['name']} {rng.choice(['sends', 'asks for', 'updates', 'reports'])} the {rng.choice(_SUBJECTS).lower()}."
                steps.append(step)
            p.use_cases.append({
                "id": f"use-case-{n + 1}",
                "title": f"{rng.choice(_QUALIFIERS)} {rng.choice(_SUBJECTS).lower()} {rng.choice(_NOUNS).lower()}",
                "description": self.text(3, [f"[[{rng.choice(p.own_txs)}]]"] if p.own_txs else []),
                "steps": steps,
            })

    # ----------------------------------------------------------------- files

    def build_glossary(self, domain: str) -> None:
        terms, seen = [], set()
        for _ in range(25):
            term = f"{self.rng.choice(_QUALIFIERS)} {self.rng.choice(_SUBJECTS)}"
            if term in seen:
                continue
            seen.add(term)
            entry = {"term": term, "definition": self.text(2)}
            if self.rng.random() < 0.3:
                entry["synonyms"] = [f"{term} Service"]
            terms.append(entry)
        self.glossary[domain] = terms

    def domain_data(self, index: int, domain: str, title: str, profiles: list[_Profile]) -> dict:
        refs = [f"[[profile:{p.acronym}]]" for p in profiles[:3]]
        data = {
            "acronym": domain,
            "title": f"{title} Technical Framework",
            "revision": f"{18 + index % 5}.0",
            "date": f"2024-{1 + index % 12:02d}-{1 + index % 27:02d}",
            "status": "final-text" if index == 0 else self.rng.choice(["final-text", "trial-implementation"]),
            "description": self.text(4, refs) + "\n\n" + self.text(3) + "\n",
        }
        if index % 4 == 3:
            data["publishing"] = {"actors_and_transactions_columns": ["actor", "transaction", "optionality", "reference"]}
        return data

    def render(self) -> None:
        rng = self.rng
        first = self.domains[0][0]
        for key, a in self.actors.items():
            self.files[f"{a['domain']}/actors/{key}.yaml"] = {"id": key, "name": a["name"], "definition": self.text(2)}
        roles_desc = {"initiator": "Sends the request and handles the answer.", "responder": "Answers the request."}
        for tid, tx in self.txs.items():
            std_pool = self.standards[tx.domain] + (self.standards[first] if tx.domain != first else [])
            messages = []
            for n in range(tx.messages):
                kind = "request" if n % 2 == 0 else "response"
                m = {"name": f"{tx.name} {'Request' if kind == 'request' else 'Response'}" + (f" {n // 2 + 1}" if tx.messages > 2 else ""), "type": kind}
                m["trigger"] = self.text(1)
                m["semantics"] = self.text(2, [f"[[standard:{rng.choice(std_pool)['id']}]]"])
                m["expected_actions"] = self.text(2)
                messages.append(m)
            data = {
                "id": tid,
                "name": tx.name,
                "scope": self.text(2),
                "roles": [{"actor": x, "role": "initiator", "description": roles_desc["initiator"]} for x in tx.initiators]
                + [{"actor": x, "role": "responder", "description": roles_desc["responder"]} for x in tx.responders],
                "standards": sorted({s["id"] for s in rng.sample(std_pool, rng.randint(1, 3))}),
                "messages": messages,
                "security": self.text(1, [f"[[profile:{self.infra['atna']}]]"]),
                "audit": self.text(1),
            }
            if tx.status:
                data["status"] = tx.status
            self.files[f"{tx.domain}/transactions/{tid}.yaml"] = data
        for mid, mod in self.modules.items():
            self.files[f"{mod['domain']}/content/{mid}.yaml"] = {
                "id": mid,
                "name": mod["name"],
                "section": mod["section"],
                "summary": self.text(3, [f"[[profile:{mod['profile']}]]"]),
                "format": rng.choice(["HL7 CDA R2", "HL7 FHIR R4 Bundle", "DICOM SR"]),
                "template_id": f"1.3.6.1.4.1.19376.1.{rng.randint(1, 99)}.{rng.randint(1, 999)}",
                "standards": mod["standards"],
                "sections": [{"title": f"{rng.choice(_SUBJECTS)} section", "body": self.text(2)} for _ in range(rng.randint(1, 3))],
            }
        for p in self.profiles:
            self.files[f"{p.domain}/profiles/{p.acronym}.yaml"] = self.profile_data(p)
        for domain, _ in self.domains:
            self.files[f"{domain}/standards.yaml"] = {"standards": self.standards[domain]}
            self.files[f"{domain}/glossary.yaml"] = {"terms": self.glossary[domain]}

    def profile_data(self, p: _Profile) -> dict:
        rng = self.rng
        others = [q for q in self.profiles if q.acronym != p.acronym]
        cited = rng.sample(others, min(2, len(others)))
        txs = [t for pa in p.actors.values() for t in pa.txs]
        data: dict = {
            "acronym": p.acronym,
            "name": p.name,
            "chapter": p.chapter,
            "type": p.type,
        }
        data["status"] = p.status or ("final-text" if p.domain == self.domains[0][0] else "trial-implementation")
        data["summary"] = self.text(3, [f"[[actor:{next(iter(p.actors))}]]"]) + "\n\n" + self.text(2) + "\n"
        actors = []
        for pa in p.actors.values():
            entry: dict = {"actor": pa.actor, "description": self.text(1)}
            if pa.txs:
                entry["transactions"] = []
                for tid, opt in pa.txs.items():
                    row = {"transaction": tid, "optionality": opt}
                    if opt == "C":
                        row["condition"] = pa.conditions.get(tid) or "Required when the site needs it."
                    if tid in pa.notes:
                        row["note"] = pa.notes[tid]
                    entry["transactions"].append(row)
            if pa.modules:
                entry["content_modules"] = [{"module": m, "optionality": "R"} for m in pa.modules]
            if pa.at_least:
                entry["at_least_one_of"] = pa.at_least
            if pa.options:
                entry["options"] = pa.options
            actors.append(entry)
        data["actors"] = actors
        if p.options:
            data["options"] = p.options
        if p.groupings:
            data["groupings"] = p.groupings
        refs = [f"[[{t}]]" for t in txs[:3]] + [f"[[profile:{q.acronym}]]" for q in cited]
        if p.options:
            refs.append(f"[[option:{p.acronym}/{p.options[0]['id']}]]")
        data["overview"] = self.text(4, refs) + "\n\n" + self.text(3) + "\n"
        if p.use_cases:
            data["use_cases"] = p.use_cases
        data["security"] = self.text(2, [f"[[profile:{self.infra['atna']}]]"])
        data["cross_profile"] = self.text(2, [f"[[profile:{q.acronym}]]" for q in cited[:1]])
        return data

    def supplements(self, count: int) -> None:
        """Supplements (needs the supplements feature): each a new profile with its own actors and
        transactions, and an amendment that appends to a published profile's cross-profile text."""
        rng = random.Random(f"tfpub-bench-supplements:{self.size.name}")
        for k in range(count):
            domain = self.domains[k % len(self.domains)][0]
            number = 900 + k // len(self.domains) + 1
            base = [p for p in self.profiles if p.domain == domain and p.type != "content" and p.acronym not in (self.infra["ct"], self.infra["atna"])]
            amended = rng.choice(base)
            revision = self.files[f"{domain}/domain.yaml"]["revision"]
            acronym = self.names.unique("profile", f"SUP{number}{domain[:2]}m")
            folder = f"{domain}/supplements/{acronym}"
            names = [f"{rng.choice(_SUBJECTS)} {role}" for role in ("Requester", "Keeper")]
            actors = [self.names.unique("actor", _slug(f"{domain} {n}")) for n in names]
            for key, name in zip(actors, names):
                self.files[f"{folder}/actors/{key}.yaml"] = {"id": key, "name": f"{name} ({acronym})", "definition": self.text(2)}
            txs = [f"{domain}-{number * 10 + i}" for i in (1, 2)]
            for i, tid in enumerate(txs):
                verb = ["Query", "Update"][i]
                self.files[f"{folder}/transactions/{tid}.yaml"] = {
                    "id": tid,
                    "name": f"{verb} {names[0].split()[0]} Preferences",
                    "scope": self.text(2),
                    "roles": [{"actor": actors[0], "role": "initiator"}, {"actor": actors[1], "role": "responder"}],
                    "messages": [{"name": f"{verb} Request", "type": "request", "trigger": self.text(1)},
                                 {"name": f"{verb} Response", "type": "response", "semantics": self.text(1)}],
                }
            self.files[f"{folder}/profiles/{acronym}.yaml"] = {
                "acronym": acronym,
                "name": f"{names[0].split()[0]} Preferences for Mobile",
                "chapter": number,
                "type": "workflow",
                "status": "public-comment",
                "summary": self.text(3, [f"[[{txs[0]}]]"]) + "\n",
                "actors": [
                    {"actor": actors[0], "transactions": [{"transaction": txs[0], "optionality": "R"}, {"transaction": txs[1], "optionality": "O"}],
                     "options": [{"option": "preference-update"}]},
                    {"actor": actors[1], "transactions": [{"transaction": txs[0], "optionality": "R"}, {"transaction": txs[1], "optionality": "O"}],
                     "options": [{"option": "preference-update"}]},
                ],
                "options": [{"id": "preference-update", "name": "Preference Update", "description": self.text(1), "transactions": [txs[1]]}],
                "groupings": [
                    {"actor": a, "with": [{"profile": self.infra["atna"], "actor": self.infra["secure-node"]},
                                          {"profile": self.infra["atna"], "actor": self.infra["secure-application"]}]}
                    for a in actors
                ],
                "overview": self.text(3, [f"[[profile:{amended.acronym}]]"]) + "\n",
            }
            self.files[f"{folder}/supplement.yaml"] = {
                "id": acronym,
                "title": f"{names[0].split()[0]} Preferences for Mobile ({acronym})",
                "revision": "1.0",
                "status": "public-comment",
                "date": "2024-06-01",
                "applies_to": {"revision": revision},
                "introduction": self.text(2, [f"[[profile:{acronym}]]", f"[[{txs[0]}]]"]) + "\n",
                "open_issues": [{"id": f"{acronym}-1", "text": self.text(1)}],
            }
            self.files[f"{folder}/amendments.yaml"] = {
                "amendments": [
                    {"op": "append-narrative", "profile": amended.acronym, "field": "cross_profile",
                     "text": self.text(1, [f"[[profile:{acronym}]]"])},
                ]
            }

    def annex(self) -> None:
        """An RFP annex of 20 selections from the first domain's profiles (needs the annex feature)."""
        rng = random.Random(f"tfpub-bench-annex:{self.size.name}")
        first = self.domains[0][0]
        candidates = [
            (p, pa) for p in self.profiles if p.domain == first and p.acronym not in (self.infra["ct"], self.infra["atna"]) and p.type != "content"
            for pa in p.actors.values()
        ]
        picks = rng.sample(candidates, min(20, len(candidates)))
        select = []
        for p, pa in picks:
            entry: dict = {"profile": p.acronym, "actor": pa.actor}
            usable = [o["option"] for o in pa.options if not any(x["id"] == o["option"] and x.get("status") for x in p.options)]
            if usable and rng.random() < 0.5:
                entry["options"] = sorted(set(rng.sample(usable, min(2, len(usable)))))
            if rng.random() < 0.15:
                entry["level"] = "SHOULD"
            select.append(entry)
        self.files[f"{first}/annexes/bench-regional-exchange.yaml"] = {
            "id": "bench-regional-exchange",
            "title": "Regional exchange platform: IHE requirements",
            "buyer": "Synthetic Health Region",
            "prefix": "REQ",
            "revision": self.files[f"{first}/domain.yaml"]["revision"],
            "minimum_status": "trial-implementation",
            "introduction": "This annex lists what the platform shall implement.\n\nIt was generated for the benchmark.",
            "select": select,
        }


# --------------------------------------------------------------------------- writing


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)

_SCHEMA_OF = {"actors": "actor", "transactions": "transaction", "profiles": "profile", "content": "content", "annexes": "annex"}
_FILE_SCHEMAS = {"supplement.yaml": "supplement", "amendments.yaml": "supplement-amendments"}


def _schema_line(rel: str) -> str:
    parts = rel.split("/")
    up = "/".join([".."] * len(parts))
    if parts[-1] in _FILE_SCHEMAS and "supplements" in parts:
        kind = _FILE_SCHEMAS[parts[-1]]
    elif len(parts) == 2 or parts[-2] not in _SCHEMA_OF:
        kind = parts[-1][: -len(".yaml")]
    else:
        kind = _SCHEMA_OF[parts[-2]]
    return f"# yaml-language-server: $schema={up}/generator/schemas/{kind}.schema.json\n"


SUPPLEMENTS = {"iti": 2, "ihe": 10, "x10": 30}


def framework_files(size: Size | str, seed: int = 1, *, annex: bool | None = None, supplements: bool | None = None) -> dict[str, str]:
    """Relative path -> YAML text of the whole synthetic framework.

    The annex and the supplements are written only when this checkout has those
    features (:func:`features`), unless ``annex``/``supplements`` say otherwise.
    """
    if isinstance(size, str):
        size = SIZES[size]
    fw = _Framework(size, seed)
    fw.build()
    fw.render()
    found = features()
    if annex if annex is not None else found["annex"]:
        fw.annex()
    if supplements if supplements is not None else found["supplements"]:
        fw.supplements(SUPPLEMENTS.get(size.name, 2))
    out = {}
    for rel in sorted(fw.files):
        text = yaml.dump(fw.files[rel], Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
        out[rel] = _schema_line(rel) + text
    return out


def write_framework(size: Size | str, dest: Path, seed: int = 1, *, annex: bool | None = None, supplements: bool | None = None) -> dict:
    """Write the framework under ``dest`` (emptied first); returns counts of what was written."""
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    files = framework_files(size, seed, annex=annex, supplements=supplements)
    made: set[Path] = set()
    total = 0
    for rel, text in files.items():
        path = dest / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    kinds: dict[str, int] = {}
    for rel in files:
        parts = rel.split("/")
        kind = parts[1] if len(parts) > 2 else parts[1][: -len(".yaml")]
        if kind == "supplements":
            kind = "supplements" if parts[-1] == "supplement.yaml" else "supplement files"
        kinds[kind] = kinds.get(kind, 0) + 1
    return {"files": len(files), "bytes": total, **kinds}


def edit_profile(specs: Path, marker: str) -> tuple[str, Path]:
    """Change one profile's summary (a mid-chapter profile of the first domain); returns (acronym, path)."""
    first = sorted(p for p in Path(specs).iterdir() if (p / "domain.yaml").is_file())
    domain = next(d for d in first if d.name == DOMAIN_NAMES[0][0]) if any(d.name == DOMAIN_NAMES[0][0] for d in first) else first[0]
    files = sorted((domain / "profiles").glob("*.yaml"))
    path = files[len(files) // 2]
    text = path.read_text(encoding="utf-8")
    text = text.replace("summary: |\n", f"summary: |\n  {marker}\n", 1)
    path.write_text(text, encoding="utf-8")
    return path.stem, path


if __name__ == "__main__":  # python -m bench.synth SIZE DEST [SEED]
    import sys

    counts = write_framework(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    print(counts)
