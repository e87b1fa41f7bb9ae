"""The public CV's HTML: the page (with share links and the contact form) and the PDF's source.

One template, ``public_cv/page.html``, in the shared Jinja2 environment; its labels come from
the ``public_cv`` catalogs through ``_`` (passed with the context, so the shared environment
stays language-free and thread-safe).
"""

import base64
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from bot.public_cv.contact import CONTACT_FIELDS, ContactState
from bot.public_cv.labels import PAGE_LANGUAGES, PL_, of, page_translations
from bot.public_cv.share_image import SHARE_IMAGE_SIZE
from bot.public_cv.view import CvPage
from bot.web.templates import templates

__all__ = ["PageLinks", "content_security_policy", "page_links", "render_page", "share_caption"]

_LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
_OG_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


@dataclass(frozen=True, slots=True)
class PageLinks:
    """Where a CV's page and its parts are, for one page language."""

    base_url: str
    slug: str
    lang: str
    version: int

    def _query(self, **extra: str | int) -> str:
        params: dict[str, str | int] = {} if self.lang == PAGE_LANGUAGES[0] else {"lang": self.lang}
        params.update(extra)
        return f"?{urlencode(params)}" if params else ""

    @property
    def path(self) -> str:
        return f"/cv/{self.slug}"

    @property
    def url(self) -> str:
        return f"{self.base_url}{self.path}{self._query()}"

    @property
    def pdf_path(self) -> str:
        return f"{self.path}.pdf{self._query()}"

    @property
    def image_url(self) -> str:
        return f"{self.base_url}{self.path}/share.png{self._query(v=self.version)}"

    @property
    def photo_path(self) -> str:
        return f"{self.path}/photo?v={self.version}"


def page_links(base_url: str, slug: str, lang: str, version: int) -> PageLinks:
    return PageLinks(base_url.rstrip("/"), slug, lang, version)


def content_security_policy(nonce: str) -> str:
    """Only the page's own style and script run (people's words are escaped, and this makes
    sure); its form posts here; no other site may frame it (the contact form)."""
    return (
        f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; "
        "img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )


def share_caption(lang: str) -> str:
    return page_translations(lang).gettext(PL_("CV relu par un coach · Tremplin"))


def _title(cv: CvPage) -> str:
    return f"{cv.name} · {cv.jobs[0].text}" if cv.jobs else cv.name


def _description(cv: CvPage, label: str) -> str:
    if cv.catchphrase:
        text = cv.catchphrase.text
    else:
        text = " · ".join([*(job.text for job in cv.jobs), *cv.places]) or label
    return text if len(text) <= 200 else text[:199].rstrip() + "…"


def _share_links(url: str, title: str, lang: str) -> list[dict[str, str]]:
    t = page_translations(lang)
    message = t.gettext(PL_("Le CV %(of_title)s, à partager autour de vous :")) % {
        "of_title": of(title, lang)
    }
    return [
        {
            "network": "linkedin",
            "label": "LinkedIn",
            "href": "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        },
        {
            "network": "facebook",
            "label": "Facebook",
            "href": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        },
        {
            "network": "whatsapp",
            "label": "WhatsApp",
            "href": "https://wa.me/?" + urlencode({"text": f"{message} {url}"}),
        },
        {
            "network": "email",
            "label": t.gettext(PL_("E-mail")),
            "href": f"mailto:?subject={quote(title)}&body={quote(f'{message} {url}')}",
        },
    ]


def render_page(
    cv: CvPage,
    links: PageLinks,
    *,
    noindex: bool,
    contact: ContactState | None = None,
    for_pdf: bool = False,
    photo: tuple[bytes, str] | None = None,
    nonce: str | None = None,
) -> str:
    """The HTML of the page, or of the PDF when ``for_pdf`` (no share or contact parts; the
    photo inlined, since the PDF printer fetches nothing). ``nonce`` marks the page's own style
    and script for its Content-Security-Policy (:func:`content_security_policy`)."""
    t = page_translations(cv.lang)
    title = _title(cv)
    alternates = [
        {
            "lang": lang,
            "name": _LANGUAGE_NAMES[lang],
            "url": (other := page_links(links.base_url, links.slug, lang, links.version)).url,
            "path": other.path + other._query(),
        }
        for lang in PAGE_LANGUAGES
    ]
    meta = {
        "title": title,
        "description": _description(cv, t.gettext(PL_("CV"))),
        "url": links.url,
        "alternates": alternates,
        "og_locale": _OG_LOCALES[cv.lang],
        "image": links.image_url,
        "image_width": SHARE_IMAGE_SIZE[0],
        "image_height": SHARE_IMAGE_SIZE[1],
        "image_alt": t.gettext(PL_("Le CV %(of_name)s")) % {"of_name": of(cv.name, cv.lang)},
        "noindex": noindex,
        "pdf_path": links.pdf_path,
        "share_path": f"{links.path}/share",
        "contact_path": f"{links.path}/contact{links._query()}#contact",
    }
    photo_src = None
    if cv.has_photo and photo is not None and for_pdf:
        data, content_type = photo
        photo_src = f"data:{content_type};base64,{base64.b64encode(data).decode()}"
    elif cv.has_photo:
        photo_src = links.photo_path
    fields = [
        {
            "name": spec.name,
            "label": t.gettext(spec.label),
            "required": spec.required,
            "max_length": spec.max_length,
            "input_type": spec.input_type,
            "autocomplete": spec.autocomplete,
        }
        for spec in CONTACT_FIELDS
    ]
    state = contact or ContactState()
    translated = ContactState(
        values=state.values,
        errors={name: t.gettext(error) for name, error in state.errors.items()},
        sent=state.sent,
    )
    return (
        templates()
        .get_template("public_cv/page.html")
        .render(
            cv=cv,
            meta=meta,
            for_pdf=for_pdf,
            photo_src=photo_src,
            share_links=_share_links(links.url, title, cv.lang),
            contact=translated,
            nonce=nonce,
            contact_fields=fields,
            _=t.gettext,
            gettext=t.gettext,
            ngettext=t.ngettext,
        )
    )
