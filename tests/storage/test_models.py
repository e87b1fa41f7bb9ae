"""Behaviour the service relies on: defaults, dedupe, cascades, optimistic locking, UTC times."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from storage import (
    AuditEvent,
    Base,
    Candidate,
    CandidateStatus,
    ChannelIdentity,
    Coach,
    Conversation,
    CvDraft,
    CvVersion,
    Direction,
    Invitation,
    Message,
    Organisation,
    Outbox,
    OutboxStatus,
    Review,
    VersionKind,
)

Sessions = sessionmaker[Session]


def _new_candidate(sessions: Sessions) -> Candidate:
    with sessions.begin() as session:
        candidate = Candidate()
        session.add(candidate)
    return candidate


def _inbound(candidate_id: str | None, external_id: str | None, **extra: object) -> Message:
    fields: dict[str, object] = {
        "channel": "sms",
        "direction": Direction.IN,
        "external_id": external_id,
        "body": "Bonjour",
        **extra,
    }
    return Message(candidate_id=candidate_id, **fields)


def test_defaults(session_factory: Sessions) -> None:
    with session_factory.begin() as session:
        organisation = Organisation(name="Entourage")
        coach = Coach(email="coach@example.org", name="Coach", password_hash="x")
        session.add_all([organisation, coach])
        session.flush()
        invitation = Invitation(code="T4821", coach_id=coach.id)
        candidate = Candidate(coach_id=coach.id, organisation_id=organisation.id)
        session.add_all([invitation, candidate])

    with session_factory() as session:
        loaded = session.get_one(Candidate, candidate.id)
        assert len(loaded.id) == 36
        assert len(loaded.slug) == 22
        assert set(loaded.slug) <= set(string.ascii_letters + string.digits + "-_")
        assert loaded.locale == "fr"
        assert loaded.status == CandidateStatus.IN_PROGRESS
        assert loaded.opted_out is False
        assert loaded.created_at.tzinfo is UTC
        assert session.get_one(Coach, coach.id).role == "coach"
        assert session.get_one(Invitation, invitation.id).uses == 0


def test_slugs_are_unguessable(session_factory: Sessions) -> None:
    slugs = {_new_candidate(session_factory).slug for _ in range(5)}
    assert len(slugs) == 5


def test_timestamps_are_stored_and_returned_in_utc(session_factory: Sessions) -> None:
    paris_summer = timezone(timedelta(hours=2))
    consent = datetime(2024, 7, 1, 14, 30, tzinfo=paris_summer)
    with session_factory.begin() as session:
        candidate = Candidate(consent_at=consent)
        session.add(candidate)

    with session_factory() as session:
        loaded = session.get_one(Candidate, candidate.id)
        assert loaded.consent_at == consent
        assert loaded.consent_at is not None and loaded.consent_at.tzinfo is UTC
        assert loaded.consent_at.hour == 12
        # Comparisons in SQL use the same conversion.
        found = session.scalar(select(Candidate.id).where(Candidate.consent_at >= consent))
        assert found == candidate.id


def test_a_naive_datetime_is_refused(session_factory: Sessions) -> None:
    with session_factory() as session:
        session.add(Candidate(consent_at=datetime(2024, 7, 1, 14, 30)))
        with pytest.raises(StatementError, match="naive datetime"):
            session.flush()


def test_json_documents_round_trip(session_factory: Sessions) -> None:
    state = {"step": "first_name", "answers": {"prénom": "Zoé", "langues": ["fr", "ar"]}, "n": 3}
    candidate = _new_candidate(session_factory)
    with session_factory.begin() as session:
        session.add(Conversation(candidate_id=candidate.id, state=state))
        session.add(AuditEvent(candidate_id=candidate.id, action="consent", detail=None))

    with session_factory() as session:
        assert session.scalars(select(Conversation.state)).one() == state
        # None is SQL NULL, not the JSON literal null, so IS NULL finds it.
        assert session.scalar(select(func.count()).where(AuditEvent.detail.is_(None))) == 1


class TestInboundDedupe:
    def test_the_same_external_id_twice_is_refused(self, session_factory: Sessions) -> None:
        candidate = _new_candidate(session_factory)
        with session_factory.begin() as session:
            session.add(_inbound(candidate.id, "SM0123456789abcdef"))

        with session_factory() as session:
            session.add(_inbound(candidate.id, "SM0123456789abcdef"))
            with pytest.raises(IntegrityError):
                session.flush()

    def test_messages_without_external_id_never_collide(self, session_factory: Sessions) -> None:
        candidate = _new_candidate(session_factory)
        with session_factory.begin() as session:
            session.add_all([_inbound(candidate.id, None), _inbound(candidate.id, None)])

        with session_factory() as session:
            assert session.scalar(select(func.count()).select_from(Message)) == 2

    def test_an_id_is_unique_per_channel_and_direction(self, session_factory: Sessions) -> None:
        with session_factory.begin() as session:
            session.add_all(
                [
                    _inbound(None, "42"),
                    _inbound(None, "42", channel="telegram"),
                    _inbound(None, "42", direction=Direction.OUT),
                ]
            )

        with session_factory() as session:
            assert session.scalar(select(func.count()).select_from(Message)) == 3


def test_an_address_belongs_to_one_candidate_per_channel(session_factory: Sessions) -> None:
    first, second = _new_candidate(session_factory), _new_candidate(session_factory)
    with session_factory.begin() as session:
        session.add(ChannelIdentity(candidate_id=first.id, channel="sms", address="+33612345678"))

    with session_factory() as session:
        session.add(ChannelIdentity(candidate_id=second.id, channel="sms", address="+33612345678"))
        with pytest.raises(IntegrityError):
            session.flush()


@pytest.mark.parametrize("how", ["orm", "sql"])
def test_deleting_a_candidate_deletes_their_data(session_factory: Sessions, how: str) -> None:
    with session_factory.begin() as session:
        coach = Coach(email="c@example.org", name="C", password_hash="x")
        candidate = Candidate()
        session.add_all([coach, candidate])
        session.flush()
        message = _inbound(candidate.id, "SM1")
        session.add_all(
            [
                ChannelIdentity(candidate_id=candidate.id, channel="sms", address="+33600000000"),
                Conversation(candidate_id=candidate.id, state={"step": "name"}),
                CvDraft(candidate_id=candidate.id, document={"name": "Awa"}),
                CvVersion(
                    candidate_id=candidate.id,
                    number=1,
                    kind=VersionKind.SUBMITTED,
                    document={"name": "Awa"},
                    created_by=coach.id,
                ),
                Review(candidate_id=candidate.id, coach_id=coach.id, part="skills", comment="?"),
                message,
                AuditEvent(candidate_id=candidate.id, coach_id=coach.id, action="submitted"),
            ]
        )
        session.flush()
        session.add(
            Outbox(
                candidate_id=candidate.id,
                message_id=message.id,
                channel="sms",
                address="+33600000000",
                body="Merci",
            )
        )

    with session_factory.begin() as session:
        if how == "orm":
            session.delete(session.get_one(Candidate, candidate.id))
        else:
            session.execute(delete(Candidate).where(Candidate.id == candidate.id))

    with session_factory() as session:
        for model in (ChannelIdentity, Conversation, CvDraft, CvVersion, Review, Message, Outbox):
            assert session.scalar(select(func.count()).select_from(model)) == 0, model
        # The audit trail stays, without the link to the person.
        event = session.scalars(select(AuditEvent)).one()
        assert event.candidate_id is None
        assert event.coach_id == coach.id


def test_deleting_a_coach_keeps_their_candidates(session_factory: Sessions) -> None:
    with session_factory.begin() as session:
        coach = Coach(email="c@example.org", name="C", password_hash="x")
        session.add(coach)
        session.flush()
        candidate = Candidate(coach_id=coach.id)
        session.add_all([candidate, Invitation(code="T1", coach_id=coach.id)])

    with session_factory.begin() as session:
        session.execute(delete(Coach))

    with session_factory() as session:
        assert session.get_one(Candidate, candidate.id).coach_id is None
        assert session.scalar(select(func.count()).select_from(Invitation)) == 0


class TestConversationVersion:
    def test_each_update_increments_the_version(self, session_factory: Sessions) -> None:
        candidate = _new_candidate(session_factory)
        with session_factory() as session:
            conversation = Conversation(candidate_id=candidate.id, state={"step": "hello"})
            session.add(conversation)
            session.commit()
            assert conversation.version == 1
            created = conversation.updated_at

            for expected, step in [(2, "name"), (3, "job")]:
                conversation.state = {"step": step}
                session.commit()
                assert conversation.version == expected

        with session_factory() as session:
            loaded = session.scalars(select(Conversation)).one()
            assert (loaded.version, loaded.state) == (3, {"step": "job"})
            assert loaded.updated_at >= created

    def test_a_write_from_a_stale_read_is_refused(self, session_factory: Sessions) -> None:
        candidate = _new_candidate(session_factory)
        with session_factory.begin() as session:
            session.add(Conversation(candidate_id=candidate.id, state={"step": "hello"}))

        with session_factory() as late, session_factory() as early:
            stale = late.scalars(select(Conversation)).one()
            late.commit()  # end the read; on SQLite an open transaction would block `early`

            fresh = early.scalars(select(Conversation)).one()
            fresh.state = {"step": "name"}
            early.commit()

            stale.state = {"step": "job"}
            with pytest.raises(StaleDataError):
                late.commit()

        with session_factory() as session:
            assert session.scalars(select(Conversation.state)).one() == {"step": "name"}


def test_the_outbox_defaults_to_pending_now(session_factory: Sessions) -> None:
    before = datetime.now(UTC)
    with session_factory.begin() as session:
        session.add(Outbox(channel="telegram", address="123456", body="Bonjour"))

    with session_factory() as session:
        due = session.scalars(
            select(Outbox)
            .where(Outbox.status == OutboxStatus.PENDING)
            .where(Outbox.next_attempt_at <= datetime.now(UTC))
            .order_by(Outbox.next_attempt_at)
        ).one()
        assert due.attempts == 0
        assert due.next_attempt_at >= before


def test_every_table_is_covered() -> None:
    assert set(Base.metadata.tables) == {
        "organisations",
        "coaches",
        "invitations",
        "candidates",
        "channel_identities",
        "conversations",
        "cv_drafts",
        "cv_versions",
        "reviews",
        "messages",
        "outbox",
        "audit_events",
        "media",
        "link_codes",
        "coach_sessions",
        "rate_limit_hits",
        "contact_messages",
        "cv_renders",
        "app_secrets",
        "voice_calls",
        "voice_answers",
    }
