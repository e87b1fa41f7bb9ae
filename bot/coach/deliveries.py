"""What did not reach the candidate, in plain words for the coach: messages waiting for
WhatsApp's window, messages a provider refused, channels that cannot reach the person, and
messages that went by another channel. Never a silent drop: each has its line here.

Reasons are the codes the courier and the channels write (bot/delivery/courier.py,
bot/channels/whatsapp/templates.py, Twilio's error codes); this module puts them in French.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.coach.review import READS_IN
from bot.delivery.courier import WAITING_ANSWER
from conversations.vocabulary.lists import LOCALE_NAMES
from storage import ChannelIdentity, Message, Outbox

__all__ = ["DeliveryProblem", "delivery_problems", "in_words"]

_CHANNELS = {
    "sms": "SMS",
    "whatsapp": "WhatsApp",
    "telegram": "Telegram",
    "simulator": "le simulateur (SMS)",
    "sim_whatsapp": "le simulateur (WhatsApp)",
    "voice": "téléphone (appel)",
    "sim_voice": "le simulateur (appel)",
}
_TWILIO = {
    "63016": "WhatsApp a refusé un message libre : plus de 24 h sans message de sa part",
    "63003": "ce numéro n'utilise pas WhatsApp",
    "63024": "WhatsApp dit que ce destinataire n'est pas valide",
    "63018": "WhatsApp limite le rythme d'envoi ; un nouvel essai suit",
    "21610": "la personne a bloqué nos messages auprès de son opérateur (STOP)",
    "30003": "téléphone éteint ou injoignable",
    "30005": "numéro inconnu de l'opérateur",
    "30006": "ce numéro ne reçoit pas de SMS (ligne fixe ?)",
}
_LIMIT = 20


@dataclass(frozen=True, slots=True)
class DeliveryProblem:
    when: datetime
    channel: str
    text: str
    """What the message said (its first words), so the coach knows which one."""
    why: str


_FRENCH_NAMES = {"fr": "français", "en": "anglais", **READS_IN}


def _language(locale: str) -> str:
    """A conversation language as the coach reads it, in French."""
    return _FRENCH_NAMES.get(locale, LOCALE_NAMES.get(locale, locale))


def in_words(reason: str | None) -> str:
    """A reason code (or a provider's error) as the coach reads it."""
    if not reason:
        return "raison inconnue"
    reason, _, sent_by = reason.partition("; sent by ")
    after = f" ; envoyé par {_CHANNELS.get(sent_by, sent_by)} à la place" if sent_by else ""
    if reason == WAITING_ANSWER:
        return (
            "en attente : plus de 24 h sans message de sa part sur WhatsApp ; un modèle "
            "approuvé l'a prévenue, ce message part dès qu'elle répond"
        )
    kind, _, rest = reason.partition(":")
    if kind == "calls_only":
        return (
            "en attente : la personne ne nous parle que par téléphone et aucun SMS ne peut "
            "partir vers son numéro ; ce message attend son prochain appel (ou appelez-la)"
        )
    if kind == "window_closed":
        what, _, detail = rest.partition(":")
        start = "en attente : plus de 24 h sans message de sa part sur WhatsApp"
        if what == "no_template_language":
            return (
                f"{start}, et WhatsApp n'a pas de modèle en {_language(detail)} ; ce message "
                f"part dès qu'elle écrit (ou appelez-la){after}"
            )
        if what == "template_not_approved":
            name, _, locale = detail.partition(":")
            return (
                f"{start}, et le modèle {name} en {_language(locale)} n'est pas encore approuvé "
                f"(voir tremplin whatsapp templates) ; ce message part dès qu'elle écrit{after}"
            )
        return f"{start} ; ce message part dès qu'elle écrit{after}"
    for code, words in _TWILIO.items():
        if code in reason:
            return words + after
    if reason == "opted out":
        return "non envoyé : la personne a envoyé STOP"
    return f"échec d'envoi ({reason}){after}"


def delivery_problems(session: Session, candidate_id: str) -> list[DeliveryProblem]:
    """The latest messages that are held or failed, and the channels marked unreachable."""
    problems: list[DeliveryProblem] = []
    for identity in session.scalars(
        select(ChannelIdentity).where(
            ChannelIdentity.candidate_id == candidate_id, ChannelIdentity.unusable_at.is_not(None)
        )
    ):
        assert identity.unusable_at is not None
        problems.append(
            DeliveryProblem(
                identity.unusable_at,
                _CHANNELS.get(identity.channel, identity.channel),
                "",
                f"{_CHANNELS.get(identity.channel, identity.channel)} ne la joint pas : "
                f"{in_words(identity.unusable_reason)} ; les messages partent par un autre canal",
            )
        )
    rows = session.scalars(
        select(Outbox)
        .where(Outbox.candidate_id == candidate_id, Outbox.status.in_(("held", "failed")))
        .order_by(Outbox.id.desc())
        .limit(_LIMIT)
    )
    for row in rows:
        problems.append(
            DeliveryProblem(
                row.created_at,
                _CHANNELS.get(row.channel, row.channel),
                row.body[:80],
                in_words(row.last_error),
            )
        )
    refused = session.scalars(
        select(Message)
        .where(
            Message.candidate_id == candidate_id,
            Message.direction == "out",
            Message.error_code.is_not(None),
            or_(Message.status == "failed", Message.status == "undelivered"),
        )
        .order_by(Message.id.desc())
        .limit(_LIMIT)
    )
    for message in refused:
        problems.append(
            DeliveryProblem(
                message.created_at,
                _CHANNELS.get(message.channel, message.channel),
                (message.body or "")[:80],
                in_words(message.error_code),
            )
        )
    return sorted(problems, key=lambda problem: problem.when, reverse=True)
