"""Liveness of a worker's threads: each loop beats; the supervisor turns beats into a file.

A relay, consumer or ticker loop calls `beat()` on every turn (also while it waits or backs off).
`plumbing.worker` restarts a thread that died, and touches the heartbeat file only while every
thread has beaten recently; Kubernetes' liveness probe (`python -m plumbing.entry alive`) fails
when the file is older than its limit, so a hung thread (or a hung process) gets the pod restarted.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

_beats: dict[str, float] = {}
_lock = threading.Lock()

DEFAULT_HEARTBEAT_FILE = "/tmp/ingemplois-worker-heartbeat"  # noqa: S108 - an emptyDir in Kubernetes


def beat(name: str | None = None) -> None:
    """Record that the calling thread (or `name`) is making progress."""
    with _lock:
        _beats[name or threading.current_thread().name] = time.monotonic()


def last_beat(name: str) -> float | None:
    with _lock:
        return _beats.get(name)


def forget(name: str) -> None:
    with _lock:
        _beats.pop(name, None)


def wait_beating(stop: threading.Event, seconds: float, step: float = 1.0) -> bool:
    """`stop.wait(seconds)`, beating at least every `step` seconds; True when stopped."""
    deadline = time.monotonic() + seconds
    while True:
        beat()
        left = deadline - time.monotonic()
        if left <= 0:
            return stop.is_set()
        if stop.wait(min(step, left)):
            return True


def heartbeat_file() -> Path:
    return Path(os.environ.get("WORKER_HEARTBEAT_FILE", DEFAULT_HEARTBEAT_FILE))


def touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.utime(path)


def is_alive(path: Path, max_age: float) -> bool:
    """True when the heartbeat file was touched less than `max_age` seconds ago."""
    try:
        return time.time() - path.stat().st_mtime < max_age
    except OSError:
        return False


def main(argv: list[str] | None = None) -> None:
    """`python -m plumbing.liveness [MAX_AGE]`: exit 0 while the heartbeat is fresh (the probe).

    Kept free of heavy imports, so the probe costs little every period.
    """
    import sys

    args = sys.argv[1:] if argv is None else argv
    max_age = float(args[0]) if args else 120.0
    raise SystemExit(0 if is_alive(heartbeat_file(), max_age) else 1)


if __name__ == "__main__":
    main()
