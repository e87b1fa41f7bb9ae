"""Job matching picks its candidate names with rapidfuzz's C scorers before ranking them: the
jobs found must be exactly those the plain scan of every name with ``_score`` finds."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import process

from bot.i18n import available_locales, lexicon
from conversations.parsing.normalize import fold
from conversations.vocabulary import jobs
from conversations.vocabulary.jobs import JOBS, match_jobs


def _scan(query: str, codes: dict[str, list[str]]) -> dict[str, float]:
    """Every job reaching the cutoff, by scoring every name (the matcher before the speed-up)."""
    ranked: dict[str, float] = {}
    found = process.extract(query, list(codes), scorer=jobs._score, limit=40, score_cutoff=82.0)
    for name, score, _ in found:
        for code in codes[name]:
            ranked[code] = max(ranked.get(code, 0.0), score)
    return ranked


def _reference(words: str, translated: dict[str, str] | None = None) -> list[str]:
    query = fold(words)
    if len(query) < 2:
        return []
    ranked = _scan(query, jobs._NAMES)
    if translated:
        for code, score in _scan(query, jobs._translated_index(translated).codes).items():
            ranked[code] = max(ranked.get(code, 0.0), score)
    position = {job.code: number for number, job in enumerate(JOBS)}
    return sorted(ranked, key=lambda code: (-ranked[code], position[code]))[:4]


def _codes(words: str, translated: dict[str, str] | None = None) -> list[str]:
    return [job.code for job in match_jobs(words, translated)]


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word
    at = rng.randrange(len(word))
    return rng.choice((word[:at] + word[at + 1 :], word[:at] + "e" + word[at:], word[::-1]))


def _translated_names() -> dict[str, dict[str, str]]:
    names = {}
    for locale, labels in lexicon(available_locales()).items():
        names[locale] = {
            job.code: labels[("job", job.label)] for job in JOBS if ("job", job.label) in labels
        }
    return names


def test_every_job_name_and_typos_of_it_find_the_same_jobs_as_a_full_scan() -> None:
    rng = random.Random(7)
    words = [name for job in JOBS for name in (job.label, *job.synonyms)]
    words += ["cuisiné", "menage", "chantié", "manut", "kitchen", "aide", "agent de", "x y"]
    for word in words[::3] + words[-8:]:
        for text in (_typo(rng, word), word.split()[0]):
            assert _codes(text) == _reference(text), text


def test_answers_in_other_languages_find_the_same_jobs_as_a_full_scan() -> None:
    rng = random.Random(11)
    for locale, names in _translated_names().items():
        for name in list(names.values())[:: max(1, len(names) // 25)]:
            for text in (name, _typo(rng, name)):
                assert _codes(text, names) == _reference(text, names), (locale, text)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="abcdeiklmnorstuvé -", min_size=0, max_size=24))
def test_any_text_finds_the_same_jobs_as_a_full_scan(text: str) -> None:
    assert _codes(text) == _reference(text)
