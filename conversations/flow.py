"""The candidate conversation of FLOW.md as data: every question in order, with its part.

Read it top to bottom as the path a candidate walks. Each entry names its prompt, the example
shown when an answer is not understood, its HELP text, how the answer is read (``answers``), its
numbered choices and when it is asked at all. Loops (experiences, trainings, language levels, a
second job) are taken by the handlers; save points close each part (``Turn.end_part``).
"""

from collections.abc import Mapping
from functools import partial
from typing import Any

from conversations import answers as a
from conversations.events import Capabilities
from conversations.outputs import Msg, Raw, Term, msg
from conversations.questions import Choice, Flow, Question
from conversations.state import State
from conversations.vocabulary.jobs import suggest_skills
from conversations.vocabulary.languages import menu_languages
from conversations.vocabulary.lists import LISTS, SUPPORTED_LOCALES

__all__ = ["AVAILABLE_LOCALES", "DEFAULT_FLOW", "build_flow"]

# Locales whose catalogs are complete; the others join the menu as their translations land.
AVAILABLE_LOCALES = ("fr", "en")


def listed(kind: str, state: State | None = None) -> list[Choice]:
    del state
    return [(code, Term(kind, code)) for code in LISTS[kind]]


def _jobs(state: State) -> list[Choice]:
    pending = state.pending or {}
    if pending.get("kind") != "job_pick":
        return []
    options: list[Choice] = [(code, Term("job", code)) for code in pending["codes"]]
    return [*options, ("other", Msg("job_other"))]


def _jobs_prompt(state: State) -> Msg:
    if (state.pending or {}).get("kind") == "job_pick":
        return Msg("pick_target_job")
    return Msg("ask_target_jobs_second" if state.index else "ask_target_jobs")


def _town_pick(state: State) -> dict[str, Any] | None:
    pending = state.pending or {}
    return pending if pending.get("kind") == "town_pick" else None


def _location_prompt(state: State) -> Msg:
    pick = _town_pick(state)
    if pick is None:
        return Msg("ask_location")
    return msg("ask_town_pick" if pick["options"] else "ask_town_code", name=pick["name"])


def _town_choices(state: State) -> list[Choice]:
    pick = _town_pick(state)
    options = pick["options"] if pick else []
    return [(f"{name} {dep}", Raw(f"{name} ({dep})")) for name, dep, _ in options]


def _near_code(state: State) -> dict[str, str] | None:
    pending = state.pending or {}
    return pending if pending.get("kind") == "invite_confirm" else None


def _invite_prompt(state: State) -> Msg:
    near = _near_code(state)
    if near is None:
        return Msg("ask_invite_code")
    return msg("invite_code_near", code=near["code"], organisation=near["organisation"])


def _invite_choices(state: State) -> list[Choice]:
    return listed("yes_no") if _near_code(state) else []


def _loop_choices(field: str, state: State) -> list[Choice]:
    return listed("loop_edit") if state.cv[field] else listed("yes_no")


def _loop_prompt(field: str, prompt: str, state: State) -> Msg:
    count = len(state.cv[field])
    return msg(f"has_{field}", count) if count else Msg(prompt)


def _languages(state: State) -> list[Choice]:
    codes = menu_languages(state.locale or "fr")
    return [*((code, Term("language", code)) for code in codes), ("other", Term("other", "other"))]


def _level_prompt(state: State) -> Msg:
    languages = state.cv["languages"]
    code = languages[state.index]["code"] if state.index < len(languages) else "fr"
    return msg("ask_language_level", language=Term("language", code))


def _skills(state: State) -> list[Choice]:
    codes = [job["code"] for job in state.cv["target_jobs"] if job.get("code")]
    return [(code, Term("skill", code)) for code in suggest_skills(codes)]


def _on_channel_without_phone(state: State, caps: Capabilities) -> bool:
    return caps.share_contact and not caps.knows_phone and not state.person.get("phone")


def _can_send_photo(state: State, caps: Capabilities) -> bool:
    del state
    return caps.send_photo


def _no_code_yet(state: State, caps: Capabilities) -> bool:
    del caps
    return state.invite_code is None


