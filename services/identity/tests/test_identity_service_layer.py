"""Every rule through the service layer: the same tests on a fake unit of work and on SQLite."""

from __future__ import annotations

from datetime import timedelta

import pytest
from identity_fakes import START, Harness, fake_harness, sqlite_harness

from identity.adapters.hashing import Argon2Hasher
from identity.domain import errors
from identity.service_layer.commands import (
    ChangePassword,
    CreateVerifiedAccount,
    FindAccount,
    GetAccount,
    ListSigningKeys,
    Login,
    Logout,
    RefreshAccess,
    RegisterAccount,
    RequestPasswordReset,
    RequestVerificationEmail,
    ResetPassword,
    RotateSigningKey,
    VerifyEmail,
)

PASSWORD = "Ponts-et-chaussees-2026"
NEW_PASSWORD = "Barrage-hydro-2027"
EMAIL = "marie.tremblay@genivert.ca"


@pytest.fixture(params=["fake", "sqlite"])
def h(request, tmp_path) -> Harness:
    return fake_harness() if request.param == "fake" else sqlite_harness(tmp_path)


def register(h: Harness, email: str = EMAIL, kind: str = "employer", password: str = PASSWORD, **kw):
    command = RegisterAccount(email=email, password=password, kind=kind, first_name=kw.pop("first_name", "Marie"),
                              last_name=kw.pop("last_name", "Tremblay"), **kw)
    return h.bus.handle(command)


def verification_token(h: Harness, email: str = EMAIL) -> str:
    return [e for e in h.events("identity.account.registered") if e["email"] == email][-1]["verification_token"]


def verified(h: Harness, email: str = EMAIL, password: str = PASSWORD):
    view = register(h, email, password=password)
    h.bus.handle(VerifyEmail(verification_token(h, email)))
    return view


def login(h: Harness, email: str = EMAIL, password: str = PASSWORD):
    return h.bus.handle(Login(email=email, password=password))


def reset_token(h: Harness) -> str:
    return h.last("identity.password.reset_requested")["reset_token"]


# Sign-up ------------------------------------------------------------------------------------
def test_employer_signs_up_with_a_professional_address(h):
    view = register(h, "  Marie.Tremblay@GeniVert.ca ", locale="en")
    assert (view.email, view.kind, view.verified) == (EMAIL, "employer", False)
    event = h.last("identity.account.registered")
    assert event["account_id"] == view.id and event["email"] == EMAIL and event["locale"] == "en"
    assert len(event["verification_token"]) >= 40
    assert event["verification_url"] == f"https://emplois.example/compte/verifier?token={event['verification_token']}"
    assert event["verification_expires_at"].startswith("2026-11-04T14:00:00")


def test_only_the_token_digest_is_stored(h):
    register(h)
    raw = verification_token(h)
    from identity.domain.model import hash_token

    account = h.account(EMAIL)
    assert raw not in account.password_hash
    # the raw token verifies; its digest (what is stored) does not
    with pytest.raises(errors.TokenInvalid):
        h.bus.handle(VerifyEmail(hash_token(raw)))
    h.bus.handle(VerifyEmail(raw))


def test_password_is_hashed_with_argon2id(h):
    register(h)
    assert h.account(EMAIL).password_hash.startswith("$argon2id$")


def test_webmail_refused_for_employers_but_not_members(h):
    with pytest.raises(errors.WebmailNotAllowed):
        register(h, "marie@gmail.com")
    assert register(h, "alex.roy@gmail.com", kind="member").kind == "member"
    assert h.events("identity.account.registered")[-1]["kind"] == "member"


def test_an_address_already_used_is_refused_whatever_its_case(h):
    register(h)
    with pytest.raises(errors.EmailAlreadyUsed) as caught:
        register(h, EMAIL.upper(), kind="member")
    assert caught.value.message_fr == "Cette adresse courriel est déjà associée à un compte."
    assert len(h.events("identity.account.registered")) == 1


