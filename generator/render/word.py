"""Word (.docx) from the HTML the site and the print page are made of.

Committees comment, ballot and edit in Word, so a supplement, a volume or one
chapter can be had as a ``.docx``. It is written from the very HTML the site and
the PDF show (the page Markdown through the site's Markdown extensions), by a
walker over that HTML, so a Word document cannot say anything the site does not:

* ``h1``-``h6`` become Word heading styles (``heading_offset`` says which heading
  is "Heading 1"), with the section numbers as written, so Word's navigation
  pane and table of contents show the framework's numbers;
* paragraphs, lists, definition lists, code blocks, bold, italic, links (web links
  stay links; links into the site become text, as on the print page);
* tables with their caption above, a repeated header row, row and column spans, and
  column widths fitted to their content within the text width;
* editor instructions (``div.tfpub-editor``) as a shaded, bordered paragraph in a
  style of their own ("Editor Instruction");
* figures as pictures: python-docx cannot embed SVG, so the caller has the local
  PlantUML draw each diagram as PNG (:mod:`.word_figures`) and passes the pictures;
  a figure marked ``data-tfpub-picture`` becomes an inline picture, as wide as it
  was drawn but never wider than the text width (aspect kept), the text alternative
  as its alt text (``wp:docPr/@descr``), the caption below it as IHE numbers it
  ("Figure 10.1-1: ..."). A figure without a picture (no Java) is its caption and
  its text alternative in a bordered box;
* ``<ins>``/``<del>`` (the supplement's change markup) as real Word revisions,
  ``w:ins``/``w:del`` by author "tfpub" dated with the document's date, which a
  committee accepts or rejects in Word; or, with ``markup="formatting"``, as the
  IHE formatting (bold underlined, struck through) with no revisions.

The output is byte-deterministic: the core properties and every zip member carry
the document's date, revision ids are counted in document order, and nothing reads
the clock.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html

from ..stable_zip import stable_zip

MARKUP_MODES = ("revisions", "formatting")
AUTHOR = "tfpub"
TEXT_WIDTH_TWIPS = 9360
TEXT_HEIGHT_TWIPS = 12240  # 8.5 in of the 9 in between the margins: a picture leaves room for its caption
SHORT_CELL = 16  # characters: a cell this short is kept on one line  # Letter, 1 inch margins: 6.5 in (IHE publishes on Letter)
_BLOCKS = {"p", "div", "ul", "ol", "dl", "table", "pre", "figure", "blockquote", "hr", "section", "details"} | {f"h{i}" for i in range(1, 7)}
_SKIP_CLASSES = {"tfpub-comment", "headerlink"}
_SPACE = re.compile(r"\s+")


@dataclass
class WordOptions:
    """What is the same for the whole document."""

    title: str
    date: str  # YYYY-MM-DD: the revisions' date, the core properties' created and modified
    markup: str = "revisions"
    heading_offset: int = 0  # h(n) becomes "Heading (n - offset)"; n <= offset becomes "Title"
    subject: str = ""
    keywords: str = ""
    header: str = ""  # running header text
    line_numbers: bool = False  # Public Comment documents are commented on by line
    skip_classes: set[str] = field(default_factory=set)  # HTML elements (by class) left out

    def when(self) -> dt.datetime:
        try:
            return dt.datetime.strptime(self.date, "%Y-%m-%d")
        except (TypeError, ValueError):
            return dt.datetime(2000, 1, 1)


@dataclass
class TitlePage:
    """The lines of a title page, largest first: (text, style)."""

    lines: list[tuple[str, str]]


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _el(tag: str, **attrs: str):
    from docx.oxml import OxmlElement

    e = OxmlElement(tag)
    for k, v in attrs.items():
        e.set(_qn(k.replace("_", ":", 1)), v)
    return e


@dataclass
class _Style:
    """Inline formatting in force while walking."""

    bold: bool = False
    italic: bool = False
    underline: bool = False
    strike: bool = False
    code: bool = False
    sup: bool = False
    sub: bool = False
    change: str = ""  # "", "ins" or "del"
    link: str = ""  # an external URL

    def with_(self, **kw) -> _Style:
        return _Style(**{**self.__dict__, **kw})


class _Writer:
    def __init__(self, document, options: WordOptions, pictures: dict[str, bytes] | None = None):
        self.doc = document
        self.opt = options
        self.pictures = pictures or {}
        self.rev_id = 0
        self.stamp = options.when().strftime("%Y-%m-%dT%H:%M:%SZ")

    # ------------------------------------------------------------------ inline

    def _run(self, paragraph_el, text: str, st: _Style) -> None:
        if not text:
            return
        run = _el("w:r")
        rpr = _el("w:rPr")
        if st.code:
            rpr.append(_el("w:rFonts", w_ascii="Courier New", w_hAnsi="Courier New", w_cs="Courier New"))
        formatting = self.opt.markup == "formatting"
        if st.bold or (formatting and st.change == "ins"):
            rpr.append(_el("w:b"))
        if st.italic:
            rpr.append(_el("w:i"))
        if st.strike or (formatting and st.change == "del"):
            rpr.append(_el("w:strike"))
        if st.link:
            rpr.append(_el("w:color", w_val="0563C1"))
        if st.underline or (formatting and st.change == "ins"):
            rpr.append(_el("w:u", w_val="single"))
        if st.sup or st.sub:
            rpr.append(_el("w:vertAlign", w_val="superscript" if st.sup else "subscript"))
        if len(rpr):
            run.append(rpr)
        deleted = st.change == "del" and not formatting
        t = _el("w:delText" if deleted else "w:t")
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        run.append(t)
        target = paragraph_el
        if st.change and not formatting:
            target = self._revision(paragraph_el, st.change)
        if st.link:
            target = self._hyperlink(target, st.link)
        target.append(run)

    def _revision(self, parent, kind: str):
        """The w:ins or w:del run container to append to: the last child, when it is the same change."""
        last = parent[-1] if len(parent) else None
        tag = _qn(f"w:{kind}")
        if last is not None and last.tag == tag:
            return last
        self.rev_id += 1
        box = _el(f"w:{kind}", w_id=str(self.rev_id), w_author=AUTHOR, w_date=self.stamp)
        parent.append(box)
        return box

    def _hyperlink(self, parent, url: str):
        from docx.opc.constants import RELATIONSHIP_TYPE

        last = parent[-1] if len(parent) else None
        r_id = self.doc.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        if last is not None and last.tag == _qn("w:hyperlink") and last.get(_qn("r:id")) == r_id:
            return last
        link = _el("w:hyperlink")
        link.set(_qn("r:id"), r_id)
        parent.append(link)
        return link

    def inline(self, p_el, node, st: _Style, pre: bool = False) -> None:
        """Append the text and inline children of ``node`` (its .text, children and their tails)."""
        self._text(p_el, node.text, st, pre)
        for child in node:
            if not isinstance(child.tag, str):  # comments, processing instructions
                self._text(p_el, child.tail, st, pre)
                continue
            tag = child.tag.lower()
            if self._skipped(child):
                pass
            elif tag == "br":
                r = _el("w:r")
                r.append(_el("w:br"))
                p_el.append(r)
            elif tag in ("img", "svg", "script", "style"):
                alt = child.get("alt", "")
                self._text(p_el, f"[{alt}]" if alt else "", st, pre)
            else:
                self.inline(p_el, child, self._inline_style(child, st), pre or tag == "pre")
            self._text(p_el, child.tail, st, pre)

    def _text(self, p_el, text: str | None, st: _Style, pre: bool) -> None:
        if not text:
            return
        if not pre:
            text = _SPACE.sub(" ", text)
            if not _has_text(p_el) or _ends_with_space(p_el):
                text = text.lstrip()
            self._run(p_el, text, st)
            return
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if i:
                r = _el("w:r")
                r.append(_el("w:br"))
                p_el.append(r)
            self._run(p_el, line, st)

    def _inline_style(self, node, st: _Style) -> _Style:
        tag = node.tag.lower()
        if tag in ("strong", "b", "th"):
            return st.with_(bold=True)
        if tag in ("em", "i", "cite", "dfn"):
            return st.with_(italic=True)
        if tag in ("code", "kbd", "samp", "tt", "pre"):
            return st.with_(code=True)
        if tag == "ins":
            return st.with_(change="ins")
        if tag == "u":
            return st.with_(underline=True)
        if tag in ("del", "s", "strike"):
            return st.with_(change="del") if tag == "del" else st.with_(strike=True)
        if tag == "sup":
            return st.with_(sup=True)
        if tag == "sub":
            return st.with_(sub=True)
        if tag == "a":
            href = node.get("href", "")
            return st.with_(link=href) if re.match(r"^(https?|mailto):", href) else st
        return st

    def _skipped(self, node) -> bool:
        if node.get("hidden") is not None:  # not shown on the site either (the search aliases)
            return True
        classes = set((node.get("class") or "").split())
        return bool(classes & (_SKIP_CLASSES | self.opt.skip_classes))

    # ------------------------------------------------------------------ blocks

    def paragraph(self, container, style: str | None = None):
        p = container.add_paragraph()
        if style:
            p.style = self.doc.styles[style]
        return p

    def blocks(self, container, node, st: _Style | None = None, list_level: int = 0) -> None:
        """Write the children of ``node`` into ``container`` (the document body or a table cell)."""
        st = st or _Style()
        loose: list = []  # inline content between blocks: gathered into one paragraph

        def flush() -> None:
            if not loose:
                return
            holder = etree.Element("span")
            holder.text = loose[0] if isinstance(loose[0], str) else None
            for item in loose[1 if isinstance(loose[0], str) else 0 :]:
                if isinstance(item, str):
                    if len(holder):
                        holder[-1].tail = (holder[-1].tail or "") + item
                    else:
                        holder.text = (holder.text or "") + item
                else:
                    holder.append(item)
            loose.clear()
            if "".join(holder.itertext()).strip():
                p = self.paragraph(container)
                self.inline(p._p, holder, st)

        if node.text:
            loose.append(node.text)
        for child in list(node):
            tail = child.tail
            if not isinstance(child.tag, str):
                if tail:
                    loose.append(tail)
                continue
            tag = child.tag.lower()
            if self._skipped(child):
                pass
            elif tag in _BLOCKS or tag in ("li", "dt", "dd", "caption", "figcaption"):
                flush()
                self.block(container, child, st, list_level)
            else:
                child_copy = _copy_without_tail(child)
                loose.append(child_copy)
            if tail:
                loose.append(tail)
        flush()

    def block(self, container, node, st: _Style, list_level: int) -> None:
        tag = node.tag.lower()
        classes = set((node.get("class") or "").split())
        if re.fullmatch(r"h[1-6]", tag):
            level = int(tag[1]) - self.opt.heading_offset
            p = self.paragraph(container, "Title" if level < 1 else f"Heading {min(level, 9)}")
            anchor = node.get("id")
            self.inline(p._p, node, st)
            if anchor:
                self._bookmark(p._p, anchor)
        elif tag == "p":
            p = self.paragraph(container, "Note" if "tfpub-note" in classes else None)
            self.inline(p._p, node, st)
        elif tag == "div" and "tfpub-editor" in classes:
            p = self.paragraph(container, "Editor Instruction")
            self.inline(p._p, node, st)
        elif tag in ("ul", "ol"):
            for li in node:
                if isinstance(li.tag, str) and li.tag.lower() == "li":
                    self.list_item(container, li, st, "List Number" if tag == "ol" else "List Bullet", list_level + 1)
        elif tag == "li":
            self.list_item(container, node, st, "List Bullet", list_level + 1)
        elif tag == "dl":
            self.blocks(container, node, st, list_level)
        elif tag == "dt":
            p = self.paragraph(container)
            self.inline(p._p, node, st.with_(bold=True))
        elif tag == "dd":
            self._indented(container, node, st)
        elif tag == "pre":
            p = self.paragraph(container, "Code")
            self.inline(p._p, node, st.with_(code=True), pre=True)
        elif tag == "table":
            self.table(container, node, st)
        elif tag == "figure":
            self.figure(container, node, st)
        elif tag in ("caption", "figcaption"):
            p = self.paragraph(container, "Caption")
            self.inline(p._p, node, st)
        elif tag == "hr":
            pass
        else:  # div, section, blockquote, details: their content
            self.blocks(container, node, st, list_level)

    def _indented(self, container, node, st: _Style) -> None:
        from docx.shared import Inches

        start = len(container.paragraphs)
        self.blocks(container, node, st)
        for p in container.paragraphs[start:]:
            p.paragraph_format.left_indent = Inches(0.4)

    def list_item(self, container, li, st: _Style, style: str, level: int) -> None:
        name = style if level == 1 else f"{style} {min(level, 3)}"
        p = self.paragraph(container, name)
        inline_part = etree.Element("span")
        inline_part.text = li.text
        nested = []
        for child in li:
            if isinstance(child.tag, str) and child.tag.lower() in _BLOCKS and child.tag.lower() not in ("p",):
                nested.append(child)
            elif isinstance(child.tag, str) and child.tag.lower() == "p" and not nested:
                c = _copy_without_tail(child)
                c.tag = "span"
                inline_part.append(c)
                c.tail = " " + (child.tail or "")
            else:
                inline_part.append(_copy_with_tail(child))
        self.inline(p._p, inline_part, st)
        for child in nested:
            if child.tag.lower() in ("ul", "ol"):
                for sub in child:
                    if isinstance(sub.tag, str) and sub.tag.lower() == "li":
                        self.list_item(container, sub, st, "List Number" if child.tag.lower() == "ol" else "List Bullet", level + 1)
            else:
                self.block(container, child, st, level)

    def _bookmark(self, p_el, name: str) -> None:
        self.rev_id += 1
        safe = re.sub(r"[^A-Za-z0-9_]", "_", name)[:38] or "b"
        start = _el("w:bookmarkStart", w_id=str(self.rev_id), w_name=f"_{safe}")
        end = _el("w:bookmarkEnd", w_id=str(self.rev_id))
        p_el.insert(1 if len(p_el) and p_el[0].tag == _qn("w:pPr") else 0, start)
        p_el.append(end)

    # ------------------------------------------------------------------ figures

    def figure(self, container, node, st: _Style) -> None:
        """A figure as a picture with its caption below, or as a one-cell box holding its text alternative."""
        caption = node.find(".//figcaption")
        alt_items = [_SPACE.sub(" ", "".join(li.itertext())).strip() for li in node.iterfind(".//details//li")]
        png = self.pictures.get(node.get("data-tfpub-picture") or "")
        if png is not None and picture_size(png) is not None:
            img = node.find(".//img")  # an author's image: its own text alternative
            alt = "\n".join(alt_items) or (img.get("alt") if img is not None and img.get("alt") else "") or (_cell_text(caption) if caption is not None else "Diagram")
            self._picture(container, png, alt, _cell_text(caption) if caption is not None else "")
            if caption is not None:
                c = self.paragraph(container, "Caption")
                self.inline(c._p, caption, st)
            return
        source = node.find(".//pre")
        box = container.add_table(rows=1, cols=1)
        box.style = self.doc.styles["Table Grid"]
        _fix_table_layout(box, [TEXT_WIDTH_TWIPS])
        cell = box.cell(0, 0)
        _set_cell_width(cell, TEXT_WIDTH_TWIPS)
        first = cell.paragraphs[0]
        first.style = self.doc.styles["Figure Text"]
        note = "The diagram is drawn on the site" + (". What it shows:" if alt_items else ".")
        self._run(first._p, note, st.with_(italic=True))
        for item in alt_items:
            q = self.paragraph(cell, "Figure Text")
            self._run(q._p, item, st)
        if not alt_items and source is not None:
            q = self.paragraph(cell, "Code")
            self.inline(q._p, source, st.with_(code=True), pre=True)
        if caption is not None:
            c = self.paragraph(container, "Caption")
            self.inline(c._p, caption, st)

    def _picture(self, container, png: bytes, alt: str, title: str) -> None:
        """An inline picture in a paragraph of its own, kept with the caption that follows."""
        width, height = picture_size(png)
        p = self.paragraph(container, "Figure")
        run = p.add_run()
        run.add_picture(io.BytesIO(png), width=width * 635, height=height * 635)  # twips to EMU
        doc_pr = run._r.find(".//" + _qn("wp:docPr"))
        doc_pr.set("descr", alt)
        if title:
            doc_pr.set("title", title)

    # ------------------------------------------------------------------ tables

    def table(self, container, node, st: _Style) -> None:
        from docx.shared import Pt  # noqa: F401  (python-docx loaded)

        caption = node.find("caption")
        if caption is not None:
            p = self.paragraph(container, "Caption")
            self.inline(p._p, caption, st)
            p.paragraph_format.keep_with_next = True
        rows: list[tuple[bool, list]] = []
        for section in node:
            if not isinstance(section.tag, str):
                continue
            stag = section.tag.lower()
            if stag in ("thead", "tbody", "tfoot"):
                for tr in section:
                    if isinstance(tr.tag, str) and tr.tag.lower() == "tr":
                        rows.append((stag == "thead", [c for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]))
            elif stag == "tr":
                rows.append((False, [c for c in section if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]))
        if not rows:
            return
        grid = _layout(rows)
        ncols = max(len(r) for r in grid)
        widths = fit_widths([[_cell_text(cell) if cell is not None and origin else "" for cell, origin, _, _ in row] + [""] * (ncols - len(row)) for row in grid],
                            TEXT_WIDTH_TWIPS, header_rows=sum(1 for header, _ in rows if header))
        table = container.add_table(rows=len(grid), cols=ncols)
        table.style = self.doc.styles["Table Grid"]
        _fix_table_layout(table, widths)
        for r, ((header, _), row) in enumerate(zip(rows, grid)):
            tr = table.rows[r]._tr
            if header:
                trpr = tr.get_or_add_trPr()
                trpr.append(_el("w:tblHeader"))
            whole_change = _whole_row_change([cell for cell, origin, _, _ in row if cell is not None and origin])
            for c in range(ncols):
                cell = table.cell(r, c)
                cell.width = widths[c]  # placeholder, set in twips below
                _set_cell_width(cell, widths[c])
                if c >= len(row) or row[c][0] is None:
                    continue
                html_cell, origin, vmerge, _span = row[c]
                tcpr = cell._tc.get_or_add_tcPr()
                if vmerge:
                    tcpr.append(_el("w:vMerge", **({"w_val": "restart"} if origin else {})))
                if header:
                    tcpr.append(_el("w:shd", w_val="clear", w_color="auto", w_fill="E7E6E6"))
                if not origin:
                    continue
                cell_st = st.with_(bold=True) if header or html_cell.tag.lower() == "th" else st
                self.cell(cell, html_cell, cell_st)
            if whole_change and not header and self.opt.markup == "revisions":
                trpr = tr.get_or_add_trPr()
                self.rev_id += 1
                trpr.append(_el(f"w:{whole_change}", w_id=str(self.rev_id), w_author=AUTHOR, w_date=self.stamp))
        _merge_spans(table, grid)
        self.paragraph(container)  # Word needs a paragraph between two tables; it also separates a table from its notes

    def cell(self, cell, node, st: _Style) -> None:
        first = cell.paragraphs[0]
        start = len(cell.paragraphs)
        self.blocks(cell, node, st)
        added = cell.paragraphs[start:]
        if added:  # the cell's own empty first paragraph gives way to the content
            first._p.getparent().remove(first._p)


# ---------------------------------------------------------------------------- table layout


def _layout(rows):
    """A grid: each slot (html cell, is its origin, takes part in a vertical merge, column span)."""
    grid: list[list] = [[] for _ in rows]
    for r, (_, cells) in enumerate(rows):
        c = 0
        for cell in cells:
            while c < len(grid[r]) and grid[r][c] is not None:
                c += 1
            rowspan = max(1, min(_int(cell.get("rowspan")), len(rows) - r))
            colspan = max(1, _int(cell.get("colspan")))
            for dr in range(rowspan):
                row = grid[r + dr]
                while len(row) < c + colspan:
                    row.append(None)
                for dc in range(colspan):
                    row[c + dc] = (cell, dr == 0 and dc == 0, rowspan > 1, colspan)
            c += colspan
    for row in grid:
        for i, slot in enumerate(row):
            if slot is None:
                row[i] = (None, False, False, 1)
    return grid


def _int(value) -> int:
    try:
        return int(value or 1)
    except ValueError:
        return 1


def _cell_text(node) -> str:
    return _SPACE.sub(" ", "".join(node.itertext())).strip()


def fit_widths(texts: list[list[str]], total: int, header_rows: int = 0) -> list[int]:
    """Column widths (twips) summing to ``total``, each column as wide as its content asks.

    A column needs at least its longest word (so "Requirement" never breaks as
    "Requiremen/t"), and all of a short cell ("ITI TF-2: 3.18", "O (Note 1)"), which
    reads badly broken; it wants room for its longest text (capped, since long text
    wraps). Headings count by their longest word only: they may wrap between words.
    The text width goes first to every column's need, the rest in proportion to what
    each column wants beyond it.
    """
    ncols = max((len(r) for r in texts), default=0)
    if not ncols:
        return []
    words, shorts, longs = [0] * ncols, [0] * ncols, [0] * ncols
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            longest_word = max((len(w) for w in text.split()), default=0)
            words[c] = max(words[c], longest_word * (1.15 if r < header_rows else 1))  # headings are bold
            if len(text) <= SHORT_CELL and r >= header_rows:
                shorts[c] = max(shorts[c], len(text))
            if r >= header_rows:  # a heading may wrap between its words
                longs[c] = max(longs[c], min(len(text), 60))
    char, pad = 110, 240  # twips per character at 10 pt (a wider substitute font included), a cell's two margins
    hard = [w * (char + 15) + pad for w in words]  # a word must fit whole, in a bold heading too
    soft = [max(h, s * char + pad) for h, s in zip(hard, shorts)]
    want = [max(s, n * char + pad) for s, n in zip(soft, longs)]
    widths = _share(total, [hard, soft, want])
    out = [int(w) for w in widths]
    out[-1] += total - sum(out)
    return out


def _share(total: float, tiers: list[list[float]]) -> list[float]:
    """Give each column its first tier, then move all columns together toward the next tier until the total is used."""
    first = tiers[0]
    if total <= sum(first):
        return [total * f / sum(first) for f in first]
    for low, high in itertools.pairwise(tiers):
        if total <= sum(high):
            frac = (total - sum(low)) / max(sum(high) - sum(low), 1)
            return [lo + (hi - lo) * frac for lo, hi in zip(low, high)]
    last = tiers[-1]
    return [total * w / sum(last) for w in last]


def picture_size(png: bytes) -> tuple[int, int] | None:
    """The (width, height) in twips a PNG is shown at: its drawn size, shrunk to fit the text area.

    The renderer draws at ``PNG_DPI``, so a picture's natural size is its pixels at that
    resolution; a wider or taller one is scaled down, its aspect kept. None: not a PNG.
    """
    from ..diagrams.renderer import png_size
    from ..diagrams.runtime import PNG_DPI

    pixels = png_size(png)
    if pixels is None:
        return None
    w, h = (n * 1440 / PNG_DPI for n in pixels)
    scale = min(1.0, TEXT_WIDTH_TWIPS / w, TEXT_HEIGHT_TWIPS / h)
    return max(1, int(w * scale)), max(1, int(h * scale))


def _fix_table_layout(table, widths: list[int]) -> None:
    tbl = table._tbl
    tblpr = tbl.tblPr
    for old in tblpr.findall(_qn("w:tblW")):
        tblpr.remove(old)
    tblpr.append(_el("w:tblW", w_w=str(sum(widths)), w_type="dxa"))
    tblpr.append(_el("w:tblLayout", w_type="fixed"))
    grid = tbl.tblGrid
    for col, w in zip(grid.findall(_qn("w:gridCol")), widths):
        col.set(_qn("w:w"), str(w))


def _set_cell_width(cell, twips: int) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    for old in tcpr.findall(_qn("w:tcW")):
        tcpr.remove(old)
    tcpr.insert(0, _el("w:tcW", w_w=str(twips), w_type="dxa"))


def _merge_spans(table, grid) -> None:
    """Column spans: python-docx's merge joins the cells (gridSpan); row spans are the vMerge marks set above."""
    for r, row in enumerate(grid):
        c = 0
        while c < len(row):
            cell, origin, _, span = row[c]
            if cell is not None and origin and span > 1:
                tc = table.cell(r, c)._tc
                tcpr = tc.get_or_add_tcPr()
                tcpr.append(_el("w:gridSpan", w_val=str(span)))
                tr = tc.getparent()
                for _ in range(span - 1):
                    nxt = tc.getnext()
                    if nxt is not None and nxt.tag == _qn("w:tc"):
                        tr.remove(nxt)
                c += span
            else:
                c += 1


