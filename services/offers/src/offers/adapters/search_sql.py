"""`OfferSearch` on SQL (docs/jobsite-design.md, "Search"): one class, the text part branching on
the dialect.

- PostgreSQL: `offer_search.document` (tsvector under `fr_unaccent`: title A, company B, description
  C, GIN index), matched by `websearch_to_tsquery('fr_unaccent', q)`, ranked by `ts_rank_cd`.
- SQLite: `offer_search_fts` (FTS5) holds the terms of `offers.domain.search.french_terms`; the
  query's words go through the same function (quoted phrases, `or` and `-word` as
  websearch_to_tsquery reads them), ranked by `bm25`.

Everything else is the same SQL on both: the online predicate (`published_at <= now <
publication_ends_at`, not ended) is in every query, filters are `EXISTS` on `offer_search_values`
(any value of a facet, every facet), and facet counts are `GROUP BY`s with the other facets'
filters applied (disjunctive facets): one for the facets nobody filters on, one per filtered facet.

The row builders (`search_row`, `search_values`, `write_index`) are shared by the repository's
index maintenance, migration 0007's backfill and the demo generator (`offers.devtools.generate`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, cast, delete, exists, func, insert, literal, literal_column, or_, select, update
from sqlalchemy.dialects.postgresql import REGCONFIG, TSVECTOR
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql import column, table

from offers.adapters.orm import company_brandings, offers
from offers.adapters.orm_search import FTS_TABLE, offer_search, offer_search_values
from offers.domain.model import CompanyBranding
from offers.domain.offer import Offer, OfferContent, OfferStatus
from offers.domain.search import (
    FACETS,
    SearchHit,
    SearchQuery,
    SearchResult,
    french_document,
    french_terms,
    offer_regions,
    plain_text,
    unaccent,
)

TS_CONFIG = "fr_unaccent"
#: bm25 weights of offer_id (unindexed), title, company, body.
BM25 = (0.0, 10.0, 4.0, 1.0)

fts = table(FTS_TABLE, column("offer_id"), column("title"), column("company"), column("body"))
S, V = offer_search.c, offer_search_values.c
#: What a hit shows (not the text the index searches).
HIT_COLUMNS = [col for col in offer_search.c if col.name not in ("body", "document")]


def _config() -> Any:
    return cast(literal(TS_CONFIG), REGCONFIG)


def _document() -> Any:
    """The PostgreSQL document of a row, from its own columns (index, company change, backfill)."""

    def weighted(value: Any, weight: str) -> Any:
        return func.setweight(func.to_tsvector(_config(), value), literal_column(f"'{weight}'"), type_=TSVECTOR)

    title = weighted(S.title_fr.concat(" ").concat(S.title_en), "A")
    return title.op("||")(weighted(S.company_name, "B")).op("||")(weighted(S.body, "C"))


# Row builders ---------------------------------------------------------------------------------------


def indexable(offer: Offer) -> bool:
    """An offer with approved content that is or may become online (scheduled, published, or
    online while a modification is reviewed); ended, expired, archived ones are not."""
    return (
        offer.live_content is not None
        and offer.published_at is not None
        and offer.publication_ends_at is not None
        and offer.ended_at is None
        and offer.status not in (OfferStatus.EXPIRED, OfferStatus.ARCHIVED)
    )


def search_row(offer: Offer, company: CompanyBranding | None) -> dict[str, Any] | None:
    """The `offer_search` row of an offer (None when it is not to be indexed)."""
    if not indexable(offer):
        return None
    content: OfferContent = offer.live_content  # type: ignore[assignment]
    place = content.workplace
    return {
        "offer_id": offer.id,
        "group_id": offer.group_id,
        "company_id": company.company_id if company else "",
        "company_name": company.company_name if company else "",
        "logo_url": company.logo_url if company else None,
        "title_fr": content.title_fr[:150],
        "title_en": content.title_en[:150],
        "body": " ".join((plain_text(content.description_fr), plain_text(content.description_en))).strip(),
        "profile": offer.profile,
        "employment_type": content.employment_type,
        "work_formula": content.work_formula,
        "regions": list(offer_regions(place)),
        "city": place.city if place.kind == "address" else "",
        "published_at": offer.published_at,
        "publication_ends_at": offer.publication_ends_at,
        "ended_at": offer.ended_at,
        "featured_until": offer.featured_until,
        "application_deadline": content.application_deadline,
        "document": None,
    }


def search_values(row: Mapping[str, Any], content: OfferContent) -> list[dict[str, Any]]:
    """The `offer_search_values` rows of an indexed offer: every facet value it has."""
    pairs: list[tuple[str, str]] = [("domaine", d) for d in content.engineering_domains]
    pairs += [("region", r) for r in row["regions"]]
    pairs += [
        ("profil", row["profile"]),
        ("type", row["employment_type"]),
        ("formule", row["work_formula"]),
        ("experience", content.years_on_roll),
        ("entreprise", row["company_id"]),
    ]
    unique = dict.fromkeys((facet, value) for facet, value in pairs if value)
    return [{"offer_id": row["offer_id"], "facet": facet, "value": value} for facet, value in unique]


def fts_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "offer_id": row["offer_id"],
        "title": french_document(row["title_fr"], row["title_en"]),
        "company": french_document(row["company_name"]),
        "body": french_document(row["body"]),
    }


def write_index(
    connection: Connection | Session, rows: Sequence[Mapping[str, Any]], values: Sequence[Mapping[str, Any]]
) -> None:
    """Insert index rows in bulk (executemany), then their text: the PostgreSQL documents in one
    UPDATE, or the SQLite FTS rows."""
    if not rows:
        return
    connection.execute(insert(offer_search), list(rows))
    if values:
        connection.execute(insert(offer_search_values), list(values))
    if _dialect(connection) == "postgresql":
        ids = [r["offer_id"] for r in rows]
        connection.execute(update(offer_search).where(S.offer_id.in_(ids)).values(document=_document()))
    else:
        connection.execute(insert(fts), [fts_row(r) for r in rows])


def _dialect(connection: Connection | Session) -> str:
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    return bind.dialect.name


def company_of(connection: Connection | Session, group_id: str) -> CompanyBranding | None:
    """The group's branding as the index shows it (Core, so it works without the mappers)."""
    found = connection.execute(
        select(
            company_brandings.c.group_id,
            company_brandings.c.company_id,
            company_brandings.c.group_name,
            company_brandings.c.company_name,
            company_brandings.c.logo_url,
            company_brandings.c.changed_at,
        ).where(company_brandings.c.group_id == group_id)
    ).first()
    return CompanyBranding(*found) if found is not None else None


