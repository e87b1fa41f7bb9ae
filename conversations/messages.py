"""Every sentence the candidate can receive, in French (the source language), by message id.

These French texts are the gettext msgids: ``pybabel extract`` collects them from here and each
locale's catalog translates them. Rules for writing them (docs/conversation.md): short, concrete,
friendly, one
question at a time, an example of the expected form, ``tu`` with respect. A French prompt with its
choices must fit one SMS segment (160 GSM-7 characters); only the consent and the summary pages may
take up to three. Placeholders are ``{name}`` and must stay identical in every translation.
"""

from conversations.markers import N_, NN_

__all__ = ["MESSAGES", "PLURALS"]

MESSAGES: dict[str, str] = {
    # Welcome
    "ask_language": N_("Bonjour / Hello ! Choisis ta langue / Choose your language :"),
    "language_hint": N_("Pour changer de langue, envoie LANGUE."),
    "language_set": N_("C'est noté, on parle en français."),
    "ask_consent": N_(
        "Bienvenue sur Tremplin ! On va faire ton CV ensemble, question par question. "
        "Tes réponses sont gardées et un coach les lit avant toute publication. "
        "Ton CV public montre seulement ton prénom et l'initiale de ton nom. "
        "SUPPRIMER efface tout. Tu es d'accord ?"
    ),
    "consent_declined": N_(
        "D'accord, je ne garde rien. Si tu changes d'avis, écris-moi. Bonne continuation !"
    ),
    "consent_again": N_("Re-bonjour ! On reprend depuis le début."),
    "ask_invite_code": N_(
        "As-tu un code donné par un coach ? Écris-le (ex : T4821). Sinon envoie PASSER."
    ),
    "invite_code_bad": N_("Un code ressemble à T4821. Vérifie-le, ou envoie PASSER."),
    "invite_code_unknown": N_(
        "Je ne connais pas le code {code}. Vérifie-le et écris-le encore, ou envoie PASSER."
    ),
    "invite_code_near": N_("Veux-tu dire le code {code} de {organisation} ?"),
    "invite_code_known": N_("C'est noté : ton coach est chez {organisation}."),
    "invite_code_retype": N_("D'accord, je ne le garde pas."),
    # Parts
    "part_start": N_("Partie {part} sur 6 : {title}"),
    "checkpoint": N_("Partie {part} sur 6 finie, c'est enregistré !"),
    "later": N_("D'accord, tout est enregistré. Écris-moi quand tu veux pour continuer."),
    "hello_named": N_("Bonjour {first_name} !"),
    "welcome_back": N_("Re-bonjour ! On reprend où tu en étais (partie {part} sur 6)."),
    # Part 1: about you
    "ask_first_name": N_("Quel est ton prénom ?"),
    "ask_last_name": N_("Et ton nom de famille ? Il reste privé : seul ton coach le voit."),
    "name_bad": N_("Écris seulement ton nom, avec des lettres. {example}"),
    "first_name_bad": N_("Écris seulement ton prénom, avec des lettres. {example}"),
    "ask_location": N_(
        "Dans quelle ville veux-tu travailler ? Ville ou code postal, ex : Lyon ou 93200"
    ),
    "ask_town_pick": N_("Quel {name} ? Envoie le numéro, ou le code postal :"),
    "ask_town_code": N_(
        "Il y a plusieurs villes {name} en France. Envoie le code postal, ex : 93200"
    ),
    "town_code_needed": N_("Envoie le code postal de {name}, 5 chiffres. Ex : 93200"),
    "location_long": N_(
        "C'est trop long pour une ville. Envoie seulement la ville ou le code postal, "
        "ex : Lyon ou 93200"
    ),
    "ask_email": N_("As-tu une adresse e-mail ? Écris-la, ou envoie PASSER."),
    "email_bad": N_(
        "Cette adresse ne semble pas complète. Ex : prenom@gmail.com. Ou envoie PASSER."
    ),
    "ask_phone": N_(
        "Veux-tu donner ton numéro à ton coach ? Appuie sur le bouton, ou envoie PASSER."
    ),
    # Part 2: job goals
    "ask_target_jobs": N_(
        "Quel métier cherches-tu ? Écris avec tes mots, ex : cuisine, ménage, chantier"
    ),
    "ask_target_jobs_second": N_("Quel autre métier ? Écris avec tes mots, ex : vente"),
    "pick_target_job": N_("Quel est le bon métier ?"),
    "job_other": N_("Autre (garder mes mots)"),
    "job_kept_words": N_("Je n'ai pas ce métier dans ma liste. Je garde tes mots : « {words} »."),
    "ask_target_jobs_more": N_("As-tu un 2e métier en tête ?"),
    "ask_contract_types": N_(
        "Quel contrat cherches-tu ? Tu peux mettre plusieurs numéros (ex : 1 3)"
    ),
    "ask_work_time": N_("Tu cherches un travail à :"),
    "ask_availability": N_(
        "Quand peux-tu commencer ? Envoie 1 pour tout de suite, ou une date (ex : 1er mars)"
    ),
    "availability_past": N_(
        "Cette date est passée. Envoie 1 pour tout de suite, ou une date à venir."
    ),
    "ask_driving_licence": N_("As-tu le permis de conduire (permis B) ?"),
    "ask_transport": N_("Comment te déplaces-tu ? Tu peux mettre plusieurs numéros (ex : 1 4)"),
    # Part 3: experience
    "ask_has_experience": N_(
        "As-tu déjà travaillé ? Même sans contrat, bénévole ou dans ton pays, ça compte !"
    ),
    "ask_experience_title": N_("Quel travail faisais-tu ? Ex : aide en cuisine"),
    "ask_experience_employer": N_("Pour qui ? Entreprise, famille, association… Ou envoie PASSER."),
    "ask_experience_location": N_(
        "Où ? Ville et/ou pays, ex : Kaboul, Afghanistan. Ou envoie PASSER."
    ),
    "ask_experience_dates": N_("Quand ? Ex : 2019-2021, depuis 2022, ou 2 ans"),
    "ask_experience_description": N_(
        "Qu'est-ce que tu faisais ? En quelques mots. Ou envoie PASSER."
    ),
    "ask_experience_more": N_("C'est noté ! As-tu une autre expérience ?"),
    "loop_full": N_("C'est le maximum, on passe à la suite."),
    # Part 4: training
    "ask_has_training": N_("As-tu suivi une formation ou des études ? En France ou ailleurs."),
    "ask_training_title": N_("Quelle formation ? Ex : CAP cuisine, cours de français, lycée"),
    "ask_training_institution": N_("Où ? École, organisme, pays… Ou envoie PASSER."),
    "ask_training_year": N_("En quelle année ? Ex : 2020. Ou envoie PASSER."),
    "ask_training_more": N_("C'est noté ! As-tu une autre formation ?"),
    # Dates
    "date_unreadable": N_("Je n'ai pas compris la date. {example}"),
    "date_future": N_("Cette date est dans le futur. {example}"),
    "date_birth": N_("On dirait une date de naissance. Quand as-tu fait ce travail ? {example}"),
    "date_order": N_("La fin est avant le début. {example}"),
    "date_too_old": N_("Cette année est trop ancienne. {example}"),
    # Part 5: languages and skills
    "ask_languages": N_("Quelles langues parles-tu ? Tu peux mettre plusieurs numéros (ex : 1 3)"),
    "ask_languages_other": N_("Quelle autre langue ? Ex : wolof, peul, tamoul"),
    "language_unknown": N_("Je ne connais pas cette langue. Écris son nom, ex : wolof"),
    "ask_language_level": N_("Ton niveau en {language} ?"),
    "ask_skills": N_("Tes atouts ? Des numéros ou tes mots :"),
    "skills_capped": N_("6 maximum : j'ai gardé les 6 premiers."),
    "ask_interests": N_("Qu'aimes-tu faire ? Ex : football, cuisine, musique. Ou envoie PASSER."),
    # Part 6: story
    "ask_story": N_(
        "Raconte-toi en quelques phrases : ton parcours, ce qui te motive. Ou envoie PASSER."
    ),
    "story_continue": N_("C'est noté. Tu peux continuer. Quand c'est fini, envoie FINI."),
    "ask_catchphrase": N_(
        "Une phrase pour un employeur ? 80 signes max. Ex : Sérieux, j'apprends vite. Ou PASSER."
    ),
    "catchphrase_long": N_("C'est trop long ({length} signes). 80 maximum, essaie plus court."),
    "ask_photo": N_("Envoie une photo de toi pour ton CV (de face, souriant). Ou envoie PASSER."),
    "photo_saved": N_("Merci, ta photo est enregistrée."),
    "photo_expected": N_("J'attends une photo. Ou envoie PASSER."),
    # Review
    "ask_review": N_("Que veux-tu faire ?"),
    "summary_title": N_("Ton CV :"),
    "summary_more": N_("SUITE : voir la suite"),
    "summary_end": N_("C'est tout pour ton CV."),
    "submitted": N_("Bravo ! Ton CV est envoyé à ton coach. Il le relit et te répond ici."),
    "submitted_waiting": N_(
        "Ton CV attend ton coach. VOIR pour le relire, MODIFIER pour changer quelque chose."
    ),
    "missing": N_("Pour envoyer ton CV, il manque : {items}."),
    "missing_first_name": N_("ton prénom"),
    "missing_location": N_("ta ville"),
    "missing_job": N_("un métier"),
    "missing_language": N_("une langue"),
    "missing_experience": N_("une expérience, une formation ou ton histoire"),
    "resend": N_("C'est modifié. Pense à envoyer ton CV à nouveau : ENVOYER."),
    # Coach workspace: a coach's request for changes, and the publication
    "coach_changes": N_("Ton coach demande un changement : « {comment} »"),
    "coach_changes_in_french": N_(
        "Ton coach demande un changement, écrit en français (une traduction va suivre) : "
        "« {comment} »"
    ),
    "published_waiting": N_(
        "Ton CV est en ligne ! VOIR pour le relire, MODIFIER pour changer quelque chose."
    ),
    "cv_published": N_("Bravo, ton CV est en ligne ! Ton lien à partager : {url}"),
    # Summary lines
    "line_name": N_("Nom : {value}"),
    "line_location": N_("Lieu : {value}"),
    "line_jobs": N_("Métier : {value}"),
    "line_contract": N_("Contrat : {value}"),
    "line_work_time": N_("Temps de travail : {value}"),
    "line_availability": N_("Dispo : {value}"),
    "line_licence": N_("Permis B : {value}"),
    "line_experience": N_("Expérience : {value}"),
    "line_training": N_("Formation : {value}"),
    "line_languages": N_("Langues : {value}"),
    "line_skills": N_("Points forts : {value}"),
    "line_interests": N_("Loisirs : {value}"),
    "line_story": N_("Histoire : {value}"),
    "line_catchphrase": N_("Phrase : {value}"),
    "value_now": N_("tout de suite"),
    "value_from": N_("à partir du {date}"),
    "value_since": N_("depuis {start}"),
    "value_yes": N_("oui"),
    "value_no": N_("non"),
    "value_language_level": N_("{language} ({level})"),
    "list_separator": N_(", "),
    # Commands
    "help_commands": N_(
        "Mots utiles : AIDE, RETOUR, PASSER, VOIR, MODIFIER, ENVOYER, LANGUE, STOP, SUPPRIMER."
    ),
    "back_first": N_("C'est la première question."),
    "back_to_language": N_("D'accord, on revient au choix de la langue."),
    "back_saved": N_("Ta réponse : {answer}. Envoie la nouvelle, ou PASSER pour la garder."),
    "skip_required": N_("Cette question est nécessaire pour ton CV. Envoie AIDE si tu bloques."),
    "edit_menu": N_("Que veux-tu modifier ? Envoie le numéro :"),
    "edit_done": N_("C'est modifié ! On reprend."),
    "stopped": N_("Tu ne recevras plus de messages. Pour reprendre, envoie START."),
    "restarted": N_("Content de te revoir ! On reprend."),
    "ask_delete": N_("Tout effacer ? Ton CV et tes réponses seront supprimés pour toujours."),
    "deleted": N_("C'est fait, tout est effacé. Au revoir et bonne chance !"),
    "delete_cancelled": N_("D'accord, rien n'est effacé."),
    "nothing_to_finish": N_("FINI sert à terminer ton histoire."),
    # Problems with an answer
    "not_understood": N_("Je n'ai pas compris. {example}"),
    "choose_number": N_("Envoie un numéro de la liste (de 1 à {max})."),
    "empty": N_("Je n'ai rien reçu."),
    "trimmed": N_("C'est long : j'ai gardé les {limit} premiers signes, jusqu'à « {end} »."),
    "interests_kept": N_("J'ai gardé les {count} premiers : {items}."),
    "too_many_tries": N_("Pas de souci ! Envoie AIDE pour de l'aide, ou PASSER pour passer."),
    "too_many_tries_help": N_("Pas de souci ! Envoie AIDE pour de l'aide."),
    "media_unsupported": N_("Je ne lis que le texte. Écris ta réponse avec des mots."),
    # Examples shown when re-asking and in HELP
    "example_first_name": N_("Ex : Amina"),
    "example_last_name": N_("Ex : Diallo"),
    "example_location": N_("Ex : Lyon, ou 93200"),
    "example_email": N_("Ex : prenom@gmail.com"),
    "example_target_jobs": N_("Ex : cuisine, ménage, chantier, vente"),
    "example_choice": N_("Envoie un numéro, ex : 1"),
    "example_multi": N_("Envoie un ou plusieurs numéros, ex : 1 3"),
    "example_yes_no": N_("Envoie 1 pour oui, 2 pour non."),
    "example_availability": N_("Ex : 1 pour tout de suite, 1er mars, dans 2 semaines"),
    "example_dates": N_("Ex : 2019-2021, depuis 2022, 2 ans"),
    "example_year": N_("Ex : 2020"),
    "example_text": N_("Écris quelques mots."),
    "example_language": N_("Ex : wolof"),
    "example_skills": N_("Ex : 1 3, ou : ponctuel, travail en équipe"),
    "example_invite_code": N_("Ex : T4821"),
    "example_photo": N_("Envoie une photo, ou PASSER."),
    # Telegram: buttons, photos, voice notes; one draft across channels (LINK)
    "button_share_contact": N_("Envoyer mon numéro"),
    "photo_unreadable": N_(
        "Je n'ai pas pu utiliser cette photo. Envoie une photo de moins de 5 Mo, ou PASSER."
    ),
    "voice_kept": N_("Merci, ton message vocal est gardé pour ton coach. Ici, écris ta réponse."),
    "link_elsewhere": N_(
        "LIER sert à continuer sur Telegram un CV commencé par SMS : envoie LIER sur Telegram."
    ),
    "link_ask_phone": N_(
        "Pour continuer ton CV commencé par SMS, envoie le numéro utilisé : appuie sur le bouton "
        "ou écris-le."
    ),
    "example_phone": N_("Ex : 06 12 34 56 78"),
    "link_code_sent": N_("Si ce numéro a un CV, un code arrive par SMS. Écris ce code ici."),
    "link_code_sms": N_(
        "Code Tremplin : {code}. Écris-le sur Telegram pour y continuer ton CV. "
        "Pas toi ? Ignore ce SMS."
    ),
    "link_code_bad": N_("Ce n'est pas le bon code. Vérifie le SMS et écris-le à nouveau."),
    "link_code_expired": N_("Ce code n'est plus valable. Envoie LIER pour en avoir un nouveau."),
    "link_done": N_("C'est fait, tu retrouves ton CV ici ! On continue."),
    # WhatsApp (bot/channels/whatsapp): the button of a list, and the approved templates that
    # may be sent outside WhatsApp's 24-hour window. They ask for the greeting the engine answers
    # with the current question; the coach's words and the link wait until then.
    "whatsapp_list_button": N_("Choisir"),
    "whatsapp_template_coach": N_(
        "Bonjour ! Ton coach t'a écrit au sujet de ton CV sur Tremplin. "
        "Pour lire son message, réponds BONJOUR."
    ),
    "whatsapp_template_published": N_(
        "Bonne nouvelle : ton CV Tremplin est publié ! Pour recevoir son lien, réponds BONJOUR."
    ),
    # Phone calls (bot/channels/voice): what only a call says. A call is heard, not read: the
    # keys are named, and every spoken answer is read back before it is saved.
    "voice_welcome": N_(
        "Bienvenue sur Tremplin. Pendant l'appel : dièse pour réécouter, "
        "étoile pour revenir en arrière, zéro pour l'aide."
    ),
    "voice_press": N_("{label} : tape {number}."),
    "voice_speak": N_("Réponds en parlant, ou tape ta réponse sur le clavier."),
    "voice_read_back": N_("Tu as dit : {answer}. Pour garder, tape 1. Pour redire, tape 2."),
    "voice_read_back_unsure": N_(
        "Je ne suis pas sûr d'avoir compris. Tu as dit : {answer} ? "
        "Pour garder, tape 1. Pour redire, tape 2."
    ),
    "voice_say_again": N_("D'accord, redis ta réponse."),
    "voice_silence": N_("Je n'ai rien entendu."),
    "voice_wrong_key": N_("Cette touche ne correspond à aucun choix."),
    "voice_goodbye": N_("Merci ! Tes réponses sont gardées. Rappelle quand tu veux. Au revoir !"),
    "voice_goodbye_silence": N_(
        "Je n'entends rien. Tes réponses sont gardées : rappelle quand tu veux. Au revoir !"
    ),
    "voice_no_voice": N_(
        "Je ne sais pas encore parler {language} au téléphone. Ton coach te rappellera. "
        "En attendant, choisis une autre langue."
    ),
    "voice_hidden_number": N_(
        "Ton numéro est masqué : je ne peux pas retrouver ton CV. Rappelle sans masquer ton numéro."
    ),
    "voice_recording": N_(
        "Pour aider ton coach, on peut enregistrer cet appel. D'accord : tape 1. Non : tape 2."
    ),
    # HELP: why each kind of question is asked
    "help_language": N_("Choisis la langue pour parler avec moi. Ton CV sera aussi en français."),
    "help_consent": N_("Si tu es d'accord, envoie 1. Sinon, envoie 2."),
    "help_name": N_("Ton prénom apparaît sur ton CV. Ton nom reste privé."),
    "help_location": N_("La ville où tu veux travailler aide à trouver des offres près de toi."),
    "help_jobs": N_("Écris le métier que tu veux faire, je te propose une liste."),
    "help_choice": N_("Réponds avec le numéro qui te correspond."),
    "help_experience": N_(
        "Tout travail compte : en France ou ailleurs, payé ou bénévole, même court."
    ),
    "help_dates": N_("Écris l'année de début et de fin, ou combien de temps ça a duré."),
    "help_free_text": N_("Écris avec tes mots, ton coach t'aidera à corriger."),
    "help_optional": N_("Cette question n'est pas obligatoire : PASSER pour la passer."),
    # Reminders (bot/jobs/reminders.py): at most two, after 2 then 7 days of silence. The greeting
    # they ask for is one the engine answers with "welcome back" and the current question.
    "reminder_first": N_(
        "Bonjour ! Ton CV t'attend sur Tremplin, tes réponses sont gardées. "
        "Pour continuer, réponds BONJOUR."
    ),
    "reminder_first_named": N_(
        "Bonjour {first_name} ! Ton CV t'attend sur Tremplin, tes réponses sont gardées. "
        "Pour continuer, réponds BONJOUR."
    ),
    "reminder_last": N_(
        "Bonjour ! Dernier rappel : ton CV t'attend, tes réponses sont gardées. "
        "Pour continuer, réponds BONJOUR. Sinon, je ne t'écris plus."
    ),
    "reminder_last_named": N_(
        "Bonjour {first_name} ! Dernier rappel : ton CV t'attend, tes réponses sont gardées. "
        "Pour continuer, réponds BONJOUR. Sinon, je ne t'écris plus."
    ),
}

PLURALS: dict[str, tuple[str, str]] = {
    "has_experiences": NN_(
        "Tu as déjà {count} expérience. Que veux-tu faire ?",
        "Tu as déjà {count} expériences. Que veux-tu faire ?",
    ),
    "has_trainings": NN_(
        "Tu as déjà {count} formation. Que veux-tu faire ?",
        "Tu as déjà {count} formations. Que veux-tu faire ?",
    ),
    "value_years": NN_("{count} an", "{count} ans"),
    "value_months": NN_("{count} mois", "{count} mois"),
}
