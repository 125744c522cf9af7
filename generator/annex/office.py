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


def stable_zip(data: bytes, when: dt.datetime) -> bytes:
    """The same archive with fixed member timestamps and attributes (byte-stable output)."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            fixed.create_system = 0
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------- Word


def _docx_table(document, header: list[str], rows: list[list[str]], widths_cm: list[float] | None = None):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
    # repeat the heading row on every page
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    tr_pr.append(marker)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text
    if widths_cm:
        for row in table.rows:
            for cell, width in zip(row.cells, widths_cm):
                cell.width = Cm(width)
    return table


def _core(value: str) -> str:
    """A core-property value within Word's limit of 255 characters (python-docx refuses longer ones)."""
    return value if len(value) <= 255 else value[:254] + "\u2026"


def _new_document(title: str, author: str, date: str, subject: str):
    from docx import Document

    document = Document()
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


def annex_docx(e: Expansion, fw) -> bytes:
    n = names(fw)
    title = " ".join(e.annex.title.split())
    document = _new_document(title, e.annex.buyer, e.date, "IHE requirements annex")
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
    _docx_table(document, ["Profile", "Actor", "Options", "Level"], selection_rows(e, n), [6.0, 4.5, 4.5, 2.0])
    document.add_heading("Requirements", level=1)
    for subject, reqs in by_subject(e):
        document.add_heading(subject, level=2)
        _docx_table(
            document,
            ["ID", "Level", "Requirement", "Source", "Flags"],
            [[r.id, r.level, r.text, r.provenance, "; ".join(r.flags)] for r in reqs],
            [2.0, 1.6, 7.0, 4.6, 2.2],
        )
    return _save_docx(document, e.date)


# --------------------------------------------------------------------------- Excel


def annex_xlsx(e: Expansion, fw) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

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
    for row in matrix_rows(e):
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
    widths = [12, 9, 28, 60, 40, 22, 24, 16, 14, 22, 30, 34, 30]
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows(min_row=2, max_row=ws.max_row):
        for cell in row:
            cell.alignment = wrap
    ws.freeze_panes = "B2"
    last = len(e.requirements) + 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{last}"

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
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 110
    about.append(["Title", " ".join(e.annex.title.split())])
    for key, value in facts_lines(e):
        about.append([key, value])
    about.append(["Annex id", e.annex.id])
    for i, para in enumerate(paragraphs(e.annex.introduction)):
        about.append(["Introduction" if i == 0 else "", para])
    for i, para in enumerate(CONFORMANCE):
        about.append(["Conformance" if i == 0 else "", para])
    for t, level in e.selection:
        about.append(["Selected", f"{level} {t.profile} {fw.actors[t.actor].name}" + (f" [{', '.join(t.options)}]" if t.options else "")])
    for row in about.iter_rows():
        row[0].font = bold
        for cell in row:
            cell.alignment = wrap
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
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
