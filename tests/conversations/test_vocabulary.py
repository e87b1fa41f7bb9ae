"""The job vocabulary: enough jobs, real codes, and matching that forgives typos."""

import re

import pytest

from conversations.vocabulary.jobs import (
    JOB_BY_CODE,
    JOBS,
    SECTORS,
    SKILLS,
    match_jobs,
    suggest_skills,
)
from conversations.vocabulary.languages import find_language, menu_languages

REQUIRED_SECTORS = {
    "logistics",
    "cleaning",
    "catering_hotels",
    "building",
    "retail",
    "care_home_help",
    "security",
    "transport",
    "green_spaces",
    "industry",
}


def test_at_least_80_entry_level_jobs_across_the_sectors_candidates_target() -> None:
    assert len(JOBS) >= 80
    assert len(JOB_BY_CODE) == len(JOBS)
    assert {job.sector for job in JOBS} >= REQUIRED_SECTORS
    for job in JOBS:
        assert re.fullmatch(r"[A-N]\d{4}", job.rome), job
        assert job.sector in SECTORS
        assert job.skills and all(skill in SKILLS for skill in job.skills), job
        assert len(job.label) <= 28


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("cuisiné", "commis_cuisine"),
        ("cuisine", "cuisinier"),
        ("menage", "agent_entretien"),
        ("ménage", "agent_proprete"),
        ("chantié", "manoeuvre"),
        ("chantier", "manoeuvre"),
        ("plonge", "plongeur"),
        ("cariste", "cariste"),
        ("securite", "agent_securite"),
        ("aide a domicile", "aide_domicile"),
        ("kitchen", "commis_cuisine"),
        ("cleaner", "agent_proprete"),
        ("livreur", "livreur"),
    ],
)
def test_typos_and_missing_accents_find_the_right_jobs(typed: str, expected: str) -> None:
    found = [job.code for job in match_jobs(typed)]
    assert expected in found, found
    assert len(found) <= 4


def test_nonsense_finds_nothing() -> None:
    assert match_jobs("zzzz qqqq") == []
    assert match_jobs("") == []


def test_skill_suggestions_come_from_the_chosen_jobs_first() -> None:
    suggested = suggest_skills(["cariste", "commis_cuisine"])
    assert len(suggested) == 5
    assert suggested[0] == JOB_BY_CODE["cariste"].skills[0]
    assert suggested[1] == JOB_BY_CODE["commis_cuisine"].skills[0]
    assert len(suggest_skills([])) == 5  # generic qualities when no job is known


def test_languages_by_name_and_menu() -> None:
    assert find_language("Wolof") == "wo"
    assert find_language("dari") == "prs"
    assert find_language("peul") == "ff"
    assert find_language("bambarra") == "bm"
    assert find_language("xyz") is None
    assert menu_languages("fr")[:3] == ["fr", "en", "ar"]
    assert menu_languages("fa_AF")[:2] == ["fr", "prs"]
