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

# Offers (services/offers/DESIGN.md) -----------------------------------------------------------------
OFFER_STATUSES = {
    "draft": _l("En brouillon"),
    "in_validation": _l("En validation"),
    "to_revise": _l("À réviser"),
    "scheduled": _l("Bientôt publiée"),
    "published": _l("En cours"),
    "expired": _l("Expirée"),
    "archived": _l("Archivée"),
}
OFFER_STATUS_COLOURS = {
    "draft": "neutral", "in_validation": "info", "to_revise": "warning", "scheduled": "info",
    "published": "success", "expired": "neutral", "archived": "neutral",
}

PROFILES = {
    "ing": _l("Ingénieur·e"),
    "cpi": _l("CPI"),
}

OFFER_FIELDS = {
    "title_fr": _l("Titre du poste (français)"),
    "title_en": _l("Titre du poste (anglais)"),
    "description_fr": _l("Description (français)"),
    "description_en": _l("Description (anglais)"),
    "function_type": _l("Type de fonction"),
    "engineering_domains": _l("Domaines de génie"),
    "employment_type": _l("Type d'emploi"),
    "position_status": _l("Statut du poste"),
    "work_formula": _l("Formule de travail"),
    "application_deadline": _l("Date limite pour postuler"),
    "salary": _l("Salaire"),
    "reference_number": _l("Numéro de référence"),
    "years_on_roll": _l("Années au Tableau de l'Ordre"),
    "workplace": _l("Lieu de travail"),
    "interests": _l("Centres d'intérêt"),
}

OFFER_ACTIONS = {
    "create": _l("Création"),
    "save": _l("Enregistrement"),
    "submit": _l("Envoi en validation"),
    "modify": _l("Modification d'une offre en cours"),
    "cancel": _l("Annulation"),
    "approve": _l("Approbation"),
    "approve_with_changes": _l("Approbation avec modifications"),
    "return_for_revision": _l("Retour pour révision"),
    "withdraw": _l("Retrait (non conforme)"),
    "end_publication": _l("Fin de la publication"),
    "extend": _l("Prolongation"),
    "feature": _l("Mise en vedette"),
    "duplicate": _l("Duplication"),
    "archive": _l("Archivage"),
    "move_application_deadline": _l("Date limite déplacée"),
    "publish_due": _l("Publication à la date choisie"),
    "expire_due": _l("Expiration"),
}

ACTOR_KINDS = {
    "employer": _l("Employeur"),
    "staff": _l("Personnel de l'Ordre"),
    "api_key": _l("Système RH (clé d'API)"),
    "system": _l("Système"),
}

OFFER_ERRORS = {
    "comment_required": _l("Indiquez ce que l'employeur doit réviser : il recevra ce commentaire."),
    "reason_required": _l("Indiquez la raison du retrait : l'employeur la recevra."),
    "text_too_long": _l("Ce texte ne peut pas dépasser 5000 caractères."),
    "date_required": _l("Indiquez une date."),
    "date_invalid": _l("Indiquez une date valide (AAAA-MM-JJ)."),
    "date_past": _l("La date doit être aujourd'hui ou plus tard."),
    "domains_count": _l("Choisissez de 1 à 5 domaines de génie."),
    "no_changes": _l("Vous n'avez rien modifié : utilisez « Approuver » pour approuver l'offre telle quelle."),
    "offer_id": _l("Collez l'identifiant d'une offre ou un lien vers elle."),
}

OFFER_DONE = {
    "approuvee": _l("L'offre est approuvée."),
    "modifiee": _l("L'offre est approuvée avec vos modifications."),
    "retournee": _l("L'offre est retournée à l'employeur pour révision."),
    "retiree": _l("L'offre est retirée. Aucun crédit n'est remboursé."),
    "date": _l("La date limite pour postuler est déplacée."),
}

OFFERS_DOWN = _l(
    "Le service des offres ne répond pas pour le moment. Réessayez dans quelques instants. "
    "Si vous veniez de prendre une décision, rechargez la page pour vérifier l'état de l'offre avant de recommencer."
)
OFFERS_REJECTED = _l("Le service des offres a refusé l'opération.")
OFFERS_FORBIDDEN = _l("Le service des offres refuse l'accès : reconnectez-vous puis réessayez.")
OFFERS_CONFLICT = _l("L'offre a changé depuis l'affichage de cette page : rechargez-la puis recommencez.")
OFFERS_REFERENCE_DOWN = _l(
    "Les listes de choix ne sont pas disponibles pour le moment : les codes sont affichés tels quels."
)
