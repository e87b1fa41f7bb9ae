"""``tremplin bench engine``: durable in-process handling of inbound SMS against a raw SQL floor.

For each size (1 000 and 100 000 stored candidates by default) a fresh SQLite file is migrated and
filled with candidates in mid-conversation; then messages from random existing candidates are
handled one at a time, after a warm-up that is not counted, two ways on that same file:

* **service**: :meth:`ConversationService.handle` on the product's engine (WAL, synchronous FULL,
  ``BEGIN IMMEDIATE``): dedupe, load, step, render, save state, draft, log and outbox, commit —
  everything a webhook does except HTTP.
* **floor**: stdlib ``sqlite3`` with the same pragmas (:func:`apply_sqlite_pragmas`) doing the least
  durable work any handler must do: ``BEGIN IMMEDIATE``, read the conversation by (channel,
  address), insert the inbound message (its external id is the dedupe key), write the new state,
  insert one outbox row, ``COMMIT``.

Why the floor is the fair comparison: the service replies only once the answer is on disk, so each
message costs at least one synced transaction, whose price depends on the disk, the pragmas and
the size of the database rather than on our code. Measured in the same run on the same file and
settings, the floor cancels all that out: the ratio service/floor is what the service's own work
(ORM, engine, rendering, extra statements) costs. Targets, from the issue: at least 15 % of the
floor at every size, and at most 20 % more time per message at the largest size than the smallest.
"""

from __future__ import annotations

import json
import os
import platform
import random
import sqlite3
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any, Protocol, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine, insert

from bot.channels import registry
from bot.channels.contract import Inbound
from bot.conversation.service import ConversationService
from bot.runtime.settings import Settings
from conversations.draft import progress as draft_progress
from conversations.engine import step
from conversations.events import TextReceived
from conversations.flow import DEFAULT_FLOW
from conversations.state import State
from storage import SQLITE_PRAGMAS, Base, Candidate, ChannelIdentity, Conversation, CvDraft
from storage.columns import new_id, new_slug
from storage.database import apply_sqlite_pragmas, make_engine, make_session_factory
from storage.migrate import upgrade

__all__ = [
    "ANSWERS",
    "MAX_SLOWDOWN_PERCENT",
    "MIN_SERVICE_VS_FLOOR_PERCENT",
    "address_of",
    "mid_conversation_state",
    "populate",
    "run_engine_bench",
]

MIN_SERVICE_VS_FLOOR_PERCENT = 15.0
MAX_SLOWDOWN_PERCENT = 20.0

T = TypeVar("T")
Job = tuple[str, str, str]  # address, text, external id

_BATCH = 5_000
_WARMUP = 50
# Language, consent, no invite code, names, town: stored conversations wait for an e-mail address.
_SCRIPT = ("Bonjour", "1", "oui", "non", "Amina", "Diallo", "Paris 75011")
ANSWERS = ("Amina", "Paris 75011", "1", "cuisine", "2019-2021", "oui", "non", "aide-soignante")
_REPLY = "Merci ! Quelle est votre adresse e-mail ? (facultatif : répondez PASSER)"

# The floor's statements, per message.
_READ = (
    "SELECT c.id, c.candidate_id, c.state FROM channel_identities AS i"
    " JOIN conversations AS c ON c.candidate_id = i.candidate_id"
    " WHERE i.channel = ? AND i.address = ?"
)
_INBOUND = (
    "INSERT INTO messages (candidate_id, direction, channel, external_id, body, created_at)"
    " VALUES (?, 'in', 'sms', ?, ?, ?)"
)
_WRITE = "UPDATE conversations SET state = ?, version = version + 1, updated_at = ? WHERE id = ?"
_OUTBOX = (
    "INSERT INTO outbox (candidate_id, channel, address, body, status, attempts,"
    " next_attempt_at, created_at) VALUES (?, 'sms', ?, ?, 'pending', 0, ?, ?)"
)


def run_engine_bench(
    settings: Settings, *, sizes: list[int], messages: int, directory: Path | None
) -> dict[str, Any]:
    """Measure service and floor at each size, print a table and return the JSON-able report.

    The databases are SQLite files made for the run (``settings.database_url`` is not touched),
    in ``directory`` (kept) or else in a temporary directory (deleted).
    """
    del settings
    if not sizes or min(sizes) < 1 or messages < 1:
        raise ValueError("the benchmark needs sizes ≥ 1 and messages ≥ 1")
    err, state = Console(stderr=True), mid_conversation_state(datetime.now(UTC))
    place = nullcontext(str(directory)) if directory else TemporaryDirectory(prefix="tremplin-")
    with place as name:
        Path(name).mkdir(parents=True, exist_ok=True)
        results = _bench_sizes(Path(name), sizes, messages, state, err)
    by_size = sorted(results, key=lambda r: int(r["candidates"]))
    rates = [r["service"]["messages_per_second"] for r in (by_size[0], by_size[-1])]
    slowdown = round((rates[0] / rates[1] - 1) * 100, 1)  # time per message, largest vs smallest
    report: dict[str, Any] = {
        "benchmark": "engine",
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "sqlite": sqlite3.sqlite_version,
        },
        "database": "sqlite",
        "pragmas": dict(SQLITE_PRAGMAS),
        "messages": messages,
        "results": results,
        "slowdown_percent": slowdown,
        "targets": {
            "min_service_vs_floor_percent": MIN_SERVICE_VS_FLOOR_PERCENT,
            "service_vs_floor_met": all(r["service_vs_floor_met"] for r in results),
            "max_slowdown_percent": MAX_SLOWDOWN_PERCENT,
            "slowdown_met": slowdown <= MAX_SLOWDOWN_PERCENT,
        },
    }
    _print(report, Console())
    return report


