"""offers' unit of work on SQLAlchemy: its repositories, the outbox and inbox, one transaction."""

from __future__ import annotations

from offers.adapters.orm import memberships
from offers.adapters.repository import SqlBrandingRepository, SqlOfferRepository
from offers.adapters.repository_api_keys import SqlApiKeyRepository
from offers.adapters.repository_clicks import SqlApplyClickRepository
from offers.adapters.search_sql import SqlOfferSearch
from plumbing.auth.memberships import SqlMembershipLookup
from plumbing.uow import SqlAlchemyUnitOfWork


class SqlOffersUnitOfWork(SqlAlchemyUnitOfWork):
    def _open_repositories(self) -> None:
        self.brandings = SqlBrandingRepository(self.session)
        self.search = SqlOfferSearch(self.session)
        self.offers = SqlOfferRepository(self.session, self.search)
        # [api keys]
        self.api_keys = SqlApiKeyRepository(self.session)
        self.memberships = SqlMembershipLookup(self.session, memberships)
        # [offer page]
        self.apply_clicks = SqlApplyClickRepository(self.session)
