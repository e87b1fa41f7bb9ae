"""The CV as a PDF: the page's own HTML printed by WeasyPrint (the template's print CSS).

WeasyPrint lays out text with Pango, which takes each glyph from the first installed font that
has it (fontconfig): the stylesheet names the Noto families (Debian's ``fonts-noto-core``), so a
name or a text in Arabic, Cyrillic or Ethiopic script prints as well as French. It fetches
nothing but ``data:`` URLs (the photo is inlined): no request leaves the server while printing.
"""

from weasyprint import HTML
from weasyprint.urls import URLFetcher

__all__ = ["PDF_TYPE", "html_to_pdf"]

PDF_TYPE = "application/pdf"


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    fetcher = URLFetcher(allowed_protocols=("data",))
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher, media_type="print")
    pdf: bytes = document.write_pdf()
    return pdf
