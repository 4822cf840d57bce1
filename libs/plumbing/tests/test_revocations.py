"""plumbing.revocations: ended sessions are listed for a while, then forgotten."""

from __future__ import annotations

from plumbing.revocations import MemoryRevokedSessions, make_revoked_sessions, process_wide, revoked_key


def test_an_ended_session_is_listed_until_its_time_is_up() -> None:
    now = [100.0]
    board = MemoryRevokedSessions(clock=lambda: now[0])
    board.mark(["s-1", "s-2"], ttl_seconds=60)
    assert board.is_revoked("s-1") and board.is_revoked("s-2") and not board.is_revoked("s-3")
    now[0] += 59
    assert board.is_revoked("s-1")
    now[0] += 1
    assert not board.is_revoked("s-1")


def test_the_embedded_mode_shares_one_set_per_process() -> None:
    assert make_revoked_sessions(None, "gw:") is process_wide()
    assert revoked_key("gw:", "abc") == "gw:revoked-session:abc"
