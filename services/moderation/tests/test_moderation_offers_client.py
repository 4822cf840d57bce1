"""The HTTP client of offers' staff API against a small local server: paths and bodies of
contracts/offers.yaml (tag `staff`), the staff member's token and language, the form's
Idempotency-Key on decisions (never retried), problem+json refusals and unavailability."""

import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from moderation.adapters.offers_client import HttpOffersClient
from moderation.service_layer.ports import OffersRejected, OffersUnavailable, StaffCall

CALL = StaffCall("staff-token", "en")
OFFER_ID = "0b5d8f8e-2a57-4c1e-9d1b-4f4b2f8f6a11"
CONTENT = {
    "title_fr": "Ingénieur·e",
    "title_en": "",
    "description_fr": "<p>Texte</p>",
    "description_en": "",
    "function_type": "conception",
    "engineering_domains": ["civil"],
    "employment_type": "permanent",
    "position_status": "temps-plein",
    "work_formula": "hybride",
    "application_deadline": "2026-12-15",
    "salary": "",
    "reference_number": "",
    "years_on_roll": "",
    "workplace": {"kind": "outside_quebec", "street": "", "city": "", "postal_code": "", "places": []},
    "interests": [],
}
STAFF_OFFER = {
    "offer": {
        "id": OFFER_ID,
        "group_id": "5d1b2c3e-0000-4000-8000-000000000001",
        "profile": "ing",
        "status": "in_validation",
        "status_label": {"fr": "En validation", "en": "Under review"},
        "version": 4,
        "created_by": "a-1",
        "created_at": "2026-11-01T14:00:00Z",
        "updated_at": "2026-11-02T14:00:00Z",
        "content": CONTENT,
        "config": {"featured": False, "posting": "immediate", "apply_method": "url", "apply_to": "https://x.ca"},
        "hints": [
            {
                "code": "no_french",
                "severity": "warning",
                "message": {"fr": "Pas de français", "en": "No French"},
                "field": None,
            }
        ],
        "online": True,
        "actions": [],
        "published_at": "2026-10-01T14:00:00Z",
        "publication_ends_at": "2026-11-01T04:59:59Z",
        "featured_until": None,
        "credit_types_reserved": [],
    },
    "live_content": {**CONTENT, "title_fr": "Ancien titre"},
    "history": [
        {
            "at": "2026-11-02T14:00:00Z",
            "actor_id": "a-1",
            "actor_kind": "employer",
            "action": "modify",
            "from_status": "published",
            "to_status": "in_validation",
            "reason": None,
        }
    ],
    "group": {"id": "5d1b2c3e-0000-4000-8000-000000000001", "name": "Groupe 001", "company_name": "Génivert inc."},
}


class Script:
    def __init__(self) -> None:
        self.answers: list[tuple[int, object]] = [(200, {})]
        self.received: list[dict[str, object]] = []


@pytest.fixture()
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            script.received.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "headers": dict(self.headers),
                    "body": json.loads(raw) if raw else None,
                }
            )
            status, body = script.answers.pop(0) if len(script.answers) > 1 else script.answers[0]
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/problem+json" if status >= 400 else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", script
    httpd.shutdown()
    httpd.server_close()


def test_reading_an_offer_with_the_staff_token_and_language(server):
    url, script = server
    script.answers = [(200, STAFF_OFFER)]
    offer = HttpOffersClient(url).get_offer(CALL, OFFER_ID)
    (request,) = script.received
    assert (request["method"], request["path"]) == ("GET", f"/api/offers/v1/staff/offers/{OFFER_ID}")
    assert request["headers"]["Authorization"] == "Bearer staff-token"
    assert request["headers"]["Accept-Language"] == "en" and "Idempotency-Key" not in request["headers"]
    assert (offer.id, offer.status, offer.version, offer.group_name, offer.company_name) == (
        OFFER_ID,
        "in_validation",
        4,
        "Groupe 001",
        "Génivert inc.",
    )
    assert offer.content["engineering_domains"] == ["civil"] and offer.live_content["title_fr"] == "Ancien titre"
    assert offer.hints[0].message("en") == "No French" and offer.hints[0].field is None
    assert offer.history[0].action == "modify" and offer.online is True


def test_an_offer_never_approved_has_no_live_content(server):
    url, script = server
    script.answers = [(200, {**STAFF_OFFER, "live_content": None})]
    assert HttpOffersClient(url).get_offer(CALL, OFFER_ID).live_content is None