@pytest.mark.parametrize(("password", "code"), [
    ("Court-2026", "too_short"), ("sans-chiffre-du-tout", "no_digit"), ("123456789012345", "no_letter"),
    ("Marie.Tremblay-2026", "contains_email"), ("a1" * 65, "too_long"),
])
def test_weak_passwords_refused(h, password, code):
    with pytest.raises(errors.WeakPassword) as caught:
        register(h, password=password)
    assert code in [c for c, _, _ in caught.value.problems]
    assert h.events("identity.account.registered") == []


def test_every_broken_rule_is_reported_at_once(h):
    with pytest.raises(errors.InvalidInput) as caught:
        register(h, "marie@gmail.com", password="court", first_name=" ", last_name="x" * 101)
    assert [e.field for e in caught.value.errors] == ["email", "first_name", "last_name", "password"]


def test_invalid_address_refused(h):
    with pytest.raises(errors.InvalidEmail):
        register(h, "marie@genivert")


def test_staff_cannot_sign_up(h):
    with pytest.raises(ValueError):
        register(h, kind="staff")


# Email verification -------------------------------------------------------------------------
def test_verification_confirms_and_emits_once(h):
    view = register(h)
    verified_view = h.bus.handle(VerifyEmail(verification_token(h)))
    assert verified_view.verified and verified_view.id == view.id
    assert h.events("identity.account.verified") == [
        {"account_id": view.id, "email": EMAIL, "kind": "employer", "locale": "fr"}]


def test_verification_token_is_single_use(h):
    register(h)
    token = verification_token(h)
    h.bus.handle(VerifyEmail(token))
    with pytest.raises(errors.TokenAlreadyUsed):
        h.bus.handle(VerifyEmail(token))
    assert len(h.events("identity.account.verified")) == 1


def test_verification_token_expires_after_48_hours(h):
    register(h)
    token = verification_token(h)
    h.clock.advance(hours=48)
    with pytest.raises(errors.TokenExpired):
        h.bus.handle(VerifyEmail(token))
    assert not h.account(EMAIL).is_verified


def test_verification_token_valid_until_just_before_48_hours(h):
    register(h)
    h.clock.advance(hours=47, minutes=59)
    assert h.bus.handle(VerifyEmail(verification_token(h))).verified


@pytest.mark.parametrize("token", ["", "short", "x" * 43, "x" * 5000, "\ud800" * 30])
def test_unknown_verification_tokens(h, token):
    register(h)
    with pytest.raises(errors.TokenInvalid):
        h.bus.handle(VerifyEmail(token))


# A new confirmation link ----------------------------------------------------------------------
def resent_token(h: Harness, email: str = EMAIL) -> str:
    return [e for e in h.events("identity.account.verification_requested")
            if e["email"] == email][-1]["verification_token"]


def test_a_new_confirmation_link_for_an_unverified_account(h):
    view = register(h, locale="fr")
    h.clock.advance(hours=1)
    assert h.bus.handle(RequestVerificationEmail(" MARIE.Tremblay@genivert.ca ", locale="en")) is None
    event = h.last("identity.account.verification_requested")
    assert set(event) == {"account_id", "email", "kind", "locale", "first_name", "verification_token",
                          "verification_expires_at"}
    assert (event["account_id"], event["email"], event["kind"], event["locale"], event["first_name"]) == (
        view.id, EMAIL, "employer", "en", "Marie")
    assert event["verification_expires_at"].startswith("2026-11-04T15:00:00")  # 48 h from the request
    assert event["verification_token"] != verification_token(h)
    assert h.bus.handle(VerifyEmail(event["verification_token"])).verified
    assert len(h.events("identity.account.verified")) == 1


def test_the_new_link_makes_the_older_ones_expire(h):
    register(h)
    first = verification_token(h)
    h.bus.handle(RequestVerificationEmail(EMAIL))
    second = resent_token(h)
    h.bus.handle(RequestVerificationEmail(EMAIL))
    third = resent_token(h)
    for old in (first, second):
        with pytest.raises(errors.TokenExpired):
            h.bus.handle(VerifyEmail(old))
    assert not h.account(EMAIL).is_verified
    h.bus.handle(VerifyEmail(third))
    assert h.account(EMAIL).is_verified


