"""What the engine answers: messages by id with parameters, and effects for the service.

The engine never writes a sentence itself. A ``Say`` names a message of ``conversations.messages``
and its parameters; parameters are ``Text`` values so that vocabulary labels (jobs, skills,
languages…) are translated when the reply is rendered in the candidate's language.
"""

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "Declined",
    "EraseRequested",
    "InviteCodeGiven",
    "Join",
    "Msg",
    "OptedIn",
    "OptedOut",
    "Output",
    "Raw",
    "Say",
    "Submitted",
    "Summary",
    "Term",
    "Text",
    "msg",
    "msg_from",
]


@dataclass(frozen=True, slots=True)
class Raw:
    """The candidate's own words (or a number), shown as they are."""

    value: str


@dataclass(frozen=True, slots=True)
class Term:
    """A vocabulary entry by kind and code: job, sector, skill, language, country, choice…"""

    kind: str
    code: str


@dataclass(frozen=True, slots=True)
class Msg:
    """A catalog message by id, with its parameters."""

    id: str
    params: tuple[tuple[str, "Text"], ...] = ()
    count: int | None = None
    """For plural messages: the number that selects the form."""
    locales: tuple[str, ...] = ()
    """Before the person has chosen a language: say it in each of these, one line each, rather
    than in the conversation's language (which is not known yet)."""


@dataclass(frozen=True, slots=True)
class Join:
    """Several texts shown as a list ("CDI, Intérim"), joined with the locale's separator."""

    items: tuple["Text", ...]


Text = Msg | Term | Raw | Join


@dataclass(frozen=True, slots=True)
class Say:
    """One message to the candidate.

    ``step`` is set when the message asks the question of that step (``--trace`` shows it);
    ``choices`` are rendered as a numbered list (or buttons); ``expects`` tells a channel which
    input widget fits: ``text``, ``choice``, ``contact`` or ``photo``.
    """

    text: Msg
    step: str | None = None
    choices: tuple[Text, ...] = ()
    expects: str = "text"


@dataclass(frozen=True, slots=True)
class Summary:
    """The draft as it stands, as lines; channels page it to their size (``page`` from 0)."""

    lines: tuple[Msg, ...]
    page: int = 0


@dataclass(frozen=True, slots=True)
class Submitted:
    """The candidate sent the draft to their coach: freeze a version."""


@dataclass(frozen=True, slots=True)
class EraseRequested:
    """The candidate confirmed DELETE: erase every personal datum after this reply."""


@dataclass(frozen=True, slots=True)
class OptedOut:
    """STOP: nothing may be sent to this person until START."""


@dataclass(frozen=True, slots=True)
class OptedIn:
    """START after STOP."""


@dataclass(frozen=True, slots=True)
class Declined:
    """Consent refused: keep nothing about the person beyond honouring the refusal."""


@dataclass(frozen=True, slots=True)
class InviteCodeGiven:
    code: str


Output = (
    Say | Summary | Submitted | EraseRequested | OptedOut | OptedIn | Declined | InviteCodeGiven
)


def msg(message_id: str, count: int | None = None, **params: Text | str | int) -> Msg:
    """A message with its parameters; plain strings and numbers become ``Raw`` values."""
    return msg_from(message_id, params, count)


def msg_from(
    message_id: str, params: Mapping[str, Text | str | int], count: int | None = None
) -> Msg:
    values = tuple(
        (name, value if isinstance(value, Msg | Term | Raw | Join) else Raw(str(value)))
        for name, value in params.items()
    )
    return Msg(message_id, values, count)
