"""catalog-billing's own settings (beyond plumbing.config.Settings), read once at bootstrap."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from plumbing.config import Settings, env, env_int

SERVICE = "catalog-billing"
PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_CATALOG = PACKAGE_DIR / "data" / "catalog.toml"


@dataclass(frozen=True)
class BillingConfig:
    #: Products and prices (CAD, before taxes): a TOML file (data/catalog.toml by default).
    catalog_file: Path = DEFAULT_CATALOG
    #: The OIQ's tax registration numbers, printed on every invoice.
    gst_number: str = "123456789 RT0001"
    qst_number: str = "1234567890 TQ0001"
    #: Days to pay an invoice issued unpaid (companies eligible for invoice payment).
    invoice_terms_days: int = 30
    #: `sandbox` (development, tests) or `stripe`.
    payment_processor: str = "sandbox"
    #: The sandbox processor's address as this service reaches it (server-to-server calls).
    sandbox_url: str = "http://127.0.0.1:8099"
    #: The sandbox's address as a browser reaches it (its card form); defaults to sandbox_url.
    sandbox_public_url: str = ""
    #: Secret key of the processor's API (sandbox: any string; Stripe: sk_…).
    processor_secret_key: str = "sk_sandbox_ingemplois"
    #: Stripe publishable key (pk_…), for its card form.
    processor_publishable_key: str = "pk_sandbox_ingemplois"
    #: Secret that signs the processor's webhooks (Stripe: whsec_…).
    webhook_secret: str = "whsec_sandbox_ingemplois"
    #: Seconds a processor call may take before checkout treats the outcome as unknown.
    processor_timeout: float = 10.0
    #: Public address of the site (links in emails, the processor's return URLs).
    public_url: str = "http://127.0.0.1:8080"

    @classmethod
    def from_env(cls, settings: Settings) -> BillingConfig:
        """`CATALOG_BILLING_CATALOG_FILE`, `…_GST_NUMBER`, `…_QST_NUMBER`, `…_INVOICE_TERMS_DAYS`,
        `…_PAYMENT_PROCESSOR`, `…_SANDBOX_URL`, `…_SANDBOX_PUBLIC_URL`, `…_PROCESSOR_SECRET_KEY`,
        `…_PROCESSOR_PUBLISHABLE_KEY`, `…_WEBHOOK_SECRET`, `…_PROCESSOR_TIMEOUT`."""
        p = "CATALOG_BILLING_"
        defaults = cls()
        sandbox_url = env(p + "SANDBOX_URL", defaults.sandbox_url).rstrip("/")
        return cls(
            catalog_file=Path(env(p + "CATALOG_FILE", str(DEFAULT_CATALOG))),
            gst_number=env(p + "GST_NUMBER", defaults.gst_number),
            qst_number=env(p + "QST_NUMBER", defaults.qst_number),
            invoice_terms_days=env_int(p + "INVOICE_TERMS_DAYS", defaults.invoice_terms_days),
            payment_processor=env(p + "PAYMENT_PROCESSOR", defaults.payment_processor),
            sandbox_url=sandbox_url,
            sandbox_public_url=env(p + "SANDBOX_PUBLIC_URL", sandbox_url).rstrip("/"),
            processor_secret_key=env(p + "PROCESSOR_SECRET_KEY", defaults.processor_secret_key),
            processor_publishable_key=env(p + "PROCESSOR_PUBLISHABLE_KEY", defaults.processor_publishable_key),
            webhook_secret=env(p + "WEBHOOK_SECRET", defaults.webhook_secret),
            processor_timeout=float(env(p + "PROCESSOR_TIMEOUT", str(defaults.processor_timeout))),
            public_url=settings.public_url,
        )
