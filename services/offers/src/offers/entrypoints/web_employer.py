"""The employer's offer pages (services/offers/DESIGN.md, "Pages") and the public offer page, on one
blueprint; each part lives in its own module:

- web_employer_lists: /employeur/ (tableau de bord), /employeur/offres (mes offres);
- web_employer_wizard: nouvelle → details → configuration → apercu → envoi;
- web_employer_actions: historique, optimiser, the one-click actions;
- web_employer_offer_page: the offer page shared by the preview and /emplois/<offer_id>;
- web_application: applying by email, /emplois/<offer_id>/candidature.
"""

from __future__ import annotations

from offers.entrypoints import (  # noqa: F401 - importing registers the routes
    web_application,
    web_employer_actions,
    web_employer_lists,
    web_employer_offer_page,
    web_employer_wizard,
    web_offer_apply,
)
from offers.entrypoints.web_employer_common import blueprint

__all__ = ["blueprint"]
