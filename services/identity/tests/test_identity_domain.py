"""Domain rules, pure Python: addresses, passwords, names, lock-out, one-time and refresh tokens,
signing keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from identity.adapters.webmail import load_email_policy
from identity.domain import errors
from identity.domain.emails import EmailPolicy, advise, is_valid_syntax, normalise_email, parse_email
from identity.domain.keys import KeyRotationPolicy, SigningKey, published_at, rotate, signing_key_at
from identity.domain.model import (
    Account,
    LockoutPolicy,
    OneTimeToken,
    RefreshToken,
    TokenPurpose,
    clean_name,
    hash_token,
)
from identity.domain.passwords import password_problems

NOW = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
POLICY = load_email_policy()


def codes(password: str, email: str = "marie.tremblay@genivert.ca") -> list[str]:
    return [code for code, _, _ in password_problems(password, email)]


# Addresses ----------------------------------------------------------------------------------
def test_email_is_trimmed_and_lowercased():
    assert normalise_email("  Marie.Tremblay@GeniVert.CA \n") == "marie.tremblay@genivert.ca"
    assert parse_email(" Marie@Genivert.ca ") == "marie@genivert.ca"


@pytest.mark.parametrize("email", [
    "marie@genivert.ca", "marie.tremblay+oiq@genivert.qc.ca", "a_b-c@x-y.com", "o'neil@firm.ca",
    "x@xn--bcher-kva.ch",
])
def test_valid_addresses(email):
    assert is_valid_syntax(email)


@pytest.mark.parametrize("email", [
    "", "marie", "marie@", "@genivert.ca", "marie@genivert", "marie@@genivert.ca", "ma rie@genivert.ca",
    "marie@genivert..ca", ".marie@genivert.ca", "marie.@genivert.ca", "marie@-genivert.ca",
    "marie@genivert.c", "marie@genivert.123", "mariè@genivert.ca", "marie@localhost", "marie@[192.0.2.1]",
    '"marie tremblay"@genivert.ca', "Marie <marie@genivert.ca>",
    "a" * 65 + "@genivert.ca", "m@" + "a" * 250 + ".ca", "marie@genivert.ca\u0000", "marie\ud800@genivert.ca",
])
def test_invalid_addresses(email):
    assert not is_valid_syntax(email)
    with pytest.raises(errors.InvalidEmail):
        parse_email(email)


@pytest.mark.parametrize(("raw", "stored"), [
    ("jean@exemple.québec", "jean@exemple.xn--qubec-csa"),  # internationalized domain: its ASCII form
    ("Jean@Exemple.XN--QUBEC-CSA", "jean@exemple.xn--qubec-csa"),  # the same address
    ("marie@génivert.ca", "marie@xn--gnivert-bya.ca"),
    ("MARIE@GÉNIVERT.CA", "marie@xn--gnivert-bya.ca"),  # case-folded before IDNA
    ("  Marie.Tremblay@GeniVert.ca\n", "marie.tremblay@genivert.ca"),
    ("marie@ＧＥＮＩＶＥＲＴ.ca", "marie@genivert.ca"),  # full-width letters: NFKC
])
def test_addresses_are_normalized_to_one_stored_form(raw, stored):
    assert parse_email(raw) == stored and is_valid_syntax(stored)
    assert normalise_email(raw) == stored


def test_a_non_ascii_local_part_is_refused():
    with pytest.raises(errors.InvalidEmail):
        parse_email("élodie@genivert.ca")


@pytest.mark.parametrize("domain", [
    "gmail.com", "hotmail.com", "outlook.com", "live.com", "yahoo.com", "yahoo.ca", "icloud.com", "me.com",
    "aol.com", "gmx.com", "protonmail.com", "proton.me", "videotron.ca", "hotmail.ca", "live.ca", "msn.com",
    "mail.com", "yandex.com", "zoho.com",
])
def test_free_webmail_refused_for_employers(domain):
    with pytest.raises(errors.WebmailNotAllowed) as caught:
        POLICY.check(f"marie@{domain}", professional=True)
    assert caught.value.field == "email"
    assert "gmail.com" in caught.value.message_fr and "ne sont pas acceptées" in caught.value.message_fr
    assert "professional email address" in caught.value.message_en


def test_webmail_rule_covers_subdomains_and_case_but_not_lookalikes():
    assert POLICY.is_free_webmail("x@mail.yahoo.com")
    with pytest.raises(errors.WebmailNotAllowed):
        POLICY.check("X@GMAIL.COM", professional=True)
    assert POLICY.check("x@notgmail.com", professional=True) == "x@notgmail.com"
    assert POLICY.check("x@gmail.com.genivert.ca", professional=True) == "x@gmail.com.genivert.ca"


def test_members_may_use_webmail():
    assert POLICY.check("alex.roy@gmail.com", professional=False) == "alex.roy@gmail.com"


def test_policy_list_is_data():
    policy = EmailPolicy.of(["  Example.org ", "", "# not a domain"])
    assert policy.is_free_webmail("x@example.org")


def test_advice_for_live_hints():
    assert advise(POLICY, "marie@genivert.ca").allowed
    refused = advise(POLICY, "marie@gmail.com")
    assert (refused.allowed, refused.reason_code) == (False, "webmail_not_allowed")
    assert refused.message_fr and refused.message_en
    assert advise(POLICY, "pas une adresse").reason_code == "invalid_email"


@given(st.text(max_size=400))
def test_any_text_is_either_an_address_or_refused_cleanly(raw):
    try:
        email = POLICY.check(raw, professional=True)
    except (errors.InvalidEmail, errors.WebmailNotAllowed):
        return
    assert is_valid_syntax(email) and email == email.strip().lower()


# Passwords ----------------------------------------------------------------------------------
def test_a_good_password_passes():
    assert codes("Ponts-et-chaussees-2026") == []


@pytest.mark.parametrize(("password", "expected"), [
    ("Court-2026", ["too_short"]),
    ("a1" * 64 + "b", ["too_long"]),
    ("123456789012", ["no_letter"]),
    ("Ponts-et-chaussees", ["no_digit"]),
    ("x", ["too_short", "no_digit"]),
    ("", ["too_short", "no_letter", "no_digit"]),
    ("MARIE.TREMBLAY-2026", ["contains_email"]),
    ("xx-marie.tremblay-2026", ["contains_email"]),
    ("Ponts-et-chaussees-2026\x00", ["bad_characters"]),
    ("Ponts-et-chaussees-2026\ud800", ["bad_characters"]),
])
def test_password_rules(password, expected):
    assert codes(password) == expected


def test_boundaries_of_length():
    assert codes("a" * 11 + "1") == []
    assert codes("a" * 10 + "1") == ["too_short"]
    assert codes("a" * 127 + "1") == []
    assert codes("a" * 128 + "1") == ["too_long"]


def test_short_local_parts_do_not_forbid_letters():
    assert codes("Ponts-et-chaussees-2026", "a@genivert.ca") == []
    assert codes("Ponts-et-chaussees-2026", "pon@genivert.ca") == ["contains_email"]


def test_weak_password_messages_in_both_languages():
    error = errors.WeakPassword(password_problems("court", "m@x.ca"))
    assert "12 caractères" in error.message_fr and "12 characters" in error.message_en
    assert "un chiffre" in error.message_fr and "one digit" in error.message_en
    assert error.field == "password"


# Names --------------------------------------------------------------------------------------
def test_names_are_trimmed_and_bounded():
    assert clean_name("  Marie   Ève ", "first_name") == "Marie Ève"
    for bad in ("", "   ", "x" * 101, "Marie\u0000", "Ma\u200brie"):
        with pytest.raises(errors.InvalidName) as caught:
            clean_name(bad, "last_name")
        assert caught.value.field == "last_name"


# Lock-out -----------------------------------------------------------------------------------
def account() -> Account:
    return Account("a1", "marie@genivert.ca", "employer", "Marie", "Tremblay", "$argon2id$x", "fr", NOW)


def test_five_consecutive_failures_lock_for_fifteen_minutes():
    a, policy = account(), LockoutPolicy()
    for _ in range(4):
        a.login_failed(NOW, policy)
    assert not a.is_locked(NOW)
    a.login_failed(NOW, policy)
    assert a.is_locked(NOW)
    assert a.is_locked(NOW + timedelta(minutes=14, seconds=59))
    assert not a.is_locked(NOW + timedelta(minutes=15))


def test_success_resets_the_count():
    a, policy = account(), LockoutPolicy()
    for _ in range(4):
        a.login_failed(NOW, policy)
    a.login_succeeded()
    for _ in range(4):
        a.login_failed(NOW, policy)
    assert not a.is_locked(NOW)


def test_locked_error_says_how_long():
    until = NOW + timedelta(minutes=15)
    error = errors.AccountLocked(until, NOW)
    assert error.message_fr == ("Votre compte est temporairement verrouillé après plusieurs tentatives "
                                "infructueuses. Réessayez dans 15 minutes ou réinitialisez votre mot de passe.")
    assert "15 minutes" in error.message_en and error.retry_after == 900
    assert "Réessayez dans 1 minutes" in errors.AccountLocked(until, until - timedelta(seconds=10)).message_fr


# Tokens -------------------------------------------------------------------------------------
def test_one_time_token_is_single_use_and_expires():
    token = OneTimeToken.issue("t1", "a1", TokenPurpose.VERIFY_EMAIL, "secret-" * 5, NOW, timedelta(hours=48))
    assert token.token_hash == hash_token("secret-" * 5) and len(token.token_hash) == 64
    with pytest.raises(errors.TokenExpired):
        token.use(NOW + timedelta(hours=48))
    token.use(NOW + timedelta(hours=47, minutes=59))
    with pytest.raises(errors.TokenAlreadyUsed):
        token.use(NOW + timedelta(hours=1))


def test_hash_of_odd_text_does_not_fail():
    assert len(hash_token("\ud800\x00é")) == 64


def test_refresh_token_activity():
    token = RefreshToken.issue("s1", "a1", "raw", NOW, timedelta(hours=12))
    assert token.is_active(NOW + timedelta(hours=11, minutes=59))
    assert not token.is_active(NOW + timedelta(hours=12))
    token.revoke(NOW)
    token.revoke(NOW + timedelta(hours=1))
    assert token.revoked_at == NOW and not token.is_active(NOW)


def test_verify_records_one_event_only():
    a = account()
    a.verify(NOW)
    a.verify(NOW + timedelta(hours=1))
    assert len(a.events) == 1 and a.verified_at == NOW


def test_ask_verification_again_records_the_requesters_locale():
    a = account()
    a.ask_verification_again("raw-" * 10, NOW + timedelta(hours=48), "en")
    a.ask_verification_again("raw-" * 10, NOW + timedelta(hours=48))
    assert [(e.locale, e.first_name, e.kind) for e in a.events] == [("en", a.first_name, a.kind),
                                                                       (a.locale, a.first_name, a.kind)]


# Signing keys -------------------------------------------------------------------------------
MIN = timedelta(minutes=1)


def key(generation: int, not_before=None, not_after=None) -> SigningKey:
    return SigningKey(f"kid-{generation}", generation, "pem", "{}", NOW, not_before, not_after)


def kids(keys) -> list[str]:
    return [k.kid for k in keys]


def test_without_validity_the_newest_key_signs_and_every_key_is_published():
    keys = [key(1), key(2)]  # rows from before the validity columns
    assert signing_key_at(keys, NOW).kid == "kid-2"
    assert kids(published_at(keys, NOW)) == ["kid-1", "kid-2"]
    assert signing_key_at([], NOW) is None


def test_a_routine_rotation_starts_after_the_delay_and_retires_the_old_key_later():
    old, new = key(1), key(2)
    rotate([old], new, NOW, KeyRotationPolicy())
    assert new.not_before == NOW + 6 * MIN and new.not_after is None
    assert old.not_after == NOW + 16 * MIN  # start of the new key + 5 min of access TTL + 5 min margin
    assert signing_key_at([old, new], NOW + 6 * MIN - timedelta(seconds=1)) is old
    assert kids(published_at([old, new], NOW)) == ["kid-1", "kid-2"]  # published before it signs
    assert signing_key_at([old, new], NOW + 6 * MIN) is new
    assert kids(published_at([old, new], NOW + 16 * MIN - timedelta(seconds=1))) == ["kid-1", "kid-2"]
    assert kids(published_at([old, new], NOW + 16 * MIN)) == ["kid-2"]


def test_two_rotations_in_a_row_keep_each_key_until_its_tokens_expired():
    k1, k2, k3 = key(1), key(2), key(3)
    policy = KeyRotationPolicy()
    rotate([k1], k2, NOW, policy)
    rotate([k1, k2], k3, NOW + 2 * MIN, policy)  # k2 never signed yet
    assert (k1.not_after, k2.not_before, k2.not_after, k3.not_before) == (
        NOW + 16 * MIN, NOW + 6 * MIN, NOW + 18 * MIN, NOW + 8 * MIN)
    keys = [k1, k2, k3]
    assert [signing_key_at(keys, NOW + m * MIN).kid for m in (5, 6, 7, 8)] == ["kid-1", "kid-2", "kid-2", "kid-3"]


def test_a_compromised_rotation_signs_at_once_and_unpublishes_the_old_keys():
    k1, k2, k3 = key(1), key(2), key(3)
    rotate([k1], k2, NOW, KeyRotationPolicy())
    rotate([k1, k2], k3, NOW + MIN, KeyRotationPolicy(), compromised=True)
    assert k3.not_before == NOW + MIN and k1.not_after == k2.not_after == NOW + MIN
    assert signing_key_at([k1, k2, k3], NOW + MIN) is k3
    assert kids(published_at([k1, k2, k3], NOW + MIN)) == ["kid-3"]


def test_the_first_key_signs_at_once():
    first = key(1)
    rotate([], first, NOW, KeyRotationPolicy())
    assert first.not_before == NOW and signing_key_at([first], NOW) is first


def test_rotation_delays_follow_the_policy():
    old, new = key(1), key(2)
    rotate([old], new, NOW, KeyRotationPolicy(activation_delay=2 * MIN, access_ttl=MIN, margin=30 * MIN))
    assert (new.not_before, old.not_after) == (NOW + 2 * MIN, NOW + 33 * MIN)