def backfill(connection: Connection, *, batch: int = 500) -> int:
    """Index every offer that has live content (migration 0007); returns how many were indexed."""
    from offers.adapters.repository import _offer

    companies: dict[str, CompanyBranding | None] = {}
    done = 0
    rows: list[dict[str, Any]] = []
    values: list[dict[str, Any]] = []
    query = select(offers).where(offers.c.live_content.is_not(None)).order_by(offers.c.id)
    for raw in connection.execute(query).mappings().all():
        offer = _offer(raw, [])
        if offer.group_id not in companies:
            companies[offer.group_id] = company_of(connection, offer.group_id)
        row = search_row(offer, companies[offer.group_id])
        if row is None:
            continue
        rows.append(row)
        values.extend(search_values(row, offer.live_content))  # type: ignore[arg-type]
        if len(rows) >= batch:
            write_index(connection, rows, values)
            done, rows, values = done + len(rows), [], []
    write_index(connection, rows, values)
    return done + len(rows)


# The query's text -----------------------------------------------------------------------------------

_QUERY_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def fts_match(text_: str) -> str | None:
    """An FTS5 MATCH expression of a visitor's text, read as websearch_to_tsquery reads it: words
    (all required), "quoted phrases", `or` between alternatives, `-word` to exclude. None when no
    word is left to search (only stop words, or only exclusions): the text is then ignored."""
    groups: list[tuple[list[str], list[str]]] = [([], [])]
    for minus, quoted, word in _QUERY_TOKEN.findall(text_):
        raw = quoted if quoted or minus and not word else word
        negative = bool(minus)
        if word and unaccent(word) == "or":
            if groups[-1][0] or groups[-1][1]:
                groups.append(([], []))
            continue
        if word and word.startswith("-") and len(word) > 1:
            raw, negative = word[1:], True
        terms = french_terms(raw)
        if not terms:
            continue
        phrase = '"' + " ".join(terms) + '"'
        (groups[-1][1] if negative else groups[-1][0]).append(phrase)
    rendered = ["(" + " AND ".join(pos) + ")" + "".join(f" NOT {n}" for n in neg) for pos, neg in groups if pos]
    if not rendered:
        return None
    return " OR ".join(f"({r})" for r in rendered)


