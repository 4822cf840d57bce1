"""Debian's Chromium through Playwright (no downloaded browser), screenshots and axe-core."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from plumbing.config import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run"]
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def launch(playwright: Any) -> Any:
    assert Path(CHROMIUM).is_file(), "Chromium is missing: `make test` installs it (apt-get install chromium)"
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def screenshot(page: Any, test_name: str, step: str) -> Path:
    """Save a full-page screenshot under test-output/screenshots/<test>/<step>.png."""
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", test_name)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{step}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """WCAG 2.1 A/AA violations axe-core finds on the page (the context must bypass CSP to inject)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]
