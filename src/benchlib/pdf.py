"""PDF for forwarding: the wave report's first page (its first-screen summary) and the whole
workshop pack, printed by headless Chromium on A4 with the reports' print CSS.

Optional: needs Chromium (``/usr/bin/chromium``, or ``BENCHLIB_CHROMIUM``) and the Python
package playwright (dev extra). Without them :func:`main` prints one line saying what is
missing and exits 0, so ``make pdf`` never fails for want of a browser.

>>> find_chromium({"BENCHLIB_CHROMIUM": "/nonexistent"}) is None
True
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = ["PRINTS", "find_chromium", "main", "print_pdfs", "report_folder"]

PRINTS: dict[str, tuple[str, str | None]] = {
    "wave_report.html": ("summary.pdf", "1"),  # the first screen: page 1
    "workshop.html": ("workshop.pdf", None),  # every page (one topic per page, print CSS)
}
"""report → (PDF file name, page range or None for all pages)."""
CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def find_chromium(env: Mapping[str, str] | None = None) -> str | None:
    """The Chromium executable: ``BENCHLIB_CHROMIUM`` if set, else the first of
    :data:`CANDIDATES` found; None when there is none."""
    env = os.environ if env is None else env
    if env.get("BENCHLIB_CHROMIUM"):
        path = env["BENCHLIB_CHROMIUM"]
        return path if Path(path).is_file() else None
    for c in CANDIDATES:
        found = c if Path(c).is_file() else shutil.which(c)
        if found:
            return found
    return None


def report_folder(reports: Path, wave: str, lang: str) -> Path:
    """``reports/<wave>/<lang>/`` (or ``reports/<wave>/`` of an older build)."""
    per_lang = reports / wave / lang
    return per_lang if per_lang.is_dir() else reports / wave


def _offline(route) -> None:
    """Let the page load only itself and its embedded data: URLs (the reports need no more)."""
    url = route.request.url
    if url.startswith(("file:", "data:")):
        route.continue_()
    else:
        route.abort()


def print_pdfs(folder: Path, chromium: str | None = None, out: Path | None = None,
               browser=None) -> list[Path]:
    """Print the reports of :data:`PRINTS` found in ``folder`` to PDF (A4, backgrounds) in
    ``out`` (default ``folder``); returns the PDFs written (each written atomically).

    Uses ``browser`` (a playwright Chromium) when given, else launches ``chromium``."""
    if browser is not None:
        return _print_with(browser, folder, out or folder)
    from playwright.sync_api import sync_playwright

    if chromium is None:
        raise ValueError("print_pdfs needs a browser or the chromium executable")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            return _print_with(launched, folder, out or folder)
        finally:
            launched.close()


def _print_with(browser, folder: Path, out: Path) -> list[Path]:
    written = []
    for report, (pdf_name, pages) in PRINTS.items():
        src = folder / report
        if not src.is_file():
            continue
        page = browser.new_page()
        try:
            page.route("**/*", _offline)
            page.goto(src.as_uri(), wait_until="load")
            page.emulate_media(media="print")
            tmp = out / f".{pdf_name}.tmp"
            page.pdf(path=str(tmp), format="A4", print_background=True,
                     prefer_css_page_size=True, **({"page_ranges": pages} if pages else {}))
            os.replace(tmp, out / pdf_name)
            written.append(out / pdf_name)
        finally:
            page.close()
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m benchlib.pdf --wave W [--lang de|en]``."""
    ap = argparse.ArgumentParser(prog="python -m benchlib.pdf", description=__doc__.split("\n")[0])
    ap.add_argument("--wave", required=True)
    ap.add_argument("--lang", default="de", choices=("de", "en"))
    ap.add_argument("--reports", type=Path, default=None, help="reports folder (default: reports/)")
    args = ap.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        print("pdf: skipped - Chromium not found (apt-get install chromium, or set "
              "BENCHLIB_CHROMIUM)", file=sys.stderr)
        return 0
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        print("pdf: skipped - the Python package playwright is not installed (make setup "
              "installs it)", file=sys.stderr)
        return 0
    if args.reports is None:
        from benchlib.paths import get_paths

        args.reports = get_paths().reports
    folder = report_folder(args.reports, args.wave, args.lang)
    if not (folder / "wave_report.html").is_file() and not (folder / "workshop.html").is_file():
        print(f"error: {folder}: no wave report or workshop pack built; expected "
              f"make report WAVE={args.wave} first", file=sys.stderr)
        return 2
    from playwright.sync_api import Error as PlaywrightError

    try:
        written = print_pdfs(folder, chromium)
    except PlaywrightError as err:
        print(f"error: {folder}: Chromium could not print the reports: "
              f"{str(err).splitlines()[0]}", file=sys.stderr)
        return 1
    for pdf in written:
        print(f"wrote {pdf}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