def _whole_row_change(cells) -> str:
    """'ins' when every cell's text is inserted (a new row), 'del' when every cell's text is removed."""
    kinds = set()
    for cell in cells:
        text = _cell_text(cell)
        if not text:
            continue
        ins = "".join("".join(e.itertext()) for e in cell.iter("ins"))
        dele = "".join("".join(e.itertext()) for e in cell.iter("del"))
        if _SPACE.sub("", ins) == _SPACE.sub("", text):
            kinds.add("ins")
        elif _SPACE.sub("", dele) == _SPACE.sub("", text):
            kinds.add("del")
        else:
            return ""
    return kinds.pop() if len(kinds) == 1 else ""


# ---------------------------------------------------------------------------- helpers


def _has_text(p_el) -> bool:
    return any((t.text or "") for t in p_el.iter(_qn("w:t"), _qn("w:delText")))


def _ends_with_space(p_el) -> bool:
    texts = [t.text or "" for t in p_el.iter(_qn("w:t"), _qn("w:delText"))]
    return bool(texts) and texts[-1].endswith(" ")


def _copy_without_tail(node):
    from copy import deepcopy

    c = deepcopy(node)
    c.tail = None
    return c


def _copy_with_tail(node):
    from copy import deepcopy

    return deepcopy(node)


