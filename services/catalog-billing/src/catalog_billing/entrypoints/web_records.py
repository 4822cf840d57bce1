"""[staff] The group's records pages: « Mes forfaits », « Historique des transactions », an invoice
and its PDF, and the Responsable principal.e's opt-in to a copy of every invoice of the group.

Every role of the group reads them (view_transactions). The group pages act on the active group
(pages_common); an invoice is shown to the members of its own group only: anyone else, and any
unknown invoice, gets the same 404.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, abort, redirect, request
from werkzeug.wrappers import Response as WerkzeugResponse

from catalog_billing.domain.formatting import format_money
from catalog_billing.domain.staff import whole_number
from catalog_billing.entrypoints import labels_records as labels
from catalog_billing.entrypoints import pages_common as common
from catalog_billing.service_layer import commands as c
from catalog_billing.service_layer import records
from catalog_billing.service_layer.access import Actor
from plumbing.auth.permissions import NotAMember, Permission, allows
from plumbing.web.pages import current_locale

blueprint = Blueprint("billing_records", __name__)

LEDGER_PER_PAGE = 50
INVOICES_PER_PAGE = 20


@blueprint.app_template_filter("cad")
def _cad(amount: Decimal | int | str | None) -> str:
    """A Decimal (or a "123.45" string) as money in the page's language: `1 234,56 $`, `$1,234.56`."""
    if amount is None:
        return ""
    return format_money(Decimal(str(amount)), current_locale())


@blueprint.context_processor
def _context() -> dict[str, Any]:
    return {"labels": labels}


common.NOTICES.update(labels.RECORDS_DONE)


def _actor() -> Actor:
    return common.actor()


def _page_number() -> int:
    return whole_number(request.args.get("page", "1"), 1, 999_999) or 1


def _group() -> dict[str, Any] | WerkzeugResponse:
    """The group named by `?groupe=` (one of the caller's, else 404) or the active one; an employer
    with no group yet goes to the portal (its wizard is where to start)."""
    return common.group_or_portal(request.args.get("groupe") or "")


@blueprint.get("/employeur/forfaits/mes-forfaits")
@common.employer_required
def my_credits() -> Any:
    group = _group()
    if not isinstance(group, dict):
        return group
    found = common.bus().query(records.my_credits, _actor(), group["id"])
    page = records.PageOf([], 1, LEDGER_PER_PAGE, len(found.ledger))
    number = min(_page_number(), page.pages)
    start = (number - 1) * LEDGER_PER_PAGE
    ledger = records.PageOf(found.ledger[start:start + LEDGER_PER_PAGE], number, LEDGER_PER_PAGE, len(found.ledger))
    return common.render_page("billing/records/my_credits.html", group=group, credits=found, ledger=ledger)


@blueprint.get("/employeur/transactions")
@common.employer_required
def history() -> Any:
    group = _group()
    if not isinstance(group, dict):
        return group
    found = common.bus().query(records.invoice_history, _actor(), group["id"], _page_number(), INVOICES_PER_PAGE)
    can_opt_in = allows(group.get("role"), Permission.RECEIVE_INVOICE_COPIES)
    receives = can_opt_in and common.bus().query(records.receives_invoice_copies, group["id"], common.me().account_id)
    return common.render_page("billing/records/history.html", group=group, history=found, can_opt_in=can_opt_in,
                              receives_copies=receives)


@blueprint.get("/employeur/transactions/copie-des-factures")
@common.employer_required
def invoice_copy_form() -> WerkzeugResponse:
    """The opt-in is a form on the history page; a GET here goes back there."""
    return redirect("/employeur/transactions", 303)


@blueprint.post("/employeur/transactions/copie-des-factures")
@common.employer_required
def set_invoice_copy() -> WerkzeugResponse:
    """Only the group's Responsable principal.e (403 for other roles, 404 outside the group)."""
    group = common.requested_group(request.form.get("group_id") or None)
    if group is None:
        abort(404)
    subscribed = request.form.get("copy") == "oui"
    me = common.me()
    common.bus().handle(c.SetInvoiceCopy(group["id"], me.account_id, me.email, subscribed))
    return common.see_other("/employeur/transactions", "copie" if subscribed else "sans-copie")


def _document(invoice_id: str) -> Any:
    try:
        deps = common.bus().deps
        return common.bus().query(records.invoice_document, _actor(), invoice_id, deps.config, deps.catalog,
                                  current_locale())
    except NotAMember:
        abort(404)


@blueprint.get("/employeur/transactions/<invoice_id>")
@common.employer_required
def invoice(invoice_id: str) -> Any:
    document = _document(invoice_id)
    return common.render_page("billing/records/invoice.html", doc=document, invoice_id=invoice_id)


@blueprint.get("/employeur/transactions/<invoice_id>.pdf")
@common.employer_required
def invoice_pdf(invoice_id: str) -> Response:
    from catalog_billing.adapters.invoice_pdf import render_invoice_pdf

    document = _document(invoice_id)
    body = render_invoice_pdf(document, current_locale())
    filename = f"facture-{document.number}.pdf" if current_locale() != "en" else f"invoice-{document.number}.pdf"
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})
