"""Word and Excel forms of an annex (and of an integration statement).

Both libraries write a zip whose member timestamps are "now"; :func:`stable_zip`
rewrites the archive with every timestamp set to the framework date, and the
document properties carry that date too, so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from ..model import STATUS_LABELS
from ..stable_zip import stable_zip
from .expand import CONFORMANCE, Expansion
from .render import (
    COMPLIANCE_CHOICES,
    REQUIREMENT_COLUMNS,
    VENDOR_COLUMNS,
    by_subject,
    facts_lines,
    matrix_rows,
    names,
    paragraphs,
    selection_rows,
)


def _date(text: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d")
    except (TypeError, ValueError):
        return dt.datetime(2000, 1, 1)


# --------------------------------------------------------------------------- Word

# Page sizes in twips (1/1440 inch), portrait; margins 2 cm all round.
PAPER_TWIPS = {"a4": (11906, 16838), "letter": (12240, 15840)}
MARGIN_TWIPS = 1134
CELL_PADDING = 2 * 108  # Word's default left and right cell margins
TABLE_PT = 9  # table text size, so a requirement reads as a line or two
FONT = "Arial"  # on every Word installation; LibreOffice maps it to the metric-compatible Liberation Sans
# Advance widths of Arial/Helvetica (1/1000 em), printable ASCII from the space; anything else counts as 556.
_ADVANCE = [int(w) for w in (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 "
    "278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 667 778 722 667 "
    "611 722 667 944 667 667 611 278 278 278 469 556 333 556 556 500 556 556 278 556 556 222 222 500 222 833 "
    "556 556 556 556 333 500 278 556 500 722 500 500 500 334 260 334 584"
).split()]
SAFETY = 1.2  # room for bold, and for the fonts a reader substitutes (DejaVu Sans is some 15% wider)


def text_width(text: str, pt: float = TABLE_PT, bold: bool = False) -> int:
    """Estimated width of ``text`` in twips, set in :data:`FONT` at ``pt`` points, with :data:`SAFETY` to spare,
    so that a heading or an id measured to fit does not break in Word or LibreOffice."""
    units = sum(_ADVANCE[ord(ch) - 32] if 32 <= ord(ch) < 127 else 556 for ch in text)
    return int(round(units / 1000 * pt * 20 * SAFETY * (1.08 if bold else 1.0)))


def fit_widths(header: list[str], rows: list[list[str]], total: int) -> list[int]:
    """Column widths (twips) summing to ``total``: each column at least its longest word and its
    whole heading, the rest shared in proportion to how much wider each column's longest text is.

    This is the automatic table layout of HTML, done once here so Word can use a fixed layout
    (which it renders the same everywhere) and the result is deterministic."""
    n = len(header)
    lo = [text_width(h, bold=True) + CELL_PADDING for h in header]
    hi = list(lo)
    for row in rows:
        for i, cell in enumerate(row[:n]):
            for para in str(cell).split("\n"):
                words = para.split()
                if words:
                    lo[i] = max(lo[i], max(text_width(w) for w in words) + CELL_PADDING)
                hi[i] = max(hi[i], text_width(para) + CELL_PADDING)
    if sum(lo) >= total:
        widths = [w * total / sum(lo) for w in lo]
    elif sum(hi) <= total:
        widths = [w * total / sum(hi) for w in hi]
    else:
        spare, stretch = total - sum(lo), sum(h - l for h, l in zip(hi, lo))
        widths = [l + (h - l) * spare / stretch for h, l in zip(hi, lo)]
    out = [int(w) for w in widths]
    out[out.index(max(out))] += total - sum(out)
    return out


def page_setup(document, paper: str, orientation: str) -> int:
    """Paper size, orientation and margins of every section; returns the text width in twips."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Twips

    width, height = PAPER_TWIPS.get(paper, PAPER_TWIPS["a4"])
    if orientation == "landscape":
        width, height = height, width
    for section in document.sections:
        section.orientation = WD_ORIENT.LANDSCAPE if orientation == "landscape" else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Twips(width), Twips(height)
        section.left_margin = section.right_margin = Twips(MARGIN_TWIPS)
        section.top_margin = section.bottom_margin = Twips(MARGIN_TWIPS)
        section.header_distance = section.footer_distance = Twips(567)
    return width - 2 * MARGIN_TWIPS


