"""The state of one candidate's conversation: plain JSON-able data with a version number.

A conversation can sleep for weeks, survive restarts and be upgraded by a migration, so the state
holds only data (no objects, no functions), and ``from_json(to_json(s)) == s`` always. The draft
CV lives beside the conversation data; storage keeps the two in their own tables.
"""

from dataclasses import asdict, dataclass, field, fields
from typing import Any

__all__ = ["STATE_VERSION", "State", "empty_draft"]

STATE_VERSION = 1

JSON = dict[str, Any]


def empty_draft() -> JSON:
    """An empty CV draft, shaped as the ``candidate`` and ``cv`` of cv.schema.json."""
    return {
        "candidate": {"first_name": None, "last_name": None, "email": None, "phone": None},
        "cv": {
            "target_jobs": [],
            "sectors": [],
            "contract_types": [],
            "work_time": None,
            "availability": None,
            "locations": [],
            "driving_licence": None,
            "transport": [],
            "languages": [],
            "skills": [],
            "interests": [],
            "experiences": [],
            "trainings": [],
            "story": None,
            "catchphrase": None,
            "photo": None,
        },
    }


@dataclass(slots=True)
class State:
    """Where the candidate is and what they answered.

    ``index`` is the item being filled in a loop (experience, training, language level, second
    job); ``history`` holds ``[step, index]`` pairs for BACK; ``pending`` a question asked on top
    of the current step (a job to pick, DELETE to confirm, the EDIT or LANGUAGE menu).
    """

    step: str = "start"
    locale: str | None = None
    index: int = 0
    tries: int = 0
    history: list[list[Any]] = field(default_factory=list)
    return_to: list[Any] | None = None
    pending: JSON | None = None
    answered: list[str] = field(default_factory=list)
    status: str = "in_progress"
    opted_out: bool = False
    paused: bool = False
    checkpoint_part: int = 0
    summary_page: int | None = None
    last_seen: str | None = None
    consent_at: str | None = None
    invite_code: str | None = None
    offered: list[str] | None = None
    """The language menu narrowed by the script of the first message (Arabic, Cyrillic…)."""
    draft: JSON = field(default_factory=empty_draft)
    version: int = STATE_VERSION

    def to_json(self) -> JSON:
        """A deep copy as plain JSON data."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: JSON) -> "State":
        """The state of freshly parsed JSON data, which it takes over (no copy is made)."""
        known = _FIELD_NAMES
        values = {k: v for k, v in data.items() if k in known}
        state = cls(**values)
        if not isinstance(state.draft, dict) or "cv" not in state.draft:
            state.draft = empty_draft()
        return state

    def conversation_json(self) -> JSON:
        """The state without the draft, as the conversations table stores it.

        A view, not a copy: it is meant to be serialised at once.
        """
        return {name: getattr(self, name) for name in _FIELD_NAMES if name != "draft"}

    def copy(self) -> "State":
        """A deep copy; plain JSON data copies faster by hand than with ``copy.deepcopy``."""
        return State(**{name: _json_copy(getattr(self, name)) for name in _FIELD_NAMES})

    @classmethod
    def from_parts(cls, conversation: JSON | None, draft: JSON | None) -> "State":
        """Rebuild a state from the two halves storage keeps apart."""
        data = dict(conversation or {})
        data["draft"] = draft if draft else empty_draft()
        return cls.from_json(data)

    @property
    def cv(self) -> JSON:
        cv: JSON = self.draft["cv"]
        return cv

    @property
    def person(self) -> JSON:
        person: JSON = self.draft["candidate"]
        return person


_FIELD_NAMES = frozenset(f.name for f in fields(State))


def _json_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_copy(item) for item in value]
    return value
