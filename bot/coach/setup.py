"""What ``tremplin serve`` prepares for the coach workspace before it listens."""

from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from bot.coach.accounts import AccountError, ensure_first_admin
from bot.coach.demo import add_demo_candidates

if TYPE_CHECKING:  # the runtime builds this: only its type is needed here
    from bot.runtime.root import Runtime

__all__ = ["prepare_workspace"]


def prepare_workspace(
    runtime: "Runtime", *, demo: bool = False, base_url: str | None = None
) -> list[str]:
    """The first administrator on a database without coaches (its one-time password is shown
    this once: only its hash is kept), and the demo candidates when asked; returns what to say."""
    lines = []
    try:
        with runtime.sessions.begin() as session:
            admin = ensure_first_admin(session)
    except (IntegrityError, AccountError):
        # Several processes started at once on an empty database (N web processes of one
        # deployment): another one created the administrator and printed its password.
        admin = None
    login = f"{base_url or runtime.settings.public_url}/coach/login"
    if admin is not None:
        lines.append(f"Coach workspace: {login}")
        lines.append(f"  first administrator: {admin.email}")
        lines.append(f"  one-time password:   {admin.password}  (shown once; a new one is asked)")
    if demo:
        added = add_demo_candidates(runtime)
        lines.append(f"Demo: {added} fictional candidates added (queue 'En attente d'un coach').")
    return lines
