"""Training effect net of the market: difference-in-differences and an event study."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from ._common import (
    DEFAULT_ALPHA,
    DEFAULT_MIN_N,
    check_alpha,
    infer_shop,
    require_columns,
    score_columns,
    welch,
)

__all__ = ["TrainingEffect", "training_effect", "training_effect_by_dimension", "event_study"]


@dataclass(frozen=True)
class TrainingEffect:
    """Result of :func:`training_effect` (score points; ``estimate`` is the DiD).

    ``naive_*``: the shop's own change after − before (Welch); ``market_*``: the competitors'
    change (Welch). ``tested`` is False when a cell has fewer than ``min_n`` scored contacts;
    then the DiD's se, t, CI and p are NaN.
    """

    estimate: float
    se: float
    t: float
    df: float
    ci_low: float
    ci_high: float
    p: float
    naive_change: float
    naive_ci_low: float
    naive_ci_high: float
    naive_p: float
    market_change: float
    market_ci_low: float
    market_ci_high: float
    market_p: float
    n_shop_before: int
    n_shop_after: int
    n_comp_before: int
    n_comp_after: int
    tested: bool
    covariates: tuple[str, ...] = ()
    model: Any = field(default=None, repr=False, compare=False)
    panel: str = "balanced"
    competitors: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """All fields except the model, e.g. for a table row."""
        return {k: v for k, v in asdict(self).items() if k != "model"}


PANELS = ("balanced", "all")


def _panel(data, dv, waves, wave_col, company, role, shop, covariates, panel="balanced"):
    """Scored rows of ``waves`` with a 0/1 ``treated`` column and the covariates that vary.

    ``panel="balanced"`` keeps only the competitors present in every wave of ``waves`` (a
    competitor that joins or leaves would otherwise shift the market's mean); ``"all"`` keeps
    every competitor. Returns the rows, the covariates used, the formula tail and the
    competitors used.
    """
    if panel not in PANELS:
        raise ValueError(f"panel must be one of {PANELS}, got {panel!r}")
    require_columns(data, [dv, wave_col, company, *covariates])
    for w in waves:
        if not (data[wave_col] == w).any():
            raise ValueError(f"wave {w!r} not found in column {wave_col!r}")
    shop = infer_shop(data, company, role, shop)
    d = data.loc[data[wave_col].isin(waves) & data[dv].notna()]
    d = d[[dv, wave_col, company, *covariates]].dropna().copy()
    if panel == "balanced":
        present = d.groupby(company)[wave_col].nunique()
        d = d[d[company].isin(present[present == len(set(waves))].index)]
    d["treated"] = (d[company] == shop).astype(float)
    if d["treated"].nunique() < 2:
        raise ValueError("need contacts of the shop and of at least one competitor "
                         f"present in every wave of {list(waves)}")
    used = tuple(c for c in covariates if d[c].nunique() > 1)
    rhs = "".join(f" + C({c})" for c in used)
    competitors = tuple(sorted(set(d.loc[d["treated"] == 0, company])))
    return d, used, rhs, competitors


def _welch_or_nan(x: np.ndarray, y: np.ndarray, alpha: float) -> dict[str, float]:
    if len(x) >= 2 and len(y) >= 2:
        return welch(x, y, alpha)
    return {"diff": np.mean(x) - np.mean(y) if len(x) and len(y) else np.nan,
            "ci_low": np.nan, "ci_high": np.nan, "p": np.nan}


def training_effect(
    data: pd.DataFrame,
    before: str,
    after: str,
    dv: str = "total",
    shop: str | None = None,
    covariates: Sequence[str] = ("scenario", "channel"),
    company: str = "company",
    role: str = "role",
    wave_col: str = "wave",
    alpha: float = DEFAULT_ALPHA,
    min_n: int = DEFAULT_MIN_N,
    panel: str = "balanced",
) -> TrainingEffect:
    """Difference-in-differences of the shop against the competitors across a training.

    Fits ``dv ~ treated * post + C(scenario) + C(channel)`` on the waves ``before`` and
    ``after`` by OLS with HC3 standard errors and a t reference (residual df); ``treated`` = 1
    for the shop, ``post`` = 1 in ``after``. The coefficient of ``treated:post`` is the shop's
    change net of the competitors' (market) change. Assumes parallel trends: without the
    training the shop would have moved like the competitors. By default only competitors
    present in both waves form the control group (``panel="balanced"``; ``"all"`` keeps
    every competitor); ``competitors`` on the result lists those used.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> n = 200
    >>> d = pd.DataFrame({"company": rng.choice(["shop", "b", "c"], n),
    ...                   "wave": rng.choice(["w1", "w2"], n),
    ...                   "scenario": rng.choice(["s1", "s2"], n), "channel": "call"})
    >>> d["total"] = 70 + 5 * ((d.company == "shop") & (d.wave == "w2")) + rng.normal(0, 8, n)
    >>> r = training_effect(d, "w1", "w2", shop="shop")
    >>> r.tested, r.covariates, r.ci_low < 5 < r.ci_high
    (True, ('scenario',), True)
    """
    check_alpha(alpha)
    d, used, rhs, comps = _panel(data, dv, [before, after], wave_col, company, role, shop,
                                 covariates, panel)
    d["post"] = (d[wave_col] == after).astype(float)
    cells = {(t, p): d.loc[(d.treated == t) & (d.post == p), dv].to_numpy(float)
             for t in (0.0, 1.0) for p in (0.0, 1.0)}
    tested = min(len(v) for v in cells.values()) >= min_n
    fit = smf.ols(f"{dv} ~ treated * post{rhs}", data=d).fit(cov_type="HC3", use_t=True)
    est = float(fit.params["treated:post"])
    ci = fit.conf_int(alpha).loc["treated:post"].to_numpy(float)
    inf = ([fit.bse["treated:post"], fit.tvalues["treated:post"], fit.df_resid, *ci,
            fit.pvalues["treated:post"]] if tested else [np.nan] * 6)
    naive = _welch_or_nan(cells[1.0, 1.0], cells[1.0, 0.0], alpha)
    market = _welch_or_nan(cells[0.0, 1.0], cells[0.0, 0.0], alpha)
    return TrainingEffect(
        est, *map(float, inf),
        naive["diff"], naive["ci_low"], naive["ci_high"], naive["p"],
        market["diff"], market["ci_low"], market["ci_high"], market["p"],
        len(cells[1.0, 0.0]), len(cells[1.0, 1.0]), len(cells[0.0, 0.0]),
        len(cells[0.0, 1.0]), tested, used, fit, panel=panel, competitors=comps)


def training_effect_by_dimension(
    data: pd.DataFrame,
    before: str,
    after: str,
    dims: Sequence[str] | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """:func:`training_effect` for ``total`` and every ``dim_*`` column, as a tidy table.

    Extra keyword arguments go to :func:`training_effect` (``dv`` is set per row).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> n = 160
    >>> d = pd.DataFrame({"company": rng.choice(["shop", "b"], n),
    ...                   "wave": rng.choice(["w1", "w2"], n), "scenario": "s", "channel": "c",
    ...                   "total": rng.normal(70, 8, n), "dim_needs": rng.normal(60, 9, n)})
    >>> training_effect_by_dimension(d, "w1", "w2", shop="shop")["dimension"].tolist()
    ['total', 'needs']
    """
    cols = ["total", *score_columns(data, dims)] if "total" in data else score_columns(data, dims)
    rows = []
    for col in cols:
        r = training_effect(data, before, after, dv=col, **kwargs).to_dict()
        rows.append({"dimension": col.removeprefix("dim_")} | r)
    out = pd.DataFrame(rows)
    out["covariates"] = out["covariates"].map(", ".join)
    out["competitors"] = out["competitors"].map(", ".join)
    return out


def event_study(
    data: pd.DataFrame,
    reference_wave: str,
    dv: str = "total",
    waves: Sequence[str] | None = None,
    shop: str | None = None,
    covariates: Sequence[str] = ("scenario", "channel"),
    company: str = "company",
    role: str = "role",
    wave_col: str = "wave",
    alpha: float = DEFAULT_ALPHA,
    panel: str = "balanced",
) -> pd.DataFrame:
    """Shop − competitor gap in each wave relative to ``reference_wave`` (event study).

    Fits ``dv ~ C(wave) + treated + treated:C(wave, Treatment(reference)) + C(scenario) +
    C(channel)`` by OLS, HC3, t reference. Each wave's coefficient is the change of the
    shop's gap to the competitors since the reference wave (the reference row is 0 with NaN
    SE). Waves before a training should be near 0 (a check of parallel trends). With
    ``panel="balanced"`` (default) only competitors present in every wave are the control
    group; the column ``competitors`` names them.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> n = 240
    >>> d = pd.DataFrame({"company": rng.choice(["shop", "b"], n),
    ...                   "wave": rng.choice(["w1", "w2", "w3"], n),
    ...                   "scenario": "s", "channel": "c", "total": rng.normal(70, 8, n)})
    >>> event_study(d, "w1", shop="shop")[["wave", "reference"]]
      wave  reference
    0   w1       True
    1   w2      False
    2   w3      False
    """
    check_alpha(alpha)
    waves = sorted(data[wave_col].dropna().unique()) if waves is None else list(waves)
    if reference_wave not in waves:
        raise ValueError(f"reference_wave {reference_wave!r} not in waves {waves}")
    d, used, rhs, comps = _panel(data, dv, waves, wave_col, company, role, shop, covariates,
                                 panel)
    wv = f"C({wave_col}, Treatment({reference_wave!r}))"
    formula = f"{dv} ~ {wv} + treated + treated:{wv}{rhs}"
    fit = smf.ols(formula, data=d).fit(cov_type="HC3", use_t=True)
    ci = fit.conf_int(alpha)
    rows = []
    for w in waves:
        name = f"treated:{wv}[T.{w}]"
        if w == reference_wave:
            rows.append({"wave": w, "estimate": 0.0, "se": np.nan, "t": np.nan,
                         "ci_low": np.nan, "ci_high": np.nan, "p": np.nan})
            continue
        rows.append({"wave": w, "estimate": fit.params[name], "se": fit.bse[name],
                     "t": fit.tvalues[name], "ci_low": ci.loc[name, 0],
                     "ci_high": ci.loc[name, 1], "p": fit.pvalues[name]})
    out = pd.DataFrame(rows)
    out["df"] = float(fit.df_resid)
    out["reference"] = out["wave"] == reference_wave
    out["n"] = out["wave"].map(d[wave_col].value_counts()).astype(int)
    out["competitors"] = ", ".join(comps)
    return out
