"""Debian's Chromium through Playwright (no downloaded browser), screenshots and axe-core."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from plumbing.config import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run"]
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = (390, 1280)

#: Elements drawn outside the viewport or cut by their box, by design of the page or of Quill.
LAYOUT_PROBLEMS = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.visually-hidden, .skip-link, template, .ql-clipboard, summary + nav[hidden]')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    let clipped = false;  // inside a box hidden the visually-hidden way (clip), e.g. a phone's table head
    for (let up = el; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).clip !== 'auto') { clipped = true; break; }
    }
    if (clipped) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > width + 1 || box.left < -1) problems.push(name(el) + ' is off-screen');
    if (['hidden', 'clip', 'auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1
        && !['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)) problems.push(name(el) + ' clips its content');
  }
  return problems;
}"""


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium for a test module (import the fixture by name)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


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


class Flow:
    """One person's page through a flow: what it logged (console errors, uncaught exceptions), and
    the checks of each step at both widths (no sideways scroll, nothing off-screen or clipped,
    axe-core clean), each with a screenshot under test-output/screenshots/<folder>/."""

    def __init__(self, page: Any, problems: dict[str, Any], folder: str, widths: tuple[int, ...] = WIDTHS,
                 *, axe: bool = True) -> None:
        self.page = page
        #: axe-core is a script: a page without JavaScript cannot run it (check its twin with JS).
        self.axe = axe
        self.errors: list[str] = []
        self.problems = problems
        self.folder = folder
        self.widths = widths
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))

    def _console(self, msg: Any) -> None:
        if msg.type != "error":
            return
        # A form answered 422 (or a closed offer 410) is the page itself, meant: Chromium still logs
        # its status. A stylesheet, script or image that fails has its own address and is kept.
        # A page that names no icon (the payment sandbox's) makes the browser guess /favicon.ico.
        where = msg.location.get("url", "")
        if msg.text.startswith("Failed to load resource") and (where == self.page.url
                                                                 or where.endswith("/favicon.ico")):
            return
        self.errors.append(f"{self.page.url}: {msg.text} ({where})")

    def check(self, step: str) -> None:
        """The widest first, ending at the phone's (where the flow goes on)."""
        page = self.page
        for width in sorted(self.widths, reverse=True):
            page.set_viewport_size({"width": width, "height": 844})
            page.wait_for_load_state("load")  # pages are drawn by the server; scripts are deferred
            where = f"{step} @{width}"
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width != width:
                self.problems[where + " scroll"] = scroll_width
            layout = page.evaluate(LAYOUT_PROBLEMS)
            if layout:
                self.problems[where + " layout"] = layout[:5]
            found = axe_violations(page) if self.axe else []
            if found:
                self.problems[where + " axe"] = found
            if self.errors:
                self.problems[where + " console"] = list(self.errors)
                self.errors.clear()
            screenshot(page, self.folder, f"{step}-{width}")
