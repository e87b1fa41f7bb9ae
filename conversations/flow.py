"""The candidate conversation (docs/conversation.md) as data: every question in order, with its
part.

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
from conversations.vocabulary.communes import town_label
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
    return [(f"{name} {dep}", Raw(town_label(name, dep))) for name, dep, _ in options]


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
    return Flow(
        locales=locales,
        lexicon=lexicon or {},
        questions=(
            # 0. Welcome
            Question(
                id="language",
                part=0,
                prompt="ask_language",
                example="example_choice",
                help="help_language",
                answer=a.answer_language,
                expects="choice",
                choices=locale_choices,
            ),
            Question(
                id="consent",
                part=0,
                prompt="ask_consent",
                example="example_yes_no",
                help="help_consent",
                answer=a.answer_consent,
                expects="choice",
                choices=partial(listed, "consent"),
            ),
            Question(
                id="invite_code",
                part=0,
                prompt="ask_invite_code",
                example="example_invite_code",
                help="help_optional",
                answer=a.answer_invite_code,
                optional=True,
                when=_no_code_yet,
                prompt_of=_invite_prompt,
                choices=_invite_choices,
            ),
            # 1. About you
            Question(
                id="first_name",
                part=1,
                prompt="ask_first_name",
                example="example_first_name",
                help="help_name",
                answer=a.answer_first_name,
            ),
            Question(
                id="last_name",
                part=1,
                prompt="ask_last_name",
                example="example_last_name",
                help="help_name",
                answer=a.answer_last_name,
            ),
            Question(
                id="location",
                part=1,
                prompt="ask_location",
                example="example_location",
                help="help_location",
                answer=a.answer_location,
                prompt_of=_location_prompt,
                choices=_town_choices,
            ),
            Question(
                id="email",
                part=1,
                prompt="ask_email",
                example="example_email",
                help="help_optional",
                answer=a.answer_email,
                optional=True,
            ),
            Question(
                id="phone",
                part=1,
                prompt="ask_phone",
                example="example_text",
                help="help_optional",
                answer=a.answer_phone,
                optional=True,
                expects="contact",
                when=_on_channel_without_phone,
            ),
            # 2. Job goals
            Question(
                id="target_jobs",
                part=2,
                prompt="ask_target_jobs",
                example="example_target_jobs",
                help="help_jobs",
                answer=a.answer_target_jobs,
                choices=_jobs,
                prompt_of=_jobs_prompt,
            ),
            Question(
                id="target_jobs_more",
                part=2,
                prompt="ask_target_jobs_more",
                example="example_yes_no",
                help="help_choice",
                answer=a.answer_target_jobs_more,
                expects="choice",
                choices=yes_no,
                when=_one_job_only,
            ),
            Question(
                id="contract_types",
                part=2,
                prompt="ask_contract_types",
                example="example_multi",
                help="help_choice",
                answer=a.answer_contract_types,
                expects="multi",
                choices=partial(listed, "contract"),
            ),
            Question(
                id="work_time",
                part=2,
                prompt="ask_work_time",
                example="example_choice",
                help="help_choice",
                answer=a.answer_work_time,
                expects="choice",
                choices=partial(listed, "work_time"),
            ),
            Question(
                id="availability",
                part=2,
                prompt="ask_availability",
                example="example_availability",
                help="help_choice",
                answer=a.answer_availability,
            ),
            Question(
                id="driving_licence",
                part=2,
                prompt="ask_driving_licence",
                example="example_yes_no",
                help="help_choice",
                answer=a.answer_driving_licence,
                expects="choice",
                choices=yes_no,
            ),
            Question(
                id="transport",
                part=2,
                prompt="ask_transport",
                example="example_multi",
                help="help_optional",
                answer=a.answer_transport,
                optional=True,
                expects="multi",
                choices=partial(listed, "transport"),
            ),
            # 3. Experience (loop)
            Question(
                id="has_experience",
                part=3,
                prompt="ask_has_experience",
                example="example_yes_no",
                help="help_experience",
                answer=a.answer_has_experience,
                expects="choice",
                choices=partial(_loop_choices, "experiences"),
                prompt_of=partial(_loop_prompt, "experiences", "ask_has_experience"),
            ),
            Question(
                id="experience_title",
                part=3,
                prompt="ask_experience_title",
                example="example_text",
                help="help_experience",
                answer=a.answer_experience_title,
                when=_never,
            ),
            Question(
                id="experience_employer",
                part=3,
                prompt="ask_experience_employer",
                example="example_text",
                help="help_optional",
                answer=a.answer_experience_employer,
                optional=True,
            ),
            Question(
                id="experience_location",
                part=3,
                prompt="ask_experience_location",
                example="example_text",
                help="help_optional",
                answer=a.answer_experience_location,
                optional=True,
            ),
            Question(
                id="experience_dates",
                part=3,
                prompt="ask_experience_dates",
                example="example_dates",
                help="help_dates",
                answer=a.answer_experience_dates,
            ),
            Question(
                id="experience_description",
                part=3,
                prompt="ask_experience_description",
                example="example_text",
                help="help_optional",
                answer=a.answer_experience_description,
                optional=True,
            ),
            Question(
                id="experience_more",
                part=3,
                prompt="ask_experience_more",
                example="example_yes_no",
                help="help_choice",
                answer=a.answer_experience_more,
                expects="choice",
                choices=yes_no,
            ),
            # 4. Training (loop)
            Question(
                id="has_training",
                part=4,
                prompt="ask_has_training",
                example="example_yes_no",
                help="help_choice",
                answer=a.answer_has_training,
                expects="choice",
                choices=partial(_loop_choices, "trainings"),
                prompt_of=partial(_loop_prompt, "trainings", "ask_has_training"),
            ),
            Question(
                id="training_title",
                part=4,
                prompt="ask_training_title",
                example="example_text",
                help="help_free_text",
                answer=a.answer_training_title,
                when=_never,
            ),
            Question(
                id="training_institution",
                part=4,
                prompt="ask_training_institution",
                example="example_text",
                help="help_optional",
                answer=a.answer_training_institution,
                optional=True,
            ),
            Question(
                id="training_year",
                part=4,
                prompt="ask_training_year",
                example="example_year",
                help="help_optional",
                answer=a.answer_training_year,
                optional=True,
            ),
            Question(
                id="training_more",
                part=4,
                prompt="ask_training_more",
                example="example_yes_no",
                help="help_choice",
                answer=a.answer_training_more,
                expects="choice",
                choices=yes_no,
            ),
            # 5. Languages and skills
            Question(
                id="languages",
                part=5,
                prompt="ask_languages",
                example="example_multi",
                help="help_choice",
                answer=a.answer_languages,
                expects="multi",
                choices=_languages,
            ),
            Question(
                id="languages_other",
                part=5,
                prompt="ask_languages_other",
                example="example_language",
                help="help_free_text",
                answer=a.answer_languages_other,
                when=_never,
            ),
            Question(
                id="language_level",
                part=5,
                prompt="ask_language_level",
                example="example_choice",
                help="help_choice",
                answer=a.answer_language_level,
                expects="choice",
                choices=partial(listed, "level"),
                prompt_of=_level_prompt,
                when=_has_language_to_rate,
            ),
            Question(
                id="skills",
                part=5,
                prompt="ask_skills",
                example="example_skills",
                help="help_free_text",
                answer=a.answer_skills,
                expects="multi",
                choices=_skills,
            ),
            Question(
                id="interests",
                part=5,
                prompt="ask_interests",
                example="example_text",
                help="help_optional",
                answer=a.answer_interests,
                optional=True,
            ),
            # 6. Your story
            Question(
                id="story",
                part=6,
                prompt="ask_story",
                example="example_text",
                help="help_free_text",
                answer=a.answer_story,
                optional=True,
            ),
            Question(
                id="catchphrase",
                part=6,
                prompt="ask_catchphrase",
                example="example_text",
                help="help_optional",
                answer=a.answer_catchphrase,
                optional=True,
            ),
            Question(
                id="photo",
                part=6,
                prompt="ask_photo",
                example="example_photo",
                help="help_optional",
                answer=a.answer_photo,
                optional=True,
                expects="photo",
                when=_can_send_photo,
            ),
            # 7. Review
            Question(
                id="review",
                part=7,
                prompt="ask_review",
                example="example_choice",
                help="help_choice",
                answer=a.answer_review,
                expects="choice",
                choices=partial(listed, "review"),
            ),
        ),
    )


DEFAULT_FLOW = build_flow()
