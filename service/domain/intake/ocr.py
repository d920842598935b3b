"""Reading a scanned paper letter (PDF or photos) into text with Tesseract and its Vietnamese data.

Staff entry (service/web/console/entry.py) puts the text in the content box for the clerk to correct; the
scan itself stays attached as the original (a denouncer's handwriting, sealed: Luật Tố cáo 2018 Điều 56).
Debian packages: tesseract-ocr, tesseract-ocr-vie, poppler-utils (pdftoppm rasterises PDF pages);
scripts/install.sh --system installs them. The binaries are called with a timeout, one page at a time.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageFilter, ImageOps

from service.domain.errors import DomainError

LANG = "vie"
MAX_PAGES = 10  # a letter; more pages are left for the clerk to type
PAGE_TIMEOUT_S = 60
DPI = 300
MIN_WIDTH = 1600  # small photos are enlarged: Tesseract reads letters of about 20-30 pixels best


class OcrUnavailable(DomainError):
    code = "ocr_unavailable"
    http_status = 503


class OcrFailed(DomainError):
    code = "ocr_failed"
    http_status = 422


def available() -> bool:
    return shutil.which("tesseract") is not None


def _pdf_pages(data: bytes, workdir: Path) -> list[Image.Image]:
    if shutil.which("pdftoppm") is None:
        raise OcrUnavailable("Máy chủ chưa cài pdftoppm (poppler-utils) để đọc bản quét PDF.",
                             "pdftoppm (poppler-utils) is not installed.")
    source = workdir / "scan.pdf"
    source.write_bytes(data)
    try:
        subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", "-l", str(MAX_PAGES), str(source),
                        str(workdir / "page")], check=True, capture_output=True, timeout=PAGE_TIMEOUT_S * 2)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
        raise OcrFailed("Không đọc được tệp PDF này.", "The PDF could not be rasterised.") from err
    return [Image.open(p) for p in sorted(workdir.glob("page*.png"))]


def _prepared(image: Image.Image) -> Image.Image:
    """Grey, exif-rotated, contrast stretched, speckles smoothed, enlarged when small: a photographed letter
    reads much better so."""
    image = ImageOps.exif_transpose(image).convert("L")
    if image.width < MIN_WIDTH:
        scale = MIN_WIDTH / image.width
        image = image.resize((MIN_WIDTH, int(image.height * scale)), Image.LANCZOS)
    image = image.filter(ImageFilter.MedianFilter(3))
    return ImageOps.autocontrast(image, cutoff=1)


def _tesseract(image: Image.Image, workdir: Path, n: int) -> str:
    path = workdir / f"in{n}.png"
    image.save(path)
    try:
        done = subprocess.run(["tesseract", str(path), "stdout", "-l", LANG, "--psm", "3"], check=True,
                              capture_output=True, timeout=PAGE_TIMEOUT_S)
    except subprocess.TimeoutExpired as err:
        raise OcrFailed("Đọc bản quét quá lâu; hãy nhập nội dung bằng tay.", "OCR timed out.") from err
    except subprocess.CalledProcessError as err:
        raise OcrFailed("Không đọc được chữ trong bản quét này.", "Tesseract failed.") from err
    return done.stdout.decode("utf-8", "replace")


def _tidy(text: str) -> str:
    """Lines joined back into paragraphs (a blank line separates them), spaces collapsed."""
    paragraphs, current = [], []
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def read_scan(data: bytes) -> str:
    """The text of one scanned letter: a PDF (each page) or one image (JPEG, PNG, WebP, GIF, TIFF)."""
    if not available():
        raise OcrUnavailable("Máy chủ chưa cài Tesseract (tesseract-ocr, tesseract-ocr-vie) để đọc bản quét.",
                             "Tesseract is not installed.")
    with tempfile.TemporaryDirectory(prefix="ocr-") as tmp:
        workdir = Path(tmp)
        if data[:5] == b"%PDF-":
            pages = _pdf_pages(data, workdir)
        else:
            try:
                image = Image.open(io.BytesIO(data))
                image.load()
            except Exception as err:  # Pillow raises many kinds for a file that is not an image
                raise OcrFailed("Tệp này không phải ảnh hoặc PDF đọc được.", "Not a readable image or PDF.") from err
            pages = [image]
        texts = [_tidy(_tesseract(_prepared(page), workdir, n)) for n, page in enumerate(pages[:MAX_PAGES])]
    return "\n\n".join(t for t in texts if t)


def read_scans(files: list[bytes]) -> str:
    """Several photos of one letter, in order (page 1, page 2…)."""
    text = "\n\n".join(t for t in (read_scan(data) for data in files) if t)
    if not text.strip():
        raise OcrFailed("Không nhận ra chữ nào trong bản quét; hãy kiểm tra ảnh hoặc nhập nội dung bằng tay.",
                        "No text recognised.")
    return text
