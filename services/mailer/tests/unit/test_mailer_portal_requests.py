"""Company-portal account requests → emails: the requester's pending notice, the principals'
notice for `join_group`, the decision (approved with the role, refused with the reason)."""

from __future__ import annotations

import uuid

import pytest

from mailer.adapters.templates import TEMPLATES_DIR
from mailer.domain.model import EmailStatus, dedup_key, message_id_for
from mailer.service_layer.commands import SendDueEmails
from plumbing.events.envelope import Envelope, PoisonMessage

PUBLIC = "https://emplois.example.org"
PENDING_SUBJECT = "Votre demande est en attente d’approbation / Your request is awaiting approval · ingemplois"
NOTICE_SUBJECT = "Nouvelle demande pour joindre votre groupe / New request to join your group · ingemplois"
APPROVED_SUBJECT = "Votre demande a été approuvée / Your request has been approved · ingemplois"
REFUSED_SUBJECT = "Votre demande a été refusée / Your request has been refused · ingemplois"


def consume(bundle, envelope) -> None:
    bundle.consumers[0](envelope.to_json(), {})


def stored(bundle):
    with bundle.extras["uow_factory"]() as uow:
        emails = uow.emails.list()
        uow.session.expunge_all()
        return emails


def by_recipient(bundle) -> dict:
    return {email.recipient: email for email in stored(bundle)}


def inbox_count(bundle) -> int:
    from sqlalchemy import func, select

    with bundle.runtime.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(bundle.runtime.inbox)).scalar_one()


def links_in(text: str) -> list[str]:
    return [word for word in text.split() if word.startswith("https://")]


def assert_bilingual(email, fr: str, en: str) -> None:
    """Both parts carry the French sentence in their French block, the English one in the English block."""
    for body, separator in ((email.text_body, "-" * 60), (email.html_body, '<div lang="en">')):
        assert "Version anglaise ci-dessous" in body and "English follows" in body
        french, english = body.split(separator)
        assert fr in french and en in english, (fr, en)


def assert_link(email, path: str) -> None:
    assert links_in(email.text_body) == [PUBLIC + path, PUBLIC + path]  # French block, English block
    assert f'href="{PUBLIC}{path}"' in email.html_body


def test_the_envelopes_of_the_tests_follow_the_contracts(bundle, events):
    for envelope in (events.request_submitted("join_group"), events.request_submitted("new_group"),
                     events.request_submitted("company_creation"), events.request_approved(),
                     events.request_refused()):
        bundle.runtime.schemas.validate(envelope)  # raises on any drift of contracts/events
        assert envelope.producer == "company-portal"


# portal.request.submitted ------------------------------------------------------------------

def test_a_join_request_tells_the_requester_and_each_principal(bundle, events):
    event = events.request_submitted("join_group")
    consume(bundle, event)

    emails = by_recipient(bundle)
    requester = event.data["requester"]["email"]
    assert set(emails) == {requester, "alain.roy@genie-conseil.example", "nadia.cote@genie-conseil.example"}

    pending = emails[requester]
    assert pending.template == "request_pending" and pending.subject == PENDING_SUBJECT
    assert pending.dedup_key == f"{event.id}:request_pending"
    assert pending.status == EmailStatus.PENDING
    assert_bilingual(pending, "Nous avons bien reçu votre demande pour joindre le groupe « Bureau de Québec » de "
                              "l’entreprise Génie Conseil inc.",
                     "We have received your request to join the group “Bureau de Québec” of Génie Conseil inc.")
    assert_bilingual(pending, "Le ou la Responsable principal·e de ce groupe examinera votre demande. "
                              "Vous recevrez un courriel avec la décision.",
                     "The group’s Primary administrator will review your request. "
                     "You will receive an email with the decision.")
    assert "Bonjour Julie," in pending.text_body and "Hello Julie," in pending.text_body
    assert "inc.." not in pending.text_body and "inc.." not in pending.html_body
    assert_link(pending, "/entreprises/mes-demandes")

    for principal in ("alain.roy@genie-conseil.example", "nadia.cote@genie-conseil.example"):
        notice = emails[principal]
        assert notice.template == "join_request_notice" and notice.subject == NOTICE_SUBJECT
        assert notice.dedup_key == dedup_key(event.id, "join_request_notice", principal)
        assert notice.message_id == message_id_for(notice.dedup_key)
        assert_bilingual(notice, f"Julie Tremblay ({requester}) demande à joindre le groupe « Bureau de Québec » "
                                 "de l’entreprise Génie Conseil inc.",
                         f"Julie Tremblay ({requester}) asks to join the group “Bureau de Québec” of "
                         "Génie Conseil inc.")
        assert_link(notice, "/entreprises/demandes")
    assert len({e.message_id for e in emails.values()}) == 3


