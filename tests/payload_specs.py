"""A copy of the example specs with script payloads in every name, title, narrative and URL.

An attacker writes the specs (a pull request from anyone), so every text the site
prints is tried: names and titles go into headings, ``<title>``, the navigation,
tables, diagrams and the search index; narrative goes through Markdown. Each payload
sets ``window.__pwned`` if it ever runs, which the browser test reads.

``write_payload_specs`` writes the payloads a build must survive (the site builds
and nothing runs); ``REFUSED`` lists the URL payloads that validation must refuse,
each with the file and key where the located error must point.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml
from conftest import to_yaml

MARK = "__pwned"
JS = f"window.{MARK}=1"

# One line of text that tries every way a name could become markup, link, attribute or script.
NAME_PAYLOAD = (
    f" [more](javascript:{JS}) ![i](x.png){{: onerror={JS}}} </title><script>{JS}</script>"
    f"<img src=x onerror={JS}> <img:x.png> *e* `c` &lt;b&gt; @enduml %getenv(HOME) [x|y]"
    f" {{: tabindex=1 autofocus=1 onfocus={JS}}}"
)
# Narrative Markdown: raw HTML, script links in every spelling, attr_list (not enabled there). A Markdown
# image in narrative is refused by validation (narrative-image, tests/test_checks.py), so it is not here.
NARRATIVE_PAYLOAD = (
    f"\n\nHostile <script>{JS}</script> [x](javascript:{JS}) [y](JaVaScRiPt:{JS}) [z]( java\tscript:{JS})"
    f" <img src=x onerror={JS}> {{: onerror={JS}}} <a href=\"javascript:{JS}\">a</a>"
    f" [d](data:text/html,<script>{JS}</script>) <svg onload={JS}></svg>\n"
)
# A diagram in narrative whose text tries to put script into the SVG ([[links]] are refused, see REFUSED_TEXT).
DIAGRAM_PAYLOAD = (
    "\n\n```plantuml\n@startuml\ntitle </title><script>" + JS + "</script>\n"
    "participant \"<img src=x onerror=" + JS + ">\" as A\n"
    "A -> A : <a href=\"javascript:" + JS + "\">hi</a> <img:x.png>\n@enduml\n```\n"
)

NAME_KEYS = {"name", "title", "term", "step_text"}
NARRATIVE_KEYS = {
    "text",  # a table note or a requirement (Markdown); a use-case step's text is plain text ("step_text")
    "definition", "description", "scope", "summary", "overview", "introduction", "body",
    "security", "cross_profile", "audit", "trigger", "semantics", "expected_actions",
}
# Strings the loader or a checker compares with other files, or that the schema limits, stay as they are.
_KEEP = {"id", "acronym", "revision", "date", "status", "actor", "profile", "transaction", "option", "module"}

# A URL that is valid and still holds every character that needs escaping in an attribute.
GOOD_URL = "https://example.org/a?b=1&c=%22d%22#e"


def _poison(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        # inside a list of steps (key "steps"), "text" is the step's plain text
        return {k: (_poison(v, "step_text" if (k == "text" and key == "steps") else k) if k not in _KEEP else v) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison(v, key) for v in value]
    if isinstance(value, str):
        if key == "step_text":
            # A flow's arrow carries its transaction's label (the whole payload, wrapped into links) and
            # the step's text: the text takes the payload's second half (its PlantUML parts), so that
            # the line stays within the diagram limits (diagrams/limits.py) and the build runs.
            return value[:30] + NAME_PAYLOAD[len(NAME_PAYLOAD) // 2 :]
        if key in NAME_KEYS:
            return value[:30] + NAME_PAYLOAD  # the schema limits some titles to 300 characters
        if key in NARRATIVE_KEYS:
            return value + NARRATIVE_PAYLOAD
        if key == "url":
            return GOOD_URL
    return value


def write_payload_specs(source: Path, dest: Path) -> Path:
    """``source`` (a specs folder) copied to ``dest`` with payloads in every name, title, narrative and URL."""
    shutil.copytree(source, dest)
    for path in sorted(dest.rglob("*.yaml")):
        if "amendments" in path.name:
            continue  # amendments name what they change by its current text (was:); their own new entities are poisoned
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data = _poison(data)
        if path.name == "domain.yaml":
            data["description"] = data.get("description", "") + DIAGRAM_PAYLOAD
        path.write_text(to_yaml(data), encoding="utf-8")
    return dest


# (file relative to the specs, YAML key whose line the error names, value): each must be refused.
REFUSED = [
    ("ITI/standards.yaml", "url", 'https://example.org/"onmouseover="' + JS),
    ("ITI/standards.yaml", "url", "javascript:" + JS + "//https://"),
    ("ITI/standards.yaml", "url", "https://example.org/ <script>"),
    ("ITI/domain.yaml", "issue_tracker", "javascript:" + JS + "//{title}"),
    ("ITI/domain.yaml", "issue_tracker", 'https://tracker.example.org/new?t={title}"><script>' + JS + "</script>"),
]


def write_refused(source: Path, dest: Path, rel: str, key: str, value: str) -> Path:
    """A copy of ``source`` with one URL field set to ``value`` (the first standard's url, or the tracker)."""
    shutil.copytree(source, dest)
    path = dest / rel
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if key == "url":
        data["standards"][0]["url"] = value
    else:
        data.setdefault("publishing", {})["issue_tracker"] = value
    path.write_text(to_yaml(data), encoding="utf-8")
    return dest


# Text payloads that validation refuses, with a located unresolved-reference error, before anything is built:
# a [[...]] in any text is a reference, and [[javascript:...]] names no kind of entity.
REFUSED_TEXT = [
    ("ITI/actors/time-client.yaml", "name", "Time Client [[javascript:" + JS + " x]]"),
    ("ITI/domain.yaml", "description", "```plantuml\n@startuml\nA -> A : [[javascript:" + JS + " hi]]\n@enduml\n```\n"),
]
