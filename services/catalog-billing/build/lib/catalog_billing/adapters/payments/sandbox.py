"""The sandbox processor's adapter (catalog_billing.devtools.payment_sandbox, its own process).

The sandbox speaks Stripe's wire format, so this is the Stripe adapter with the sandbox's
address and card form; only the card form differs: the sandbox serves one (Stripe does not).
"""

from __future__ import annotations

from urllib.parse import urlencode

from catalog_billing.adapters.payments.stripe import StripeProcessor
from catalog_billing.config import BillingConfig


class SandboxProcessor(StripeProcessor):
    name = "sandbox"

    def api_base(self, config: BillingConfig) -> str:
        return config.sandbox_url

    def card_form_url(self, *, return_url: str, state: str, locale: str) -> str:
        query = urlencode({"return_url": return_url, "state": state, "locale": locale,
                           "key": self.config.processor_publishable_key})
        public = self.config.sandbox_public_url or self.config.sandbox_url
        return f"{public}/card?{query}"
