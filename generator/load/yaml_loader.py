"""Load one YAML spec file into plain data, remembering where every node stood.

The tree is built from PyYAML's *event* stream rather than its composer so that
the guards below run before anything large or deep is built: nesting depth,
alias expansion and file size are bounded, duplicate keys are errors instead of
a silent last-one-wins, and no tag can construct a Python object.

Text is checked here too, once, for every consumer: a control character, a lone
surrogate or a non-character (raw in the file, or written as an escape in a
double-quoted string) is a located error, so no such text can reach HTML, SVG,
XML or Office files, where it would be rejected or, worse, interpreted.
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml
from yaml import events

from ..problems import Loc, Problem, error

try:  # libyaml is much faster; the pure-Python parser gives the same events.
    from yaml._yaml import (
        CParser as _Parser,  # not re-exported by the yaml package itself
    )
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.parser import Parser as _Parser  # type: ignore[assignment]

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 250_000  # counted after alias expansion

_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}

Path_ = tuple  # a JSON-pointer-like path: ("actors", 0, "transactions")


@dataclass
class Document:
    """A loaded file: its data as plain dicts/lists/scalars, and where each node was."""

    path: Path
    display: str
    data: Any
    value_locs: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_locs: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    block_scalars: set[Path_] = field(default_factory=set)

    def loc(self, path: Path_ = (), *, key: bool = False) -> Loc:
        """The position of the node at ``path``, or of its nearest recorded ancestor."""
        path = tuple(path)
        while True:
            table = self.key_locs if key else self.value_locs
            if path in table:
                line, col = table[path]
                return Loc(self.display, line, col)
            if key and path in self.value_locs:
                line, col = self.value_locs[path]
                return Loc(self.display, line, col)
            if not path:
                return Loc(self.display, 1, 1)
            path = path[:-1]

    def text_loc(self, path: Path_, offset: int) -> Loc:
        """The position of character ``offset`` inside the string at ``path``.

        Exact for plain and block scalars written one source line per text line;
        folded or quoted multi-line strings land on the right line or close to it.
        """
        start = self.loc(path)
        text = self.data_at(path)
        before = text[:offset] if isinstance(text, str) else ""
        line_index = before.count("\n")
        col_in_line = len(before) - (before.rfind("\n") + 1)
        if path in self.block_scalars and self._source_char(start) == ">":
            return self._folded_loc(start, offset)
        if path in self.block_scalars:
            # The text keeps any indentation beyond the block's own, which is that of its first line.
            line = start.line + 1 + line_index
            return Loc(self.display, line, 1 + self._block_indent(start) + col_in_line)
        if line_index == 0:
            quote = 1 if self._source_char(start) in ("'", '"') else 0  # the text starts after the quote
            return Loc(self.display, start.line, start.col + quote + offset)
        return Loc(self.display, start.line + line_index, 1 + col_in_line)

    def _indent_of(self, line: int) -> int:
        source = self._source_line(line)
        return len(source) - len(source.lstrip(" "))

    def _block_indent(self, start: Loc) -> int:
        lines = self._source_lines()
        for source in lines[start.line :]:
            if source.strip(" "):
                return len(source) - len(source.lstrip(" "))
        return 0

    def _source_lines(self) -> list[str]:
        try:
            return self.path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError):
            return []

    def _source_line(self, line: int) -> str:
        lines = self._source_lines()
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def _source_char(self, loc: Loc) -> str:
        return self._source_line(loc.line)[loc.col - 1 : loc.col]

    def _folded_loc(self, start: Loc, offset: int) -> Loc:
        """Map ``offset`` in a folded (``>``) scalar back to its source line.

        Folding joins a paragraph's lines with one space and turns a blank line
        into a line break, so each source line holds a run of the text.
        """
        lines = self._source_lines()
        pos, line, previous_blank = 0, start.line + 1, False
        while line <= len(lines):
            source = lines[line - 1]
            content = source.strip(" ")
            if not content:
                pos += 1 if previous_blank else 0
                previous_blank = True
            else:
                indent = len(source) - len(source.lstrip(" "))
                if offset <= pos + len(content):
                    return Loc(self.display, line, 1 + indent + max(0, offset - pos))
                pos += len(content) + 1
                previous_blank = False
            line += 1
        return Loc(self.display, start.line + 1, 1 + self._indent_of(start.line + 1))

    def data_at(self, path: Path_):
        node = self.data
        for part in path:
            node = node[part]
        return node


# Characters no spec text may hold: C0 controls but tab and line breaks, DEL, C1 controls
# (NEL among them), the Unicode line and paragraph separators (YAML reads them as line
# breaks that editors do not show, so every later line number would be wrong), the
# non-characters U+FFFE/U+FFFF (not allowed in XML) and surrogates (not characters:
# they cannot be written as UTF-8 and lxml refuses them).
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_BREAK = re.compile("\r\n|\r|\n")
MAX_TEXT_PROBLEMS = 20  # per file: a file full of control characters is one fault, not thousands

_C0_NAMES = (
    "NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI "
    "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US"
).split()


def _char_name(char: str) -> str:
    """``U+0007 (BEL)``: how an editor's "go to character" or a hex view will show it."""
    code = ord(char)
    if code < 0x20:
        name = _C0_NAMES[code]
    elif code == 0x7F:
        name = "DEL"
    elif code == 0x85:
        name = "NEL, next line"
    elif code < 0xA0:
        name = "a C1 control character"
    elif code == 0x2028:
        name = "LINE SEPARATOR"
    elif code == 0x2029:
        name = "PARAGRAPH SEPARATOR"
    elif 0xD800 <= code <= 0xDFFF:
        name = "a lone surrogate"
    else:
        name = "a non-character"
    return f"U+{code:04X} ({name})"