@dataclass(frozen=True)
class TextMatch:
    """The text's condition (count, facets), and what the page's query selects from to rank."""

    where: Any
    ranked_from: Any
    rank: Any


# The adapter ----------------------------------------------------------------------------------------


class SqlOfferSearch:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return _dialect(self.session)

    # reads ------------------------------------------------------------------------------------------
    def search(self, query: SearchQuery, *, now: datetime) -> SearchResult:
        text_match = self._text(query.text)
        online = _online(now)
        filters = query.filters()
        where = [online, *(_has(facet, codes) for facet, codes in filters.items())]
        if text_match is not None:
            where.append(text_match.where)
        total = self.session.execute(select(func.count()).select_from(offer_search).where(*where)).scalar_one()
        base, rank, order = offer_search, literal(0.0), [S.published_at.desc(), S.offer_id]
        if text_match is not None:  # the rank only for the page's query: counting needs none
            base, rank = text_match.ranked_from, text_match.rank
            order.insert(0, rank.desc())
        rows = self.session.execute(
            select(*HIT_COLUMNS, rank.label("rank"))
            .select_from(base)
            .where(*where)
            .order_by(*order)
            .limit(query.per_page)
            .offset(query.offset)
        ).mappings()
        hits = tuple(_hit(r, now) for r in rows)
        facets: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
        # The facets nobody filters on share one GROUP BY (every filter applies to them); each
        # filtered facet has its own, without its own filter (disjunctive counts).
        groups = [[f for f in FACETS if f not in filters], *([f] for f in FACETS if f in filters)]
        text_where = [text_match.where] if text_match is not None else []
        for group in groups:
            if group:
                for facet, value, n in self._counts(group, [online, *text_where], filters):
                    facets[facet][value] = n
        return SearchResult(hits, int(total), query.page, query.per_page, facets)

    def _counts(
        self, group: Sequence[str], where: Sequence[Any], filters: Mapping[str, Sequence[str]]
    ) -> list[tuple[str, str, int]]:
        """(facet, value, offers) for the facets of `group`, with the filters of the others."""
        others = [_has(name, codes) for name, codes in filters.items() if name not in group]
        counted = self.session.execute(
            select(V.facet, V.value, func.count())
            .select_from(offer_search.join(offer_search_values, V.offer_id == S.offer_id))
            .where(V.facet.in_(list(group)), *where, *others)
            .group_by(V.facet, V.value)
        )
        return [(facet, value, int(n)) for facet, value, n in counted if n]

    def _text(self, text_: str) -> TextMatch | None:
        """How the text restricts and ranks the offers; None when there is no word to search."""
        match = fts_match(text_)
        if match is None:
            return None
        if self.dialect == "postgresql":
            tsquery = func.websearch_to_tsquery(_config(), text_)
            return TextMatch(S.document.op("@@")(tsquery), offer_search, func.ts_rank_cd(S.document, tsquery))
        matches = literal_column(FTS_TABLE).op("MATCH")(match)
        weights = ", ".join(str(w) for w in BM25)
        ranked = (
            select(fts.c.offer_id, (-literal_column(f"bm25({FTS_TABLE}, {weights})")).label("rank"))
            .select_from(fts)
            .where(matches)
            .subquery("matched")
        )
        return TextMatch(
            S.offer_id.in_(select(fts.c.offer_id).where(matches)),
            offer_search.join(ranked, ranked.c.offer_id == S.offer_id),
            ranked.c.rank,
        )

    def featured(self, *, now: datetime, limit: int = 6) -> tuple[SearchHit, ...]:
        rows = self.session.execute(
            select(*HIT_COLUMNS, literal(0.0).label("rank"))
            .where(_online(now), S.featured_until > now)
            .order_by(S.published_at.desc(), S.offer_id)
            .limit(limit)
        ).mappings()
        return tuple(_hit(r, now) for r in rows)

    def similar(self, offer_id: str, *, now: datetime, limit: int = 4) -> tuple[SearchHit, ...]:
        """Online offers sharing the most domains (2 points each) and regions (1 point), newest
        first among equals; read from the offer's live content, so an expired offer has some."""
        live = self.session.execute(select(offers.c.live_content).where(offers.c.id == offer_id)).scalar()
        if live is None:
            return ()
        content = OfferContent.from_dict(live)
        wanted = [and_(V.facet == "domaine", V.value.in_(content.engineering_domains))]
        regions = offer_regions(content.workplace)
        if regions:
            wanted.append(and_(V.facet == "region", V.value.in_(regions)))
        score = func.sum(case((V.facet == "domaine", 2), else_=1)).label("score")
        best = (
            select(V.offer_id, score)
            .select_from(offer_search_values.join(offer_search, V.offer_id == S.offer_id))
            .where(or_(*wanted), _online(now), S.offer_id != offer_id)
            .group_by(V.offer_id, S.published_at)
            .order_by(score.desc(), S.published_at.desc(), V.offer_id)
            .limit(limit)
            .subquery("best")
        )
        rows = self.session.execute(
            select(*HIT_COLUMNS, best.c.score.label("rank"))
            .select_from(offer_search.join(best, best.c.offer_id == S.offer_id))
            .order_by(best.c.score.desc(), S.published_at.desc(), S.offer_id)
        ).mappings()
        return tuple(_hit(r, now) for r in rows)

    # writes -----------------------------------------------------------------------------------------
    def index(self, offer: Offer, company: CompanyBranding | None) -> None:
        self.drop(offer.id)
        row = search_row(offer, company)
        if row is not None:
            write_index(self.session, [row], search_values(row, offer.live_content))  # type: ignore[arg-type]

    def drop(self, offer_id: str) -> None:
        self.session.execute(delete(offer_search_values).where(V.offer_id == offer_id))
        self.session.execute(delete(offer_search).where(S.offer_id == offer_id))
        if self.dialect != "postgresql":
            self.session.execute(delete(fts).where(fts.c.offer_id == offer_id))

    def reindex_company(self, group_id: str) -> None:
        self.session.flush()
        company = company_of(self.session, group_id)
        if company is None:
            return
        self.session.execute(
            update(offer_search)
            .where(S.group_id == group_id)
            .values(company_id=company.company_id, company_name=company.company_name, logo_url=company.logo_url)
        )
        of_group = select(S.offer_id).where(S.group_id == group_id)
        self.session.execute(delete(offer_search_values).where(V.facet == "entreprise", V.offer_id.in_(of_group)))
        if company.company_id:
            self.session.execute(
                insert(offer_search_values).from_select(
                    ["offer_id", "facet", "value"],
                    select(S.offer_id, literal("entreprise"), literal(company.company_id)).where(
                        S.group_id == group_id
                    ),
                )
            )
        if self.dialect == "postgresql":
            self.session.execute(update(offer_search).where(S.group_id == group_id).values(document=_document()))
        else:
            self.session.execute(
                update(fts).where(fts.c.offer_id.in_(of_group)).values(company=french_document(company.company_name))
            )


def _online(now: datetime) -> Any:
    """`Offer.is_online` on the index (archived and expired offers are not in it)."""
    return and_(S.published_at <= now, S.publication_ends_at > now, S.ended_at.is_(None))


def _has(facet: str, codes: Iterable[str]) -> Any:
    """The offer has one of these values of the facet."""
    values = offer_search_values.alias(f"f_{facet}")
    return exists().where(values.c.offer_id == S.offer_id, values.c.facet == facet, values.c.value.in_(list(codes)))


def _hit(row: Mapping[str, Any], now: datetime) -> SearchHit:
    featured_until = row["featured_until"]
    return SearchHit(
        offer_id=row["offer_id"],
        group_id=row["group_id"],
        company_id=row["company_id"],
        company_name=row["company_name"],
        logo_url=row["logo_url"],
        title_fr=row["title_fr"],
        title_en=row["title_en"],
        profile=row["profile"],
        employment_type=row["employment_type"],
        work_formula=row["work_formula"],
        regions=tuple(row["regions"] or ()),
        city=row["city"],
        published_at=row["published_at"],
        application_deadline=row["application_deadline"],
        featured=featured_until is not None and featured_until > now,
        rank=float(row["rank"] or 0.0),
    )
