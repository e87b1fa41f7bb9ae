"""The engine's less travelled paths: odd answers, commands in odd places, menus, loops, limits.

Each test starts from the state a candidate would be in at that point of the conversation
(docs/conversation.md) and checks what
the bot answers (message ids) and what it saves.
"""

from datetime import UTC, datetime

import pytest

from bot.i18n import available_locales, lexicon
from conversations.engine import step
from conversations.events import Capabilities, ContactShared, Event, TextReceived
from conversations.flow import build_flow
from conversations.outputs import (
    InviteCodeGiven,
    Join,
    Msg,
    OptedIn,
    OptedOut,
    Output,
    Raw,
    Say,
    Summary,
    Term,
)
from conversations.parsing.commands import is_foreign_command, parse_command
from conversations.state import State

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
FLOW = build_flow(("fr", "en"))
PRODUCT_FLOW = build_flow(available_locales(), lexicon(available_locales()))
SMS = Capabilities()
TELEGRAM = Capabilities(share_contact=True, send_photo=True, buttons=True, knows_phone=False)


def at(step_id: str, **fields: object) -> State:
    """A French candidate who agreed to the terms, now at ``step_id``."""
    return State(locale="fr", step=step_id, consent_at=NOW.isoformat(), **fields)  # type: ignore[arg-type]


def send(state: State, *texts: str, caps: Capabilities = SMS) -> tuple[State, list[Output]]:
    """Send each text in turn; the outputs are those of the last one."""
    outputs: list[Output] = []
    for text in texts:
        state, outputs = step(FLOW, state, TextReceived(text, caps=caps), now=NOW)
    return state, outputs


def said(outputs: list[Output]) -> list[str]:
    return [o.text.id for o in outputs if isinstance(o, Say)]


def param(outputs: list[Output], message_id: str, name: str) -> object:
    found = next(o.text for o in outputs if isinstance(o, Say) and o.text.id == message_id)
    value = dict(found.params)[name]
    return value.value if isinstance(value, Raw) else value


def experience(title: str, **fields: object) -> dict[str, object]:
    return {"title": {"text": title, "lang": "fr", "fr": None}, "informal": False, **fields}


# Commands -----------------------------------------------------------------------------------------
def test_help_at_a_save_point_lists_the_commands_and_shows_the_save_point_again() -> None:
    state = at("checkpoint", checkpoint_part=1)
    state, outputs = send(state, "AIDE")
    assert said(outputs) == ["help_commands", "checkpoint"]
    assert state.step == "checkpoint"


def test_help_on_an_optional_question_says_it_can_be_skipped() -> None:
    _, outputs = send(at("story"), "AIDE")
    assert said(outputs) == ["help_free_text", "help_optional", "help_commands", "ask_story"]


def test_help_on_the_email_question_does_not_say_the_same_sentence_twice() -> None:
    _, outputs = send(at("email"), "AIDE")
    assert said(outputs).count("help_optional") == 1


def test_help_while_the_edit_menu_is_open_asks_the_menu_again() -> None:
    state, outputs = send(at("target_jobs"), "MODIFIER", "AIDE")
    assert said(outputs)[-2:] == ["help_commands", "edit_menu"]
    assert state.pending == {"kind": "edit"}
    state, _ = send(state, "5")  # the menu still answers
    assert state.step == "languages"


def test_skip_while_writing_the_story_keeps_what_was_written() -> None:
    state, outputs = send(at("story"), "Je suis arrivée en 2022, je cherche en cuisine.")
    assert said(outputs) == ["story_continue"]
    state, outputs = send(state, "PASSER")
    assert state.cv["story"]["text"] == "Je suis arrivée en 2022, je cherche en cuisine."
    assert state.step == "catchphrase"
    assert state.pending is None


def test_skip_after_three_failed_titles_ends_the_loop_without_an_empty_experience() -> None:
    state, outputs = send(at("experience_title"), "1", "2", "3")
    assert said(outputs) == ["not_understood", "too_many_tries", "ask_experience_title"]
    state, outputs = send(state, "PASSER")
    assert state.cv["experiences"] == []
    assert state.step == "checkpoint" and state.checkpoint_part == 3


def test_skip_of_a_second_training_title_keeps_the_first_training() -> None:
    first = {"title": {"text": "CAP cuisine", "lang": "fr", "fr": None}, "year": 2024}
    state = at("training_title", index=1)
    state.cv["trainings"] = [first]
    state, _ = send(state, "PASSER")
    assert state.step == "training_title"  # asked once: a title is needed
    state, _ = send(state, "9", "PASSER", "PASSER")
    assert state.cv["trainings"] == [first]
    assert state.step == "checkpoint" and state.checkpoint_part == 4


