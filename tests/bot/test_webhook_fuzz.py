"""Whatever reaches the Twilio webhooks, correctly signed or not, the answer is never a 500.

Hypothesis builds forms as Twilio might send them and as it never would: any field, any value
(unicode, NUL, huge numbers, empty), media without text, status callbacks for unknown messages.
Each form is signed with the right token over the right URL, so it goes all the way through the
service and the database, on SQLite and on PostgreSQL (whose text cannot hold NUL). A raw body of
another content type, or a bad signature, must be refused cleanly too.
"""

import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from bot.channels.sms.twilio import SMS_PATH, STATUS_PATH
from bot.runtime.root import Runtime
from bot.web.app import create_app
from storage import make_engine, make_session_factory, upgrade
from tests.bot.fake_twilio import PUBLIC_URL, TestClient, sign, sms_runtime

PHONES = ["+33612345678", "0612345678", "+1 (415) 555-0100", "whatsapp:+33612345678", "12345"]
FIELDS = [
    "From",
    "To",
    "Body",
    "MessageSid",
    "SmsSid",
    "SmsMessageSid",
    "AccountSid",
    "NumMedia",
    "NumSegments",
    "MediaContentType0",
    "MediaUrl0",
    "MessageStatus",
    "SmsStatus",
    "ErrorCode",
    "ToCountry",
]
values = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["", "0", "1", "-1", "99999999999999999999", "image/jpeg", "audio/ogg", "x"]),
    st.sampled_from(["delivered", "failed", "undelivered", "sent", "read", "21610", "30003"]),
    st.sampled_from(PHONES),
)
forms = st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=20)), values)
sms_forms = st.fixed_dictionaries(
    {"From": st.one_of(st.sampled_from(PHONES), st.text(max_size=30))}, optional={"Body": values}
).flatmap(lambda base: forms.map(lambda extra: {**extra, **base}))
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """One app and database for every example of a module (a fresh one each would be slow)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'tremplin.db'}"
        yield from _client(url)
        return
    server: URL = request.getfixturevalue("postgresql_server")
    name = f"tremplin_test_{uuid.uuid4().hex}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield from _client(server.set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _client(url: str) -> Iterator[TestClient]:
    engine = make_engine(url)
    upgrade(engine)
    runtime: Runtime = sms_runtime(make_session_factory(engine))
    try:
        yield TestClient(create_app(runtime))  # a 500 raises here: the test fails loudly
    finally:
        runtime.close()


def _post(client: TestClient, path: str, form: dict[str, str]) -> int:
    headers = {"X-Twilio-Signature": sign(PUBLIC_URL + path, form)}
    status: int = client.post(path, data=form, headers=headers).status_code
    return status


@FUZZ
@given(form=sms_forms)
@example(form={"From": "\x00", "Body": "Bonjour", "MessageSid": "SM\x00"})
@example(form={"From": "+33612345678\x00", "Body": "\x00", "NumMedia": "1"})
@example(form={"From": "+33612345678", "Body": "", "NumMedia": "2", "MediaContentType0": "\x00/x"})
@example(form={"From": "+33612345678", "MessageSid": "S" * 500, "Body": "x" * 5000})
def test_any_signed_sms_form_gets_an_answer_never_a_server_error(
    client: TestClient, form: dict[str, str]
) -> None:
    assert _post(client, SMS_PATH, form) in (200, 400)


@FUZZ
@given(form=forms)
@example(form={"MessageSid": "SM\x00", "MessageStatus": "delivered\x00", "ErrorCode": "\x00"})
@example(form={"MessageSid": "S" * 500, "MessageStatus": "failed", "ErrorCode": "9" * 100})
def test_any_signed_status_callback_gets_an_answer_never_a_server_error(
    client: TestClient, form: dict[str, str]
) -> None:
    assert _post(client, STATUS_PATH, form) in (204,)


@FUZZ
@given(
    body=st.binary(max_size=2000),
    content_type=st.sampled_from(
        ["application/x-www-form-urlencoded", "application/json", "text/plain", "", "multipart/x"]
    ),
    path=st.sampled_from([SMS_PATH, STATUS_PATH]),
    # Header values are bytes on the wire: any byte but line breaks and NUL.
    signature=st.one_of(
        st.none(),
        st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40).map(
            lambda text: text.encode("latin-1")
        ),
    ),
)
def test_any_raw_body_is_refused_cleanly(
    client: TestClient, body: bytes, content_type: str, path: str, signature: bytes | None
) -> None:
    headers = {"Content-Type": content_type.encode()}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    assert client.post(path, content=body, headers=headers).status_code in (403,)
