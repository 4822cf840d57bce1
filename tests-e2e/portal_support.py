"""The Portail des entreprises as people use it, through the gateway: an employer's account, the
wizard, OIQ staff deciding in the moderation pages, and the emails each step sends.

Fixtures (imported by conftest.py): `staff` (an OIQ staff account made by identity's operator
command), `registry` (companies with random NEQs imported by company-portal's registry command),
and a session-wide check that no email reached the SMTP sink twice.
"""

from __future__ import annotations

import csv
import random
import re
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from plumbing.config import REPO_ROOT
from plumbing.testing import wait_until
from suite.distributed import DistributedSuite
from tests_e2e_support import Browser, emails_to, forms_of, link_in, unique_email, wait_for_email

PASSWORD = "Genie-civil-2026"
API = "/api/company-portal/v1"

# Subjects (French first; the mailer writes "Français / English · ingemplois").
VERIFICATION = "Confirmez votre adresse courriel"
WELCOME = "Bienvenue"
PENDING = "Votre demande est en attente d’approbation"
APPROVED = "Votre demande a été approuvée"
REFUSED = "Votre demande a été refusée"
JOIN_NOTICE = "Nouvelle demande pour joindre votre groupe"
ACCOUNT_EMAILS = (VERIFICATION, WELCOME)


# Reading pages -----------------------------------------------------------------------------
def text_of(html: str) -> str:
    """What a person reads on the page: tags dropped, entities decoded, spaces collapsed."""
    import html as html_lib

    without_tags = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", without_tags)).split())


def post_form(browser: Browser, page: httpx.Response | str, action_contains: str,
              values: dict[str, str] | None = None) -> httpx.Response:
    """Submit the POST form of an already fetched page (hidden fields and CSRF kept)."""
    html = page if isinstance(page, str) else page.text
    for form in forms_of(html):
        if action_contains in form["action"] and form["method"].lower() == "post":
            return browser.post(form["action"], data={**form["fields"], **(values or {})})
    raise AssertionError(f"no POST form with action ~ {action_contains!r} in:\n{text_of(html)[:1500]}")


def csrf_of(browser: Browser) -> str:
    """The CSRF token pages embed (what an API call from a page sends as X-CSRF-Token)."""
    return browser.form("/compte/", "/compte/deconnexion")["fields"]["csrf_token"]


def follow(browser: Browser, response: httpx.Response, expected_prefix: str) -> httpx.Response:
    assert response.status_code == 303, (response.status_code, text_of(response.text)[:1500])
    location = response.headers["location"]
    assert location.startswith(expected_prefix), location
    page = browser.get(location)
    assert page.status_code == 200, (location, page.status_code, text_of(page.text)[:1000])
    return page


# Emails ------------------------------------------------------------------------------------
def plain_text(message: Any) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def html_text(message: Any) -> str:
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    return str(body.get_content())


def subjects_to(mail_dir: Path, recipient: str) -> Counter[str]:
    return Counter(str(message["Subject"]) for message in emails_to(mail_dir, recipient))


def assert_emails_exactly(mail_dir: Path, expected: dict[str, tuple[str, ...]], timeout: float = 30.0) -> None:
    """Each recipient gets exactly these emails (subject prefixes), each once: waits for the
    missing ones, fails at once on a duplicate or an unexpected email."""

    def state() -> bool:
        for recipient, prefixes in expected.items():
            got = subjects_to(mail_dir, recipient)
            for subject, count in got.items():
                matching = [p for p in prefixes if subject.startswith(p)]
                assert matching, f"unexpected email to {recipient}: {subject!r} (all: {dict(got)})"
                assert count == 1, f"{count} copies of {subject!r} to {recipient}"
            if sorted(p for p in prefixes if any(s.startswith(p) for s in got)) != sorted(prefixes):
                return False
        return True

    wait_until(state, timeout=timeout, interval=0.2,
               message=lambda: str({r: dict(subjects_to(mail_dir, r)) for r in expected}))


