"""Issue 7, done-means 9a: ten concurrent 5000 × 5000 logo uploads keep the web worker under
300 MB, and the worker gives the memory back. Measured on a real worker process (uvicorn,
Flask pages in a2wsgi's thread pool) through /proc: VmHWM is the peak resident size."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageDraw

from plumbing.testing import wait_until

TESTS_DIR = Path(__file__).resolve().parent
LIMIT_BYTES = 300 * 1024 * 1024


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


def big_logo(mode: str, image_format: str = "PNG") -> bytes:
    """A 5000 × 5000 image that compresses to well under the 2 MiB upload limit."""
    image = Image.new(mode, (5000, 5000), "white")
    draw = ImageDraw.Draw(image)
    for i in range(0, 5000, 250):
        draw.ellipse((i // 2, i // 3, 5000 - i // 2, 5000 - i // 3), outline="green", width=40)
    out = io.BytesIO()
    image.save(out, format=image_format, **({"quality": 60} if image_format == "JPEG" else {}))
    assert len(out.getvalue()) < 2 * 1024 * 1024
    return out.getvalue()


@pytest.fixture
def worker(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS_DIR), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen([sys.executable, str(TESTS_DIR / "portal_logo_server.py"), str(tmp_path)],
                               env=env, cwd=tmp_path)
    ready = tmp_path / "ready.json"
    try:
        wait_until(lambda: ready.exists() or process.poll() is not None, timeout=60)
        assert process.poll() is None, "the portal worker did not start"
        info = json.loads(ready.read_text())
        base = f"http://127.0.0.1:{info['port']}"
        wait_until(lambda: _answers(base), timeout=30)
        yield process, base, info
    finally:
        process.terminate()
        process.wait(timeout=30)


def _answers(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_ten_concurrent_5000px_logos_stay_under_300_mb(worker):
    process, base, info = worker
    logos = [big_logo("RGBA"), big_logo("RGB"), big_logo("P"), big_logo("RGB", "JPEG")]
    headers = info["headers"]

    def upload(i: int) -> tuple[int, str | None]:
        response = httpx.post(base + "/entreprises/mon-entreprise/logo", headers=headers, timeout=300,
                              data={"csrf_token": "csrf-test-token", "group_id": info["group_id"]},
                              files={"logo": ("logo", logos[i % len(logos)], "application/octet-stream")})
        return response.status_code, response.headers.get("location")

    before = _status_kib(process.pid, "VmRSS") * 1024
    with ThreadPoolExecutor(10) as pool:
        statuses = list(pool.map(upload, range(10)))
    assert statuses == [(303, "/entreprises/mon-entreprise?ok=logo")] * 10  # every logo accepted and stored
    peak = _status_kib(process.pid, "VmHWM") * 1024
    after = _status_kib(process.pid, "VmRSS") * 1024
    print(f"worker RSS before {before >> 20} MB, peak {peak >> 20} MB, after {after >> 20} MB")
    assert peak < LIMIT_BYTES
    assert after - before < 60 * 1024 * 1024  # given back, not kept by the allocator
