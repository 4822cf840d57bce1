"""The connexion AsyncApp of a service, bound to its contract, with bilingual problem+json."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from connexion import AsyncApp
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.resolver import RelativeResolver
from starlette.exceptions import HTTPException

from plumbing.auth import api_keys, tokens
from plumbing.config import env_bool
from plumbing.ratelimit import api_key_limiter
from plumbing.web.locale import locale_from_headers
from plumbing.web.problem import PROBLEM_TYPE, ApiProblem, echo_safe, problem_bytes

log = logging.getLogger(__name__)


def _response(status: int, body: bytes, headers: dict[str, str] | None = None) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status, body=body, content_type=PROBLEM_TYPE, mimetype=PROBLEM_TYPE, headers=headers or {}
    )


def _locale(request: ConnexionRequest) -> str:
    return locale_from_headers({k.lower(): v for k, v in request.headers.items()})


def _on_api_problem(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, ApiProblem)
    locale = _locale(request)
    body = problem_bytes(exc.status, locale, exc.message(locale), code=exc.code, field=exc.field,
                         errors=exc.errors(locale))
    return _response(exc.status, body, exc.headers)


def _on_connexion_problem(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, ProblemException)
    status = exc.status or 400
    if status >= 500:
        log.error("API server error: %s", exc.detail)
    headers = dict(exc.headers or {})
    # connexion's validation messages quote the rejected input: never echo it whole.
    detail = echo_safe(exc.detail) if isinstance(exc.detail, str) else exc.detail
    return _response(status, problem_bytes(status, _locale(request), detail, code="invalid_request"), headers)


def _on_http_exception(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, HTTPException)
    detail = echo_safe(exc.detail) if isinstance(exc.detail, str) else exc.detail
    return _response(exc.status_code, problem_bytes(exc.status_code, _locale(request), detail))


def _on_bad_encoding(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    locale = _locale(request)
    detail = "The body must be UTF-8 JSON." if locale == "en" else "Le corps doit être du JSON en UTF-8."
    return _response(400, problem_bytes(400, locale, detail, code="invalid_encoding"))


def _on_too_deep(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """JSON nested thousands deep makes the parser recurse until RecursionError: a 400, not a 500."""
    locale = _locale(request)
    detail = "The JSON body is nested too deeply." if locale == "en" else "Le corps JSON est trop imbriqué."
    return _response(400, problem_bytes(400, locale, detail, code="invalid_json"))


def _on_unexpected(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    log.exception("unhandled error in API handler", exc_info=exc)
    return _response(500, problem_bytes(500, _locale(request)))


def build_api(
    service: str,
    contracts_dir: Path,
    handlers_module: str,
    *,
    validate_responses: bool | None = None,
) -> AsyncApp:
    """An AsyncApp serving `contracts/<service>.yaml` at `/api/<service>/v1`.

    Requests are validated strictly (unknown query parameters refused; bodies are closed by
    `additionalProperties: false` in the contract), and every error becomes problem+json with a
    French or English title. Responses are validated too, unless API_VALIDATE_RESPONSES=false:
    every test run and the embedded and e2e suites keep it on, so a handler that breaks its contract
    fails there; production may switch it off (about 40-90 µs a request, bench/serving).
    """
    if validate_responses is None:
        validate_responses = env_bool("API_VALIDATE_RESPONSES", True)
    app = AsyncApp(handlers_module, specification_dir=str(contracts_dir))
    app.add_api(
        f"{service}.yaml",
        base_path=f"/api/{service}/v1",
        resolver=RelativeResolver(handlers_module),
        strict_validation=True,
        validate_responses=validate_responses,
        swagger_ui_options=None,
    )
    app.add_error_handler(ApiProblem, _on_api_problem)
    app.add_error_handler(ProblemException, _on_connexion_problem)
    app.add_error_handler(HTTPException, _on_http_exception)
    app.add_error_handler(UnicodeDecodeError, _on_bad_encoding)
    app.add_error_handler(RecursionError, _on_too_deep)
    app.add_error_handler(Exception, _on_unexpected)
    return app


async def bearer_or_api_key(token: str, resolve: Callable[[str], api_keys.ApiKeyCaller | None],
                            service: str) -> dict[str, Any] | None:
    """The body of a service's `x-bearerInfoFunc` that also takes API keys (`Bearer ingk_…`).

    A JWT goes to `plumbing.auth.tokens.bearer_info`; a key to the service's `resolve` (its own
    table or projection, run in a worker thread), then to the per-key rate limit
    (`plumbing.ratelimit.api_key_limiter`): over it, 429 problem+json with `Retry-After`. None
    (→ 401) for a bad, unknown or revoked key.
    """
    if not api_keys.looks_like_key(token):
        return tokens.bearer_info(token)
    caller = await anyio.to_thread.run_sync(resolve, token)
    if caller is None:
        return None
    wait = await anyio.to_thread.run_sync(api_key_limiter().hit, f"{service}:api-key", caller.key_id)
    if wait:
        raise ApiProblem(429, "rate_limited",
                         f"Trop de requêtes avec cette clé d'API : réessayez dans {wait} s.",
                         f"Too many requests with this API key: try again in {wait} s.",
                         headers={"Retry-After": str(wait)})
    return api_keys.token_info(caller)
