"""Helpers for the diagram tests: reading rendered SVG back, and requiring the real renderer.

The diagram tests run the real PlantUML on the real Java, installed by the install
step (``make`` runs ``python -m generator.diagrams.fetch``). They fail, rather than
skip, when it is missing: a skipped renderer would hide a broken install.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from example import EXAMPLE_SPECS  # noqa: F401 - the committed example, for the diagram tests
from lxml import etree

from generator.diagrams import runtime

SVG = "{http://www.w3.org/2000/svg}"


def require_renderer() -> None:
    """Fail with the fix when Java or the pinned PlantUML jar is not installed."""
    missing = [name for name, found in (("Java", runtime.find_java()), ("the PlantUML jar", runtime.find_jar())) if found is None]
    if missing:
        pytest.fail(
            f"{' and '.join(missing)} not installed: run 'make' (or '.venv/bin/python -m generator.diagrams.fetch'); "
            f"TFPUB_JAVA={os.environ.get('TFPUB_JAVA')!r} TFPUB_PLANTUML_JAR={os.environ.get('TFPUB_PLANTUML_JAR')!r}",
            pytrace=False,
        )


@pytest.fixture
def renderer() -> None:
    require_renderer()


def words(el) -> str:
    """The text of an element, as one line with single spaces."""
    return " ".join(" ".join("".join(t.itertext()).split()) for t in el.iter(f"{SVG}text")).strip()


@dataclass
class Message:
    number: str
    sender: str  # participant alias
    receiver: str
    label: str
    dashed: bool


@dataclass
class Sequence:
    title: str
    participants: list[tuple[str, str]]  # (alias, shown text) in drawing order
    messages: list[Message]

    def name_of(self, alias: str) -> str:
        return dict(self.participants)[alias]


def read_sequence(svg: str) -> Sequence:
    """Participants and messages, in order, from a PlantUML sequence diagram's SVG."""
    root = etree.fromstring(svg.encode("utf-8"))
    title = root.find(f"{SVG}title")
    participants = []
    for g in root.iter(f"{SVG}g"):
        if "participant-head" in g.get("class", "").split():
            participants.append((g.get("data-participant"), words(g)))
    messages = []
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "message":
            texts = [" ".join("".join(t.itertext()).split()) for t in g.iter(f"{SVG}text")]
            number = texts[0] if texts and texts[0].isdigit() else ""
            label = " ".join(t for t in (texts[1:] if number else texts) if t)
            line = g.find(f"{SVG}line")
            dashed = line is not None and "stroke-dasharray" in line.get("style", "")
            messages.append(Message(number, g.get("data-participant-1"), g.get("data-participant-2"), label, dashed))
    return Sequence(title.text if title is not None else "", participants, messages)


def all_text(svg: str) -> str:
    root = etree.fromstring(svg.encode("utf-8"))
    return " ".join(" ".join("".join(t.itertext()).split()) for t in root.iter(f"{SVG}text"))


def hrefs(svg_or_html: str) -> list[str]:
    import re

    return re.findall(r'href="([^"]*)"', svg_or_html)


def test_read_sequence_reads_a_plantuml_sequence(renderer, tmp_path):
    from generator.diagrams import Diagram, render
    from generator.problems import Loc

    d = Diagram("t", "transaction", "T", "@startuml\nparticipant \"A a\" as A\nparticipant B\nautonumber\nA -> B : one two\nB --> A : three\n@enduml\n", [], "", Loc("x.yaml"))
    render([d], tmp_path)
    seq = read_sequence(d.svg)
    assert seq.title == "T"
    assert seq.participants == [("A", "A a"), ("B", "B")]
    assert [(m.number, m.sender, m.receiver, m.label, m.dashed) for m in seq.messages] == [
        ("1", "A", "B", "one two", False),
        ("2", "B", "A", "three", True),
    ]
