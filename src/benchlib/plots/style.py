"""The reports' one visual identity: palette, fonts, sizes, company colours, contrast rule.

Every figure of :mod:`benchlib.plots` is drawn inside :func:`styled` and takes its colours
from here. Colours are the Okabe & Ito (2008) colour-blind-safe palette. A company's colour
follows from the study configuration's order of companies (the shop always
:data:`SHOP_COLOUR`, competitors by their position in the configuration), so a company keeps
its colour in every chart and every wave, also when the panel changes. Every series also has
its own marker, so nothing depends on colour alone. The font is matplotlib's bundled DejaVu
Sans (nothing is downloaded). Figures are at most :data:`MAX_WIDTH_IN` inches wide at
:data:`DPI`, so a 768 px wide screen shows them without shrinking the digits.

>>> colours = company_colours(["shop", "a", "b", "c"], shop="shop")
>>> colours["shop"] == SHOP_COLOUR, colours["a"]
(True, '#E69F00')
>>> text_colour("#000000"), text_colour("#FFFFFF")
('#FFFFFF', '#000000')
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from benchlib import fmt

__all__ = ["COMPETITOR_COLOURS", "DPI", "GRID", "MARKET_COLOUR", "MARKERS", "MAX_WIDTH_IN",
           "OKABE_ITO", "REFERENCE", "SEQUENTIAL_CMAP", "SHOP_COLOUR", "company_colours",
           "company_markers", "contrast_ratio", "figure", "styled", "text_colour",
           "tick_formatter"]

OKABE_ITO: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
                              "#D55E00", "#000000", "#F0E442")
"""Okabe & Ito (2008): blue, orange, bluish green, reddish purple, sky blue, vermilion,
black, yellow (the only palette in the package)."""

SHOP_COLOUR = OKABE_ITO[0]
"""The shop's colour in every chart."""
COMPETITOR_COLOURS = OKABE_ITO[1:]
"""Competitors' colours in configuration order (repeating after seven)."""
MARKET_COLOUR = "#595959"
"""The market (all competitors together) and neutral series."""
REFERENCE = "#333333"
"""Reference lines (zero, thresholds)."""
GRID = "#E5E5E5"
"""Grid lines."""
MUTED = "#7A7A7A"
"""Secondary marks (training lines, untested items)."""
WARN = "#9A6700"
"""Warnings inside a chart (dark amber, 4.9:1 on white)."""
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
"""One marker per company, in the same order as the colours."""
SEQUENTIAL_CMAP = "cividis"
"""Colour-blind-safe sequential map for heat maps (light = high)."""

DPI = 110
"""Resolution of the PNGs in the reports."""
MAX_WIDTH_IN = 7.0
"""Widest figure (inches): 770 px at :data:`DPI`, shown unscaled on a 768 px screen."""
FONT_SIZE = 10
"""Base font size (points); tick labels and annotations never below :data:`SMALL`."""
SMALL = 9

RC: dict[str, Any] = {
    "font.family": "DejaVu Sans", "font.size": FONT_SIZE, "axes.titlesize": FONT_SIZE + 1,
    "axes.labelsize": FONT_SIZE, "xtick.labelsize": SMALL, "ytick.labelsize": SMALL,
    "legend.fontsize": SMALL, "axes.spines.top": False, "axes.spines.right": False,
    "figure.dpi": 100, "savefig.dpi": DPI, "svg.hashsalt": "benchlib",
    "axes.unicode_minus": True, "text.color": "#1D2733", "axes.labelcolor": "#1D2733",
    "xtick.color": "#1D2733", "ytick.color": "#1D2733",
}
"""matplotlib settings of every figure."""

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def style_context():
    """The reports' matplotlib settings (fonts, sizes, spines) for a ``with`` block."""
    import matplotlib.pyplot as plt

    with plt.rc_context(RC):
        yield


def styled(func: F) -> F:
    """Decorator: draw a figure function inside :func:`style_context`."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with style_context():
            return func(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def figure(width: float, height: float, ncols: int = 1, **kw: Any):
    """A new ``Figure`` (not registered with pyplot) and its axes, at most
    :data:`MAX_WIDTH_IN` wide; returns ``(fig, ax)`` or ``(fig, axes)``.

    >>> fig, ax = figure(12, 3)
    >>> float(fig.get_figwidth())
    7.0
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(min(width, MAX_WIDTH_IN), height))
    return fig, fig.subplots(1, ncols, **kw)


