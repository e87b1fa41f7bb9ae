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
#: Raqm (with FriBiDi) shapes Arabic and orders right-to-left text; without it, letters would
#: come out unjoined and reversed.
_RAQM = bool(features.check("raqm"))


Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _char_script(char: str) -> str | None:
    """ "arabic", "ethiopic" or "latin" (Noto Sans also has Cyrillic and Greek) for a letter or
    digit; None for spaces and punctuation, which follow the text around them."""
    if not char.isalnum():
        return None
    name = unicodedata.name(char, "")
    if name.startswith("ARABIC"):
        return "arabic"
    if name.startswith("ETHIOPIC"):
        return "ethiopic"
    return "latin"


def _runs(text: str) -> list[tuple[str, str]]:
    """The text cut where its script changes, each run to be drawn in its own font ("أمينة D."
    needs the Arabic font, then the Latin one). Spaces and punctuation between two letters of
    one script stay in its run (so Raqm orders right-to-left words); elsewhere they are Latin."""
    strong = [_char_script(char) for char in text]
    scripts: list[str] = []
    for i, script in enumerate(strong):
        if script is None:
            before = next((s for s in reversed(strong[:i]) if s), None)
            after = next((s for s in strong[i + 1 :] if s), None)
            script = before if before == after and before is not None else "latin"
        scripts.append(script)
    runs: list[tuple[str, str]] = []
    for char, script in zip(text, scripts, strict=True):
        if runs and runs[-1][0] == script:
            runs[-1] = (script, runs[-1][1] + char)
        else:
            runs.append((script, char))
    return runs


@cache
def _font(script: str, bold: bool, size: int) -> Font:
    weight = "Bold" if bold else "Regular"
    family = {"arabic": "NotoSansArabic", "ethiopic": "NotoSansEthiopic"}.get(script, "NotoSans")
    layout = ImageFont.Layout.RAQM if _RAQM else ImageFont.Layout.BASIC
    for path in (
        _FONTS / f"{family}-{weight}.ttf",
        _FONTS / f"NotoSans-{weight}.ttf",
        _DEJAVU / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"),
    ):
        if path.exists():
            return ImageFont.truetype(str(path), size, layout_engine=layout)
    return ImageFont.load_default(size)


def _width(draw: ImageDraw.ImageDraw, text: str, *, bold: bool, size: int) -> float:
    return sum(draw.textlength(run, font=_font(script, bold, size)) for script, run in _runs(text))


def _fit(
    draw: ImageDraw.ImageDraw, text: str, *, bold: bool, size: int, width: int
) -> tuple[str, int]:
    """The text and the largest size (down to half) that fits ``width``; cut with … if none."""
    for step in range(size, size // 2, -4):
        if _width(draw, text, bold=bold, size=step) <= width:
            return text, step
    size //= 2
    while text and _width(draw, text + "…", bold=bold, size=size) > width:
        text = text[:-1]
    return text.rstrip() + "…", size


def _line(
    draw: ImageDraw.ImageDraw,
    xy: tuple[int, int],
    text: str,
    *,
    bold: bool,
    size: int,
    fill: tuple[int, int, int],
) -> None:
    """One line, left to right like the page, each script run in its font on one baseline
    (``xy`` is where the baseline starts); Raqm shapes and orders a right-to-left run."""
    x, y = xy
    for script, run in _runs(text):
        font = _font(script, bold, size)
        # The direction of each run is known: Raqm must not guess it from punctuation alone.
        direction = ("rtl" if script == "arabic" else "ltr") if _RAQM else None
        draw.text((x, y), run, font=font, fill=fill, anchor="ls", direction=direction)
        x += int(draw.textlength(run, font=font))


def share_image(cv: CvPage, *, caption: str) -> bytes:
    """The PNG for a CV; ``caption`` is the small line at the bottom ("CV · Tremplin")."""
    width, height = SHARE_IMAGE_SIZE
    image = Image.new("RGB", SHARE_IMAGE_SIZE, _BACKGROUND)
    draw = ImageDraw.Draw(image)
    margin = 80
    inner = width - 2 * margin
    draw.rectangle((0, 0, 24, height), fill=_ACCENT)
    y = 170
    name, size = _fit(draw, cv.name, bold=True, size=96, width=inner)
    _line(draw, (margin, y), name, bold=True, size=size, fill=_INK)
    y += 100
    if cv.jobs:
        jobs, size = _fit(
            draw, " · ".join(job.text for job in cv.jobs), bold=True, size=48, width=inner
        )
        _line(draw, (margin, y), jobs, bold=True, size=size, fill=_ACCENT)
        y += 100
    if not cv.catchphrase:
        # No catchphrase: what an employer asks next, where and when.
        facts = " · ".join(part for part in (*cv.places[:2], cv.availability) if part)
        if facts:
            line, size = _fit(draw, facts, bold=False, size=40, width=inner)
            _line(draw, (margin, y), line, bold=False, size=size, fill=_INK)
    else:
        quote = f"« {cv.catchphrase.text} »" if cv.lang == "fr" else f"“{cv.catchphrase.text}”"
        for line in textwrap.wrap(quote, width=48)[:3]:
            _line(draw, (margin, y), line, bold=False, size=40, fill=_INK)
            y += 58
    _line(draw, (margin, height - 60), caption, bold=False, size=30, fill=_MUTED)
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()