def test_start_when_not_stopped_just_asks_the_question_again() -> None:
    state, outputs = send(at("first_name"), "START")
    assert state.step == "first_name"
    assert said(outputs) == ["ask_first_name"]
    assert not any(isinstance(o, OptedIn) for o in outputs)


def test_stop_as_the_very_first_message_then_start_then_the_language_menu() -> None:
    state, outputs = send(State(), "STOP")
    assert any(isinstance(o, OptedOut) for o in outputs)
    state, outputs = send(state, "Bonjour")
    assert outputs == []
    state, outputs = send(state, "START")
    assert any(isinstance(o, OptedIn) for o in outputs)
    assert said(outputs)[0] == "restarted"
    state, outputs = send(state, "Bonjour")
    assert state.step == "language"
    assert said(outputs) == ["ask_language"]


def test_send_lists_the_name_and_the_place_when_they_are_missing() -> None:
    state, outputs = send(at("target_jobs"), "ENVOYER")
    items = param(outputs, "missing", "items")
    assert isinstance(items, Join)
    assert [m.id for m in items.items if isinstance(m, Msg)] == [
        "missing_first_name",
        "missing_location",
        "missing_job",
        "missing_language",
        "missing_experience",
    ]
    assert state.status == "in_progress"


def test_back_twice_from_the_first_experience_does_not_show_the_same_question_twice() -> None:
    state, _ = send(at("has_experience"), "MODIFIER", "3")  # edit the part where we are
    state, _ = send(state, "oui")
    assert state.step == "experience_title"
    state, _ = send(state, "RETOUR")
    assert state.step == "has_experience"
    state, outputs = send(state, "RETOUR")
    assert said(outputs) == ["back_first", "ask_has_experience"]


def test_skip_on_the_review_after_three_failed_answers_asks_the_review_again() -> None:
    state, outputs = send(at("review"), "x", "x", "x")
    assert said(outputs) == ["choose_number", "too_many_tries", "ask_review"]
    state, outputs = send(state, "PASSER")
    assert state.step == "review" and state.status == "in_progress"
    assert said(outputs) == ["ask_review"]


# Menus on top of a step ---------------------------------------------------------------------------
def test_a_wrong_number_in_the_edit_menu_shows_the_menu_again() -> None:
    state, outputs = send(at("target_jobs"), "MODIFIER", "9")
    assert said(outputs) == ["choose_number", "edit_menu"]
    assert param(outputs, "choose_number", "max") == "6"
    assert state.step == "target_jobs"


def test_a_wrong_number_in_the_language_menu_shows_the_menu_again() -> None:
    state, outputs = send(at("target_jobs"), "LANGUE", "7")
    assert said(outputs) == ["choose_number", "ask_language"]
    assert param(outputs, "choose_number", "max") == "2"
    assert state.locale == "fr"


def test_the_language_command_on_the_language_menu_itself_then_goes_on_to_consent() -> None:
    state, _ = send(State(), "Bonjour", "LANGUE")
    state, outputs = send(state, "2")
    assert state.locale == "en"
    assert state.step == "consent"
    assert said(outputs) == ["language_set", "ask_consent"]


def test_cyrillic_greeting_shows_the_whole_menu_when_no_cyrillic_language_is_offered() -> None:
    _, outputs = send(State(), "Привіт")
    menu = next(o for o in outputs if isinstance(o, Say) and o.step == "language")
    assert menu.choices == (Term("locale", "fr"), Term("locale", "en"))


@pytest.mark.parametrize(
    ("answer", "paused", "next_step"), [("oui", False, "target_jobs"), ("non", True, "checkpoint")]
)
def test_a_save_point_understands_yes_and_no(answer: str, paused: bool, next_step: str) -> None:
    state, _ = send(at("checkpoint", checkpoint_part=1), answer)
    assert state.paused is paused
    assert state.step == next_step


# Non-text events ----------------------------------------------------------------------------------
def _event(state: State, event: Event) -> tuple[State, list[Output]]:
    return step(FLOW, state, event, now=NOW)


def test_a_shared_contact_that_is_not_a_phone_number_is_not_saved() -> None:
    state, outputs = _event(at("phone"), ContactShared("12", caps=TELEGRAM))
    assert state.person["phone"] is None
    assert said(outputs) == ["media_unsupported", "ask_phone"]


