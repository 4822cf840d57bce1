"""`make migrate`: bring every built service's database to its latest revision, then declare its
broker topology (distributed mode), before any producer starts."""

from __future__ import annotations

from plumbing.entry import declare_topology, load_bundle
from suite.services import built_services


def main() -> None:
    for service in built_services():
        bundle = load_bundle(service)
        bundle.migrate()
        declare_topology(bundle)
        print(f"{service}: migrated")


if __name__ == "__main__":
    main()
