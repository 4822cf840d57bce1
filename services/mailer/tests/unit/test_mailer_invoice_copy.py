"""billing.invoice.issued → a copy of the invoice to each principal who asked for one (issue 8).

One email per distinct address of `copy_to`, in the event's language, with the number, the totals
with both taxes and the link to the invoice's page; a redelivered event sends nothing more.
"""

from __future__ import annotations

import uuid

import pytest

from mailer.domain.model import dedup_key
from mailer.service_layer.commands import SendDueEmails
from plumbing.events.envelope import Envelope, PoisonMessage

PUBLIC = "https://emplois.example.org"


def consume(bundle, envelope) -> None:
    bundle.consumers[0](envelope.to_json(), {})


def stored(bundle):
    with bundle.extras["uow_factory"]() as uow:
        emails = uow.emails.list()
        uow.session.expunge_all()
        return emails


def invoice_issued(clock, **overrides) -> Envelope:
    invoice_id = str(uuid.uuid4())
    data = {
        "invoice_id": invoice_id, "number": "F-2026-000042", "group_id": str(uuid.uuid4()),
        "company_id": str(uuid.uuid4()), "company_name": "Génie Conseil Laval inc.", "group_name": "Groupe Montréal",
        "issued_at": "2026-11-30T15:30:00Z", "status": "paid", "currency": "CAD",
        "subtotal": "2675.00", "discount": "100.00", "gst": "128.75", "qst": "256.86", "total": "2960.61",
        "buyer_email": "julie@genie-conseil.example",
        "copy_to": ["marie@genie-conseil.example", "Paul@genie-conseil.example", "paul@GENIE-conseil.example"],
        "locale": "fr", "url": f"{PUBLIC}/employeur/transactions/{invoice_id}",
    }
    return Envelope.new("billing.invoice.issued", {**data, **overrides}, producer="catalog-billing",
                        occurred_at=clock.now())


def by_recipient(bundle) -> dict:
    return {email.recipient: email for email in stored(bundle)}


def test_each_principal_who_opted_in_receives_a_french_copy(bundle, clock, mailer):
    event = invoice_issued(clock)
    bundle.runtime.schemas.validate(event)  # the producer's strict check: the test event is a valid one
    consume(bundle, event)
    emails = by_recipient(bundle)
    assert set(emails) == {"marie@genie-conseil.example", "Paul@genie-conseil.example"}
    link = event.data["url"]
    for address, email in emails.items():
        assert email.template == "invoice_copy"
        assert email.subject == "Copie de la facture F-2026-000042 · ingemplois"
        assert email.dedup_key == dedup_key(event.id, "invoice_copy", address)
        text = email.text_body.replace("\u00a0", " ")
        # 2675.00 − 100.00 = 2575.00; GST 128.75; QST 256.85625 → 256.86; total 2960.61
        for expected in ("Une facture a été émise pour le groupe « Groupe Montréal » de l’entreprise "
                         "Génie Conseil Laval inc. à la suite d’un achat de julie@genie-conseil.example.",
                         "N° de facture : F-2026-000042", "Date : 30 novembre 2026 à 10 h 30",
                         "Sous-total : 2 675,00 $", "Rabais : −100,00 $", "TPS (5 %) : 128,75 $",
                         "TVQ (9,975 %) : 256,86 $", "Total : 2 960,61 $", "Cette facture est payée."):
            assert expected in text, expected
        assert "Invoice" not in text and "GST" not in text  # one language
        assert [w for w in text.split() if w.startswith("https://")] == [link]
        assert f'href="{link}"' in email.html_body and 'lang="fr"' in email.html_body
        assert "2 960,61 $" in email.html_body.replace("\u00a0", " ")
    consume(bundle, event)  # redelivered: nothing more
    assert len(stored(bundle)) == 2
    bundle.extras["bus"].handle(SendDueEmails())
    assert sorted(m.recipient for m in mailer.sent) == sorted(emails)


def test_the_copy_is_in_english_when_the_event_says_so(bundle, clock):
    consume(bundle, invoice_issued(clock, locale="en", discount="0.00", subtotal="595.00", gst="29.75",
                                   qst="59.35", total="684.10", copy_to=["marie@genie-conseil.example"]))
    [email] = stored(bundle)
    assert email.subject == "Copy of invoice F-2026-000042 · ingemplois"
    text = email.text_body
    for expected in ("An invoice was issued to the group “Groupe Montréal” of Génie Conseil Laval inc. after a "
                     "purchase by julie@genie-conseil.example.", "Invoice no.: F-2026-000042",
                     "Subtotal: $595.00", "GST (5%): $29.75", "QST (9.975%): $59.35", "Total: $684.10",
                     "This invoice is paid."):
        assert expected in text, expected
    assert "Discount" not in text and "Facture" not in text
    assert 'lang="en"' in email.html_body


def test_an_unpaid_invoice_says_by_when(bundle, clock):
    consume(bundle, invoice_issued(clock, status="unpaid", due_on="2026-12-30", copy_to=["m@g.example"]))
    [email] = stored(bundle)
    assert "Cette facture est à payer avant le 30 décembre 2026." in email.text_body
    assert "Cette facture est à payer avant le 30 décembre 2026." in email.html_body


def test_nobody_to_copy_sends_nothing(bundle, clock):
    consume(bundle, invoice_issued(clock, copy_to=[]))
    consume(bundle, invoice_issued(clock, copy_to=["JULIE@genie-conseil.example"]))  # the buyer has the invoice
    assert stored(bundle) == []


def test_names_from_the_event_are_escaped_in_html(bundle, clock):
    consume(bundle, invoice_issued(clock, company_name="<b>Génie</b>", copy_to=["m@g.example"]))
    [email] = stored(bundle)
    assert "<b>Génie</b>" not in email.html_body and "&lt;b&gt;Génie&lt;/b&gt;" in email.html_body
    assert "<b>Génie</b>" in email.text_body


@pytest.mark.parametrize("change", [{"total": "beaucoup"}, {"number": ""}])
def test_an_unreadable_invoice_is_poison(bundle, clock, change):
    from mailer.service_layer import handlers

    with pytest.raises(PoisonMessage):
        handlers.queue_invoice_copy_emails(invoice_issued(clock, **change), None, None)  # type: ignore[arg-type]


def test_the_contract_refuses_an_event_without_its_totals(bundle, clock):
    from plumbing.events.schemas import EventSchemaError

    event = invoice_issued(clock)
    del event.data["gst"]
    with pytest.raises(EventSchemaError):
        bundle.runtime.schemas.validate(event)
