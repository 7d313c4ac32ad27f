"""The built reports as a reader sees them: their visible words (no ids, snake_case, reprs or
the other language's glossary terms) and, in a real headless Chromium at 1280 px and 390 px
(a phone reading the e-mail), offline: no horizontal scrolling, no text cut off, every image
decoded with alt text, no console error, no request, the example's injection strings inert.

Needs Debian's /usr/bin/chromium (never `playwright install`); the browser tests are skipped
when it is missing, except with CI=true, where a missing browser is a failure. The reports of
one wave are built once per session, in both languages; one browser serves every test.
``BENCHLIB_SCREENSHOT_DIR=docs/img`` refreshes the README's first-screen screenshots.
"""

from __future__ import annotations

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
WAVE = "2026-10"
LANGS = ("de", "en")
WIDTHS = (1280, 390)
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
REPORTS = ("data_quality.html", "wave_report.html", "trend_report.html", "workshop.html",
           "calibration.html")

pytestmark = [pytest.mark.slow]

# ---------------------------------------------------------------------------- the reports


@pytest.fixture(scope="session")
def built_reports(example_reports) -> dict[str, Path]:
    """The reports of :data:`WAVE` in every language (the session's build): ``{lang: folder}``."""
    return {lang: example_reports / WAVE / lang for lang in LANGS}


# ---------------------------------------------------------------------- the visible words


