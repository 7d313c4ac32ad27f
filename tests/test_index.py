"""reports/index.html: every wave × language × report, escaped, self-contained."""

from __future__ import annotations

from pathlib import Path

from benchlib.index import CSP, report_entries, write_index

HEAD = ('<!DOCTYPE html><html lang="{lang}"><head><title>{title}</title>'
        '<meta name="description" content="{desc}">'
        '<meta name="dcterms.created" content="2026-12-01T10:00:00Z"></head><body></body></html>')


def _page(root: Path, rel: str, lang: str, title: str, desc: str) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(HEAD.format(lang=lang, title=title, desc=desc), encoding="utf-8")


def test_index_lists_every_report_newest_wave_first(tmp_path):
    _page(tmp_path, "2026-07/de/wave_report.html", "de", "Wellenbericht 2026-07", "Alt.")
    _page(tmp_path, "2026-10/en/workshop.html", "en", "Workshop", "Train &lt;mail&gt;")
    _page(tmp_path, "2026-10/de/wave_report.html", "de", "Wellenbericht 2026-10", "Neu &amp; gut")
    _page(tmp_path, "2026-10/de/data_quality.html", "de", "Datenqualität", "Alles da.")
    _page(tmp_path, ".2026-10.building-1/de/wave_report.html", "de", "tmp", "tmp")
    _page(tmp_path, "2026-10/de/notes.html", "de", "not a report", "x")
    entries = report_entries(tmp_path)
    assert [e.path for e in entries] == ["2026-10/de/data_quality.html",
                                         "2026-10/de/wave_report.html",
                                         "2026-10/en/workshop.html",
                                         "2026-07/de/wave_report.html"]
    text = write_index(tmp_path).read_text(encoding="utf-8")
    assert text.index("Welle 2026-10") < text.index("Welle 2026-07")
    assert "Train &lt;mail&gt;" in text and "<mail>" not in text  # escaped once, not twice
    assert "Neu &amp; gut" in text
    assert f'content="{CSP}"' in text and "<script" not in text and "http" not in text.replace(
        "http-equiv", "")
    assert "2026-12-01" in text and "tmp" not in text and "not a report" not in text


def test_index_without_reports_says_so(tmp_path):
    text = write_index(tmp_path).read_text(encoding="utf-8")
    assert "make reports" in text