# Accounts ----------------------------------------------------------------------------------
@dataclass
class Employer:
    email: str
    first_name: str
    last_name: str
    browser: Browser

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def register_and_verify(browser: Browser, mail_dir: Path, first_name: str, last_name: str) -> str:
    """Sign up as an employer and confirm the address from the email; returns the address."""
    email = unique_email()
    response = browser.submit("/compte/inscription", {
        "email": email, "first_name": first_name, "last_name": last_name,
        "password": PASSWORD, "password_confirmation": PASSWORD,
    }, action_contains="/compte/inscription")
    assert response.status_code == 303, text_of(response.text)[:1000]
    page = browser.get(link_in(wait_for_email(mail_dir, email, subject_contains=VERIFICATION), "/compte/verifier"))
    verified = post_form(browser, page, "/compte/verifier")
    assert verified.status_code == 200, text_of(verified.text)[:1000]
    return email


def log_in(browser: Browser, email: str, next_path: str = "") -> httpx.Response:
    path = f"/compte/connexion?next={next_path}" if next_path else "/compte/connexion"
    response = browser.submit(path, {"email": email, "password": PASSWORD}, "/compte/connexion")
    assert response.status_code == 303, text_of(response.text)[:1000]
    return response


def new_employer(suite: DistributedSuite, mail_dir: Path, first_name: str, last_name: str) -> Employer:
    """A verified employer, signed in, in their own cookie jar (the caller closes the browser)."""
    browser = Browser(suite.gateway_url)
    email = register_and_verify(browser, mail_dir, first_name, last_name)
    # Like a person arriving at the portal signed out: the login page sends them back there.
    to_login = browser.get("/entreprises/")
    assert to_login.status_code == 303 and to_login.headers["location"] == "/compte/connexion?next=/entreprises/"
    assert log_in(browser, email, "/entreprises/").headers["location"] == "/entreprises/"
    return Employer(email, first_name, last_name, browser)


# The company registry ----------------------------------------------------------------------
@dataclass
class RegistryCompany:
    neq: str
    legal_name: str
    street: str
    city: str
    postal_code: str


@dataclass
class Registry:
    """Companies imported into company-portal once per session, handed out one per journey."""

    companies: list[RegistryCompany] = field(default_factory=list)

    def take(self) -> RegistryCompany:
        assert self.companies, "the e2e registry is used up: raise REGISTRY_SIZE"
        return self.companies.pop()


REGISTRY_SIZE = 32
_PLACES = ("Boréal", "Charlevoix", "Outaouais", "Mauricie", "Beauce", "Gaspésie", "Estrie", "Abitibi")
_CITIES = (("Montréal", "H2X 3J6"), ("Québec", "G1K 4A1"), ("Sherbrooke", "J1H 5A9"), ("Trois-Rivières", "G9A 2H4"))


def write_registry_csv(path: Path, count: int) -> list[RegistryCompany]:
    """A file in the Registraire's columns (NOM_ASSUJ carried on each row), random NEQs and names."""
    rng = random.Random(uuid.uuid4().int)
    companies: list[RegistryCompany] = []
    neqs: set[str] = set()
    while len(companies) < count:
        neq = f"11{rng.randrange(10**8):08d}"
        if neq in neqs:
            continue
        neqs.add(neq)
        token = uuid.uuid4().hex[:6].upper()
        city, postal = rng.choice(_CITIES)
        companies.append(RegistryCompany(neq, f"Génie-Conseil {rng.choice(_PLACES)} {token} inc.",
                                         f"{rng.randint(1, 9999)}, rue Principale", city, postal))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["NEQ", "COD_STAT_IMMAT", "ADR_DOMCL_ADR_DISP", "ADR_DOMCL_LIGN1_ADR", "ADR_DOMCL_LIGN2_ADR",
                         "ADR_DOMCL_LIGN3_ADR", "ADR_DOMCL_LIGN4_ADR", "NOM_ASSUJ"])
        for c in companies:
            writer.writerow([c.neq, "IM", "O", c.street, f"{c.city} (Québec)", "", c.postal_code.replace(" ", ""),
                             c.legal_name])
    return companies


