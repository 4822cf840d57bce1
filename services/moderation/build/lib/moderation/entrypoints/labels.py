"""Words the pages show for codes (French msgids, English in translations/)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KINDS = {
    "new_group": _l("Nouveau groupe"),
    "company_creation": _l("Création d'entreprise"),
}

STATUSES = {
    "en_attente": _l("En attente d'approbation"),
    "approuvee": _l("Approuvée"),
    "refusee": _l("Refusée"),
}

ROLES = {
    "principal": _l("Responsable principal·e"),
    "affichage": _l("Responsable de l'affichage"),
    "finances": _l("Responsable des finances"),
}

ACTIONS = {
    "approved": _l("Demande approuvée"),
    "refused": _l("Demande refusée"),
    "closed_by_portal": _l("Demande fermée par le Portail des entreprises"),
    "portal_outcome": _l("Issue signalée par le Portail des entreprises"),
    "company_updated": _l("Renseignements de l'entreprise corrigés"),
    "group_created": _l("Groupe créé"),
    "membership_moved": _l("Utilisateur·trice déplacé·e"),
}

COMPANY_FIELDS = {
    "legal_name": _l("Nom légal de l'entreprise"),
    "neq": _l("NEQ (facultatif)"),
    "address": _l("Adresse du siège social"),
    "city": _l("Ville"),
    "province": _l("Province"),
    "postal_code": _l("Code postal"),
    "country": _l("Pays"),
    "phone": _l("Numéro de téléphone"),
}

ERRORS = {
    "required": _l("Ce champ est obligatoire."),
    "too_long": _l("Ce texte est trop long."),
    "reason_required": _l("Indiquez la raison du refus : la personne qui a fait la demande la recevra."),
    "reason_too_long": _l("La raison ne peut pas dépasser 1000 caractères."),
    "already_decided": _l("Cette demande a déjà été traitée : aucune autre décision n'est possible."),
    "same_group": _l("Choisissez un groupe différent du groupe actuel."),
    "unknown_choice": _l("Choisissez une option de la liste."),
}

DONE = {
    "approuvee": _l("La demande est approuvée. Le Portail des entreprises en est informé."),
    "refusee": _l("La demande est refusée. Le Portail des entreprises en est informé."),
    "entreprise": _l("Les renseignements de l'entreprise sont enregistrés."),
    "groupe": _l("Le groupe est créé."),
    "deplacement": _l("L'utilisateur·trice a été déplacé·e."),
}

PORTAL_DOWN = _l(
    "Le Portail des entreprises ne répond pas pour le moment. Réessayez dans quelques instants. "
    "Si vous veniez d'enregistrer une modification, vérifiez la fiche avant de recommencer."
)
PORTAL_NOT_FOUND = _l("Cette entreprise est introuvable dans le Portail des entreprises.")
PORTAL_REJECTED = _l("Le Portail des entreprises a refusé l'opération.")
PORTAL_FORBIDDEN = _l("Le Portail des entreprises refuse l'accès : reconnectez-vous puis réessayez.")
FORM_REUSED = _l("Ce formulaire a déjà servi à une autre opération : rechargez la page puis recommencez.")

MATCH_REASONS = {
    "target": _l("Entreprise visée par la demande"),
    "neq": _l("Même NEQ"),
    "name": _l("Même nom"),
    "similar_name": _l("Nom semblable"),
    "email_domain": _l("Même domaine de courriel"),
}
MATCHES_DOWN = _l("Le Portail des entreprises ne peut pas dire pour le moment quelles entreprises correspondent à "
                  "cette demande. Rechargez la page avant de décider.")
