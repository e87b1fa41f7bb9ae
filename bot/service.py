"""The conversation service: one inbound message, one database transaction.

DESIGN.md rule 3, in order: dedupe on (channel, external id) → find or create the candidate →
lock the conversation → load → step → save state, draft, message log and outbox → commit. Only
after the commit does a channel deliver the replies (from the outbox), so a reply never goes out
for an answer that was not saved, and a retried webhook gets no second reply.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.sms_render import Outgoing, render_sms
from conversations.draft import progress
from conversations.engine import step
from conversations.events import Event, TextReceived
from conversations.outputs import (
    Declined,
    EraseRequested,
    InviteCodeGiven,
    OptedIn,
    OptedOut,
    Output,
    Submitted,
)
from conversations.questions import Flow
from conversations.state import State, empty_draft
from storage import (
    AuditEvent,
    Candidate,
    ChannelIdentity,
    Conversation,
    CvDraft,
    CvVersion,
    Invitation,
    Message,
    Outbox,
    lock_conversation,
)

__all__ = ["ConversationService", "Handled", "Inbound", "Render"]

log = logging.getLogger(__name__)

Render = Callable[[list[Output], str | None], list[Outgoing]]


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a candidate, as a channel adapter hands it over (``to_inbound``)."""

    channel: str
    address: str
    event: Event
    external_id: str | None = None
    locale_hint: str | None = None
    """A language the channel knows reliably (Telegram ``language_code``, ``chat --lang``)."""