def test_a_new_link_after_the_first_expired(h):
    register(h)
    h.clock.advance(hours=49)
    h.bus.handle(RequestVerificationEmail(EMAIL))
    h.clock.advance(hours=47, minutes=59)
    assert h.bus.handle(VerifyEmail(resent_token(h))).verified


def test_no_new_link_for_unknown_verified_or_malformed_addresses(h):
    verified(h)
    register(h, "luc.gagnon@gmail.com", kind="member")
    for email in (EMAIL, "personne@genivert.ca", "pas une adresse", "", "x" * 5000):
        assert h.bus.handle(RequestVerificationEmail(email)) is None
    assert h.events("identity.account.verification_requested") == []
    h.bus.handle(RequestVerificationEmail("Luc.Gagnon@gmail.com"))
    assert h.last("identity.account.verification_requested")["kind"] == "member"


def test_verification_emails_are_limited_to_five_per_account_and_hour(h):
    register(h)  # the sign-up email is the first of the five
    register(h, "luc.gagnon@genivert.ca")
    for _ in range(7):
        h.bus.handle(RequestVerificationEmail(EMAIL))
    assert len(h.events("identity.account.verification_requested")) == 4
    h.bus.handle(RequestVerificationEmail("luc.gagnon@genivert.ca"))  # another account: its own count
    assert len(h.events("identity.account.verification_requested")) == 5
    h.clock.advance(minutes=59, seconds=59)
    h.bus.handle(RequestVerificationEmail(EMAIL))
    assert len(h.events("identity.account.verification_requested")) == 5
    h.clock.advance(seconds=1)  # the five are now an hour old
    h.bus.handle(RequestVerificationEmail(EMAIL))
    assert len(h.events("identity.account.verification_requested")) == 6


def test_a_refused_request_keeps_the_last_link_usable(h):
    register(h)
    for _ in range(4):
        h.bus.handle(RequestVerificationEmail(EMAIL))
    last = resent_token(h)
    h.bus.handle(RequestVerificationEmail(EMAIL))  # over the limit: nothing happens
    assert resent_token(h) == last
    assert h.bus.handle(VerifyEmail(last)).verified


# Logging in ---------------------------------------------------------------------------------
def test_login_refused_until_verified(h):
    register(h)
    with pytest.raises(errors.AccountNotVerified) as caught:
        login(h)
    assert "n'est pas encore vérifiée" in caught.value.message_fr
    h.bus.handle(VerifyEmail(verification_token(h)))
    issued = login(h, "  MARIE.Tremblay@genivert.ca")
    assert issued.refresh_token and issued.expires_in == 300
    assert issued.access_token.startswith(f"access:{issued.account_id}:{issued.session_id}:")


def test_wrong_password_and_unknown_address_look_the_same(h):
    verified(h)
    with pytest.raises(errors.InvalidCredentials) as wrong:
        login(h, password="Pas-le-bon-2026")
    with pytest.raises(errors.InvalidCredentials) as unknown:
        login(h, "personne@genivert.ca")
    assert wrong.value.message_fr == unknown.value.message_fr == "Adresse courriel ou mot de passe incorrect."


def test_unknown_address_spends_a_verification(h, monkeypatch):
    burned = []
    monkeypatch.setattr(h.deps.hasher, "burn", lambda password: burned.append(password))
    for email in ("personne@genivert.ca", "pas une adresse"):
        with pytest.raises(errors.InvalidCredentials):
            login(h, email)
    assert burned == [PASSWORD, PASSWORD]


