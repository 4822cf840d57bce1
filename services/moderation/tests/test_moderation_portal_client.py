"""The HTTP client of company-portal's staff API against a small local server: headers, retries
only for GET, an idempotency key on every write, timeouts, and tolerant reading of answers."""

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from moderation.adapters.portal_client import HttpPortalClient, PortalRejected, PortalUnavailable


class Script:
    """Answers to give, in order (the last one repeats), and the requests received."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, object]] = [(200, {})]
        self.received: list[dict[str, object]] = []
        self.hold = threading.Event()  # set to release a handler that should hang
        self.hang = False


@pytest.fixture()
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            script.received.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                    "body": json.loads(body) if body else None})
            if script.hang:
                script.hold.wait(10)
                return
            status, payload = script.answers.pop(0) if len(script.answers) > 1 else script.answers[0]
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/problem+json" if status >= 400 else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Set-Cookie", "ingemplois_csrf=abc; Path=/; HttpOnly")
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _answer

        def log_message(self, *args: object) -> None:
            return None

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    finally:
        script.hold.set()
        httpd.shutdown()
        httpd.server_close()


# Shapes of contracts/company-portal.yaml (Company, StaffGroup, Member, StaffUser).
COMPANY = {
    "id": "c-1", "legal_name": "Génivert inc.", "neq": "1171234567", "address": "1000, rue Sherbrooke Ouest",
    "city": "Montréal", "province": "QC", "postal_code": "H3A 3G4", "country": "Canada", "phone": "514-555-0101",
    "source": "registry", "user_count": 2,
    "groups": [{"id": "g-1", "company_id": "c-1", "name": "Groupe 001", "user_count": 2,
                "members": [{"account_id": "a-1", "email": "marie@genivert.ca", "first_name": "Marie",
                             "last_name": "Tremblay", "function": "RH", "role": "principal", "version": 3}]}],
}
USER = {
    "id": "a-1", "email": "marie@genivert.ca", "first_name": "Marie", "last_name": "Tremblay", "function": "RH",
    "phone": "514-555-0102",
    "groups": [{"group_id": "g-1", "group_name": "Groupe 001", "company_id": "c-1", "company_name": "Génivert inc.",
                "role": "principal"}],
}


def test_get_forwards_the_bearer_token_and_reads_answers_tolerantly(server):
    url, script = server
    script.answers = [(200, {"items": [COMPANY]})]
    client = HttpPortalClient(url, backoff=0)
    (company,) = client.search_companies("staff-token", "génivert")
    assert (company.id, company.legal_name, company.neq, company.user_count) == ("c-1", "Génivert inc.",
                                                                                 "1171234567", 2)
    assert company.groups[0].members[0].name == "Marie Tremblay"
    (request,) = script.received
    assert request["path"] == "/api/company-portal/v1/staff/companies?q=g%C3%A9nivert"
    assert request["headers"]["Authorization"] == "Bearer staff-token"
    assert "Idempotency-Key" not in request["headers"]
    script.answers = [(200, {"items": [USER]})]
    (user,) = client.search_users("staff-token", "marie")
    assert (user.account_id, user.name) == ("a-1", "Marie Tremblay")
    assert (user.memberships[0].company_name, user.memberships[0].role) == ("Génivert inc.", "principal")
    script.answers = [(200, {**COMPANY, "extra": "ignored"})]
    detail = client.get_company("staff-token", "c-1")
    assert (detail.groups[0].name, detail.groups[0].member_count) == ("Groupe 001", 2)


def test_every_write_carries_a_fresh_idempotency_key(server):
    url, script = server
    script.answers = [(201, {"id": "g-2", "company_id": "c-1", "name": "Bureau", "user_count": 0})]
    client = HttpPortalClient(url, backoff=0)
    assert client.create_group("tok", "c-1", "Bureau").id == "g-2"
    script.answers = [(200, {"account_id": "a-1", "group_id": "g-2", "role": "affichage", "version": 1})]
    client.move_membership("tok", "a-1", "g-1", "g-2", "affichage")
    script.answers = [(200, COMPANY)]
    client.update_company("tok", "c-1", {"legal_name": "Génivert inc."})
    keys = [r["headers"]["Idempotency-Key"] for r in script.received]
    # The gateway's cookies are never sent back: the client is shared by every staff member.
    assert all("Cookie" not in r["headers"] for r in script.received)
    assert len(set(keys)) == 3 and all(uuid.UUID(k).version == 4 for k in keys)
    assert [(r["method"], r["path"]) for r in script.received] == [
        ("POST", "/api/company-portal/v1/staff/companies/c-1/groups"),
        ("POST", "/api/company-portal/v1/staff/memberships/move"),
        ("PATCH", "/api/company-portal/v1/staff/companies/c-1"),
    ]
    assert script.received[1]["body"] == {"account_id": "a-1", "from_group_id": "g-1", "to_group_id": "g-2",
                                          "role": "affichage"}


def test_get_is_retried_after_a_503_but_writes_never_are(server):
    url, script = server
    script.answers = [(503, {}), (200, {"items": [COMPANY]})]
    client = HttpPortalClient(url, backoff=0)
    assert len(client.search_companies("tok", "x")) == 1
    assert len(script.received) == 2
    script.received.clear()
    script.answers = [(503, {})]
    with pytest.raises(PortalUnavailable):
        client.create_group("tok", "c-1", "Bureau")
    assert len(script.received) == 1
    script.received.clear()
    with pytest.raises(PortalUnavailable):
        client.search_companies("tok", "x")
    assert len(script.received) == 3  # the first try and two retries


def test_a_4xx_answer_is_a_rejection_with_its_field_errors(server):
    url, script = server
    script.answers = [(422, {"type": "about:blank", "title": "Données invalides", "status": 422,
                             "detail": "Le NEQ doit compter exactement 10 chiffres.", "code": "invalid_neq",
                             "field": "neq"})]
    client = HttpPortalClient(url, backoff=0)
    with pytest.raises(PortalRejected) as caught:
        client.update_company("tok", "c-1", {"neq": "12"})
    assert (caught.value.status, caught.value.code) == (422, "invalid_neq")
    assert caught.value.field_errors == {"neq": "Le NEQ doit compter exactement 10 chiffres."}
    script.answers = [(404, {"status": 404, "code": "company_not_found"})]
    with pytest.raises(PortalRejected) as caught:
        client.get_company("tok", "nope")
    assert caught.value.status == 404
    assert len(script.received) == 2  # a 4xx is never retried


def test_a_server_that_does_not_answer_in_time_is_unavailable(server):
    url, script = server
    script.hang = True
    client = HttpPortalClient(url, timeout=0.2, backoff=0)
    with pytest.raises(PortalUnavailable):
        client.search_companies("tok", "x")
    assert len(script.received) == 1  # a read timeout is not retried: the page answers in time
    with pytest.raises(PortalUnavailable):
        client.move_membership("tok", "a-1", "g-1", "g-2", "principal")
    assert len(script.received) == 2


def test_an_answer_without_objects_reads_as_empty(server):
    url, script = server
    script.answers = [(200, "not an object")]
    client = HttpPortalClient(url, backoff=0)
    assert client.search_companies("tok", "x") == []  # tolerant: a JSON string holds no company


def test_the_matches_of_a_request_are_read_with_their_reasons(server):
    url, script = server
    script.answers = [(200, {"request_id": "r-1", "items": [{"reasons": ["neq", "name"], "company": COMPANY}]})]
    (match,) = HttpPortalClient(url, backoff=0).request_matches("staff-token", "r-1")
    assert match.reasons == ("neq", "name")
    assert (match.company.legal_name, match.company.groups[0].members[0].role) == ("Génivert inc.", "principal")
    assert script.received[0]["path"] == "/api/company-portal/v1/staff/requests/r-1/matches"
    assert script.received[0]["headers"]["Authorization"] == "Bearer staff-token"