def _one_job_only(state: State, caps: Capabilities) -> bool:
    del caps
    return len(state.cv["target_jobs"]) == 1


def _never(state: State, caps: Capabilities) -> bool:
    """Questions reached only by a handler (a loop or a branch), never in the linear walk."""
    del state, caps
    return False


def _has_language_to_rate(state: State, caps: Capabilities) -> bool:
    del caps
    return any(not lang.get("level") for lang in state.cv["languages"])


def build_flow(
    locales: tuple[str, ...] = AVAILABLE_LOCALES,
    lexicon: Mapping[str, Mapping[tuple[str, str], str]] | None = None,
) -> Flow:
    unknown = set(locales) - set(SUPPORTED_LOCALES)
    if unknown:
        raise ValueError(f"unsupported locales: {sorted(unknown)}")

    def locale_choices(state: State) -> list[Choice]:
        return [(code, Term("locale", code)) for code in (state.offered or locales)]

    yes_no = partial(listed, "yes_no")
    q = Question
    return Flow(
        locales=locales,
        lexicon=lexicon or {},
        questions=(
            # 0. Welcome
            q(
                "language",
                0,
                "ask_language",
                "example_choice",
                "help_language",
                a.answer_language,
                expects="choice",
                choices=locale_choices,
            ),
            q(
                "consent",
                0,
                "ask_consent",
                "example_yes_no",
                "help_consent",
                a.answer_consent,
                expects="choice",
                choices=partial(listed, "consent"),
            ),
            q(
                "invite_code",
                0,
                "ask_invite_code",
                "example_invite_code",
                "help_optional",
                a.answer_invite_code,
                optional=True,
                when=_no_code_yet,
                prompt_of=_invite_prompt,
                choices=_invite_choices,
            ),
            # 1. About you
            q(
                "first_name",
                1,
                "ask_first_name",
                "example_first_name",
                "help_name",
                a.answer_first_name,
            ),
            q(
                "last_name",
                1,
                "ask_last_name",
                "example_last_name",
                "help_name",
                a.answer_last_name,
            ),
            q(
                "location",
                1,
                "ask_location",
                "example_location",
                "help_location",
                a.answer_location,
                prompt_of=_location_prompt,
                choices=_town_choices,
            ),
            q(
                "email",
                1,
                "ask_email",
                "example_email",
                "help_optional",
                a.answer_email,
                optional=True,
            ),
            q(
                "phone",
                1,
                "ask_phone",
                "example_text",
                "help_optional",
                a.answer_phone,
                optional=True,
                expects="contact",
                when=_on_channel_without_phone,
            ),
            # 2. Job goals
            q(
                "target_jobs",
                2,
                "ask_target_jobs",
                "example_target_jobs",
                "help_jobs",
                a.answer_target_jobs,
                choices=_jobs,
                prompt_of=_jobs_prompt,
            ),
            q(
                "target_jobs_more",
                2,
                "ask_target_jobs_more",
                "example_yes_no",
                "help_choice",
                a.answer_target_jobs_more,
                expects="choice",
                choices=yes_no,
                when=_one_job_only,
            ),
            q(
                "contract_types",
                2,
                "ask_contract_types",
                "example_multi",
                "help_choice",
                a.answer_contract_types,
                expects="multi",
                choices=partial(listed, "contract"),
            ),
            q(
                "work_time",
                2,
                "ask_work_time",
                "example_choice",
                "help_choice",
                a.answer_work_time,
                expects="choice",
                choices=partial(listed, "work_time"),
            ),
            q(
                "availability",
                2,
                "ask_availability",
                "example_availability",
                "help_choice",
                a.answer_availability,
            ),
            q(
                "driving_licence",
                2,
                "ask_driving_licence",
                "example_yes_no",
                "help_choice",
                a.answer_driving_licence,
                expects="choice",
                choices=yes_no,
            ),
            q(
                "transport",
                2,
                "ask_transport",
                "example_multi",
                "help_optional",
                a.answer_transport,
                optional=True,
                expects="multi",
                choices=partial(listed, "transport"),
            ),
            # 3. Experience (loop)
            q(
                "has_experience",
                3,
                "ask_has_experience",
                "example_yes_no",
                "help_experience",
                a.answer_has_experience,
                expects="choice",
                choices=partial(_loop_choices, "experiences"),
                prompt_of=partial(_loop_prompt, "experiences", "ask_has_experience"),
            ),
            q(
                "experience_title",
                3,
                "ask_experience_title",
                "example_text",
                "help_experience",
                a.answer_experience_title,
                when=_never,
            ),
            q(
                "experience_employer",
                3,
                "ask_experience_employer",
                "example_text",
                "help_optional",
                a.answer_experience_employer,
                optional=True,
            ),
            q(
                "experience_location",
                3,
                "ask_experience_location",
                "example_text",
                "help_optional",
                a.answer_experience_location,
                optional=True,
            ),
            q(
                "experience_dates",
                3,
                "ask_experience_dates",
                "example_dates",
                "help_dates",
                a.answer_experience_dates,
            ),
            q(
                "experience_description",
                3,
                "ask_experience_description",
                "example_text",
                "help_optional",
                a.answer_experience_description,
                optional=True,
            ),
            q(
                "experience_more",
                3,
                "ask_experience_more",
                "example_yes_no",
                "help_choice",
                a.answer_experience_more,
                expects="choice",
                choices=yes_no,
            ),
            # 4. Training (loop)
            q(
                "has_training",
                4,
                "ask_has_training",
                "example_yes_no",
                "help_choice",
                a.answer_has_training,
                expects="choice",
                choices=partial(_loop_choices, "trainings"),
                prompt_of=partial(_loop_prompt, "trainings", "ask_has_training"),
            ),
            q(
                "training_title",
                4,
                "ask_training_title",
                "example_text",
                "help_free_text",
                a.answer_training_title,
                when=_never,
            ),
            q(
                "training_institution",
                4,
                "ask_training_institution",
                "example_text",
                "help_optional",
                a.answer_training_institution,
                optional=True,
            ),
            q(
                "training_year",
                4,
                "ask_training_year",
                "example_year",
                "help_optional",
                a.answer_training_year,
                optional=True,
            ),
            q(
                "training_more",
                4,
                "ask_training_more",
                "example_yes_no",
                "help_choice",
                a.answer_training_more,
                expects="choice",
                choices=yes_no,
            ),
            # 5. Languages and skills
            q(
                "languages",
                5,
                "ask_languages",
                "example_multi",
                "help_choice",
                a.answer_languages,
                expects="multi",
                choices=_languages,
            ),
            q(
                "languages_other",
                5,
                "ask_languages_other",
                "example_language",
                "help_free_text",
                a.answer_languages_other,
                when=_never,
            ),
            q(
                "language_level",
                5,
                "ask_language_level",
                "example_choice",
                "help_choice",
                a.answer_language_level,
                expects="choice",
                choices=partial(listed, "level"),
                prompt_of=_level_prompt,
                when=_has_language_to_rate,
            ),
            q(
                "skills",
                5,
                "ask_skills",
                "example_skills",
                "help_free_text",
                a.answer_skills,
                expects="multi",
                choices=_skills,
            ),
            q(
                "interests",
                5,
                "ask_interests",
                "example_text",
                "help_optional",
                a.answer_interests,
                optional=True,
            ),
            # 6. Your story
            q(
                "story",
                6,
                "ask_story",
                "example_text",
                "help_free_text",
                a.answer_story,
                optional=True,
            ),
            q(
                "catchphrase",
                6,
                "ask_catchphrase",
                "example_text",
                "help_optional",
                a.answer_catchphrase,
                optional=True,
            ),
            q(
                "photo",
                6,
                "ask_photo",
                "example_photo",
                "help_optional",
                a.answer_photo,
                optional=True,
                expects="photo",
                when=_can_send_photo,
            ),
            # 7. Review
            q(
                "review",
                7,
                "ask_review",
                "example_choice",
                "help_choice",
                a.answer_review,
                expects="choice",
                choices=partial(listed, "review"),
            ),
        ),
    )


DEFAULT_FLOW = build_flow()