def test_five_failures_lock_the_account_for_fifteen_minutes(h):
    verified(h)
    for _ in range(5):  # the fifth locks, but answers like the others
        with pytest.raises(errors.InvalidCredentials):
            login(h, password="Pas-le-bon-2026")
    with pytest.raises(errors.AccountLocked) as locked:
        login(h)  # even the right password, while locked
    assert "Réessayez dans 15 minutes" in locked.value.message_fr
    with pytest.raises(errors.AccountLocked):
        login(h, password="Pas-le-bon-2026")  # attempts while locked do not extend the lock
    h.clock.advance(minutes=14, seconds=59)
    with pytest.raises(errors.AccountLocked):
        login(h)
    h.clock.advance(seconds=1)
    assert login(h).refresh_token


def test_success_resets_the_failure_count(h):
    verified(h)
    for _ in range(4):
        with pytest.raises(errors.InvalidCredentials):
            login(h, password="Pas-le-bon-2026")
    login(h)
    for _ in range(4):
        with pytest.raises(errors.InvalidCredentials):
            login(h, password="Pas-le-bon-2026")
    assert login(h).refresh_token


def test_lockout_threshold_and_duration_are_configurable(tmp_path):
    from datetime import timedelta

    from identity.domain.model import LockoutPolicy

    h = fake_harness(lockout=LockoutPolicy(threshold=2, duration=timedelta(minutes=3)))
    verified(h)
    for _ in range(2):
        with pytest.raises(errors.InvalidCredentials):
            login(h, password="Pas-le-bon-2026")
    with pytest.raises(errors.AccountLocked) as caught:
        login(h)
    assert "3 minutes" in caught.value.message_en
    h.clock.advance(minutes=3)
    assert login(h).refresh_token


def test_login_rehashes_when_parameters_change(h):
    verified(h)
    old_hash = h.account(EMAIL).password_hash
    stronger = Argon2Hasher(time_cost=2, memory_kib=512, parallelism=1)
    object.__setattr__(h.deps, "hasher", stronger)
    login(h)
    new_hash = h.account(EMAIL).password_hash
    assert new_hash != old_hash and new_hash.startswith("$argon2id$v=19$m=512,t=2,p=1$")
    assert not stronger.needs_rehash(new_hash)
    login(h)


# Refresh and logout -------------------------------------------------------------------------
def test_refresh_gives_access_tokens_for_the_session(h):
    verified(h)
    issued = login(h)
    grant = h.bus.handle(RefreshAccess(issued.refresh_token))
    assert grant.access_token.startswith(f"access:{issued.account_id}:{issued.session_id}:")


@pytest.mark.parametrize("token", ["", "x" * 43, "y" * 1000])
def test_refresh_refuses_unknown_tokens(h, token):
    with pytest.raises(errors.SessionInvalid):
        h.bus.handle(RefreshAccess(token))


def test_refresh_tokens_expire_after_12_hours(h):
    verified(h)
    issued = login(h)
    h.clock.advance(hours=11, minutes=59)
    h.bus.handle(RefreshAccess(issued.refresh_token))
    h.clock.advance(minutes=1)
    with pytest.raises(errors.SessionInvalid):
        h.bus.handle(RefreshAccess(issued.refresh_token))


def test_logout_revokes_only_that_session(h):
    verified(h)
    first, second = login(h), login(h)
    h.bus.handle(Logout(first.account_id, first.session_id))
    with pytest.raises(errors.SessionInvalid):
        h.bus.handle(RefreshAccess(first.refresh_token))
    with pytest.raises(errors.SessionInvalid):
        h.bus.handle(GetAccount(first.account_id, first.session_id))
    h.bus.handle(RefreshAccess(second.refresh_token))
    h.bus.handle(Logout(first.account_id, first.session_id))  # twice: still fine


def test_logout_cannot_close_someone_elses_session(h):
    verified(h)
    verified(h, "luc.gagnon@genivert.ca")
    marie, luc = login(h), login(h, "luc.gagnon@genivert.ca")
    h.bus.handle(Logout(luc.account_id, marie.session_id))
    h.bus.handle(RefreshAccess(marie.refresh_token))