BAD_TEXT, char_name = _BAD_TEXT, _char_name  # for text that does not come through this loader (diagrams in docs pages)


def _bad_char_problem(loc: Loc, char: str, *, escaped: bool) -> Problem:
    code = ord(char)
    what = f"this quoted string has an escape for {_char_name(char)}" if escaped else f"the text holds {_char_name(char)}"
    if 0xD800 <= code <= 0xDFFF:
        return error(
            loc,
            f"{what}: half of a UTF-16 pair is not a character and cannot be written as UTF-8; "
            "remove the escape, or write the character itself (or as one escape such as \\U0001F600)",
            "text-invalid",
        )
    fix = "remove the escape" if escaped else "delete it (most editors do not show it)"
    if code in (0x2028, 0x2029, 0xFFFE, 0xFFFF):
        return error(
            loc,
            f"{what}, which web pages and XML do not allow or do not show; {fix}, or write a normal line break or a space",
            "text-invalid",
        )
    return error(
        loc,
        f"{what}: control characters are not allowed in spec text (web pages, XML and Word files refuse them); "
        f"{fix}, or write a space or line break if one was meant",
        "text-control",
    )


def text_problem(loc: Loc, value: str) -> Problem | None:
    """The problem with a string decoded from escapes (JSON, a quoted YAML string), if any:
    for text that comes from elsewhere than a spec file but reaches the same outputs."""
    bad = _BAD_TEXT.search(value)
    return _bad_char_problem(loc, bad.group(), escaped=True) if bad is not None else None


