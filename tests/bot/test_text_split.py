"""The one splitter every channel uses: each part fits, and no word is lost or reordered."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.text import measure, split, split_pages, utf16_length

WORDS = st.text(alphabet=st.sampled_from("abcé ыж😀\n"), min_size=0, max_size=600)


@settings(max_examples=200, deadline=None)
@given(WORDS, st.integers(min_value=3, max_value=80))
def test_every_part_fits_and_the_words_come_back_in_order(text: str, limit: int) -> None:
    parts = split(text, lambda part: utf16_length(part) <= limit)
    assert all(utf16_length(part) <= limit for part in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_sms_pages_keep_room_for_the_closing_line() -> None:
    text = "\n".join(f"Ligne {n} : aide en cuisine, plonge" for n in range(40))
    pages = split_pages(text, 3, reserve="\nSUITE")
    assert len(pages) > 1
    assert all(measure(page + "\nSUITE").segments <= 3 for page in pages)
    assert pages[0].startswith("Ligne 0") and pages[-1].endswith(
        "Ligne 39 : aide en cuisine, plonge"
    )