def test_get_account_of_a_live_session(h):
    view = verified(h)
    issued = login(h)
    me = h.bus.handle(GetAccount(issued.account_id, issued.session_id))
    assert (me.id, me.email, me.verified) == (view.id, EMAIL, True)
    with pytest.raises(errors.SessionInvalid):
        h.bus.handle(GetAccount(issued.account_id, None))


# Password change ----------------------------------------------------------------------------
def test_password_change_keeps_this_session_and_closes_the_others(h):
    verified(h)
    here, elsewhere = login(h), login(h)
    h.bus.handle(ChangePassword(here.account_id, here.session_id, PASSWORD, NEW_PASSWORD))
    h.bus.handle(RefreshAccess(here.refresh_token))
    with pytest.raises(errors.SessionInvalid):
        h.bus.handle(RefreshAccess(elsewhere.refresh_token))
    with pytest.raises(errors.InvalidCredentials):
        login(h)
    assert login(h, password=NEW_PASSWORD).refresh_token


def test_password_change_needs_the_current_password(h):
    verified(h)
    issued = login(h)
    with pytest.raises(errors.WrongCurrentPassword) as caught:
        h.bus.handle(ChangePassword(issued.account_id, issued.session_id, "Pas-le-bon-2026", NEW_PASSWORD))
    assert caught.value.field == "current_password"
    with pytest.raises(errors.SamePassword):
        h.bus.handle(ChangePassword(issued.account_id, issued.session_id, PASSWORD, PASSWORD))
    with pytest.raises(errors.WeakPassword) as weak:
        h.bus.handle(ChangePassword(issued.account_id, issued.session_id, PASSWORD, "court"))
    assert weak.value.field == "new_password"


def test_wrong_current_passwords_count_towards_the_lockout_which_ends_every_session(h):
    verified(h)
    issued = login(h)
    for _ in range(5):
        with pytest.raises(errors.WrongCurrentPassword):
            h.bus.handle(ChangePassword(issued.account_id, issued.session_id, "Pas-le-bon-2026", NEW_PASSWORD))
    with pytest.raises(errors.SessionInvalid):  # the lock-out ended this session too
        h.bus.handle(ChangePassword(issued.account_id, issued.session_id, PASSWORD, NEW_PASSWORD))
    with pytest.raises(errors.AccountLocked):
        login(h)


def test_password_change_needs_a_live_session(h):
    verified(h)
    issued = login(h)
    h.bus.handle(Logout(issued.account_id, issued.session_id))
    with pytest.raises(errors.SessionInvalid):
        h.bus.handle(ChangePassword(issued.account_id, issued.session_id, PASSWORD, NEW_PASSWORD))


# Password reset -----------------------------------------------------------------------------
def test_reset_request_says_nothing_about_unknown_addresses(h):
    assert h.bus.handle(RequestPasswordReset("personne@genivert.ca")) is None
    assert h.bus.handle(RequestPasswordReset("pas une adresse")) is None
    assert h.events("identity.password.reset_requested") == []


def test_reset_request_emits_a_one_hour_token(h):
    view = verified(h)
    h.bus.handle(RequestPasswordReset(" MARIE.TREMBLAY@genivert.ca ", locale="en"))
    event = h.last("identity.password.reset_requested")
    assert event["account_id"] == view.id and event["email"] == EMAIL and event["locale"] == "en"
    assert event["reset_expires_at"].startswith("2026-11-02T15:00:00")
    assert event["reset_url"] == f"https://emplois.example/compte/reinitialiser?token={event['reset_token']}"


def test_reset_sets_the_password_and_closes_every_session(h):
    verified(h)
    issued = login(h)
    h.bus.handle(RequestPasswordReset(EMAIL))
    h.bus.handle(ResetPassword(reset_token(h), NEW_PASSWORD))
    with pytest.raises(errors.SessionInvalid):
        h.bus.handle(RefreshAccess(issued.refresh_token))
    with pytest.raises(errors.InvalidCredentials):
        login(h)
    assert login(h, password=NEW_PASSWORD).refresh_token


