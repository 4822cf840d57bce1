"""The gateway's own CPU per proxied request, without the noise of a whole suite.

    .venv/bin/python bench/gateway/cost.py                 # in process: ASGI calls, no server
    .venv/bin/python bench/gateway/cost.py --server        # gunicorn + uvicorn worker, loaded by wrk
    .venv/bin/python bench/gateway/cost.py --profile out   # in process under cProfile (out.pstats)

The upstream is a stub in its own process (a canned answer shaped like offers' landing page:
`public, s-maxage=5`, `Vary`, Date and Server, ~6 KB of HTML), so every CPU second counted here is
the gateway's. The gateway is built as `gateway.asgi:create_app()` builds it (LOG_LEVEL=INFO, one
access line a request, written to a file), micro-cache off, anonymous GET `/` from a browser-like
request (no cookie). In process, CPU is this process's; with `--server`, the gunicorn tree's (one
worker). A tool for finding where the time goes, not a goal: `run.py` judges the goals.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(REPO))
from benchkit import ensure_wrk, free_port, tree_cpu_seconds  # noqa: E402

BODY = b"<!doctype html><html lang=fr><body>" + b"<p>Les emplois en g\xc3\xa9nie</p>" * 190 + b"</body></html>"
HEAD = (
    b"HTTP/1.1 200 OK\r\ndate: Mon, 30 Nov 2026 20:00:00 GMT\r\nserver: uvicorn\r\n"
    b"content-type: text/html; charset=utf-8\r\ncache-control: public, s-maxage=5\r\n"
    b"vary: Accept-Language, Cookie\r\ncontent-language: fr\r\ncontent-length: " + str(len(BODY)).encode() + b"\r\n\r\n"
)

#: What a browser sends for a first visit (Chrome-like), with no cookie.
BROWSER_HEADERS = [
    (b"host", b"127.0.0.1"),
    (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"),
    (b"accept", b"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    (b"accept-language", b"fr-CA,fr;q=0.9,en;q=0.8"),
    (b"accept-encoding", b"gzip, deflate, br"),
]


class _Stub(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:  # bodiless requests only
            _, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            self.transport.write(HEAD + BODY)  # type: ignore[attr-defined]


def serve_stub(port: int) -> None:
    """Run the stub upstream forever (in its own process)."""
    import uvloop

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(_Stub, "127.0.0.1", port, backlog=1024)
        await server.serve_forever()

    uvloop.run(main())


def gateway_env(stub_port: int) -> dict[str, str]:
    return {
        **os.environ,
        "LOG_LEVEL": "INFO",
        "GATEWAY_UPSTREAM_OFFERS": f"http://127.0.0.1:{stub_port}",
        "GATEWAY_MICROCACHE_SECONDS": "0",
        "GATEWAY_RATE_LIMIT_DEFAULT": "100000000/minute",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "",
        "REDIS_URL": "",
    }


async def drive(app, requests: int, concurrency: int) -> float:  # type: ignore[no-untyped-def]
    """Send `requests` GET / through the ASGI app; return the CPU seconds they took."""

    async def one() -> None:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": "/", "raw_path": b"/", "query_string": b"", "root_path": "",
                 "headers": list(BROWSER_HEADERS), "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            if message["type"] == "http.response.start" and message["status"] != 200:
                raise RuntimeError(f"status {message['status']}")

        await app(scope, receive, send)

    async def worker(count: int) -> None:
        for _ in range(count):
            await one()

    for _ in range(200):  # warm-up: pool, imports, caches
        await one()
    started = time.process_time()
    await asyncio.gather(*(worker(requests // concurrency) for _ in range(concurrency)))
    return time.process_time() - started


def in_process(args: argparse.Namespace, stub_port: int) -> None:
    import uvloop

    os.environ.update(gateway_env(stub_port))
    log = open(args.log, "w")  # noqa: SIM115
    os.dup2(log.fileno(), 2)  # the access lines go to stderr, as under gunicorn
    from gateway.asgi import create_app

    app = create_app()
    total = (args.requests // args.concurrency) * args.concurrency

    async def main() -> float:
        try:
            return await drive(app, total, args.concurrency)
        finally:
            await app.gateway.aclose()  # type: ignore[attr-defined]

    profiler = cProfile.Profile(time.process_time) if args.profile else None
    if profiler:
        profiler.enable()
    cpu = uvloop.run(main())
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile + ".pstats")
    print(f"in process: {total} requests, gateway CPU {cpu / total * 1e6:.0f} µs a request", file=sys.__stdout__)


def with_server(args: argparse.Namespace, stub_port: int) -> None:
    from suite.distributed import gunicorn_command

    wrk = ensure_wrk()
    if wrk is None:
        sys.exit("wrk is not installed")
    port = free_port()
    with open(args.log, "wb") as log:
        server = subprocess.Popen(gunicorn_command("gateway.asgi:create_app()", port, 1), env=gateway_env(stub_port),
                                  cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while subprocess.run(["curl", "-sf", "-o", "/dev/null", url]).returncode != 0:
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("the gateway did not start; see " + args.log)
            time.sleep(0.2)
        headers = [arg for name, value in BROWSER_HEADERS[1:] for arg in ("-H", f"{name.decode()}: {value.decode()}")]
        subprocess.run([wrk, "-t1", "-c32", "-d2s", *headers, url], capture_output=True)
        for _ in range(args.rounds):
            before = tree_cpu_seconds(server.pid)
            out = subprocess.run([wrk, "-t1", f"-c{args.connections}", f"-d{args.duration:g}s", *headers, url],
                                 capture_output=True, text=True).stdout
            done = int(out.split(" requests in")[0].split()[-1])
            used = tree_cpu_seconds(server.pid) - before
            rps = float(out.split("Requests/sec:")[1].split()[0])
            print(f"server: {done} requests, {rps:.0f} req/s, gateway CPU {used / done * 1e6:.0f} µs a request")
    finally:
        server.terminate()
        server.wait(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", action="store_true", help="gunicorn (1 uvicorn worker) + wrk instead of ASGI calls")
    parser.add_argument("--requests", type=int, default=20000, help="in process: requests (20000)")
    parser.add_argument("--concurrency", type=int, default=16, help="in process: concurrent requests (16)")
    parser.add_argument("--profile", metavar="PREFIX", help="in process: write a cProfile to PREFIX.pstats")
    parser.add_argument("--duration", type=float, default=6.0, help="server: seconds per wrk run (6)")
    parser.add_argument("--rounds", type=int, default=3, help="server: wrk runs (3)")
    parser.add_argument("--connections", type=int, default=32, help="server: wrk -c (32)")
    parser.add_argument("--log", default="/tmp/gateway-cost.log", help="where the access lines go")
    args = parser.parse_args()
    stub_port = free_port()
    stub = subprocess.Popen([sys.executable, __file__, "--stub", str(stub_port)]) if "--stub" not in sys.argv else None
    try:
        time.sleep(1.0)
        (with_server if args.server else in_process)(args, stub_port)
    finally:
        if stub is not None:
            stub.terminate()
            stub.wait(5)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--stub":
        serve_stub(int(sys.argv[2]))
    else:
        main()