@pytest.mark.parametrize(("kind", "fr", "en"), [
    ("new_group", "votre demande de création d’un nouveau groupe pour l’entreprise Génie Conseil inc.",
     "your request to create a new group for Génie Conseil inc."),
    ("company_creation", "votre demande de création de l’entreprise Génie Conseil inc.",
     "your request to create the company Génie Conseil inc."),
])
def test_a_request_for_the_ordre_tells_only_the_requester(bundle, events, kind, fr, en):
    event = events.request_submitted(kind)
    consume(bundle, event)

    [email] = stored(bundle)
    assert email.recipient == event.data["requester"]["email"]
    assert email.subject == PENDING_SUBJECT
    assert_bilingual(email, fr, en)
    assert_bilingual(email, "L’Ordre des ingénieurs du Québec examinera votre demande.",
                     "The Ordre des ingénieurs du Québec will review your request.")
    assert "Responsable principal" not in email.text_body
    assert_link(email, "/entreprises/mes-demandes")


def test_principals_are_mailed_once_each_whatever_the_case_of_their_address(bundle, events):
    event = events.request_submitted("join_group", principal_emails=[
        "alain.roy@genie-conseil.example", "Alain.Roy@Genie-Conseil.example", " ", "nadia.cote@genie-conseil.example"])
    consume(bundle, event)

    notices = [e.recipient for e in stored(bundle) if e.template == "join_request_notice"]
    assert sorted(notices) == ["alain.roy@genie-conseil.example", "nadia.cote@genie-conseil.example"]


def test_a_group_without_principal_leaves_only_the_requesters_email(bundle, events):
    consume(bundle, events.request_submitted("join_group", principal_emails=[]))
    assert [e.template for e in stored(bundle)] == ["request_pending"]


def test_html_parts_escape_the_names_from_the_request(bundle, events):
    event = events.request_submitted("join_group", group={"id": "0b6f2a7e-8c1d-4f1e-9a3b-2d4c6e8f0a1b",
                                                          "name": "<b>Équipe</b>"})
    event.data["company"]["legal_name"] = 'Smith & "Fils" <ltée>'
    event.data["requester"]["first_name"] = "<script>x</script>"
    consume(bundle, event)

    for email in stored(bundle):
        assert "<script>" not in email.html_body and "<b>Équipe" not in email.html_body
        assert "&lt;b&gt;Équipe&lt;/b&gt;" in email.html_body
        assert "Smith &amp; &#34;Fils&#34; &lt;ltée&gt;" in email.html_body
        assert "<b>Équipe</b>" in email.text_body and 'Smith & "Fils" <ltée>' in email.text_body
        assert "&amp;amp;" not in email.html_body and "&amp;lt;" not in email.html_body  # escaped once
    pending = by_recipient(bundle)[event.data["requester"]["email"]]
    assert "Bonjour &lt;script&gt;x&lt;/script&gt;," in pending.html_body


def test_a_join_request_without_its_principals_is_poison(bundle, events):
    event = events.request_submitted("join_group")
    del event.data["principal_emails"]  # required for join_group by the contract
    with pytest.raises(PoisonMessage):
        consume(bundle, event)
    assert stored(bundle) == [] and inbox_count(bundle) == 0


