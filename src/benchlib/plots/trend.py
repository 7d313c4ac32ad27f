"""Figures for the trend, workshop and calibration reports (matplotlib, deterministic).

Colours, markers, fonts and sizes come from :mod:`benchlib.plots.style` (Okabe–Ito, one
marker per company, so nothing depends on colour alone). Functions take the tidy tables of
:mod:`benchlib.trend` / :mod:`benchlib.workshop` and return a Figure; show it with
:func:`benchlib.viz.show_figure` (which adds alt text).

>>> d = pd.DataFrame({"company": ["s", "s"], "company_name": ["S", "S"], "role": "shop",
...                   "wave": ["w1", "w2"], "x": [0, 1], "mean": [70.0, np.nan],
...                   "ci_low": [65.0, np.nan], "ci_high": [75.0, np.nan]})
>>> fig = trend_figure(d, ["w1", "w2"], ylabel="Score")
>>> len(fig.axes)
1
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from benchlib.plots import style
from benchlib.plots.style import (
    GRID,
    MARKET_COLOUR,
    MUTED,
    OKABE_ITO,
    REFERENCE,
    SHOP_COLOUR,
    styled,
)

__all__ = ["company_trend_figure", "event_study_figure", "item_gap_figure", "leniency_figure",
           "moved_items_figure", "trend_figure"]


def _fig(w: float, h: float, ncols: int = 1, **kw):
    return style.figure(w, h, ncols, **kw)


def _training_lines(ax, trainings: pd.DataFrame | None, label: str | None) -> None:
    if trainings is None or trainings.empty:
        return
    for i, x in enumerate(sorted(set(trainings["x"]))):
        ax.axvline(x - 0.5, color=MUTED, ls=":", lw=1, zorder=0,
                   label=label if i == 0 else None)
        ax.text(x - 0.5, 1.0, f"T{i + 1}", transform=ax.get_xaxis_transform(), ha="center",
                va="bottom", fontsize=style.SMALL, color=REFERENCE)


@styled
def trend_figure(trend: pd.DataFrame, waves: Sequence[str], ylabel: str = "",
                 trainings: pd.DataFrame | None = None, training_label: str | None = None,
                 ylim: tuple[float, float] | None = None,
                 companies: Sequence[str] | None = None):
    """Per-company mean per wave with 95 % CI bars; NaN cells break the line (no
    interpolation). The shop is drawn thicker in its colour; training marks at x − 0.5.

    ``companies``: the configuration's order of all company ids (``[c.id for c in
    cfg.companies]``, ``res.company_order``), which fixes each company's colour and marker
    across reports and waves; default the order of ``trend`` (use
    :func:`company_trend_figure` to draw a wave's results). A row with ``role`` ``"market"``
    (all competitors together) is drawn in :data:`~benchlib.plots.style.MARKET_COLOUR`, never
    in a competitor's colour."""
    fig, ax = _fig(8.5, 4.6)
    comps = list(dict.fromkeys(trend["company"]))
    shop_ids = trend.loc[trend["role"] == "shop", "company"]
    shop_id = shop_ids.iloc[0] if len(shop_ids) else None
    market_ids = set(trend.loc[trend["role"] == "market", "company"])
    order = [c for c in (list(companies) if companies is not None else comps)
             if c not in market_ids]
    colours = style.company_colours(order, shop_id) | {c: MARKET_COLOUR for c in market_ids}
    markers = style.company_markers(order, shop_id) | {c: "D" for c in market_ids}
    dodge = np.linspace(-0.12, 0.12, len(comps)) if len(comps) > 1 else [0.0]
    for i, comp in enumerate(comps):
        d = trend[trend["company"] == comp].sort_values("x")
        shop = (d["role"] == "shop").any()
        x = d["x"].to_numpy(float) + dodge[i]
        y = d["mean"].to_numpy(float)
        err = np.vstack([y - d["ci_low"].to_numpy(float), d["ci_high"].to_numpy(float) - y])
        ax.errorbar(x, y, yerr=err, color=colours[comp], marker=markers[comp],
                    lw=2.4 if shop else 1.3, ms=6 if shop else 4.5, capsize=2.5,
                    elinewidth=1, label=d["company_name"].iloc[0], zorder=3 if shop else 2)
    _training_lines(ax, trainings, training_label)
    if ylim:
        ax.set_ylim(*ylim)
    return _finish_wave_axis(fig, ax, waves, ylabel)


def company_trend_figure(res, ylabel: str = "", training_label: str | None = None):
    """:func:`trend_figure` of a wave's results (``trend`` table, its waves and trainings),
    colours in the configuration's order of companies (``res.company_order``), so that
    every company has the colour it has in the wave report and in every other wave's trend.

    ``res``: a :class:`benchlib.results.ReportView` (topics labelled in its language)."""
    from benchlib.results import display

    return trend_figure(res.trend, display.trend_waves(res), ylabel=ylabel,
                        trainings=display.training_marks(res), training_label=training_label,
                        companies=res.company_order)


def _finish_wave_axis(fig, ax, waves: Sequence[str], ylabel: str):
    """Waves on the x axis, light grid, legend below: the trend figures' frame."""
    ax.set_xticks(range(len(waves)), list(waves))
    ax.set_xlim(-0.6, len(waves) - 0.4)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", color=GRID, lw=0.8)
    # legend below the axis, so the figure stays within the reports' width (768 px screens)
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=min(3, len(handles)),
                  frameon=False)
    fig.tight_layout()
    return fig


