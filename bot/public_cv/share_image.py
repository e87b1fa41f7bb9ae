"""The picture social networks show beside a shared CV link (OpenGraph, 1200×630 PNG).

It says what the page says first: the first name and initial, the jobs sought and the
catchphrase, in the page's words; never a photo, a last name or a contact. Text is laid out with
Pillow's Raqm engine (bidirectional text and Arabic shaping) in the Noto font of its script.
"""

import io
import textwrap
import unicodedata
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

from bot.public_cv.view import CvPage

__all__ = ["PNG_TYPE", "SHARE_IMAGE_SIZE", "share_image"]

PNG_TYPE = "image/png"
SHARE_IMAGE_SIZE = (1200, 630)
_FONTS = Path("/usr/share/fonts/truetype/noto")
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_BACKGROUND = (246, 244, 239)
_INK = (28, 31, 36)
_MUTED = (75, 83, 92)
_ACCENT = (11, 92, 173)


def _script(text: str) -> str:
    """The script of the first letter that has one: latin, arabic, ethiopic (Cyrillic and Greek
    are in Noto Sans itself)."""
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if name.startswith("ARABIC"):
            return "arabic"
        if name.startswith("ETHIOPIC"):
            return "ethiopic"
        return "latin"
    return "latin"


@cache
def _font(script: str, bold: bool, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    weight = "Bold" if bold else "Regular"
    family = {"arabic": "NotoSansArabic", "ethiopic": "NotoSansEthiopic"}.get(script, "NotoSans")
    layout = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    for path in (
        _FONTS / f"{family}-{weight}.ttf",
        _FONTS / f"NotoSans-{weight}.ttf",
        _DEJAVU / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"),
    ):
        if path.exists():
            return ImageFont.truetype(str(path), size, layout_engine=layout)
    return ImageFont.load_default(size)


def _fit(
    draw: ImageDraw.ImageDraw, text: str, *, bold: bool, size: int, width: int
) -> tuple[str, ImageFont.FreeTypeFont | ImageFont.ImageFont]:
    """The text in the largest size (down to half) that fits ``width``, cut with … otherwise."""
    script = _script(text)
    for step in range(size, size // 2, -4):
        font = _font(script, bold, step)
        if draw.textlength(text, font=font) <= width:
            return text, font
    font = _font(script, bold, size // 2)
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…", font


def share_image(cv: CvPage, *, caption: str) -> bytes:
    """The PNG for a CV; ``caption`` is the small line at the bottom ("CV · Tremplin")."""
    width, height = SHARE_IMAGE_SIZE
    image = Image.new("RGB", SHARE_IMAGE_SIZE, _BACKGROUND)
    draw = ImageDraw.Draw(image)
    margin = 80
    inner = width - 2 * margin
    draw.rectangle((0, 0, 24, height), fill=_ACCENT)
    y = 90
    name, font = _fit(draw, cv.name, bold=True, size=96, width=inner)
    draw.text((margin, y), name, font=font, fill=_INK)
    y += 140
    if cv.jobs:
        jobs = " · ".join(job.text for job in cv.jobs)
        line, font = _fit(draw, jobs, bold=True, size=48, width=inner)
        draw.text((margin, y), line, font=font, fill=_ACCENT)
        y += 80
    if cv.catchphrase:
        quote = f"« {cv.catchphrase.text} »" if cv.lang == "fr" else f"“{cv.catchphrase.text}”"
        font = _font(_script(quote), False, 40)
        for line in textwrap.wrap(quote, width=48)[:3]:
            draw.text((margin, y), line, font=font, fill=_INK)
            y += 54
    font = _font("latin", False, 30)
    draw.text((margin, height - 80), caption, font=font, fill=_MUTED)
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()