# portal.request.approved -------------------------------------------------------------------

@pytest.mark.parametrize(("role", "fr", "en"), [
    ("principal", "Responsable principal·e", "Primary administrator"),
    ("affichage", "Responsable de l’affichage", "Job posting manager"),
    ("finances", "Responsable des finances", "Finance manager"),
])
def test_an_approval_gives_the_company_the_group_and_the_role(bundle, events, role, fr, en):
    event = events.request_approved("join_group", role=role)
    consume(bundle, event)

    [email] = stored(bundle)
    assert email.recipient == event.data["requester_email"]
    assert email.template == "request_approved" and email.subject == APPROVED_SUBJECT
    assert email.dedup_key == f"{event.id}:request_approved"
    assert_bilingual(email, "Votre demande pour joindre le groupe « Bureau de Québec » de l’entreprise Génie Conseil "
                            "inc. a été approuvée par le ou la Responsable principal·e du groupe.",
                     "Your request to join the group “Bureau de Québec” of Génie Conseil inc. has been approved by "
                     "the group’s Primary administrator.")
    assert_bilingual(email, "Vous êtes maintenant membre du groupe « Bureau de Québec » de l’entreprise Génie Conseil "
                            f"inc., avec le rôle de {fr}.",
                     f"You are now a member of the group “Bureau de Québec” of Génie Conseil inc., as {en}.")
    assert_link(email, "/entreprises/mon-entreprise")
    # Paragraphs stay apart in the text part (a Jinja block tag at a line's end eats its newline).
    assert f"{fr}.\n\nVotre espace entreprise" in email.text_body
    assert f"{en}.\n\nYour company space" in email.text_body


def test_an_approval_by_the_ordre_of_a_company_creation(bundle, events):
    consume(bundle, events.request_approved("company_creation", role="principal", decided_by="staff",
                                            group_name="Groupe 001"))

    [email] = stored(bundle)
    assert_bilingual(email, "Votre demande de création de l’entreprise Génie Conseil inc. a été approuvée par l’Ordre "
                            "des ingénieurs du Québec.",
                     "Your request to create the company Génie Conseil inc. has been approved by the Ordre des "
                     "ingénieurs du Québec.")
    assert_bilingual(email, "membre du groupe « Groupe 001 »", "member of the group “Groupe 001”")


# portal.request.refused --------------------------------------------------------------------

def test_a_refusal_quotes_the_reason_escaped_in_html(bundle, events):
    reason = 'Personne inconnue <script>alert("x")</script> & Cie'
    event = events.request_refused("join_group", reason=reason)
    consume(bundle, event)

    [email] = stored(bundle)
    assert email.recipient == event.data["requester_email"]
    assert email.template == "request_refused" and email.subject == REFUSED_SUBJECT
    assert email.dedup_key == f"{event.id}:request_refused"
    assert_bilingual(email, "a été refusée par le ou la Responsable principal·e du groupe.",
                     "has been refused by the group’s Primary administrator.")
    assert_bilingual(email, "Votre demande pour joindre un groupe de l’entreprise Génie Conseil inc.",
                     "Your request to join a group of Génie Conseil inc.")
    assert email.text_body.count(f"> {reason}") == 2
    assert "<script>" not in email.html_body
    escaped = "Personne inconnue &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Cie"
    assert email.html_body.count(escaped) == 2
    assert "Raison indiquée :" in email.text_body and "Reason given:" in email.text_body
    for body in (email.text_body, email.html_body):
        assert "écrivez à l’Ordre des ingénieurs du Québec" in body and "write to the Ordre des ingénieurs" in body
        assert "ingemplois@oiq.qc.ca" in body
    assert email.html_body.count('href="mailto:ingemplois@oiq.qc.ca"') == 2
    assert_link(email, "/entreprises/mes-demandes")


