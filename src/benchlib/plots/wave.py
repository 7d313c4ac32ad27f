"""Figures of the wave report: deterministic, in the reports' one style, German or English.

Each function takes a :class:`benchlib.results.WaveResults` and returns a matplotlib
``Figure`` (not registered with pyplot, so nothing is shown twice; display it with
:func:`benchlib.viz.show_figure`). Colours, fonts and sizes come from
:mod:`benchlib.plots.style`; a company's colour follows the configuration's order of companies
(``res.names``), so it is the same in every wave. Nothing is random, so the same results give
the same PNG bytes.

>>> import benchlib
>>> from benchlib.results import wave_results
>>> res = wave_results(benchlib.load_study(), "2026-10", lang="en")
>>> fig = forest_plot(res)
>>> fig.axes[0].get_xlabel()
'Difference Voltera − competitor (points)'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from benchlib import fmt
from benchlib.i18n import t
from benchlib.plots import style
from benchlib.plots.style import (
    GRID,
    MARKET_COLOUR,
    REFERENCE,
    SEQUENTIAL_CMAP,
    SHOP_COLOUR,
    WARN,
    figure,
    tick_formatter,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from benchlib.results import WaveResults

__all__ = ["company_colours", "dimension_heatmap", "forest_plot", "forest_points", "items_plot", "km_plot",
           "share_heatmap", "coverage_heatmap", "training_plot"]


def company_colours(res: WaveResults) -> dict[str, str]:
    """Colour per company of a wave's results (:func:`benchlib.plots.style.company_colours`
    over the configuration's order of all companies, so the same in every wave)."""
    return style.company_colours(list(res.names), res.shop)


def forest_points(res: WaveResults) -> list[dict[str, Any]]:
    """The rows of :func:`forest_plot`: each competitor, then the market (``competitor`` =
    ``"__market__"``), with ``filled`` True exactly where the wording claims "better" or
    "worse" — the multiplicity policy's ``claim`` with its adjusted p
    (:func:`benchlib.results.display.claimed`), gatekeeping included.

    >>> import benchlib
    >>> from benchlib.results import wave_results
    >>> pts = forest_points(wave_results(benchlib.load_study(), "2026-10", lang="en"))
    >>> pts[-1]["competitor"], [p["filled"] for p in pts]
    ('__market__', [False, False, False, False, False])
    """
    from benchlib.results.display import claimed

    rows = [dict(r, label=r["name"]) for r in res.shop_vs_competitors.to_dict("records")]
    rows.append(dict(res.shop_vs_market, label=t("wr_market", res.lang),
                     competitor="__market__", suppressed=False))
    for r in rows:
        r["filled"] = bool(r["tested"]) and not pd.isna(r["ci_low"]) and claimed(r)
    return rows


def forest_plot(res: WaveResults) -> Figure:
    """Shop − competitor differences with 95 % CIs; a point is filled exactly where the
    wording claims "better"/"worse" (:func:`forest_points`) — never where the text makes no
    claim."""
    lang = res.lang
    shop_name = res.name(res.shop)
    rows = forest_points(res)
    with style.style_context():
        fig, ax = figure(8, 0.55 * len(rows) + 1.6)
        ys = np.arange(len(rows))[::-1]
        for y, r in zip(ys, rows, strict=True):
            market = r["competitor"] == "__market__"
            colour = MARKET_COLOUR if market else SHOP_COLOUR
            if not r["tested"] or pd.isna(r["ci_low"]):
                ax.text(0, y, t("wr_plot_untested", lang), va="center", ha="center",
                        fontsize=style.SMALL, color=WARN, style="italic")
                continue
            ok = r["filled"]
            ax.errorbar(r["diff"], y, xerr=[[r["diff"] - r["ci_low"]], [r["ci_high"] - r["diff"]]],
                        fmt="D" if market else "o", ms=8, capsize=4, color=colour,
                        mfc=colour if ok else "white", mew=1.8, lw=1.8)
        ax.axvline(0, color=REFERENCE, lw=1, ls="--")
        ax.set_yticks(ys, [r["label"] for r in rows])
        ax.set_xlabel(t("wr_plot_diff", lang, shop=shop_name))
        ax.xaxis.set_major_formatter(tick_formatter(lang))
        lim = np.nanmax(np.abs(np.r_[[r["ci_low"] for r in rows], [r["ci_high"] for r in rows],
                                     1.0].astype(float)))  # the market's CI too
        ax.set_xlim(-1.15 * lim, 1.15 * lim)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.axhline(0.5, color="#cccccc", lw=0.8)
        handles = [Line2D([], [], marker="o", ls="", color=SHOP_COLOUR, mfc=SHOP_COLOUR,
                              label=t("wr_plot_reliable", lang)),
                   Line2D([], [], marker="o", ls="", color=SHOP_COLOUR, mfc="white",
                              label=t("wr_plot_not_reliable", lang))]
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2,
                  frameon=False)
        ax.grid(axis="x", color=GRID)
        fig.tight_layout()
    return fig


