"""The periodic jobs of a worker: reminders about once a minute, the retention purge hourly
(with it, the deletion at Twilio of erased people's call recordings).

``tremplin worker`` and the in-process worker of ``tremplin serve`` each run one
:class:`BackgroundHousekeeping` beside the outbox delivery. Several of them may run at once
(several machines): the reminders are claimed one by one in the database, and the purge only
blanks what is already old, so running it twice does no harm.
"""

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from bot.delivery.background import BackgroundLoop
from bot.delivery.courier import Courier
from bot.jobs.reminders import send_due_reminders
from bot.privacy.records import purge_old_bodies
from storage import utcnow

if TYPE_CHECKING:  # the runtime builds this: only its type is needed here
    from bot.runtime.root import Runtime

__all__ = ["BackgroundHousekeeping", "Housekeeping", "start_housekeeping"]

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class Housekeeping:
    """Runs each job when its interval has passed since its last run (by ``clock``)."""

    def __init__(
        self,
        engine: Engine,
        *,
        retention_days: int,
        courier: Courier,
        clock: Clock = utcnow,
        reminder_interval: timedelta = timedelta(minutes=1),
        retention_interval: timedelta = timedelta(hours=1),
        recordings: Callable[[], int] | None = None,
    ) -> None:
        self.engine = engine
        self.retention_days = retention_days
        self.courier = courier
        self.clock = clock
        self.reminder_interval = reminder_interval
        self.retention_interval = retention_interval
        self.recordings = recordings
        """Deletes at Twilio the call recordings of erased people (bot/channels/voice)."""
        self._next_reminders: datetime | None = None
        self._next_retention: datetime | None = None
        self._purged_until: datetime | None = None
        """The cutoff of this process's last purge: older rows need no second look."""

    def run_due(self) -> int:
        """Run the jobs whose time has come; returns how many reminders were queued."""
        now = self.clock()
        queued = 0
        if self._next_reminders is None or now >= self._next_reminders:
            self._next_reminders = now + self.reminder_interval
            queued = send_due_reminders(self.engine, now=now, courier=self.courier)
        if self._next_retention is None or now >= self._next_retention:
            self._next_retention = now + self.retention_interval
            purge_old_bodies(
                self.engine,
                now=now,
                retention_days=self.retention_days,
                since=self._purged_until,
            )
            if self.retention_days > 0:
                self._purged_until = now - timedelta(days=self.retention_days)
            if self.recordings is not None:
                self.recordings()
        return queued

    def run(self, stop: threading.Event, *, poll_interval: float = 5.0) -> None:
        """Run the jobs until ``stop`` is set. A failing database is logged and tried again."""
        while not stop.is_set():
            try:
                self.run_due()
            except Exception:
                log.exception("housekeeping: a periodic job failed; trying again later")
            stop.wait(poll_interval)


class BackgroundHousekeeping(BackgroundLoop):
    """A :class:`Housekeeping` on a daemon thread, started and stopped with the worker."""

    def __init__(self, housekeeping: Housekeeping, *, poll_interval: float = 5.0) -> None:
        super().__init__(
            housekeeping.run,
            poll_interval=poll_interval,
            thread_name="tremplin-housekeeping",
            already_running="housekeeping is already running",
        )
        self.housekeeping = housekeeping


def start_housekeeping(
    runtime: "Runtime", *, recordings: Callable[[], int] | None = None
) -> BackgroundHousekeeping:
    """Start the periodic jobs of a worker process on its runtime (stop them with ``stop()``);
    ``recordings`` deletes erased people's call recordings at Twilio (the server passes it)."""
    housekeeping = Housekeeping(
        runtime.engine,
        retention_days=runtime.settings.retention_days,
        courier=runtime.courier,
        recordings=recordings,
    )
    background = BackgroundHousekeeping(housekeeping)
    background.start()
    return background