def _text_width_of(document) -> int:
    section = document.sections[0]
    return int(section.page_width.twips - section.left_margin.twips - section.right_margin.twips)


def _hyperlink(paragraph, text: str, *, url: str = "", anchor: str = "", pt: float = TABLE_PT) -> None:
    """A Word hyperlink: to ``url`` (an external relationship) or to a bookmark ``anchor`` in the document."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    link = OxmlElement("w:hyperlink")
    if url:
        link.set(qn("r:id"), paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True))
    else:
        link.set(qn("w:anchor"), anchor)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "0563C1")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), str(int(pt * 2)))
    props.extend([color, underline, size])
    run.append(props)
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _bookmark(paragraph, name: str, number: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(number))
    paragraph._p.insert(0, start)
    paragraph._p.append(end)


class Cell:
    """A table cell's content: text, optionally split into citation spans (see :mod:`.links`) and with a bookmark."""

    def __init__(self, text: str, spans=None, bookmark: str = ""):
        self.text, self.spans, self.bookmark = text, spans, bookmark

    def __str__(self) -> str:
        return self.text


def _fill(cell, content, urls, bookmarks: list[int], bold: bool = False) -> None:
    from docx.shared import Pt

    cell.text = ""
    para = cell.paragraphs[0]
    spans = getattr(content, "spans", None)
    if spans is None:
        run = para.add_run(str(content))
        run.bold = bold or None
        run.font.size = Pt(TABLE_PT)
    else:
        for span in spans:
            url = urls(span) if span.page else ""
            if span.req:
                from .links import bookmark

                _hyperlink(para, span.text, anchor=bookmark(span.req))
            elif url:
                _hyperlink(para, span.text, url=url)
            else:
                para.add_run(span.text).font.size = Pt(TABLE_PT)
    name = getattr(content, "bookmark", "")
    if name:
        bookmarks.append(len(bookmarks) + 1)
        _bookmark(para, name, bookmarks[-1])


def _docx_table(document, header: list[str], rows: list[list], widths_cm=None, *, widths: list[int] | None = None,
                urls=lambda span: "", bookmarks: list[int] | None = None):
    """A table as wide as the text, with content-sized columns (``fit_widths``) in a fixed layout.

    Word takes the grid (``w:tblGrid``) as the layout and the cell widths (``w:tcW``) as
    preferences; both are set to the same widths, with the table width equal to the text
    width, so Word, LibreOffice and other readers agree. ``widths_cm`` is ignored (it was a
    guess that did not fit the page); pass ``widths`` to share one layout across tables."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Twips

    total = _text_width_of(document)
    widths = widths or fit_widths(header, [[str(c) for c in row] for row in rows], total)
    bookmarks = [] if bookmarks is None else bookmarks
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False  # w:tblLayout fixed
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:w"), str(sum(widths)))
    tbl_w.set(qn("w:type"), "dxa")
    for col, width in zip(table._tbl.tblGrid.gridCol_lst, widths):
        col.w = Twips(width)
    for cell, text in zip(table.rows[0].cells, header):
        _fill(cell, text, urls, bookmarks, bold=True)
    # repeat the heading row on every page, and never split it
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        marker = OxmlElement(tag)
        marker.set(qn("w:val"), "true")
        tr_pr.append(marker)
    for row in rows:
        cells = table.add_row().cells
        for cell, content in zip(cells, row):
            _fill(cell, content, urls, bookmarks)
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = Twips(width)
    return table


def _core(value: str) -> str:
    """A core-property value within Word's limit of 255 characters (python-docx refuses longer ones)."""
    return value if len(value) <= 255 else value[:254] + "\u2026"


def _new_document(title: str, author: str, date: str, subject: str):
    from docx import Document
    from docx.oxml.ns import qn

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    props = document.core_properties
    when = _date(date)
    # Word's core properties hold at most 255 characters; the full title is in the document itself.
    props.title = _core(title)
    props.author = _core(author) or "tfpub"
    props.last_modified_by = "tfpub"
    props.subject = subject
    props.created = when
    props.modified = when
    props.last_printed = when
    props.revision = 1
    props.keywords = "IHE"
    props.comments = ""
    return document


def _save_docx(document, date: str) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return stable_zip(buf.getvalue(), _date(date))


