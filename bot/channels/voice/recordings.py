"""Deleting call recordings at Twilio once the person is erased or refused (the housekeeping job).

Erasure and a refused consent leave one anonymous ``recording_to_delete`` event per recording
(bot/privacy/records.py ``forget_recordings``): the recording sid and nothing else. This job asks
Twilio to delete each (``DELETE /Recordings/RE….json``), marks the event ``recording_deleted``
when Twilio did or says there is no such recording, and leaves it for the next run when Twilio
cannot be reached or fails: a deletion is retried until it is done, never dropped.
"""

import logging

from sqlalchemy import Engine, select, update
from twilio.base.exceptions import TwilioRestException

from bot.channels.twilio.rest import rest_client
from bot.privacy.records import RECORDING_DELETED, RECORDING_TO_DELETE
from bot.runtime.settings import Settings
from storage import tables

__all__ = ["delete_forgotten_recordings"]

log = logging.getLogger(__name__)

_audit = tables.audit_events
_NOT_FOUND = 404


def delete_forgotten_recordings(engine: Engine, settings: Settings, *, limit: int = 100) -> int:
    """Delete at Twilio the recordings waiting to be; how many were done."""
    with engine.connect() as connection:
        waiting = connection.execute(
            select(_audit.c.id, _audit.c.detail)
            .where(_audit.c.action == RECORDING_TO_DELETE)
            .order_by(_audit.c.id)
            .limit(limit)
        ).all()
    if not waiting or not (settings.twilio_account_sid and settings.twilio_auth_token):
        if waiting:
            log.warning(
                "%d call recordings wait to be deleted: Twilio is not configured", len(waiting)
            )
        return 0
    client = rest_client(settings, timeout=15)
    done = 0
    for event_id, detail in waiting:
        sid = (detail or {}).get("recording_sid")
        try:
            if sid:
                client.recordings(sid).delete()
        except TwilioRestException as error:
            if error.status != _NOT_FOUND:
                log.warning(
                    "recording %s not deleted yet (Twilio %s): will retry", sid, error.status
                )
                continue
        except OSError as error:
            log.warning("recording %s not deleted yet (%s): will retry", sid, type(error).__name__)
            continue
        with engine.begin() as connection:
            connection.execute(
                update(_audit).where(_audit.c.id == event_id).values(action=RECORDING_DELETED)
            )
        done += 1
    return done
