"""What the benchmarks share: wrk (installed if missing), its output, free ports, CPU of a process tree,
and the load loop of the page benchmarks (designs alternated per round, CPU per request per process,
medians), with the bare Flask hello baseline they compare against."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

#: The bare Flask "hello" app (bench/gateway/hello.py), the baseline of the page benchmarks.
HELLO_DIR = Path(__file__).resolve().parent / "gateway"


def ensure_wrk() -> str | None:
    """The path of wrk; installed with apt-get when missing and we are root, else None."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: apt-get install -y wrk …", flush=True)
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], **quiet).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], **quiet)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], **quiet)
        found = shutil.which("wrk")
    return found


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_DURATION = r"([\d.]+)(us|ms|s|m|h)"


def to_ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_MS[unit]


@dataclass
class Sample:
    rps: float
    p99_ms: float
    max_ms: float
    requests: int
    timeouts: int = 0
    socket_errors: int = 0
    non_2xx: int = 0
    cpu_us: float = 0.0  # server CPU (master + workers) per request


def problems(samples: list[Sample]) -> str:
    """What went wrong over a cell's samples (timeouts, socket errors, non-2xx answers), or ""."""
    timeouts = sum(s.timeouts for s in samples)
    errors = sum(s.socket_errors for s in samples)
    non_2xx = sum(s.non_2xx for s in samples)
    parts = [f"{timeouts} timeouts" if timeouts else "", f"{errors} socket errors" if errors else "",
             f"{non_2xx} non-2xx" if non_2xx else ""]
    return ", ".join(p for p in parts if p)


def parse_wrk(text: str) -> Sample:
    """Requests/sec, the 99 % latency and the Max latency (us/ms/s/m/h) of `wrk --latency` output."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    p99 = re.search(rf"^\s+99%\s+{_DURATION}", text, re.M)
    lat = re.search(rf"^\s+Latency\s+{_DURATION}\s+{_DURATION}\s+{_DURATION}", text, re.M)
    total = re.search(r"^\s+(\d+) requests in", text, re.M)
    if not (rps and p99 and lat and total):
        raise ValueError(f"unexpected wrk output:\n{text}")
    sample = Sample(float(rps.group(1)), to_ms(*p99.groups()), to_ms(lat.group(5), lat.group(6)), int(total.group(1)))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if errors:
        connect, read, write, timeout = (int(g) for g in errors.groups())
        sample.socket_errors, sample.timeouts = connect + read + write, timeout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if non_2xx:
        sample.non_2xx = int(non_2xx.group(1))
    return sample


def run_wrk(wrk: str, url: str, seconds: float, args: argparse.Namespace, headers: list[str],
            script: Path | None = None) -> Sample:
    """One wrk run; `script` is a wrk Lua script (e.g. one that makes every request's URL unique)."""
    argv = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds:g}s", "--latency", "--timeout", "10s"]
    for header in headers:
        argv += ["-H", header]
    if script is not None:
        argv += ["-s", str(script)]
    result = subprocess.run(argv + [url], capture_output=True, text=True, timeout=seconds + 60)
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
    return parse_wrk(result.stdout)


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_cpu_seconds(master: int) -> float:
    """CPU time (user + system) used so far by a process and its children (a gunicorn master and
    its workers), from Linux /proc."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        pid, ppid = int(entry.name), int(fields[1])
        if pid == master or ppid == master:
            total += (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime
    return total


def fmt_ms(ms: float) -> str:
    return f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.1f} ms"


# The page benchmarks' load loop --------------------------------------------------------------------
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
    script: Path | None = None  # a wrk Lua script for this design's requests


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


def settle(processes: list[Process], idle_share: float = 0.15, timeout: float = 60.0) -> float:
    """Wait until `processes` together use less than `idle_share` of one core (over 0.5 s): a slow
    design leaves requests queued in the servers after wrk stops, which would load the next
    design's measurement. Returns the seconds waited (gives up after `timeout`)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        before = sum(p.cpu() for p in processes)
        time.sleep(0.5)
        if sum(p.cpu() for p in processes) - before < idle_share * 0.5:
            break
    return time.monotonic() - started


def measure(wrk: str, designs: list[Design], args: argparse.Namespace, headers: list[str],
            quiet: list[Process] | None = None) -> dict[str, Cell]:
    """A warm-up per design (`args.warmup` s), then `args.rounds` rounds of `args.duration` s in which
    the designs alternate (order reversed every other round, so drift hits everyone alike). With
    `quiet`, each run starts once those processes are idle again (`settle`)."""
    cells = {d.key: Cell() for d in designs}
    for design in designs:
        if args.warmup > 0:
            if quiet:
                settle(quiet)
            run_wrk(wrk, design.url, args.warmup, args, headers, design.script)
    for round_no in range(args.rounds):
        order = designs if round_no % 2 == 0 else list(reversed(designs))
        for design in order:
            if quiet:
                settle(quiet)
            before = {p.name: p.cpu() for p in design.processes}
            sample = run_wrk(wrk, design.url, args.duration, args, headers, design.script)
            cell = cells[design.key]
            parts = []
            for process in design.processes:
                used = (process.cpu() - before[process.name]) / max(sample.requests, 1) * 1e6
                cell.cpu_by_process.setdefault(process.name, []).append(used)
                parts.append(f"{process.name} {used:4.0f}")
            sample.cpu_us = sum(cell.cpu_by_process[p.name][-1] for p in design.processes)
            cell.samples.append(sample)
            print(f"  round {round_no + 1}  {design.label:<42} {sample.rps:8.0f} req/s  p99 {fmt_ms(sample.p99_ms):>9}"
                  f"  max {fmt_ms(sample.max_ms):>9}  CPU µs/req: {', '.join(parts)}", flush=True)
    return cells


