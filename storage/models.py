"""The relational schema of Tremplin, as SQLAlchemy 2 typed declarative models.

Rules of this module:

* Every change here needs a migration in ``storage/migrations/versions``; the tests upgrade a fresh
  database and compare it with these models, on SQLite and PostgreSQL.
* Constraints and indexes get names from :data:`NAMING_CONVENTION`, so migrations can refer to them
  by name, identically on both databases (SQLite batch mode needs names to drop anything).
* Ids of people and documents are random UUID strings made in Python (known before flush, never
  guessable, safe to merge between databases); the append-only logs (messages, outbox, audit) use
  integer ids, which are cheaper and keep insertion order.
* Child rows of a candidate disappear with it (``ON DELETE CASCADE``): erasure is one ``DELETE``.
  The ORM relationships are ``passive_deletes`` so the database, not the session, does that work.
* Scalar defaults exist on both sides: in Python (values are visible before flush) and on the server
  (raw SQL inserts and later ``NOT NULL`` columns behave). Timestamps default in Python only: the
  clock belongs to the application, which passes ``now`` to the pure core.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.choices import CandidateStatus, CoachRole, OutboxStatus
from storage.columns import (
    ID_LENGTH,
    SLUG_LENGTH,
    BigIntegerId,
    JsonDocument,
    UtcDateTime,
    new_id,
    new_slug,
    utcnow,
)

__all__ = [
    "NAMING_CONVENTION",
    "AppSecret",
    "AuditEvent",
    "Base",
    "Candidate",
    "ChannelIdentity",
    "Coach",
    "CoachSession",
    "ContactMessage",
    "Conversation",
    "CvDraft",
    "CvRender",
    "CvVersion",
    "Invitation",
    "LinkCode",
    "Media",
    "Message",
    "Organisation",
    "Outbox",
    "RateLimitHit",
    "Review",
    "VoiceAnswer",
    "VoiceCall",
]

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_CANDIDATE_FK = "candidates.id"
_COACH_FK = "coaches.id"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _uuid_pk() -> Mapped[str]:
    return mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)


def _created_at() -> Mapped[datetime]:
    return mapped_column(UtcDateTime(), nullable=False, default=utcnow)


def _candidate_fk(*, nullable: bool = False, unique: bool = False) -> Mapped[Any]:
    return mapped_column(
        String(ID_LENGTH),
        ForeignKey(_CANDIDATE_FK, ondelete="CASCADE"),
        nullable=nullable,
        # A unique constraint is already an index; otherwise index the key so that deleting a
        # candidate does not scan the whole child table (PostgreSQL does not index FKs itself).
        unique=unique,
        index=not unique,
    )


class Organisation(Base):
    """An association or service that coaches belong to."""

    __tablename__ = "organisations"

    id: Mapped[str] = _uuid_pk()
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = _created_at()


class Coach(Base):
    """A person who reviews and publishes CVs. ``email`` is stored lower-cased by the caller."""

    __tablename__ = "coaches"

    id: Mapped[str] = _uuid_pk()
    organisation_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(
        String(16), default=CoachRole.COACH.value, server_default=CoachRole.COACH.value
    )
    created_at: Mapped[datetime] = _created_at()
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    password_must_change: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    """Set for a printed one-time password: the first login asks for a new one."""


class Invitation(Base):
    """A short code a candidate types to be attached to a coach."""

    __tablename__ = "invitations"

    id: Mapped[str] = _uuid_pk()
    code: Mapped[str] = mapped_column(String(16), unique=True)
    coach_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey(_COACH_FK, ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    uses: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    max_uses: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = _created_at()


class Candidate(Base):
    """A person building a CV. ``invite_code`` is a copy, kept even if the invitation goes."""

    __tablename__ = "candidates"

    id: Mapped[str] = _uuid_pk()
    slug: Mapped[str] = mapped_column(String(SLUG_LENGTH), unique=True, default=new_slug)
    locale: Mapped[str] = mapped_column(String(16), default="fr", server_default="fr")
    status: Mapped[str] = mapped_column(
        String(32),
        index=True,
        default=CandidateStatus.IN_PROGRESS.value,
        server_default=CandidateStatus.IN_PROGRESS.value,
    )
    coach_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey(_COACH_FK, ondelete="SET NULL"), index=True
    )
    organisation_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    invite_code: Mapped[str | None] = mapped_column(String(16))
    consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = _created_at()
    last_activity_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), index=True, nullable=False, default=utcnow
    )
    current_step: Mapped[str | None] = mapped_column(String(64))
    """The conversation's step, copied on every save for the dashboard and the funnel."""
    furthest_step: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    """Index in the flow of the furthest step reached (the funnel of "where candidates stop")."""
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    """The first submission (median time from first message to submission)."""
    next_reminder_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    """When the next reminder is due (2 then 7 days, docs/conversation.md); NULL when none is."""
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    published_version: Mapped[int | None] = mapped_column(Integer)
    """``cv_versions.number`` of the version the public page shows; NULL when not published."""
    noindex: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    """Ask search engines not to index the public page (on by default)."""
    cv_views: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    cv_shares: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    identities: Mapped[list[ChannelIdentity]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan", passive_deletes=True
    )
    conversation: Mapped[Conversation | None] = relationship(
        back_populates="candidate", cascade="all, delete-orphan", passive_deletes=True
    )
    draft: Mapped[CvDraft | None] = relationship(
        back_populates="candidate", cascade="all, delete-orphan", passive_deletes=True
    )


