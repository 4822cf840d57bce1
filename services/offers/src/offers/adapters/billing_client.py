"""The credit bank: catalog-billing's `/credit-reservations` API over HTTP (contracts/catalog-billing.yaml,
docs/decisions.md §29–31), and an in-memory bank with the same rules for tests and demos.

Called with the caller's own bearer token (an employer's JWT, an `ingk_…` API key, a staff token
to approve): catalog-billing checks the role itself. Every call is idempotent on (offer, credit
type), so a retry is safe; reads and writes both get one retry after a refused connection or a
502/503/504, never after a read timeout. Answers: 409 `no_credit` → `NoCredit`; other 4xx →
`BankRefused`; down, timeout, 5xx → `BankUnavailable`. Never imports catalog-billing's package.
"""

from __future__ import annotations

import threading
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx

from offers.service_layer.ports import BankRefused, BankUnavailable, NoCredit

API_PREFIX = "/api/catalog-billing/v1"


class HttpCreditBank:
    """`base_url`: where catalog-billing's API is reached (the gateway's public URL in the
    embedded suite, catalog-billing-web's service in Kubernetes)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 5.0,
        connect_timeout: float = 2.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        # No cookie kept: the client serves every caller, and a gateway cookie would make the next
        # call look like a browser's.
        jar = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
        self._client = httpx.Client(
            base_url=base_url.rstrip("/") + API_PREFIX,
            cookies=jar,
            timeout=httpx.Timeout(timeout, connect=min(connect_timeout, timeout)),
            transport=transport or httpx.HTTPTransport(retries=1),
        )

    def close(self) -> None:
        self._client.close()

    def _call(self, method: str, path: str, token: str, body: dict[str, Any] | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        try:
            response = self._client.request(method, path, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise BankUnavailable(f"{method} {path}: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise BankUnavailable(f"{method} {path}: HTTP {response.status_code}")
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {}
            problem = problem if isinstance(problem, dict) else {}
            code = str(problem.get("code") or "")
            if response.status_code == 409 and code == "no_credit":
                raise NoCredit(path.rsplit("/", 1)[-1])
            raise BankRefused(
                response.status_code,
                code or str(response.status_code),
                str(problem.get("detail") or problem.get("title") or ""),
            )
        return response

    def reserve(self, offer_id: str, credit_type: str, group_id: str, *, token: str) -> bool:
        response = self._call("PUT", f"/credit-reservations/{offer_id}/{credit_type}", token, {"group_id": group_id})
        return response.status_code == 201

    def consume(self, offer_id: str, credit_type: str, *, token: str) -> None:
        self._call("POST", f"/credit-reservations/{offer_id}/{credit_type}/consumption", token)

    def release(self, offer_id: str, credit_type: str, *, token: str) -> None:
        self._call("POST", f"/credit-reservations/{offer_id}/{credit_type}/release", token)

    def balances(self, group_id: str, *, token: str) -> dict[str, int]:
        body = self._call("GET", f"/groups/{group_id}/credits", token).json()
        items = body.get("items", []) if isinstance(body, dict) else []
        return {str(i.get("credit_type")): int(i.get("balance") or 0) for i in items if isinstance(i, dict)}


class InMemoryCreditBank:
    """The bank's rules without the network (tests, and the demo seed): a balance per (group,
    type), reservations unique on (offer, type): reserve holds one credit once, consume spends it,
    release gives an unconsumed one back. Thread-safe, so two submissions can race for one credit.
    `calls` records (method, offer, type, token)."""

    def __init__(self, balances: dict[tuple[str, str], int] | None = None) -> None:
        self.balance: dict[tuple[str, str], int] = dict(balances or {})
        #: (offer_id, credit_type) → (group_id, status: reserved | consumed | released)
        self.reservations: dict[tuple[str, str], tuple[str, str]] = {}
        self.calls: list[tuple[str, str, str, str]] = []
        self.unavailable = False
        self._lock = threading.Lock()

    def grant(self, group_id: str, credit_type: str, quantity: int = 1) -> None:
        with self._lock:
            self.balance[(group_id, credit_type)] = self.balance.get((group_id, credit_type), 0) + quantity

    def _check(self) -> None:
        if self.unavailable:
            raise BankUnavailable("the test bank is down")

    def reserve(self, offer_id: str, credit_type: str, group_id: str, *, token: str) -> bool:
        with self._lock:
            self.calls.append(("reserve", offer_id, credit_type, token))
            self._check()
            current = self.reservations.get((offer_id, credit_type))
            if current is not None and current[1] != "released":
                return False
            if self.balance.get((group_id, credit_type), 0) < 1:
                raise NoCredit(credit_type)
            self.balance[(group_id, credit_type)] -= 1
            self.reservations[(offer_id, credit_type)] = (group_id, "reserved")
            return True

    def consume(self, offer_id: str, credit_type: str, *, token: str) -> None:
        with self._lock:
            self.calls.append(("consume", offer_id, credit_type, token))
            self._check()
            current = self.reservations.get((offer_id, credit_type))
            if current is None:
                raise BankRefused(404, "reservation_not_found")
            if current[1] == "released":
                raise BankRefused(409, "reservation_released")
            self.reservations[(offer_id, credit_type)] = (current[0], "consumed")

    def release(self, offer_id: str, credit_type: str, *, token: str) -> None:
        with self._lock:
            self.calls.append(("release", offer_id, credit_type, token))
            self._check()
            current = self.reservations.get((offer_id, credit_type))
            if current is None:
                raise BankRefused(404, "reservation_not_found")
            if current[1] == "consumed":
                raise BankRefused(409, "reservation_consumed")
            if current[1] == "reserved":
                self.balance[(current[0], credit_type)] = self.balance.get((current[0], credit_type), 0) + 1
                self.reservations[(offer_id, credit_type)] = (current[0], "released")

    def balances(self, group_id: str, *, token: str) -> dict[str, int]:
        with self._lock:
            return {t: n for (g, t), n in self.balance.items() if g == group_id}
