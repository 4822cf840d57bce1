"""An invoice as a PDF (reportlab): `render_invoice_pdf(doc, locale) -> bytes`, French or English.

One Letter page for a usual invoice (more pages for a long one, the lines table's header repeated):
the OIQ as seller with its GST and QST numbers, the invoice's number, date and status, the buyer
(company, group, billing address, purchase order), the lines, the promo discount, subtotal, GST,
QST and total, and how it was paid. Standard PDF fonts (Helvetica) with WinAnsi encoding, which
covers French; the output is reproducible (`invariant`): the same document gives the same bytes.
"""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from catalog_billing.domain.formatting import format_date, format_money
from catalog_billing.domain.invoice import InvoiceDocument

BRAND = colors.HexColor("#00467f")
INK = colors.HexColor("#1f2937")
MUTED = colors.HexColor("#4b5563")
RULE = colors.HexColor("#d1d5db")
BAND = colors.HexColor("#f3f4f6")

# label → (French, English)
WORDS: dict[str, tuple[str, str]] = {
    "invoice": ("FACTURE", "INVOICE"),
    "number": ("N° de facture", "Invoice no."),
    "date": ("Date", "Date"),
    "status": ("Statut", "Status"),
    "billed_to": ("Facturé à", "Billed to"),
    "group": ("Groupe", "Group"),
    "details": ("Renseignements", "Details"),
    "po": ("Bon de commande", "Purchase order"),
    "buyer": ("Acheté par", "Bought by"),
    "payment": ("Paiement", "Payment"),
    "note": ("Note", "Note"),
    "description": ("Description", "Description"),
    "quantity": ("Qté", "Qty"),
    "unit_price": ("Prix unitaire", "Unit price"),
    "amount": ("Montant", "Amount"),
    "subtotal": ("Sous-total", "Subtotal"),
    "discount": ("Rabais", "Discount"),
    "net": ("Montant avant taxes", "Amount before taxes"),
    "gst": ("TPS (5 %)", "GST (5%)"),
    "qst": ("TVQ (9,975 %)", "QST (9.975%)"),
    "total": ("Total", "Total"),
    "gst_number": ("N° de TPS", "GST no."),
    "qst_number": ("N° de TVQ", "QST no."),
    "paid_on": ("Payée le {date} par {method}.", "Paid on {date} by {method}."),
    "paid": ("Payée par {method}.", "Paid by {method}."),
    "due": ("Montant à payer avant le {date} : {total}.", "Amount due by {date}: {total}."),
    "unpaid": ("Montant à payer : {total}.", "Amount due: {total}."),
    "currency": ("Montants en dollars canadiens ({currency}).", "Amounts in Canadian dollars ({currency})."),
    "thanks": ("Merci d’avoir choisi ingemplois, le site d’emploi de l’Ordre des ingénieurs du Québec.",
               "Thank you for choosing ingemplois, the job site of the Ordre des ingénieurs du Québec."),
    "page": ("Facture {number} · page {page}", "Invoice {number} · page {page}"),
}


def _english(locale: str) -> bool:
    return (locale or "").lower().startswith("en")


class _Words:
    def __init__(self, locale: str) -> None:
        self.index = 1 if _english(locale) else 0
        #: French puts a space before a colon; English does not.
        self.colon = ": " if self.index else "\u00a0: "

    def __call__(self, key: str, **values: str) -> str:
        text = WORDS[key][self.index]
        return text.format(**values) if values else text


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName="Helvetica", fontSize=9.5, leading=12.5, textColor=INK)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11, textColor=MUTED),
        "label": ParagraphStyle("label", parent=base, fontName="Helvetica-Bold", fontSize=8, leading=10,
                                textColor=MUTED),
        "seller": ParagraphStyle("seller", parent=base, fontName="Helvetica-Bold", fontSize=11, leading=14),
        "brand": ParagraphStyle("brand", parent=base, fontName="Helvetica-Bold", fontSize=18, leading=22,
                                textColor=BRAND),
        "title": ParagraphStyle("title", parent=base, fontName="Helvetica-Bold", fontSize=20, leading=24,
                                textColor=BRAND, alignment=TA_RIGHT),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "right_bold": ParagraphStyle("right_bold", parent=base, alignment=TA_RIGHT, fontName="Helvetica-Bold"),
        "bold": ParagraphStyle("bold", parent=base, fontName="Helvetica-Bold"),
        "total": ParagraphStyle("total", parent=base, fontName="Helvetica-Bold", fontSize=11.5, leading=15),
        "total_right": ParagraphStyle("total_right", parent=base, fontName="Helvetica-Bold", fontSize=11.5,
                                      leading=15, alignment=TA_RIGHT),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _lines(texts: list[str], style: ParagraphStyle) -> Paragraph:
    return Paragraph("<br/>".join(escape(t) for t in texts if t), style)


