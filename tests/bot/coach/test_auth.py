"""Logging in and out, cookies, CSRF and the login rate limit, through the real forms."""

import re

from httpx import Response
from sqlalchemy import func, select
from starlette.applications import Starlette

from bot.coach.accounts import create_coach
from bot.runtime.root import Runtime
from bot.web.app import create_app
from storage import Review
from storage.models import CoachSession, RateLimitHit
from tests.bot.coach.conftest import (
    PASSWORD,
    Coaches,
    client_for,
    csrf_of,
    logged_in,
    login,
)


def _with_cookie(app: Starlette, value: str) -> Response:
    """The dashboard asked for by a fresh browser that carries only this session cookie."""
    return client_for(app).get("/coach/", headers={"cookie": f"tremplin_coach={value}"})


def test_every_page_asks_for_a_login(app: Starlette) -> None:
    client = client_for(app)
    for path in ("/coach/", "/coach/analytics", "/coach/candidates/anything"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/coach/login"
    assert client.get("/coach").headers["location"] == "/coach/"


def test_the_session_cookie_is_signed_http_only_lax_and_secure(
    app: Starlette, coaches: Coaches
) -> None:
    client = client_for(app)
    response = login(client, coaches.a)
    assert response.status_code == 303 and response.headers["location"] == "/coach/"
    cookie = next(
        value
        for value in response.headers.get_list("set-cookie")
        if value.startswith("tremplin_coach=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie
    assert "Path=/coach" in cookie
    assert "Alice" in client.get("/coach/").text
    # A cookie whose signature does not match is no session, even with a real token inside.
    cookie_value = client.cookies["tremplin_coach"]
    assert _with_cookie(app, cookie_value).status_code == 200
    assert _with_cookie(app, cookie_value[:-2] + "xx").status_code == 303


def test_a_wrong_password_or_email_is_refused_alike(app: Starlette, coaches: Coaches) -> None:
    client = client_for(app)
    wrong_password = login(client, coaches.a, "not the password")
    unknown = login(client, "nobody@example.org")
    assert wrong_password.status_code == unknown.status_code == 401
    assert "E-mail ou mot de passe incorrect" in wrong_password.text
    assert "tremplin_coach=" not in " ".join(wrong_password.headers.get_list("set-cookie"))


def test_logout_ends_the_session_for_real(
    app: Starlette, coaches: Coaches, runtime: Runtime
) -> None:
    client = logged_in(app, coaches.a)
    cookie = client.cookies["tremplin_coach"]
    assert _with_cookie(app, cookie).status_code == 200
    page = client.get("/coach/")
    response = client.post("/coach/logout", data={"csrf": csrf_of(page.text)})
    assert response.headers["location"] == "/coach/login"
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(CoachSession)) == 0
    # The old cookie, replayed by someone who kept it, opens nothing.
    assert _with_cookie(app, cookie).status_code == 303


def test_a_one_time_password_must_be_changed_at_first_login(
    app: Starlette, runtime: Runtime
) -> None:
    with runtime.sessions.begin() as session:
        made = create_coach(session, "new@asso.example", "Nadia", organisation="Asso A")
    assert made.password is not None
    client = client_for(app)
    assert login(client, made.email, made.password).headers["location"] == "/coach/"
    assert client.get("/coach/").headers["location"] == "/coach/password"
    page = client.get("/coach/password")
    short = client.post(
        "/coach/password",
        data={"csrf": csrf_of(page.text), "password": "short", "confirm": "short"},
    )
    assert short.status_code == 422 and "au moins" in short.text
    done = client.post(
        "/coach/password",
        data={"csrf": csrf_of(page.text), "password": PASSWORD, "confirm": PASSWORD},
    )
    assert done.status_code == 303
    assert client.get("/coach/").status_code == 200
    assert login(client_for(app), made.email, made.password).status_code == 401
    assert login(client_for(app), made.email, PASSWORD).status_code == 303


def test_every_post_needs_the_forms_csrf_token(
    app: Starlette, coaches: Coaches, runtime: Runtime
) -> None:
    # The login form: a post without the token its page set in a cookie is refused.
    stranger = client_for(app)
    forged = stranger.post(
        "/coach/login", data={"email": coaches.a, "password": PASSWORD, "csrf": "made-up"}
    )
    assert forged.status_code == 403
    assert "tremplin_coach=" not in " ".join(forged.headers.get_list("set-cookie"))

    alice = logged_in(app, coaches.a)
    bruno = logged_in(app, coaches.b)
    bruno_token = csrf_of(bruno.get("/coach/").text)
    for data in ({}, {"csrf": ""}, {"csrf": bruno_token}):
        refused = alice.post("/coach/logout", data=data)
        assert refused.status_code == 403, data
        comment = alice.post(
            "/coach/candidates/x/comment", data={**data, "part": "1", "comment": "Bien"}
        )
        assert comment.status_code == 403
    assert alice.get("/coach/").status_code == 200  # still logged in: logout was refused
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Review)) == 0


def test_login_attempts_are_limited_across_processes(
    app: Starlette, coaches: Coaches, runtime: Runtime
) -> None:
    client = client_for(app)
    for _ in range(5):
        assert login(client, coaches.a, "guess").status_code == 401
    # A second web process on the same database knows of those attempts.
    other_process = client_for(create_app(runtime))
    blocked = login(other_process, coaches.a, PASSWORD)
    assert blocked.status_code == 429 and "Trop de tentatives" in blocked.text
    # Only this e-mail is held back; another coach behind the same address still logs in.
    assert login(other_process, coaches.b).status_code == 303
    with runtime.sessions() as session:
        keys = session.scalars(select(RateLimitHit.key)).all()
    assert keys and all(re.fullmatch(r"[0-9a-f]{64}", key) for key in keys)
    assert not any(coaches.a in key or "testclient" in key for key in keys)


def test_a_flood_from_one_address_is_limited_whatever_the_email(
    app: Starlette, coaches: Coaches
) -> None:
    client = client_for(app)
    for number in range(30):
        assert login(client, f"guess{number}@example.org", "guess").status_code == 401
    assert login(client, coaches.b).status_code == 429