def annex_docx(e: Expansion, fw, *, paper: str = "", orientation: str = "", site_url: str = "") -> bytes:
    """The annex as Word. Requirement ids are bookmarks that the sources link to; TF citations and
    transactions are hyperlinks to the published site when ``site_url`` is known, else text."""
    from .links import Citations, Hrefs, bookmark

    out = e.annex.output
    n = names(fw)
    cites, hrefs = Citations(fw, e), Hrefs(site_url=site_url or out.site_url)
    title = " ".join(e.annex.title.split())
    document = _new_document(title, e.annex.buyer, e.date, "IHE requirements annex")
    total = page_setup(document, paper or out.paper, orientation or out.orientation or "portrait")
    document.add_heading(title, level=0)
    for key, value in facts_lines(e):
        p = document.add_paragraph(style="List Bullet")
        p.add_run(f"{key}: ").bold = True
        p.add_run(value)
    for para in paragraphs(e.annex.introduction):
        document.add_paragraph(para)
    document.add_heading("Conformance", level=1)
    for para in CONFORMANCE:
        document.add_paragraph(para)
    document.add_heading("Selection", level=1)
    _docx_table(document, ["Profile", "Actor", "Options", "Level"], selection_rows(e, n))
    document.add_heading("Requirements", level=1)
    header = ["ID", "Level", "Requirement", "Source", "Flags"]
    groups = by_subject(e)
    rows_of = [
        [
            [Cell(r.id, bookmark=bookmark(r.id)), r.level, Cell(r.text, cites.spans(r.text)),
             Cell(cites.source_text(r), cites.spans(cites.source_text(r))), "; ".join(r.flags)]
            for r in reqs
        ]
        for _, reqs in groups
    ]
    # one layout for every requirement table, so the columns line up from table to table
    widths = fit_widths(header, [[str(c) for c in row] for rows in rows_of for row in rows], total)
    bookmarks: list[int] = []
    for (subject, _), rows in zip(groups, rows_of):
        document.add_heading(subject, level=2)
        _docx_table(document, header, rows, widths=widths, urls=hrefs.href, bookmarks=bookmarks)
    return _save_docx(document, e.date)


# --------------------------------------------------------------------------- Excel


XLSX_PAPER = {"a4": 9, "letter": 1}  # SpreadsheetML paperSize codes
XLSX_WIDTHS = [15, 8, 18, 48, 30, 18, 14, 13, 11, 16, 18, 18, 24]  # characters, one per column of the matrix
XLSX_LINE_PT = 15.0  # row height of one line of 11 pt text


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes when wrapped at word boundaries in a column ``width`` characters wide.

    LibreOffice does not size rows to wrapped text when it opens a file (Excel does only on
    edit), so the matrix states each row's height from this estimate."""
    usable = max(1, int(width * 1.1) - 2)  # proportional text fits a little more than the column's "0" count
    lines = 0
    for para in str(text).split("\n"):
        count, used = 1, 0
        for word in para.split():
            need = len(word) if used == 0 else used + 1 + len(word)
            if need <= usable:
                used = need
            else:
                count += 1 + (len(word) - 1) // usable
                used = len(word) % usable or usable
        lines += count
    return max(lines, 1)


def row_height(values: list, widths: list[float]) -> float:
    return XLSX_LINE_PT * max(wrapped_lines(v, w) for v, w in zip(values, widths)) + 2


def _print_setup(ws, paper: str, orientation: str, title_rows: str = "") -> None:
    """Fit every column on one page width (as many pages tall as needed), the heading row on each page."""
    ws.page_setup.paperSize = XLSX_PAPER.get(paper, XLSX_PAPER["a4"])
    ws.page_setup.orientation = orientation
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "&P / &N"


def _protect(ws) -> None:
    """Protect the sheet (no password: it keeps a vendor from changing a requirement by accident,
    it is not a seal), still letting them filter, sort and resize."""
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


