"""A report's title, headline and build date: from the executed notebook into the HTML head,
and from the built HTML back out (for ``reports/index.html``).

:class:`ReportMetaPreprocessor` runs inside the ``benchlib_report`` nbconvert template
(registered in its ``conf.json``): it takes the report's title from its first level-1 heading
(:func:`benchlib.viz.show_heading`) and its headline sentence from
:func:`benchlib.viz.show_headline`, and puts them into the notebook metadata the template
writes as ``<title>`` and ``<meta name="description">``. :func:`read_report_meta` reads them
back from a built HTML file.

>>> page = ('<html lang="en"><head><title>Wave report &amp; more</title>'
...         '<meta name="description" content="Shop &lt; market">'
...         '<meta name="dcterms.created" content="2026-12-01T10:00:00Z"></head></html>')
>>> read_report_meta(page)
ReportMeta(title='Wave report & more', description='Shop < market', built='2026-12-01T10:00:00Z', lang='en')
"""

from __future__ import annotations

import contextlib
import functools
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from benchlib.viz import HEADLINE_CLASS, META_KEY

__all__ = ["ReportMeta", "ReportMetaPreprocessor", "read_report_meta", "report_meta"]  # noqa: F822

_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S | re.I)
_HEADLINE = re.compile(rf'<p class="{HEADLINE_CLASS}">(.*?)</p>', re.S)
_TAG = re.compile(r"<[^>]+>")


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())


def report_meta(nb: Any) -> dict[str, str]:
    """``{"title": …, "description": …}`` of an executed report notebook (keys only when
    found): the first level-1 heading and the headline sentence of its outputs."""
    found: dict[str, str] = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = (out.get("metadata") or {}).get(META_KEY) or {}
            body = (out.get("data") or {}).get("text/html", "")
            body = "".join(body) if isinstance(body, list) else body
            title, head = meta.get("title"), meta.get("headline")
            if not title and (m := _H1.search(body)):
                title = _text(m.group(1))
            if not head and (m := _HEADLINE.search(body)):
                head = _text(m.group(1))
            if title and "title" not in found:
                found["title"] = title
            if head and "description" not in found:
                found["description"] = head
    return found


def is_for_stakeholders(output: Any) -> bool:
    """False for outputs a stakeholder must never see: the plain-text repr of a cell's last
    expression (``Wave(id='2026-10', …)``) and warnings on stderr. Reports show what they
    mean to show through :mod:`benchlib.viz`.

    >>> is_for_stakeholders({"output_type": "execute_result", "data": {"text/plain": "1"}})
    False
    >>> is_for_stakeholders({"output_type": "display_data", "data": {"text/html": "<p>"}})
    True
    """
    kind = output.get("output_type")
    if kind == "execute_result":
        return bool(set(output.get("data") or {}) - {"text/plain"})
    return not (kind == "stream" and output.get("name") == "stderr")


@functools.cache
def _preprocessor() -> type:
    """The nbconvert preprocessor class, made on first use: reading a report's meta data
    (the index, a no-change rerun) must not import nbconvert (~1.5 s)."""
    from nbconvert.preprocessors import Preprocessor

    class ReportMetaPreprocessor(Preprocessor):
        """Drop reprs and stderr from the outputs (:func:`is_for_stakeholders`); set
        ``nb.metadata.title`` (the HTML ``<title>``) and ``nb.metadata.benchlib`` (description,
        build time) from the report's outputs."""

        def preprocess(self, nb: Any, resources: dict) -> tuple[Any, dict]:
            import os

            from benchlib.report import project_built_at

            for cell in nb.cells:
                if "outputs" in cell:
                    cell.outputs = [o for o in cell.outputs if is_for_stakeholders(o)]
            meta = report_meta(nb)
            if "title" in meta:
                nb.metadata["title"] = meta["title"]
            nb.metadata[META_KEY] = {"description": meta.get("description", ""),
                                     "built": project_built_at(os.environ.get("BENCHLIB_ROOT"))}
            return nb, resources

    return ReportMetaPreprocessor


def __getattr__(name: str) -> Any:
    if name == "ReportMetaPreprocessor":  # what the template's conf.json names
        return _preprocessor()
    raise AttributeError(f"module 'benchlib.report_meta' has no attribute {name!r}")


@dataclass(frozen=True)
class ReportMeta:
    """What the report index shows of one built report."""

    title: str
    description: str
    built: str
    lang: str


class _HeadParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title, self.meta, self.lang, self._in_title = "", {}, "", False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang") or ""
        elif tag == "title":
            self._in_title = True
        elif tag == "meta" and a.get("name"):
            self.meta[a["name"]] = a.get("content") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "head":
            raise StopIteration

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def read_report_meta(page: str) -> ReportMeta:
    """Title, description, build time and language from a built report's ``<head>``."""
    p = _HeadParser()
    with contextlib.suppress(StopIteration):  # stop at </head>
        p.feed(page)
    return ReportMeta(title=" ".join(p.title.split()), description=p.meta.get("description", ""),
                      built=p.meta.get("dcterms.created", ""), lang=p.lang)
