"""The SMS budget (docs/conversation.md), checked on every message the product can send.

Every prompt of every locale is rendered as an SMS with realistic parameters (and, for the lists
that depend on answers, every job's suggestions and the longest job names), then measured. Latin
locales must fit one segment; the consent and the summary pages may take three; locales written
in other scripts (UCS-2) may take two.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from bot.channels.sms.render import GSM7_LOCALES, render_sms
from bot.i18n import available_locales
from conversations.flow import build_flow
from conversations.messages import MESSAGES, PLURALS
from conversations.outputs import Msg, Raw, Say, Term, Text
from conversations.questions import Flow
from conversations.state import State
from conversations.vocabulary.jobs import JOBS, match_jobs

__all__ = ["BudgetLine", "budget", "limit_for", "print_budget"]

_LONG_MESSAGES = frozenset({"ask_consent", "consent"})

# Typical values for placeholders: long enough to be honest, as people write them.
_SAMPLES: dict[str, Text] = {
    "part": Raw("5"),
    "title": Term("part", "5"),
    "example": Msg("example_availability"),
    "words": Raw("aide cuisine"),
    "max": Raw("9"),
    "limit": Raw("1500"),
    "length": Raw("95"),
    "language": Term("language", "prs"),
    "answer": Raw("Saint-Denis 93200"),
    "items": Msg("missing_experience"),
    "value": Raw("Commis de cuisine, Agent de propreté"),
    "date": Term("date", "2027-03-01"),
    "start": Raw("2022"),
    "months": Raw("6"),
    "level": Term("level", "native"),
    "code": Raw("482913"),
    "first_name": Raw("Marie-Christine"),
    "comment": Raw("Ajoute les dates de ta dernière expérience."),
    "url": Raw("https://tremplin.example.org/cv/k3X9q2LmP0aZ7sWd4YbN1c"),
    "organisation": Raw("Association Aurore Paris 18e"),
    "end": Raw("cuisiner pour les autres"),
    "name": Raw("Saint-Denis"),
    "count": Raw("6"),
}


@dataclass(frozen=True, slots=True)
class BudgetLine:
    locale: str
    message: str
    text: str
    encoding: str
    segments: int
    limit: int

    @property
    def ok(self) -> bool:
        return self.segments <= self.limit


def limit_for(message: str, locale: str) -> int:
    if message in _LONG_MESSAGES:
        return 3
    if message == "language":
        return 2  # the one message that mixes scripts: UCS-2 whatever the locale
    return 1 if locale in GSM7_LOCALES else 2


def _message_says() -> Iterator[tuple[str, Say]]:
    for message_id in MESSAGES:
        if message_id.startswith(("line_", "value_", "missing_", "list_")):
            continue  # parts of the summary and of other messages, measured there
        if message_id.startswith("voice_"):
            continue  # said on a phone call, never sent as an SMS (bot/channels/voice)
        yield message_id, Say(Msg(message_id, tuple(_SAMPLES.items())))
    for message_id in PLURALS:
        if not message_id.startswith("value_"):
            yield message_id, Say(Msg(message_id, (), 2))


def _question_says(flow: Flow) -> Iterator[tuple[str, Say]]:
    states = [State(locale="fr")]
    # Lists that depend on answers: the job picker for every word of the vocabulary, and every
    # job's skill suggestions.
    for word in sorted({w for job in JOBS for w in (job.label, *job.synonyms)}):
        codes = [job.code for job in match_jobs(word)]
        if codes:
            states.append(State(pending={"kind": "job_pick", "codes": codes, "words": word}))
    for job in JOBS:
        state = State()
        state.cv["target_jobs"] = [{"code": job.code, "text": job.code}]
        states.append(state)
    for question in flow.questions:
        seen: set[tuple[str, ...]] = set()
        for state in states:
            prompt = question.prompt_of(state) if question.prompt_of else Msg(question.prompt)
            choices = (
                tuple(label for _, label in question.choices(state)) if question.choices else ()
            )
            key = tuple(map(repr, (prompt, *choices)))
            if key in seen:
                continue
            seen.add(key)
            yield question.id, Say(prompt, step=question.id, choices=choices)


def budget(locales: tuple[str, ...], flow: Flow | None = None) -> list[BudgetLine]:
    flow = flow or build_flow(available_locales())  # the language menu as candidates see it
    lines = []
    for locale in locales:
        for name, say in [*_message_says(), *_question_says(flow)]:
            for sms in render_sms([say], locale):
                info = sms.sms
                lines.append(
                    BudgetLine(
                        locale,
                        name,
                        sms.text,
                        info.encoding,
                        info.segments,
                        limit_for(name, locale),
                    )
                )
    return lines


def print_budget(locale: str | None, *, show_all: bool = False) -> int:
    """Print the budget report; non-zero exit when a message breaks the budget."""
    offered = available_locales()
    locales = (locale,) if locale else offered
    unknown = [code for code in locales if code not in offered]
    if unknown:
        print(f"Unknown locale {unknown[0]!r}: choose among {', '.join(offered)}")
        return 2
    lines = budget(locales)
    table = Table("locale", "message", "encoding", "segments", "limit", "text", show_lines=False)
    worst = sorted(lines, key=lambda line: (line.ok, -line.segments))
    unique: dict[tuple[str, str], BudgetLine] = {}
    for line in worst:
        unique.setdefault((line.locale, line.text), line)
    for line in unique.values():
        if show_all or not line.ok:
            style = None if line.ok else "bold red"
            text = line.text.replace("\n", " / ")
            table.add_row(
                line.locale,
                line.message,
                line.encoding,
                str(line.segments),
                str(line.limit),
                text,
                style=style,
            )
    over = [line for line in unique.values() if not line.ok]
    console = Console(width=200) if not Console().is_terminal else Console()
    if table.row_count:
        console.print(table)
    console.print(
        f"{len(unique)} distinct messages in {', '.join(locales)}: "
        + (f"{len(over)} over budget" if over else "all within the SMS budget")
    )
    return 1 if over else 0
