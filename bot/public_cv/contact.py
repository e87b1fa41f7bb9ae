"""The "I would like to help / hire {first name}" form: its fields, checks and storage.

Messages go to the coach's inbox (``contact_messages``), never to the candidate: the sender
learns nothing about the candidate they did not read on the page. The form has no CSRF token
(anyone may write, nobody is logged in), so every field is checked here: lengths, one line
where a line is expected (the name and email go into a mail's headers), an address that looks
like one, not a wall of links. A honeypot field, invisible to people, catches simple bots.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.public_cv.labels import PL_
from storage.models import ContactMessage

__all__ = [
    "CONTACT_FIELDS",
    "HONEYPOT",
    "ContactField",
    "ContactInput",
    "ContactState",
    "is_bot",
    "store_message",
    "validate",
]

#: The field people never see; a value in it means a program filled the form.
HONEYPOT = "website"
_EMAIL = re.compile(r"^[^@\s<>\"',;()]+@[^@\s<>\"',;()]+\.[^@\s<>\"',;()]{2,}$")
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_LINKS = 3
_MIN_MESSAGE = 10


@dataclass(frozen=True, slots=True)
class ContactField:
    name: str
    label: str
    """French label (msgid of the public_cv domain)."""
    required: bool
    max_length: int
    input_type: str = "text"
    autocomplete: str = "off"


CONTACT_FIELDS: tuple[ContactField, ...] = (
    ContactField("name", PL_("Votre nom"), True, 120, "text", "name"),
    ContactField("email", PL_("Votre adresse e-mail"), True, 254, "email", "email"),
    ContactField(
        "organisation", PL_("Votre entreprise ou association"), False, 200, "text", "organization"
    ),
    ContactField("message", PL_("Votre message"), True, 4000),
)


@dataclass(frozen=True, slots=True)
class ContactInput:
    name: str
    email: str
    organisation: str | None
    message: str


@dataclass(frozen=True, slots=True)
class ContactState:
    """What the form shows: the values typed (kept on error), the errors by field, or "sent"."""

    values: Mapping[str, str] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    sent: bool = False


def is_bot(form: Mapping[str, str]) -> bool:
    return bool(form.get(HONEYPOT, "").strip())


def _clean(value: str, *, multiline: bool) -> str:
    value = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if not multiline:
        value = " ".join(value.split())
    return value.strip()


def validate(form: Mapping[str, str]) -> tuple[ContactInput | None, dict[str, str], dict[str, str]]:
    """(the input when valid, the errors by field as French msgids, the cleaned values)."""
    values = {
        f.name: _clean(form.get(f.name, ""), multiline=f.name == "message") for f in CONTACT_FIELDS
    }
    errors: dict[str, str] = {}
    for spec in CONTACT_FIELDS:
        value = values[spec.name]
        if len(value) > spec.max_length:
            errors[spec.name] = PL_("Ce texte est trop long.")
        elif spec.required and not value:
            errors[spec.name] = {
                "name": PL_("Indiquez votre nom."),
                "email": PL_(
                    "Indiquez votre adresse e-mail, pour que le coach puisse vous répondre."
                ),
                "message": PL_("Écrivez votre message."),
            }[spec.name]
    if "email" not in errors and not _EMAIL.match(values["email"]):
        errors["email"] = PL_(
            "Cette adresse e-mail ne semble pas complète (exemple : nom@exemple.fr)."
        )
    if "message" not in errors:
        if len(values["message"]) < _MIN_MESSAGE:
            errors["message"] = PL_(
                "Votre message est un peu court : dites en quelques mots ce que vous proposez."
            )
        elif len(_LINK.findall(values["message"])) > _MAX_LINKS:
            errors["message"] = PL_("Trop de liens dans le message : trois au plus.")
    if errors:
        return None, errors, values
    contact = ContactInput(
        name=values["name"],
        email=values["email"],
        organisation=values["organisation"] or None,
        message=values["message"],
    )
    return contact, errors, values


def store_message(
    session: Session,
    *,
    candidate_id: str,
    coach_id: str | None,
    contact: ContactInput,
    now: datetime,
) -> ContactMessage:
    """The message in the coach's inbox."""
    message = ContactMessage(
        candidate_id=candidate_id,
        coach_id=coach_id,
        sender_name=contact.name,
        sender_email=contact.email,
        organisation=contact.organisation,
        body=contact.message,
        created_at=now,
    )
    session.add(message)
    session.flush()
    return message
