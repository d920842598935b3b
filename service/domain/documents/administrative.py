"""Administrative documents (văn bản hành chính) as DOCX in the layout of Nghị định 30/2020/NĐ-CP, and PDF.

Phụ lục I of NĐ 30/2020: A4 paper; margins top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm;
Times New Roman 13-14; at the top, the issuing body (left) and the national motto (right: quốc hiệu
"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", tiêu ngữ "Độc lập - Tự do - Hạnh phúc"); the number and symbol
under the issuing body, the place and date under the motto; the document kind and its summary
(trích yếu) centred; the body; the recipients ("Nơi nhận:") bottom left and the signature block
bottom right; page numbers from the second page, top centre.

Build an `AdminDocument` from plain values and blocks, then `build_docx(document)`; any slice (dialogue
briefings, conclusion notices, periodic reports) reuses it. `docx_to_pdf` renders with LibreOffice.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from service.db import utcnow
from service.domain.deadlines.calendar import local_date
from service.domain.errors import DomainError

FONT = "Times New Roman"
# The face of the PDF: LibreOffice would put Liberation Serif in place of Times New Roman, and Liberation Serif
# 1.x lacks letters such as "ệ", "ữ", which then come from DejaVu Serif in the middle of a word. Tinos
# (Debian fonts-croscore, scripts/install.sh) has the metrics of Times New Roman and every Vietnamese letter.
PDF_FONT = "Tinos"
UNIT_WORDS = ("Thành phố", "Đặc khu", "Phường", "Xã")
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PDF_TIMEOUT_SECONDS = 120


@dataclass
class Heading:
    text: str
    level: int = 1  # 1: "I. …" section; 2: "1. …" subsection


@dataclass
class Paragraph:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths_cm: list[float] | None = None


Block = Heading | Paragraph | Bullets | Table


@dataclass
class AdminDocument:
    issuer: str  # the issuing body, lines separated by "\n": "ỦY BAN NHÂN DÂN\nXÃ KIM THÀNH"
    kind: str  # "THÔNG BÁO", "BÁO CÁO", …
    subject: str  # trích yếu
    symbol: str  # ký hiệu, e.g. "TB-UBND"
    body: list[Block] = field(default_factory=list)
    issuer_parent: str | None = None  # cơ quan chủ quản, when there is one
    number: str | None = None  # None: left blank, the clerk numbers it when it is signed
    place: str = "Hải Phòng"
    date: dt.date | None = None  # None: "ngày … tháng … năm …" left to fill
    recipients: list[str] = field(default_factory=list)
    signer_authority: str | None = None  # "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", …
    signer_title: str = "CHỦ TỊCH"
    signer_name: str | None = None
    landscape: bool = False


class PdfUnavailable(DomainError):
    """LibreOffice is not installed (or failed): the DOCX is still available (HTTP 503)."""

    code = "pdf_unavailable"
    http_status = 503


def place_name(unit_name: str) -> str:
    """The place of the place-and-date line: the issuing unit's own name without its kind ("Xã Kim Thành" ->
    "Kim Thành", "Đặc khu Cát Hải" -> "Cát Hải", "Thành phố Hải Phòng" -> "Hải Phòng"), NĐ 30/2020 Phụ lục I
    mục II.5 (địa danh: the name of the unit where the issuing body sits)."""
    name = " ".join(unit_name.split())
    for word in UNIT_WORDS:
        if name.lower().startswith(word.lower() + " "):
            return name[len(word) + 1:]
    return name


def date_line(place: str, day: dt.date | None) -> str:
    """'Hải Phòng, ngày 05 tháng 02 năm 2026': days below 10 and the months 1 and 2 take a leading zero
    (NĐ 30/2020 Phụ lục I, mục II.5)."""
    if day is None:
        return f"{place}, ngày      tháng      năm {local_date(utcnow()).year}"  # Việt Nam's year, not the server's
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def number_line(number: str | None, symbol: str) -> str:
    return f"Số: {number or '       '}/{symbol}"


# --- building ---------------------------------------------------------------------------------

def _font(run, size: float, bold: bool = False, italic: bool = False) -> None:
    run.font.name, run.font.size, run.bold, run.italic = FONT, Pt(size), bold, italic
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), FONT)  # Vietnamese runs use the same face in every script slot


def _para(container, text: str = "", *, size: float = 14, bold: bool = False, italic: bool = False,
          align=WD_ALIGN_PARAGRAPH.LEFT, indent: bool = False, after: float = 0, before: float = 0):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_after, fmt.space_before, fmt.line_spacing = Pt(after), Pt(before), 1.15
    if indent:
        fmt.first_line_indent = Cm(1)
    if text:
        _font(paragraph.add_run(text), size, bold, italic)
    return paragraph


def _rule(cell, width_chars: int) -> None:
    """The short horizontal line under the issuing body and under the motto."""
    _para(cell, "─" * width_chars, size=8, align=WD_ALIGN_PARAGRAPH.CENTER)


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _widths(table, widths_cm: list[float]) -> None:
    """Column widths on the grid and on every cell: LibreOffice reads the grid, Word the cells."""
    for column, width in zip(table.columns, widths_cm):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


def _two_columns(document, left_cm: float, right_cm: float):
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _no_borders(table)
    _widths(table, [left_cm, right_cm])
    left, right = table.rows[0].cells
    for cell in (left, right):
        cell._element.remove(cell.paragraphs[0]._element)  # start empty; _para adds lines
    return left, right


def _page_number_header(section) -> None:
    """PAGE field top centre, from the second page on."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    _font(run, 13)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._element.append(element)


