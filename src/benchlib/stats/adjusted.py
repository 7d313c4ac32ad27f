"""Comparisons adjusted for scenario/channel mix (OLS + EMMs) and evaluator leniency (LMM)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from patsy import dmatrix
from scipy import stats

from ._common import (
    DEFAULT_ALPHA,
    check_alpha,
    holm,
    infer_shop,
    require_columns,
    require_groups,
)
from .mixed import OPTIMIZERS, MixedFit, fit_random_intercept

__all__ = ["MixAdjusted", "LeniencyAdjusted", "mix_adjusted", "leniency_adjusted"]


@dataclass(frozen=True)
class MixAdjusted:
    """Result of :func:`mix_adjusted`.

    ``emm``: company, emm, se, df, ci_low, ci_high. ``contrasts``: shop, competitor, estimate
    (shop − competitor), se, t, df, ci_low, ci_high, p, p_holm. ``model``: the fitted OLS.
    """

    emm: pd.DataFrame
    contrasts: pd.DataFrame
    covariates: tuple[str, ...]
    model: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class LeniencyAdjusted:
    """Result of :func:`leniency_adjusted`.

    ``contrasts``: shop, competitor, estimate (shop − competitor), se, z, ci_low, ci_high, p,
    p_holm. ``blups``: evaluator, blup (predicted leniency, score points). Variances in
    squared score points; ``icc`` = evaluator share of the residual + evaluator variance
    (exactly 0 when ``boundary``). ``converged``/``boundary``/``optimizer``/``reml``: from
    :func:`benchlib.stats.mixed.fit_random_intercept`; ``fit`` is that full result
    (every optimiser's candidate included).
    """

    contrasts: pd.DataFrame
    blups: pd.DataFrame
    evaluator_var: float
    residual_var: float
    icc: float
    n: int
    n_groups: int
    converged: bool = True
    boundary: bool = False
    optimizer: str = ""
    reml: float = float("nan")
    fit: MixedFit | None = field(default=None, repr=False, compare=False)
    model: Any = field(default=None, repr=False, compare=False)


def _prepare(data: pd.DataFrame, cols: list[str], dv: str, covariates: Sequence[str]):
    """Drop unscored rows and covariates with a single level; return data and used covariates."""
    require_columns(data, [dv, *cols, *covariates])
    d = data.loc[data[dv].notna(), [dv, *cols, *covariates]].dropna().copy()
    used = tuple(c for c in covariates if d[c].nunique() > 1)
    return d, used


def _formula(dv: str, company: str, shop: str, covariates: Sequence[str]) -> str:
    terms = [f"C({company}, Treatment({shop!r}))", *(f"C({c})" for c in covariates)]
    return f"{dv} ~ " + " + ".join(terms)


def design_matrix(fit: Any, newdata: pd.DataFrame) -> np.ndarray:
    """Model matrix of ``newdata`` under a statsmodels formula fit (patsy or formulaic)."""
    spec = fit.model.data.model_spec
    if hasattr(spec, "get_model_matrix"):  # formulaic engine
        return np.asarray(spec.get_model_matrix(newdata), dtype=float)
    return np.asarray(dmatrix(spec, newdata, return_type="dataframe"), dtype=float)


def conditional_cov_fe(fit: Any) -> np.ndarray:
    """``(X' V⁻¹ X)⁻¹`` of a random-intercept MixedLM at its variance estimates (as lme4).

    statsmodels' ``bse_fe`` comes from the joint inverse Hessian of fixed effects and variance
    parameters; lme4's ``vcov`` conditions on the variance estimates. Per group,
    ``V⁻¹ = (I − τ²/(σ² + n τ²) 11ᵀ) / σ²``.
    """
    tau2, sigma2 = float(fit.cov_re.iloc[0, 0]), float(fit.scale)
    info = 0.0
    for X in fit.model.exog_li:
        s = X.sum(axis=0)
        info = info + (X.T @ X - tau2 / (sigma2 + len(X) * tau2) * np.outer(s, s)) / sigma2
    return np.linalg.inv(info)


def _contrast_table(shop: str, comps: list[str], est, se, dist, df, alpha: float, stat: str):
    stat_v = est / se
    crit = dist.ppf(1 - alpha / 2)
    p = 2 * dist.sf(np.abs(stat_v))
    out = pd.DataFrame({"shop": shop, "competitor": comps, "estimate": est, "se": se,
                        stat: stat_v})
    if df is not None:
        out["df"] = df
    out["ci_low"], out["ci_high"], out["p"] = est - crit * se, est + crit * se, p
    out["p_holm"] = holm(p)
    return out


def mix_adjusted(
    data: pd.DataFrame,
    dv: str = "total",
    company: str = "company",
    covariates: Sequence[str] = ("scenario", "channel"),
    shop: str | None = None,
    role: str = "role",
    alpha: float = DEFAULT_ALPHA,
) -> MixAdjusted:
    """Company means adjusted for the scenario × channel mix: OLS, HC3, equal-weight EMMs.

    Fits ``dv ~ C(company) + C(scenario) + C(channel)`` by OLS with HC3 standard errors and a
    t reference (residual df). Estimated marginal means average the model's predictions over
    the full grid of covariate levels with equal weights (R ``emmeans`` default), so a
    company that made more complaint calls is not penalised for it. Covariates with a single
    level are dropped.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> n = 80
    >>> d = pd.DataFrame({"company": rng.choice(["shop", "b", "c"], n),
    ...                   "scenario": rng.choice(["s1", "s2"], n),
    ...                   "channel": rng.choice(["call", "mail"], n),
    ...                   "total": rng.normal(70, 10, n)})
    >>> r = mix_adjusted(d, shop="shop")
    >>> r.emm["company"].tolist(), r.contrasts["competitor"].tolist()
    (['b', 'c', 'shop'], ['b', 'c'])
    """
    check_alpha(alpha)
    d, used = _prepare(data, [company], dv, covariates)
    shop = infer_shop(data, company, role, shop)
    levels = require_groups(d, company)
    fit = smf.ols(_formula(dv, company, shop, used), data=d).fit(cov_type="HC3", use_t=True)
    grid_levels = [levels, *(sorted(d[c].unique()) for c in used)]
    grid = pd.DataFrame(list(product(*grid_levels)), columns=[company, *used])
    X = design_matrix(fit, grid)
    L = np.vstack([X[(grid[company] == c).to_numpy()].mean(axis=0) for c in levels])
    beta, V, df = fit.params.to_numpy(), fit.cov_params().to_numpy(), float(fit.df_resid)
    est, se = L @ beta, np.sqrt(np.einsum("ij,jk,ik->i", L, V, L))
    crit = stats.t.ppf(1 - alpha / 2, df)
    emm = pd.DataFrame({"company": levels, "emm": est, "se": se, "df": df,
                        "ci_low": est - crit * se, "ci_high": est + crit * se})
    comps = [c for c in levels if c != shop]
    i_shop = levels.index(shop)
    C = np.vstack([L[i_shop] - L[levels.index(c)] for c in comps])
    c_est, c_se = C @ beta, np.sqrt(np.einsum("ij,jk,ik->i", C, V, C))
    contrasts = _contrast_table(shop, comps, c_est, c_se, stats.t(df), df, alpha, "t")
    return MixAdjusted(emm=emm, contrasts=contrasts, covariates=used, model=fit)


def leniency_adjusted(
    data: pd.DataFrame,
    dv: str = "total",
    company: str = "company",
    group: str = "evaluator",
    shop: str | None = None,
    covariates: Sequence[str] = ("scenario", "channel"),
    role: str = "role",
    alpha: float = DEFAULT_ALPHA,
    evaluator: str | None = None,
    optimizers: Sequence[str] = OPTIMIZERS,
) -> LeniencyAdjusted:
    """Shop − competitor differences net of evaluator leniency (random evaluator intercept).

    Linear mixed model ``dv ~ C(company) + C(scenario) + C(channel) + (1 | evaluator)`` fitted
    by REML with :func:`benchlib.stats.mixed.fit_random_intercept`: the exact profiled REML
    from 30 starting values (``optimizers=CROSS_CHECK`` adds statsmodels' optimisers; the
    best REML is kept), the boundary (evaluator variance 0) handled
    explicitly and flagged (``converged``, ``boundary`` on the result). Contrast SEs use the
    fixed-effect covariance conditional on the variance estimates, ``(X'V⁻¹X)⁻¹``, as lme4
    does, and a **normal (z) reference** — no small-sample df correction (lme4 reports none
    either; lmerTest's Satterthwaite df would be slightly wider). Needs several evaluators
    (≥ 5 advisable) for a usable variance estimate. ``evaluator`` names the evaluator column
    (``group`` is its older name; ``evaluator`` wins when both are given).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> n = 120
    >>> ev = rng.choice([f"E{i}" for i in range(6)], n)
    >>> lenient = pd.Series(rng.normal(0, 4, 6), index=[f"E{i}" for i in range(6)])
    >>> d = pd.DataFrame({"company": rng.choice(["shop", "b"], n), "evaluator": ev,
    ...                   "total": 70 + lenient[ev].to_numpy() + rng.normal(0, 8, n)})
    >>> r = leniency_adjusted(d, shop="shop", covariates=())
    >>> r.contrasts["competitor"].tolist(), r.n_groups, 0 <= r.icc <= 1, r.converged
    (['b'], 6, True, True)
    """
    check_alpha(alpha)
    group = evaluator or group
    d, used = _prepare(data, [company, group], dv, covariates)
    shop = infer_shop(data, company, role, shop)
    levels = require_groups(d, company)
    require_groups(d, group)
    fit = fit_random_intercept(d, _formula(dv, company, shop, used), group, optimizers)
    comps = [c for c in levels if c != shop]
    names = [f"C({company}, Treatment({shop!r}))[T.{c}]" for c in comps]
    est = -fit.fe[names].to_numpy()
    se = np.sqrt(np.diag(fit.cov_fe.loc[names, names].to_numpy()))
    contrasts = _contrast_table(shop, comps, est, se, stats.norm, None, alpha, "z")
    return LeniencyAdjusted(contrasts=contrasts, blups=fit.blups, evaluator_var=fit.group_var,
                            residual_var=fit.residual_var, icc=fit.share, n=fit.n,
                            n_groups=fit.n_groups, converged=fit.converged,
                            boundary=fit.boundary, optimizer=fit.optimizer, reml=fit.reml,
                            fit=fit, model=fit.model)