def test_a_multi_line_reason_keeps_its_lines(bundle, events):
    consume(bundle, events.request_refused("new_group", reason="Ligne un.\n\nLigne <deux>.", decided_by="staff"))

    [email] = stored(bundle)
    assert "> Ligne un.\n>\n> Ligne <deux>.\n" in email.text_body
    assert "Ligne un.<br><br>Ligne &lt;deux&gt;." in email.html_body
    assert_bilingual(email, "Votre demande de création d’un nouveau groupe pour l’entreprise Génie Conseil inc. a été "
                            "refusée par l’Ordre des ingénieurs du Québec.",
                     "has been refused by the Ordre des ingénieurs du Québec.")


def test_the_contact_address_of_the_ordre_is_a_setting(tmp_path, settings_for, events, monkeypatch):
    from mailer.bootstrap import bootstrap

    monkeypatch.setenv("OIQ_CONTACT_EMAIL", "demandes@oiq.example")
    built = bootstrap(settings_for(tmp_path))
    built.migrate()
    try:
        consume(built, events.request_refused())
        [email] = stored(built)
        assert "demandes@oiq.example" in email.text_body and 'href="mailto:demandes@oiq.example"' in email.html_body
    finally:
        built.runtime.engine.dispose()


def test_a_refusal_without_its_reason_is_poison(bundle, events):
    event = events.request_refused()
    del event.data["reason"]
    with pytest.raises(PoisonMessage):
        consume(bundle, event)
    assert stored(bundle) == [] and inbox_count(bundle) == 0


# Exactly once ------------------------------------------------------------------------------

@pytest.mark.parametrize(("build", "count"), [
    (lambda ev: ev.request_submitted("join_group"), 3),
    (lambda ev: ev.request_submitted("company_creation"), 1),
    (lambda ev: ev.request_approved(), 1),
    (lambda ev: ev.request_refused(), 1),
])
def test_the_same_event_twice_gives_no_duplicate(bundle, events, mailer, build, count):
    event = build(events)
    consume(bundle, event)
    consume(bundle, event)

    assert len(stored(bundle)) == count and inbox_count(bundle) == 1
    bundle.extras["bus"].handle(SendDueEmails())
    bundle.extras["bus"].handle(SendDueEmails())
    assert len(mailer.sent) == count
    assert len({sent.recipient for sent in mailer.sent}) == count


def test_a_handler_run_twice_for_one_event_adds_nothing(bundle, events):
    """The dedup keys back up the inbox: the handler itself skips the emails already queued."""
    from mailer.entrypoints.consumer import HANDLERS

    event = events.request_submitted("join_group")
    consume(bundle, event)
    [handler] = HANDLERS["portal.request.submitted"]
    bus = bundle.extras["bus"]
    with bus.new_uow() as uow:
        handler(event, uow, bus.deps)
        uow.commit()
    assert len(stored(bundle)) == 3


def test_the_two_copies_of_the_request_wording_are_the_same():
    """_requests.html escapes what came from the event, _requests.txt does not: same text otherwise."""
    html = (TEMPLATES_DIR / "_requests.html").read_text(encoding="utf-8")
    assert html == (TEMPLATES_DIR / "_requests.txt").read_text(encoding="utf-8")


# portal.group.opened (issue 7) -------------------------------------------------------------

GROUP_OPENED_SUBJECT = "Un nouveau groupe dans votre entreprise / A new group in your company · ingemplois"


def group_opened(clock, **overrides) -> Envelope:
    data = {
        "request_id": str(uuid.uuid4()), "company_id": str(uuid.uuid4()), "company_name": "Génivert inc.",
        "group_id": str(uuid.uuid4()), "group_name": "Groupe 002", "opened_at": "2026-11-04T15:30:00Z",
        "leader": {"account_id": str(uuid.uuid4()), "email": "luc@ailleurs.example", "first_name": "Luc",
                   "last_name": "Gagnon", "function": "Chargé de projets"},
        "decided_by": {"account_id": str(uuid.uuid4()), "email": "sophie@oiq.qc.ca"},
        "principal_emails": ["marie@genivert.example", "Paul@genivert.example", "paul@GENIVERT.example"],
    }
    return Envelope.new("portal.group.opened", {**data, **overrides}, producer="company-portal",
                        occurred_at=clock.now())


