"""Where a candidate is in the conversation, in the coach's words rather than the engine's ids."""

__all__ = ["STEP_LABELS", "step_label"]

STEP_LABELS = {
    "start": "Premier message",
    "language": "Choix de la langue",
    "consent": "Accord pour le CV",
    "declined": "A refusé de faire son CV",
    "invite_code": "Code du coach",
    "first_name": "Prénom",
    "last_name": "Nom",
    "location": "Ville",
    "email": "E-mail",
    "phone": "Téléphone",
    "target_jobs": "Métier recherché",
    "target_jobs_more": "Deuxième métier",
    "contract_types": "Contrats",
    "work_time": "Temps de travail",
    "availability": "Disponibilité",
    "driving_licence": "Permis",
    "transport": "Déplacements",
    "has_experience": "Expériences",
    "experience_title": "Expérience : intitulé",
    "experience_employer": "Expérience : employeur",
    "experience_location": "Expérience : lieu",
    "experience_dates": "Expérience : dates",
    "experience_description": "Expérience : description",
    "experience_more": "Autre expérience ?",
    "has_training": "Formations",
    "training_title": "Formation : intitulé",
    "training_institution": "Formation : établissement",
    "training_year": "Formation : année",
    "training_more": "Autre formation ?",
    "languages": "Langues",
    "languages_other": "Autre langue",
    "language_level": "Niveau de langue",
    "skills": "Points forts",
    "interests": "Loisirs",
    "story": "Histoire",
    "catchphrase": "Phrase d'accroche",
    "photo": "Photo",
    "review": "Relecture avant envoi",
    "checkpoint": "Pause entre deux parties",
    "submitted": "CV envoyé au coach",
}


def step_label(step: str | None) -> str:
    """The coach's name for a step; an unknown id (a step added later) shows as it is."""
    if not step:
        return "—"
    return STEP_LABELS.get(step, step)
