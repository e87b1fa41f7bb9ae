"""What a careful reader of the catalogs checks, made a test: right-to-left messages hold no Latin
word but the few that must stay Latin, and each language calls one thing by one name."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALES = Path(__file__).parents[1] / "locales"
RTL = ("ar", "fa_AF", "ps")
# Latin words a right-to-left message may hold, and why each must stay Latin.
ALLOWED_LATIN = {
    # Carrier keywords: operators act on the English words themselves.
    "STOP", "START",
    # The product's name.
    "Tremplin",
    # What the person types as it is written on the French CV: a town, a coach's code, an
    # e-mail address and names in the examples.
    "Lyon", "T4821", "amina@gmail.com", "name@gmail.com", "Amina", "Diallo",
    # French diplomas, contracts and certificates that keep their French name on the CV, and
    # the driving licence categories.
    "CAP", "CDI", "CDD", "CDDI", "HACCP", "SSIAP", "VTC", "B", "C", "D",
    # Technical words without a common spelling in these scripts.
    "SMS", "GPS", "MB",
}  # fmt: skip
# Messages that speak French and English on purpose: the language menu, before any choice.
BILINGUAL = {"Bonjour / Hello ! Choisis ta langue / Choose your language :"}
# One term per thing: the words a language uses, and the variants it must not.
ONE_TERM = {
    "fa_AF": {"کود": "کد", "نمبر": "شماره"},
    "ti": {"ቁልፊ": "መጠወቒ"},
    "ps": {"ژوندلیک": "CV"},
}
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9@.\-]*[A-Za-z0-9]|[A-Za-z]")
_LETTERS = r"[\u0600-\u06FF\u200c\u1200-\u139FA-Za-z]"


def _translations(locale: str) -> list[tuple[str, str]]:
    with (LOCALES / locale / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalog = read_po(file)
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs += [(ids[0], text) for text in strings if text]
    return pairs


@pytest.mark.parametrize("locale", RTL)
def test_right_to_left_messages_hold_no_latin_word_but_those_that_must_stay(locale: str) -> None:
    found = {
        (msgid, word)
        for msgid, text in _translations(locale)
        if msgid not in BILINGUAL
        for word in _LATIN_WORD.findall(_PLACEHOLDER.sub(" ", text))
        if word.rstrip(".") not in ALLOWED_LATIN
    }
    assert found == set()


@pytest.mark.parametrize("locale", sorted(ONE_TERM))
def test_one_term_per_thing(locale: str) -> None:
    for used, avoided in ONE_TERM[locale].items():
        variant = re.compile(rf"(?<!{_LETTERS}){re.escape(avoided)}(?!{_LETTERS})")
        wrong = [text for _, text in _translations(locale) if variant.search(text)]
        assert wrong == [], f"{locale}: write {used}, not {avoided}"
