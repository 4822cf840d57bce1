"""Events catalog-billing consumes, and the tables mapping each type to its handlers. Each event is
read tolerantly: only the fields this service uses.

| event | handler | effect |
|---|---|---|
| portal.membership.* (live, snapshot) | plumbing.auth.memberships | the projection permission checks read |
| offers.api_key.issued / revoked | adapters.repository_api_keys | the API keys credit reservations accept |

Other parts add theirs to `HANDLERS` (`(envelope, uow, deps)`, through the bus).
"""

from __future__ import annotations

from collections.abc import Sequence

from catalog_billing.adapters.repository_api_keys import API_KEY_EVENT_HANDLERS
from plumbing.auth.memberships import MEMBERSHIP_EVENT_HANDLERS
from plumbing.events.consumer import EventHandler
from plumbing.messagebus import Handler

#: Inbound event type → handlers `(envelope, uow, deps)`; bootstrap binds them through the bus.
HANDLERS: dict[str, list[Handler]] = {}

#: plumbing's membership projection (live and snapshot events) and offers' API keys, handlers
#: `(envelope, uow)` as the EventConsumer calls them.
PROJECTION_HANDLERS: dict[str, Sequence[EventHandler]] = {**MEMBERSHIP_EVENT_HANDLERS, **API_KEY_EVENT_HANDLERS}