class ChannelIdentity(Base):
    """How to reach a candidate: a phone number for SMS, a chat id for Telegram…

    ``UNIQUE(channel, address)`` is also the index used to find the candidate of each inbound
    message.
    """

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[str] = _uuid_pk()
    candidate_id: Mapped[str] = _candidate_fk()
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = _created_at()
    unusable_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    """The provider said this address cannot be reached on the channel (WhatsApp 63003: not a
    WhatsApp user); messages go another way until the person writes from it again."""
    unusable_reason: Mapped[str | None] = mapped_column(String(64))

    candidate: Mapped[Candidate] = relationship(back_populates="identities")


class Conversation(Base):
    """The engine's state for one candidate, with a version for optimistic locking.

    SQLAlchemy bumps ``version`` on every UPDATE and adds ``WHERE version = <loaded>``, so a write
    based on a stale read raises ``StaleDataError`` instead of silently losing an answer. ``state``
    is a plain JSON column (no mutation tracking): assign a new value, do not mutate it in place.
    """

    __tablename__ = "conversations"

    id: Mapped[str] = _uuid_pk()
    candidate_id: Mapped[str] = _candidate_fk(unique=True)
    state: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), nullable=False, default=utcnow, onupdate=utcnow
    )

    candidate: Mapped[Candidate] = relationship(back_populates="conversation")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it once


class CvDraft(Base):
    """The CV being written (``document``, see cv.schema.json) and copies of a few of its fields.

    The copies (status, progress, department, first job) exist only so the coach dashboard can
    filter and sort without reading every document; the writer of ``document`` keeps them in step.
    """

    __tablename__ = "cv_drafts"

    id: Mapped[str] = _uuid_pk()
    candidate_id: Mapped[str] = _candidate_fk(unique=True)
    document: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    status: Mapped[str] = mapped_column(
        String(32),
        index=True,
        default=CandidateStatus.IN_PROGRESS.value,
        server_default=CandidateStatus.IN_PROGRESS.value,
    )
    progress: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    department: Mapped[str | None] = mapped_column(String(16), index=True)
    first_job: Mapped[str | None] = mapped_column(String(200), index=True)
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), nullable=False, default=utcnow, onupdate=utcnow
    )

    candidate: Mapped[Candidate] = relationship(back_populates="draft")