def test_a_phone_number_typed_instead_of_shared_is_saved() -> None:
    state, _ = send(at("phone"), "06 12 34 56 78", caps=TELEGRAM)
    assert state.person["phone"] == "+33612345678"
    assert state.step == "checkpoint"


def test_a_phone_answer_that_is_no_number_is_refused() -> None:
    state, outputs = send(at("phone"), "je sais pas", caps=TELEGRAM)
    assert state.person["phone"] is None
    assert said(outputs) == ["not_understood", "ask_phone"]


# Welcome and part 1 -------------------------------------------------------------------------------
def test_a_coach_code_typed_at_its_question_is_saved_and_announced() -> None:
    state, outputs = send(at("invite_code"), "t4821")
    assert state.invite_code == "T4821"
    assert InviteCodeGiven("T4821") in outputs
    assert state.step == "first_name"


@pytest.mark.parametrize("answer", ["non", "2", "pas de code"])
def test_no_coach_code_goes_on_without_one(answer: str) -> None:
    state, _ = send(at("invite_code"), answer)
    assert state.invite_code is None
    assert state.step == "first_name"


def test_a_coach_code_that_does_not_look_like_one_is_refused() -> None:
    state, outputs = send(at("invite_code"), "mon coach s'appelle Karim")
    assert said(outputs) == ["invite_code_bad", "ask_invite_code"]
    assert state.invite_code is None


def test_a_place_hidden_after_a_long_run_of_punctuation_is_not_saved() -> None:
    state, outputs = send(at("location"), "." * 130 + "Lyon")
    assert state.cv["locations"] == []
    assert said(outputs) == ["location_long", "ask_location"]


@pytest.mark.parametrize(
    ("typed", "label", "department"),
    [
        ("Marseille", "Marseille", "13"),
        ("marseille", "Marseille", "13"),
        ("Lille", "Lille", "59"),
        ("Марсель", "Marseille", "13"),
        ("ليون", "Lyon", "69"),
        ("لیون", "Lyon", "69"),
        ("Ліон", "Lyon", "69"),
        ("à Aubervilliers", "Aubervilliers", "93"),
        ("Je veux travailler à Lyon ou Villeurbanne", "Lyon", "69"),
        ("st etienne", "Saint-Étienne", "42"),
        ("Valence", "Valence", "26"),
    ],
)
def test_towns_typed_by_name_get_their_department(typed: str, label: str, department: str) -> None:
    state, outputs = send(at("location"), typed)
    assert state.cv["locations"][0]["label"] == label
    assert state.cv["locations"][0]["department"] == department
    assert said(outputs)[-1] == "ask_email"


def test_a_name_shared_by_large_towns_asks_which_one_then_takes_a_number_or_a_code() -> None:
    state, outputs = send(at("location"), "Saint-Denis")
    assert said(outputs) == ["ask_town_pick"] and state.cv["locations"] == []
    picked, _ = send(state, "1")
    assert picked.cv["locations"] == [
        {"label": "Saint-Denis", "postal_code": None, "department": "974"}
    ]
    coded, _ = send(state, "93200")
    assert coded.cv["locations"] == [
        {"label": "Saint-Denis 93200", "postal_code": "93200", "department": "93"}
    ]
    for typed, department in (("la reunion", "974"), ("93", "93"), ("Seine-Saint-Denis", "93")):
        named, _ = send(state, typed)
        assert named.cv["locations"][0]["department"] == department, typed


@pytest.mark.parametrize("typed", ["Lyon " * 300, "x" * 2000, "Lyon Lyon Lyon Lyon Lyon"])
def test_what_cannot_be_a_town_is_refused_not_cut(typed: str) -> None:
    state, outputs = send(at("location"), typed)
    assert state.cv["locations"] == []
    assert said(outputs) == ["location_long", "ask_location"]


def test_a_town_unknown_in_another_script_waits_for_its_french_version() -> None:
    arabic = at("location")
    arabic.locale = "ar"
    state, _ = send(arabic, "قرية صغيرة")
    assert state.cv["locations"] == [
        {"label": "قرية صغيرة", "postal_code": None, "department": None, "lang": "ar", "fr": None}
    ]


# Part 2 -------------------------------------------------------------------------------------------
def test_a_work_time_out_of_the_list_is_refused() -> None:
    state, outputs = send(at("work_time"), "7")
    assert said(outputs) == ["choose_number", "ask_work_time"]
    assert param(outputs, "choose_number", "max") == "3"
    assert state.cv["work_time"] is None