def start_hello(logs: Path, workers: int, env: dict[str, str], repo: Path,
                kinds: tuple[str, ...] = ("sync", "gthread")) -> dict[str, tuple[subprocess.Popen[bytes], int]]:
    """The bare Flask hello app under gunicorn: `sync` and/or `gthread` (4 threads); kind → (process, port)."""
    worker_args = {"sync": ["-k", "sync"], "gthread": ["-k", "gthread", "--threads", "4"]}
    started = {}
    for key in kinds:
        port = free_port()
        argv = [sys.executable, "-m", "gunicorn", *worker_args[key], "--no-control-socket", "--pythonpath",
                str(HELLO_DIR), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--graceful-timeout", "5",
                "hello:create_app()"]
        with (logs / f"hello-{key}.log").open("ab") as log:
            started[key] = (subprocess.Popen(argv, env=env, cwd=repo, stdout=log, stderr=subprocess.STDOUT), port)
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


def stop_all(popens: list[subprocess.Popen[bytes]]) -> None:
    """Stop servers this benchmark started (SIGTERM, then SIGKILL after 15 s)."""
    for popen in popens:
        popen.terminate()
        try:
            popen.wait(15)
        except subprocess.TimeoutExpired:
            popen.kill()


#: The environment of the services under load: as in production (the gateway's access line is part of
#: the cost, no response validation, no span exporter), the rate limit raised for one load generator.
PRODUCTION_ENV = {
    "LOG_LEVEL": "INFO",
    "API_VALIDATE_RESPONSES": "false",
    "GATEWAY_RATE_LIMIT_DEFAULT": "100000000/minute",
    "OTEL_EXPORTER_OTLP_ENDPOINT": "",
    "PYTHONDONTWRITEBYTECODE": "1",
}


@contextmanager
def throwaway_suite(run_dir: Path, services: list[str], workers: int, prefix: str = "bench",
                    extra_env: dict[str, str] | None = None) -> Iterator[Any]:
    """A `suite.distributed.DistributedSuite` (not started) on throw-away PostgreSQL databases, RabbitMQ
    vhost and Redis prefix, with PRODUCTION_ENV; stopped and all of it removed on the way out."""
    from plumbing.testing import create_test_database, create_test_vhost, delete_test_vhost, drop_test_database
    from suite.distributed import DistributedSuite, Infrastructure

    databases: dict[str, str] = {}
    amqp_url = ""
    suite = None
    try:
        databases = {s: create_test_database(f"{prefix}_{s.replace('-', '_')}") for s in services}
        amqp_url = create_test_vhost(prefix=prefix)
        infra = Infrastructure(databases, amqp_url, redis_prefix=f"{prefix}:{uuid.uuid4().hex[:8]}:")
        suite = DistributedSuite(infra, run_dir, gateway_port=free_port(), workers_per_service=workers,
                                 services=services, extra_env={**PRODUCTION_ENV, **(extra_env or {})})
        yield suite
    finally:
        if suite is not None:
            suite.stop()
        if amqp_url:
            delete_test_vhost(amqp_url)
        for url in databases.values():
            drop_test_database(url)


@contextmanager
def signals_interrupt() -> Iterator[None]:
    """Inside, SIGINT, SIGTERM and SIGHUP raise KeyboardInterrupt (so that `finally` blocks stop the
    servers); the previous handlers are back on the way out."""
    def interrupt(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signums = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.getsignal(signum) for signum in signums}
    for signum in signums:
        signal.signal(signum, interrupt)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def print_failed_logs(logs: Path, lines: int = 25) -> None:
    """The end of every server log that shows an error (to stderr: the run's files are removed next)."""
    for path in sorted(logs.glob("*.log")) if logs.is_dir() else ():
        text = path.read_text(errors="replace")
        if "Traceback" in text or path.stem in ("gateway", "offers-web"):
            tail = "\n".join(text.splitlines()[-lines:])
            print(f"--- {path.name}:\n{tail}", file=sys.stderr)


def add_load_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the page benchmarks' load (wrk and the servers)."""
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per measurement (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per design, median (default 3)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per design (2)")
    parser.add_argument("--connections", type=int, default=64, help="wrk -c (default 64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per process (default 2)")


def wrk_or_advice() -> str | None:
    """wrk's path, or None after saying how to install it."""
    wrk = ensure_wrk()
    if wrk is None:
        print("wrk is not installed. Install it with:  sudo apt-get install -y wrk   (Debian/Ubuntu)", file=sys.stderr)
    return wrk


def with_suite(name: str, workers: int, body: Callable[[Any, Path, list[subprocess.Popen[bytes]]], int],
               prefix: str = "bench") -> int:
    """Run `body(suite, run_dir, extra)` beside a throw-away suite of identity and offers (not started):
    the servers it starts go to `extra`; everything is stopped and removed on the way out, also on
    Ctrl+C or SIGTERM. Returns body's code, 1 when something failed (with the logs), 130 when
    interrupted."""
    tmp = Path(tempfile.mkdtemp(prefix=f"ingemplois-bench-{name}-"))
    extra: list[subprocess.Popen[bytes]] = []
    try:
        with signals_interrupt(), throwaway_suite(tmp, ["identity", "offers"], workers, prefix=prefix) as suite:
            try:
                return body(suite, tmp, extra)
            finally:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl+C must not skip the clean-up
                stop_all(extra)
    except (RuntimeError, ValueError, subprocess.TimeoutExpired) as exc:
        print(f"\n{name} benchmark failed: {exc}", file=sys.stderr)
        print_failed_logs(tmp / "logs")
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted: the servers were stopped", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
