"""The report template: title, description, build date, escaped alt text, no reprs."""

from __future__ import annotations

from html.parser import HTMLParser

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output


def _export(nb) -> str:
    from nbconvert import HTMLExporter

    from benchlib.report import TEMPLATE_DIR

    exporter = HTMLExporter(template_name="benchlib_report",
                            extra_template_basedirs=[str(TEMPLATE_DIR)])
    exporter.exclude_input = True
    body, _ = exporter.from_notebook_node(nb)
    return body


class _Imgs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.alts: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.alts.append(dict(attrs).get("alt"))


def _report_nb():
    from benchlib.viz import META_KEY, headline_html

    alt = 'Dot plot: share of "yes" <per> item & company'
    png = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    cells = [
        new_code_cell(outputs=[new_output("execute_result", execution_count=1, data={
            "text/plain": "Wave(id='2026-10', start=datetime.date(2026, 10, 1))"})]),
        new_code_cell(outputs=[new_output("display_data", data={
            "text/html": '<h1 id="sec-x">Wellenbericht &amp; Markt</h1>'},
            metadata={META_KEY: {"title": "Wellenbericht & Markt"}})]),
        new_code_cell(outputs=[new_output("display_data", data={
            "text/html": headline_html('Voltera liegt "vorn" & <sicher>.')})]),
        new_code_cell(outputs=[new_output("stream", name="stderr", text="FutureWarning: x")]),
        new_code_cell(outputs=[new_output("display_data", data={"image/png": png,
                                                               "text/plain": alt},
                                          metadata={"image/png": {"alt": alt}})]),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["title"] = "Notebook"
    return nbformat.from_dict(nb), alt


def test_title_description_alt_and_no_repr(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    from benchlib.report_meta import read_report_meta

    nb, alt = _report_nb()
    page = _export(nb)
    meta = read_report_meta(page)
    assert meta.title == "Wellenbericht & Markt"  # the h1, not "Notebook"
    assert meta.description == 'Voltera liegt "vorn" & <sicher>.'
    assert meta.built == "2027-01-15T08:00:00Z"
    p = _Imgs()
    p.feed(page)
    assert p.alts == [alt]  # quotes and brackets escaped: the tag is intact
    assert "Wave(id=" not in page and "datetime.date" not in page
    assert "FutureWarning" not in page
    assert page.count('class="bl-headline"') == 1
    assert "default-src 'none'" in page and "<script src" not in page
