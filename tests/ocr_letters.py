"""Paper letters rendered from text with Pillow, for the OCR tests: typed, and "photographed" (rotated a little,
noisy, low contrast)."""
from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
LETTER = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "",
    "ĐƠN PHẢN ÁNH",
    "Kính gửi: Ủy ban nhân dân đặc khu Cát Hải",
    "Tôi tên là Nguyễn Văn Thịnh, ở thôn Liên Minh.",
    "Rãnh thoát nước dọc đường liên thôn bị đất đá lấp kín,",
    "mỗi khi mưa nước tràn vào nhà dân. Đề nghị ủy ban",
    "cho nạo vét rãnh thoát nước trước mùa mưa bão.",
    "Tôi xin chân thành cảm ơn.",
]
KEY_WORDS = ("Kính gửi", "Rãnh thoát nước", "nạo vét", "mùa mưa bão", "Cát Hải")


def typed(lines=LETTER, size: int = 34) -> Image.Image:
    font = ImageFont.truetype(FONT, size)
    page = Image.new("L", (1700, 120 + len(lines) * int(size * 1.7)), 255)
    draw = ImageDraw.Draw(page)
    for n, line in enumerate(lines):
        draw.text((110, 80 + n * int(size * 1.7)), line, font=font, fill=0)
    return page


def photographed(lines=LETTER) -> Image.Image:
    """A phone photo of the letter: tilted 2.5°, grey paper lit unevenly, faint ink, sensor noise (seeded), a
    little blur. (At 3° with more noise Tesseract starts losing lines: the clerk then types what is missing.)"""
    page = typed(lines).rotate(2.5, resample=Image.BICUBIC, expand=True, fillcolor=255)
    page = page.point(lambda v: 70 + v * 0.55)  # ink at 70, paper at 210: low contrast
    shade = Image.linear_gradient("L").rotate(90).resize(page.size)  # darker towards one side
    page = Image.blend(page, Image.eval(shade, lambda v: 255 - v // 2), 0.25)
    rng = random.Random(20)
    noise = Image.frombytes("L", page.size, rng.randbytes(page.width * page.height))
    page = Image.blend(page, noise, 0.22)
    return page.filter(ImageFilter.GaussianBlur(0.8)).convert("RGB")


def as_bytes(image: Image.Image, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **({"resolution": 150.0} if fmt == "PDF" else {}))
    return out.getvalue()
