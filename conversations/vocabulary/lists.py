"""Closed lists offered as numbered choices: their codes (stored) and French labels (msgids).

Each list is a gettext context, so a label such as "Autre" can be translated differently in each
list. The order of a list is the order of its numbers on the phone.
"""

from conversations.markers import NP_

__all__ = ["LISTS", "LOCALE_NAMES", "SUPPORTED_LOCALES"]

LISTS: dict[str, dict[str, str]] = {
    "yes_no": {"yes": NP_("yes_no", "Oui"), "no": NP_("yes_no", "Non")},
    "consent": {"yes": NP_("consent", "Oui, d'accord"), "no": NP_("consent", "Non")},
    "continue": {"continue": NP_("continue", "Continuer"), "later": NP_("continue", "Plus tard")},
    "contract": {
        "cdi": NP_("contract", "CDI"),
        "cdd": NP_("contract", "CDD"),
        "interim": NP_("contract", "Intérim"),
        "cddi": NP_("contract", "Insertion (CDDI)"),
        "alternance": NP_("contract", "Alternance"),
        "stage": NP_("contract", "Stage"),
        "pmsmp": NP_("contract", "Immersion"),
        "other": NP_("contract", "Autre"),
    },
    "work_time": {
        "full_time": NP_("work_time", "Temps plein"),
        "part_time": NP_("work_time", "Temps partiel"),
        "any": NP_("work_time", "Les deux"),
    },
    "transport": {
        "public_transport": NP_("transport", "Bus, métro, train"),
        "car": NP_("transport", "Voiture"),
        "motorbike": NP_("transport", "Moto, scooter"),
        "bike": NP_("transport", "Vélo"),
        "walk": NP_("transport", "À pied"),
    },
    "level": {
        "notions": NP_("level", "Notions"),
        "intermediate": NP_("level", "Intermédiaire"),
        "fluent": NP_("level", "Courant"),
        "native": NP_("level", "Langue maternelle"),
    },
    "review": {
        "send": NP_("review", "Envoyer à mon coach"),
        "edit": NP_("review", "Modifier"),
        "later": NP_("review", "Plus tard"),
    },
    "loop_edit": {
        "add": NP_("loop_edit", "En ajouter"),
        "keep": NP_("loop_edit", "Garder comme ça"),
        "restart": NP_("loop_edit", "Tout recommencer"),
    },
    "delete": {"yes": NP_("delete", "Oui, tout effacer"), "no": NP_("delete", "Non")},
    "part": {
        "1": NP_("part", "Toi"),
        "2": NP_("part", "Ton métier"),
        "3": NP_("part", "Tes expériences"),
        "4": NP_("part", "Tes formations"),
        "5": NP_("part", "Langues et points forts"),
        "6": NP_("part", "Ton histoire"),
    },
    "other": {"other": NP_("other", "Autre")},
}

# Locale codes of the product and each language's name in its own script (the language menu).
LOCALE_NAMES: dict[str, str] = {
    "fr": "Français",
    "en": "English",
    "ar": "العربية",
    "fa_AF": "دری",
    "ps": "پښتو",
    "uk": "Українська",
    "ti": "ትግርኛ",
}
SUPPORTED_LOCALES: tuple[str, ...] = tuple(LOCALE_NAMES)