def _heatmap(ax: Any, frame: pd.DataFrame, labels: Any, vmin: float, vmax: float,
             **kw: Any) -> None:
    """The one heat-map drawing: seaborn cells in :data:`SEQUENTIAL_CMAP` with white grid
    lines, each cell's ``labels`` text in the colour that contrasts with it. Extra keywords go
    to :func:`seaborn.heatmap` (``mask``, ``cbar``, ``cbar_kws``)."""
    import seaborn as sns  # imported here: the other figures start without it (~1.5 s)

    sns.heatmap(frame.astype(float), annot=False, cmap=SEQUENTIAL_CMAP, vmin=vmin, vmax=vmax,
                linewidths=0.5, linecolor="white", ax=ax, **kw)
    style.annotate_cells(ax, frame.to_numpy(float), labels, SEQUENTIAL_CMAP, vmin, vmax)


def dimension_heatmap(res: WaveResults) -> Figure:
    """Mean dimension score per company (rows: dimensions, columns: companies, shop first)."""
    lang = res.lang
    d = res.dimensions
    comps = list(dict.fromkeys(d["company"]))
    dims = list(dict.fromkeys(d["dimension"]))
    mean = d.pivot(index="dimension", columns="company", values="mean").reindex(
        index=dims, columns=comps)
    few = d.pivot(index="dimension", columns="company", values="too_few").reindex(
        index=dims, columns=comps).fillna(False).astype(bool)
    annot = np.array([[("" if pd.isna(v) else fmt.number(v, lang, 0) + (" *" if f else ""))
                       for v, f in zip(mr, fr, strict=True)]
                      for mr, fr in zip(mean.to_numpy(), few.to_numpy(), strict=True)])
    with style.style_context():
        fig, ax = figure(1.35 * len(comps) + 3.2, 0.45 * len(dims) + 1.4)
        _heatmap(ax, mean, annot, 0, 100, mask=mean.isna(),
                 cbar_kws={"label": t("wr_plot_score", lang), "shrink": 0.8})
        ax.set_xticklabels([res.name(c) for c in comps], rotation=25, ha="right")
        ax.set_yticklabels([res.label("dimension", x) for x in dims], rotation=0)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.tick_params(length=0)
        if res.shop in comps:
            ax.get_xticklabels()[comps.index(res.shop)].set_fontweight("bold")
        fig.tight_layout()
    return fig


def items_plot(res: WaveResults) -> Figure:
    """Share of "yes" per yes/no item: shop with Wilson CI, competitors as markers; † = FDR."""
    lang = res.lang
    it = res.items
    items = list(dict.fromkeys(it["item"]))
    colours = company_colours(res)
    markers = style.company_markers(list(res.names), res.shop)
    labels = []
    for i in items:
        sub = it[(it["item"] == i) & (it["company"] != res.shop)]
        flag = bool((sub["p_fdr"] < 0.05).any())
        lab = res.item_labels.get(i, i)
        if not res.item_higher_is_better.get(i, True):
            lab += f" ({t('wr_lower_better', lang)})"
        labels.append(lab + (" †" if flag else ""))
    comps = list(dict.fromkeys(it["company"]))
    offsets = {c: (0.0 if c == res.shop else 0.12 * (j - (len(comps) - 1) / 2) * 1.4)
               for j, c in enumerate(comps)}
    with style.style_context():
        fig, ax = figure(9, 0.42 * len(items) + 1.8)
        ys = {i: len(items) - 1 - n for n, i in enumerate(items)}
        for c in comps:
            sub = it[(it["company"] == c) & ~it["suppressed"]]
            y = sub["item"].map(ys).to_numpy(float) + offsets[c]
            if c == res.shop:
                s = sub["share"].to_numpy(float)
                err = np.clip([s - sub["ci_low"].to_numpy(float),
                               sub["ci_high"].to_numpy(float) - s], 0, None) * 100
                ax.errorbar(s * 100, y, xerr=err,
                            fmt="o", ms=7, capsize=3, color=colours[c], lw=1.6, zorder=3,
                            label=res.name(c))
            else:
                ax.plot(sub["share"] * 100, y, ls="", marker=markers[c], ms=5, mfc="white",
                        mec=colours[c], mew=1.3, label=res.name(c), zorder=2)
        ax.set_yticks(range(len(items))[::-1], labels)
        ax.set_xlim(-2, 102)
        ax.set_xlabel(t("wr_plot_share_yes", lang))
        ax.xaxis.set_major_formatter(tick_formatter(lang))
        ax.grid(axis="x", color=GRID)
        handles, names = ax.get_legend_handles_labels()
        order = sorted(range(len(names)), key=lambda i: names[i] != res.name(res.shop))
        ax.legend([handles[i] for i in order], [names[i] for i in order], loc="lower center",
                  bbox_to_anchor=(0.4, 1.0), ncol=min(len(comps), 3), frameon=False, fontsize=style.SMALL)
        fig.tight_layout()
    return fig


