"""Contact messages by email to the coach, when ``TREMPLIN_SMTP_URL`` is set.

The message is already in the coach's inbox when this runs (it is stored first), so a mail
server that is down loses nothing: sending is tried a few times with a pause, then reported in
the log (without the message's words or the sender's address) for the operator to see.

``smtp://user:password@host:587`` uses STARTTLS when the server offers it; ``smtps://…:465``
is TLS from the start. The sender's address goes in ``Reply-To``: the coach answers with their
mail program, and the sender never learns anything about the candidate but what the page says.
"""

import logging
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import unquote, urlsplit

from bot.public_cv.contact import ContactInput
from bot.public_cv.labels import of
from bot.runtime.settings import Settings

__all__ = ["MailError", "SmtpConfig", "contact_mail", "send_mail", "smtp_config"]

log = logging.getLogger(__name__)


class MailError(RuntimeError):
    """The mail could not be handed to the SMTP server after every attempt."""


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool
    sender: str
    timeout: float = 15.0


def smtp_config(settings: Settings) -> SmtpConfig | None:
    """The SMTP server of the settings, or None when email is off."""
    if not settings.smtp_url:
        return None
    url = urlsplit(settings.smtp_url)
    if url.scheme not in ("smtp", "smtps") or not url.hostname:
        raise ValueError("TREMPLIN_SMTP_URL must look like smtp://user:password@host:587")
    tls = url.scheme == "smtps"
    host = url.hostname
    sender = settings.smtp_from or f"Tremplin <no-reply@{host}>"
    return SmtpConfig(
        host=host,
        port=url.port or (465 if tls else 25),
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        tls=tls,
        sender=sender,
    )


def contact_mail(
    config: SmtpConfig,
    *,
    to: str,
    contact: ContactInput,
    candidate_name: str,
    page_url: str,
    inbox_url: str,
) -> EmailMessage:
    """The mail a coach receives (in French, like the workspace)."""
    mail = EmailMessage()
    mail["Subject"] = f"Tremplin : un message pour le CV {of(candidate_name, 'fr')}"
    mail["From"] = config.sender
    mail["To"] = to
    mail["Reply-To"] = formataddr((contact.name, contact.email))
    mail["Message-ID"] = make_msgid(domain="tremplin")
    organisation = f" ({contact.organisation})" if contact.organisation else ""
    mail.set_content(
        f"{contact.name}{organisation} <{contact.email}> a écrit depuis le CV "
        f"{of(candidate_name, 'fr')} ({page_url}) :\n\n"
        f"{contact.message}\n\n"
        "—\n"
        f"Répondez à ce mail pour lui écrire. Le message est aussi dans votre boîte de "
        f"réception Tremplin : {inbox_url}\n"
    )
    return mail


def _connect(config: SmtpConfig) -> smtplib.SMTP:
    if config.tls:
        return smtplib.SMTP_SSL(
            config.host, config.port, timeout=config.timeout, context=ssl.create_default_context()
        )
    client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    client.ehlo()
    if client.has_extn("starttls"):
        client.starttls(context=ssl.create_default_context())
        client.ehlo()
    return client


def send_mail(
    config: SmtpConfig,
    mail: EmailMessage,
    *,
    attempts: int = 3,
    pause: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Hand the mail to the server, retrying transient failures; MailError after the last."""
    last: Exception | None = None
    for attempt in range(1, attempts + 1):
        try:
            with _connect(config) as client:
                if config.username:
                    client.login(config.username, config.password or "")
                client.send_message(mail)
            return
        except smtplib.SMTPAuthenticationError as error:
            raise MailError(f"SMTP login refused ({error.smtp_code})") from error
        except (OSError, smtplib.SMTPException) as error:
            last = error
            log.warning("SMTP attempt %d/%d failed: %s", attempt, attempts, type(error).__name__)
            if attempt < attempts:
                sleep(pause * attempt)
    raise MailError(f"SMTP server unreachable after {attempts} attempts") from last