def test_reset_token_is_single_use(h):
    verified(h)
    h.bus.handle(RequestPasswordReset(EMAIL))
    token = reset_token(h)
    h.bus.handle(ResetPassword(token, NEW_PASSWORD))
    with pytest.raises(errors.TokenAlreadyUsed):
        h.bus.handle(ResetPassword(token, "Encore-un-autre-2028"))


def test_reset_token_expires_after_one_hour(h):
    verified(h)
    h.bus.handle(RequestPasswordReset(EMAIL))
    h.clock.advance(hours=1)
    with pytest.raises(errors.TokenExpired):
        h.bus.handle(ResetPassword(reset_token(h), NEW_PASSWORD))


def test_a_reset_spends_the_other_reset_links(h):
    verified(h)
    h.bus.handle(RequestPasswordReset(EMAIL))
    first = reset_token(h)
    h.bus.handle(RequestPasswordReset(EMAIL))
    h.bus.handle(ResetPassword(reset_token(h), NEW_PASSWORD))
    with pytest.raises(errors.TokenAlreadyUsed):
        h.bus.handle(ResetPassword(first, "Encore-un-autre-2028"))


def test_a_weak_new_password_keeps_the_link_usable(h):
    verified(h)
    h.bus.handle(RequestPasswordReset(EMAIL))
    with pytest.raises(errors.WeakPassword):
        h.bus.handle(ResetPassword(reset_token(h), "court"))
    h.bus.handle(ResetPassword(reset_token(h), NEW_PASSWORD))


def test_a_reset_lifts_a_lockout(h):
    verified(h)
    for _ in range(5):
        with pytest.raises(errors.InvalidCredentials):
            login(h, password="Pas-le-bon-2026")
    with pytest.raises(errors.AccountLocked):
        login(h)
    h.bus.handle(RequestPasswordReset(EMAIL))
    h.bus.handle(ResetPassword(reset_token(h), NEW_PASSWORD))
    assert login(h, password=NEW_PASSWORD).refresh_token


def test_a_reset_proves_the_address_of_an_unverified_account(h):
    register(h)
    h.bus.handle(RequestPasswordReset(EMAIL))
    h.bus.handle(ResetPassword(reset_token(h), NEW_PASSWORD))
    assert h.account(EMAIL).is_verified
    assert len(h.events("identity.account.verified")) == 1
    assert login(h, password=NEW_PASSWORD).refresh_token


def test_reset_emails_are_limited_per_hour(h):
    verified(h)
    for _ in range(7):
        h.bus.handle(RequestPasswordReset(EMAIL))
    assert len(h.events("identity.password.reset_requested")) == 5
    h.clock.advance(hours=1)
    h.bus.handle(RequestPasswordReset(EMAIL))
    assert len(h.events("identity.password.reset_requested")) == 6


# Accounts made by operators -----------------------------------------------------------------
def test_create_verified_staff_account(h):
    view = h.bus.handle(CreateVerifiedAccount(email="Personnel@OIQ.qc.ca", password=PASSWORD, kind="staff",
                                              first_name="Sophie", last_name="Bélanger"))
    assert (view.email, view.kind, view.verified) == ("personnel@oiq.qc.ca", "staff", True)
    assert h.events("identity.account.registered") == []
    assert h.last("identity.account.verified")["kind"] == "staff"
    assert login(h, "personnel@oiq.qc.ca").account_id == view.id


def test_create_verified_account_keeps_the_rules(h):
    with pytest.raises(errors.WeakPassword):
        h.bus.handle(CreateVerifiedAccount(email="x@oiq.qc.ca", password="court", kind="staff",
                                           first_name="A", last_name="B"))
    with pytest.raises(errors.WebmailNotAllowed):
        h.bus.handle(CreateVerifiedAccount(email="x@gmail.com", password=PASSWORD, kind="employer",
                                           first_name="A", last_name="B"))
    with pytest.raises(ValueError):
        h.bus.handle(CreateVerifiedAccount(email="x@oiq.qc.ca", password=PASSWORD, kind="admin",
                                           first_name="A", last_name="B"))
    register(h)
    with pytest.raises(errors.EmailAlreadyUsed):
        h.bus.handle(CreateVerifiedAccount(email=EMAIL, password=PASSWORD, kind="staff",
                                           first_name="A", last_name="B"))