class CvVersion(Base):
    """An immutable snapshot of the CV, taken at each submission and each publication."""

    __tablename__ = "cv_versions"
    # The unique constraint leads with candidate_id, so it also serves the cascade on delete.
    __table_args__ = (UniqueConstraint("candidate_id", "number"),)

    id: Mapped[str] = _uuid_pk()
    candidate_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey(_CANDIDATE_FK, ondelete="CASCADE")
    )
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    document: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    created_at: Mapped[datetime] = _created_at()
    created_by: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey(_COACH_FK, ondelete="SET NULL"), index=True
    )


class Review(Base):
    """A coach's comment on one part of a CV, open until resolved."""

    __tablename__ = "reviews"

    id: Mapped[str] = _uuid_pk()
    candidate_id: Mapped[str] = _candidate_fk()
    coach_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey(_COACH_FK, ondelete="SET NULL"), index=True
    )
    part: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _created_at()
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Message(Base):
    """Every message in and out, with the provider's id and delivery status.

    ``UNIQUE(channel, direction, external_id)`` deduplicates inbound messages that a provider
    retries (Twilio ``MessageSid``, Telegram ``update_id``). Rows without an external id never
    collide: ``NULL`` is distinct from ``NULL`` in a unique constraint on SQLite and PostgreSQL.
    """

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel", "direction", "external_id"),
        # A candidate's history in order, and the index the cascade on delete needs.
        Index("ix_messages_candidate_id_created_at", "candidate_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigIntegerId, primary_key=True, autoincrement=True)
    candidate_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey(_CANDIDATE_FK, ondelete="CASCADE")
    )
    direction: Mapped[str] = mapped_column(String(3))
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(128))
    body: Mapped[str | None] = mapped_column(Text)
    step: Mapped[str | None] = mapped_column(String(64))
    segments: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str | None] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(16))
    """The provider's delivery error (Twilio ``ErrorCode``: 30003 unreachable, 21610 STOPped…)."""
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), index=True, nullable=False, default=utcnow
    )


class Outbox(Base):
    """A delivery to make, written in the same transaction as the answer that caused it.

    The worker picks ``status = 'pending' AND next_attempt_at <= now``: that is exactly the
    ``(status, next_attempt_at)`` index. It sends one message at a time per address, in order, so
    it asks "is an earlier row for this address still pending?": the ``(channel, address,
    status)`` index answers that, and the terminal phone's "pending rows of this address" too.

    ``purpose`` says why the row exists: ``reply`` (the default), ``coach``, ``reminder``, or
    ``opt_out_confirmation``, the one message that still goes to a person who has just sent STOP.
    ``external_id`` is the provider's id once sent (Twilio ``SM…``).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_channel_address_status", "channel", "address", "status"),
    )

    id: Mapped[int] = mapped_column(BigIntegerId, primary_key=True, autoincrement=True)
    candidate_id: Mapped[str | None] = _candidate_fk(nullable=True)
    message_id: Mapped[int | None] = mapped_column(
        BigIntegerId, ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(128))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(
        String(16),
        default=OutboxStatus.PENDING.value,
        server_default=OutboxStatus.PENDING.value,
    )
    purpose: Mapped[str] = mapped_column(String(32), default="reply", server_default="reply")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = _created_at()
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    payload: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    """What a channel needs beyond the text (Telegram: a reply keyboard, a contact button)."""
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    """A worker's lease on a row it is sending; past it, another worker may take the row over."""


