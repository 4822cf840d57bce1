"""What OIQ staff decide about billing, and the records employers read: plain values, no storage.

- `CompanyTerms`: whether a company may pay on invoice (no card; the invoice is issued unpaid with
  terms), with who decided and when.
- `CompanyRef`, `GroupRef`: companies and groups as this service knows them (its membership
  projection carries their names).
- `LedgerLine`: one credit movement as "Mes forfaits" shows it, with the running balance of its
  credit type.
- `promo_from_form`: a staff member's promo-code form → a `PromoCode` (pricing's rules) or the
  field errors, in codes the pages translate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from catalog_billing.domain.ledger import CreditEntry
from catalog_billing.domain.promo import CODE_MAX_LENGTH, KINDS, PromoCode, normalize_code


@dataclass(frozen=True)
class CompanyTerms:
    company_id: str
    invoice_payment_eligible: bool
    updated_by_account_id: str
    updated_by_email: str
    updated_at: datetime


@dataclass(frozen=True)
class CompanyRef:
    id: str
    name: str


@dataclass(frozen=True)
class GroupRef:
    id: str
    name: str
    company_id: str
    company_name: str = ""


@dataclass(frozen=True)
class InvoiceRow:
    """One line of « Historique des transactions »."""

    id: str
    number: str
    issued_at: datetime
    buyer: str
    total: Decimal
    status: str
    due_on: date | None = None


@dataclass(frozen=True)
class LedgerLine:
    """A ledger entry and the balance of its credit type right after it."""

    entry: CreditEntry
    balance_after: int
    #: The invoice's number for a purchase (or refund) entry, when known.
    invoice_number: str | None = None
    #: The other group's name for a transfer, when known.
    counterpart_name: str | None = None


def running_balances(entries: Iterable[CreditEntry], *, invoice_numbers: Mapping[str, str] | None = None,
                     group_names: Mapping[str, str] | None = None) -> list[LedgerLine]:
    """Newest first, each with the balance of its type after it (entries may come in any order;
    the oldest first are summed, ties broken by id so the order is stable)."""
    invoice_numbers = invoice_numbers or {}
    group_names = group_names or {}
    ordered = sorted(entries, key=lambda e: (e.created_at, e.id))
    totals: dict[str, int] = {}
    lines: list[LedgerLine] = []
    for entry in ordered:
        totals[entry.credit_type] = totals.get(entry.credit_type, 0) + entry.delta
        lines.append(LedgerLine(
            entry, totals[entry.credit_type],
            invoice_number=invoice_numbers.get(entry.invoice_id) if entry.invoice_id else None,
            counterpart_name=group_names.get(entry.counterpart_group_id) if entry.counterpart_group_id else None))
    lines.reverse()
    return lines


# Promo codes created by staff ----------------------------------------------------------------

PROMO_FIELDS = ("code", "kind", "value", "starts_on", "ends_on", "max_uses")
MAX_PROMO_USES = 1_000_000
#: Dollars (an amount) or percent: a bound far above any real promo, so no number overflows.
MAX_PROMO_VALUE = Decimal("100000")


def whole_number(text: str, low: int, high: int) -> int | None:
    """The ASCII whole number `text` if it is between low and high, else None (never raises)."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > len(str(high)):
        return None
    number = int(text)
    return number if low <= number <= high else None


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def promo_from_form(form: Mapping[str, str], product_codes: Sequence[str],
                    known_products: Iterable[str]) -> tuple[PromoCode | None, dict[str, str]]:
    """The promo code the form describes, or None and {field: error code}.

    Error codes: required, code_format, unknown_choice, value_format, percent_too_high, date_format,
    dates_order, uses_format, unknown_product.
    """
    errors: dict[str, str] = {}
    code = normalize_code(form.get("code", ""))
    if not code:
        errors["code"] = "required"
    elif len(code) > CODE_MAX_LENGTH or not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in code):
        errors["code"] = "code_format"
    kind = form.get("kind", "")
    if kind not in KINDS:
        errors["kind"] = "required" if not kind else "unknown_choice"
    value: Decimal | None = None
    raw_value = form.get("value", "").strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")
    raw_value = raw_value.rstrip("%$").strip()
    if not raw_value:
        errors["value"] = "required"
    else:
        try:
            value = Decimal(raw_value)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or not 0 < value <= MAX_PROMO_VALUE \
                or value != value.quantize(Decimal("0.01")):
            errors["value"] = "value_format"
        elif kind == "percent" and value > 100:
            errors["value"] = "percent_too_high"
    dates: dict[str, date | None] = {}
    for name in ("starts_on", "ends_on"):
        try:
            dates[name] = _date(form.get(name, "").strip())
        except ValueError:
            errors[name] = "date_format"
    if not errors.get("starts_on") and not errors.get("ends_on") and dates.get("starts_on") and dates.get("ends_on") \
            and dates["ends_on"] < dates["starts_on"]:  # type: ignore[operator]
        errors["ends_on"] = "dates_order"
    max_uses: int | None = None
    raw_uses = form.get("max_uses", "").strip()
    if raw_uses:
        max_uses = whole_number(raw_uses, 1, MAX_PROMO_USES)
        if max_uses is None:
            errors["max_uses"] = "uses_format"
    known = set(known_products)
    if any(p not in known for p in product_codes):
        errors["product_codes"] = "unknown_product"
    if errors:
        return None, errors
    assert value is not None
    return PromoCode(code=code, kind=kind, value=value, starts_on=dates.get("starts_on"),
                     ends_on=dates.get("ends_on"), max_uses=max_uses, uses=0,
                     product_codes=frozenset(product_codes)), {}