class _Visible(HTMLParser):
    """Text a reader sees: body text, <title>, alt texts; not CSS, scripts or <code>."""

    SKIP = {"style", "script", "code"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.SKIP:
            self._skip += 1
        alt = dict(attrs).get("alt")
        if tag == "img" and alt:
            self.parts.append(alt)
        if tag == "meta" and dict(attrs).get("name") == "description":
            self.parts.append(dict(attrs).get("content") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    p = _Visible()
    p.feed(page)
    return " ".join(" ".join(p.parts).split())


SNAKE = re.compile(r"(?<![\w./\\-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-]|\.\w)")
"""snake_case identifiers (file names such as ``feldhaus_2026-10.csv`` are not)."""
REPR = re.compile(r"\b[A-Za-z_]\w*\([a-z_]+=|\bdatetime\.|object at 0x|\b(?:nan|NaN|None|"
                  r"True|False|dtype|NaT)\b")
"""Python reprs: ``Wave(id=…``, ``datetime.date(…``, ``None``, ``nan``."""


def example_ids(config, lang: str) -> set[str]:
    """The study's own identifiers that must never be shown: company ids (shown by name),
    item/dimension/scenario/channel ids that are not ordinary words of ``lang``."""
    ids = {c.id for c in config.companies if c.id != c.name}
    others = set(config.grid.dimensions) | {i.id for i in config.grid.items}
    others |= set(getattr(config, "scenarios", ())) | set(getattr(config, "channels", ()))
    if lang == "de":  # the ids are English words: in a German report they are ids
        ids |= others
    else:
        ids |= {x for x in others if "_" in x}
    return ids


def violations(page: str, config, lang: str) -> dict[str, list[str]]:
    from benchlib.i18n import foreign_words

    text = visible_text(page)
    found = {"snake_case": sorted(set(SNAKE.findall(text))),
             "repr": sorted({m.group(0) for m in REPR.finditer(text)}),
             "id": sorted(i for i in example_ids(config, lang)
                          if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)),
             "glossary": sorted(w for w in foreign_words(lang)
                                if re.search(rf"\b{re.escape(w)}"
                                             + (r"s?\b" if lang == "de" else ""),
                                             text, flags=re.I if lang == "de" else 0))}
    return {k: v for k, v in found.items() if v}


def test_visible_text_rules_catch_what_they_should():
    from benchlib.config import load_config

    cfg = load_config()
    shop = next(c for c in cfg.companies if c.role == "shop")
    bad = (f"<html><head><title>Notebook</title></head><body><p>rows_read: 3</p>"
           f"<pre>Wave(id='x', start=datetime.date(2026, 1, 1))</pre><p>{shop.id} None</p>"
           '<img alt="the evaluator"><code>file_name</code><p>feldhaus_2026-10.csv</p></body>'
           "</html>")
    v = violations(bad, cfg, "de")
    assert v["snake_case"] == ["rows_read"]  # not the <code>, not the file name
    assert {"Wave(id=", "datetime.", "None"} <= set(v["repr"])
    assert shop.id in v["id"]
    assert v["glossary"] == ["evaluator", "wave"]  # "Wave(" of the repr is English too
    assert violations("<p>Der Testkunde sah den Wettbewerber.</p>", cfg, "de") == {}
    assert violations("<p>Die Prüfer und Mitbewerber</p>", cfg, "de")["glossary"] == [
        "Mitbewerber", "Prüfer"]
    assert violations("<p>Each Testkunde</p>", cfg, "en")["glossary"] == ["Testkunde"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("report", REPORTS)
def test_visible_words(built_reports, study, report, lang):
    page = (built_reports[lang] / report).read_text(encoding="utf-8")
    assert violations(page, study.config, lang) == {}, report


@pytest.mark.parametrize("lang", LANGS)
def test_titles_and_headlines(built_reports, lang):
    from benchlib.report_meta import read_report_meta

    titles = set()
    for report in REPORTS:
        meta = read_report_meta((built_reports[lang] / report).read_text(encoding="utf-8"))
        assert meta.title and meta.title != "Notebook", report
        assert meta.lang == lang and meta.built, report
        titles.add(meta.title)
    assert len(titles) == len(REPORTS)  # every page has its own title


# --------------------------------------------------------------------------- the browser


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


@pytest.fixture(scope="session")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _open(browser, path: Path, width: int = 1280, height: int = 900):
    """Open ``path`` offline; return (page, context, console errors, blocked requests,
    dialogs)."""
    ctx = browser.new_context(viewport={"width": width, "height": height},
                              java_script_enabled=True)
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
    return page, ctx, errors, blocked, dialogs


# elements whose box reaches beyond the viewport without a scrolling box around them, and
# elements that clip their own text
_LAYOUT_JS = """() => {
  const vw = document.documentElement.clientWidth;
  const scrollsX = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if ((o === 'auto' || o === 'scroll') && p !== document.documentElement
          && p !== document.body) return true; }
    return false; };
  const out = [], cut = [];
  for (const el of document.body.querySelectorAll('p, li, h1, h2, h3, h4, td, th, caption, '
                                                    + 'summary, img, figcaption, div.bl-headline')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    if (r.right > vw + 1 && !scrollsX(el)) out.push(el.tagName + ': ' + el.textContent.slice(0, 60));
    const s = getComputedStyle(el);
    if ((s.overflowX === 'hidden' || s.overflowX === 'clip' || s.textOverflow === 'ellipsis')
        && el.scrollWidth > el.clientWidth + 1) cut.push(el.tagName + ': ' + el.textContent.slice(0, 60));
  }
  return {scrollWidth: document.documentElement.scrollWidth, vw, out, cut};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_reports_in_chromium(built_reports, browser, lang, width):
    for name in REPORTS:
        path = built_reports[lang] / name
        page, ctx, errors, blocked, dialogs = _open(browser, path, width)
        try:
            assert errors == [], (name, errors)
            assert blocked == [], (name, blocked)
            assert dialogs == [] and page.evaluate("typeof window.__xss") == "undefined", name
            imgs = page.evaluate("Array.from(document.images).map(i => "
                                 "[i.complete, i.naturalWidth, i.alt])")
            for complete, natural, alt in imgs:
                assert complete and natural > 0, (name, alt)
                assert alt.strip(), (name, "image without alt text")
            layout = page.evaluate(_LAYOUT_JS)
            assert layout["scrollWidth"] <= layout["vw"], (name, width, "page scrolls sideways",
                                                           layout["out"][:5])
            assert layout["out"] == [], (name, width, layout["out"][:5])
            assert layout["cut"] == [], (name, width, layout["cut"][:5])
            assert page.locator("h1").count() == 1, name
            assert page.evaluate(
                "Array.from(document.scripts).every(s => !s.textContent.includes('alert'))")
        finally:
            ctx.close()


@pytest.mark.browser
def test_workshop_injection_strings_are_text(built_reports, browser):
    page, ctx, errors, blocked, dialogs = _open(browser, built_reports["de"] / "workshop.html")
    try:
        # the shop's comments of 2026-10 contain the example study's injection strings
        text = page.locator("body").inner_text()
        assert "<script>alert('xss')</script>" in text
        assert '<img src=x onerror="alert(1)">' in text
        assert "javascript:alert(2)" in text
        # ... as text: no element was created from them
        assert page.evaluate("document.querySelectorAll('img[onerror], img[src=\"x\"]').length") == 0
        assert page.evaluate("Array.from(document.scripts).filter(s => "
                             "s.textContent.includes('xss')).length") == 0
        assert page.evaluate("document.querySelectorAll('a[href^=\"javascript:\"]').length") == 0
        assert dialogs == [] and errors == [] and blocked == []
        assert page.evaluate("typeof window.__xss") == "undefined"
    finally:
        ctx.close()


@pytest.mark.browser
def test_first_screen_screenshots(built_reports, browser, tmp_path):
    """The first screen (1280 × 800) of every report in both languages; into docs/img with
    BENCHLIB_SCREENSHOT_DIR=docs/img (the README shows them)."""
    out = Path(os.environ.get("BENCHLIB_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    for lang in LANGS:
        for name in REPORTS:
            page, ctx, errors, blocked, dialogs = _open(browser, built_reports[lang] / name,
                                                        1280, 800)
            try:
                assert errors == [] and blocked == [] and dialogs == []
                png = out / f"{Path(name).stem}_{lang}.png"
                tmp = out / f".{png.name}.tmp"
                page.screenshot(path=str(tmp), full_page=False, type="png")
                shutil.move(tmp, png)
                assert png.stat().st_size > 10_000
            finally:
                ctx.close()


@pytest.mark.browser
def test_layout_check_catches_overflow_and_clipping(browser, tmp_path):
    page_file = tmp_path / "bad.html"
    page_file.write_text('<html><body><p style="width:900px">wide</p><div style="overflow-x:'
                         'auto"><table><tr><td style="min-width:900px">boxed</td></tr></table>'
                         '</div><p style="overflow:hidden;white-space:nowrap;width:50px">cut '
                         "cut cut cut cut</p></body></html>", encoding="utf-8")
    page, ctx, *_ = _open(browser, page_file, 390)
    try:
        layout = page.evaluate(_LAYOUT_JS)
    finally:
        ctx.close()
    assert layout["scrollWidth"] > layout["vw"]
    assert layout["out"] == ["P: wide"]  # the table cell scrolls in its box: allowed
    assert layout["cut"] == ["P: cut cut cut cut cut"]


@pytest.mark.browser
def test_pdf_prints_summary_page_and_workshop_pack(browser, tmp_path):
    from benchlib import pdf

    style = ("<style>@media print { .bl-topic { break-before: page; } }</style>")
    long = "".join(f"<p>Absatz {i}</p>" for i in range(400))
    (tmp_path / "wave_report.html").write_text(f"<html><body><h1>W</h1>{long}</body></html>",
                                               encoding="utf-8")
    topics = "".join(f'<section class="bl-topic"><h2>T{i}</h2></section>' for i in range(3))
    (tmp_path / "workshop.html").write_text(f"<html><head>{style}</head><body>{topics}"
                                            "</body></html>", encoding="utf-8")
    written = pdf.print_pdfs(tmp_path, browser=browser)  # make pdf: its own Chromium
    assert [p.name for p in written] == ["summary.pdf", "workshop.pdf"]

    def pages(p: Path) -> int:
        data = p.read_bytes()
        assert data.startswith(b"%PDF")
        return data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") + data.count(
            b"/Type /Page>") + data.count(b"/Type/Page>") + data.count(b"/Type/Page/")

    assert pages(tmp_path / "summary.pdf") == 1  # the long report: only its first page
    assert pages(tmp_path / "workshop.pdf") == 3  # one page per topic
