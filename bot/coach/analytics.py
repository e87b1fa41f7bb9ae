"""Where candidates stop: the funnel by step reached, completion, time to submission, by week.

``candidates.furthest_step`` is the index in ``flow.questions`` of the furthest question a
candidate reached (``len(questions)`` once submitted); the service keeps it and never lowers it.
The funnel counts, for each question, the candidates who reached it at least. Weeks are ISO
weeks of the first message (``candidates.created_at``). The chart is an SVG drawn here, with the
same numbers in a table beside it, so the page needs no script and reads on any phone.
"""

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from conversations.questions import Flow
from storage import Candidate

__all__ = ["Funnel", "FunnelStep", "WeekRow", "funnel", "funnel_svg", "weekly"]


@dataclass(frozen=True, slots=True)
class FunnelStep:
    step: str
    part: int
    reached: int
    percent: int


@dataclass(frozen=True, slots=True)
class WeekRow:
    week: str
    started: int
    submitted: int
    completion: int
    median_hours: float | None


@dataclass(frozen=True, slots=True)
class Funnel:
    total: int
    submitted: int
    completion: int
    median_hours: float | None
    steps: list[FunnelStep]
    weeks: list[WeekRow]


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _median_hours(durations: list[timedelta]) -> float | None:
    if not durations:
        return None
    return round(statistics.median(d.total_seconds() for d in durations) / 3600, 1)


def weekly(rows: list[tuple[datetime, datetime | None]]) -> list[WeekRow]:
    """Per ISO week of the first message: started, submitted, completion, median time."""
    weeks: dict[str, list[tuple[datetime, datetime | None]]] = {}
    for created, submitted in rows:
        year, week, _ = created.isocalendar()
        weeks.setdefault(f"{year}-S{week:02d}", []).append((created, submitted))
    table = []
    for name in sorted(weeks):
        items = weeks[name]
        done = [s - c for c, s in items if s is not None]
        table.append(
            WeekRow(
                name, len(items), len(done), _percent(len(done), len(items)), _median_hours(done)
            )
        )
    return table


def funnel(session: Session, flow: Flow, scope: ColumnElement[bool]) -> Funnel:
    rows = session.execute(
        select(Candidate.furthest_step, Candidate.created_at, Candidate.submitted_at).where(
            scope, Candidate.erased_at.is_(None)
        )
    ).all()
    total = len(rows)
    submitted_count = sum(1 for row in rows if row.submitted_at is not None)
    steps = []
    for index, question in enumerate(flow.questions):
        reached = sum(1 for row in rows if row.furthest_step >= index)
        steps.append(FunnelStep(question.id, question.part, reached, _percent(reached, total)))
    finished = sum(1 for row in rows if row.furthest_step >= len(flow.questions))
    steps.append(FunnelStep("submitted", 7, finished, _percent(finished, total)))
    durations = [row.submitted_at - row.created_at for row in rows if row.submitted_at]
    return Funnel(
        total=total,
        submitted=submitted_count,
        completion=_percent(submitted_count, total),
        median_hours=_median_hours(durations),
        steps=steps,
        weeks=weekly([(row.created_at, row.submitted_at) for row in rows]),
    )


def funnel_svg(steps: list[FunnelStep], *, width: int = 640, bar: int = 14, gap: int = 4) -> Markup:
    """Horizontal bars, one per step: the share of candidates who reached it.

    Only numbers and the flow's step ids go in (escaped all the same), never a person's words.
    """
    label_width, number_width = 170, 70
    plot = width - label_width - number_width
    height = len(steps) * (bar + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="funnel-title">'
        '<title id="funnel-title">Entonnoir : part des candidats ayant atteint chaque étape'
        "</title>"
    ]
    for row, step in enumerate(steps):
        name = escape(step.step)
        y = gap + row * (bar + gap)
        length = round(plot * step.percent / 100)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar - 3}" text-anchor="end" '
            f'font-size="11">{name}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar}" '
            f'class="part{step.part}"><title>{name} : {step.reached}</title></rect>'
            f'<text x="{label_width + length + 4}" y="{y + bar - 3}" font-size="11">'
            f"{step.reached} ({step.percent} %)</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built here from escaped names and numbers
