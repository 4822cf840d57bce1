"""Operator commands of company-portal.

    python -m company_portal.entrypoints.admin snapshot [--only memberships|branding]

`snapshot` replays the current memberships and group branding as snapshot events
(portal.membership.snapshot, portal.branding.snapshot) through the outbox: the worker's relay
publishes them and every consumer's projection catches up (idempotently: a projection already up
to date changes nothing). Use it when a consumer's projection is suspected stale (e.g. after
dead-lettered events were discarded); a new consumer asks for one by itself on first start.
"""

from __future__ import annotations

import argparse
import sys

from company_portal.config import SERVICE, PortalConfig
from company_portal.service_layer import commands as c
from plumbing.config import Settings


def _snapshot(args: argparse.Namespace) -> int:
    from company_portal.bootstrap import bootstrap

    bundle = bootstrap(Settings.from_env(SERVICE), config=PortalConfig())
    projections = (args.only,) if args.only else c.SNAPSHOT_PROJECTIONS
    result = bundle.bus.handle(c.PublishSnapshot(projections=projections, requested_by="operator"))
    print(f"instantané / snapshot {result['snapshot_id']}: {result['memberships']} appartenances / memberships, "
          f"{result['branding']} groupes / groups (dans l'outbox / in the outbox)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m company_portal.entrypoints.admin",
                                     description="Commandes d'exploitation du portail / portal operator commands")
    commands = parser.add_subparsers(dest="command", required=True)
    snap = commands.add_parser("snapshot", help="rejouer l'état actuel en événements / replay the current state")
    snap.add_argument("--only", choices=c.SNAPSHOT_PROJECTIONS)
    snap.set_defaults(run=_snapshot)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
