"""Page links of a paged list (the `ui.pagination` component): the first and last pages, the ones
around the current page, gaps between, previous and next. The caller says how a page's URL is
made (so the links keep the rest of the query string)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PageLink:
    #: None: a gap (…) between page numbers.
    number: int | None
    url: str
    current: bool


@dataclass(frozen=True)
class Pager:
    page: int
    pages: int
    previous_url: str | None
    next_url: str | None
    links: tuple[PageLink, ...]


def pager(page: int, pages: int, url: Callable[[int], str], *, window: int = 2) -> Pager:
    """Links for `page` of `pages` (at least 1); a page past the last gets previous = the last one."""
    pages = max(pages, 1)
    shown = sorted({1, pages, *range(max(1, page - window), min(pages, page + window) + 1)})
    links: list[PageLink] = []
    for number in shown:
        if links and links[-1].number is not None and number - links[-1].number > 1:
            links.append(PageLink(None, "", False))
        links.append(PageLink(number, url(number), number == page))
    return Pager(
        page=page,
        pages=pages,
        previous_url=url(min(page - 1, pages)) if page > 1 else None,
        next_url=url(page + 1) if page < pages else None,
        links=tuple(links),
    )
