"""Gateway benchmark: the path users take (browser → gateway → service) against bare Flask hello.

    .venv/bin/python bench/gateway/run.py [--duration 8] [--rounds 3] [--no-connection-close]

One run starts, the way `make up` does (suite.distributed, gunicorn with uvicorn workers,
LOG_LEVEL=INFO), identity and offers on throw-away PostgreSQL databases and a throw-away RabbitMQ
vhost, the gateway (micro-cache on) and a second gateway with the micro-cache off, plus a bare
Flask "hello" under gunicorn sync and gthread. It loads, with wrk, offers' landing page `GET /`:

- through the gateway, cache off, then on;
- straight to offers;
- and bare Flask hello under sync and gthread (4 threads),

with keep-alive, then with `Connection: close` on every request; prints req/s, p99, max, server CPU
per request per process (gateway, offers, baseline), the ratios and PASS/FAIL against the goals of
issue 10. A measurement, not a test: exit 0 whatever the figures, 1 if a server failed, 2 without wrk.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(REPO))
from benchkit import Sample, ensure_wrk, fmt_ms, free_port, problems, run_wrk, tree_cpu_seconds  # noqa: E402

#: The goals of issue 10.
CACHED_VS_HELLO = 0.75  # through the gateway with the cache, req/s ≥ 0.75× bare Flask hello (sync)
UNCACHED_VS_DIRECT = 0.5  # without the cache, req/s ≥ 0.5× the page served straight
GATEWAY_CPU_US = 500.0  # without the cache, gateway CPU per request ≤ 0.5 ms
P99_VS_HELLO = 3.0  # p99 through the gateway ≤ 3× bare Flask's
PAGE = "/"  # offers' landing page (the job-site search page joins when it exists)


@dataclass
class Process:
    """A gunicorn master (and its workers) whose CPU is counted."""

    name: str
    popen: subprocess.Popen[bytes]

    def cpu(self) -> float:
        return tree_cpu_seconds(self.popen.pid)


@dataclass
class Design:
    key: str
    label: str
    url: str
    processes: list[Process]  # whose CPU a request of this design costs


@dataclass
class Cell:
    samples: list[Sample] = field(default_factory=list)
    cpu_by_process: dict[str, list[float]] = field(default_factory=dict)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(s, attr) for s in self.samples)

    def cpu_us(self, process: str) -> float:
        return statistics.median(self.cpu_by_process[process])

    @property
    def max(self) -> float:
        return max(s.max_ms for s in self.samples)

    @property
    def problems(self) -> str:
        return problems(self.samples)


def start_baselines(tmp: Path, workers: int, env: dict[str, str]) -> dict[str, tuple[subprocess.Popen[bytes], int]]:
    started = {}
    for key, worker_args in (("sync", ["-k", "sync"]), ("gthread", ["-k", "gthread", "--threads", "4"])):
        port = free_port()
        argv = [sys.executable, "-m", "gunicorn", *worker_args, "--no-control-socket", "--pythonpath", str(HERE),
                "-w", str(workers), "-b", f"127.0.0.1:{port}", "--graceful-timeout", "5", "hello:create_app()"]
        with (tmp / f"hello-{key}.log").open("ab") as log:
            started[key] = (subprocess.Popen(argv, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT), port)
    return started


def wait_ready(url: str, popen: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {popen.returncode}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {timeout:.0f}s")


def check_cache(designs: dict[str, Design]) -> None:
    """The page is marked shareable, the cached gateway serves it from cache, the other does not."""
    direct = httpx.get(designs["direct"].url, timeout=5)
    if "public" not in direct.headers.get("cache-control", ""):
        raise RuntimeError(f"the page is not shareable: Cache-Control {direct.headers.get('cache-control')!r}")
    for key in ("cached", "uncached"):
        response = httpx.get(designs[key].url, timeout=5)
        if response.status_code != 200 or "Les emplois en génie" not in response.text:
            raise RuntimeError(f"{designs[key].label}: {response.status_code} {response.text[:200]}")
        names = [name.lower() for name, _ in response.headers.multi_items()]
        if names.count("date") != 1 or names.count("server") > 1:
            raise RuntimeError(f"{designs[key].label}: Date/Server not once: {names}")


def measure(wrk: str, designs: list[Design], args: argparse.Namespace, headers: list[str]) -> dict[str, Cell]:
    cells = {d.key: Cell() for d in designs}
    for design in designs:
        if args.warmup > 0:
            run_wrk(wrk, design.url, args.warmup, args, headers)
    for round_no in range(args.rounds):
        order = designs if round_no % 2 == 0 else list(reversed(designs))
        for design in order:
            before = {p.name: p.cpu() for p in design.processes}
            sample = run_wrk(wrk, design.url, args.duration, args, headers)
            cell = cells[design.key]
            parts = []
            for process in design.processes:
                used = (process.cpu() - before[process.name]) / max(sample.requests, 1) * 1e6
                cell.cpu_by_process.setdefault(process.name, []).append(used)
                parts.append(f"{process.name} {used:4.0f}")
            sample.cpu_us = sum(cell.cpu_by_process[p.name][-1] for p in design.processes)
            cell.samples.append(sample)
            print(f"  round {round_no + 1}  {design.label:<34} {sample.rps:8.0f} req/s  p99 {fmt_ms(sample.p99_ms):>9}"
                  f"  max {fmt_ms(sample.max_ms):>9}  CPU µs/req: {', '.join(parts)}", flush=True)
    return cells


def report(cells: dict[str, Cell], designs: list[Design], title: str) -> list[str]:
    hello = cells["sync"]
    lines = [f"\n{title}",
             f"{'design':<34} {'req/s':>7} {'ratio':>6} {'p99':>9} {'max':>9}  CPU per request (µs) by process",
             "-" * 110]
    for design in designs:
        cell = cells[design.key]
        cpu = ", ".join(f"{p.name} {cell.cpu_us(p.name):.0f}" for p in design.processes)
        extra = f"  ({cell.problems})" if cell.problems else ""
        lines.append(f"{design.label:<34} {cell.median('rps'):7.0f} {cell.median('rps') / hello.median('rps'):5.2f}× "
                     f"{fmt_ms(cell.median('p99_ms')):>9} {fmt_ms(cell.max):>9}  {cpu}{extra}")
    cached, uncached, direct = cells["cached"], cells["uncached"], cells["direct"]
    verdict = lambda ok: "PASS" if ok else "FAIL"  # noqa: E731
    ratio_cached = cached.median("rps") / hello.median("rps")
    ratio_uncached = uncached.median("rps") / direct.median("rps")
    gateway_cpu = uncached.cpu_us("gateway")
    p99_ratio = cached.median("p99_ms") / hello.median("p99_ms")
    p99_uncached = uncached.median("p99_ms") / hello.median("p99_ms")
    lines += [
        "",
        f"{verdict(ratio_cached >= CACHED_VS_HELLO)} through the gateway with the cache ≥ {CACHED_VS_HELLO}× bare "
        f"Flask hello (sync): {ratio_cached:.2f}×",
        f"{verdict(gateway_cpu <= GATEWAY_CPU_US)} without the cache, gateway CPU per request ≤ "
        f"{GATEWAY_CPU_US / 1000:.1f} ms: {gateway_cpu / 1000:.2f} ms",
        f"{verdict(ratio_uncached >= UNCACHED_VS_DIRECT)} without the cache ≥ {UNCACHED_VS_DIRECT}× the page served "
        f"straight: {ratio_uncached:.2f}×",
        f"{verdict(p99_ratio <= P99_VS_HELLO)} p99 through the gateway (cache on, as the page is served) ≤ "
        f"{P99_VS_HELLO:g}× bare Flask's: {p99_ratio:.2f}×",
        f"     (p99 through the gateway with the cache off: {p99_uncached:.2f}× bare Flask's; straight to offers: "
        f"{direct.median('p99_ms') / hello.median('p99_ms'):.2f}×)",
    ]
    return lines


def log_lines(logs: Path, requests: dict[str, int]) -> str:
    """Lines written per request (measured rounds; warm-ups and checks add a few): the gateway
    should write one access line per request and the services none (LOG_LEVEL=INFO)."""
    files = {"gateway": "gateway", "uncached": "gateway-uncached", "offers-web": "offers-web"}
    counts = {}
    for name, file in files.items():
        with (logs / f"{file}.log").open("rb") as log:
            counts[name] = sum(1 for _ in log)
    parts = [f"{name} {counts[name] / max(requests[name], 1):.2f}" for name in counts]
    return "\nlog lines per request (LOG_LEVEL=INFO): " + ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per measurement (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per design, median (default 3)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per design (2)")
    parser.add_argument("--connections", type=int, default=64, help="wrk -c (default 64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per process (default 2)")
    parser.add_argument("--no-connection-close", action="store_true", help="skip the `Connection: close` pass")
    args = parser.parse_args(argv)

    wrk = ensure_wrk()
    if wrk is None:
        print("wrk is not installed. Install it with:  sudo apt-get install -y wrk   (Debian/Ubuntu)", file=sys.stderr)
        return 2
    from plumbing.testing import create_test_database, create_test_vhost, delete_test_vhost, drop_test_database
    from suite.distributed import DistributedSuite, Infrastructure, gunicorn_command

    passes: list[tuple[str, list[str]]] = [("keep-alive (wrk default)", [])]
    if not args.no_connection_close:
        passes.append(("'Connection: close' on every request", ["Connection: close"]))
    print(f"gateway benchmark: 5 designs × {args.rounds} rounds × {args.duration:g} s × {len(passes)} connection "
          f"modes, wrk -t{args.threads} -c{args.connections}, {args.workers} gunicorn workers per process; about "
          f"{len(passes) * 5 * (args.warmup + args.rounds * args.duration) / 60:.1f} min of load", flush=True)

    def on_signal(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="ingemplois-bench-gateway-"))
    services = ["identity", "offers"]
    databases: dict[str, str] = {}
    amqp_url = ""
    suite: DistributedSuite | None = None
    extra: list[subprocess.Popen[bytes]] = []
    try:
        databases = {s: create_test_database(f"bench_{s}") for s in services}
        amqp_url = create_test_vhost(prefix="bench")
        infra = Infrastructure(databases, amqp_url, redis_prefix=f"bench:{uuid.uuid4().hex[:8]}:")
        production_env = {
            "LOG_LEVEL": "INFO",  # as in production: the gateway's access line is part of the cost
            "API_VALIDATE_RESPONSES": "false",
            "GATEWAY_RATE_LIMIT_DEFAULT": "100000000/minute",  # one load generator must not be refused
            "OTEL_EXPORTER_OTLP_ENDPOINT": "",  # the base deployment exports no spans
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        suite = DistributedSuite(infra, tmp, gateway_port=free_port(), workers_per_service=args.workers,
                                 services=services, extra_env=production_env)
        suite.start()
        env = {**suite.env(), "GATEWAY_MICROCACHE_SECONDS": "0"}
        uncached_port = free_port()
        with (tmp / "logs" / "gateway-uncached.log").open("ab") as log:
            uncached = subprocess.Popen(gunicorn_command("gateway.asgi:create_app()", uncached_port, args.workers),
                                        env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        extra.append(uncached)
        baselines = start_baselines(tmp, args.workers, env)
        extra += [popen for popen, _ in baselines.values()]
        gateway = Process("gateway", suite.processes["gateway"])
        offers = Process("offers", suite.processes["offers-web"])
        designs = [
            Design("cached", "gateway → offers, micro-cache on", suite.gateway_url + PAGE, [gateway, offers]),
            Design("uncached", "gateway → offers, micro-cache off", f"http://127.0.0.1:{uncached_port}{PAGE}",
                   [Process("gateway", uncached), offers]),
            Design("direct", "offers straight (no gateway)", f"http://127.0.0.1:{suite.ports['offers']}{PAGE}",
                   [offers]),
            Design("sync", "bare Flask hello, gunicorn sync", f"http://127.0.0.1:{baselines['sync'][1]}/",
                   [Process("hello", baselines["sync"][0])]),
            Design("gthread", "bare Flask hello, gthread 4", f"http://127.0.0.1:{baselines['gthread'][1]}/",
                   [Process("hello", baselines["gthread"][0])]),
        ]
        wait_ready(designs[1].url, uncached)
        for key in ("sync", "gthread"):
            wait_ready(f"http://127.0.0.1:{baselines[key][1]}/", baselines[key][0])
        check_cache({d.key: d for d in designs})
        print("servers up; the page is shareable, Date and Server come once", flush=True)
        summary: list[str] = []
        requests = {"gateway": 0, "uncached": 0, "offers-web": 0}
        for title, headers in passes:
            print(f"\n== {title}", flush=True)
            cells = measure(wrk, designs, args, headers)
            requests["gateway"] += sum(s.requests for s in cells["cached"].samples)
            requests["uncached"] += sum(s.requests for s in cells["uncached"].samples)
            requests["offers-web"] += sum(s.requests for k in ("uncached", "direct") for s in cells[k].samples)
            summary += report(cells, designs, f"== {title}: GET {PAGE} (offers' landing page), medians of "
                                              f"{args.rounds} × {args.duration:g} s, ratio = req/s ÷ bare Flask sync")
        print("\n".join(summary))
        print(log_lines(tmp / "logs", requests))
        print(f"\n(all servers and wrk share this machine's {os.cpu_count()} CPUs: expect ±15–25 % between runs; "
              "CPU per request moves less; load average after: {:.2f} {:.2f} {:.2f})".format(*os.getloadavg()))
        return 0
    except (RuntimeError, ValueError, subprocess.TimeoutExpired) as exc:
        print(f"\ngateway benchmark failed: {exc}\n(logs in {tmp / 'logs'} until the end of this run)", file=sys.stderr)
        for name in ("gateway", "offers-web"):
            path = tmp / "logs" / f"{name}.log"
            if path.is_file():
                tail = "\n".join(path.read_text(errors="replace").splitlines()[-20:])
                print(f"--- {name}:\n{tail}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted: stopping the servers", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for popen in extra:
            popen.terminate()
            try:
                popen.wait(15)
            except subprocess.TimeoutExpired:
                popen.kill()
        if suite is not None:
            suite.stop()
        if amqp_url:
            delete_test_vhost(amqp_url)
        for url in databases.values():
            drop_test_database(url)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