@styled
def event_study_figure(es: pd.DataFrame, waves: Sequence[str], ylabel: str = "",
                       reference_label: str = "reference",
                       trainings: pd.DataFrame | None = None,
                       training_label: str | None = None):
    """Event-study coefficients (shop's gap to the competitors relative to the reference
    wave) with 95 % CIs; the reference wave is a hollow point at 0."""
    fig, ax = _fig(8.0, 3.8)
    ax.axhline(0, color=REFERENCE, lw=0.8)
    d = es[~es["reference"]]
    y = d["estimate"].to_numpy(float)
    err = np.vstack([y - d["ci_low"].to_numpy(float), d["ci_high"].to_numpy(float) - y])
    ax.errorbar(d["x"].to_numpy(float), y, yerr=err, fmt="o", color=SHOP_COLOUR, capsize=3,
                ms=6, lw=1.3)
    r = es[es["reference"]]
    ax.plot(r["x"], r["estimate"], "o", mfc="white", mec=SHOP_COLOUR, ms=7,
            label=reference_label)
    _training_lines(ax, trainings, training_label)
    return _finish_wave_axis(fig, ax, waves, ylabel)


@styled
def moved_items_figure(moved: pd.DataFrame, label_col: str = "label_de", xlabel: str = "",
                       moved_label: str = "", not_moved_label: str = ""):
    """Change of each tested item's share (percentage points, 95 % Newcombe CI); items
    that moved (BH-adjusted) are filled vermilion squares, the others hollow grey circles."""
    d = moved[moved["tested"]].sort_values("diff")
    fig, ax = _fig(7.5, 0.32 * max(len(d), 3) + 1.2)
    ax.axvline(0, color=REFERENCE, lw=0.8)
    y = np.arange(len(d))
    for flag, kw in ((True, dict(fmt="s", color=OKABE_ITO[5], mfc=OKABE_ITO[5],
                                 label=moved_label)),
                     (False, dict(fmt="o", color=MUTED, mfc="white", label=not_moved_label))):
        m = (d["moved"] == flag).to_numpy()
        if not m.any():
            continue
        x = 100 * d["diff"].to_numpy(float)[m]
        err = np.vstack([x - 100 * d["ci_low"].to_numpy(float)[m],
                         100 * d["ci_high"].to_numpy(float)[m] - x])
        ax.errorbar(x, y[m], xerr=err, capsize=2.5, ms=5, lw=1.1, **kw)
    ax.set_yticks(y, d[label_col].tolist())
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color=GRID, lw=0.8)
    ax.legend(loc="lower right", frameon=False, fontsize=style.SMALL)
    fig.tight_layout()
    return fig


@styled
def item_gap_figure(weak: pd.DataFrame, shop_label: str, best_label: str, xlabel: str = ""):
    """Shop vs the best competitor per item (0–100, 95 % CI): shop black circles, best
    competitor orange squares; the competitor's anonymous label is written beside it."""
    d = weak.iloc[::-1]
    fig, ax = _fig(8.0, 0.42 * max(len(d), 3) + 1.2)
    y = np.arange(len(d), dtype=float)
    for (col, lo, hi), off, color, marker, lab in (
            (("shop", "shop_ci_low", "shop_ci_high"), 0.14, SHOP_COLOUR, "o", shop_label),
            (("best_value", "best_ci_low", "best_ci_high"), -0.14, OKABE_ITO[1], "s",
             best_label)):
        x = d[col].to_numpy(float)
        err = np.vstack([x - d[lo].to_numpy(float), d[hi].to_numpy(float) - x])
        ax.errorbar(x, y + off, xerr=err, fmt=marker, color=color, capsize=2.5, ms=5.5,
                    lw=1.2, label=lab)
    for yi, (_, r) in zip(y, d.iterrows(), strict=True):
        ax.text(101, yi - 0.14, r["best"], va="center", fontsize=style.SMALL, color=REFERENCE)
    ax.set_yticks(y, d["label"].tolist())
    ax.set_xlim(0, 118)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color=GRID, lw=0.8)
    ax.legend(loc="upper center", bbox_to_anchor=(0.45, -0.12 - 0.6 / max(len(d), 3)),
              ncol=2, frameon=False)
    fig.tight_layout()
    return fig


@styled
def leniency_figure(side: pd.DataFrame, calib_title: str, field_title: str, xlabel: str = ""):
    """Leniency per evaluator code: calibration mean deviation with 95 % CI (left, when
    available) beside the mixed model's BLUP from the field data (right)."""
    has_cal = side["calib_mean_dev"].notna().any()
    d = side.sort_values("evaluator", ascending=False)
    y = np.arange(len(d))
    fig, axes = _fig(8.0 if has_cal else 4.6, 0.36 * len(d) + 1.4, ncols=2 if has_cal else 1,
                     sharey=True, sharex=True)
    axes = list(np.atleast_1d(axes))
    if has_cal:
        ax = axes.pop(0)
        x = d["calib_mean_dev"].to_numpy(float)
        err = np.vstack([x - d["calib_ci_low"].to_numpy(float),
                         d["calib_ci_high"].to_numpy(float) - x])
        ax.errorbar(x, y, xerr=err, fmt="o", color=SHOP_COLOUR, capsize=2.5, ms=5)
        ax.axvline(0, color=REFERENCE, lw=0.8)
        ax.set_title(calib_title, fontsize=style.SMALL)
        ax.set_xlabel(xlabel)
        ax.grid(axis="x", color=GRID, lw=0.8)
    ax = axes[0]
    ax.plot(d["field_blup"].to_numpy(float), y, "D", color=OKABE_ITO[5], ms=5)
    ax.axvline(0, color=REFERENCE, lw=0.8)
    ax.set_title(field_title, fontsize=style.SMALL)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color=GRID, lw=0.8)
    fig.axes[0].set_yticks(y, d["evaluator"].tolist())
    fig.tight_layout()
    return fig