@dataclass(frozen=True, slots=True)
class Handled:
    duplicate: bool
    candidate_id: str | None = None
    step: str | None = None
    outbox_ids: list[int] = field(default_factory=list)
    replies: list[Outgoing] = field(default_factory=list)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ConversationService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        flow: Flow,
        *,
        clock: Callable[[], datetime] = _utcnow,
        renderers: dict[str, Render] | None = None,
    ) -> None:
        self.sessions = sessions
        self.flow = flow
        self.clock = clock
        self.renderers = renderers or {}

    def handle(self, inbound: Inbound) -> Handled:
        try:
            with self.sessions.begin() as session:
                return self._handle(session, inbound)
        except IntegrityError:
            # Two deliveries of one webhook raced past the dedupe read: the other one won.
            if inbound.external_id is not None:
                log.info("duplicate inbound on %s ignored at commit", inbound.channel)
                return Handled(duplicate=True)
            raise

    def _handle(self, session: Session, inbound: Inbound) -> Handled:
        now = self.clock()
        if inbound.external_id is not None and self._seen(session, inbound):
            log.info("duplicate inbound on %s ignored", inbound.channel)
            return Handled(duplicate=True)
        candidate, conversation, draft = self._load_or_create(session, inbound, now)
        lock_conversation(session, conversation.id)
        session.refresh(conversation)
        state = State.from_parts(conversation.state, draft.document)
        before = state.step
        new_state, outputs = step(self.flow, state, inbound.event, now=now)

        # As received, less NUL characters: PostgreSQL text cannot hold them, and they mean nothing.
        body = (
            inbound.event.text.replace("\x00", "")
            if isinstance(inbound.event, TextReceived)
            else None
        )
        session.add(
            Message(
                candidate_id=candidate.id,
                direction="in",
                channel=inbound.channel,
                external_id=inbound.external_id,
                body=body,
                step=before,
                status="received",
                created_at=now,
            )
        )
        session.flush()  # the unique (channel, direction, external_id) guard fires here

        render = self.renderers.get(inbound.channel, render_sms)
        replies = render(outputs, new_state.locale)
        erase = any(isinstance(o, EraseRequested) for o in outputs)
        if erase:
            self._erase(session, candidate, now)
        else:
            self._apply_effects(session, candidate, outputs, new_state, now)
            self._save(candidate, conversation, draft, new_state, now)
        outbox_ids = self._queue(session, None if erase else candidate, inbound, replies, now)
        log.debug(
            "handled inbound: step %s -> %s, %d replies", before, new_state.step, len(replies)
        )
        return Handled(
            duplicate=False,
            candidate_id=None if erase else candidate.id,
            step=new_state.step,
            outbox_ids=outbox_ids,
            replies=replies,
        )

    @staticmethod
    def _seen(session: Session, inbound: Inbound) -> bool:
        found = session.scalar(
            select(Message.id).where(
                Message.channel == inbound.channel,
                Message.direction == "in",
                Message.external_id == inbound.external_id,
            )
        )
        return found is not None

    def _load_or_create(
        self, session: Session, inbound: Inbound, now: datetime
    ) -> tuple[Candidate, Conversation, CvDraft]:
        identity = session.scalar(
            select(ChannelIdentity).where(
                ChannelIdentity.channel == inbound.channel,
                ChannelIdentity.address == inbound.address,
            )
        )
        if identity is not None:
            candidate = identity.candidate
            if candidate.conversation is not None and candidate.draft is not None:
                return candidate, candidate.conversation, candidate.draft
        else:
            candidate = Candidate(created_at=now, last_activity_at=now)
            session.add(candidate)
            session.add(
                ChannelIdentity(
                    candidate=candidate, channel=inbound.channel, address=inbound.address
                )
            )
        locale = inbound.locale_hint if inbound.locale_hint in self.flow.locales else None
        state = State(locale=locale)
        conversation = Conversation(candidate=candidate, state=state.conversation_json())
        draft = CvDraft(candidate=candidate, document=empty_draft())
        session.add_all([conversation, draft])
        session.flush()
        return candidate, conversation, draft

    def _save(
        self,
        candidate: Candidate,
        conversation: Conversation,
        draft: CvDraft,
        state: State,
        now: datetime,
    ) -> None:
        conversation.state = state.conversation_json()
        conversation.updated_at = now
        draft.document = state.draft
        draft.status = state.status
        draft.progress = progress(state)
        locations = state.cv["locations"]
        draft.department = locations[0].get("department") if locations else None
        jobs = state.cv["target_jobs"]
        draft.first_job = (jobs[0].get("code") or jobs[0]["text"])[:200] if jobs else None
        draft.updated_at = now
        candidate.locale = state.locale or candidate.locale
        candidate.status = state.status
        candidate.last_activity_at = now
        if state.consent_at and candidate.consent_at is None:
            candidate.consent_at = datetime.fromisoformat(state.consent_at)

    def _apply_effects(
        self,
        session: Session,
        candidate: Candidate,
        outputs: list[Output],
        state: State,
        now: datetime,
    ) -> None:
        for output in outputs:
            if isinstance(output, OptedOut):
                candidate.opted_out = True
            elif isinstance(output, OptedIn):
                candidate.opted_out = False
            elif isinstance(output, InviteCodeGiven):
                self._link_invitation(session, candidate, output.code)
            elif isinstance(output, Submitted):
                self._freeze(session, candidate, state, now)
            elif isinstance(output, Declined):
                # Keep nothing about the person beyond what honouring the refusal needs.
                session.execute(
                    update(Message).where(Message.candidate_id == candidate.id).values(body=None)
                )
                session.add(AuditEvent(candidate_id=candidate.id, action="consent_declined"))

    @staticmethod
    def _link_invitation(session: Session, candidate: Candidate, code: str) -> None:
        candidate.invite_code = code
        invitation = session.scalar(select(Invitation).where(Invitation.code == code))
        if invitation is not None:
            invitation.uses += 1
            candidate.coach_id = invitation.coach_id

    @staticmethod
    def _freeze(session: Session, candidate: Candidate, state: State, now: datetime) -> None:
        number = session.scalar(
            select(CvVersion.number)
            .where(CvVersion.candidate_id == candidate.id)
            .order_by(CvVersion.number.desc())
            .limit(1)
        )
        session.add(
            CvVersion(
                candidate_id=candidate.id,
                number=(number or 0) + 1,
                kind="submitted",
                document=state.draft,
                created_at=now,
            )
        )
        session.add(AuditEvent(candidate_id=candidate.id, action="submitted", created_at=now))

    @staticmethod
    def _erase(session: Session, candidate: Candidate, now: datetime) -> None:
        """DELETE confirmed: every row about the person goes (identities, conversation, draft,
        versions, reviews, messages, outbox cascade); an anonymous event keeps the count."""
        session.delete(candidate)
        session.add(AuditEvent(candidate_id=None, action="candidate_erased", created_at=now))

    @staticmethod
    def _queue(
        session: Session,
        candidate: Candidate | None,
        inbound: Inbound,
        replies: list[Outgoing],
        now: datetime,
    ) -> list[int]:
        ids = []
        for reply in replies:
            message = None
            if candidate is not None:
                message = Message(
                    candidate_id=candidate.id,
                    direction="out",
                    channel=inbound.channel,
                    body=reply.text,
                    step=reply.step,
                    segments=reply.sms.segments,
                    status="queued",
                    created_at=now,
                )
                session.add(message)
                session.flush()
            row = Outbox(
                candidate_id=candidate.id if candidate is not None else None,
                message_id=message.id if message is not None else None,
                channel=inbound.channel,
                address=inbound.address,
                body=reply.text,
                next_attempt_at=now,
                created_at=now,
            )
            session.add(row)
            session.flush()
            ids.append(row.id)
        return ids