# Parts 3 and 4: loops -----------------------------------------------------------------------------
def _with_experiences(step_id: str, count: int, **fields: object) -> State:
    state = at(step_id, **fields)
    state.cv["experiences"] = [experience(f"job {i}") for i in range(count)]
    return state


def test_the_loop_menu_refuses_an_answer_out_of_the_list() -> None:
    state, outputs = send(_with_experiences("has_experience", 2), "5")
    assert said(outputs) == ["choose_number", "has_experiences"]
    assert len(state.cv["experiences"]) == 2


def test_an_eleventh_experience_is_not_asked() -> None:
    state, outputs = send(_with_experiences("experience_more", 10, index=9), "oui")
    assert said(outputs) == ["loop_full", "checkpoint"]
    assert len(state.cv["experiences"]) == 10


@pytest.mark.parametrize(
    ("step_id", "field"),
    [
        ("experience_title", "experiences"),
        ("experience_employer", "experiences"),
        ("experience_location", "experiences"),
        ("experience_description", "experiences"),
        ("training_institution", "trainings"),
    ],
)
def test_a_bare_number_is_not_saved_as_free_text(step_id: str, field: str) -> None:
    state = at(step_id)
    if step_id != "experience_title":
        state.cv[field] = [experience("plonge")]
    before = [dict(item) for item in state.cv[field]]
    state, outputs = send(state, "2")
    assert said(outputs)[0] == "not_understood"
    assert state.step == step_id
    assert state.cv[field] == before


@pytest.mark.parametrize("step_id", ["experience_more", "training_more"])
def test_another_item_question_wants_yes_or_no(step_id: str) -> None:
    state, outputs = send(at(step_id), "peut-être")
    assert said(outputs)[0] == "not_understood"
    assert state.step == step_id


def test_a_long_title_is_cut_at_a_word_and_the_candidate_is_told() -> None:
    words = "aide cuisinier polyvalent " * 5  # 130 characters
    state, outputs = send(at("experience_title"), words)
    title = state.cv["experiences"][0]["title"]["text"]
    assert said(outputs)[0] == "trimmed"
    assert param(outputs, "trimmed", "limit") == "80"
    assert len(title) <= 80 and words.startswith(title) and title.endswith("polyvalent")


def test_a_long_title_without_spaces_is_cut_at_the_limit() -> None:
    state, _ = send(at("experience_title"), "a" * 100)
    assert state.cv["experiences"][0]["title"]["text"] == "a" * 80


# Part 5 -------------------------------------------------------------------------------------------
def test_a_language_written_by_name_is_understood() -> None:
    state, _ = send(at("languages"), "wolof")
    assert state.cv["languages"] == [{"code": "wo", "level": None}]
    assert state.step == "language_level"


def test_a_language_nobody_knows_is_refused() -> None:
    state, outputs = send(at("languages"), "blablabla")
    assert said(outputs)[0] == "choose_number"
    assert state.cv["languages"] == []


def test_other_language_asks_which_one_then_its_level() -> None:
    state, outputs = send(at("languages"), "1 9")  # French and "Other"
    assert state.step == "languages_other"
    state, outputs = send(state, "martien")
    assert said(outputs) == ["language_unknown", "ask_languages_other"]
    state, outputs = send(state, "ـــ")  # only Arabic stretching marks
    assert said(outputs) == ["language_unknown", "ask_languages_other"]
    state, outputs = send(state, "wolof")
    assert state.cv["languages"] == [
        {"code": "fr", "level": None},
        {"code": "wo", "level": None},
    ]
    assert (state.step, state.index) == ("language_level", 0)
    state, _ = send(state, "4", "2")
    assert [lang["level"] for lang in state.cv["languages"]] == ["native", "intermediate"]
    assert state.step == "skills"


def test_a_level_out_of_the_list_is_refused() -> None:
    state = at("language_level")
    state.cv["languages"] = [{"code": "fr", "level": None}]
    state, outputs = send(state, "9")
    assert said(outputs)[0] == "choose_number"
    assert state.cv["languages"][0]["level"] is None


def test_skills_that_are_only_wrong_numbers_are_refused() -> None:
    state, outputs = send(at("skills"), "99")
    assert said(outputs)[0] == "not_understood"
    assert state.cv["skills"] == []


