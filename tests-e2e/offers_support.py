"""Job offers (issue 9) through the gateway: a group with credits, the wizard's pages filled as a
person fills them, the staff's decisions in the moderation pages, the offers API, and offers'
clock moved forward (the one service whose time the e2e suite moves; docs/decisions.md).

Fixtures (imported by conftest.py): `offers_clock`.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from portal_support import PASSWORD, Employer, follow, principal_of_new_group, text_of

from plumbing.clock import QUEBEC
from plumbing.testing import wait_until
from suite.distributed import DistributedSuite
from tests_e2e_support import Browser

API = "/api/offers/v1"
#: The status labels of DESIGN.md (French first).
LABELS = {
    "draft": "En brouillon",
    "in_validation": "En validation",
    "to_revise": "À réviser",
    "scheduled": "Bientôt publiée",
    "published": "En cours",
    "expired": "Expirée",
    "archived": "Archivée",
}
#: The file the offers processes read their clock offset from (tests-e2e/conftest.py sets it).
CLOCK_FILE = "offers-clock-offset"


# offers' clock -------------------------------------------------------------------------------
@dataclass
class OffersClock:
    """Moves the offers service's time (every web and worker process reads the same file)."""

    path: Path
    offset: timedelta = timedelta(0)

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)
        self.path.write_text(str(self.offset.total_seconds()), encoding="utf-8")

    def reset(self) -> None:
        self.offset = timedelta(0)
        self.path.write_text("0", encoding="utf-8")

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def today(self) -> date:
        return self.now().astimezone(QUEBEC).date()


@pytest.fixture()
def offers_clock(suite: DistributedSuite) -> Iterator[OffersClock]:
    clock = OffersClock(suite.run_dir / CLOCK_FILE)
    clock.reset()
    try:
        yield clock
    finally:
        clock.reset()


# a group with credits ---------------------------------------------------------------------------
def access_token(suite: DistributedSuite, email: str) -> str:
    answer = httpx.post(
        f"{suite.gateway_url}/api/identity/v1/sessions", json={"email": email, "password": PASSWORD}, timeout=10
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["access_token"])


def give_credits(suite: DistributedSuite, group_id: str, company_id: str, credit_type: str, quantity: int) -> None:
    """Credits in the group's bank, as a purchase leaves them (buying is tested in test_billing_*)."""
    from catalog_billing.bootstrap import bootstrap
    from catalog_billing.service_layer import credits
    from plumbing.config import Settings

    settings = dataclasses.replace(
        Settings.from_env("catalog-billing"), database_url=suite.infra.database_urls["catalog-billing"]
    )
    bundle = bootstrap(settings)
    bus = bundle.extras["bus"]
    try:
        with bus.new_uow() as uow:
            credits.grant_purchase(
                uow,
                group_id=group_id,
                company_id=company_id,
                credit_type=credit_type,
                quantity=quantity,
                invoice_id=str(uuid.uuid4()),
                actor_account_id=None,
                now=bus.deps.clock.now(),
            )
            uow.commit()
    finally:
        bundle.runtime.engine.dispose()


def offers_knows_me(browser: Browser, group_id: str) -> None:
    """offers and catalog-billing learn memberships from company-portal's events: wait for both."""
    wait_until(
        lambda: (
            browser.get(f"{API}/groups/{group_id}/offers").status_code == 200
            and browser.get("/employeur/forfaits").status_code == 200
        ),
        timeout=30,
        interval=0.3,
        message="offers or catalog-billing never learned the membership",
    )


def employer_group(
    suite: DistributedSuite,
    mail_dir: Path,
    staff_browser: Browser,
    company: Any,
    first: str,
    last: str,
    credits: dict[str, int] | None = None,
) -> tuple[Employer, dict[str, Any]]:
    principal, group = principal_of_new_group(suite, mail_dir, staff_browser, company, first, last)
    offers_knows_me(principal.browser, group["group_id"])
    for credit_type, quantity in (credits or {}).items():
        give_credits(suite, group["group_id"], group["company_id"], credit_type, quantity)
    return principal, group


