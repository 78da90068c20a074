"""A real browser opens the report from disk with the network off: every chart must render."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from socketlab.report import NOTEBOOKS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CI") != "true",
    reason="Debian's chromium is not installed (.ci/run installs it; CI never skips this)",
)
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]  # fmt: skip


@pytest.mark.parametrize("name", ["index", *NOTEBOOKS])
def test_every_chart_renders_offline_without_console_errors(built_report: Path, name: str) -> None:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "CI must have Debian's chromium"
    errors: list[str] = []
    blocked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            context = browser.new_context(offline=True)

            def route(r: object) -> None:
                request = r.request  # type: ignore[attr-defined]
                if request.url.startswith(("file:", "data:", "blob:")):
                    r.continue_()  # type: ignore[attr-defined]
                else:
                    blocked.append(request.url)
                    r.abort()  # type: ignore[attr-defined]

            context.route("**/*", route)
            page = context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto((built_report / f"{name}.html").as_uri())
            expected = page.locator(".socketlab-chart").count()
            if name == "index":
                assert expected == 1  # the report opens on the posture summary's tiles, drawn live
                assert page.locator("section.opening h2").inner_text() == "Posture summary"
                images = page.locator(".card img")
                assert images.count() == len(NOTEBOOKS)
                page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
            else:
                assert expected > 0
            if expected:
                page.wait_for_function(
                    "n => document.querySelectorAll('.socketlab-chart svg.marks').length === n",
                    arg=expected,
                    timeout=30_000,
                )
                measure = "n => [n.getBoundingClientRect().width, n.querySelectorAll('path, rect, line, text').length]"
                sizes = page.eval_on_selector_all(".socketlab-chart svg.marks", f"nodes => nodes.map({measure})")
                for width, marks in sizes:
                    assert width > 200 and marks > 20, (width, marks)
        finally:
            browser.close()
    assert errors == []
    assert blocked == []