def run_command(suite: DistributedSuite, *argv: str) -> str:
    result = subprocess.run([sys.executable, "-m", *argv], env=suite.env(), cwd=REPO_ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, f"{argv} failed ({result.returncode}):\n{result.stdout}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="session")
def registry(suite: DistributedSuite, tmp_path_factory: pytest.TempPathFactory) -> Registry:
    path = tmp_path_factory.mktemp("registry") / "Entreprise.csv"
    companies = write_registry_csv(path, REGISTRY_SIZE)
    summary = run_command(suite, "company_portal.entrypoints.registry", "import-csv", str(path))
    assert f"{REGISTRY_SIZE} ajoutées" in summary, summary
    return Registry(companies)


# OIQ staff ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Staff:
    email: str


@pytest.fixture(scope="session")
def staff(suite: DistributedSuite) -> Staff:
    email = f"personnel.{uuid.uuid4().hex[:10]}@oiq.qc.ca"
    out = run_command(suite, "identity.entrypoints.admin", "create-staff", "--email", email, "--password", PASSWORD,
                      "--first-name", "Louise", "--last-name", "Moderatrice")
    assert email in out, out
    return Staff(email)


@pytest.fixture()
def staff_browser(suite: DistributedSuite, staff: Staff) -> Iterator[Browser]:
    with Browser(suite.gateway_url) as browser:
        log_in(browser, staff.email)
        yield browser


def queue_row(staff_browser: Browser, requester_email: str, kind: str = "") -> str:
    """Wait until the moderation queue lists the requester's request; its id."""

    def find() -> str | None:
        page = staff_browser.get("/moderation/demandes", params={"type": kind} if kind else None)
        assert page.status_code == 200, text_of(page.text)[:500]
        for request_id, row in re.findall(r'<tr data-request-id="([^"]+)">(.*?)</tr>', page.text, flags=re.S):
            if requester_email in row:
                return request_id
        return None

    return wait_until(find, timeout=20, interval=0.2, message=f"no queued request of {requester_email}")


# The wizard --------------------------------------------------------------------------------
def search(employer: Employer, query: str) -> httpx.Response:
    page = employer.browser.get("/entreprises/demande", params={"q": query})
    assert page.status_code == 200
    return page


def result_row(page: httpx.Response, neq: str) -> str:
    rows = [row for row in re.findall(r"<tr>(.*?)</tr>", page.text, flags=re.S)
            if re.search(rf"<td[^>]*>{neq}</td>", row)]
    assert len(rows) == 1, f"{len(rows)} rows with NEQ {neq}:\n{text_of(page.text)[-1500:]}"
    return rows[0]


def choose_company_by_neq(employer: Employer, company: RegistryCompany, *, has_users: bool) -> httpx.Response:
    """Tab 1: search by NEQ, check the row, choose it; returns tab 2."""
    page = search(employer, company.neq)
    row = result_row(page, company.neq)
    cells = [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
    assert cells[0] == company.legal_name and cells[2] == company.postal_code, cells
    assert cells[4] == ("Oui" if has_users else "Non"), cells  # « Utilisateur existant »
    company_id = re.search(r'name="company_id" value="([^"]+)"', row)
    assert company_id
    chosen = post_form(employer.browser, page, "/entreprises/demande/entreprise-choisie",
                       {"company_id": company_id.group(1)})
    return follow(employer.browser, chosen, "/entreprises/demande/entreprise")


def validate_company(employer: Employer, tab2: httpx.Response, changes: dict[str, str]) -> httpx.Response:
    """Tab 2: keep what is shown, change what is given; returns tab 3."""
    saved = post_form(employer.browser, tab2, "/entreprises/demande/entreprise", changes)
    return follow(employer.browser, saved, "/entreprises/demande/vous")


def about_you(employer: Employer, tab3: httpx.Response, *, phone: str, function: str, group: str) -> httpx.Response:
    """Tab 3; returns the confirmation tab."""
    saved = post_form(employer.browser, tab3, "/entreprises/demande/vous",
                      {"phone": phone, "function": function, "group": group})
    return follow(employer.browser, saved, "/entreprises/demande/confirmation")


def submit(employer: Employer, confirmation: httpx.Response) -> httpx.Response:
    """Tab 4: submit; returns « Mes demandes » with its notice."""
    sent = post_form(employer.browser, confirmation, "/entreprises/demande/confirmation")
    page = follow(employer.browser, sent, "/entreprises/mes-demandes?ok=envoyee")
    assert "Votre demande est en attente d'approbation." in text_of(page.text)
    return page


def ask_for_new_group(employer: Employer, company: RegistryCompany) -> None:
    """The whole wizard for a company nobody uses yet (only « Nouveau groupe » is possible)."""
    tab2 = choose_company_by_neq(employer, company, has_users=False)
    tab3 = validate_company(employer, tab2, {"phone": "514 555-0123"})
    radios = re.findall(r'<input type="radio" name="group" value="([^"]+)"\s*checked', tab3.text)
    assert radios == ["new"], radios
    confirmation = about_you(employer, tab3, phone="5145550199", function="Ingénieur·e", group="new")
    assert "Nouveau groupe (approbation par l'Ordre)" in text_of(confirmation.text)
    submit(employer, confirmation)


def my_groups(browser: Browser) -> list[dict[str, Any]]:
    response = browser.get(f"{API}/me/groups")
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def wait_for_group(browser: Browser) -> dict[str, Any]:
    """Company-portal applies a staff decision when the event arrives: wait for the membership."""
    groups = wait_until(lambda: my_groups(browser), timeout=20, interval=0.2, message="no group yet")
    assert len(groups) == 1, groups
    return groups[0]


def staff_approves_new_group(staff_browser: Browser, employer: Employer, note: str = "") -> str:
    request_id = queue_row(staff_browser, employer.email, "new_group")
    detail = staff_browser.get(f"/moderation/demandes/{request_id}")
    assert employer.email in detail.text
    decided = post_form(staff_browser, detail, f"/moderation/demandes/{request_id}/approuver", {"note": note})
    page = follow(staff_browser, decided, f"/moderation/demandes/{request_id}?fait=approuvee")
    assert "Approuvée" in text_of(page.text)
    return request_id


def principal_of_new_group(suite: DistributedSuite, mail_dir: Path, staff_browser: Browser, company: RegistryCompany,
                           first_name: str, last_name: str) -> tuple[Employer, dict[str, Any]]:
    """A first user of `company` who asked for a new group, approved by staff: its principal."""
    employer = new_employer(suite, mail_dir, first_name, last_name)
    ask_for_new_group(employer, company)
    staff_approves_new_group(staff_browser, employer)
    group = wait_for_group(employer.browser)
    assert (group["group_name"], group["role"]) == ("Groupe 001", "principal"), group
    return employer, group


def ask_to_join(employer: Employer, company: RegistryCompany, group_id: str, group_name: str) -> None:
    tab2 = choose_company_by_neq(employer, company, has_users=True)
    tab3 = validate_company(employer, tab2, {"phone": "514 555-0123"})
    assert f"Joindre le groupe existant « {group_name} »" in text_of(tab3.text)
    confirmation = about_you(employer, tab3, phone="438-555-0142", function="Contrôleuse financière", group=group_id)
    assert f"Joindre le groupe existant « {group_name} » (approbation par le ou la responsable principal·e)" in \
        text_of(confirmation.text)
    submit(employer, confirmation)


def join_request_on_page(principal: Employer, requester_email: str) -> tuple[httpx.Response, str]:
    """The principal's « Demandes d'adhésion » page once it lists the request; the request id."""

    def find() -> tuple[httpx.Response, str] | None:
        page = principal.browser.get("/entreprises/demandes")
        assert page.status_code == 200, text_of(page.text)[:500]
        for request_id, article in re.findall(r'<article id="demande-([^"]+)">(.*?)</article>', page.text, re.S):
            if requester_email in article:
                return page, request_id
        return None

    return wait_until(find, timeout=10, interval=0.2, message=f"no join request of {requester_email}")


# The whole session -------------------------------------------------------------------------
@pytest.fixture(scope="session", autouse=True)
def no_email_twice(suite: DistributedSuite) -> Iterator[None]:
    """After every test: no recipient received the same subject twice in the whole session."""
    yield
    counts = Counter((str(m["To"]).lower(), str(m["Subject"])) for m in emails_to(suite.mail_dir, "@"))
    duplicates = {key: n for key, n in counts.items() if n > 1}
    assert not duplicates, f"emails sent more than once: {duplicates}"