def _header(doc: InvoiceDocument, w: _Words, st: dict[str, ParagraphStyle], locale: str, width: float) -> Table:
    seller = doc.seller
    seller_lines = [*seller.address, seller.website, seller.email]
    left = [_p("ingemplois", st["brand"]), _p(seller.name, st["seller"]), _lines(seller_lines, st["small"]),
            Spacer(1, 4),
            _lines([f"{w('gst_number')}{w.colon}{seller.gst_number}",
                    f"{w('qst_number')}{w.colon}{seller.qst_number}"], st["small"])]
    facts = Table(
        [[_p(w("number"), st["label"]), _p(doc.number, st["right_bold"])],
         [_p(w("date"), st["label"]), _p(format_date(doc.issued_at, locale), st["right"])],
         [_p(w("status"), st["label"]), _p(doc.status_label(locale), st["right_bold"])]],
        colWidths=[1.2 * inch, 1.9 * inch],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                          ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 2),
                          ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]),
    )
    right = [_p(w("invoice"), st["title"]), Spacer(1, 8), facts]
    return Table([[left, right]], colWidths=[width - 3.2 * inch, 3.2 * inch],
                 style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))


def _parties(doc: InvoiceDocument, w: _Words, st: dict[str, ParagraphStyle], locale: str, width: float) -> Table:
    colon = w.colon
    billed = [_p(w("billed_to"), st["label"]), Spacer(1, 3), _p(doc.company_name, st["bold"]),
              _p(f"{w('group')}{colon}{doc.group_name}", st["base"]), _lines(list(doc.billing_address), st["base"])]
    facts = []
    if doc.purchase_order:
        facts.append(f"{w('po')}{colon}{doc.purchase_order}")
    if doc.buyer_name or doc.buyer_email:
        who = doc.buyer_name or ""
        if doc.buyer_email:
            who = f"{who} ({doc.buyer_email})" if who else doc.buyer_email
        facts.append(f"{w('buyer')}{colon}{who}")
    facts.append(f"{w('payment')}{colon}{doc.payment_label(locale)}")
    details = [_p(w("details"), st["label"]), Spacer(1, 3), _lines(facts, st["base"])]
    half = width / 2
    return Table([[billed, details]], colWidths=[half, half],
                 style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BACKGROUND", (0, 0), (-1, -1), BAND),
                                   ("BOX", (0, 0), (-1, -1), 0.5, RULE), ("LINEAFTER", (0, 0), (0, 0), 0.5, RULE),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 10), ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                                   ("TOPPADDING", (0, 0), (-1, -1), 8), ("BOTTOMPADDING", (0, 0), (-1, -1), 10)]))


def _line_table(doc: InvoiceDocument, w: _Words, st: dict[str, ParagraphStyle], locale: str,
                width: float) -> Table:
    head = [_p(w("description"), st["label"]), _p(w("quantity"), st["label"]),
            _p(w("unit_price"), st["label"]), _p(w("amount"), st["label"])]
    rows = [head]
    for line in doc.lines:
        description = [_p(doc.line_title(line, locale), st["bold"])]
        detail = doc.line_detail(line)
        if detail:
            description.append(_p(detail, st["small"]))
        rows.append([description, _p(str(line.quantity), st["right"]),
                     _p(format_money(line.unit_price, locale), st["right"]),
                     _p(format_money(line.gross, locale), st["right"])])
    numbers = 0.6 * inch, 1.25 * inch, 1.25 * inch
    table = Table(rows, colWidths=[width - sum(numbers), *numbers], repeatRows=1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 1, BRAND),
        ("LINEBELOW", (0, 1), (-1, -1), 0.5, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))
    # The header labels of the number columns align right like their numbers.
    for column in (1, 2, 3):
        rows[0][column].style = ParagraphStyle(f"label_right_{column}", parent=st["label"], alignment=TA_RIGHT)
    return table


