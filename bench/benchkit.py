"""What the benchmarks share: wrk (installed if missing), its output, free ports, CPU of a process tree."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path


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


def run_wrk(wrk: str, url: str, seconds: float, args: argparse.Namespace, headers: list[str]) -> Sample:
    argv = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds:g}s", "--latency", "--timeout", "10s"]
    for header in headers:
        argv += ["-H", header]
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
