"""A company-portal web worker in its own process, for the logo memory test.

Run: python portal_logo_server.py DIR — serves the portal's ASGI app under uvicorn on a free port
(like a gunicorn uvicorn worker: Flask pages in a2wsgi's thread pool), with one group whose
principal may upload a logo, and writes {"port", "headers", "group_id"} to DIR/ready.json.
"""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import uvicorn
from portal_testkit import add_account, add_company, add_group, auth, make_settings, use_test_keys

from company_portal.adapters import orm
from company_portal.bootstrap import bootstrap
from company_portal.config import PortalConfig


def main(directory: Path) -> None:
    bundle = bootstrap(make_settings(directory), config=PortalConfig())
    use_test_keys()  # this process's test key: the token below is signed with it
    orm.metadata.create_all(bundle.runtime.engine)
    account_id = add_account(bundle.bus, "principal@memoire-test.ca")
    group_id = add_group(bundle.bus, add_company(bundle.bus), members={account_id: "principal"})
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(bundle.asgi, log_level="warning", lifespan="off"))
    # Written whole, then renamed: the test polls for the file and must never read it half-written.
    partial = directory / "ready.json.part"
    partial.write_text(json.dumps({"port": port, "headers": auth(account_id), "group_id": group_id}))
    partial.rename(directory / "ready.json")
    server.run(sockets=[listener])


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main(Path(sys.argv[1]))