def _setup(document, landscape: bool) -> float:
    """A4, the margins of NĐ 30/2020; returns the text width in cm."""
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(1.5)
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(14)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    _page_number_header(section)
    return (29.7 if landscape else 21.0) - 4.5


def _header(document, doc: AdminDocument, width: float) -> None:
    left, right = _two_columns(document, 7.0, width - 7.0)
    if doc.issuer_parent:
        for line in doc.issuer_parent.upper().split("\n"):
            _para(left, line, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    for line in doc.issuer.upper().split("\n"):
        _para(left, line, size=13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _rule(left, 12)
    _para(left, number_line(doc.number, doc.symbol), size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(right, NATIONAL_TITLE, size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(right, MOTTO, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _rule(right, 24)
    _para(right, date_line(doc.place, doc.date), size=14, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)


def _title(document, doc: AdminDocument) -> None:
    _para(document, doc.kind.upper(), size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=18)
    _para(document, doc.subject, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(document, "─" * 10, size=8, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)


def _table(document, block: Table, width: float) -> None:
    table = document.add_table(rows=1, cols=len(block.headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = block.widths_cm or [width / len(block.headers)] * len(block.headers)
    for cell, text in zip(table.rows[0].cells, block.headers):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(cell.paragraphs[0].add_run(text), 12, bold=True)
    for row in block.rows:
        for cell, value in zip(table.add_row().cells, row):
            _font(cell.paragraphs[0].add_run(str(value)), 12)
    _widths(table, widths)
    _para(document, after=4)


def _body(document, blocks: list[Block], width: float) -> None:
    for block in blocks:
        if isinstance(block, Heading):
            _para(document, block.text, bold=True, before=6, after=3)
        elif isinstance(block, Paragraph):
            _para(document, block.text, bold=block.bold, italic=block.italic, indent=True,
                  align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=4)
        elif isinstance(block, Bullets):
            for item in block.items:
                _para(document, f"- {item}", indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=2)
        elif isinstance(block, Table):
            _table(document, block, width)


def _footer(document, doc: AdminDocument, width: float) -> None:
    _para(document, after=6)
    left, right = _two_columns(document, width / 2, width / 2)
    _para(left, "Nơi nhận:", size=12, bold=True, italic=True)
    recipients = [*doc.recipients, "Lưu: VT"]
    for i, name in enumerate(recipients):
        _para(left, f"- {name}{'.' if i == len(recipients) - 1 else ';'}", size=11)
    if doc.signer_authority:
        _para(right, doc.signer_authority.upper(), size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(right, doc.signer_title.upper(), size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for _ in range(4):  # room for the signature and the seal
        _para(right, size=14)
    if doc.signer_name:
        _para(right, doc.signer_name, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)


def build_docx(doc: AdminDocument) -> bytes:
    """The document as DOCX bytes."""
    document = Document()
    width = _setup(document, doc.landscape)
    _header(document, doc, width)
    _title(document, doc)
    _body(document, doc.body, width)
    _footer(document, doc, width)
    document.core_properties.title = f"{doc.kind} {doc.subject}"[:250]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell, in order, one per line (tests and search read documents this way)."""
    document = Document(io.BytesIO(data))
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append("".join(t.text or "" for t in child.iter(qn("w:t"))))
        elif child.tag == qn("w:tbl"):
            for row in child.iter(qn("w:tr")):
                lines.append(" | ".join(" / ".join("".join(t.text or "" for t in p.iter(qn("w:t")))
                                                   for p in cell.iter(qn("w:p")))
                                        for cell in row.iter(qn("w:tc"))))
    return "\n".join(lines)


# --- PDF ---------------------------------------------------------------------------------------

def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(data: bytes, timeout: int = PDF_TIMEOUT_SECONDS) -> bytes:
    """The DOCX rendered by LibreOffice headless; PdfUnavailable when it is not installed or fails."""
    binary = soffice_path()
    if binary is None:
        raise PdfUnavailable("Máy chủ chưa cài LibreOffice nên chưa xuất được PDF; vui lòng tải bản DOCX.",
                             "LibreOffice is not installed on the server; download the DOCX instead.")
    with tempfile.TemporaryDirectory(prefix="tiepdan-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "document.docx"
        source.write_bytes(with_pdf_font(data))
        # A profile per conversion: two conversions at once would otherwise fight over one profile lock.
        command = [binary, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(folder), str(source)]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=timeout)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            raise PdfUnavailable("Chưa xuất được PDF, vui lòng thử lại sau hoặc tải bản DOCX.",
                                 f"PDF conversion failed ({exc.__class__.__name__}); download the DOCX.") from exc
        target = folder / "document.pdf"
        if not target.exists():
            raise PdfUnavailable("Chưa xuất được PDF, vui lòng thử lại sau hoặc tải bản DOCX.",
                                 "PDF conversion produced no file; download the DOCX.")
        return target.read_bytes()


@functools.lru_cache(maxsize=1)
def pdf_font_installed() -> bool:
    try:
        listed = subprocess.run(["fc-list", ":", "family"], check=True, capture_output=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return PDF_FONT.encode() in listed


def with_pdf_font(data: bytes) -> bytes:
    """The DOCX with its face renamed to PDF_FONT (when installed) for LibreOffice; the DOCX people download
    keeps Times New Roman, as NĐ 30/2020 asks."""
    if not pdf_font_installed():
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.endswith(".xml"):
                content = content.replace(FONT.encode(), PDF_FONT.encode())
            target.writestr(item, content)
    return out.getvalue()