def _totals(doc: InvoiceDocument, w: _Words, st: dict[str, ParagraphStyle], locale: str, width: float) -> Table:
    rows = [[_p(w("subtotal"), st["base"]), _p(format_money(doc.subtotal, locale), st["right"])]]
    if doc.discount:
        label = w("discount")
        promo = doc.promo_label or doc.promo_code
        if promo:
            label = f"{label} – {promo}"
        rows.append([_p(label, st["base"]), _p(format_money(-doc.discount, locale), st["right"])])
        rows.append([_p(w("net"), st["base"]), _p(format_money(doc.net, locale), st["right"])])
    rows.append([_p(w("gst"), st["base"]), _p(format_money(doc.gst, locale), st["right"])])
    rows.append([_p(w("qst"), st["base"]), _p(format_money(doc.qst, locale), st["right"])])
    rows.append([_p(f"{w('total')} ({doc.currency})", st["total"]),
                 _p(format_money(doc.total, locale), st["total_right"])])
    block = 3.6 * inch
    inner = Table(rows, colWidths=[block - 1.3 * inch, 1.3 * inch])
    inner.setStyle(TableStyle([
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LINEABOVE", (0, -1), (-1, -1), 1, BRAND), ("TOPPADDING", (0, -1), (-1, -1), 6),
    ]))
    return Table([["", inner]], colWidths=[width - block, block],
                 style=TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))


def _payment_sentence(doc: InvoiceDocument, w: _Words, locale: str) -> str:
    total = format_money(doc.total, locale)
    if doc.status == "paid":
        if doc.paid_at is not None:
            return w("paid_on", date=format_date(doc.paid_at, locale), method=doc.payment_label(locale))
        return w("paid", method=doc.payment_label(locale))
    if doc.due_on is not None:
        return w("due", date=format_date(doc.due_on, locale), total=total)
    return w("unpaid", total=total)


def render_invoice_pdf(doc: InvoiceDocument, locale: str) -> bytes:
    """The invoice as PDF bytes, in French (`fr…`) or English (`en…`)."""
    w = _Words(locale)
    st = _styles()
    buffer = BytesIO()
    margin = 0.7 * inch
    title = f"{w('invoice').capitalize()} {doc.number}"
    pdf = SimpleDocTemplate(buffer, pagesize=LETTER, leftMargin=margin, rightMargin=margin, topMargin=margin,
                            bottomMargin=margin, title=title, author=doc.seller.name, subject=title,
                            creator="ingemplois", lang="en-CA" if w.index else "fr-CA", invariant=1)
    width = LETTER[0] - 2 * margin
    story = [_header(doc, w, st, locale, width), Spacer(1, 16), _parties(doc, w, st, locale, width), Spacer(1, 14)]
    if doc.note:
        story += [_p(w("note"), st["label"]), Spacer(1, 2), _p(doc.note, st["base"]), Spacer(1, 12)]
    story += [_line_table(doc, w, st, locale, width), Spacer(1, 10),
              KeepTogether([_totals(doc, w, st, locale, width), Spacer(1, 14),
                            _p(_payment_sentence(doc, w, locale), st["bold"]), Spacer(1, 4),
                            _p(w("currency", currency=doc.currency), st["small"]), Spacer(1, 14),
                            _p(w("thanks"), st["small"])])]

    def footer(canvas, _doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(margin, 0.45 * inch,
                          f"{doc.seller.name} · {w('gst_number')} {doc.seller.gst_number} · "
                          f"{w('qst_number')} {doc.seller.qst_number}")
        canvas.drawRightString(LETTER[0] - margin, 0.45 * inch,
                               w("page", number=doc.number, page=str(canvas.getPageNumber())))
        canvas.restoreState()

    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