def test_decisions_carry_the_key_the_version_and_their_body(server):
    url, script = server
    client = HttpOffersClient(url)
    client.approve(CALL, OFFER_ID, version=4, changes=None, key="key-approve-1")
    client.approve(CALL, OFFER_ID, version=4, changes={"title_fr": "Nouveau"}, key="key-approve-2")
    client.return_for_revision(CALL, OFFER_ID, "Ajoutez les tâches.", version=4, key="key-return-1")
    client.withdraw(CALL, OFFER_ID, "Non conforme.", version=None, key="key-withdraw-1")
    client.move_application_deadline(CALL, OFFER_ID, date(2026, 12, 20), version=4, key="key-deadline-1")
    base = f"/api/offers/v1/staff/offers/{OFFER_ID}"
    assert [(r["method"], r["path"], r["body"], r["headers"]["Idempotency-Key"]) for r in script.received] == [
        ("POST", f"{base}/approval", {"version": 4}, "key-approve-1"),
        ("POST", f"{base}/approval", {"version": 4, "changes": {"title_fr": "Nouveau"}}, "key-approve-2"),
        ("POST", f"{base}/return", {"version": 4, "comment": "Ajoutez les tâches."}, "key-return-1"),
        ("POST", f"{base}/withdrawal", {"reason": "Non conforme."}, "key-withdraw-1"),
        ("PUT", f"{base}/application-deadline", {"version": 4, "date": "2026-12-20"}, "key-deadline-1"),
    ]


def test_a_refusal_becomes_offers_rejected_with_its_field_errors(server):
    url, script = server
    script.answers = [
        (
            422,
            {
                "type": "about:blank",
                "title": "Invalide",
                "status": 422,
                "code": "incomplete",
                "detail": "Le contenu est incomplet.",
                "errors": [{"field": "title_fr", "code": "required", "detail": "Obligatoire."}],
            },
        )
    ]
    with pytest.raises(OffersRejected) as caught:
        HttpOffersClient(url).approve(CALL, OFFER_ID, version=4, changes={"title_fr": ""}, key="key-approve-3")
    assert (caught.value.status, caught.value.code, caught.value.detail) == (
        422,
        "incomplete",
        "Le contenu est incomplet.",
    )
    assert caught.value.field_errors == {"title_fr": "Obligatoire."}


def test_a_failing_server_is_unavailable_and_decisions_are_never_retried(server):
    url, script = server
    script.answers = [(503, {})]
    client = HttpOffersClient(url, backoff=0)
    with pytest.raises(OffersUnavailable):
        client.return_for_revision(CALL, OFFER_ID, "x", version=4, key="key-return-2")
    assert len(script.received) == 1
    with pytest.raises(OffersUnavailable):
        client.get_offer(CALL, OFFER_ID)
    assert len(script.received) == 1 + 3  # a read is retried twice


def test_a_dead_server_is_unavailable():
    with pytest.raises(OffersUnavailable):
        HttpOffersClient("http://127.0.0.1:1", get_retries=0).get_offer(CALL, OFFER_ID)


def test_reference_lists_by_name(server):
    url, script = server
    script.answers = [
        (200, {"lists": {"engineering_domains": [{"code": "civil", "fr": "Génie civil", "en": "Civil engineering"}]}})
    ]
    lists = HttpOffersClient(url).reference(CALL)
    assert script.received[0]["path"] == "/api/offers/v1/reference"
    assert lists["engineering_domains"][0].label("en") == "Civil engineering"


def test_municipalities_nested_in_their_region_are_gathered(server):
    url, script = server
    region = {
        "code": "06",
        "fr": "Montréal",
        "en": "Montreal",
        "municipalities": [{"code": "66023", "fr": "Montréal", "en": "Montreal"}],
    }
    script.answers = [(200, {"lists": {"regions": [region]}})]
    lists = HttpOffersClient(url).reference(CALL)
    assert [i.code for i in lists["regions"]] == ["06"] and [i.code for i in lists["municipalities"]] == ["66023"]


def test_the_default_client_goes_to_offers_url(tmp_path, contracts_dir, monkeypatch):
    from moderation_testkit import make_settings

    from moderation.bootstrap import bootstrap

    monkeypatch.setenv("OFFERS_URL", "http://offers-web:8000/")
    service = bootstrap(make_settings(tmp_path, contracts_dir))
    client = service.extras["offers_client"]
    assert isinstance(client, HttpOffersClient)
    assert client.base_url == "http://offers-web:8000/api/offers/v1" and client.timeout == 5.0
    service.runtime.engine.dispose()