def balance(browser: Browser, credit_type: str) -> int:
    page = browser.get("/employeur/forfaits/mes-forfaits")
    assert page.status_code == 200
    found = re.search(rf'id="balance-{credit_type}".*?<strong class="count">(\d+)</strong>', page.text, re.S)
    assert found, text_of(page.text)[:800]
    return int(found.group(1))


# forms as a person fills them ---------------------------------------------------------------------
class _Fields(HTMLParser):
    """Every POST form of a page, with its fields: hidden and filled inputs, checked boxes and
    radios, and the options of each select (a person picks among them)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {
                "action": a.get("action", ""),
                "method": a.get("method", "get").lower(),
                "values": {},
                "options": {},
                "choices": {},
            }
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"}:
                self._form["choices"].setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    self._form["values"].setdefault(name, []).append(a.get("value", "on"))
            elif kind not in {"submit", "button", "file"}:
                self._form["values"][name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self._form["options"][name] = []
        elif tag == "option" and self._select:
            self._form["options"][self._select].append(a.get("value", ""))
            if "selected" in a:
                self._form["values"][self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._form["values"][name] = ""

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["values"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def page_form(html: str, action_contains: str) -> dict[str, Any]:
    parser = _Fields()
    parser.feed(html)
    for form in parser.forms:
        if action_contains in form["action"] and form["method"] == "post":
            return form
    raise AssertionError(f"no POST form with action ~ {action_contains!r} in:\n{text_of(html)[:1500]}")


def fill_and_post(
    browser: Browser,
    page: httpx.Response,
    action_contains: str,
    values: dict[str, Any],
    *,
    submit: tuple[str, str] | None = None,
) -> httpx.Response:
    """Keep what the form holds, set `values`, and for every select still empty pick its first real
    option (what a person does with a list they do not care about); `submit` names the button."""
    form = page_form(page.text, action_contains)
    data: dict[str, Any] = dict(form["values"])
    for name, options in form["options"].items():
        if not data.get(name):
            data[name] = next((o for o in options if o), "")
    data.update(values)
    if submit:
        data[submit[0]] = submit[1]
    return browser.post(form["action"] or str(page.url), data=data)


def choices(page: httpx.Response, action_contains: str, name: str) -> list[str]:
    form = page_form(page.text, action_contains)
    return [c for c in form["choices"].get(name, []) + form["options"].get(name, []) if c]


# the wizard -------------------------------------------------------------------------------------
DESCRIPTION_FR = (
    "<p><strong>Raison d'être</strong> : concevoir des ponts durables.</p>"
    "<p><strong>Tâches et responsabilités</strong> :</p><ul><li>Calculs de structure</li>"
    "<li>Inspection de chantier</li></ul><p><strong>Qualifications</strong> : membre de l'Ordre.</p>"
)
DESCRIPTION_EN = (
    "<p><strong>Purpose</strong>: design lasting bridges.</p><p><strong>Duties</strong>:</p>"
    "<ul><li>Structural design</li></ul><p><strong>Qualifications</strong>: OIQ member.</p>"
)


def details_values(page: httpx.Response, title: str, deadline: date, **extra: Any) -> dict[str, Any]:
    """The « Détails » fields (French and English tabs are one form), codes picked from the page."""
    values: dict[str, Any] = {
        "title_fr": title,
        "title_en": f"{title} (EN)",
        "description_fr": DESCRIPTION_FR,
        "description_en": DESCRIPTION_EN,
        "application_deadline": deadline.isoformat(),
        # What the rich-text editor sends (the textarea alone would be plain text).
        "description_fr_format": "html",
        "description_en_format": "html",
        "work_formula": "hybride",
        "salary": "85 000 $ à 95 000 $",
        "reference_number": "E2E-1",
        "workplace_kind": "outside_quebec",
    }
    domains = choices(page, "/details", "engineering_domains")
    assert domains, "no engineering domain to choose on the details page"
    values["engineering_domains"] = domains[:2]
    values.update(extra)
    return values


def start_offer(browser: Browser, profile: str = "ing") -> tuple[str, httpx.Response]:
    """« Créer une offre » → the profile → the details page; returns (offer id, details page)."""
    new = browser.get("/employeur/offres/nouvelle")
    assert new.status_code == 200, text_of(new.text)[:800]
    chosen = fill_and_post(browser, new, "/employeur/offres/nouvelle", {"profile": profile})
    assert chosen.status_code == 303, text_of(chosen.text)[:1500]
    found = re.search(r"/employeur/offres/([0-9a-f-]{36})/details", chosen.headers["location"])
    assert found, chosen.headers["location"]
    return found.group(1), follow(browser, chosen, f"/employeur/offres/{found.group(1)}/details")


def save_details(browser: Browser, offer_id: str, page: httpx.Response, values: dict[str, Any]) -> httpx.Response:
    """« Enregistrer et continuer » → the configuration page."""
    saved = fill_and_post(browser, page, f"/employeur/offres/{offer_id}/details", values, submit=("next", "continue"))
    return follow(browser, saved, f"/employeur/offres/{offer_id}/configuration")


def save_configuration(
    browser: Browser,
    offer_id: str,
    page: httpx.Response,
    *,
    posting: str = "immediate",
    posting_date: date | None = None,
    featured: bool = False,
) -> httpx.Response:
    """Configuration → the preview (« Prévisualiser »)."""
    values: dict[str, Any] = {
        "posting": posting,
        "apply_method": "url",
        "apply_to": "https://carrieres.example.ca/postuler",
    }
    if posting_date:
        values["posting_date"] = posting_date.isoformat()
    if featured:
        values["featured"] = "oui"
    saved = fill_and_post(
        browser, page, f"/employeur/offres/{offer_id}/configuration", values, submit=("next", "preview")
    )
    return follow(browser, saved, f"/employeur/offres/{offer_id}/apercu")


def send(browser: Browser, offer_id: str) -> httpx.Response:
    """[Continuer] on the preview: the offer goes to validation, or stays with a message."""
    preview = browser.get(f"/employeur/offres/{offer_id}/apercu")
    assert preview.status_code == 200, text_of(preview.text)[:800]
    form = page_form(preview.text, f"/employeur/offres/{offer_id}/envoi")
    return browser.post(form["action"], data=form["values"])


def status_label(browser: Browser, offer_id: str) -> str:
    """The status « Mes offres » shows for this offer (« Tous », else « Archivée »)."""
    page = browser.get("/employeur/offres")
    assert page.status_code == 200, text_of(page.text)[:500]
    rows = offer_rows(page.text, offer_id)
    if not rows:
        page = browser.get("/employeur/offres", params={"statut": "archived"})
        rows = offer_rows(page.text, offer_id)
    assert len(rows) == 1, f"{len(rows)} rows for {offer_id}:\n{text_of(page.text)[:1500]}"
    row = text_of(rows[0])
    shown = [label for label in LABELS.values() if label in row]
    assert len(shown) == 1, row
    return shown[0]


def offer_rows(html: str, offer_id: str) -> list[str]:
    return re.findall(rf'<tr[^>]*data-offer="{offer_id}"[^>]*>(.*?)</tr>', html, flags=re.S)


def wait_status(browser: Browser, offer_id: str, label: str, timeout: float = 75.0) -> None:
    """Ticks run in offers' worker (every OFFERS_TICK_SECONDS, 1 s in e2e)."""
    wait_until(
        lambda: status_label(browser, offer_id) == label,
        timeout=timeout,
        interval=0.5,
        message=lambda: f"{offer_id} is {status_label(browser, offer_id)!r}, not {label!r}",
    )


