"""The shapes of vocabulary entries: jobs, sectors and skills.

Labels are French source texts (gettext msgids under the contexts ``job``, ``sector`` and
``skill``); codes are stable slugs stored in CVs, so a label can be reworded without touching data.
"""

from dataclasses import dataclass

__all__ = ["Job"]


@dataclass(frozen=True, slots=True)
class Job:
    code: str
    """Stable slug stored in the CV, e.g. ``commis_cuisine``."""
    rome: str
    """France Travail ROME code of the job family, e.g. ``G1602``."""
    sector: str
    """A key of ``SECTORS``."""
    label: str
    """French label as shown to candidates and employers (msgid, context ``job``)."""
    synonyms: tuple[str, ...]
    """Other words people type for this job: informal French, English, short forms."""
    skills: tuple[str, ...]
    """Keys of ``SKILLS``, most relevant first."""
