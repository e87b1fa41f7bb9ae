"""What the coach reads about a message that did not reach the candidate: every reason code the
courier and the channels write has its plain French words, never a code alone."""

import pytest

from bot.coach.deliveries import in_words


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        ("waiting_answer", "un modèle approuvé l'a prévenue"),
        ("window_closed:no_template_language:ps", "WhatsApp n'a pas de modèle en pachto"),
        (
            "window_closed:template_not_approved:tremplin_reminder:uk",
            "le modèle tremplin_reminder en ukrainien n'est pas encore approuvé",
        ),
        ("whatsapp 63003", "ce numéro n'utilise pas WhatsApp"),
        ("twilio 400 error 63024", "ce destinataire n'est pas valide"),
        ("whatsapp 63016; sent by sms", "plus de 24 h sans message de sa part ; envoyé par SMS"),
        ("whatsapp 63018", "limite le rythme"),
        ("twilio 400 error 21610", "bloqué nos messages"),
        ("opted out", "la personne a envoyé STOP"),
        ("twilio 500 error 20500", "échec d'envoi (twilio 500 error 20500)"),
        (None, "raison inconnue"),
    ],
)
def test_every_reason_reads_in_plain_words(reason: str | None, words: str) -> None:
    assert words in in_words(reason)