def _raw_text_problems(text: str, display: str) -> list[Problem]:
    """Every line of ``text`` that holds a character no spec may hold, at its line and column.

    Checked before parsing: the parser would report the first one at 1:1 with an offset.
    """
    found = _BAD_TEXT.search(text)
    if found is None:
        return []
    problems: list[Problem] = []
    lines_with_bad = 0
    line, line_start, last_line = 1, 0, 0
    breaks = _LINE_BREAK.finditer(text)
    pending = next(breaks, None)
    for found in _BAD_TEXT.finditer(text, found.start()):
        while pending is not None and pending.start() < found.start():
            line, line_start = line + 1, pending.end()
            pending = next(breaks, None)
        if line == last_line:
            continue  # one problem per line
        last_line = line
        lines_with_bad += 1
        if len(problems) < MAX_TEXT_PROBLEMS:
            col = found.start() - line_start + 1
            problems.append(_bad_char_problem(Loc(display, line, col), found.group(), escaped=False))
    if lines_with_bad > len(problems):
        problems.append(
            error(
                problems[-1].loc,
                f"{lines_with_bad - len(problems)} more line(s) after this one hold such characters; is this a text file saved as UTF-8?",
                "text-control",
            )
        )
    return problems


def _escaped_text(value: str, loc: Loc, problems: list[Problem]) -> str:
    """A double-quoted string's value, checked for what its escapes produced.

    A pair of escaped surrogates (``"\\ud83d\\ude00"``, as JSON writes characters beyond
    the BMP) is joined into the one character it stands for; anything else that
    ``_BAD_TEXT`` matches is a problem at the string.
    """
    if _SURROGATE.search(value):
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    problem = text_problem(loc, value)
    if problem is not None:
        problems.append(problem)
    return value


class LoadError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


_resolver = yaml.resolver.Resolver()
_constructor = yaml.constructor.SafeConstructor()


# First characters for which an implicit resolver exists (true, 12, null, ~, 2024-01-01 ...):
# a plain scalar starting with any other character is a string, as Resolver.resolve would say.
_IMPLICIT_FIRST = frozenset(k for k in _resolver.yaml_implicit_resolvers if k)
_PLAIN_IS_TEXT = None not in _resolver.yaml_implicit_resolvers and not _resolver.yaml_path_resolvers


def _scalar_value(event: events.ScalarEvent, loc: Loc | str) -> Any:
    """The value of a scalar; ``loc`` is its Loc, or just the file's display name (the
    event's start mark then gives the position, computed only if there is a problem)."""
    tag = event.tag
    if tag in (None, "!"):
        if tag == "!" or event.style:  # quoted or non-specific: a string
            return event.value
        value = event.value
        if _PLAIN_IS_TEXT and value and value[0] not in _IMPLICIT_FIRST:
            return value
        tag = _resolver.resolve(yaml.ScalarNode, value, (True, False))
    if not isinstance(loc, Loc):
        loc = _mark_loc(loc, event.start_mark)
    if tag not in _STANDARD_TAGS and tag != "tag:yaml.org,2002:timestamp":
        raise LoadError(_tag_error(tag, loc))
    if tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"):
        # Dates stay text: the schemas check their form, and output stays exact.
        return event.value
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
    try:
        return _constructor.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, KeyError, TypeError, OverflowError) as exc:  # '!!bool maybe' is a KeyError
        kind = tag.rsplit(":", 1)[-1]
        why = _one_line(str(exc)) if isinstance(exc, ValueError) else f"it is not a {kind}"
        raise LoadError(error(loc, f"cannot read value {event.value!r} as {kind}: {why}; correct the value, or remove the '!!{kind}' tag", "yaml-syntax"))


def _tag_error(tag: str, loc: Loc) -> Problem:
    tag = tag.replace("tag:yaml.org,2002:", "!!")
    return error(
        loc,
        f"the YAML tag {tag!r} is not allowed in spec files; remove it and write the value as plain data",
        "yaml-tag",
    )


def _mark_loc(display: str, mark: Any) -> Loc:
    return Loc(display, mark.line + 1, mark.column + 1)


