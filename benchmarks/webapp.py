"""The web app's figures: how much JavaScript it loads at start, and how soon a signed-in agent
sees the inbox when the store holds thousands of conversations.

    python -m benchmarks.webapp                       # build, 5,000 conversations, 5 runs
    python -m benchmarks.webapp --conversations 500 --runs 3 --skip-build
    python -m benchmarks.webapp --skip-build --ready-file F   # a runtime already running, as it is

For 50,000 conversations, fill a data folder once, then start the runtime on it:
``python -m local --data-dir D`` (stop it), ``python -m local.bulk --data-dir D --conversations
50000``, ``python -m local --data-dir D --ready-file F``, then this with ``--ready-file F``.

* Initial JavaScript: ``npm run build``, then the gzipped size (zlib level 9, what a server or
  CloudFront compresses to, give or take) of every script ``dist/index.html`` loads at start: the
  entry chunk and any ``modulepreload`` it names. Chunks loaded later (settings, statistics, the
  start-conversation wizard) are listed apart. The stylesheet is reported too.
* First inbox paint: the local runtime (``python -m local``, serving ``frontend/dist``) with N
  conversations in the default team's New tab, written in bulk through the repository
  (``python -m local.bulk``). Each run opens the app in a fresh headless Chromium context
  (Debian's ``/usr/bin/chromium``, cold HTTP cache) with the agent's token already in the
  session (signed in through the form, then the page loaded again, as a returning agent opens
  it: the session renews from its cookie), and measures from that navigation's start to the frame
  after the first conversation row is put in the page (a MutationObserver, then
  ``requestAnimationFrame``). Reported: the median and
  every run, with when the New tab's first read was sent and answered (Resource Timing). This
  covers loading the app, ``/me`` and the profile, and the first page of New. Between runs the
  runtime is let finish what the closed page still had under way.

The figures describe this machine (2 shared cores) and moto, not AWS; they are for comparing changes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from local.processes import ROOT, RunningSystem, start_system
from tests.support import login

FRONTEND = ROOT / "frontend"
DIST = FRONTEND / "dist"
MAX_CONVERSATIONS = 50_000
MAX_RUNS = 20
RUN_TIMEOUT_MS = 60_000
SEED_TIMEOUT_SECONDS = 600
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"]
# Records when the first conversation row is on screen: the frame after it was put in the page.
FIRST_ROW_PROBE = """
window.__firstRowAt = null;
new MutationObserver((changes, observer) => {
  if (document.querySelector('[data-testid="conversation-row"]')) {
    observer.disconnect();
    requestAnimationFrame(() => { window.__firstRowAt = performance.now(); });
  }
}).observe(document, { childList: true, subtree: true });
"""


@dataclass(frozen=True)
class Asset:
    path: str
    bytes: int
    gzipped: int


def gzipped_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def build() -> None:
    subprocess.run(["npm", "run", "-s", "build"], cwd=FRONTEND, check=True, timeout=300,  # noqa: S607 - npm on PATH
                   stdout=subprocess.DEVNULL)


def initial_assets(dist: Path = DIST) -> tuple[list[Asset], list[Asset], list[Asset]]:
    """(scripts loaded at start, other scripts, stylesheets at start) of the built app."""
    html = (dist / "index.html").read_text()
    start_scripts = re.findall(r'<script[^>]*type="module"[^>]*src="([^"]+)"', html)
    start_scripts += re.findall(r'<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"', html)
    styles = re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', html)

    def asset(relative: str) -> Asset:
        path = dist / relative.removeprefix("./").removeprefix("/")
        return Asset(relative.removeprefix("./"), path.stat().st_size, gzipped_size(path))

    initial = [asset(src) for src in start_scripts]
    named = {item.path for item in initial}
    later = [asset(str(path.relative_to(dist))) for path in sorted((dist / "assets").glob("*.js"))
             if str(path.relative_to(dist)) not in named]
    return initial, later, [asset(href) for href in styles]


def seed(system: RunningSystem, conversations: int) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "local.bulk", "--ready-file", str(system.ready_file),  # noqa: S603
                    "--conversations", str(conversations)], cwd=ROOT, check=True, timeout=SEED_TIMEOUT_SECONDS,
                   stdout=subprocess.DEVNULL)
    return time.monotonic() - started


# When the first read of the New tab was sent and answered (Resource Timing, ms since navigation start).
NEW_TAB_READ = """
(() => {
  const read = performance.getEntriesByType('resource')
    .filter((entry) => entry.name.includes('/api/conversations?') && entry.name.includes('view=new'))
    .sort((a, b) => a.startTime - b.startTime)[0];
  return read ? [read.startTime, read.responseEnd] : [0, 0];
})()
"""


@dataclass(frozen=True)
class PaintRun:
    first_row_ms: float
    new_tab_sent_ms: float
    new_tab_answered_ms: float


def settle(api_url: str, token: str) -> None:
    """Wait until the runtime has answered what the closed page still had under way: the local
    runtime serves DynamoDB one request at a time, so a run's leftover reads would otherwise
    delay the next run's. Two reads of /me in a row that answer quickly mean it is idle."""
    quick = 0
    deadline = time.monotonic() + RUN_TIMEOUT_MS / 1000
    while quick < 2 and time.monotonic() < deadline:
        started = time.monotonic()
        requests.get(f"{api_url}/me", headers={"Authorization": f"Bearer {token}"}, timeout=RUN_TIMEOUT_MS / 1000)
        quick = quick + 1 if time.monotonic() - started < 0.5 else 0


