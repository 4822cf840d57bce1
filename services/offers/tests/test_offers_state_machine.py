"""Every status × action × role against DESIGN.md's table ("Actions"), through the message bus.

The table is written out again here, independently of `offers.domain.offer.RULES`: an allowed
combination works and lands in the expected status with a history line; any other is refused with
a clear message (wrong status first, then role) and nothing changes: the stored offer, its history
and the outbox are as before.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from offers_fakes import CALLERS, GROUP, OUTSIDER, PRINCIPAL, World, complete_config, complete_content

from offers.domain.offer import OfferActionRefused, OfferNotFound, OfferStatus, Workplace
from offers.service_layer import commands as c
from offers.service_layer import views
from offers.service_layer.commands import Caller
from plumbing.auth.permissions import NotAMember

STATUSES = [s.value for s in OfferStatus]
ALL_BUT_ARCHIVED = {s for s in STATUSES if s != "archived"}
PA = {"principal", "affichage"}

# DESIGN.md's table: action → (from statuses, who).
TABLE: dict[str, tuple[set[str], set[str]]] = {
    "save": ({"draft", "to_revise"}, PA),
    "submit": ({"draft", "to_revise"}, PA),
    "modify": ({"published"}, PA),
    "cancel": ({"in_validation", "to_revise"}, {"principal", "staff"}),
    "approve": ({"in_validation"}, {"staff"}),
    "approve_with_changes": ({"in_validation"}, {"staff"}),
    "return_for_revision": ({"in_validation"}, {"staff"}),
    "withdraw": ({"published", "scheduled"}, {"staff"}),
    "end_publication": ({"published", "scheduled"}, PA),
    "extend": ({"published"}, PA),
    "feature": ({"published", "scheduled"}, PA),
    "duplicate": (ALL_BUT_ARCHIVED, PA),
    "archive": ({"expired"}, PA),
    "move_application_deadline": (ALL_BUT_ARCHIVED, {"staff"}),
}

#: Where an allowed action leads, from each status (None: the same status).
EXPECTED_TO = {
    "save": None,
    "submit": "in_validation",
    "modify": "in_validation",
    "approve": "published",
    "approve_with_changes": "published",
    "return_for_revision": "to_revise",
    "withdraw": "expired",
    "end_publication": "expired",
    "extend": None,
    "feature": None,
    "duplicate": None,
    "archive": "archived",
    "move_application_deadline": None,
    "cancel": "draft",  # the placed offers in validation or to revise were never published
}


def command(action: str, offer_id: str, caller: Caller) -> object:
    new_content = complete_content(title_fr="Ingénieure en structures (révisé)")
    return {
        "save": lambda: c.SaveDraft(offer_id, caller, new_content, complete_config()),
        "submit": lambda: c.SubmitOffer(offer_id, caller),
        "modify": lambda: c.ModifyOffer(offer_id, caller, new_content),
        "cancel": lambda: c.CancelOffer(offer_id, caller),
        "approve": lambda: c.ApproveOffer(offer_id, caller),
        "approve_with_changes": lambda: c.ApproveOffer(offer_id, caller, changes=new_content),
        "return_for_revision": lambda: c.ReturnOffer(offer_id, caller, "Ajoutez les qualifications requises."),
        "withdraw": lambda: c.WithdrawOffer(offer_id, caller, "Appel d'offres, pas un poste."),
        "end_publication": lambda: c.EndPublication(offer_id, caller),
        "extend": lambda: c.ExtendOffer(offer_id, caller),
        "feature": lambda: c.FeatureOffer(offer_id, caller),
        "duplicate": lambda: c.DuplicateOffer(offer_id, caller),
        "archive": lambda: c.ArchiveOffer(offer_id, caller),
        "move_application_deadline": lambda: c.MoveApplicationDeadline(offer_id, caller, date(2027, 1, 15)),
    }[action]()


CASES = [(status, action, role) for status in STATUSES for action in TABLE for role in CALLERS]


@pytest.mark.parametrize(("status", "action", "role"), CASES)
def test_every_status_action_and_role(status: str, action: str, role: str) -> None:
    world = World()
    for credit_type in ("ing", "vedette", "extension"):
        world.bank.grant(GROUP, credit_type, 5)
    offer = world.place(status)
    before = world.stored(offer.id)
    before_history = list(before.history)
    allowed_from, allowed_who = TABLE[action]
    allowed = status in allowed_from and role in allowed_who

    if not allowed:
        with pytest.raises(OfferActionRefused) as refused:
            world.bus.handle(command(action, offer.id, CALLERS[role]))
        expected_code = "wrong_status" if status not in allowed_from else "role"
        assert refused.value.code == expected_code
        assert refused.value.status == (409 if expected_code == "wrong_status" else 403)
        assert refused.value.message("fr") and refused.value.message("en")
        assert refused.value.message("fr") != refused.value.message("en")
        after = world.stored(offer.id)
        assert after == before  # nothing stored changed: status, content, dates, version
        assert after.history == before_history
        assert world.uow.emitted == []
        assert len(world.uow.offers.rows) == 1
        return

    result = world.bus.handle(command(action, offer.id, CALLERS[role]))
    after = world.stored(offer.id)
    if action == "duplicate":
        assert result.id != offer.id and result.status == "draft" and result.content == before.content
        assert result.published_at is None and result.credit_types_reserved == ()
        assert after == before
        return
    expected = EXPECTED_TO[action] or status
    assert after.status == expected
    assert after.version == before.version + 1
    assert after.history[: len(before_history)] == before_history
    new = after.history[len(before_history) :]
    if action == "save":  # an edit of a draft is not history; its sending is
        assert new == [] and after.content.title_fr.endswith("(révisé)")
        return
    assert new and new[0].action == action and new[0].actor_id == CALLERS[role].account_id
    assert new[0].from_status == status and new[0].to_status == expected
    transitions = [data for kind, data in world.uow.emitted if kind == "offers.offer.status_changed"]
    if expected != status:
        assert [(t["from_status"], t["to_status"], t["action"]) for t in transitions] == [(status, expected, action)]
    else:
        assert transitions == []


@pytest.mark.parametrize("role", ["principal", "affichage", "finances", "staff"])
def test_allowed_actions_match_the_table(role: str) -> None:
    world = World()
    for status in STATUSES:
        offer = world.place(status)
        details = world.bus.query(views.get_offer, CALLERS[role], offer.id, now=world.clock.now())
        expected = {a for a, (statuses, who) in TABLE.items() if status in statuses and role in who}
        assert set(details.actions) == expected, status


def test_a_non_member_learns_nothing() -> None:
    world = World()
    offer = world.place("published")
    outsider = Caller(OUTSIDER, "employer", "t")
    with pytest.raises(NotAMember):
        world.bus.handle(c.EndPublication(offer.id, outsider))
    with pytest.raises(NotAMember):
        world.bus.query(views.get_offer, outsider, offer.id, now=world.clock.now())
    with pytest.raises(OfferNotFound):
        world.bus.query(
            views.get_offer, CALLERS["principal"], "00000000-0000-0000-0000-00000000dead", now=world.clock.now()
        )
    assert world.stored(offer.id).status == "published"


def test_a_stale_version_is_refused_and_changes_nothing() -> None:
    world = World()
    offer = world.place("draft")
    world.bus.handle(
        c.SaveDraft(
            offer.id,
            CALLERS["principal"],
            complete_content(title_fr="A"),
            complete_config(),
            expected_version=offer.version,
        )
    )
    with pytest.raises(OfferActionRefused) as refused:
        world.bus.handle(
            c.SaveDraft(
                offer.id,
                CALLERS["affichage"],
                complete_content(title_fr="B"),
                complete_config(),
                expected_version=offer.version,
            )
        )
    assert refused.value.code == "stale"
    assert world.stored(offer.id).content.title_fr == "A"


def test_a_modified_offer_stays_online_and_cancel_puts_the_live_content_back() -> None:
    world = World()
    offer = world.place("published")
    live = world.stored(offer.id).live_content
    changed = complete_content(title_fr="Titre modifié")
    world.bus.handle(c.ModifyOffer(offer.id, CALLERS["affichage"], changed))
    stored = world.stored(offer.id)
    assert stored.status == "in_validation" and stored.is_online(world.clock.now())
    assert stored.content == changed and stored.live_content == live
    world.bus.handle(c.CancelOffer(offer.id, CALLERS["principal"]))
    stored = world.stored(offer.id)
    assert stored.status == "published" and stored.content == live
    assert [t["to_status"] for k, t in world.uow.emitted if k == "offers.offer.status_changed"] == [
        "in_validation",
        "published",
    ]


def test_approving_a_modification_keeps_the_dates_and_replaces_the_live_content() -> None:
    world = World()
    offer = world.place("published")
    ends = world.stored(offer.id).publication_ends_at
    changed = complete_content(title_fr="Titre modifié")
    world.bus.handle(c.ModifyOffer(offer.id, CALLERS["affichage"], changed))
    world.bus.handle(c.ApproveOffer(offer.id, CALLERS["staff"]))
    stored = world.stored(offer.id)
    assert stored.status == "published" and stored.live_content.title_fr == "Titre modifié"
    assert stored.publication_ends_at == ends


def test_return_and_withdraw_need_their_text() -> None:
    world = World()
    offer = world.place("in_validation")
    with pytest.raises(OfferActionRefused) as refused:
        world.bus.handle(c.ReturnOffer(offer.id, CALLERS["staff"], "   "))
    assert refused.value.code == "incomplete" and "comment" in refused.value.fields
    with pytest.raises(OfferActionRefused) as refused:
        world.bus.handle(c.ReturnOffer(offer.id, CALLERS["staff"], "x" * 5001))
    assert refused.value.code == "invalid" and "comment" in refused.value.fields
    assert world.stored(offer.id).status == "in_validation"
    world.bus.handle(c.ReturnOffer(offer.id, CALLERS["staff"], "Précisez le lieu."))
    (event,) = [d for k, d in world.uow.emitted if k == "offers.offer.status_changed"]
    assert event["to_status"] == "to_revise" and event["reason"] == "Précisez le lieu."
    assert event["created_by"] == PRINCIPAL and event["submitted_by"] == PRINCIPAL
    published = world.place("published")
    with pytest.raises(OfferActionRefused) as refused:
        world.bus.handle(c.WithdrawOffer(published.id, CALLERS["staff"], ""))
    assert refused.value.code == "incomplete" and world.stored(published.id).status == "published"


def test_an_incomplete_draft_cannot_be_sent_and_says_which_fields() -> None:
    world = World()
    world.bank.grant(GROUP, "ing", 1)
    draft = world.bus.handle(c.CreateDraft(GROUP, "ing", CALLERS["principal"]))
    with pytest.raises(OfferActionRefused) as refused:
        world.bus.handle(c.SubmitOffer(draft.id, CALLERS["principal"]))
    assert refused.value.code == "incomplete"
    assert {"title_fr", "description_fr", "application_deadline", "apply_to"} <= set(refused.value.fields)
    assert world.stored(draft.id).status == "draft"
    assert world.bank.calls == []  # nothing reserved for an offer that cannot be sent


def test_a_posting_date_too_early_is_refused_with_the_earliest_date() -> None:
    world = World()  # Monday 2 November 2026
    world.bank.grant(GROUP, "ing", 1)
    draft = world.bus.handle(
        c.CreateDraft(
            GROUP, "ing", CALLERS["principal"], complete_content(), complete_config(posting=date(2026, 11, 4))
        )
    )
    with pytest.raises(OfferActionRefused) as refused:
        world.bus.handle(c.SubmitOffer(draft.id, CALLERS["principal"]))
    assert "posting" in refused.value.fields and "5 novembre 2026" in refused.value.message("fr")
    world.bus.handle(
        c.SaveDraft(draft.id, CALLERS["principal"], complete_content(), complete_config(posting=date(2026, 11, 5)))
    )
    assert world.bus.handle(c.SubmitOffer(draft.id, CALLERS["principal"])).status == "in_validation"


def test_a_draft_with_a_field_too_long_is_not_saved() -> None:
    world = World()
    draft = world.bus.handle(c.CreateDraft(GROUP, "ing", CALLERS["affichage"]))
    with pytest.raises(OfferActionRefused) as refused:
        world.bus.handle(
            c.SaveDraft(draft.id, CALLERS["affichage"], complete_content(title_fr="x" * 151), complete_config())
        )
    assert refused.value.code == "invalid" and set(refused.value.fields) == {"title_fr"}
    assert world.stored(draft.id).content.title_fr == ""
    with pytest.raises(OfferActionRefused) as refused:
        world.bus.handle(c.CreateDraft(GROUP, "xyz", CALLERS["affichage"]))
    assert refused.value.fields.keys() == {"profile"}
    with pytest.raises(OfferActionRefused) as refused:
        world.bus.handle(c.CreateDraft(GROUP, "ing", CALLERS["finances"]))
    assert refused.value.code == "role"


def test_staff_changes_must_leave_a_complete_offer() -> None:
    world = World()
    offer = world.place("in_validation")
    with pytest.raises(OfferActionRefused) as refused:
        world.bus.handle(c.ApproveOffer(offer.id, CALLERS["staff"], changes=complete_content(title_fr=" ")))
    assert refused.value.code == "incomplete" and set(refused.value.fields) == {"title_fr"}
    assert world.stored(offer.id).status == "in_validation" and world.bank.calls == []


def test_a_long_salary_saves_with_a_hint_but_cannot_be_sent() -> None:
    world = World()
    world.bank.grant(GROUP, "ing", 1)
    long_salary = complete_content(salary="Selon l'expérience, entre 80 000 $ et 110 000 $ par année, plus primes")
    draft = world.bus.handle(c.CreateDraft(GROUP, "ing", CALLERS["affichage"], long_salary, complete_config()))
    assert "salary" in {h["field"] for h in world.stored(draft.id).hints}
    with pytest.raises(OfferActionRefused) as refused:
        world.bus.handle(c.SubmitOffer(draft.id, CALLERS["affichage"]))
    assert refused.value.code == "incomplete" and set(refused.value.fields) == {"salary"}
    assert world.bank.calls == [] and world.stored(draft.id).status == "draft"


def test_saving_sanitizes_the_description_and_approval_strips_contact_links() -> None:
    world = World()
    world.bank.grant(GROUP, "ing", 1)
    html = (
        "<p><strong>Raison d'être</strong> du poste<script>alert(1)</script></p><p>Tâches et responsabilités</p>"
        '<p>Qualifications requises. Écrivez à <a href="mailto:rh@genivert.ca">rh@genivert.ca</a></p>'
    )
    draft = world.bus.handle(
        c.CreateDraft(GROUP, "ing", CALLERS["principal"], complete_content(description_fr=html), complete_config())
    )
    saved = world.stored(draft.id)
    assert "<script" not in saved.content.description_fr and "alert(1)" not in saved.content.description_fr
    assert any(h["field"] == "description_fr" for h in saved.hints)
    world.bus.handle(c.SubmitOffer(draft.id, CALLERS["principal"]))
    approved = world.bus.handle(c.ApproveOffer(draft.id, CALLERS["staff"]))
    assert "rh@genivert.ca" not in approved.live_content.description_fr
    assert [e.action for e in approved.history[-2:]] == ["approve", "strip_contact_links"]
    clean = world.place("in_validation")
    assert world.bus.handle(c.ApproveOffer(clean.id, CALLERS["staff"])).history[-1].action == "approve"


def test_move_application_deadline_is_recorded_with_both_dates() -> None:
    world = World()
    offer = world.place("published")
    world.bus.handle(c.MoveApplicationDeadline(offer.id, CALLERS["staff"], date(2027, 2, 1)))
    stored = world.stored(offer.id)
    assert stored.live_content.application_deadline == date(2027, 2, 1)
    assert stored.history[-1].reason == "2026-12-31 → 2027-02-01"
    with pytest.raises(OfferActionRefused):
        world.bus.handle(
            c.MoveApplicationDeadline(offer.id, CALLERS["staff"], world.clock.now().date() - timedelta(days=1))
        )


def test_codes_outside_the_reference_data_are_refused_on_save() -> None:
    world = World()
    draft = world.bus.handle(c.CreateDraft(GROUP, "ing", CALLERS["affichage"]))
    bad = complete_content(
        engineering_domains=("civil", "astrologie"),
        function_type="magie",
        workplace=Workplace("places", places=("06", "atlantide")),
    )
    with pytest.raises(OfferActionRefused) as refused:
        world.bus.handle(c.SaveDraft(draft.id, CALLERS["affichage"], bad, complete_config()))
    assert set(refused.value.fields) == {"engineering_domains", "function_type", "workplace"}
    assert refused.value.field_messages("en")["function_type"] == "This choice is not in the list."
    good = complete_content(workplace=Workplace("places", places=("06", "laval")), interests=("automatisation",))
    assert world.bus.handle(c.SaveDraft(draft.id, CALLERS["affichage"], good, complete_config())).content == good


def test_the_list_hides_archived_offers_from_all_and_filters_by_status() -> None:
    world = World()
    placed = {status: world.place(status).id for status in STATUSES}
    now = world.clock.now()
    everything = world.bus.query(views.list_offers, CALLERS["finances"], GROUP, now=now)
    assert {i.offer.id for i in everything} == {placed[s] for s in STATUSES if s != "archived"}
    assert all(i.actions == () for i in everything)  # finances sees, does nothing
    archived = world.bus.query(views.list_offers, CALLERS["principal"], GROUP, "archived", now=now)
    assert [i.offer.id for i in archived] == [placed["archived"]] and archived[0].actions == ()
    (live,) = world.bus.query(views.list_offers, CALLERS["affichage"], GROUP, "published", now=now)
    assert live.online and set(live.actions) == {"modify", "end_publication", "extend", "feature", "duplicate"}
    counts = world.bus.query(views.counts_by_status, CALLERS["principal"], GROUP)
    assert counts == dict.fromkeys(STATUSES, 1)
    with pytest.raises(NotAMember):
        world.bus.query(views.list_offers, Caller(OUTSIDER, "employer", "t"), GROUP, now=now)
