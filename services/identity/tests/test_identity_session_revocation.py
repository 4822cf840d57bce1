"""A password reset, a password change and a lock-out end sessions in the database and announce
the ended session ids to the gateway's token cache (plumbing.revocations), after the commit."""

from __future__ import annotations

import pytest
from identity_fakes import Harness, fake_harness, sqlite_harness

from identity.domain import errors
from identity.service_layer.commands import (
    ChangePassword,
    CreateVerifiedAccount,
    DeactivateAccount,
    Login,
    RefreshAccess,
    RegisterAccount,
    RequestPasswordReset,
    ResetPassword,
    VerifyEmail,
)
from plumbing.revocations import MemoryRevokedSessions

PASSWORD = "Ponts-et-chaussees-2026"
NEW_PASSWORD = "Barrage-hydro-2027"
EMAIL = "marie.tremblay@genivert.ca"


class Recorder(MemoryRevokedSessions):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[list[str], int]] = []

    def mark(self, session_ids, ttl_seconds):  # type: ignore[no-untyped-def]
        self.calls.append((list(session_ids), ttl_seconds))
        super().mark(session_ids, ttl_seconds)


class Broken:
    def mark(self, session_ids, ttl_seconds):  # type: ignore[no-untyped-def]
        raise ConnectionError("redis is down")


@pytest.fixture(params=["fake", "sqlite"])
def h(request, tmp_path) -> Harness:
    board = Recorder()
    made = fake_harness(revoked_sessions=board) if request.param == "fake" else sqlite_harness(
        tmp_path, revoked_sessions=board)
    made.board = board  # type: ignore[attr-defined]
    return made


def sessions(h: Harness, count: int) -> list:
    h.bus.handle(RegisterAccount(email=EMAIL, password=PASSWORD, kind="employer", first_name="Marie",
                                 last_name="Tremblay"))
    token = h.last("identity.account.registered")["verification_token"]
    h.bus.handle(VerifyEmail(token))
    return [h.bus.handle(Login(email=EMAIL, password=PASSWORD)) for _ in range(count)]


def test_a_reset_announces_every_session(h):
    opened = sessions(h, 2)
    h.bus.handle(RequestPasswordReset(EMAIL))
    h.bus.handle(ResetPassword(h.last("identity.password.reset_requested")["reset_token"], NEW_PASSWORD))
    assert [(sorted(ids), ttl) for ids, ttl in h.board.calls] == [(sorted(s.session_id for s in opened), 360)]
    assert all(h.board.is_revoked(s.session_id) for s in opened)
    for issued in opened:
        with pytest.raises(errors.SessionInvalid):
            h.bus.handle(RefreshAccess(issued.refresh_token))


def test_a_change_announces_the_other_sessions_only(h):
    mine, other = sessions(h, 2)
    h.bus.handle(ChangePassword(mine.account_id, mine.session_id, PASSWORD, NEW_PASSWORD))
    assert h.board.is_revoked(other.session_id) and not h.board.is_revoked(mine.session_id)
    assert [ids for ids, _ in h.board.calls] == [[other.session_id]]


def test_the_failure_that_locks_the_account_ends_every_session(h):
    (opened,) = sessions(h, 1)
    for attempt in range(5):
        with pytest.raises(errors.InvalidCredentials):
            h.bus.handle(Login(email=EMAIL, password="Pas-le-bon-2026"))
        assert h.board.is_revoked(opened.session_id) == (attempt == 4)
    with pytest.raises(errors.SessionInvalid):
        h.bus.handle(RefreshAccess(opened.refresh_token))
    assert len(h.board.calls) == 1


def test_nothing_is_announced_when_no_session_ends(h):
    sessions(h, 0)
    h.bus.handle(RequestPasswordReset(EMAIL))
    h.bus.handle(ResetPassword(h.last("identity.password.reset_requested")["reset_token"], NEW_PASSWORD))
    assert h.board.calls == []


def test_an_unreachable_cache_does_not_undo_the_reset(tmp_path, caplog):
    h = sqlite_harness(tmp_path, revoked_sessions=Broken())
    (opened,) = sessions(h, 1)
    h.bus.handle(RequestPasswordReset(EMAIL))
    h.bus.handle(ResetPassword(h.last("identity.password.reset_requested")["reset_token"], NEW_PASSWORD))
    with pytest.raises(errors.SessionInvalid):
        h.bus.handle(RefreshAccess(opened.refresh_token))
    assert "could not announce 1 ended session" in caplog.text


# Staff deactivation -------------------------------------------------------------------------
def test_a_staff_deactivation_ends_every_session_and_refuses_log_in(h):
    opened = sessions(h, 2)
    staff = h.bus.handle(CreateVerifiedAccount(email="personnel@oiq.qc.ca", password=PASSWORD, kind="staff",
                                               first_name="Sophie", last_name="Bélanger"))
    view = h.bus.handle(DeactivateAccount(account_id=opened[0].account_id, actor_id=staff.id))
    assert view.email == EMAIL
    assert all(h.board.is_revoked(s.session_id) for s in opened)
    for issued in opened:
        with pytest.raises(errors.SessionInvalid):
            h.bus.handle(RefreshAccess(issued.refresh_token))
    with pytest.raises(errors.AccountDeactivated):
        h.bus.handle(Login(email=EMAIL, password=PASSWORD))
    h.bus.handle(DeactivateAccount(account_id=opened[0].account_id, actor_id=staff.id))  # idempotent
    assert len(h.board.calls) == 1


def test_only_staff_deactivate_and_only_known_accounts(h):
    (mine,) = sessions(h, 1)
    with pytest.raises(errors.StaffOnly):
        h.bus.handle(DeactivateAccount(account_id=mine.account_id, actor_id=mine.account_id))
    with pytest.raises(errors.AccountNotFound):
        h.bus.handle(DeactivateAccount(account_id="00000000-0000-4000-8000-000000000000"))
    h.bus.handle(Login(email=EMAIL, password=PASSWORD))  # still active


async def test_the_deactivation_api_is_for_staff(bundle):
    from identity_support import API, bearer, client, logged_in, problem

    async with client(bundle) as c:
        employer = await logged_in(c, bundle)
        me = (await c.get(f"{API}/accounts/me", headers=bearer(employer))).json()["id"]
        refused = await c.post(f"{API}/accounts/{me}/deactivation", headers=bearer(employer))
        assert refused.status_code == 403 and problem(refused)["code"] == "staff_only"
        bundle.extras["bus"].handle(CreateVerifiedAccount(email="staff.api@oiq.qc.ca", password=PASSWORD,
                                                          kind="staff", first_name="Sophie", last_name="B"))
        r = await c.post(f"{API}/sessions", json={"email": "staff.api@oiq.qc.ca", "password": PASSWORD})
        staff = r.json()
        assert (await c.post(f"{API}/accounts/{me}/deactivation", headers=bearer(staff))).status_code == 204
        assert (await c.get(f"{API}/accounts/me", headers=bearer(employer))).status_code == 401
        again = await c.post(f"{API}/sessions", json={"email": employer["email"], "password": PASSWORD})
        assert again.status_code == 403 and problem(again)["code"] == "account_deactivated"
        unknown = await c.post(f"{API}/accounts/00000000-0000-4000-8000-000000000000/deactivation",
                               headers=bearer(staff))
        assert unknown.status_code == 404