class _Builder:
    """Turns parser events into data, with the guards described in the module docstring."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.nodes = 0
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.problems: list[Problem] = []

    def loc(self, event: events.Event) -> Loc:
        return _mark_loc(self.doc.display, event.start_mark)

    def count(self, n: int, event: events.Event) -> None:
        self.nodes += n
        if self.nodes > MAX_NODES:
            raise LoadError(
                error(
                    self.loc(event),
                    f"the file expands to more than {MAX_NODES:,} nodes (an alias used too often?); "
                    "write the data out without anchors and aliases, or split the file",
                    "yaml-too-large",
                )
            )

    def build(self, stream) -> Any:
        """Build the single document of the stream; an empty stream gives None.

        This loop runs once per event of every spec file (about 200,000 at IHE size), so
        the common cases (a plain text key, a text or cached plain value) are handled
        inline, with no call, no Loc and no path built twice; anything unusual (a tag,
        an escape, a duplicate key, a merge key, a value that resolves to a non-string)
        takes the general path, which gives the same data, positions and problems.
        """
        root: Any = None
        seen_document = False
        # Each frame: [container, path, pending_key, pending_path, anchor, start_nodes, key_first_locs]
        stack: list[list[Any]] = []
        doc = self.doc
        value_locs = doc.value_locs
        key_locs = doc.key_locs
        block_scalars = doc.block_scalars
        display = doc.display
        implicit_first = _IMPLICIT_FIRST if _PLAIN_IS_TEXT else _EVERYTHING
        plain_cache = _PLAIN_VALUES
        bad_text = _BAD_TEXT.search
        frame: list[Any] | None = None  # the innermost open container's frame (stack[-1])
        for event in stream:
            cls = event.__class__
            if cls is _SCALAR:
                if frame is not None and frame[2] is _NO_KEY and frame[0].__class__ is dict:
                    # A key. Fast path: plain text that cannot resolve to anything else, or quoted text.
                    key = event.value
                    style = event.style
                    if event.tag is None and key and (
                        (not style and (key[0] not in implicit_first or plain_cache.get(key).__class__ is str))
                        or style == "'"
                        or (style == '"' and not bad_text(key))
                    ):
                        seen = frame[6]
                        if key not in seen:
                            mark = event.start_mark
                            at = (mark.line + 1, mark.column + 1)
                            seen[key] = at
                            frame[2] = key
                            path = frame[1] + (key,)
                            frame[3] = path
                            key_locs[path] = at
                            continue
                    self._take_key(stack, event)
                    frame[3] = frame[1] + ((frame[2] if frame[2] is not _DUPLICATE else "<duplicate>"),)
                    continue
            elif cls is _DOCUMENT_START:
                if seen_document:
                    raise LoadError(
                        error(self.loc(event), "a spec file holds one YAML document; remove the extra '---' and what follows, or move it to its own file", "yaml-multiple-documents")
                    )
                seen_document = True
                continue
            elif cls in _IGNORED:
                continue
            elif cls is _MAPPING_END or cls is _SEQUENCE_END:
                done = stack.pop()
                value = done[0]
                if done[4]:
                    self._remember_anchor(done[4], value, done[1])
                if stack:
                    frame = stack[-1]
                    container = frame[0]
                    if container.__class__ is dict:
                        if frame[2] is not _DUPLICATE:
                            container[frame[2]] = value
                        frame[2] = _NO_KEY
                    else:
                        container.append(value)
                else:
                    frame = None
                    root = value
                continue
            elif frame is not None and frame[2] is _NO_KEY and frame[0].__class__ is dict:
                self._take_key(stack, event)  # not a scalar: refused there
                continue

            # A node starts: scalar, alias, mapping or sequence.
            if frame is not None:
                container = frame[0]
                path = frame[3] if container.__class__ is dict else frame[1] + (len(container),)
            else:
                path = ()
            mark = event.start_mark
            value_locs[path] = (mark.line + 1, mark.column + 1)
            if cls is _SCALAR:
                self.nodes += 1
                if self.nodes > MAX_NODES:
                    self.count(0, event)
                value = event.value
                style = event.style
                if event.tag is not None:
                    value = _scalar_value(event, display)
                elif not style:
                    if not value:
                        value = _scalar_value(event, display)
                    elif value[0] in implicit_first:
                        cached = plain_cache.get(value, _MISSING)
                        if cached is _MISSING:
                            cached = _scalar_value(event, display)
                            if len(value) <= 40 and len(plain_cache) < 20_000:
                                plain_cache[value] = cached  # None, bools, numbers, text: immutable, safe to share
                        value = cached
                if style == '"' and bad_text(value):
                    value = _escaped_text(value, self.loc(event), self.problems)
                elif style == "|" or style == ">":
                    block_scalars.add(path)
                if event.anchor:
                    self._remember_anchor(event.anchor, value, path)
            elif cls is _ALIAS:
                value = self._alias(event, path)
            else:
                self.count(1, event)
                tag = event.tag
                if tag and tag not in _STANDARD_TAGS and tag != "!":
                    raise LoadError(_tag_error(tag, self.loc(event)))
                if len(stack) >= MAX_DEPTH:
                    raise LoadError(
                        error(self.loc(event), f"nesting is deeper than {MAX_DEPTH} levels; spec files never need this, so the file is likely malformed", "yaml-too-deep")
                    )
                frame = [{} if cls is _MAPPING_START else [], path, _NO_KEY, None, event.anchor, self.nodes, {}]
                stack.append(frame)
                continue
            if frame is not None:
                container = frame[0]
                if container.__class__ is dict:
                    if frame[2] is not _DUPLICATE:
                        container[frame[2]] = value
                    frame[2] = _NO_KEY
                else:
                    container.append(value)
            else:
                root = value
        return root

    def _child_path(self, stack: list[list[Any]]) -> Path_:
        if not stack:
            return ()
        frame = stack[-1]
        if isinstance(frame[0], dict):
            return frame[1] + ((frame[2] if frame[2] is not _DUPLICATE else "<duplicate>"),)
        return frame[1] + (len(frame[0]),)

    def _take_key(self, stack: list[list[Any]], event: events.Event) -> None:
        frame = stack[-1]
        loc = self.loc(event)
        if not isinstance(event, events.ScalarEvent):
            raise LoadError(error(loc, "mapping keys must be plain text, not lists, mappings or aliases", "yaml-syntax"))
        if event.value == "<<" and not event.style and event.tag is None:
            # Checked before the value is resolved: '<<' resolves to the !!merge tag, which would be reported as a tag.
            raise LoadError(error(loc, "merge keys ('<<') are not supported in spec files; write the values out in full", "yaml-merge-key"))
        key = _scalar_value(event, loc)
        if not event.style and event.tag is None and len(event.value) <= 40 and len(_PLAIN_VALUES) < 20_000:
            _PLAIN_VALUES[event.value] = key  # the next key written so takes the fast path in build
        if event.style == '"' and _BAD_TEXT.search(key):
            key = _escaped_text(key, loc, self.problems)
        if not isinstance(key, str):
            key = str(key).lower() if isinstance(key, bool) or key is None else str(key)
        if key in frame[0] or key in frame[6]:
            first = frame[6].get(key)
            where = f" (first given at line {first[0]})" if first else ""
            self.problems.append(
                error(loc, f"duplicate key {key!r}{where}; YAML would silently keep only one value, so remove or rename one of them", "yaml-duplicate-key")
            )
            frame[2] = _DUPLICATE
            return
        frame[6][key] = (loc.line, loc.col)
        frame[2] = key
        self.doc.key_locs[frame[1] + (key,)] = (loc.line, loc.col)

    def _attach(self, stack: list[list[Any]], value: Any) -> None:
        frame = stack[-1]
        container = frame[0]
        if isinstance(container, dict):
            if frame[2] is not _DUPLICATE:
                container[frame[2]] = value
            frame[2] = _NO_KEY
        else:
            container.append(value)

    def _remember_anchor(self, anchor: str, value: Any, path: Path_) -> None:
        self.anchors[anchor] = (value, max(1, self.nodes_in(value)))

    def nodes_in(self, value: Any) -> int:
        total, todo = 0, [value]
        while todo:
            item = todo.pop()
            total += 1
            if total > MAX_NODES:
                return total
            if isinstance(item, dict):
                todo.extend(item.values())
            elif isinstance(item, list):
                todo.extend(item)
        return total

    def _alias(self, event: events.AliasEvent, path: Path_) -> Any:
        if event.anchor not in self.anchors:
            raise LoadError(error(self.loc(event), f"alias *{event.anchor} refers to no anchor defined before it", "yaml-syntax"))
        value, size = self.anchors[event.anchor]
        self.count(size, event)
        return value


_NO_KEY = object()
_MISSING = object()
_PLAIN_VALUES: dict[str, Any] = {}  # plain scalars that resolved (null, true, 12 ...) -> their value
_EVERYTHING = type("_Everything", (), {"__contains__": lambda self, item: True})()  # a resolver that may claim any plain text
_DUPLICATE = object()
_SCALAR = events.ScalarEvent
_ALIAS = events.AliasEvent
_MAPPING_START = events.MappingStartEvent
_MAPPING_END = events.MappingEndEvent
_SEQUENCE_END = events.SequenceEndEvent
_DOCUMENT_START = events.DocumentStartEvent
_IGNORED = (events.StreamStartEvent, events.StreamEndEvent, events.DocumentEndEvent)


def _events(text: str):
    """The parser's events, straight from libyaml when it is there (no Loader around it)."""
    if _Parser is yaml.parser.Parser:
        return yaml.parse(text, Loader=yaml.SafeLoader)
    # get_event gives None after the end of the stream; iter() then stops, with no Python frame per event.
    return iter(_Parser(text).get_event, None)