# ---------------------------------------------------------------------------- the document


def _styles(document) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    for level in range(1, 7):
        h = styles[f"Heading {level}"]
        h.font.name = "Arial"
        h.font.size = Pt({1: 16, 2: 14, 3: 12, 4: 11, 5: 10.5, 6: 10}[level])
        h.font.color.rgb = RGBColor(0, 0, 0)
        h.font.italic = False
        h.font.bold = True
        fonts = h.element.rPr.find(_qn("w:rFonts"))
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(_qn(theme), None)  # a theme font would win over Arial in Word
    editor = styles.add_style("Editor Instruction", WD_STYLE_TYPE.PARAGRAPH)
    editor.base_style = normal
    editor.font.italic = True
    editor.paragraph_format.keep_with_next = True
    ppr = editor.element.get_or_add_pPr()
    borders = _el("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        borders.append(_el(f"w:{side}", w_val="single", w_sz="6", w_space="4", w_color="000000"))
    ppr.append(borders)
    ppr.append(_el("w:shd", w_val="clear", w_color="auto", w_fill="D9D9D9"))
    picture = styles.add_style("Figure", WD_STYLE_TYPE.PARAGRAPH)
    picture.base_style = normal
    picture.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True  # the caption stays under its picture
    picture.paragraph_format.space_before = Pt(6)
    figure = styles.add_style("Figure Text", WD_STYLE_TYPE.PARAGRAPH)
    figure.base_style = normal
    figure.font.size = Pt(9)
    figure.paragraph_format.keep_with_next = True
    note = styles.add_style("Note", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.size = Pt(8.5)
    code = styles.add_style("Code", WD_STYLE_TYPE.PARAGRAPH)
    code.base_style = normal
    code.font.name = "Courier New"
    code.font.size = Pt(8.5)
    caption = styles["Caption"]
    caption.font.color.rgb = RGBColor(0, 0, 0)
    caption.font.size = Pt(9)
    caption.font.bold = True
    caption.font.italic = False


def _field(paragraph, instruction: str, result: str = "") -> None:
    """A complex field (PAGE, TOC, ...) with a shown result until Word updates it."""
    p = paragraph._p
    for kind, extra in (("begin", None), ("instr", instruction), ("separate", None), ("result", result), ("end", None)):
        r = _el("w:r")
        if kind in ("begin", "separate", "end"):
            r.append(_el("w:fldChar", w_fldCharType=kind))
        elif kind == "instr":
            t = _el("w:instrText")
            t.text = f" {extra} "
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            r.append(t)
        else:
            if not extra:
                continue
            t = _el("w:t")
            t.text = extra
            r.append(t)
        p.append(r)


def _toc(document, writer: _Writer, headings: list[tuple[int, str]]) -> None:
    """A table of contents field, its result the headings as they are (Word refreshes it with page numbers)."""
    p = writer.paragraph(document, "TOC Heading" if "TOC Heading" in [s.name for s in document.styles] else "Heading 1")
    p.add_run("Contents")
    first = document.add_paragraph()
    r = _el("w:r")
    r.append(_el("w:fldChar", w_fldCharType="begin"))
    first._p.append(r)
    r = _el("w:r")
    t = _el("w:instrText")
    t.text = ' TOC \\o "1-3" \\h \\z \\u '
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    r.append(t)
    first._p.append(r)
    r = _el("w:r")
    r.append(_el("w:fldChar", w_fldCharType="separate"))
    first._p.append(r)
    last = first
    for i, (level, text) in enumerate(headings):
        para = first if i == 0 else document.add_paragraph()
        para.paragraph_format.left_indent = int(360 * (level - 1) * 635)  # EMU: 0.25 in a level
        para.add_run(text)
        last = para
    r = _el("w:r")
    r.append(_el("w:fldChar", w_fldCharType="end"))
    last._p.append(r)


def _settings(document, options: WordOptions) -> None:
    settings = document.settings.element
    settings.append(_el("w:updateFields", w_val="true"))  # Word refreshes the contents and page numbers on opening
    if options.markup == "revisions":
        pass  # revisions show as tracked changes; "track changes" itself stays off, so the reader's own edits are not tracked


def _page_setup(document, options: WordOptions) -> None:
    from docx.shared import Inches

    section = document.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(1))
    if options.header:
        section.header.paragraphs[0].text = options.header
    footer = section.footer.paragraphs[0]
    footer.text = ""
    footer.add_run(f"{options.title} \u2013 page ")
    _field(footer, "PAGE", "1")
    if options.line_numbers:
        sectpr = section._sectPr
        sectpr.append(_el("w:lnNumType", w_countBy="1", w_restart="continuous", w_distance="360"))
        # schema order: lnNumType goes before pgNumType/cols/docGrid; move it into place
        for name in ("w:pgNumType", "w:cols", "w:docGrid"):
            following = sectpr.find(_qn(name))
            if following is not None:
                following.addprevious(sectpr[-1])
                break


def write_docx(body_html: str, options: WordOptions, *, title_page: TitlePage | None = None, contents: bool = False,
               pictures: dict[str, bytes] | None = None) -> bytes:
    """The .docx of ``body_html`` (an HTML fragment), as bytes, the same for the same input.

    ``pictures``: PNG bytes by the ``data-tfpub-picture`` value of the figure they draw.
    """
    import docx

    if options.markup not in MARKUP_MODES:
        raise ValueError(f"markup must be one of {', '.join(MARKUP_MODES)}, not {options.markup!r}")
    document = docx.Document()
    _styles(document)
    _page_setup(document, options)
    _settings(document, options)
    writer = _Writer(document, options, pictures)
    root = lxml_html.fragment_fromstring(body_html or "<p></p>", create_parent="div")
    if title_page is not None:
        for text, style in title_page.lines:
            p = writer.paragraph(document, style)
            p.add_run(text)
        document.add_page_break()
    if contents:
        headings = []
        for h in root.iter("h1", "h2", "h3", "h4"):
            if writer._skipped(h):
                continue
            level = int(h.tag[1]) - options.heading_offset
            if 1 <= level <= 3:
                headings.append((level, _SPACE.sub(" ", "".join(h.itertext())).strip()))
        _toc(document, writer, headings)
        document.add_page_break()
    writer.blocks(document, root)
    core = document.core_properties
    when = options.when()
    core.title = options.title
    core.subject = options.subject
    core.keywords = options.keywords
    core.author = AUTHOR
    core.last_modified_by = AUTHOR
    core.comments = ""
    core.revision = 1
    core.created = when
    core.modified = when
    core.last_printed = when
    out = io.BytesIO()
    document.save(out)
    return stable_zip(out.getvalue(), when)


def markdown_to_html(text: str) -> str:
    """Page Markdown to HTML with the extensions the site and the print page use."""
    import markdown

    converter = markdown.Markdown(extensions=["attr_list", "tables", "md_in_html", "toc", "def_list"], output_format="html")
    return converter.convert(text)


def write_atomic(path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it: never a half-written document."""
    import os
    import tempfile
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
