"""Finding jobs from the words people type, and suggesting skills for the chosen jobs.

People write "cuisiné", "menage", "chantié", "manut" or "kitchen": the answer is folded (no case,
no accents) and compared with every job's label and synonyms with rapidfuzz, so typos and missing
accents still find the right jobs. Several jobs can match an ambiguous word; the candidate then
picks from a short numbered list.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from conversations.parsing.normalize import fold
from conversations.vocabulary.jobs_data import JOBS, SECTORS, SKILLS
from conversations.vocabulary.terms import Job

__all__ = [
    "GENERIC_SKILLS",
    "JOBS",
    "JOB_BY_CODE",
    "SECTORS",
    "SKILLS",
    "match_jobs",
    "suggest_skills",
]

JOB_BY_CODE: dict[str, Job] = {job.code: job for job in JOBS}

# Skills that fit any job, offered when the chosen jobs suggest too few.
GENERIC_SKILLS = tuple(
    code
    for code in ("punctuality", "teamwork", "reliability", "motivation", "adaptability")
    if code in SKILLS
)

# Every name of every job, folded, with the jobs it names (a synonym can name several jobs).
_NAMES: dict[str, list[str]] = {}
for _job in JOBS:
    # "Cuisinier / Cuisinière": each side of the slash is a name too.
    for _name in (_job.label, *_job.label.split("/"), *_job.synonyms):
        _codes = _NAMES.setdefault(fold(_name), [])
        if _job.code not in _codes:
            _codes.append(_job.code)

_CUTOFF = 82.0
_MAX_NAMES = 40


def _long_enough_for_words(query: str) -> bool:
    """Whether word-level scores count for this query."""
    # A syllabic script says in 3 signs what Latin says in 6: "ክሽነ" (kitchen).
    return len(query) >= (4 if query.isascii() else 2)


def _score(query: str, name: str, **_: object) -> float:
    """Whole-name similarity, or the best word-level similarity for multi-word names.

    Only a whole name can score 100: "cuisinier" is the cook before the "aide cuisinier".
    """
    if query == name:
        return 100.0
    best = min(fuzz.ratio(query, name), 99.0)
    if _long_enough_for_words(query):
        best = max(best, fuzz.token_set_ratio(query, name) if " " in name or " " in query else 0)
        best = max(best, max((fuzz.ratio(query, word) for word in name.split()), default=0) - 2)
    return float(min(best, 95.0))


@dataclass(frozen=True, slots=True)
class _Index:
    """Folded job names with the jobs each one names, and the words of those names."""

    codes: dict[str, list[str]]
    names: list[str]
    names_with_word: dict[str, list[int]]
    words: list[str]
    spaced: list[int]
    """The numbers of the names of several words: the only ones ``_score`` compares token sets
    with when the query is a single word."""
    spaced_sorted_words: list[str]
    """Those names' distinct words, sorted, joined by a space (what the token-set ratio compares
    a one-word query with when the name lacks that word)."""

    @classmethod
    def of(cls, codes: dict[str, list[str]]) -> "_Index":
        names = list(codes)
        names_with_word: dict[str, list[int]] = {}
        for number, name in enumerate(names):
            for word in set(name.split()):
                names_with_word.setdefault(word, []).append(number)
        spaced = [number for number, name in enumerate(names) if " " in name]
        return cls(
            codes,
            names,
            names_with_word,
            list(names_with_word),
            spaced,
            [" ".join(sorted(set(names[number].split()))) for number in spaced],
        )

    def close_names(self, query: str) -> list[tuple[str, float]]:
        """The names that score at least the cutoff, best first: what ``process.extract`` with
        :func:`_score` over every name gives, ten times faster.

        ``_score`` is Python, called once per name (about 800) for each answer. A name reaches the
        cutoff only when its whole-name ratio, its token-set ratio or the ratio of one of its
        words (less 2) does, so rapidfuzz's own scorers, in C, first find those few names; then
        ``_score`` ranks only them.
        """
        # ``extract`` (limit=None: every name past the cutoff) scores the whole list in one call,
        # faster than ``extract_iter``, which yields back to Python name by name.
        found = process.extract(
            query, self.names, scorer=fuzz.ratio, score_cutoff=_CUTOFF, limit=None
        )
        near = {number for _, _, number in found}
        if _long_enough_for_words(query):  # else ``_score`` compares no token sets
            near.update(self._token_set_close(query))
        words = process.extract(
            query, self.words, scorer=fuzz.ratio, score_cutoff=_CUTOFF + 2, limit=None
        )
        for word, _, _ in words:
            near.update(self.names_with_word[word])
        scored = [(_score(query, self.names[number]), number) for number in near]
        ranked = sorted((-score, number) for score, number in scored if score >= _CUTOFF)
        return [(self.names[number], -score) for score, number in ranked[:_MAX_NAMES]]

    def _token_set_close(self, query: str) -> list[int]:
        """The names whose token-set ratio with ``query`` reaches the cutoff."""
        if " " in query:
            found = process.extract(
                query, self.names, scorer=fuzz.token_set_ratio, score_cutoff=_CUTOFF, limit=None
            )
            return [number for _, _, number in found]
        # One word: ``_score`` compares token sets only with names of several words, and for
        # those the token-set ratio is 100 when the name has that word, else the plain ratio of
        # the word with the name's sorted words (rapidfuzz's definition), which C computes for
        # the whole list much faster than token sets.
        found = process.extract(
            query, self.spaced_sorted_words, scorer=fuzz.ratio, score_cutoff=_CUTOFF, limit=None
        )
        return [*self.names_with_word.get(query, ()), *(self.spaced[at] for _, _, at in found)]


_JOB_NAMES = _Index.of(_NAMES)


def _translated_index(names: Mapping[str, str]) -> _Index:
    key = tuple(sorted(names.items()))
    if key not in _TRANSLATED:
        index: dict[str, list[str]] = {}
        for code, name in names.items():
            # "Cuisinier / Cuisinière" in any language: each side of a slash is a name too.
            for part in (name, *name.split("/")):
                if fold(part):
                    index.setdefault(fold(part), []).append(code)
        if len(_TRANSLATED) >= 16:  # one entry per locale in practice; never grows without end
            _TRANSLATED.clear()
        _TRANSLATED[key] = _Index.of(index)
    return _TRANSLATED[key]


_TRANSLATED: dict[tuple[tuple[str, str], ...], _Index] = {}


def match_jobs(
    words: str, translated: Mapping[str, str] | None = None, limit: int = 4
) -> list[Job]:
    """The jobs that best match the candidate's words, best first (empty when none is close).

    ``translated`` maps job codes to their label in the candidate's language, so that a Dari
    speaker writing آشپز finds the cooks.
    """
    query = fold(words)
    if len(query) < 2:
        return []
    ranked: dict[str, float] = {}
    indexes = [_JOB_NAMES]
    if translated:
        indexes.append(_translated_index(translated))
    for index in indexes:
        for name, score in index.close_names(query):
            for code in index.codes[name]:
                ranked[code] = max(ranked.get(code, 0.0), score)
    order = sorted(ranked, key=lambda code: (-ranked[code], _position(code)))
    return [JOB_BY_CODE[code] for code in order[:limit]]


def _position(code: str) -> int:
    return next(i for i, job in enumerate(JOBS) if job.code == code)


def suggest_skills(job_codes: Iterable[str], limit: int = 5) -> list[str]:
    """Skill codes for the chosen jobs, the most specific first, topped up with generic ones."""
    suggested: list[str] = []
    jobs = [JOB_BY_CODE[code] for code in job_codes if code in JOB_BY_CODE]
    # Alternate between jobs so that two jobs both get their main skills shown.
    for rank in range(max((len(job.skills) for job in jobs), default=0)):
        for job in jobs:
            if rank < len(job.skills) and job.skills[rank] not in suggested:
                suggested.append(job.skills[rank])
    for code in GENERIC_SKILLS:
        if code not in suggested:
            suggested.append(code)
    return suggested[:limit]