def test_each_principal_learns_who_leads_the_new_group(bundle, clock):
    event = group_opened(clock)
    bundle.runtime.schemas.validate(event)
    consume(bundle, event)
    emails = by_recipient(bundle)
    assert set(emails) == {"marie@genivert.example", "Paul@genivert.example"}
    for address, email in emails.items():
        assert email.template == "group_opened_notice" and email.subject == GROUP_OPENED_SUBJECT
        assert email.dedup_key == dedup_key(event.id, "group_opened_notice", address)
        assert_bilingual(email, "L’Ordre des ingénieurs du Québec a ouvert le groupe « Groupe 002 » de l’entreprise "
                                "Génivert inc. à la demande de Luc Gagnon (luc@ailleurs.example), Chargé de projets, "
                                "qui en est maintenant le ou la Responsable principal·e.",
                         "The Ordre des ingénieurs du Québec opened the group “Groupe 002” of Génivert inc. at the "
                         "request of Luc Gagnon (luc@ailleurs.example), Chargé de projets, who is now its Primary "
                         "administrator.")
        assert "ingemplois@oiq.qc.ca" in email.text_body
        assert_link(email, "/entreprises/mon-entreprise")
    consume(bundle, event)  # redelivered: nothing more
    assert len(stored(bundle)) == 2


def test_names_from_the_event_are_escaped_in_html(bundle, clock):
    consume(bundle, group_opened(clock, leader={"account_id": str(uuid.uuid4()), "email": "x@y.example",
                                                "first_name": "<b>Luc</b>"}))
    email = stored(bundle)[0]
    assert "<b>Luc</b>" not in email.html_body and "&lt;b&gt;Luc&lt;/b&gt;" in email.html_body


def test_a_company_without_other_principals_sends_nothing(bundle, clock):
    consume(bundle, group_opened(clock, principal_emails=[]))
    assert stored(bundle) == []


def test_a_creation_registered_under_another_name_says_both(bundle, events):
    event = events.request_approved("company_creation", role="principal", decided_by="staff",
                                    group_name="Groupe 001", company_name="Hydro-Boréal Conseil inc.",
                                    requested_company_name="Hydro Boreal")
    bundle.runtime.schemas.validate(event)
    consume(bundle, event)
    [email] = stored(bundle)
    assert_bilingual(email, "Votre demande de création de l’entreprise Hydro Boreal a été approuvée",
                     "Your request to create the company Hydro Boreal has been approved")
    assert_bilingual(email, "L’Ordre a inscrit l’entreprise sous le nom « Hydro-Boréal Conseil inc. »",
                     "The Ordre registered the company under the name “Hydro-Boréal Conseil inc.”")
    assert_bilingual(email, "membre du groupe « Groupe 001 » de l’entreprise Hydro-Boréal Conseil inc.",
                     "member of the group “Groupe 001” of Hydro-Boréal Conseil inc.")


def test_a_new_group_is_told_with_the_companys_name_not_the_typed_one(bundle, events):
    consume(bundle, events.request_approved("new_group", role="principal", decided_by="staff",
                                            company_name="Génivert inc.", requested_company_name="Genivert Mtl"))
    [email] = stored(bundle)
    assert "Genivert Mtl" not in email.text_body and "inscrit l’entreprise" not in email.text_body
    assert_bilingual(email, "nouveau groupe pour l’entreprise Génivert inc.", "new group for Génivert inc.")


def test_a_request_about_a_known_company_is_told_with_its_name(bundle, events):
    event = events.request_submitted("join_group", company_name="Génie Conseil inc.")
    event.data["company"]["legal_name"] = "Genie conseil (typed)"
    bundle.runtime.schemas.validate(event)
    consume(bundle, event)
    for email in stored(bundle):
        assert "Génie Conseil inc." in email.text_body and "(typed)" not in email.text_body
