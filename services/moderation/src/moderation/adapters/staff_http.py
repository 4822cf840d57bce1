"""How moderation calls another service's staff API (company-portal's, offers'): one transport.

Called only while a staff member waits: the staff member's bearer token and language forwarded,
`timeout` bounds each answer (5 s) and connecting gets `connect_timeout` (2 s: the service is
near). Reads are retried after a refused connection or a 502/503/504, never after a read timeout,
so a hung service costs one timeout and the page still answers within the gateway's own upstream
timeout (10 s). A call with an `Idempotency-Key` is a write and is never retried (a retry is the
staff member's, with the same key). Failures become the caller's two exceptions: `unavailable`
(down, timeout, 5xx, an answer that is not JSON) and `rejected` (a 4xx answer, problem+json read
tolerantly: detail, code, field errors).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from http.cookiejar import CookiePolicy
from typing import Any, Protocol

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry


class StaffCall(Protocol):
    token: str
    locale: str


def text(raw: dict[str, Any], *names: str) -> str:
    """The first of `names` that has a value, as text ("" when none has)."""
    for name in names:
        value = raw.get(name)
        if value is not None and value != "":
            return str(value)
    return ""


def items(body: Any, *keys: str) -> list[dict[str, Any]]:
    """The objects of a list answer, bare or under one of `keys` (or items/results/data)."""
    if isinstance(body, list):
        return [x for x in body if isinstance(x, dict)]
    if isinstance(body, dict):
        for key in (*keys, "items", "results", "data"):
            if isinstance(body.get(key), list):
                return [x for x in body[key] if isinstance(x, dict)]
    return []


def problem_fields(response: requests.Response) -> tuple[str, str, dict[str, str]]:
    """A 4xx answer's detail, code and field errors (field → message), whatever its shape."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    field_errors: dict[str, str] = {}
    if body.get("field"):
        field_errors[str(body["field"])] = text(body, "detail", "title")
    errors = body.get("errors")
    if isinstance(errors, dict):
        field_errors.update({str(k): str(v) for k, v in errors.items()})
    elif isinstance(errors, list):
        for error in errors:
            if isinstance(error, dict) and error.get("field"):
                field_errors[str(error["field"])] = text(error, "detail", "message", "title", "code")
    return text(body, "detail", "title"), text(body, "code"), field_errors


class NoCookies(CookiePolicy):
    """Keep no cookie: the client is shared by every staff member, and a cookie set by the
    gateway would make the next call look like a browser's (and fail its CSRF check)."""

    netscape = True
    rfc2965 = False
    hide_cookie2 = False

    def set_ok(self, cookie: object, request: object) -> bool:
        return False

    def return_ok(self, cookie: object, request: object) -> bool:
        return False

    def domain_return_ok(self, domain: str, request: object) -> bool:
        return False

    def path_return_ok(self, path: str, request: object) -> bool:
        return False


class StaffHttp:
    def __init__(
        self,
        base_url: str,
        *,
        unavailable: Callable[[str], Exception],
        rejected: Callable[[int, str, str, dict[str, str]], Exception],
        retried_methods: Collection[str] = ("GET",),
        timeout: float = 5.0,
        connect_timeout: float = 2.0,
        get_retries: int = 2,
        backoff: float = 0.2,
        session_factory: Callable[[], requests.Session] = requests.Session,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.unavailable, self.rejected = unavailable, rejected
        self.timeout = timeout
        self.connect_timeout = min(connect_timeout, timeout)
        retry = Retry(
            total=get_retries,
            connect=get_retries,
            read=0,
            status=get_retries,
            other=0,
            backoff_factor=backoff,
            allowed_methods=frozenset(retried_methods),
            status_forcelist=(502, 503, 504),
            raise_on_status=False,
        )
        self._reads = self._session(session_factory, retry)
        self._writes = self._session(session_factory, Retry(total=0, raise_on_status=False))

    @staticmethod
    def _session(factory: Callable[[], requests.Session], retry: Retry) -> requests.Session:
        session = factory()
        session.cookies.set_policy(NoCookies())
        adapter = HTTPAdapter(max_retries=retry)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def call(
        self,
        method: str,
        path: str,
        call: StaffCall,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        key: str | None = None,
    ) -> Any:
        headers = {
            "Authorization": f"Bearer {call.token}",
            "Accept": "application/json",
            "Accept-Language": call.locale,
        }
        session = self._reads
        if key is not None:
            headers["Idempotency-Key"] = key
            session = self._writes
        try:
            response = session.request(
                method,
                self.base_url + path,
                params=params,
                json=body,
                headers=headers,
                timeout=(self.connect_timeout, self.timeout),
            )
        except requests.RequestException as exc:  # connection refused, timeout, too many retries
            raise self.unavailable(f"{method} {path}: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise self.unavailable(f"{method} {path}: HTTP {response.status_code}")
        if response.status_code >= 400:
            raise self.rejected(response.status_code, *problem_fields(response))
        if response.status_code == 204 or not response.content:
            return {}
        try:
            return response.json()
        except ValueError as exc:
            raise self.unavailable(f"{method} {path}: the answer is not JSON") from exc
