"""Races on PostgreSQL (issue 7): two submissions of one account, two staff approvals at once.

The first transaction is held open right after its handler ran (its row locks taken); the second
is started and the test waits until PostgreSQL shows it waiting on a lock, then lets the first
commit. So the two really overlap, and the outcome must still keep every rule.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from portal_testkit import add_account, add_company, add_group, make_settings, new_id, outbox
from sqlalchemy import text
from test_portal_service_layer import ABOUT, COMPANY

from company_portal.bootstrap import PortalBundle, bootstrap
from company_portal.config import PortalConfig
from company_portal.domain import errors
from company_portal.domain.model import AccountRequest, CompanyInfo, RequestKind
from company_portal.service_layer import commands as c
from company_portal.service_layer import handlers, views
from company_portal.service_layer.messagebus import MessageBus
from company_portal.service_layer.unit_of_work import UniqueViolation
from plumbing.clock import FixedClock
from plumbing.testing import create_test_database, drop_test_database, wait_until


@pytest.fixture
def pg(tmp_path) -> Iterator[PortalBundle]:
    url = create_test_database("test_portal_races")
    built = bootstrap(make_settings(tmp_path, url), clock=FixedClock(), config=PortalConfig())
    built.migrate()
    yield built
    built.runtime.engine.dispose()
    drop_test_database(url)


def _waiting_on_a_lock(bundle: PortalBundle) -> bool:
    with bundle.runtime.engine.connect() as connection:
        return bool(connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'")).scalar_one())


def overlap(bundle: PortalBundle, first: c.Command, second: c.Command,
            handler: Callable[[Any, Any, Any], Any]) -> tuple[Any, Any]:
    """Run `first` holding its transaction open until `second` waits on a lock; both outcomes."""
    holding, release = threading.Event(), threading.Event()

    def held(cmd: Any, uow: Any, deps: Any) -> Any:
        result = handler(cmd, uow, deps)
        uow.flush()
        holding.set()
        release.wait(30)
        return result

    slow = MessageBus(bundle.bus.uow_factory, bundle.bus.deps,
                      {**handlers.COMMAND_HANDLERS, type(first): held})
    outcomes: dict[str, Any] = {}

    def run(name: str, bus: MessageBus, command: c.Command) -> None:
        try:
            outcomes[name] = bus.handle(command)
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcomes[name] = exc

    threads = [threading.Thread(target=run, args=("first", slow, first))]
    threads[0].start()
    assert holding.wait(30)
    threads.append(threading.Thread(target=run, args=("second", bundle.bus, second)))
    threads[1].start()
    try:
        wait_until(lambda: _waiting_on_a_lock(bundle), message="the second transaction never waited")
    finally:
        release.set()
        for thread in threads:
            thread.join(30)
    return outcomes["first"], outcomes["second"]


def _draft_ready(bus: MessageBus, account_id: str, company_id: str) -> None:
    bus.handle(c.ChooseCompany(account_id, company_id))
    bus.handle(c.SaveCompanyInfo(account_id, COMPANY))
    bus.handle(c.SaveAboutYou(account_id, "luc@genivert-test.ca", {**ABOUT, "group": "new"}))


def test_two_submissions_of_one_account_leave_one_open_request(pg):
    bus = pg.bus
    company_id = add_company(bus)
    requester = add_account(bus)
    _draft_ready(bus, requester, company_id)
    submit = c.SubmitRequest(requester, "luc@genivert-test.ca")
    first, second = overlap(pg, submit, submit, handlers.submit_request)
    assert isinstance(first, AccountRequest)
    assert isinstance(second, errors.Conflict | UniqueViolation)
    assert [r["status"] for r in bus.query(views.my_requests, requester)] == ["en_attente"]


def test_the_database_keeps_one_pending_request_per_account(pg):
    bus = pg.bus
    requester = add_account(bus)
    with bus.new_uow() as uow:
        account = uow.accounts.get(requester)
        info = CompanyInfo(**{**COMPANY, "neq": None})
        for _ in range(2):
            uow.requests.add(AccountRequest(new_id(), RequestKind.COMPANY_CREATION, account, info,
                                            bus.deps.clock.now()))
        with pytest.raises(UniqueViolation):
            uow.commit()


def test_one_request_approved_twice_at_once_opens_one_group(pg):
    bus = pg.bus
    company_id = add_company(bus)
    add_group(bus, company_id, members={add_account(bus, "marie@genivert-test.ca"): "principal"})
    requester = add_account(bus)
    _draft_ready(bus, requester, company_id)
    request = bus.handle(c.SubmitRequest(requester, "luc@genivert-test.ca"))
    approve = c.ApplyStaffApproval(request.id, new_id(), "s@oiq.qc.ca")
    first, second = overlap(pg, approve, approve, handlers.apply_staff_approval)
    assert first.status == "approuvee" and second is None
    assert [g["name"] for g in bus.query(views.company_with_groups, company_id)["groups"]] == [
        "Groupe 001", "Groupe 002"]
    assert len(outbox(pg, "portal.group.opened")) == 1


def test_two_new_groups_approved_at_once_in_one_company_both_open(pg):
    bus = pg.bus
    company_id = add_company(bus)
    add_group(bus, company_id, members={add_account(bus, "marie@genivert-test.ca"): "principal"})
    requests = []
    for _ in range(2):
        requester = add_account(bus)
        _draft_ready(bus, requester, company_id)
        requests.append(bus.handle(c.SubmitRequest(requester, f"{requester[:8]}@genivert-test.ca")))
    first, second = overlap(pg, c.ApplyStaffApproval(requests[0].id, new_id(), "s@oiq.qc.ca"),
                            c.ApplyStaffApproval(requests[1].id, new_id(), "s@oiq.qc.ca"),
                            handlers.apply_staff_approval)
    assert (first.group_name, second.group_name) == ("Groupe 002", "Groupe 003")  # the company lock queued them
    opened = outbox(pg, "portal.group.opened")
    assert [e.data["principal_emails"] for e in opened] == [
        ["marie@genivert-test.ca"], sorted(["marie@genivert-test.ca", f"{requests[0].requester_account_id[:8]}"
                                                                     "@genivert-test.ca"])]
