"""The invoice PDF: its text (read back with pypdf) has the number, the totals, both taxes and the OIQ's
tax numbers, in French and in English."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from catalog_billing.adapters.invoice_pdf import render_invoice_pdf
from catalog_billing.config import DEFAULT_CATALOG
from catalog_billing.domain.catalog import load_catalog
from catalog_billing.domain.invoice import InvoiceDocument, oiq_seller
from catalog_billing.domain.pricing import PricedLineInput, price_cart
from catalog_billing.domain.promo import PromoCode

D = Decimal
CATALOG = load_catalog(DEFAULT_CATALOG)


def document(**overrides) -> InvoiceDocument:
    promo = PromoCode(code="BIENVENUE", kind="amount", value=D("100.00"), product_codes=frozenset({"ing-5"}))
    quote = price_cart([
        PricedLineInput("ing-5", 1, D("2675.00"), "Forfait ing. – 5 offres d’emploi"),
        PricedLineInput("vedette", 2, D("150.00"), "Offre d’emploi en vedette"),
        PricedLineInput("envoi-regions", 1, D("574.00"), "Offre « Ingénieur·e civil·e » · 137 personnes"),
    ], promo)
    fields = dict(
        number="F-2026-000042",
        issued_at=datetime(2026, 11, 30, 15, 30, tzinfo=UTC),
        status="paid",
        seller=oiq_seller("123456789 RT0001", "1234567890 TQ0001"),
        company_name="Génie Conseil Laval inc.",
        group_name="Groupe Montréal",
        billing_address=("À l’attention de Marie Tremblay", "1200, boulevard René-Lévesque Ouest",
                         "Montréal (Québec)  H3B 4W8"),
        quote=quote,
        purchase_order="BC-7781",
        note="Projet pont Champlain — poste de chargé·e de projets",
        paid_at=datetime(2026, 11, 30, 15, 30, tzinfo=UTC),
        card_brand="Visa",
        card_last4="4242",
        promo_label=promo.label("fr"),
        buyer_name="Marie Tremblay",
        buyer_email="marie@genie-conseil.example",
        product_names={p.code: p.names for p in CATALOG},
    )
    return InvoiceDocument(**{**fields, **overrides})


def text_of(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # reportlab writes "•" as code 0x7F, which WinAnsiEncoding prints as a bullet (PDF 1.7, annex D,
    # note 3: unused codes above 40 octal are bullets); pypdf leaves the code as it is.
    text = text.replace("\x7f", "•")
    return " ".join(text.replace("\u00a0", " ").split())  # one kind of space, one at a time


def test_the_totals_of_the_document_are_its_quote() -> None:
    doc = document()
    # ing-5 2675.00 − 100.00 = 2575.00: GST 128.75, QST 256.85625 → 256.86
    # vedette ×2 300.00: GST 15.00, QST 29.925 → 29.93; envoi 574.00: GST 28.70, QST 57.2565 → 57.26
    assert (doc.subtotal, doc.discount, doc.net, doc.gst, doc.qst, doc.total) == (
        D("3549.00"), D("100.00"), D("3449.00"), D("172.45"), D("344.05"), D("3965.50"))


def test_the_french_invoice() -> None:
    text = text_of(render_invoice_pdf(document(), "fr"))
    for expected in ("FACTURE", "F-2026-000042", "30 novembre 2026", "Payée",
                     "Ordre des ingénieurs du Québec", "N° de TPS : 123456789 RT0001", "N° de TVQ : 1234567890 TQ0001",
                     "Génie Conseil Laval inc.", "Groupe : Groupe Montréal", "1200, boulevard René-Lévesque Ouest",
                     "Bon de commande : BC-7781", "Projet pont Champlain", "Visa •••• 4242",
                     "Forfait ing. – 5 offres d’emploi", "Offre d’emploi en vedette",
                     "Envoi personnalisé dans la ou les région(s)", "137 personnes",
                     "Sous-total 3 549,00 $", "Rabais – BIENVENUE (−100,00 $) -100,00 $",
                     "Montant avant taxes 3 449,00 $", "TPS (5 %) 172,45 $", "TVQ (9,975 %) 344,05 $",
                     "Total (CAD) 3 965,50 $", "Payée le 30 novembre 2026 par Visa •••• 4242."):
        assert expected in text, expected


def test_the_english_invoice() -> None:
    doc = document(promo_label=None)
    text = text_of(render_invoice_pdf(doc, "en"))
    for expected in ("INVOICE", "Invoice no. F-2026-000042", "November 30, 2026", "Paid",
                     "GST no.: 123456789 RT0001", "QST no.: 1234567890 TQ0001", "Group: Groupe Montréal",
                     "Purchase order: BC-7781", "Eng. package – 5 job offers", "Featured job offer",
                     "Subtotal $3,549.00", "Discount – BIENVENUE -$100.00", "GST (5%) $172.45",
                     "QST (9.975%) $344.05", "Total (CAD) $3,965.50", "Paid on November 30, 2026 by Visa •••• 4242."):
        assert expected in text, expected
    assert "TVQ" not in text and "Sous-total" not in text


def test_an_unpaid_invoice_says_when_it_is_due() -> None:
    doc = document(status="unpaid", due_on=date(2026, 12, 30), paid_at=None, card_brand=None, card_last4=None,
                   purchase_order=None, note=None)
    french = text_of(render_invoice_pdf(doc, "fr"))
    assert "À payer avant le 30 décembre 2026" in french
    assert "Paiement sur facture" in french
    assert "Montant à payer avant le 30 décembre 2026 : 3 965,50 $." in french
    assert "Bon de commande" not in french and "Note" not in french
    english = text_of(render_invoice_pdf(doc, "en"))
    assert "Due by December 30, 2026" in english and "Payment on invoice" in english
    assert "Amount due by December 30, 2026: $3,965.50." in english


def test_an_invoice_without_promo_has_no_discount_line() -> None:
    quote = price_cart([PricedLineInput("ing-1", 1, D("595.00"), "Forfait ing. – 1 offre d’emploi")], None)
    text = text_of(render_invoice_pdf(document(quote=quote, promo_label=None), "fr"))
    assert "Rabais" not in text and "Montant avant taxes" not in text
    # 595.00: GST 29.75, QST 59.35125 → 59.35, total 684.10
    assert "TPS (5 %) 29,75 $" in text and "TVQ (9,975 %) 59,35 $" in text and "Total (CAD) 684,10 $" in text


def test_text_from_the_buyer_is_printed_as_text() -> None:
    text = text_of(render_invoice_pdf(document(note="<b>gras</b> & <i>co</i>", company_name="A & B <inc>"),
                                      "fr"))
    assert "<b>gras</b> & <i>co</i>" in text and "A & B <inc>" in text


def test_a_long_invoice_runs_over_pages_with_the_number_on_each() -> None:
    lines = [PricedLineInput("extension", 1, D("200.00"), f"Offre {i}") for i in range(60)]
    pdf = render_invoice_pdf(document(quote=price_cart(lines, None), product_names={}), "fr")
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) > 1
    assert all("Facture F-2026-000042 · page" in page.extract_text() for page in reader.pages)
    # 60 × 200.00 = 12 000.00; GST 60 × 10.00 = 600.00; QST 60 × 19.95 = 1 197.00; total 13 797.00
    assert "Total (CAD) 13 797,00 $" in text_of(pdf)


def test_the_same_invoice_gives_the_same_bytes() -> None:
    assert render_invoice_pdf(document(), "fr") == render_invoice_pdf(document(), "fr")


@pytest.mark.parametrize("status", ["draft", ""])
def test_an_invoice_has_a_known_status(status: str) -> None:
    with pytest.raises(ValueError):
        document(status=status)