class AuditEvent(Base):
    """Who did what. The trail outlives the people in it.

    ``candidate_id`` becomes ``NULL`` when the candidate is erased (the event stays, the link to the
    person goes). ``coach_id`` is deliberately not a foreign key: deleting a coach must neither
    fail nor rewrite the record of what they did.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigIntegerId, primary_key=True, autoincrement=True)
    candidate_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey(_CANDIDATE_FK, ondelete="SET NULL"), index=True
    )
    coach_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), index=True)
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    created_at: Mapped[datetime] = _created_at()


class Media(Base):
    """A photo for the CV or a file kept for the coach (a voice note), stored with its owner.

    Bytes live in the database so that every process sees them and erasure removes them with the
    candidate (``ON DELETE CASCADE``). Photos are stored re-encoded, without EXIF, size-capped.
    """

    __tablename__ = "media"

    id: Mapped[str] = _uuid_pk()
    candidate_id: Mapped[str] = _candidate_fk()
    kind: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = _created_at()


class LinkCode(Base):
    """A one-time code that joins a new channel (``channel``/``address``) to an existing
    candidate: sent over the candidate's known channel, typed on the new one."""

    __tablename__ = "link_codes"

    id: Mapped[str] = _uuid_pk()
    candidate_id: Mapped[str] = _candidate_fk()
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(128), index=True)
    code_hash: Mapped[str] = mapped_column(String(128))
    tries: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = _created_at()


class CoachSession(Base):
    """A logged-in coach. The cookie carries a random token; only its hash is stored, so a
    database leak opens no session, and logout (or an admin) can end it for real."""

    __tablename__ = "coach_sessions"

    id: Mapped[str] = _uuid_pk()
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    coach_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey(_COACH_FK, ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = _created_at()
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RateLimitHit(Base):
    """One attempt counted by a rate limit (coach logins, the public contact form), shared by
    every process. ``key`` is a hash (of an address or an email), never the value itself."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (
        Index("ix_rate_limit_hits_bucket_key_created_at", "bucket", "key", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigIntegerId, primary_key=True, autoincrement=True)
    bucket: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = _created_at()


class ContactMessage(Base):
    """A message from an employer or helper, sent from a public CV page to the coach's inbox."""

    __tablename__ = "contact_messages"

    id: Mapped[str] = _uuid_pk()
    candidate_id: Mapped[str] = _candidate_fk()
    coach_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey(_COACH_FK, ondelete="SET NULL"), index=True
    )
    sender_name: Mapped[str] = mapped_column(String(120))
    sender_email: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _created_at()
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CvRender(Base):
    """A rendering of one published version (the PDF, the share image), made once and kept."""

    __tablename__ = "cv_renders"
    __table_args__ = (UniqueConstraint("candidate_id", "version_number", "kind"),)

    id: Mapped[str] = _uuid_pk()
    candidate_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey(_CANDIDATE_FK, ondelete="CASCADE")
    )
    version_number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = _created_at()


class VoiceCall(Base):
    """One phone call (bot/channels/voice): where it stands between two of Twilio's requests.

    ``turn`` numbers the answers: Twilio posts each with its turn, so a retried request is
    answered with ``last_response`` again and changes nothing. ``state`` holds what the call is
    doing (the question asked, an answer waiting to be confirmed, silences in a row). The
    recording, if the caller agreed to one by keypad, is Twilio's ``recording_sid``: erasure
    deletes it at Twilio too (bot/privacy/records.py).
    """

    __tablename__ = "voice_calls"

    id: Mapped[str] = _uuid_pk()
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    candidate_id: Mapped[str | None] = _candidate_fk(nullable=True)
    turn: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    state: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    last_response: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(
        String(16), default="in-progress", server_default=text("'in-progress'")
    )
    wanted_locale: Mapped[str | None] = mapped_column(String(8))
    """A language the caller chose that no voice here speaks (Pashto, Tigrinya): call them back."""
    recording_consent: Mapped[bool | None] = mapped_column(Boolean)
    recording_sid: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _created_at()
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class VoiceAnswer(Base):
    """An answer given by phone, as it was heard: the coach sees it, with Twilio's confidence,
    and corrects the draft where the transcription went wrong."""

    __tablename__ = "voice_answers"

    id: Mapped[str] = _uuid_pk()
    candidate_id: Mapped[str] = _candidate_fk()
    call_sid: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(40))
    transcript: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(8))
    """``speech`` (Twilio's transcription) or ``keypad``."""
    created_at: Mapped[datetime] = _created_at()


class AppSecret(Base):
    """Secrets the application makes for itself when none is configured (the key that signs
    coach cookies), so that every process of a deployment shares them."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = _created_at()
