"""Display helpers for notebooks: escaped tables, language-aware numbers, figures with alt text.

Notebooks only orchestrate; these helpers make sure that whatever they show is safe HTML
(every data string escaped) and formatted for the report's language.

>>> html = table_html(pd.DataFrame({"x": [1.25], "name": ["<b>"]}), lang="de", digits=1)
>>> "1,2" in html and "&lt;b&gt;" in html and "<b>" not in html
True
>>> '<td class="num">1,2</td>' in html, _cell_class("−4,1 bis 2,0"), _cell_class("Voltera")
(True, ' class="num"', '')
"""

from __future__ import annotations

import base64
import html
import io
import re
from typing import Any

import pandas as pd

from benchlib import fmt


def fmt_number(x: Any, lang: str = "de", digits: int = 1) -> str:
    """Format a number for the language: a thin call into :func:`benchlib.fmt.number`.

    >>> fmt_number(12345.5, "de"), fmt_number(1234.5, "en"), fmt_number(float("nan"))
    ('12.345,5', '1234.5', '–')
    """
    if isinstance(x, int) and not isinstance(x, bool):
        digits = 0
    return fmt.number(x, lang, digits)


_NUMERIC_TEXT = re.compile(
    r"^(?:p\s*[<=]\s*)?[−\-+]?[\d.,]+(?:\s*%)?"
    r"(?:\s*(?:bis|to|–|/)\s*[−\-+]?[\d.,]+(?:\s*%)?)?$|^–$")


def _cell_class(text: str) -> str:
    """``' class="num"'`` for cells that hold a number, a CI or a p-value (right-aligned)."""
    return ' class="num"' if _NUMERIC_TEXT.match(text.strip()) else ""


TABLE_BOX_CLASS = "bl-table"
"""Every table sits in a box of this class that scrolls sideways on a narrow screen, so the
page itself never scrolls horizontally (template CSS)."""


def table_html(df: pd.DataFrame, lang: str = "de", digits: int = 1,
               percent: tuple[str, ...] = (), caption: str | None = None) -> str:
    """HTML for a table: every cell escaped, numbers formatted for ``lang``."""
    def cell(col: str, v: Any) -> str:
        if col in percent and isinstance(v, (int, float)) and v == v:
            return html.escape(fmt.percent(v, lang, digits))
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return fmt_number(v, lang, 0 if isinstance(v, int) else digits)
        return html.escape("" if v is None or (isinstance(v, float) and v != v) else str(v))

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    def td(c: str, v: Any) -> str:
        text = cell(c, v)
        return f"<td{_cell_class(text)}>{text}</td>"

    rows = "".join("<tr>" + "".join(td(c, v) for c, v in zip(df.columns, r, strict=True))
                   + "</tr>" for r in df.itertuples(index=False))
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (f'<div class="{TABLE_BOX_CLASS}"><table>{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")


def show_table(df: pd.DataFrame, **kw: Any) -> None:
    """Display :func:`table_html` in a notebook."""
    from IPython.display import HTML, display

    display(HTML(table_html(df, **kw)))


def show_html(text: str, css_class: str | None = None, escape: bool = True) -> None:
    """Display a paragraph (escaped unless ``escape=False`` for trusted library markup)."""
    from IPython.display import HTML, display

    body = html.escape(text) if escape else text
    display(HTML(f'<div class="{css_class}">{body}</div>' if css_class else f"<p>{body}</p>"))


HEADLINE_CLASS = "bl-headline"


def headline_html(text: str) -> str:
    """The report's one headline sentence, escaped, as the visible lead paragraph.

    The report index (``reports/index.html``) and the HTML's description are taken from the
    element with class :data:`HEADLINE_CLASS`, so every report shows exactly one.

    >>> headline_html("Shop & market level")
    '<p class="bl-headline">Shop &amp; market level</p>'
    """
    return f'<p class="{HEADLINE_CLASS}">{html.escape(text)}</p>'


META_KEY = "benchlib"
"""Key of the output metadata through which a report's title and headline reach the HTML's
``<title>`` and ``<meta name="description">`` (see :mod:`benchlib.report_meta`)."""


def show_headline(text: str) -> None:
    """Display the report's headline sentence (see :func:`headline_html`); it also becomes
    the HTML's ``<meta name="description">`` and the report's line in ``reports/index.html``."""
    from IPython.display import HTML, display

    display(HTML(headline_html(text)), metadata={META_KEY: {"headline": text}})


def slug(text: str) -> str:
    """A stable HTML id for a heading text (used by :func:`show_heading` and :func:`toc_html`).

    >>> slug("Veränderung zur Vorwelle 2026-07")
    'sec-veranderung-zur-vorwelle-2026-07'
    """
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "sec-" + (re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x")


def show_heading(text: str, level: int = 2) -> None:
    """Display an escaped heading with a stable id (the table of contents links to it); the
    first level-1 heading is the report's title (the HTML's ``<title>``)."""
    from IPython.display import HTML, display

    meta = {META_KEY: {"title": text}} if level == 1 else None
    display(HTML(f'<h{level} id="{slug(text)}">{html.escape(text)}</h{level}>'), metadata=meta)


def toc_html(title: str, sections: list[str]) -> str:
    """A numbered table of contents linking to the headings of :func:`show_heading`.

    >>> toc_html("Inhalt", ["A & B"])
    '<strong>Inhalt</strong><ol><li><a href="#sec-a-b">A &amp; B</a></li></ol>'
    """
    items = "".join(f'<li><a href="#{slug(s)}">{html.escape(s)}</a></li>' for s in sections)
    return f"<strong>{html.escape(title)}</strong><ol>{items}</ol>"


def show_figure(fig: Any, alt: str, dpi: int | None = None) -> None:
    """Display a matplotlib figure as PNG with alt text (deterministic bytes) and close it.

    The PNG is written at :data:`benchlib.plots.style.DPI` unless ``dpi`` says otherwise;
    ``alt`` must say what the chart shows (the template escapes it)."""
    import matplotlib.pyplot as plt

    from benchlib.plots.style import DPI

    if not alt or not alt.strip():
        raise ValueError("a figure needs alt text")
    dpi = DPI if dpi is None else dpi
    from IPython.display import display

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode()
    display({"image/png": data, "text/plain": alt}, raw=True,
            metadata={"image/png": {"alt": alt}})


def show_provenance(prov: dict, lang: str = "de") -> None:
    """Display the provenance footer of a report (escaped)."""
    from IPython.display import HTML, display

    from benchlib.i18n import t, texts

    def param(k: str, v: object) -> str:
        value = t("index_language", str(v)) if k == "lang" else str(v)
        return f"{t(f'prov_param_{k}', lang)} {value}" if f"prov_param_{k}" in texts() else value

    params = ", ".join(param(k, v) for k, v in prov["parameters"].items() if k != "out_dir")
    inputs = "".join(f"<li><code>{html.escape(p)}</code> {h[:16]}…</li>"
                     for p, h in sorted(prov["inputs"].items()))
    pk = ", ".join(f"{html.escape(k)} {html.escape(v)}" for k, v in prov["packages"].items())
    text = t("prov_built", lang, built_at=prov["built_at"], commit=prov["git_commit"][:12],
             params=params)
    display(HTML(f'<div class="bl-footer"><h3>{html.escape(t("provenance", lang))}</h3>'
                 f"<p>{html.escape(text)}</p><p>{html.escape(t('prov_packages', lang))}: {pk}</p>"
                 f"<details><summary>{html.escape(t('prov_inputs', lang))}</summary><ul>{inputs}"
                 "</ul></details></div>"))
