"""The HTTP client of company-portal's staff API against a small local server that holds it to
contracts/company-portal.yaml (every request checked against its operation, every scripted answer
against the declared response): headers, retries only for reads, the caller's idempotency key on
every write, timeouts, and tolerant reading of answers."""

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from portal_contract import PortalContract

from moderation.adapters.portal_client import HttpPortalClient, PortalRejected, PortalUnavailable
from moderation.service_layer.ports import StaffCall

CONTRACT = PortalContract()
TOK = StaffCall("tok")


class Script:
    """Answers to give, in order (the last one repeats), and the requests received."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, object]] = [(200, {})]
        self.received: list[dict[str, object]] = []
        self.hold = threading.Event()  # set to release a handler that should hang
        self.hang = False
        self.violations: list[str] = []  # requests and scripted answers that break the contract
        self.off_contract = False  # set by tests of answers the contract does not allow (tolerance)


@pytest.fixture()
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            payload_in = json.loads(body) if body else None
            script.received.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                    "body": payload_in})
            script.violations += CONTRACT.check_request(self.command, self.path, dict(self.headers), payload_in)
            if script.hang:
                script.hold.wait(10)
                return
            status, payload = script.answers.pop(0) if len(script.answers) > 1 else script.answers[0]
            if not script.off_contract and status < 500:
                script.violations += CONTRACT.check_answer(self.command, self.path, status, payload)
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
    assert script.violations == [], "\n".join(script.violations)


C1, G1, G2, A1 = (str(uuid.uuid4()) for _ in range(4))
# Shapes of contracts/company-portal.yaml (Company, StaffGroup, Member, StaffUser); the server checks them.
COMPANY = {
    "id": C1, "legal_name": "Génivert inc.", "neq": "1171234567", "address": "1000, rue Sherbrooke Ouest",
    "city": "Montréal", "province": "QC", "postal_code": "H3A 3G4", "country": "Canada", "phone": "514-555-0101",
    "source": "registry", "user_count": 2,
    "groups": [{"id": G1, "company_id": C1, "name": "Groupe 001", "user_count": 2,
                "members": [{"account_id": A1, "email": "marie@genivert.ca", "first_name": "Marie",
                             "last_name": "Tremblay", "function": "RH", "role": "principal", "version": 3}]}],
}
USER = {
    "id": A1, "email": "marie@genivert.ca", "first_name": "Marie", "last_name": "Tremblay", "function": "RH",
    "phone": "514-555-0102",
    "groups": [{"group_id": G1, "group_name": "Groupe 001", "company_id": C1, "company_name": "Génivert inc.",
                "role": "principal"}],
}
CHECKED = {"legal_name": "Génivert inc.", "neq": None, "address": "1000, rue Sherbrooke Ouest", "city": "Montréal",
           "province": "QC", "postal_code": "H3A 3G4", "country": "Canada", "phone": "514-555-0101"}


def test_get_forwards_the_bearer_token_and_reads_answers_tolerantly(server):
    url, script = server
    script.answers = [(200, {"items": [COMPANY]})]
    client = HttpPortalClient(url, backoff=0)
    (company,) = client.search_companies(StaffCall("staff-token", "en"), "génivert")
    assert (company.id, company.legal_name, company.neq, company.user_count) == (C1, "Génivert inc.",
                                                                                 "1171234567", 2)
    assert company.groups[0].members[0].name == "Marie Tremblay"
    (request,) = script.received
    assert request["path"] == "/api/company-portal/v1/staff/companies?q=g%C3%A9nivert"
    assert request["headers"]["Authorization"] == "Bearer staff-token"
    assert request["headers"]["Accept-Language"] == "en"  # company-portal answers in staff's language
    assert "Idempotency-Key" not in request["headers"]
    script.answers = [(200, {"items": [USER]})]
    (user,) = client.search_users(TOK, "marie")
    assert (user.account_id, user.name) == (A1, "Marie Tremblay")
    assert (user.memberships[0].company_name, user.memberships[0].role) == ("Génivert inc.", "principal")
    script.answers = [(200, COMPANY)]
    detail = client.get_company(TOK, C1)
    assert (detail.groups[0].name, detail.groups[0].member_count) == ("Groupe 001", 2)


def test_an_unknown_field_in_an_answer_is_ignored(server):
    url, script = server
    script.off_contract = True  # a newer company-portal may add fields
    script.answers = [(200, {**COMPANY, "extra": "ignored"})]
    assert HttpPortalClient(url, backoff=0).get_company(TOK, C1).legal_name == "Génivert inc."


def test_every_write_carries_the_callers_idempotency_key(server):
    url, script = server
    script.answers = [(201, {"id": G2, "company_id": C1, "name": "Bureau", "user_count": 0})]
    client = HttpPortalClient(url, backoff=0)
    assert client.create_group(TOK, C1, "Bureau", key="form-key-0001").id == G2
    script.answers = [(200, {"account_id": A1, "group_id": G2, "role": "affichage", "version": 1})]
    client.move_membership(TOK, A1, G1, G2, "affichage", key="form-key-0002")
    script.answers = [(200, COMPANY)]
    client.update_company(TOK, C1, {"legal_name": "Génivert inc."}, key="form-key-0003")
    keys = [r["headers"]["Idempotency-Key"] for r in script.received]
    # The gateway's cookies are never sent back: the client is shared by every staff member.
    assert all("Cookie" not in r["headers"] for r in script.received)
    assert keys == ["form-key-0001", "form-key-0002", "form-key-0003"]
    assert [(r["method"], r["path"]) for r in script.received] == [
        ("POST", f"/api/company-portal/v1/staff/companies/{C1}/groups"),
        ("POST", "/api/company-portal/v1/staff/memberships/move"),
        ("PATCH", f"/api/company-portal/v1/staff/companies/{C1}"),
    ]
    assert script.received[1]["body"] == {"account_id": A1, "from_group_id": G1, "to_group_id": G2,
                                          "role": "affichage"}


def test_the_company_check_sends_the_fields_as_typed_and_reads_the_cleaned_data(server):
    url, script = server
    script.answers = [(200, CHECKED)]
    client = HttpPortalClient(url, backoff=0)
    typed = {**CHECKED, "neq": "", "postal_code": "h3a3g4"}
    assert client.check_company(TOK, typed) == CHECKED
    (request,) = script.received
    assert (request["method"], request["body"]) == ("POST", typed)
    assert "Idempotency-Key" not in request["headers"]  # it changes nothing


def test_get_is_retried_after_a_503_but_writes_never_are(server):
    url, script = server
    script.answers = [(503, {}), (200, {"items": [COMPANY]})]
    client = HttpPortalClient(url, backoff=0)
    assert len(client.search_companies(TOK, "x")) == 1
    assert len(script.received) == 2
    script.received.clear()
    script.answers = [(503, {})]
    with pytest.raises(PortalUnavailable):
        client.create_group(TOK, C1, "Bureau", key="form-key-0001")
    assert len(script.received) == 1
    script.received.clear()
    with pytest.raises(PortalUnavailable):
        client.search_companies(TOK, "x")
    assert len(script.received) == 3  # the first try and two retries


def test_a_422_is_a_rejection_with_every_field_error_of_the_contract(server):
    url, script = server
    script.answers = [(422, {"type": "about:blank", "title": "Données invalides", "status": 422,
                             "detail": "Le NEQ doit compter exactement 10 chiffres.", "code": "neq_format",
                             "field": "neq", "errors": [
                                 {"field": "neq", "code": "neq_format",
                                  "detail": "Le NEQ doit compter exactement 10 chiffres."},
                                 {"field": "phone", "code": "phone_format", "detail": "Numéro invalide."}]})]
    client = HttpPortalClient(url, backoff=0)
    with pytest.raises(PortalRejected) as caught:
        client.update_company(TOK, C1, {"neq": "12", "phone": "1"}, key="form-key-0001")
    assert (caught.value.status, caught.value.code) == (422, "neq_format")
    assert caught.value.field_errors == {"neq": "Le NEQ doit compter exactement 10 chiffres.",
                                         "phone": "Numéro invalide."}
    script.answers = [(404, {"type": "about:blank", "title": "Introuvable", "status": 404,
                             "code": "company_not_found"})]
    with pytest.raises(PortalRejected) as caught:
        client.get_company(TOK, str(uuid.uuid4()))
    assert caught.value.status == 404
    assert len(script.received) == 2  # a 4xx is never retried


def test_a_server_that_does_not_answer_in_time_is_unavailable(server):
    url, script = server
    script.hang = True
    client = HttpPortalClient(url, timeout=0.2, backoff=0)
    with pytest.raises(PortalUnavailable):
        client.search_companies(TOK, "x")
    assert len(script.received) == 1  # a read timeout is not retried: the page answers in time
    with pytest.raises(PortalUnavailable):
        client.move_membership(TOK, A1, G1, G2, "principal", key="form-key-0001")
    assert len(script.received) == 2


def test_an_answer_without_objects_reads_as_empty(server):
    url, script = server
    script.off_contract = True
    script.answers = [(200, "not an object")]
    client = HttpPortalClient(url, backoff=0)
    assert client.search_companies(TOK, "x") == []  # tolerant: a JSON string holds no company


def test_the_contract_checker_catches_a_request_the_portal_would_refuse():
    """The server's checks can fail: an off-contract call is reported, not silently accepted."""
    assert CONTRACT.check_request("POST", f"/api/company-portal/v1/staff/companies/{C1}/groups",
                                  {"Authorization": "Bearer t"}, {"name": "x", "extra": 1}) != []
    assert CONTRACT.check_request("POST", f"/api/company-portal/v1/staff/companies/{C1}/groups",
                                  {"Authorization": "Bearer t", "Idempotency-Key": "form-key-0001"},
                                  {"name": "Bureau"}) == []
    assert CONTRACT.check_request("GET", "/api/company-portal/v1/staff/nope", {}, None) != []
    assert CONTRACT.check_answer("PATCH", f"/api/company-portal/v1/staff/companies/{C1}", 422,
                                 {"status": 422}) != []


def test_the_matches_of_a_request_are_read_with_their_reasons(server):
    url, script = server
    request_id = str(uuid.uuid4())
    script.answers = [(200, {"request_id": request_id, "items": [{"reasons": ["neq", "name"], "company": COMPANY}]})]
    (match,) = HttpPortalClient(url, backoff=0).request_matches(StaffCall("staff-token"), request_id)
    assert match.reasons == ("neq", "name")
    assert (match.company.legal_name, match.company.groups[0].members[0].role) == ("Génivert inc.", "principal")
    assert script.received[0]["path"] == f"/api/company-portal/v1/staff/requests/{request_id}/matches"
    assert script.received[0]["headers"]["Authorization"] == "Bearer staff-token"
