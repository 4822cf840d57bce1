"""offers' code lists (contracts/offers.yaml `GET /api/offers/v1/reference`, public), with a cache.

The job seekers' subscriptions name offers' engineering domains, regions and years on the Tableau.
The lists change only when offers is deployed with new ones, so a copy is kept `ttl` seconds (5
min); a failed refresh keeps serving the copy held and tries again after `retry_after` seconds. A
page waits at most one `timeout` (connect: 2 s) when the lists must be fetched. The answer is read
tolerantly (code, fr, en of each item; the rest, e.g. a region's municipalities, is ignored),
never by importing offers' package.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import requests

from mailer.service_layer.ports import ReferenceItem, ReferenceUnavailable

log = logging.getLogger(__name__)

REFERENCE_PATH = "/api/offers/v1/reference"


def read_lists(body: Any) -> dict[str, tuple[ReferenceItem, ...]]:
    """`{"lists": {name: [{code, fr, en, …}, …]}}` → items by list name (malformed items skipped)."""
    lists = body.get("lists") if isinstance(body, dict) else None
    if not isinstance(lists, dict):
        raise ReferenceUnavailable("the answer has no lists")
    out: dict[str, tuple[ReferenceItem, ...]] = {}
    for name, items in lists.items():
        if not isinstance(items, list):
            continue
        out[str(name)] = tuple(
            ReferenceItem(str(item["code"]), str(item.get("fr") or item["code"]), str(item.get("en") or ""))
            for item in items if isinstance(item, dict) and isinstance(item.get("code"), str) and item["code"]
        )
    return out


class HttpOffersReference:
    def __init__(self, base_url: str, *, timeout: float = 5.0, connect_timeout: float = 2.0, ttl: float = 300.0,
                 retry_after: float = 30.0, session_factory: Callable[[], requests.Session] = requests.Session,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.url = base_url.rstrip("/") + REFERENCE_PATH
        self.timeout = (min(connect_timeout, timeout), timeout)
        self.ttl, self.retry_after = ttl, retry_after
        self._session = session_factory()
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._lists: dict[str, tuple[ReferenceItem, ...]] | None = None
        self._fresh_until = 0.0

    def lists(self) -> dict[str, tuple[ReferenceItem, ...]]:
        with self._lock:  # one fetch at a time; the others wait for its copy
            now = self._monotonic()
            if self._lists is not None and now < self._fresh_until:
                return self._lists
            try:
                self._lists = self._fetch()
                self._fresh_until = now + self.ttl
            except ReferenceUnavailable as exc:
                if self._lists is None:
                    raise
                log.warning("offers' reference lists not refreshed (%s): the copy held is kept", exc)
                self._fresh_until = now + self.retry_after
            return self._lists

    def _fetch(self) -> dict[str, tuple[ReferenceItem, ...]]:
        try:
            response = self._session.get(self.url, headers={"Accept": "application/json"}, timeout=self.timeout)
        except requests.RequestException as exc:
            raise ReferenceUnavailable(f"GET {REFERENCE_PATH}: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise ReferenceUnavailable(f"GET {REFERENCE_PATH}: HTTP {response.status_code}")
        try:
            return read_lists(response.json())
        except ValueError as exc:
            raise ReferenceUnavailable(f"GET {REFERENCE_PATH}: the answer is not JSON") from exc
