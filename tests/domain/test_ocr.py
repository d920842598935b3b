"""OCR of scanned paper letters with Tesseract's Vietnamese data (issue 20 point 5): a typed letter, a
photographed one, a PDF scan; the key words come out with their diacritics."""
from __future__ import annotations

import pytest

from service.domain.intake import ocr
from tests.ocr_letters import KEY_WORDS, as_bytes, photographed, typed


def found(text: str) -> list[str]:
    return [w for w in KEY_WORDS if w.lower() in text.lower()]


def test_a_typed_letter_is_read_with_its_diacritics():
    text = ocr.read_scans([as_bytes(typed())])
    assert found(text) == list(KEY_WORDS), text
    assert "Nguyễn Văn Thịnh" in text


def test_a_photographed_letter_still_gives_the_key_words():
    text = ocr.read_scans([as_bytes(photographed(), "JPEG")])
    assert len(found(text)) >= 4, text


def test_a_pdf_scan_is_rasterised_and_read():
    text = ocr.read_scans([as_bytes(typed(), "PDF")])
    assert found(text) == list(KEY_WORDS), text


def test_what_is_not_a_scan_is_refused_in_vietnamese():
    with pytest.raises(ocr.OcrFailed, match="không phải ảnh hoặc PDF"):
        ocr.read_scans([b"not an image"])
