"""Issue 20: the PDF briefing is set in one Times-compatible face with every Vietnamese letter (Tinos), not
Liberation Serif patched with DejaVu Serif inside words; page 1 rendered to PNG (/tmp/screens-citizen/) for a
person to look at."""
from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from service.domain.documents.administrative import PDF_FONT, build_docx, docx_to_pdf, pdf_font_installed
from service.domain.documents.dialogue import briefing_document
from tests.domain.test_dialogue import NOW, known_data
from tests.domain.test_dialogue_changes import planned

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdffonts") is None,
                                reason="LibreOffice and poppler-utils are needed")


def test_the_briefing_pdf_uses_one_face_with_full_vietnamese_coverage(session, tmp_path):
    assert pdf_font_installed(), "fonts-croscore (Tinos) is not installed: bash scripts/install.sh --documents"
    known_data(session)
    docx = build_docx(briefing_document(session, planned(session), NOW))
    with zipfile.ZipFile(io.BytesIO(docx)) as parts:  # the DOCX people download keeps the NĐ 30/2020 face
        assert b"Times New Roman" in parts.read("word/document.xml")
    pdf = tmp_path / "briefing.pdf"
    pdf.write_bytes(docx_to_pdf(docx))
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    families = {line.split()[0].split("+")[-1].split("-")[0] for line in fonts.splitlines()[2:] if line.strip()}
    assert families == {PDF_FONT}, fonts  # no Liberation Serif, no DejaVu Serif fallback inside words
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "Nam Đồ Sơn, ngày 20 tháng 11 năm 2026" in text and "Độc lập - Tự do - Hạnh phúc" in text
    screens = Path("/tmp/screens-citizen")
    screens.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", str(pdf), str(screens / "briefing-pdf")],
                   check=True)
    assert list(screens.glob("briefing-pdf*.png"))
