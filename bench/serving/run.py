"""Serving benchmark: identity's API served the way production serves it vs the same endpoints in bare Flask.

    .venv/bin/python bench/serving/run.py [--duration 8] [--rounds 3] [--connection-close]

Designs, all with 2 gunicorn workers, on free loopback ports, in one run:

- production: `gunicorn -k uvicorn_worker.UvicornWorker 'plumbing.entry:web_app("identity")'`
  (ServiceApp → connexion AsyncApp bound to contracts/identity.yaml, request and response
  validation, OpenTelemetry ASGI middleware), identity's SQLite database migrated in a temp dir;
- bare Flask, `gunicorn -k sync` (the STACK-NOTES baseline; every ratio is to this one);
- bare Flask, `gunicorn -k gthread --threads 4` (a second baseline line).

Load: `wrk -t2 -c64 --latency` per endpoint and design, designs alternated within each round
(order reversed every other round), medians over the rounds, after a warm-up per endpoint and
design. See bench/README.md. It is a measurement, not a test: exit 0 whatever the figures, 1 if
a server failed to start, 2 if wrk is missing.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))
from benchkit import Sample, ensure_wrk, fmt_ms, free_port, problems, run_wrk, tree_cpu_seconds  # noqa: E402

API = "/api/identity/v1"
DEFAULT_EMAIL = "marie.tremblay@genivert.ca"  # the contract's example: a professional address
TARGET, FLOOR, STALL_MS = 1.0, 0.75, 1000.0


class StartFailed(RuntimeError):
    pass


# servers ---------------------------------------------------------------------------------------
@dataclass
class Design:
    key: str
    label: str
    argv: list[str]
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, env: dict[str, str]) -> None:
        with self.log.open("ab") as log:
            # A session of its own: Ctrl+C reaches this script, which then stops the servers in order.
            self.process = subprocess.Popen(self.argv, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def wait_ready(self, paths: list[str], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise StartFailed(f"{self.label} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                statuses = [httpx.get(self.base + path, timeout=5).status_code for path in paths]
                if all(status == 200 for status in statuses):
                    return
                last = f"statuses {statuses}"
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.2)
        raise StartFailed(f"{self.label} not ready after {timeout:.0f}s ({last}):\n{self.log_tail()}")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the gunicorn master and its workers (Linux /proc)."""
        return 0.0 if self.process is None else tree_cpu_seconds(self.process.pid)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)  # the gunicorn master stops its workers
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the session this script created for it
            process.wait(5)


def gunicorn(worker_args: list[str], workers: int, port: int, app: str) -> list[str]:
    return [sys.executable, "-m", "gunicorn", *worker_args, "--no-control-socket", "-w", str(workers),
            "-b", f"127.0.0.1:{port}", "--graceful-timeout", "5", app]


def build_designs(tmp: Path, workers: int) -> list[Design]:
    specs = [
        ("production", "production: AsyncApp, uvicorn worker",
         ["-k", "uvicorn_worker.UvicornWorker"], 'plumbing.entry:web_app("identity")'),
        ("sync", "bare Flask, gunicorn sync",
         ["-k", "sync", "--pythonpath", str(HERE)], "bare_flask:create_app()"),
        ("gthread", "bare Flask, gunicorn gthread 4",
         ["-k", "gthread", "--threads", "4", "--pythonpath", str(HERE)], "bare_flask:create_app()"),
    ]
    designs = []
    for key, label, worker_args, app in specs:
        port = free_port()
        designs.append(Design(key, label, gunicorn(worker_args, workers, port, app), port, tmp / f"{key}.log"))
    return designs


def child_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)  # the base deployment exports no spans (tracing is a component)
    env.update(
        INGEMPLOIS_VAR=str(tmp),
        INGEMPLOIS_MODE="embedded",
        IDENTITY_DATABASE_URL=f"sqlite:///{tmp / 'identity.db'}",
        LOG_LEVEL="WARNING",
        API_VALIDATE_RESPONSES="false",  # as deploy/k8s/base/kustomization.yaml sets it in production
        PYTHONDONTWRITEBYTECODE="1",  # nothing written beside the sources
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
        PYTHONWARNINGS="ignore::DeprecationWarning",
    )
    return env


