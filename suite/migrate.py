"""`make migrate`: bring every built service's database to its latest revision."""

from __future__ import annotations

from plumbing.entry import load_bundle
from suite.services import built_services


def main() -> None:
    for service in built_services():
        load_bundle(service).migrate()
        print(f"{service}: migrated")


if __name__ == "__main__":
    main()
