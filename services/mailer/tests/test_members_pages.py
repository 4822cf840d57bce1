"""The job seeker's space (/membre/): who may use it, following companies, subscriptions."""

from __future__ import annotations

import re

import pytest
from members_testkit import (  # noqa: F401 - fixtures imported by name
    GENIVERT,
    MEMBER,
    OTHER_MEMBER,
    STRUCTURA,
    UNKNOWN,
    members_bundle,
    reference,
    site,
    tokens,
)

from mailer.service_layer import members

FOLLOWS = "/membre/entreprises-suivies"
SUBSCRIPTIONS = "/membre/abonnements"


def followed(site, account_id: str = MEMBER) -> list[str]:
    return [f.company_id for f in site.bundle.extras["bus"].query(members.followed_companies, account_id)]


def preferences(site, account_id: str = MEMBER):
    return site.bundle.extras["bus"].query(members.preferences_of, account_id)


def error_beside(html: str, field: str) -> str:
    """The text of the field's error (ui.choices / ui.select: `<field>-error`), '' when none."""
    found = re.search(rf'<small id="{field}-error" class="field-error" role="alert">([^<]*)</small>', html)
    return found.group(1) if found else ""


# Who may use it ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/membre/", FOLLOWS, SUBSCRIPTIONS])
async def test_anonymous_visitors_are_sent_to_the_login_page_and_back(site, path):
    r = await site.get(path, who=None)
    assert r.status_code == 303 and r.headers["location"] == "/compte/connexion?next=" + path


async def test_an_anonymous_follow_from_an_offer_page_comes_back_to_that_page_after_login(site):
    r = await site.post(FOLLOWS, {"company_id": GENIVERT, "action": "follow", "next": "/emplois/42?lang=en"}, who=None)
    assert r.status_code == 303 and r.headers["location"] == "/compte/connexion?next=/emplois/42%3Flang%3Den"
    assert followed(site) == []


async def test_an_anonymous_post_with_a_foreign_next_comes_back_here(site):
    r = await site.post(FOLLOWS, {"company_id": GENIVERT, "next": "https://evil.example/"}, who=None)
    assert r.headers["location"] == "/compte/connexion?next=" + FOLLOWS


@pytest.mark.parametrize("kind", ["employer", "staff"])
@pytest.mark.parametrize("path", ["/membre/", FOLLOWS, SUBSCRIPTIONS])
async def test_employers_and_staff_get_a_403_page_that_says_whose_space_it_is(site, kind, path):
    r = await site.get(path, who=kind)
    assert r.status_code == 403
    assert "Cet espace est réservé aux candidat·e·s" in r.text
    assert 'id="refused"' in r.text and ("/entreprises/" if kind == "employer" else "/moderation/") in r.text


async def test_employers_cannot_follow_either(site):
    r = await site.post(FOLLOWS, {"company_id": GENIVERT, "action": "follow"}, who="employer")
    assert r.status_code == 403 and followed(site) == []


async def test_the_refusal_is_in_english_too(site):
    r = await site.get("/membre/", who="employer", lang="en")
    assert r.status_code == 403 and "This space is for job seekers" in r.text


# Mon espace -------------------------------------------------------------------------------------


async def test_my_space_links_to_the_followed_companies_and_the_subscriptions(site):
    r = await site.get("/membre/")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert f'href="{FOLLOWS}"' in r.text and f'href="{SUBSCRIPTIONS}"' in r.text
    assert "Vous ne suivez aucune entreprise pour l'instant" in r.text
    assert '<a href="/membre/" aria-current="true">Mon espace</a>' in r.text  # the layout's menu


async def test_my_space_counts_the_follows_in_both_languages(site):
    await site.post(FOLLOWS, {"company_id": GENIVERT})
    await site.post(FOLLOWS, {"company_id": STRUCTURA})
    assert "Vous suivez 2 entreprises." in (await site.get("/membre/")).text
    english = await site.get("/membre/", lang="en")
    assert "You follow 2 companies." in english.text and "My space" in english.text