def migrate(env: dict[str, str], tmp: Path) -> None:
    with (tmp / "migrate.log").open("ab") as log:
        result = subprocess.run([sys.executable, "-m", "plumbing.entry", "migrate", "identity"], env=env, cwd=REPO,
                                stdout=log, stderr=subprocess.STDOUT, timeout=120)
    if result.returncode != 0:
        raise StartFailed(f"migrate identity failed ({result.returncode}):\n{(tmp / 'migrate.log').read_text()}")


def check_same_answers(designs: list[Design], paths: dict[str, str]) -> None:
    """The baseline serves what production serves (same JSON, type and Cache-Control)."""
    reference = designs[0]
    for name, path in paths.items():
        expected = httpx.get(reference.base + path, timeout=5)
        for design in designs[1:]:
            got = httpx.get(design.base + path, timeout=5)
            same = (got.json() == expected.json()
                    and got.headers.get("content-type") == expected.headers.get("content-type")
                    and got.headers.get("cache-control") == expected.headers.get("cache-control"))
            if not same:
                raise StartFailed(f"{design.label} answers {name} differently from {reference.label}:\n"
                                  f"  {expected.headers.get('content-type')} {expected.text}\n"
                                  f"  {got.headers.get('content-type')} {got.text}")


# the run ---------------------------------------------------------------------------------------
@dataclass
class Cell:
    samples: list[Sample] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return statistics.median(s.rps for s in self.samples)

    @property
    def p99(self) -> float:
        return statistics.median(s.p99_ms for s in self.samples)

    @property
    def cpu_us(self) -> float:
        return statistics.median(s.cpu_us for s in self.samples)

    @property
    def max(self) -> float:
        return max(s.max_ms for s in self.samples)

    @property
    def timeouts(self) -> int:
        return sum(s.timeouts for s in self.samples)

    @property
    def problems(self) -> str:
        return problems(self.samples)


def measure(wrk: str, designs: list[Design], paths: dict[str, str], args: argparse.Namespace,
            headers: list[str]) -> dict[str, dict[str, Cell]]:
    results = {name: {d.key: Cell() for d in designs} for name in paths}
    for name, path in paths.items():
        for design in designs:
            if args.warmup > 0:
                run_wrk(wrk, design.base + path, args.warmup, args, headers)
        for round_no in range(args.rounds):
            order = designs if round_no % 2 == 0 else list(reversed(designs))
            for design in order:
                cpu_before = design.cpu_seconds()
                sample = run_wrk(wrk, design.base + path, args.duration, args, headers)
                sample.cpu_us = (design.cpu_seconds() - cpu_before) / max(sample.requests, 1) * 1e6
                results[name][design.key].samples.append(sample)
                print(f"  {name:<13} round {round_no + 1}  {design.label:<36} {sample.rps:8.0f} req/s  "
                      f"p99 {fmt_ms(sample.p99_ms):>9}  max {fmt_ms(sample.max_ms):>9}  "
                      f"server CPU {sample.cpu_us:4.0f} µs/req", flush=True)
    return results