def test_more_than_six_skills_keeps_the_first_six_and_says_so() -> None:
    state, outputs = send(at("skills"), "ponctuel, calme, rapide, souriant, poli, fort, patient")
    assert said(outputs)[0] == "skills_capped"
    assert [s["text"] for s in state.cv["skills"]] == [
        "ponctuel",
        "calme",
        "rapide",
        "souriant",
        "poli",
        "fort",
    ]


def test_interests_must_be_words() -> None:
    state, outputs = send(at("interests"), "5")
    assert said(outputs)[0] == "not_understood"
    assert state.cv["interests"] == []


# Part 6 and review --------------------------------------------------------------------------------
def test_a_story_must_be_words() -> None:
    state, outputs = send(at("story"), "3")
    assert said(outputs)[0] == "not_understood"
    assert state.cv["story"] is None


def test_a_story_that_reaches_the_limit_is_saved_and_the_flow_goes_on() -> None:
    part = "J'ai travaillé dix ans dans la restauration à Kaboul. " * 15  # ~800 characters
    state, outputs = send(at("story"), part)
    assert state.step == "story"
    state, outputs = send(state, part)
    assert state.step == "catchphrase"
    assert state.pending is None
    assert len(state.cv["story"]["text"]) <= 1500
    assert "trimmed" in said(outputs)


def test_a_catchphrase_must_be_words_and_short() -> None:
    state, outputs = send(at("catchphrase"), "1")
    assert said(outputs)[0] == "not_understood"
    long = "Sérieux, ponctuel, j'apprends vite et j'aime le travail en équipe dans la cuisine"
    state, outputs = send(state, long)
    assert said(outputs)[0] == "catchphrase_long"
    assert param(outputs, "catchphrase_long", "length") == str(len(long))
    assert state.cv["catchphrase"] is None


def test_review_edit_opens_the_edit_menu() -> None:
    state, outputs = send(at("review"), "2")
    assert said(outputs) == ["edit_menu"]
    assert state.return_to == ["review", 0]


def test_review_later_pauses_and_a_greeting_brings_the_review_back() -> None:
    state, outputs = send(at("review"), "3")
    assert said(outputs) == ["later"]
    assert state.paused
    state, outputs = send(state, "Bonjour")
    assert said(outputs) == ["welcome_back", "ask_review"]
    assert not state.paused


# The summary --------------------------------------------------------------------------------------
def test_the_summary_shows_periods_as_people_say_them_even_without_a_name() -> None:
    state = at("story")
    state.cv["experiences"] = [
        experience("plonge", start="2020", end=None, current=False),
        experience("vendeur", start="2018", end="2018", current=False),
        experience("maçon", start=None, end=None, current=False, duration_months=18),
    ]
    _, outputs = send(state, "VOIR")
    summary = next(o for o in outputs if isinstance(o, Summary))
    values = [dict(line.params)["value"] for line in summary.lines]
    assert [line.id for line in summary.lines] == ["line_experience"] * 3  # no name line
    assert values == [
        Join((Raw("plonge"), Raw("2020"))),
        Join((Raw("vendeur"), Raw("2018"))),  # a period within one year: the year once
        Join((Raw("maçon"), Msg("value_months", (), 18))),
    ]


def test_new_words_instead_of_a_number_search_the_jobs_again() -> None:
    state, _ = send(at("target_jobs"), "ménage")
    assert state.pending is not None and "agent_entretien" in state.pending["codes"]
    state, outputs = send(state, "cuisine")
    assert state.pending is not None and state.pending["words"] == "cuisine"
    assert "cuisinier" in state.pending["codes"]
    assert said(outputs) == ["pick_target_job"]
    assert state.cv["target_jobs"] == []


@pytest.mark.parametrize(
    ("answer", "message"),
    [("1er janvier 2020", "availability_past"), ("quand je peux", "not_understood")],
)
def test_a_start_date_in_the_past_or_unreadable_is_refused(answer: str, message: str) -> None:
    state, outputs = send(at("availability"), answer)
    assert said(outputs)[0] == message
    assert state.cv["availability"] is None


@pytest.mark.parametrize(
    ("answer", "message"), [("2030-2031", "date_future"), ("il y a longtemps", "date_unreadable")]
)
def test_experience_dates_that_cannot_be_used_are_refused(answer: str, message: str) -> None:
    state = at("experience_dates")
    state.cv["experiences"] = [experience("plonge")]
    state, outputs = send(state, answer)
    assert said(outputs)[0] == message
    assert "start" not in state.cv["experiences"][0]


