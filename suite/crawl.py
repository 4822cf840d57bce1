"""Walk every page a visitor can reach by links and report what leads nowhere.

Links (`a href`), assets (`link href`, `script src`, `img src`) and GET forms are fetched; a POST
form's action must name a route that exists, so a GET on it may answer anything but 404 (405 is
the usual answer for a POST-only route) and never 5xx. External links are not followed.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

#: Paths fetched once but never followed further (they change the session or the language).
NOT_FOLLOWED = ("/langue/",)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.assets: list[str] = []
        self.forms: list[tuple[str, str, dict[str, str]]] = []
        self._form: tuple[str, str, dict[str, str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "link" and a.get("href"):
            self.assets.append(a["href"])
        elif tag in {"script", "img"} and a.get("src"):
            self.assets.append(a["src"])
        elif tag == "form":
            self._form = (a.get("method", "get").lower(), a.get("action", ""), {})
            self.forms.append(self._form)
        elif tag in {"input", "select", "textarea"} and self._form is not None and a.get("name"):
            self._form[2].setdefault(a["name"], a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


@dataclass
class CrawlReport:
    pages: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)
    #: (status, target, the page that pointed there)
    broken: list[tuple[int, str, str]] = field(default_factory=list)


def login(client: httpx.Client, email: str, password: str) -> httpx.Response:
    """Log in through the form, as a browser does; returns the 303 (its Location is the landing)."""
    page = client.get("/compte/connexion")
    collector = _Collector()
    collector.feed(page.text)
    fields = next(f for method, action, f in collector.forms if action == "/compte/connexion")
    response = client.post("/compte/connexion", data={**fields, "email": email, "password": password})
    assert response.status_code == 303, (email, response.status_code, response.text[:300])
    return response


def _local(base: str, href: str, origin: str) -> str | None:
    url = urldefrag(urljoin(base, href))[0]
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client: httpx.Client, start: list[str], max_pages: int = 200) -> CrawlReport:
    """Breadth-first walk from `start` with the client's cookies (its session)."""
    origin = str(client.base_url).rstrip("/")
    report = CrawlReport()
    queue: deque[tuple[str, str]] = deque((path, "(départ)") for path in start)
    seen: set[str] = set(start)

    def check(target: str, source: str, *, route_only: bool = False) -> httpx.Response:
        response = client.get(target)
        report.checked[target] = response.status_code
        bad = response.status_code == 404 or response.status_code >= 500
        if bad or (not route_only and response.status_code >= 400 and response.status_code != 403):
            report.broken.append((response.status_code, target, source))
        return response

    while queue and len(report.pages) < max_pages:
        path, source = queue.popleft()
        response = check(path, source)
        if response.status_code in {301, 302, 303, 307, 308}:
            location = _local(origin + path, response.headers.get("location", ""), origin)
            if location and location not in seen and not location.startswith(NOT_FOLLOWED):
                seen.add(location)
                queue.append((location, path))
            continue
        if response.status_code != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        report.pages.append(path)
        collector = _Collector()
        collector.feed(response.text)
        for href in collector.assets:
            target = _local(origin + path, href, origin)
            if target and target not in report.checked:
                check(target, path)
        for method, action, fields in collector.forms:
            target = _local(origin + path, action or path, origin)
            if not target:
                continue
            if method == "get":
                query = "&".join(f"{k}={v}" for k, v in fields.items() if k != "csrf_token")
                target = target + ("?" + query if query and "?" not in target else "")
                if target not in seen:
                    seen.add(target)
                    queue.append((target, path))
            elif target not in report.checked:
                check(target, path, route_only=True)
        for href in collector.links:
            target = _local(origin + path, href, origin)
            if not target or target in seen:
                continue
            seen.add(target)
            if target.startswith(NOT_FOLLOWED):
                check(target, path)
                client.cookies.delete("lang")
                continue
            queue.append((target, path))
    return report