def _decode(raw: bytes, display: str) -> str:
    if b"\x00" in raw[:8192] or b"\x00" in raw:
        raise LoadError(error(Loc(display), "this is a binary file, not YAML text; remove it from the specs folder", "yaml-encoding"))
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        raise LoadError(
            error(
                Loc(display, line, col),
                f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8 in your editor",
                "yaml-encoding",
            )
        )


def _syntax_problem(exc: yaml.MarkedYAMLError, display: str, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    loc = _mark_loc(display, mark) if mark else Loc(display)
    what = exc.problem or "malformed YAML"
    lines = text.splitlines()
    if mark is not None:
        line_text = lines[mark.line] if mark.line < len(lines) else ""
        if "\t" in line_text[: mark.column + 1] or "'\\t'" in what:
            return error(loc, "a tab character is used for indentation; YAML allows spaces only, so replace the tab with spaces", "yaml-tab")
        plain = _plain_words(exc, mark, lines)
        if plain:
            return error(loc, plain, "yaml-syntax")
    hint = f" ({exc.context})" if exc.context else ""
    return error(loc, _one_line(f"malformed YAML: {what}{hint}"), "yaml-syntax")


def _one_line(text: str) -> str:
    """PyYAML's texts span lines ("...\\n  in <unicode string>"); a problem is printed on one."""
    return " ".join(text.split())


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _line_above(lines: list[str], index: int) -> int | None:
    """The 0-based index of the nearest line above ``index`` that holds data (not blank, not a comment)."""
    for i in range(min(index, len(lines)) - 1, -1, -1):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("#"):
            return i
    return None


def _plain_words(exc: yaml.MarkedYAMLError, mark: Any, lines: list[str]) -> str | None:
    """PyYAML's common parser and scanner errors, said as what is wrong in the file and how to fix it.

    Its own words ("expected <block end>, but found '?'") name parser states, not the
    editor's mistake; the positions stay PyYAML's (the problem mark), and its text is
    kept only for the rare errors not translated here (the caller's fallback).
    """
    problem, context = exc.problem or "", exc.context or ""
    start = exc.context_mark
    row = mark.line
    line = lines[row] if row < len(lines) else ""
    above = _line_above(lines, row)
    since = f" (from line {start.line + 1})" if start is not None else ""
    found = re.fullmatch(r"expected <block end>, but found '(.*)'", problem)
    if found:
        token = found.group(1)
        if token == "?" and "collection" in context:
            return (
                f"a list item and a key cannot be siblings: this key lines up with the '- ' items of the list above{since}; "
                "indent it to line up with the keys inside the item, or start it with '- ' to make it an item of its own"
            )
        items_above = start is not None and any(
            lines[i].lstrip().startswith("- ") or lines[i].strip() == "-" for i in range(start.line, min(row, len(lines)))
        )
        if token == "-" or (token == "<block sequence start>" and "mapping" in context and not items_above):
            return (
                f"a list item and a key cannot be siblings: this '- ' item lines up with the keys of the mapping above{since}; "
                "indent it under the key whose list it belongs to"
            )
        if token in ("<block mapping start>", "<block sequence start>"):
            what = "keys of one mapping" if token == "<block mapping start>" else "items of one list"
            ref = above
            if token == "<block sequence start>":  # the list item above, not a key inside it
                ref = next((i for i in range(row - 1, -1, -1) if lines[i].lstrip().startswith("- ")), above)
            where = ""
            if ref is not None:
                where = f" (it starts at column {_indent(line) + 1}, line {ref + 1} at column {_indent(lines[ref]) + 1})"
            return f"this line is indented differently from the lines above it{where}; {what} must line up, so indent it like the line it belongs with"
        if token in ("]", "}"):
            opening = "[" if token == "]" else "{"
            return f"this '{token}' closes no '{opening}'; remove it, or put the value in quotes"
        if token == "<scalar>":
            before = line[: mark.column].rstrip()
            if before.endswith(("'", '"')):
                return (
                    "text follows a closing quote on this line; put the whole value in quotes "
                    "(a ' inside single quotes is written '', or use double quotes)"
                )
            return "this text is not where YAML expects it; check that it lines up with the keys above it and that the line above is complete"
    if problem == "mapping values are not allowed here":
        head = line[: mark.column]
        if ": " in head or head.rstrip().endswith(":") or head.lstrip().startswith("- "):
            return "a value contains ': ', which YAML reads as the start of a new key; put the value in quotes"
        if above is not None and _indent(line) > _indent(lines[above]):
            return (
                f"this line is indented more than line {above + 1}, so YAML reads it as the rest of that line's value; "
                f"keys of one mapping must line up, so indent it like the key it belongs with (or quote the value if it contains ': ')"
            )
        return "a value contains ': ', which YAML reads as the start of a new key; put the value in quotes"
    if problem == "sequence entries are not allowed here":
        return "a '- ' list cannot start on the line of its key; start the list on the next line, indented, or put the value in quotes"
    if problem == "could not find expected ':'" and start is not None:
        return f"line {start.line + 1} is not a 'key: value' line: add ':' after the key, or start the line with '- ' if it is a list item"
    if problem == "found unexpected end of stream" and "quoted" in context and start is not None:
        return f"the quoted text that starts at line {start.line + 1}, column {start.column + 1} is never closed; add the closing quote"
    if problem.startswith("found unknown escape character"):
        return f"{problem[len('found '):]} in double quotes; use single quotes, or write a backslash as '\\\\'"
    chars = re.fullmatch(r"found character '(.)' that cannot start any token", problem)
    if chars:
        return f"a value cannot start with '{chars.group(1)}' in YAML; put the value in quotes"
    if re.fullmatch(r"expected ',' or '[\]}]', but got .*", problem) and start is not None:
        close = "]" if "sequence" in context else "}"
        return (
            f"the '{'[' if close == ']' else '{'}' at line {start.line + 1}, column {start.column + 1} is not closed before this point; "
            f"add the missing '{close}', or put a value that holds ':', ',' or brackets in quotes"
        )
    if "scanning an alias" in context or "scanning an anchor" in context:
        sign = "*" if "alias" in context else "&"
        return f"'{sign}' starts an {'alias' if sign == '*' else 'anchor'} in YAML; put a value that begins with '{sign}' in quotes"
    if "scanning a block scalar" in context:
        return "after '|' or '>' only '-', '+' or a digit may follow on that line; start the text on the next line, indented"
    if problem.startswith("expected '<document start>'"):
        return "there is text after the end of the document ('...'); remove it, or the '...' line"
    return None


def load_file(path: Path, display: str | None = None, *, max_bytes: int = MAX_FILE_BYTES) -> tuple[Document | None, list[Problem]]:
    """Load ``path``; on failure return no document and the problems that say why.

    Problems that do not stop loading (duplicate keys) come back with the document,
    so they are reported alongside every other problem of the run.

    The cyclic garbage collector is paused while one file is read: a document is a
    tree (no cycles to collect), and with thousands of documents already loaded every
    full collection the allocations trigger walks them all again (a third of the load
    time at IHE size).
    """
    with collector_paused():
        return _load_file(path, display, max_bytes)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run a block with Python's cyclic garbage collector paused (reference counting still frees).

    Validation builds trees: documents, then the model, then the problems, with no
    cycles to find. But every ~700 allocations the collector runs, and each full
    collection walks every object alive, so with thousands of documents loaded it
    was 5 of 16 s at 10×IHE size. Nested uses are fine; the collector comes back
    on when the outermost block ends (as it was before it).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _load_file(path: Path, display: str | None, max_bytes: int) -> tuple[Document | None, list[Problem]]:
    display = display or str(path)
    doc = Document(path=path, display=display, data=None)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LoadError(
                error(
                    Loc(display),
                    f"the file is {size / 1048576:.1f} MB, over the {max_bytes // 1048576} MB limit for one spec file; "
                    "keep one entity per file",
                    "yaml-too-large",
                )
            )
        text = _decode(path.read_bytes(), display)
        text_problems = _raw_text_problems(text, display)
        if text_problems:
            return None, text_problems
        builder = _Builder(doc)
        try:
            try:
                doc.data = builder.build(_events(text))
            except yaml.YAMLError:
                if _loader_for(text) is yaml.SafeLoader:
                    raise
                # libyaml refused the file: read it again with the pure-Python parser, so that
                # what is reported (and where) does not depend on which parser is installed.
                doc = Document(path=path, display=display, data=None)
                builder = _Builder(doc)
                doc.data = builder.build(yaml.parse(text, Loader=yaml.SafeLoader))
        except yaml.MarkedYAMLError as exc:
            raise LoadError(_syntax_problem(exc, display, text))
        except yaml.YAMLError as exc:
            raise LoadError(error(Loc(display), f"malformed YAML: {exc}", "yaml-syntax"))
        except RecursionError:
            raise LoadError(error(Loc(display), f"nesting is too deep to read; spec files never need more than {MAX_DEPTH} levels", "yaml-too-deep"))
    except LoadError as exc:
        return None, [exc.problem]
    except OSError as exc:
        return None, [error(Loc(display), f"cannot read the file: {exc.strerror or exc}", "file-unreadable")]
    if doc.data is None:
        return None, builder.problems + [
            error(Loc(display), "the file is empty; give it content, or delete it", "yaml-empty")
        ]
    return doc, builder.problems


def _loader_for(text: str):
    """yaml.parse wants a Loader class; this picks the C-backed one when available."""
    return yaml.CSafeLoader if _Parser is not yaml.parser.Parser else yaml.SafeLoader
