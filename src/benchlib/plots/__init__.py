"""All figures of the reports, in one visual identity (:mod:`benchlib.plots.style`).

One convention: a figure function takes the tidy results it shows (a
:class:`benchlib.results.WaveResults` for the wave report, the tidy tables of
:mod:`benchlib.trend` / :mod:`benchlib.workshop` otherwise) plus the texts it writes, and
returns a matplotlib ``Figure`` that is not registered with pyplot; show it with
:func:`benchlib.viz.show_figure`. Company colours come from the configuration's order of
companies (:func:`benchlib.plots.style.company_colours`).

>>> from benchlib import plots
>>> plots.style.SHOP_COLOUR == plots.company_palette(["shop"], "shop")["shop"]
True
"""

from __future__ import annotations

from benchlib.plots import style
from benchlib.plots.style import OKABE_ITO
from benchlib.plots.style import company_colours as company_palette
from benchlib.plots.trend import (
                                  company_trend_figure,
                                  event_study_figure,
                                  item_gap_figure,
                                  leniency_figure,
                                  moved_items_figure,
                                  trend_figure,
)
from benchlib.plots.wave import (
                                  company_colours,
                                  coverage_heatmap,
                                  dimension_heatmap,
                                  forest_plot,
                                  items_plot,
                                  km_plot,
                                  share_heatmap,
                                  training_plot,
)

__all__ = ["OKABE_ITO", "company_colours", "company_palette", "company_trend_figure",
           "coverage_heatmap",
           "dimension_heatmap",
           "event_study_figure", "forest_plot", "item_gap_figure", "items_plot", "km_plot",
           "leniency_figure", "moved_items_figure", "share_heatmap", "style", "training_plot",
           "trend_figure"]