def test_the_first_experience_question_wants_yes_or_no() -> None:
    _, outputs = send(at("has_experience"), "peut-être")
    assert said(outputs) == ["not_understood", "ask_has_experience"]


def test_back_to_an_experience_title_shows_the_saved_title() -> None:
    state, _ = send(at("has_experience"), "oui", "aide en cuisine")
    assert state.step == "experience_employer"
    state, outputs = send(state, "RETOUR")
    assert state.step == "experience_title"
    assert param(outputs, "back_saved", "answer") == "aide en cuisine"


def test_skipping_the_languages_after_three_tries_goes_on_to_the_skills() -> None:
    state, _ = send(at("languages"), "blablabla", "blablabla", "blablabla", "PASSER")
    assert state.cv["languages"] == []
    assert state.step == "skills"


@pytest.mark.parametrize(
    ("loop", "field"), [("has_experience", "experiences"), ("has_training", "trainings")]
)
def test_skipping_the_have_you_question_after_three_tries_adds_no_item(
    loop: str, field: str
) -> None:
    state, _ = send(at(loop), "bof", "bof", "bof", "PASSER")
    assert state.step == "checkpoint"
    state, _ = send(state, "Carrefour")
    assert state.cv[field] == []


def test_unknown_locales_are_refused_when_the_flow_is_built() -> None:
    with pytest.raises(ValueError, match="xx"):
        build_flow(("fr", "xx"))


def test_a_language_number_out_of_the_menu_is_refused() -> None:
    state, _ = send(State(), "Bonjour")
    state, outputs = send(state, "9")
    assert said(outputs) == ["choose_number", "ask_language"]
    assert state.locale is None and state.step == "language"


def test_an_email_without_a_domain_is_refused() -> None:
    state, outputs = send(at("email"), "amina@gmail")
    assert said(outputs) == ["email_bad", "ask_email"]
    assert state.person["email"] is None


def test_other_language_already_chosen_is_not_added_twice() -> None:
    state, _ = send(at("languages"), "1 9", "français")
    assert state.cv["languages"] == [{"code": "fr", "level": None}]
    assert (state.step, state.index) == ("language_level", 0)


def test_an_emoji_at_a_save_point_is_answered_with_an_example() -> None:
    from datetime import UTC, datetime

    from bot.channels.sms.render import render_sms
    from conversations.engine import step
    from conversations.events import TextReceived
    from conversations.flow import DEFAULT_FLOW
    from conversations.state import State

    state = State(locale="fr", step="checkpoint", checkpoint_part=2, consent_at="2026-11-26")
    state, outputs = step(
        DEFAULT_FLOW, state, TextReceived("🙂"), now=datetime(2026, 11, 26, tzinfo=UTC)
    )
    text = render_sms(outputs, "fr")[0].text
    assert text.startswith("Je n'ai pas compris. Envoie un numéro, ex : 1")
    assert "{" not in text


def _dari_checkpoint_with_summary() -> State:
    state = at("checkpoint", checkpoint_part=1)
    state.locale = "fa_AF"
    state.summary_page = 0  # VIEW was sent: the summary is open, MORE would page it
    return state


def test_a_command_word_of_another_language_is_the_answer_it_means_in_this_one() -> None:
    # "ادامه" is Pashto's MORE, and the Dari label of "continue" at a save point.
    state, outputs = step(
        PRODUCT_FLOW, _dari_checkpoint_with_summary(), TextReceived("ادامه"), now=NOW
    )
    assert said(outputs)[:1] == ["part_start"] and state.checkpoint_part == 1
    assert state.step == "target_jobs"


def test_the_same_word_is_still_more_in_pashto() -> None:
    state = _dari_checkpoint_with_summary()
    state.locale = "ps"
    state.cv["target_jobs"] = [{"code": "cuisinier", "text": "cuisine"}]
    _, outputs = step(PRODUCT_FLOW, state, TextReceived("ادامه"), now=NOW)
    assert any(isinstance(o, Summary) and o.page == 1 for o in outputs)


def test_every_collision_of_a_command_word_with_an_offered_label_is_known() -> None:
    """Command words of one language that are answer labels in another: each is read as the
    answer in that language (above), and a new one fails here until it is handled."""
    collisions = set()
    for locale, table in PRODUCT_FLOW.lexicon.items():
        for (context, french), label in table.items():
            meaning = parse_command(label, None)
            if meaning is not None and is_foreign_command(label, locale):
                collisions.add((locale, context, french, meaning))
    assert collisions == {("fa_AF", "continue", "Continuer", "MORE")}