# Following --------------------------------------------------------------------------------------


async def test_follow_then_the_list_shows_the_company_with_its_offers_link(site):
    r = await site.post(FOLLOWS, {"company_id": GENIVERT, "action": "follow"})
    assert r.status_code == 303 and r.headers["location"] == FOLLOWS + "?fait=suivie"
    page = await site.get(r.headers["location"])
    assert "Vous suivez maintenant cette entreprise." in page.text
    assert f'<a href="/emplois/?entreprise={GENIVERT}">Génivert inc.</a>' in page.text
    assert 'name="action" value="unfollow"' in page.text and "Ne plus suivre" in page.text
    assert followed(site) == [GENIVERT]


async def test_follow_goes_back_to_the_local_next(site):
    r = await site.post(FOLLOWS, {"company_id": GENIVERT, "action": "follow", "next": "/emplois/abc?x=1"})
    assert r.status_code == 303 and r.headers["location"] == "/emplois/abc?x=1"
    assert followed(site) == [GENIVERT]


@pytest.mark.parametrize("foreign", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:x",
                                     "/emplois\r\nSet-Cookie: x=1", "emplois/relative"])
async def test_an_open_redirect_next_is_refused(site, foreign):
    r = await site.post(FOLLOWS, {"company_id": GENIVERT, "action": "follow", "next": foreign})
    assert r.status_code == 303 and r.headers["location"] == FOLLOWS + "?fait=suivie"


async def test_following_twice_keeps_one_row_and_unfollow_removes_it(site):
    for _ in range(2):
        assert (await site.post(FOLLOWS, {"company_id": GENIVERT})).status_code == 303
    assert followed(site) == [GENIVERT]
    r = await site.post(FOLLOWS, {"company_id": GENIVERT, "action": "unfollow"})
    assert r.status_code == 303 and r.headers["location"] == FOLLOWS + "?fait=retiree"
    assert followed(site) == []
    page = await site.get(FOLLOWS)
    assert 'id="no-follows"' in page.text and "Génivert" not in page.text


async def test_the_list_is_by_name_and_each_member_sees_only_their_own(site):
    await site.post(FOLLOWS, {"company_id": STRUCTURA})
    await site.post(FOLLOWS, {"company_id": GENIVERT})
    await site.post(FOLLOWS, {"company_id": STRUCTURA}, who="other")
    page = (await site.get(FOLLOWS)).text
    assert page.index("Génivert inc.") < page.index("Structura")
    assert followed(site, OTHER_MEMBER) == [STRUCTURA]
    assert "Génivert" not in (await site.get(FOLLOWS, who="other")).text


async def test_following_an_unknown_company_is_a_clear_404(site):
    r = await site.post(FOLLOWS, {"company_id": UNKNOWN, "action": "follow"})
    assert r.status_code == 404
    assert 'id="follow-error"' in r.text and "Cette entreprise est introuvable" in r.text
    assert followed(site) == []


@pytest.mark.parametrize(("data", "message"), [
    ({"company_id": ""}, "Le formulaire ne nomme aucune entreprise."),
    ({"company_id": "<script>alert(1)</script>"}, "Le formulaire ne nomme aucune entreprise."),
    ({"company_id": GENIVERT, "action": "delete"}, "Cette action est inconnue"),
])
async def test_a_malformed_follow_form_is_a_400_with_a_message(site, data, message):
    r = await site.post(FOLLOWS, data)
    assert r.status_code == 400 and message in r.text and "<script>alert" not in r.text
    assert followed(site) == []


async def test_unfollowing_a_company_not_followed_changes_nothing(site):
    r = await site.post(FOLLOWS, {"company_id": UNKNOWN, "action": "unfollow"})
    assert r.status_code == 303 and followed(site) == []


# Subscriptions ----------------------------------------------------------------------------------