def annex_xlsx(e: Expansion, fw, *, paper: str = "", orientation: str = "") -> bytes:
    """The compliance matrix: requirements locked, the vendor response columns unlocked (with their
    drop-down and date checks), rows as tall as their wrapped text, printed to the page width."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    out = e.annex.output
    paper = paper or out.paper
    orientation = orientation or out.orientation or "landscape"
    n = names(fw)
    when = _date(e.date)
    wb = Workbook()
    wb.properties.title = " ".join(e.annex.title.split())
    wb.properties.creator = e.annex.buyer or "tfpub"
    wb.properties.lastModifiedBy = "tfpub"
    wb.properties.subject = "IHE requirements annex: compliance matrix"
    wb.properties.created = when
    wb.properties.modified = when

    ws = wb.active
    ws.title = "Requirements"
    header = REQUIREMENT_COLUMNS + VENDOR_COLUMNS
    ws.append(header)
    rows = matrix_rows(e)
    for row in rows:
        ws.append(row)
    # Text stays text: a cell from the specs that starts with "=" is not a formula.
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE4EE")
    vendor_fill = PatternFill("solid", fgColor="FFF2CC")
    for col, _ in enumerate(header, start=1):
        cell = ws.cell(row=1, column=col)
        cell.font = bold
        cell.fill = vendor_fill if col > len(REQUIREMENT_COLUMNS) else fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = XLSX_WIDTHS
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    unlocked = Protection(locked=False)
    first_vendor = len(REQUIREMENT_COLUMNS) + 1
    for row in ws.iter_rows(min_row=2, max_row=ws.max_row):
        for cell in row:
            cell.alignment = wrap
            if cell.column >= first_vendor:
                cell.protection = unlocked
    ws.row_dimensions[1].height = row_height(header, widths)
    for r, row in enumerate(rows, start=2):
        ws.row_dimensions[r].height = row_height(row, widths)
    ws.freeze_panes = "B2"
    last = len(e.requirements) + 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{last}"
    _print_setup(ws, paper, orientation, "1:1")
    _protect(ws)

    compliance_col = get_column_letter(len(REQUIREMENT_COLUMNS) + 1)
    date_col = get_column_letter(len(REQUIREMENT_COLUMNS) + 2)
    if e.requirements:
        choice = DataValidation(
            type="list",
            formula1='"' + ",".join(COMPLIANCE_CHOICES) + '"',
            allow_blank=True,
            showDropDown=False,  # (sic) False shows the in-cell drop-down arrow
            showErrorMessage=True,
            errorTitle="Compliance",
            error="Choose Compliant, Partial, Not compliant or Planned.",
            promptTitle="Compliance",
            prompt="Compliant, Partial, Not compliant or Planned",
        )
        choice.add(f"{compliance_col}2:{compliance_col}{last}")
        ws.add_data_validation(choice)
        roadmap = DataValidation(
            type="date",
            operator="greaterThan",
            formula1="36526",  # 2000-01-01
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Roadmap date",
            error="Give the date the requirement will be met (for Partial or Planned).",
        )
        roadmap.add(f"{date_col}2:{date_col}{last}")
        ws.add_data_validation(roadmap)
        for r in range(2, last + 1):
            ws[f"{date_col}{r}"].number_format = "yyyy-mm-dd"

    about = wb.create_sheet("Annex")
    about_widths = [22, 110]
    about.column_dimensions["A"].width = about_widths[0]
    about.column_dimensions["B"].width = about_widths[1]
    about.append(["Title", " ".join(e.annex.title.split())])
    for key, value in facts_lines(e):
        about.append([key, value])
    about.append(["Annex id", e.annex.id])
    for i, para in enumerate(paragraphs(e.annex.introduction)):
        about.append(["Introduction" if i == 0 else "", para])
    for i, para in enumerate(CONFORMANCE):
        about.append(["Conformance" if i == 0 else "", para])
    for profile, actor, options, level in selection_rows(e, n):
        about.append(["Selected", f"{level} {profile} {actor}" + ("" if options == "None" else f": {options}")])
    for row in about.iter_rows():
        row[0].font = bold
        for cell in row:
            cell.alignment = wrap
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
        about.row_dimensions[row[0].row].height = row_height([c.value or "" for c in row], about_widths)
    _print_setup(about, paper, "portrait")
    _protect(about)
    return _save_xlsx(wb, when)


def _save_xlsx(wb, when: dt.datetime) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    # openpyxl stamps docProps/core.xml with the time of saving; put the framework date back.
    data = _fix_core_dates(data, when)
    return stable_zip(data, when)


def _fix_core_dates(data: bytes, when: dt.datetime) -> bytes:
    import re

    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>" + stamp + rb"\g<2>", body)
            dst.writestr(info, body)
    return out.getvalue()


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)