def report(results: dict[str, dict[str, Cell]], designs: list[Design], title: str, clients: int) -> list[str]:
    header = f"{'endpoint':<13} {'design':<36} {'req/s':>7} {'p99':>9} {'max':>9} {'ratio':>6} {'CPU/req':>8}"
    lines = [f"\n{title}", f"{header}  rounds (req/s)",
             "-" * 112]
    for name, cells in results.items():
        baseline = cells["sync"].rps
        for design in designs:
            cell = cells[design.key]
            rounds = "/".join(f"{s.rps:.0f}" for s in cell.samples)
            extra = f"  ({cell.problems})" if cell.problems else ""
            lines.append(f"{name:<13} {design.label:<36} {cell.rps:7.0f} {fmt_ms(cell.p99):>9} {fmt_ms(cell.max):>9} "
                         f"{cell.rps / baseline:5.2f}× {cell.cpu_us:5.0f} µs  {rounds}{extra}")
    lines.append("")
    for name, cells in results.items():
        prod, ratio = cells["production"], cells["production"].rps / cells["sync"].rps
        verdict = lambda ok: "PASS" if ok else "FAIL"  # noqa: E731
        lines.append(f"{verdict(ratio >= TARGET)} {name}: target ≥ {TARGET:.2f}× bare Flask sync: {ratio:.2f}×")
        lines.append(f"{verdict(ratio >= FLOOR)} {name}: floor  ≥ {FLOOR:.2f}× bare Flask sync: {ratio:.2f}×")
        stall_ok = prod.max <= STALL_MS and prod.timeouts == 0
        lines.append(f"{verdict(stall_ok)} {name}: no request over 1 s under {clients} clients: "
                     f"slowest {fmt_ms(prod.max)}, {prod.timeouts} timeouts")
        sync = cells["sync"]
        lines.append(f"     {name}: server CPU per request {prod.cpu_us:.0f} µs vs {sync.cpu_us:.0f} µs for bare Flask "
                     f"sync ({sync.cpu_us / prod.cpu_us:.2f}× the work per CPU second; less sensitive to noise)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per measurement (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per endpoint and design, median (default 3)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per endpoint and design (2)")
    parser.add_argument("--connections", type=int, default=64, help="wrk -c (default 64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per design (default 2)")
    parser.add_argument("--email", default=DEFAULT_EMAIL, help=f"the address asked about (default {DEFAULT_EMAIL})")
    parser.add_argument("--endpoints", default="jwks,email-policy", help="comma-separated: jwks,email-policy")
    parser.add_argument("--connection-close", action="store_true",
                        help="also measure with 'Connection: close' on every request (gunicorn sync closes "
                             "every connection anyway; this takes keep-alive out of the comparison)")
    args = parser.parse_args(argv)

    all_paths = {"jwks": f"{API}/jwks", "email-policy": f"{API}/email-policy?email={args.email}"}
    wanted = [name.strip() for name in args.endpoints.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in all_paths]
    if unknown or not wanted:
        parser.error(f"unknown endpoint(s) {unknown}; choose among {list(all_paths)}")
    paths = {name: all_paths[name] for name in wanted}

    wrk = ensure_wrk()
    if wrk is None:
        print("wrk is not installed. Install it with:  sudo apt-get install -y wrk   (Debian/Ubuntu)", file=sys.stderr)
        return 2

    passes: list[tuple[str, list[str]]] = [("keep-alive (wrk default)", [])]
    if args.connection_close:
        passes.append(("'Connection: close' on every request", ["Connection: close"]))
    per_pass = len(paths) * 3 * (args.warmup + args.rounds * args.duration)
    print(f"serving benchmark: {len(paths)} endpoint(s) × 3 designs × {args.rounds} rounds × {args.duration:g} s, "
          f"wrk -t{args.threads} -c{args.connections}, {args.workers} gunicorn workers each; "
          f"about {len(passes) * per_pass / 60:.1f} min of load", flush=True)

    def on_signal(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGINT too: a background job ignores it
        signal.signal(signum, on_signal)
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="ingemplois-bench-"))
    designs = build_designs(tmp, args.workers)
    try:
        env = child_env(tmp)
        migrate(env, tmp)
        production, baselines = designs[0], designs[1:]
        production.start(env)
        production.wait_ready(list(all_paths.values()))  # creates the first signing key
        for design in baselines:
            design.start(env)  # they read the JWKS from the same database at start
        for design in baselines:
            design.wait_ready(list(all_paths.values()))
        check_same_answers(designs, all_paths)
        print("servers up; the bare Flask app answers the same JSON as production on both endpoints", flush=True)

        summary: list[str] = []
        for title, headers in passes:
            print(f"\n== {title}", flush=True)
            results = measure(wrk, designs, paths, args, headers)
            summary += report(results, designs, f"== {title}: medians of {args.rounds} × {args.duration:g} s, "
                                                f"ratio = req/s ÷ bare Flask sync req/s", args.connections)
        print("\n".join(summary))
        print(f"\n({args.workers} gunicorn workers per design and wrk share this machine's {os.cpu_count()} CPUs: "
              "expect ±15–25 % between runs, more if anything else runs; load average after: "
              "{:.2f} {:.2f} {:.2f})".format(*os.getloadavg()))
        return 0
    except StartFailed as exc:
        print(f"\nserving benchmark: could not start: {exc}", file=sys.stderr)
        return 1
    except (RuntimeError, ValueError, subprocess.TimeoutExpired) as exc:  # wrk failed: a server died?
        print(f"\nserving benchmark: measurement failed: {exc}", file=sys.stderr)
        for design in designs:
            if design.process is not None and design.process.poll() is not None:
                print(f"{design.label} exited:\n{design.log_tail()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted: stopping the servers", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl+C must not skip the clean-up
        for design in designs:
            design.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
