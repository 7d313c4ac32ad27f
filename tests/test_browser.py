"""The built reports in a real headless Chromium, offline: no console error, no network
request, every image decoded, the example study's injection strings inert, headings present.

Needs Debian's /usr/bin/chromium (never `playwright install`). Skipped when it is missing,
except with CI=true, where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
WAVE = "2026-10"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
SCREENSHOTS = {"trend_report.html": "trend_report.png", "workshop.html": "workshop.png"}
HEADINGS = {"data_quality.html": "Datenqualität", "trend_report.html": "Entwicklung über die Wellen",
            "workshop.html": "Workshop-Unterlage", "calibration.html": "Kalibrierung"}

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _require_browser() -> None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("python package playwright missing (CI=true)")
        pytest.skip("python package playwright missing")
    if not CHROMIUM.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} missing (CI=true: browser tests must run)")
        pytest.skip(f"{CHROMIUM} missing")


@pytest.fixture(scope="module")
def built_reports(example_project) -> Path:
    _require_browser()
    from benchlib.report import build_wave_reports

    built = build_wave_reports(WAVE, root=example_project)
    out = example_project / "reports" / WAVE / "de"
    assert {b.html.name for b in built} >= set(HEADINGS)
    for b in built:
        print(f"built {b.notebook} in {b.seconds:.1f} s")
    return out


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _open(browser, path: Path, width: int = 1200):
    """Open ``path`` offline; return (page, context, console errors, blocked requests,
    dialogs)."""
    ctx = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=True)
    url = path.as_uri()
    blocked: list[str] = []
    errors: list[str] = []
    dialogs: list[str] = []

    def route(r):
        u = r.request.url
        if u == url or u.startswith("data:"):
            r.continue_()
        else:
            blocked.append(u)
            r.abort()

    ctx.route("**/*", route)
    # any alert()/confirm()/prompt() call sets window.__xss (and still opens a dialog)
    ctx.add_init_script("""for (const f of ['alert', 'confirm', 'prompt']) {
        const orig = window[f].bind(window);
        window[f] = (...a) => { window.__xss = f + ':' + a.join(' '); return orig(...a); };
    }""")
    page = ctx.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: None if (r.url == url or r.url.startswith("data:"))
            else blocked.append(r.url))
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)
    return page, ctx, errors, blocked, dialogs


def test_reports_offline_and_inert(built_reports, browser):
    reports = sorted(built_reports.glob("*.html"))
    assert {p.name for p in reports} >= set(HEADINGS)
    for path in reports:
        page, ctx, errors, blocked, dialogs = _open(browser, path)
        try:
            assert errors == [], (path.name, errors)
            assert blocked == [], (path.name, blocked)
            assert dialogs == [], (path.name, dialogs)
            assert page.evaluate("typeof window.__xss") == "undefined"
            imgs = page.evaluate("Array.from(document.images).map(i => [i.naturalWidth, i.alt])")
            assert imgs or path.name == "data_quality.html" or path.name == "wave_report.html"
            for width, alt in imgs:
                assert width > 0, (path.name, alt)
                assert alt.strip(), (path.name, "image without alt text")
            h1 = page.locator("h1").all_inner_texts()
            if path.name in HEADINGS:
                assert any(HEADINGS[path.name] in h for h in h1), (path.name, h1)
            assert page.evaluate(
                "Array.from(document.scripts).every(s => !s.textContent.includes('alert'))")
        finally:
            ctx.close()


def test_workshop_injection_strings_are_text(built_reports, browser):
    page, ctx, errors, blocked, dialogs = _open(browser, built_reports / "workshop.html")
    try:
        # the shop's comments of 2026-10 contain both injection strings of the example study
        text = page.locator("body").inner_text()
        assert "<script>alert('xss')</script>" in text
        assert '<img src=x onerror="alert(1)">' in text
        assert "javascript:alert(2)" in text
        # ... as text: no element was created from them
        assert page.evaluate("document.querySelectorAll('img[onerror], img[src=\"x\"]').length") == 0
        assert page.evaluate("Array.from(document.scripts).filter(s => "
                             "s.textContent.includes('xss')).length") == 0
        assert page.evaluate("document.querySelectorAll('a[href^=\"javascript:\"]').length") == 0
        assert page.locator(".bl-summary").count() == 1
        assert dialogs == [] and errors == [] and blocked == []
        assert page.evaluate("typeof window.__xss") == "undefined"
    finally:
        ctx.close()


def test_trend_summary_and_screenshots(built_reports, browser, tmp_path):
    # screenshots go to a temp folder; BENCHLIB_SCREENSHOT_DIR=docs/img refreshes the README's
    out = Path(os.environ.get("BENCHLIB_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    for name, png in SCREENSHOTS.items():
        page, ctx, errors, blocked, dialogs = _open(browser, built_reports / name)
        try:
            assert page.locator(".bl-summary").count() == 1
            assert errors == [] and blocked == [] and dialogs == []
            tmp = out / f".{png}.tmp"
            page.screenshot(path=str(tmp), full_page=True, type="png")
            shutil.move(tmp, out / png)
            assert (out / png).stat().st_size > 10_000
        finally:
            ctx.close()
