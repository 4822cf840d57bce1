"""Payment processor adapters; `build_processor` picks one from the configuration."""

from __future__ import annotations

from catalog_billing.config import BillingConfig
from catalog_billing.service_layer.payments import PaymentProcessor


def build_processor(config: BillingConfig) -> PaymentProcessor:
    """`stripe` or `sandbox` (CATALOG_BILLING_PAYMENT_PROCESSOR); anything else is a startup error."""
    if config.payment_processor == "stripe":
        from catalog_billing.adapters.payments.stripe import StripeProcessor

        return StripeProcessor(config)
    if config.payment_processor == "sandbox":
        from catalog_billing.adapters.payments.sandbox import SandboxProcessor

        return SandboxProcessor(config)
    raise ValueError(f"CATALOG_BILLING_PAYMENT_PROCESSOR={config.payment_processor!r}: expected sandbox or stripe")
