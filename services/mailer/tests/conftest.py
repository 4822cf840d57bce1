"""Fixtures shared by the mailer's tests: settings, a fake mailer, event envelopes, a bundle."""

from __future__ import annotations

import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mailer.adapters.mail import MailError, OutgoingEmail
from mailer.bootstrap import bootstrap
from plumbing.clock import FixedClock
from plumbing.config import REPO_ROOT, Settings
from plumbing.events.envelope import Envelope
from plumbing.service import ServiceBundle

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:  # the tests' helper modules (members_testkit), by name
    sys.path.insert(0, str(TESTS_DIR))

PUBLIC_URL = "https://emplois.example.org"


def make_settings(tmp_path: Path, database_url: str | None = None, mode: str = "embedded") -> Settings:
    return Settings(
        service="mailer",
        mode=mode,
        database_url=database_url or f"sqlite:///{tmp_path / 'mailer.db'}",
        amqp_url="amqp://guest:guest@127.0.0.1:5672/%2F",
        exchange="ingemplois.events",
        identity_url="http://127.0.0.1:8101",
        public_url=PUBLIC_URL,
        var_dir=tmp_path,
        contracts_dir=REPO_ROOT / "contracts",
        log_level="INFO",
        db_pool_size=5,
    )


class FakeMailer:
    """Records what it sends; can be told to fail, or to wait at a barrier (thread safe)."""

    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []
        self.failures: list[Exception] = []
        self.on_send: Callable[[OutgoingEmail], None] | None = None
        self._lock = threading.Lock()

    def fail_next(self, times: int, *, permanent: bool = False) -> None:
        self.failures += [MailError("451 4.3.0 try again later", permanent=permanent) for _ in range(times)]

    def send(self, email: OutgoingEmail) -> None:
        if self.on_send is not None:
            self.on_send(email)
        with self._lock:
            if self.failures:
                raise self.failures.pop(0)
            self.sent.append(email)


class Events:
    """Envelopes of the events the mailer consumes, with data valid against contracts/events."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock

    def _envelope(self, event_type: str, data: dict[str, Any]) -> Envelope:
        return Envelope.new(event_type, data, producer="identity", occurred_at=self.clock.now())

    def registered(self, **overrides: Any) -> Envelope:
        data = {
            "account_id": str(uuid.uuid4()),
            "email": f"marie.{uuid.uuid4().hex[:8]}@genie-conseil.example",
            "kind": "employer",
            "locale": "fr",
            "first_name": "Marie",
            "verification_token": "vT0k+en/with=chars&more_0123456789",
            "verification_expires_at": "2026-11-03T14:00:00Z",
        }
        return self._envelope("identity.account.registered", {**data, **overrides})

    def verification_requested(self, **overrides: Any) -> Envelope:
        data = {
            "account_id": str(uuid.uuid4()),
            "email": f"marie.{uuid.uuid4().hex[:8]}@genie-conseil.example",
            "kind": "employer",
            "locale": "en",
            "first_name": "Marie",
            "verification_token": "nEw-vT0k+en/with=chars&more_9876543210",
            "verification_expires_at": "2026-11-04T14:00:00Z",
        }
        return self._envelope("identity.account.verification_requested", {**data, **overrides})

    def reset_requested(self, **overrides: Any) -> Envelope:
        data = {
            "account_id": str(uuid.uuid4()),
            "email": f"paul.{uuid.uuid4().hex[:8]}@genie-conseil.example",
            "locale": "en",
            "reset_token": "rS3t-token_abcdefghijklmnop?#",
            "reset_expires_at": "2026-11-02T15:00:00Z",
        }
        return self._envelope("identity.password.reset_requested", {**data, **overrides})

    def verified(self, **overrides: Any) -> Envelope:
        data = {
            "account_id": str(uuid.uuid4()),
            "email": f"lea.{uuid.uuid4().hex[:8]}@genie-conseil.example",
            "kind": "member",
            "locale": "fr",
        }
        return self._envelope("identity.account.verified", {**data, **overrides})

    # company-portal: account requests (contracts/events/portal.request.*.v1.schema.json)

    def _portal(self, event_type: str, data: dict[str, Any]) -> Envelope:
        return Envelope.new(event_type, data, producer="company-portal", occurred_at=self.clock.now())

    def request_submitted(self, kind: str = "join_group", **overrides: Any) -> Envelope:
        data: dict[str, Any] = {
            "request_id": str(uuid.uuid4()),
            "kind": kind,
            "submitted_at": "2026-11-02T14:00:00Z",
            "company": {
                "id": str(uuid.uuid4()), "neq": "1234567890", "legal_name": "Génie Conseil inc.",
                "phone": "514-555-0100", "country": "Canada", "address": "1000 rue Sherbrooke Ouest",
                "city": "Montréal", "province": "Québec", "postal_code": "H3A 3G4",
            },
            "requester": {
                "account_id": str(uuid.uuid4()), "email": f"julie.{uuid.uuid4().hex[:8]}@genie-conseil.example",
                "first_name": "Julie", "last_name": "Tremblay", "phone": "514-555-0101", "extension": "204",
                "function": "Directrice des ressources humaines", "locale": "fr",
            },
        }
        if kind == "join_group":
            data["group"] = {"id": str(uuid.uuid4()), "name": "Bureau de Québec"}
            data["principal_emails"] = ["alain.roy@genie-conseil.example", "nadia.cote@genie-conseil.example"]
        if kind == "company_creation":
            del data["company"]["id"]
        return self._portal("portal.request.submitted", {**data, **overrides})

    def _decision(self, kind: str, decided_by: str) -> dict[str, Any]:
        return {
            "request_id": str(uuid.uuid4()),
            "kind": kind,
            "requester_account_id": str(uuid.uuid4()),
            "requester_email": f"julie.{uuid.uuid4().hex[:8]}@genie-conseil.example",
            "locale": "fr",
            "company_id": str(uuid.uuid4()),
            "company_name": "Génie Conseil inc.",
            "group_id": str(uuid.uuid4()),
            "group_name": "Bureau de Québec",
            "decided_at": "2026-11-04T15:30:00Z",
            "decided_by": {"account_id": str(uuid.uuid4()), "email": "alain.roy@genie-conseil.example",
                           "kind": decided_by},
        }

    def request_approved(self, kind: str = "join_group", role: str = "affichage", decided_by: str = "principal",
                         **overrides: Any) -> Envelope:
        data = {**self._decision(kind, decided_by), "role": role}
        return self._portal("portal.request.approved", {**data, **overrides})

    def request_refused(self, kind: str = "join_group", reason: str = "Nous ne connaissons pas cette personne.",
                        decided_by: str = "principal", **overrides: Any) -> Envelope:
        data = {**self._decision(kind, decided_by), "reason": reason}
        return self._portal("portal.request.refused", {**data, **overrides})


@pytest.fixture
def settings_for() -> Callable[..., Settings]:
    """`settings_for(tmp_path, database_url=None, mode="embedded")`: test settings."""
    return make_settings


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def mailer() -> FakeMailer:
    return FakeMailer()


@pytest.fixture
def events(clock: FixedClock) -> Events:
    return Events(clock)


@pytest.fixture
def bundle(tmp_path: Path, clock: FixedClock, mailer: FakeMailer) -> Iterator[ServiceBundle]:
    """The mailer wired through bootstrap, on a migrated SQLite database, with a fake mailer."""
    built = bootstrap(make_settings(tmp_path), clock=clock, mailer=mailer)
    built.migrate()
    yield built
    built.runtime.engine.dispose()