def training_plot(res: WaveResults) -> Figure:
    """Naive shop change, market change and the net effect (DiD), each with its 95 % CI."""
    lang = res.lang
    te = res.training
    if te is None:
        raise ValueError("no training before this wave")
    rows = [("naive", "naive_change", "naive_ci_low", "naive_ci_high", style.OKABE_ITO[1]),
            ("market", "market_change", "market_ci_low", "market_ci_high", MARKET_COLOUR),
            ("did", "estimate", "ci_low", "ci_high", SHOP_COLOUR)]
    with style.style_context():
        fig, ax = figure(8, 2.9)
        for y, (_key, est, lo, hi, colour) in zip([2, 1, 0], rows, strict=True):
            e, lo_, hi_ = te[est], te[lo], te[hi]
            if pd.isna(e):
                continue
            if not (pd.isna(lo_) or pd.isna(hi_)):
                ax.errorbar(e, y, xerr=[[e - lo_], [hi_ - e]], fmt="o", ms=9, capsize=5,
                            color=colour, lw=2.2)
                txt = f"{fmt.number(e, lang)} [{fmt.number(lo_, lang)}; " \
                      f"{fmt.number(hi_, lang)}]"
            else:
                ax.plot(e, y, "o", ms=9, color=colour)
                txt = fmt.number(e, lang)
            ax.annotate(txt, (e, y), xytext=(0, 9), textcoords="offset points", ha="center",
                        fontsize=style.SMALL, color=colour)
        ax.axvline(0, color=REFERENCE, lw=1, ls="--")
        ax.set_yticks([2, 1, 0], [t(f"wr_te_{k}", lang, shop=res.name(res.shop))
                                  for k, *_ in rows])
        ax.set_ylim(-0.6, 2.7)
        ax.set_xlabel(t("wr_plot_change", lang))
        ax.xaxis.set_major_formatter(tick_formatter(lang))
        ax.grid(axis="x", color=GRID)
        fig.tight_layout()
    return fig


def km_plot(res: WaveResults, horizon_h: float = 24.0) -> Figure:
    """Kaplan–Meier curves of the share of mails answered (1 − S) per company; shop with CI."""
    lang = res.lang
    km = res.km
    colours = company_colours(res)
    comps = list(dict.fromkeys(km["company"]))
    with style.style_context():
        fig, ax = figure(8, 4.2)
        for c in comps:
            g = km[km["company"] == c]
            shop = c == res.shop
            ax.step(g["time"], 1 - g["surv"], where="post", color=colours[c],
                    lw=2.6 if shop else 1.4, ls="-" if shop else (0, (4, 1.5)),
                    label=res.name(c), zorder=3 if shop else 2)
            if shop:
                ax.fill_between(g["time"], 1 - g["ci_low"].fillna(g["surv"]),
                                1 - g["ci_high"].fillna(g["surv"]), step="post",
                                color=colours[c], alpha=0.15, lw=0)
        ax.axvline(horizon_h, color=REFERENCE, lw=1, ls=":")
        ax.set_xlim(0, max(float(km["time"].max()), horizon_h) * 1.02 if len(km) else 1)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel(t("wr_plot_hours", lang))
        ax.set_ylabel(t("wr_plot_answered", lang))
        ax.yaxis.set_major_formatter(tick_formatter(lang, 0, 100))
        ax.xaxis.set_major_formatter(tick_formatter(lang))
        ax.legend(loc="lower right", frameon=False, fontsize=style.SMALL)
        ax.grid(color=GRID)
        fig.tight_layout()
    return fig


def share_heatmap(shares: pd.DataFrame, lang: str = "de", digits: int = 0) -> Figure:
    """Heat map of shares in [0, 1] (rows and columns labelled by the frame's index and
    columns, which must already be display labels), each cell written as a percentage
    (:func:`benchlib.fmt.percent`) in the text colour that contrasts with it.

    For example the data-quality report's coverage (answered, missing, not applicable per
    item): ``share_heatmap(coverage.set_index(item_labels)[[…]].rename(columns=labels))``.

    >>> fig = share_heatmap(pd.DataFrame({"Ja": [0.9, 0.25]}, index=["A", "B"]), "de")
    >>> sorted(t.get_text() for t in fig.axes[0].texts)
    ['25\\xa0%', '90\\xa0%']
    """
    values = shares.to_numpy(float)
    labels = [["" if np.isnan(v) else fmt.percent(v, lang, digits) for v in row]
              for row in values]
    with style.style_context():
        fig, ax = figure(1.6 * shares.shape[1] + 3.4, 0.3 * len(shares) + 1.0)
        _heatmap(ax, shares, labels, 0, 1, cbar=False)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.tick_params(length=0)
        ax.xaxis.tick_top()
        fig.tight_layout()
    return fig


def coverage_heatmap(view: Any) -> Figure:
    """The data-quality report's coverage: per item of the wave, the shares answered, missing
    and not applicable, from the results' ``item_coverage`` table, labelled in the view's
    language (:func:`share_heatmap`)."""
    from benchlib.i18n import t

    cov = view.item_coverage
    cols = ("answered", "missing", "not_applicable")
    shares = pd.DataFrame({t(f"dq_col_{c}", view.lang): cov[c].to_numpy(float) for c in cols},
                          index=[view.label("item", i) for i in cov["item"]])
    return share_heatmap(shares, view.lang)