_ROUNDS = 5


def _bench_sizes(
    where: Path, sizes: list[int], messages: int, state: State, err: Console
) -> list[dict[str, Any]]:
    """Populate every size first, then measure in interleaved rounds.

    Round after round, each size's service and floor handle a share of the messages, so that a
    burst of load from elsewhere on the machine falls on every size alike instead of on one.
    """
    paths, populate_seconds = {}, {}
    for size in sizes:
        path = where / f"bench-engine-{size}.db"
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{path}")
        try:
            upgrade(engine)
            started = time.perf_counter()
            populate(engine, size, state, err)
            populate_seconds[size] = round(time.perf_counter() - started, 1)
        finally:
            engine.dispose()
        paths[size] = path
    err.print(f"Measuring {messages:,} messages per size in {_ROUNDS} interleaved rounds…")
    runners: dict[int, tuple[_Runner, _Runner]] = {
        size: (_ServiceRunner(paths[size]), _FloorRunner(paths[size])) for size in sizes
    }
    samples: dict[tuple[int, str], list[float]] = {}
    elapsed: dict[tuple[int, str], float] = {}
    try:
        for number in range(_ROUNDS):
            share = messages // _ROUNDS + (1 if number < messages % _ROUNDS else 0)
            for size in sizes:
                rng = random.Random(size * 1000 + number)  # noqa: S311 (reproducible, not secret)
                for kind, runner in zip(("service", "floor"), runners[size], strict=True):
                    prefix = f"{kind[0]}{number}"
                    if number == 0:
                        _timed(runner, _jobs(rng, size, _WARMUP, "w" + prefix))
                    seconds, latencies = _timed(runner, _jobs(rng, size, share, prefix))
                    samples.setdefault((size, kind), []).extend(latencies)
                    elapsed[(size, kind)] = elapsed.get((size, kind), 0.0) + seconds
    finally:
        for pair in runners.values():
            for opened in pair:
                opened.close()
    results = []
    for size in sizes:
        service = _figures(samples[(size, "service")], elapsed[(size, "service")])
        floor = _figures(samples[(size, "floor")], elapsed[(size, "floor")])
        ratio = 100 * service["messages_per_second"] / floor["messages_per_second"]
        results.append(
            {
                "candidates": size,
                "populate_seconds": populate_seconds[size],
                "service": service,
                "floor": floor,
                "service_vs_floor_percent": round(ratio, 1),
                "service_vs_floor_met": ratio >= MIN_SERVICE_VS_FLOOR_PERCENT,
            }
        )
    return results


def mid_conversation_state(now: datetime) -> State:
    """A real state, from running :data:`_SCRIPT` through the engine."""
    state = State()
    for text in _SCRIPT:
        state, _ = step(DEFAULT_FLOW, state, TextReceived(text), now=now)
    return state


def address_of(number: int) -> str:
    return f"+3370{number:08d}"  # +33 and ten digits: no valid French number, it reaches nobody


def populate(engine: Engine, size: int, state: State, err: Console) -> None:
    """Insert ``size`` candidates, each with an SMS identity, a conversation and a draft."""
    now = datetime.now(UTC)
    consent_at = datetime.fromisoformat(state.consent_at) if state.consent_at else None
    common: dict[type[Base], dict[str, Any]] = {  # the same values as the ORM's defaults
        Candidate: {"locale": state.locale, "status": "in_progress", "opted_out": False,
                    "consent_at": consent_at, "created_at": now, "last_activity_at": now},
        ChannelIdentity: {"channel": "sms", "created_at": now},
        Conversation: {"state": state.conversation_json(), "version": 1, "updated_at": now},
        CvDraft: {"document": state.draft, "status": "in_progress",
                  "progress": draft_progress(state), "updated_at": now},
    }  # fmt: skip
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=err) as bar:
        task = bar.add_task(f"populating {size:,} candidates", total=size)
        for start in range(0, size, _BATCH):
            rows: dict[type[Base], list[dict[str, Any]]] = {model: [] for model in common}
            for number in range(start, min(start + _BATCH, size)):
                candidate = new_id()
                own = {
                    Candidate: {"id": candidate, "slug": new_slug()},
                    ChannelIdentity: {"candidate_id": candidate, "address": address_of(number)},
                    Conversation: {"candidate_id": candidate},
                    CvDraft: {"candidate_id": candidate},
                }
                for model, values in own.items():
                    rows[model].append({"id": new_id(), **common[model], **values})
            with engine.begin() as connection:
                for model, batch in rows.items():
                    connection.execute(insert(model), batch)
            bar.advance(task, min(_BATCH, size - start))