def company_colours(companies: Iterable[str], shop: str | None = None) -> dict[str, str]:
    """Colour per company id: the shop :data:`SHOP_COLOUR`, the others
    :data:`COMPETITOR_COLOURS` by their position among the competitors in ``companies``.

    Pass the study's configuration order of **all** companies (``[c.id for c in
    cfg.companies]``, or ``list(res.names)`` of a wave's results), not only those of one wave:
    then a company keeps its colour when the panel changes.

    >>> company_colours(["a", "shop", "b"], shop="shop")
    {'a': '#E69F00', 'shop': '#0072B2', 'b': '#009E73'}
    """
    out: dict[str, str] = {}
    i = 0
    for c in dict.fromkeys(companies):
        if c == shop:
            out[c] = SHOP_COLOUR
        else:
            out[c] = COMPETITOR_COLOURS[i % len(COMPETITOR_COLOURS)]
            i += 1
    return out


def company_markers(companies: Iterable[str], shop: str | None = None) -> dict[str, str]:
    """Marker per company id, in the order of :func:`company_colours` (shop ``"o"``).

    >>> company_markers(["a", "shop"], shop="shop")
    {'a': 's', 'shop': 'o'}
    """
    out: dict[str, str] = {}
    i = 1
    for c in dict.fromkeys(companies):
        if c == shop:
            out[c] = MARKERS[0]
        else:
            out[c] = MARKERS[1 + (i - 1) % (len(MARKERS) - 1)]
            i += 1
    return out


def config_order(config: Any) -> tuple[list[str], str]:
    """``(company ids in configuration order, shop id)`` of a study configuration."""
    ids = [c.id for c in config.companies]
    shop = next(c.id for c in config.companies if c.role == "shop")
    return ids, shop


def _luminance(colour: Any) -> float:
    """WCAG 2 relative luminance of a matplotlib colour."""
    from matplotlib.colors import to_rgb

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: Any, b: Any) -> float:
    """WCAG 2 contrast ratio of two colours (1 … 21).

    >>> round(contrast_ratio("#000000", "#FFFFFF"), 1)
    21.0
    """
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


DARK_TEXT = "#000000"
LIGHT_TEXT = "#FFFFFF"


def text_colour(background: Any) -> str:
    """Dark text on light cells, light text on dark cells: whichever contrasts more (WCAG).

    >>> text_colour("#FDE737"), text_colour("#00204D")
    ('#000000', '#FFFFFF')
    """
    dark = contrast_ratio(background, DARK_TEXT)
    light = contrast_ratio(background, LIGHT_TEXT)
    return DARK_TEXT if dark >= light else LIGHT_TEXT


def tick_formatter(lang: str, digits: int = 0, scale: float = 1.0):
    """Axis tick labels in the report's language (decimal comma, minus sign)."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: fmt.number(x * scale, lang, digits))


def annotate_cells(ax: Any, values: Any, labels: Any, cmap: str, vmin: float,
                   vmax: float, fontsize: int = SMALL) -> None:
    """Write ``labels`` into the cells of a heat map drawn with ``cmap``/``vmin``/``vmax``,
    each in :func:`text_colour` of its cell (row ``i`` at y = i + 0.5, column ``j`` at
    x = j + 0.5, as seaborn and ``pcolormesh`` draw them)."""
    import matplotlib as mpl
    import numpy as np

    colormap = mpl.colormaps[cmap]
    norm = mpl.colors.Normalize(vmin=vmin, vmax=vmax)
    vals = np.asarray(values, dtype=float)
    for i in range(vals.shape[0]):
        for j in range(vals.shape[1]):
            text = labels[i][j]
            if not text or np.isnan(vals[i, j]):
                continue
            ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=fontsize,
                    color=text_colour(colormap(norm(vals[i, j]))))


def as_mapping(colours: Mapping[str, str] | None, companies: Iterable[str],
               shop: str | None) -> dict[str, str]:
    """``colours`` if given, else :func:`company_colours` of ``companies``."""
    return dict(colours) if colours is not None else company_colours(companies, shop)