async def test_a_new_member_is_subscribed_to_nothing_and_sees_offers_lists(site):
    page = (await site.get(SUBSCRIPTIONS)).text
    assert 'name="weekly_digest" value="non" checked' in page
    assert 'name="targeted_consent" value="non" checked' in page
    assert 'value="civil"> Génie civil' in page and 'value="06"> Montréal' in page
    assert '<option value="16-plus">16 ans et plus</option>' in page
    english = (await site.get(SUBSCRIPTIONS, lang="en")).text
    assert 'value="civil"> Civil engineering' in english and "Subscriptions" in english


async def test_preferences_are_saved_and_shown_again(site):
    r = await site.post(SUBSCRIPTIONS, {"weekly_digest": "oui", "targeted_consent": "oui",
                                        "domains": ["civil", "mecanique"], "regions": ["06"], "years": "16-plus"})
    assert r.status_code == 303 and r.headers["location"] == SUBSCRIPTIONS + "?enregistre=1"
    page = (await site.get(r.headers["location"])).text
    assert "Vos abonnements sont enregistrés." in page
    assert 'name="weekly_digest" value="oui" checked' in page
    assert 'name="targeted_consent" value="oui" checked' in page
    assert 'value="civil" checked' in page and 'value="mecanique" checked' in page
    assert 'value="electrique" checked' not in page and 'value="06" checked' in page
    assert '<option value="16-plus" selected>' in page
    saved = preferences(site)
    assert (saved.weekly_digest, saved.targeted_consent, saved.domains, saved.regions, saved.years) == (
        True, True, ("civil", "mecanique"), ("06",), "16-plus")
    assert preferences(site, OTHER_MEMBER).weekly_digest is False


async def test_withdrawing_the_consent_drops_the_profile(site):
    await site.post(SUBSCRIPTIONS, {"weekly_digest": "non", "targeted_consent": "oui", "domains": ["civil"],
                                    "regions": ["06"], "years": "0-2"})
    r = await site.post(SUBSCRIPTIONS, {"weekly_digest": "oui", "targeted_consent": "non", "domains": ["civil"]})
    assert r.status_code == 303
    saved = preferences(site)
    assert (saved.weekly_digest, saved.targeted_consent, saved.domains, saved.regions, saved.years) == (
        True, False, (), (), None)


async def test_bad_codes_are_refused_beside_their_fields_and_nothing_is_saved(site):
    r = await site.post(SUBSCRIPTIONS, {"weekly_digest": "oui", "targeted_consent": "oui",
                                        "domains": ["civil", "astrologie"], "regions": ["99"], "years": "40-plus"})
    assert r.status_code == 422
    assert error_beside(r.text, "domains") == "Choisissez des domaines de la liste."
    assert error_beside(r.text, "regions") == "Choisissez des régions de la liste."
    assert error_beside(r.text, "years") == "Choisissez un nombre d&#39;années de la liste."
    assert 'id="domains" aria-invalid="true"' in r.text
    assert 'value="civil" checked' in r.text  # what was typed is kept
    assert 'name="weekly_digest" value="oui" checked' in r.text
    assert preferences(site).updated_at is None  # nothing written


async def test_a_yes_no_answer_that_is_neither_is_refused_beside_the_field(site):
    r = await site.post(SUBSCRIPTIONS, {"weekly_digest": "peut-être", "targeted_consent": "non"}, lang="en")
    assert r.status_code == 422 and error_beside(r.text, "weekly_digest") == "Answer yes or no."
    assert error_beside(r.text, "targeted_consent") == ""
    assert preferences(site).updated_at is None


async def test_offers_down_is_a_503_page_not_a_500(site, reference):
    reference.down = True
    r = await site.get(SUBSCRIPTIONS)
    assert r.status_code == 503 and "indisponibles pour le moment" in r.text
    saved = await site.post(SUBSCRIPTIONS, {"weekly_digest": "oui", "targeted_consent": "oui", "domains": ["civil"]})
    assert saved.status_code == 503 and preferences(site).updated_at is None
    # Without the consent the lists are not needed to save the digest.
    digest_only = await site.post(SUBSCRIPTIONS, {"weekly_digest": "oui", "targeted_consent": "non"})
    assert digest_only.status_code == 303 and preferences(site).weekly_digest is True
