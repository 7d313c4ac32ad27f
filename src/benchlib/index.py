"""``reports/index.html``: every wave × language × report with build date and headline.

The index is built from the reports themselves (their ``<title>``, ``<meta
name="description">`` carrying the headline of :func:`benchlib.viz.show_headline`, and
``<meta name="dcterms.created">``, see :mod:`benchlib.report_meta`), so it never disagrees with
them. It is self-contained (inline CSS, the reports' Content-Security-Policy, no script), every
text escaped, and written atomically; ``make reports`` rebuilds it after the waves.

>>> import tempfile
>>> root = Path(tempfile.mkdtemp())
>>> page = root / "2026-10" / "en" / "wave_report.html"
>>> page.parent.mkdir(parents=True)
>>> _ = page.write_text('<html lang="en"><head><title>Wave report</title>'
...                     '<meta name="description" content="A &lt;b&gt; headline">'
...                     '<meta name="dcterms.created" content="2026-12-01T10:00:00Z">'
...                     '</head></html>', encoding="utf-8")
>>> out = write_index(root)
>>> text = out.read_text(encoding="utf-8")
>>> 'href="2026-10/en/wave_report.html"' in text, "A &lt;b&gt; headline" in text
(True, True)
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from benchlib.i18n import t
from benchlib.report_meta import ReportMeta, read_report_meta

__all__ = ["IndexEntry", "index_html", "report_entries", "write_index"]

CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'none'; "
       "base-uri 'none'; form-action 'none'")
"""The same Content-Security-Policy as the reports (no script, no request)."""
LANGUAGES = ("de", "en")

_CSS = """
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; line-height: 1.5;
  color: #1d2733; max-width: 1100px; margin: 0 auto; padding: 1.5rem 2rem;
  overflow-wrap: break-word; }
.bl-table { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.9rem; margin: 0.3rem 0 1rem; width: 100%; }
th { background: #eef2f6; text-align: left; }
td, th { padding: 0.3rem 0.6rem; border: 1px solid #d5dde5; vertical-align: top; }
td.bl-date { white-space: nowrap; font-variant-numeric: tabular-nums; }
.bl-note { color: #4a5868; font-size: 0.9rem; }
a { color: #0b5394; }
@media (max-width: 600px) { body { padding: 0.8rem 0.9rem; } }
"""


@dataclass(frozen=True)
class IndexEntry:
    """One built report: wave, language, report file (relative to the reports folder)."""

    wave: str
    lang: str
    path: str
    meta: ReportMeta


def _report_order() -> list[str]:
    from benchlib.report import NOTEBOOKS

    return list(NOTEBOOKS.values())


def report_entries(reports: Path | str) -> list[IndexEntry]:
    """Every built report under ``reports`` (``<wave>/<lang>/<report>.html``, or the older
    ``<wave>/<report>.html`` with the language from the page), newest wave first, then
    language and report in build order. Temporary build folders (dot names) are skipped."""
    reports = Path(reports)
    order = _report_order()
    found: list[IndexEntry] = []
    for page in sorted(reports.glob("*/*.html")) + sorted(reports.glob("*/*/*.html")):
        rel = page.relative_to(reports)
        if any(part.startswith(".") for part in rel.parts) or page.name not in order:
            continue
        meta = read_report_meta(page.read_text(encoding="utf-8"))
        lang = rel.parts[1] if len(rel.parts) == 3 else meta.lang
        if lang not in LANGUAGES:
            continue
        found.append(IndexEntry(rel.parts[0], lang, rel.as_posix(), meta))
    found.sort(key=lambda e: (e.wave, -LANGUAGES.index(e.lang), -order.index(Path(e.path).name)),
               reverse=True)
    return found


def _date(built: str) -> str:
    return built[:10] if len(built) >= 10 else built


def index_html(entries: list[IndexEntry]) -> str:
    """The index page for ``entries`` (see :func:`report_entries`), in both languages."""
    e = html.escape
    title = " · ".join(t("index_title", lang) for lang in LANGUAGES)
    parts = [f"<h1>{e(title)}</h1>",
             "".join(f'<p class="bl-note" lang="{lang}">{e(t("index_intro", lang))}</p>'
                     for lang in LANGUAGES)]
    if not entries:
        parts.append("".join(f'<p lang="{lang}">{e(t("index_empty", lang))}</p>'
                             for lang in LANGUAGES))
    for wave in dict.fromkeys(x.wave for x in entries):
        heading = " · ".join(dict.fromkeys(t("index_wave", lang, wave=wave)
                                           for lang in LANGUAGES))
        parts.append(f'<h2 id="wave-{e(wave)}">{e(heading)}</h2>')
        for lang in LANGUAGES:
            rows = [x for x in entries if x.wave == wave and x.lang == lang]
            if not rows:
                continue
            head = "".join(f"<th>{e(t(k, lang))}</th>" for k in
                           ("index_col_report", "index_col_built", "index_col_headline"))
            body = "".join(
                f'<tr><td><a href="{e(x.path)}">{e(x.meta.title or Path(x.path).stem)}</a></td>'
                f'<td class="bl-date">{e(_date(x.meta.built))}</td>'
                f"<td>{e(x.meta.description or t('index_no_headline', lang))}</td></tr>"
                for x in rows)
            parts.append(f'<section lang="{lang}"><h3>{e(t("index_language", lang))}</h3>'
                         f'<div class="bl-table"><table><thead><tr>{head}</tr></thead>'
                         f"<tbody>{body}</tbody></table></div></section>")
    return ("<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f"<title>{e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(parts) + "\n</body>\n</html>\n")


def write_index(root: Path | str) -> Path:
    """Write ``<root>/index.html`` for the reports under ``root`` (the reports folder, e.g.
    ``reports/``; a project root with a ``reports/`` folder also works); returns its path."""
    from benchlib.atomic import write_text

    root = Path(root)
    reports = root / "reports" if (root / "reports").is_dir() and not any(
        root.glob("*/*.html")) else root
    out = reports / "index.html"
    write_text(out, index_html(report_entries(reports)))
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m benchlib.index [REPORTS_DIR]``: (re)write the report index."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    from benchlib.paths import get_paths

    reports = Path(args[0]) if args else get_paths().reports
    print(f"wrote {write_index(reports)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
