"""IHE section, table and figure numbers, derived from the stable numbers in the specs.

IHE numbers never change once published, so they are computed from the one
number an editor does type (a profile's chapter, a transaction's id, a content
module's section) and never stored anywhere else.
"""

from __future__ import annotations

from ..model import PLACEHOLDER_BASE, ContentModule, Framework, Profile, Transaction

# Volume 1 section numbers inside a profile chapter, as the IHE template lays them out.
ACTORS = "1"
ACTOR_DESCRIPTIONS = "1.1"
OPTIONS = "2"
GROUPINGS = "3"
OVERVIEW = "4"
CONCEPTS = "4.1"
USE_CASES = "4.2"
SECURITY = "5"
CROSS_PROFILE = "6"


def profile_section(profile: Profile, sub: str = "") -> str:
    return f"{profile.chapter}.{sub}" if sub else str(profile.chapter)


def table_number(section: str, n: int = 1) -> str:
    """IHE numbers tables per section: 'Table 10.1-1'."""
    return f"{section}-{n}"


def transaction_section(tx: Transaction) -> str:
    """Volume 2 section of a transaction: 3.<number> unless the spec says otherwise."""
    if tx.section:
        return tx.section
    return f"3.{tx.id.rsplit('-', 1)[1]}" if tx.is_placeholder else f"3.{tx.number}"  # 3.YY1 until a number is assigned


def content_section(module: ContentModule) -> str:
    return module.section


def volume_ref(domain: str, volume: int, section: str) -> str:
    """A citation in IHE style: 'ITI TF-1: 10.2'."""
    return f"{domain} TF-{volume}: {section}"


def profile_ref(profile: Profile, sub: str = "") -> str:
    return volume_ref(profile.domain, 1, profile_section(profile, sub))


def transaction_ref(tx: Transaction) -> str:
    return volume_ref(tx.domain, 2, transaction_section(tx))


def content_ref(module: ContentModule) -> str:
    return volume_ref(module.domain, 3, module.section)


def option_section(profile: Profile, option_id: str) -> str:
    index = [o.id for o in profile.options].index(option_id) + 1
    return profile_section(profile, f"{OPTIONS}.{index}")


def actor_section(profile: Profile, actor_id: str) -> str:
    index = [a.actor for a in profile.actors].index(actor_id) + 1
    return profile_section(profile, f"{ACTOR_DESCRIPTIONS}.{index}")


def use_case_section(profile: Profile, use_case_id: str) -> str:
    index = [u.id for u in profile.use_cases].index(use_case_id) + 1
    return profile_section(profile, f"{USE_CASES}.{index}")


def section_key(section: str) -> tuple[int, ...]:
    """Sort '3.9' before '3.10', and a placeholder ('3.YY1', 'XX.1') after every number."""
    return tuple(int(part) if part.isdigit() else PLACEHOLDER_BASE + int("0" + "".join(c for c in part if c.isdigit())) for part in section.split("."))


def profiles_in_order(fw: Framework, domain: str | None = None) -> list[Profile]:
    return sorted((p for p in fw.profiles.values() if domain in (None, p.domain)), key=lambda p: (p.domain, p.chapter))


def transactions_in_order(fw: Framework, domain: str | None = None) -> list[Transaction]:
    return sorted(
        (t for t in fw.transactions.values() if domain in (None, t.domain)),
        key=lambda t: (t.domain, section_key(transaction_section(t))),
    )


def content_in_order(fw: Framework, domain: str | None = None) -> list[ContentModule]:
    return sorted(
        (c for c in fw.content_modules.values() if domain in (None, c.domain)),
        key=lambda c: (c.domain, section_key(c.section)),
    )
