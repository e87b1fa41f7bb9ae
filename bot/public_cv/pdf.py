"""The CV as a PDF: the page's own HTML printed by WeasyPrint (the template's print CSS).

WeasyPrint lays out text with Pango, which takes each glyph from the first installed font that
has it (fontconfig): the stylesheet names the Noto families (Debian's ``fonts-noto-core``), so a
name or a text in Arabic, Cyrillic or Ethiopic script prints as well as French. It fetches
nothing but ``data:`` URLs (the photo is inlined): no request leaves the server while printing.

WeasyPrint is imported on first use, not with the web app: a machine without Pango still serves
the chat, the workspace and the public page, and the PDF alone says which system packages it
needs (:class:`PdfUnavailableError`). Without HarfBuzz's subset library WeasyPrint embeds whole
fonts (larger files) and warns that a later version will require it; that warning is not ours to
raise in every test run, so it is silenced here and the README names the package.
"""

import warnings
from functools import cache
from typing import Any

__all__ = ["PDF_TYPE", "SYSTEM_PACKAGES", "PdfUnavailableError", "html_to_pdf", "pdf_support"]

PDF_TYPE = "application/pdf"
SYSTEM_PACKAGES = (
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "libharfbuzz-subset0",
    "fonts-noto-core",
)
"""Debian's packages WeasyPrint needs to print a CV in every script the product speaks."""


class PdfUnavailableError(RuntimeError):
    """The system libraries WeasyPrint loads are missing: the message says what to install."""


@cache
def _weasyprint() -> Any:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        try:
            import weasyprint
            import weasyprint.urls
        except OSError as error:  # cffi could not load Pango
            raise PdfUnavailableError(
                "PDF printing needs Pango: apt-get install " + " ".join(SYSTEM_PACKAGES)
            ) from error
    return weasyprint


def pdf_support() -> str | None:
    """None when PDFs can be printed here, else what is missing and how to install it."""
    try:
        _weasyprint()
    except PdfUnavailableError as missing:
        return str(missing)
    return None


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    weasyprint = _weasyprint()
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=("data",))
    document = weasyprint.HTML(
        string=html, base_url=base_url, url_fetcher=fetcher, media_type="print"
    )
    pdf: bytes = document.write_pdf()
    return pdf