def test_find_account(h):
    view = register(h)
    assert h.bus.handle(FindAccount(" Marie.Tremblay@genivert.ca")).id == view.id
    assert h.bus.handle(FindAccount("personne@genivert.ca")) is None


# Signing keys (operators) ---------------------------------------------------------------------
def statuses(h: Harness) -> list[tuple[int, str]]:
    return [(k.generation, k.status) for k in h.bus.handle(ListSigningKeys())]


def test_the_first_rotation_of_an_empty_store_signs_at_once(h):
    [first] = h.bus.handle(RotateSigningKey())
    assert (first.generation, first.status, first.signs_from, first.published_until) == (1, "signing", START, None)


def test_a_rotation_publishes_the_new_key_then_lets_it_sign_then_retires_the_old_one(h):
    [first] = h.bus.handle(RotateSigningKey())
    h.clock.advance(days=365)
    now = h.clock.now()
    old, new = h.bus.handle(RotateSigningKey())
    assert old.kid == first.kid and new.generation == 2 and new.kid != old.kid
    assert (old.status, new.status) == ("signing", "next")
    assert new.signs_from == now + timedelta(minutes=6)
    assert old.published_until == now + timedelta(minutes=16)  # 6 + 5 (access tokens) + 5 (margin)
    h.clock.advance(minutes=5, seconds=59)
    assert statuses(h) == [(1, "signing"), (2, "next")]
    h.clock.advance(seconds=1)
    assert statuses(h) == [(1, "retired"), (2, "signing")]
    h.clock.advance(minutes=9, seconds=59)
    assert statuses(h) == [(1, "retired"), (2, "signing")]
    h.clock.advance(seconds=1)
    assert statuses(h) == [(1, "unpublished"), (2, "signing")]


def test_rotation_delays_come_from_the_dependencies():
    from identity.domain.keys import KeyRotationPolicy

    h = fake_harness(key_rotation=KeyRotationPolicy(activation_delay=timedelta(seconds=90),
                                                    access_ttl=timedelta(seconds=300), margin=timedelta(seconds=60)))
    h.bus.handle(RotateSigningKey())
    old, new = h.bus.handle(RotateSigningKey())
    assert (new.signs_from, old.published_until) == (START + timedelta(seconds=90), START + timedelta(seconds=450))


def test_a_compromised_key_is_replaced_at_once(h):
    h.bus.handle(RotateSigningKey())
    h.bus.handle(RotateSigningKey())  # a routine rotation still waiting to start
    h.clock.advance(minutes=1)
    keys = h.bus.handle(RotateSigningKey(compromised=True))
    assert [(k.generation, k.status) for k in keys] == [(1, "unpublished"), (2, "unpublished"), (3, "signing")]
    assert keys[0].published_until == keys[1].published_until == keys[2].signs_from == START + timedelta(minutes=1)


def test_two_rotations_racing_for_a_generation(h):
    from identity.adapters.keystore import generate_signing_key

    h.bus.handle(RotateSigningKey())
    object.__setattr__(h.deps, "new_signing_key", lambda generation, now: generate_signing_key(1, now))
    with pytest.raises(errors.KeyRotationConflict) as caught:
        h.bus.handle(RotateSigningKey())  # as if another rotation had taken the generation first
    assert "signing-keys" in caught.value.message_en


def test_keys_never_show_their_private_part(h):
    [view] = h.bus.handle(RotateSigningKey())
    assert "PRIVATE" not in repr(view) and not hasattr(view, "private_key_pem")