def history_text(browser: Browser, offer_id: str) -> str:
    page = browser.get(f"/employeur/offres/{offer_id}/historique")
    assert page.status_code == 200, text_of(page.text)[:500]
    return text_of(page.text)


# moderation -------------------------------------------------------------------------------------
def queued(staff_browser: Browser, offer_id: str) -> httpx.Response:
    """Wait until the staff queue lists the offer (moderation learns it from offers' events)."""

    def find() -> bool:
        page = staff_browser.get("/moderation/offres")
        assert page.status_code == 200, text_of(page.text)[:500]
        return f'data-offer-id="{offer_id}"' in page.text

    wait_until(find, timeout=30, interval=0.3, message=f"offer {offer_id} never reached the staff queue")
    detail = staff_browser.get(f"/moderation/offres/{offer_id}")
    assert detail.status_code == 200, text_of(detail.text)[:800]
    return detail


def decide(staff_browser: Browser, offer_id: str, action: str, values: dict[str, Any] | None = None) -> httpx.Response:
    """A decision form of the offer's moderation page (`approuver`, `retourner`, `retirer`)."""
    detail = (
        queued(staff_browser, offer_id) if action != "retirer" else staff_browser.get(f"/moderation/offres/{offer_id}")
    )
    form = page_form(detail.text, f"/moderation/offres/{offer_id}/{action}")
    decided = staff_browser.post(form["action"], data={**form["values"], **(values or {})})
    assert decided.status_code == 303, (decided.status_code, text_of(decided.text)[:1500])
    return staff_browser.get(decided.headers["location"])


