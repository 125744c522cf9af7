"""Where each entity's page lives on the site, and how to link between pages.

One module decides the layout so that tables, indexes, diagrams and annexes all
link to the same place. Paths are mkdocs source paths (``ITI/volume-2/ITI-18.md``);
links are made relative, so the site works from any base URL and offline.
"""

from __future__ import annotations

import posixpath
from functools import lru_cache

from ..model import Framework

HOME = "index.md"
EXPORT = "model.json"


def domain_home(domain: str) -> str:
    return f"{domain}/index.md"


def volume_index(domain: str, volume: int) -> str:
    return f"{domain}/volume-{volume}/index.md"


def profile_page(domain: str, acronym: str) -> str:
    return f"{domain}/volume-1/{acronym}.md"


def transaction_page(domain: str, tx_id: str) -> str:
    return f"{domain}/volume-2/{tx_id}.md"


def content_page(domain: str, module_id: str) -> str:
    return f"{domain}/volume-3/{module_id}.md"


def actor_page(domain: str, actor_id: str) -> str:
    return f"{domain}/actors/{actor_id}.md"


def appendix_page(domain: str, letter: str) -> str:
    """Appendix A (actor definitions) doubles as the index of the actors' own pages."""
    if letter == "A":
        return f"{domain}/actors/index.md"
    names = {"B": "b-transactions", "D": "d-glossary"}
    return f"{domain}/appendices/{names[letter]}.md"


def index_page(domain: str, name: str) -> str:
    """Cross-indexes: 'actors', 'transactions', 'standards'."""
    return f"{domain}/indexes/{name}.md"


def annex_page(domain: str, annex_id: str) -> str:
    return f"{domain}/annexes/{annex_id}.md"


def supplement_page(domain: str, supplement_id: str) -> str:
    return f"{domain}/supplements/{supplement_id}.md"


def entity_page(fw: Framework, kind: str, key: str) -> str:
    """The page of an entity named by kind and id, as references name them."""
    if kind == "profile":
        return profile_page(fw.profiles[key].domain, key)
    if kind == "transaction":
        return transaction_page(fw.transactions[key].domain, key)
    if kind == "actor":
        return actor_page(fw.actors[key].domain, key)
    if kind == "content":
        return content_page(fw.content_modules[key].domain, key)
    if kind == "standard":
        return index_page(fw.standards[key].domain, "standards")
    if kind == "option":
        acronym = key.split("/", 1)[0]
        return profile_page(fw.profiles[acronym].domain, acronym)
    raise KeyError(kind)


def entity_anchor(kind: str, key: str) -> str:
    """Anchors inside a shared page; entities with a page of their own need none."""
    if kind == "standard":
        return f"std-{anchor_slug(key)}"
    if kind == "option":
        return f"option-{key.split('/', 1)[1]}"
    return ""


def anchor_slug(text: str) -> str:
    """Stable HTML ids from ids that may hold dots (XDS.b) or other punctuation."""
    out = []
    for ch in text.lower():
        out.append(ch if ch.isalnum() or ch in "-_" else "-")
    return "".join(out).strip("-")


def md_link(from_src: str, to_src: str, anchor: str = "") -> str:
    """A link between Markdown sources, which mkdocs checks and turns into a URL."""
    rel = _relpath(to_src, posixpath.dirname(from_src) or ".")
    return rel + (f"#{anchor}" if anchor else "")


def page_url(src: str) -> str:
    """The directory-style URL mkdocs gives a page (use_directory_urls: true)."""
    if src.endswith("index.md"):
        return src[: -len("index.md")]
    if src.endswith(".md"):
        return src[:-3] + "/"
    return src


def url_link(from_src: str, to_src: str, anchor: str = "") -> str:
    """A final relative URL, for HTML the Markdown stage does not rewrite (inline SVG)."""
    base, target = page_url(from_src), page_url(to_src)
    rel = _relpath(target or ".", base or ".")
    if target == "" or target.endswith("/"):
        rel = rel.rstrip("/") + "/"
    return rel + (f"#{anchor}" if anchor else "")


@lru_cache(maxsize=65536)
def _relpath(path: str, start: str) -> str:
    """``posixpath.relpath`` for the site's relative paths, without its calls to ``os.getcwd``.

    Site paths never hold ``..``; anything else (absolute paths, ``..``) goes to posixpath.
    """
    if path.startswith("/") or start.startswith("/") or ".." in path or ".." in start:
        return posixpath.relpath(path, start)
    to = [part for part in path.split("/") if part and part != "."]
    base = [part for part in start.split("/") if part and part != "."]
    common = 0
    for a, b in zip(to, base):
        if a != b:
            break
        common += 1
    rel = [".."] * (len(base) - common) + to[common:]
    return "/".join(rel) if rel else "."