def first_paint_ms(system: RunningSystem, runs: int) -> list[PaintRun]:
    return first_paint_ms_at(system.info, runs)


def _sign_in(page: Any, info: dict[str, Any]) -> None:
    """Through the form, as an agent does once: the session then lives in the refresh cookie."""
    page.goto(info["web_url"] + "/#/new", timeout=RUN_TIMEOUT_MS)
    page.get_by_label("Email").fill("agent1@example.com")
    page.get_by_label("Password").fill(info["demo"]["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_function("window.__firstRowAt !== null", timeout=RUN_TIMEOUT_MS)


def first_paint_ms_at(info: dict[str, Any], runs: int) -> list[PaintRun]:
    """Each run: a fresh browser context signs in (not measured), lets the runtime settle, then
    loads the app again, as a returning agent does, and is measured."""
    from playwright.sync_api import sync_playwright

    token = login(info["api_url"], "agent1@example.com", info["demo"]["password"])["Authorization"].split(" ", 1)[1]
    times: list[PaintRun] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                             headless=True, args=CHROMIUM_FLAGS)
        try:
            for _ in range(runs):
                # The app's Content-Security-Policy forbids eval, which wait_for_function uses.
                context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
                context.add_init_script(FIRST_ROW_PROBE)
                page = context.new_page()
                _sign_in(page, info)
                settle(info["api_url"], token)
                page.reload(timeout=RUN_TIMEOUT_MS)
                page.wait_for_function("window.__firstRowAt !== null", timeout=RUN_TIMEOUT_MS)
                sent, answered = page.evaluate(NEW_TAB_READ)
                times.append(PaintRun(float(page.evaluate("window.__firstRowAt")), float(sent), float(answered)))
                context.close()
                settle(info["api_url"], token)
        finally:
            browser.close()
    return times


def kilobytes(size: int) -> str:
    return f"{size / 1024:.1f} KB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.webapp", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-build", action="store_true", help="measure the dist/ there is")
    parser.add_argument("--ready-file", type=Path,
                        help="measure a running runtime with what it holds (python -m local --ready-file F)")
    args = parser.parse_args(argv)
    if not 1 <= args.conversations <= MAX_CONVERSATIONS or not 1 <= args.runs <= MAX_RUNS:
        parser.error(f"--conversations 1..{MAX_CONVERSATIONS}, --runs 1..{MAX_RUNS}")

    if not args.skip_build:
        build()
    initial, later, styles = initial_assets()
    print("Web app bundle (frontend/dist), gzipped at level 9\n")
    print("| loaded | file | bytes | gzipped |\n|---|---|---:|---:|")
    for when, assets in (("at start", initial), ("later", later), ("at start (CSS)", styles)):
        for item in assets:
            print(f"| {when} | {item.path} | {item.bytes:,} | {kilobytes(item.gzipped)} |")
    print(f"\nInitial JavaScript: {kilobytes(sum(a.gzipped for a in initial))} gzipped "
          f"({kilobytes(sum(a.bytes for a in initial))} raw); with the CSS "
          f"{kilobytes(sum(a.gzipped for a in initial + styles))}\n")

    if args.ready_file:
        info = json.loads(args.ready_file.read_text())
        times = first_paint_ms_at(info, args.runs)
        held = "the conversations the running runtime holds"
    else:
        with tempfile.TemporaryDirectory() as work:
            system = start_system(Path(work))
            try:
                seconds = seed(system, args.conversations)
                print(f"Seeded {args.conversations:,} conversations in {seconds:.0f} s")
                times = first_paint_ms(system, args.runs)
            finally:
                system.stop()
        held = f"{args.conversations:,} conversations"
    load = os.getloadavg()[0]
    print(f"\nFirst inbox paint with {held}, ms since navigation start (load average {load:.1f})\n")
    print("| run | first row on screen | New tab: first read sent | answered |\n|---:|---:|---:|---:|")
    for number, run in enumerate(times, start=1):
        print(f"| {number} | {run.first_row_ms:.0f} | {run.new_tab_sent_ms:.0f} | {run.new_tab_answered_ms:.0f} |")
    print(f"\nMedian: first row {statistics.median(t.first_row_ms for t in times):.0f} ms; the New tab's first read "
          f"sent at {statistics.median(t.new_tab_sent_ms for t in times):.0f} ms and answered at "
          f"{statistics.median(t.new_tab_answered_ms for t in times):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