def out_of_queue(staff_browser: Browser, offer_id: str) -> None:
    wait_until(
        lambda: f'data-offer-id="{offer_id}"' not in staff_browser.get("/moderation/offres").text,
        timeout=30,
        interval=0.3,
        message=f"offer {offer_id} stays in the staff queue",
    )


# the API ----------------------------------------------------------------------------------------
def api_offer_body(reference: dict[str, Any], title: str, deadline: date) -> dict[str, Any]:
    """An offer as an HR system sends it (contracts/offers.yaml), codes from GET /reference."""
    lists = reference["lists"]

    def codes(word: str) -> list[str]:
        for name, items in lists.items():
            if word in name and items:
                return [str(i["code"]) for i in items]
        raise AssertionError(f"no {word} list in GET /reference: {list(lists)}")

    return {
        "profile": "ing",
        "content": {
            "title_fr": title,
            "title_en": f"{title} (EN)",
            "description_fr": DESCRIPTION_FR,
            "description_en": DESCRIPTION_EN,
            "function_type": codes("function")[0],
            "engineering_domains": codes("domain")[:1],
            "employment_type": codes("employment")[0],
            "position_status": codes("position")[0],
            "work_formula": "teletravail",
            "application_deadline": deadline.isoformat(),
            "workplace": {"kind": "outside_quebec"},
            "interests": [],
        },
        "config": {
            "featured": False,
            "posting": "immediate",
            "apply_method": "url",
            "apply_to": "https://rh.example.ca/offres/1",
        },
    }


def billing_knows_key(suite: DistributedSuite, key: str) -> None:
    """catalog-billing learns a new key from offers' `offers.api_key.issued` (its projection, like
    memberships): until then it answers 401 on the credit reservations, the only paths keys reach."""
    url = f"{suite.gateway_url}/api/catalog-billing/v1/credit-reservations/{uuid.uuid4()}/ing"
    wait_until(
        lambda: httpx.get(url, headers={"Authorization": f"Bearer {key}"}, timeout=5).status_code == 404,
        timeout=30,
        interval=0.3,
        message="catalog-billing never learned the API key",
    )


def secret_in(body: dict[str, Any]) -> str:
    """The whole key of a new key (`key`, shown once: `ingk_<id>_<secret>`)."""
    key = str(body["key"])
    assert key.startswith(f"ingk_{body['id']}_"), key
    return key