def _jobs(rng: random.Random, size: int, count: int, prefix: str) -> list[Job]:
    """``count`` messages from random existing candidates, with unique external ids."""
    return [
        (address_of(rng.randrange(size)), rng.choice(ANSWERS), f"{prefix}-{n}-{uuid.uuid4().hex}")
        for n in range(count)
    ]


class _Runner(Protocol):
    def __call__(self, job: Job) -> None: ...

    def close(self) -> None: ...


class _ServiceRunner:
    """The product's service on the product's engine (WAL, synchronous FULL, BEGIN IMMEDIATE)."""

    def __init__(self, path: Path) -> None:
        self.engine = make_engine(f"sqlite:///{path}")
        self.service = ConversationService(
            make_session_factory(self.engine), DEFAULT_FLOW, renderers=registry.renderers()
        )

    def __call__(self, job: Job) -> None:
        self.service.handle(Inbound("sms", job[0], TextReceived(job[1]), external_id=job[2]))

    def close(self) -> None:
        self.engine.dispose()


class _FloorRunner:
    """Raw ``sqlite3`` with the same pragmas doing the least durable work per message."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None)
        apply_sqlite_pragmas(self.connection)

    def __call__(self, job: Job) -> None:
        _floor_message(self.connection, job)

    def close(self) -> None:
        self.connection.close()


def _floor_message(connection: sqlite3.Connection, job: Job) -> None:
    # The read comes first only because the inbound row needs the candidate id; the order of the
    # statements inside one transaction does not change its cost.
    address, text, external_id = job
    now = datetime.now(UTC)
    stamp = now.replace(tzinfo=None).isoformat(" ")  # how SQLAlchemy stores a DateTime on SQLite
    connection.execute("BEGIN IMMEDIATE")
    conversation, candidate, state_text = connection.execute(_READ, ("sms", address)).fetchone()
    connection.execute(_INBOUND, (candidate, external_id, text, stamp))
    state = json.loads(state_text)
    state["tries"], state["last_seen"] = state["tries"] + 1, now.isoformat()
    connection.execute(_WRITE, (json.dumps(state), stamp, conversation))
    connection.execute(_OUTBOX, (candidate, address, _REPLY, stamp, stamp))
    connection.execute("COMMIT")


def _timed(run: Callable[[Job], object], jobs: Sequence[Job]) -> tuple[float, list[float]]:
    """Run the jobs one after the other: the whole loop's seconds and each job's latency."""
    clock, latencies = time.perf_counter, []
    started = clock()
    for job in jobs:
        before = clock()
        run(job)
        latencies.append(clock() - before)
    return clock() - started, latencies


def _figures(latencies: list[float], elapsed: float) -> dict[str, float]:
    """Throughput over the measured loops, and p50/p99 latency."""
    cuts = (
        statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else None
    )
    p50, p99 = (cuts[49], cuts[98]) if cuts else (latencies[0], latencies[0])
    return {
        "messages": len(latencies),
        "seconds": round(elapsed, 3),
        "messages_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(p50 * 1000, 3),
        "p99_ms": round(p99 * 1000, 3),
    }


def _cells(figures: dict[str, float]) -> list[str]:
    rate, p50, p99 = figures["messages_per_second"], figures["p50_ms"], figures["p99_ms"]
    return [f"{rate:,.0f}", f"{p50:.2f}", f"{p99:.2f}"]


def _print(report: dict[str, Any], console: Console) -> None:
    mode = "{journal_mode}, synchronous {synchronous}".format(**report["pragmas"])
    table = Table(title=f"Durable handling of {report['messages']:,} SMS, SQLite ({mode})")
    headers = ("candidates", "service\nmsg/s", "p50\nms", "p99\nms", "floor\nmsg/s", "p50\nms")
    for header in (*headers, "p99\nms", "service/\nfloor"):
        table.add_column(header, justify="right")
    for r in report["results"]:
        colour = "green" if r["service_vs_floor_met"] else "red"
        ratio = f"[{colour}]{r['service_vs_floor_percent']:.1f} %[/]"
        table.add_row(f"{r['candidates']:,}", *_cells(r["service"]), *_cells(r["floor"]), ratio)
    console.print(table)
    targets, sizes = report["targets"], [r["candidates"] for r in report["results"]]
    marks = {True: "[green]met[/]", False: "[red]NOT met[/]"}
    console.print(
        f"Service ≥ {targets['min_service_vs_floor_percent']:g} % of the floor at every size: "
        f"{marks[targets['service_vs_floor_met']]}.\nTime per message at {max(sizes):,} vs "
        f"{min(sizes):,} candidates: {report['slowdown_percent']:+.1f} % "
        f"(target ≤ +{targets['max_slowdown_percent']:g} %): {marks[targets['slowdown_met']]}."
    )
