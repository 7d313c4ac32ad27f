"""The one visual identity: a company keeps its colour across waves whose panels differ,
heat-map digits contrast with their cell, figures fit a 768 px screen."""

from __future__ import annotations

import matplotlib as mpl
import pytest

from benchlib.plots import style

mpl.use("Agg")


def test_company_colours_follow_configuration_not_the_panel():
    # wave 1: shop + a, b, c; wave 2: b left, d joined (declared last in the configuration)
    config_order = ["a", "shop", "b", "c", "d"]
    w1 = style.company_colours(config_order, "shop")
    w2 = style.company_colours(config_order, "shop")
    assert w1 == w2
    assert w1["shop"] == style.SHOP_COLOUR
    assert len(set(w1.values())) == 5  # five companies, five colours
    # the colours are not a function of who is present: dropping b does not recolour c or d
    panel_only = style.company_colours(["a", "shop", "c", "d"], "shop")
    assert panel_only["c"] != w1["c"]  # (what the old per-panel palette did wrong)


@pytest.fixture(scope="module")
def two_waves(study, wave_view):
    return wave_view("2025-07", lang="en"), wave_view("2026-10", lang="de")


def _line_colours(fig) -> dict[str, str]:
    from matplotlib.colors import to_hex

    ax = fig.axes[0]
    handles, labels = ax.get_legend_handles_labels()
    out = {}
    for h, lab in zip(handles, labels, strict=True):
        line = h[0] if isinstance(h, tuple) else h
        line = getattr(line, "lines", [line])[0] if not hasattr(line, "get_color") else line
        out[lab] = to_hex(line.get_color()).upper()
    return out


@pytest.mark.slow
def test_colour_stable_across_waves_with_different_panels(two_waves, study):
    from benchlib import plots

    early, late = two_waves
    present_early = set(early.companies["company"])
    present_late = set(late.companies["company"])
    assert present_early != present_late, "the example's panel changes between these waves"
    c_early, c_late = plots.company_colours(early), plots.company_colours(late)
    for c in present_early & present_late:
        assert c_early[c] == c_late[c], c
    assert c_early[early.shop] == c_late[late.shop] == style.SHOP_COLOUR
    # a company that joined later does not inherit the colour of the one that left
    joined, left = present_late - present_early, present_early - present_late
    assert {c_late[c] for c in joined}.isdisjoint({c_early[c] for c in left})
    # ... and the charts draw exactly these colours (Kaplan–Meier curves, both waves)
    for res, colours in ((early, c_early), (late, c_late)):
        drawn = _line_colours(plots.km_plot(res))
        for c in set(res.km["company"]):
            assert drawn[res.name(c)] == colours[c].upper(), (res.wave, c)
    # the trend chart, given the configuration order, uses the same colours
    from benchlib import trend

    tr = trend.trend_table(study, "2026-10")
    order, shop = style.config_order(study.config)
    fig = plots.trend_figure(tr, list(trend.waves_up_to(study.config, "2026-10")),
                             companies=order)
    drawn = _line_colours(fig)
    for c in set(tr["company"]):
        name = tr.loc[tr["company"] == c, "company_name"].iloc[0]
        assert drawn[name] == c_late[c].upper(), c


@pytest.mark.parametrize("cell", ["#00204D", "#FFEA46", "#7C7B78", "#0072B2", "#F0E442",
                                  "#FFFFFF", "#000000", "#3B496C", "#BCAF6F"])
def test_text_colour_contrasts_with_its_cell(cell):
    text = style.text_colour(cell)
    other = style.LIGHT_TEXT if text == style.DARK_TEXT else style.DARK_TEXT
    assert style.contrast_ratio(cell, text) >= style.contrast_ratio(cell, other)
    assert style.contrast_ratio(cell, text) >= 4.5  # WCAG AA for normal text


def test_contrast_rule_light_and_dark_cells():
    assert style.text_colour("#FDE737") == style.DARK_TEXT  # light (cividis high)
    assert style.text_colour("#00224E") == style.LIGHT_TEXT  # dark (cividis low)


@pytest.mark.slow
def test_heatmap_digits_readable(two_waves):
    from matplotlib.colors import to_hex

    from benchlib import plots

    _, late = two_waves
    fig = plots.dimension_heatmap(late)
    ax = fig.axes[0]
    cmap, norm = mpl.colormaps[style.SEQUENTIAL_CMAP], mpl.colors.Normalize(0, 100)
    mean = late.dimensions.pivot(index="dimension", columns="company", values="mean")
    dims = list(dict.fromkeys(late.dimensions["dimension"]))
    comps = list(dict.fromkeys(late.dimensions["company"]))
    mean = mean.reindex(index=dims, columns=comps).to_numpy(float)
    texts = [t for t in ax.texts if t.get_text()]
    assert len(texts) == int((mean == mean).sum())
    for t in texts:
        x, y = t.get_position()
        cell = cmap(norm(mean[int(y), int(x)]))
        assert style.contrast_ratio(cell, t.get_color()) >= 4.5, (t.get_text(), to_hex(cell))
        assert t.get_fontsize() >= style.SMALL
    assert fig.get_figwidth() <= style.MAX_WIDTH_IN


def test_figures_fit_a_768px_screen():
    fig, _ = style.figure(20, 3)
    assert fig.get_figwidth() * style.DPI <= 780
