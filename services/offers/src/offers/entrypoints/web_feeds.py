"""The job site's feeds: `/emplois/flux.atom` (Atom 1.0, RFC 4287) of the newest online offers of a
search (the list's query string), and `/sitemap.xml` of every online offer page.

Both are built with ElementTree (escaping is its job; the namespace is written as a plain `xmlns`
attribute, so the elements keep their short names), with absolute URLs on the public address
(`PUBLIC_URL`), and are shareable like the pages (the gateway's micro-cache may reuse them).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from flask import Response, current_app, request
from flask_babel import gettext as _

from offers.domain.offer import quebec_day
from offers.domain.search import SearchHit
from offers.entrypoints import web_employer_common as common
from offers.entrypoints.web import PUBLIC_PAGE_SECONDS, blueprint, hit_view, query_from_request
from offers.service_layer import views
from plumbing.web.pages import current_locale, date_long, shareable

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: Entries of a feed: the newest online offers of the search.
FEED_SIZE = 50
#: URLs of one sitemap file (the sitemaps protocol's limit), read by keyset pages of SITEMAP_PAGE ids.
SITEMAP_CAP = 50_000
SITEMAP_PAGE = 1000
#: Characters XML 1.0 does not allow (a control character pasted in a title must not break a feed).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def public_url() -> str:
    """The site's public address (`PUBLIC_URL`, set by bootstrap), else the request's host."""
    return str(current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _entry_id(offer_id: str, base: str) -> str:
    """A permanent id: the offer's UUID as a URN (the public address may change), else its URL."""
    try:
        return uuid.UUID(offer_id).urn
    except ValueError:
        return f"{base}/emplois/{offer_id}"


def _summary(hit: SearchHit) -> str:
    shown = hit_view(hit)
    parts = [shown.company, shown.place, shown.profile, shown.employment_type, shown.work_formula]
    summary = " · ".join(p for p in parts if p)
    if shown.deadline:
        summary += " · " + _("Postuler avant le %(date)s", date=date_long(shown.deadline))
    return summary


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = _text(text)
    return element


def atom_feed(
    hits: tuple[SearchHit, ...], *, base: str, self_url: str, html_url: str, title: str, now: datetime
) -> bytes:
    feed = ET.Element("feed", {"xmlns": ATOM, "{http://www.w3.org/XML/1998/namespace}lang": current_locale()})
    _sub(feed, "id", self_url)
    _sub(feed, "title", title)
    _sub(feed, "updated", _stamp(max((h.published_at for h in hits), default=now)))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=html_url)
    _sub(_sub(feed, "author"), "name", _("Ordre des ingénieurs du Québec"))
    for hit in hits:
        shown = hit_view(hit)
        entry = _sub(feed, "entry")
        _sub(entry, "id", _entry_id(hit.offer_id, base))
        _sub(entry, "title", shown.title)
        _sub(entry, "link", rel="alternate", type="text/html", href=f"{base}{shown.url}")
        _sub(entry, "updated", _stamp(hit.published_at))
        _sub(entry, "published", _stamp(hit.published_at))
        _sub(entry, "summary", _summary(hit))
        _sub(_sub(entry, "author"), "name", hit.company_name or _("Ordre des ingénieurs du Québec"))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@blueprint.get("/emplois/flux.atom")
@shareable(PUBLIC_PAGE_SECONDS)
def atom() -> Response:
    """The newest FEED_SIZE online offers of the search in the query string (the list's)."""
    query = query_from_request()
    query = replace(query, page=1, per_page=FEED_SIZE)
    now = common.now()
    result = common.bus().query(views.search_offers, query, now=now)
    # A search with text is ranked: the feed keeps its best FEED_SIZE, newest first.
    hits = tuple(sorted(result.hits, key=lambda h: (h.published_at, h.offer_id), reverse=True))
    args = [(k, v) for k, v in query.to_args() if k != "page"]
    suffix = f"?{urlencode(args)}" if args else ""
    base = public_url()
    title = _("Offres d'emploi · ingemplois")
    if query.text:
        title = _("« %(text)s » : offres d'emploi · ingemplois", text=query.text)
    body = atom_feed(
        hits,
        base=base,
        self_url=f"{base}/emplois/flux.atom{suffix}",
        html_url=f"{base}/emplois/{suffix}",
        title=title,
        now=now,
    )
    return Response(body, mimetype="application/atom+xml")


def _online_ids(now: datetime) -> Iterator[tuple[str, datetime]]:
    """Every online offer's (id, published_at), SITEMAP_PAGE at a time, at most SITEMAP_CAP."""
    after, count = "", 0
    while count < SITEMAP_CAP:
        page = common.bus().query(
            views.online_offer_ids, now=now, after=after, limit=min(SITEMAP_PAGE, SITEMAP_CAP - count)
        )
        yield from page
        count += len(page)
        if len(page) < SITEMAP_PAGE:
            return
        after = page[-1][0]


@blueprint.get("/sitemap.xml")
@shareable(PUBLIC_PAGE_SECONDS)
def sitemap() -> Response:
    """The public pages of the offers online now (French: the site's default language)."""
    base = public_url()
    urlset = ET.Element("urlset", {"xmlns": SITEMAP})
    for offer_id, published_at in _online_ids(common.now()):
        url = ET.SubElement(urlset, "url")
        ET.SubElement(url, "loc").text = f"{base}/emplois/{offer_id}"
        ET.SubElement(url, "lastmod").text = quebec_day(published_at).isoformat()
    body = ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/xml")
