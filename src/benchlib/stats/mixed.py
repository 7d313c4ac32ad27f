"""Random-intercept mixed model (one grouping factor) fitted so that it converges or says so.

The evaluator model ``y = Xβ + b_evaluator + e`` has one variance ratio ``θ = τ²/σ²``; its
REML criterion, profiled over β and σ², is a function of ``θ`` alone and is computed here
exactly (closed form per group). :func:`fit_random_intercept` maximises it from many starting
values (a grid on ``θ``, then bounded Brent around the best grid point) and evaluates the
boundary ``θ = 0`` explicitly. statsmodels ``MixedLM`` optimisers can run beside it
(``optimizers=CROSS_CHECK``); the best REML is kept and every candidate is listed. The tests
run that cross-check on every example wave and on simulated fieldwork, where the exact search
is never beaten; a wave's results run the exact search alone. See docs/methodology.md,
"Adjusted for evaluator leniency".
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from patsy import dmatrices
from scipy.optimize import minimize_scalar

from ._common import text_as_categories

__all__ = ["CROSS_CHECK", "MixedFit", "OPTIMIZERS", "fit_random_intercept", "reml_criterion"]

OPTIMIZERS: tuple[str, ...] = ("profile",)
"""Default candidates: the exact profile search (global in the one parameter ``θ``)."""

CROSS_CHECK: tuple[str, ...] = ("profile", "bfgs", "lbfgs", "powell")
"""The exact search and three statsmodels ``MixedLM`` methods, scored by the same criterion:
what the tests compare on every example wave and on simulated fieldwork (none ever beat the
exact search there, by more than 1e-9 REML log-likelihood units)."""

BOUNDARY_TOL: float = 1e-6
"""A fit whose REML gains less than this (log-likelihood units) over ``θ = 0`` is on the
boundary: the evaluator variance is reported as exactly 0."""


@dataclass(frozen=True)
class MixedFit:
    """Result of :func:`fit_random_intercept` (variances in squared units of ``dv``).

    ``fe``: fixed effects (Series by column name); ``cov_fe``: their covariance conditional on
    the variance estimates, ``σ² (X'WX)⁻¹`` (as lme4 ``vcov``); ``share`` = τ²/(τ² + σ²), 0 on
    the boundary; ``reml``: maximised REML log-likelihood (lme4 ``-REMLcrit/2``);
    ``converged``: the winning search ended at a stationary point or at a verified boundary
    maximum; ``boundary``: the evaluator variance is 0 (REML maximum at ``θ = 0``);
    ``candidates``: optimiser, theta, reml, converged, error for every attempt; ``blups``:
    group, blup (predicted random intercept).
    """

    fe: pd.Series
    cov_fe: pd.DataFrame
    group_var: float
    residual_var: float
    share: float
    reml: float
    converged: bool
    boundary: bool
    optimizer: str
    candidates: pd.DataFrame
    blups: pd.DataFrame
    n: int
    n_groups: int
    model: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class _Design:
    y: np.ndarray
    X: np.ndarray
    names: list[str]
    codes: np.ndarray
    levels: list
    n_g: np.ndarray
    sX: np.ndarray  # per-group column sums of X (G × p), y (G) and the cross-products:
    sy: np.ndarray  # what the criterion needs at every θ, computed once
    xtx: np.ndarray
    xty: np.ndarray
    yty: float


def _design(data: pd.DataFrame, formula: str, group: str) -> _Design:
    ydf, Xdf = dmatrices(formula, text_as_categories(data), return_type="dataframe",
                         NA_action="raise")
    codes, levels = pd.factorize(data[group], sort=True)
    y, X = ydf.to_numpy(float).ravel(), Xdf.to_numpy(float)
    G = len(levels)
    sX = np.stack([np.bincount(codes, weights=col, minlength=G) for col in X.T], axis=1)
    return _Design(y, X, list(Xdf.columns), codes, list(levels),
                   np.bincount(codes).astype(float), sX,
                   np.bincount(codes, weights=y, minlength=G), X.T @ X, X.T @ y, float(y @ y))


def _gsum(d: _Design, v: np.ndarray) -> np.ndarray:
    """Per-group sums of ``v`` (n → G)."""
    return np.bincount(d.codes, weights=v, minlength=len(d.levels))


def _profile(d: _Design, theta: float) -> dict[str, Any]:
    """β, σ², the REML log-likelihood and (X'WX)⁻¹ at variance ratio ``theta`` (exact)."""
    n, p = d.X.shape
    c = theta / (1.0 + d.n_g * theta)  # W = I − c_g 11ᵀ within group g
    sX, sy = d.sX, d.sy
    xwx = d.xtx - (sX * c[:, None]).T @ sX
    xwy = d.xty - (sX * c[:, None]).T @ sy
    ywy = d.yty - np.sum(c * sy**2)
    inv = np.linalg.inv(xwx)
    beta = inv @ xwy
    sigma2 = (ywy - beta @ xwy) / (n - p)
    if not sigma2 > 0:
        raise ValueError("residual variance is 0: the fixed effects fit the data exactly")
    logdet = np.sum(np.log1p(d.n_g * theta)) + np.linalg.slogdet(xwx)[1]
    reml = -0.5 * ((n - p) * (np.log(2 * np.pi * sigma2) + 1) + logdet)
    return {"beta": beta, "sigma2": float(sigma2), "reml": float(reml), "inv": inv, "c": c}


def reml_criterion(data: pd.DataFrame, formula: str, group: str, theta: float) -> float:
    """Profiled REML log-likelihood of the random-intercept model at ``θ = τ²/σ²``.

    Equals lme4's ``-REMLcrit(m) / 2`` at the same variance ratio.

    Examples
    --------
    >>> d = pd.DataFrame({"y": [1.0, 2, 3, 4, 6, 5], "g": list("aabbcc")})
    >>> round(reml_criterion(d, "y ~ 1", "g", 0.0), 4)
    -11.1225
    """
    return _profile(_design(data, formula, group), float(theta))["reml"]


def _search_profile(d: _Design) -> tuple[float, bool, str]:
    """Best θ: grid of starting values, bounded Brent around the best, boundary checked."""
    grid = np.concatenate([[0.0], np.logspace(-4, 3, 29)])
    ll = np.array([_profile(d, t)["reml"] for t in grid])
    i = int(np.argmax(ll))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    if i == len(grid) - 1:
        return float(grid[i]), False, "theta at the upper search limit (1e3)"
    res = minimize_scalar(lambda t: -_profile(d, t)["reml"], bounds=(lo, hi), method="bounded",
                          options={"xatol": 1e-10 * max(hi, 1e-6), "maxiter": 500})
    theta = float(res.x) if -res.fun >= ll[i] else float(grid[i])
    return theta, bool(res.success), "" if res.success else str(res.message)


def _statsmodels_theta(d: _Design, method: str):
    """θ of statsmodels ``MixedLM`` fitted by ``method`` on the design ``d`` (the same
    matrices and groups as the formula would give, without parsing it once per optimiser;
    the group codes sort as the group labels do)."""
    from statsmodels.regression.mixed_linear_model import MixedLM

    model = MixedLM(d.y, pd.DataFrame(d.X, columns=d.names), groups=d.codes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter: the flag is read below
        kw = {"gtol": 1e-10} if method == "bfgs" else {}
        fit = model.fit(reml=True, method=method, maxiter=2000, **kw)
    tau2, sigma2 = float(fit.cov_re.iloc[0, 0]), float(fit.scale)
    return max(tau2, 0.0) / sigma2, bool(fit.converged), fit


def fit_random_intercept(
    data: pd.DataFrame,
    formula: str,
    group: str = "evaluator",
    optimizers: Sequence[str] = OPTIMIZERS,
) -> MixedFit:
    """Fit ``formula + (1 | group)`` by REML; with several optimisers, keep the best REML.

    Candidates: ``"profile"`` (exact profiled REML over ``θ = τ²/σ²``: 30 starting values on
    a grid from 0 to 1e3, then bounded Brent; the default) and any statsmodels ``MixedLM``
    methods named (``"bfgs"``, ``"lbfgs"``, ``"powell"``, ``"nm"``; :data:`CROSS_CHECK` runs
    three). Each candidate's ``θ`` is scored with the same exact REML criterion; the best
    wins (a failed optimiser is listed with its error). If the best REML exceeds the
    boundary's (``θ = 0``) by less than :data:`BOUNDARY_TOL`, the fit is the boundary fit:
    evaluator variance exactly 0, ``boundary = True``, ``share = 0``, fixed effects = OLS
    (never a degenerate 50 % share). Rows with a missing value in a used column must be
    dropped by the caller.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"g": np.repeat(list("abcdef"), 10), "y": rng.normal(0, 1, 60)})
    >>> f = fit_random_intercept(d, "y ~ 1", "g")
    >>> f.boundary, f.share, f.converged
    (True, 0.0, True)
    """
    d = _design(data, formula, group)
    if d.X.shape[0] <= d.X.shape[1] or np.linalg.matrix_rank(d.X) < d.X.shape[1]:
        raise ValueError(f"mixed model {formula!r} | {group}: {d.X.shape[0]} rows for "
                         f"{d.X.shape[1]} fixed effects (need more rows and a full-rank design)")
    rows, models = [], {}
    for opt in optimizers:
        try:
            if opt == "profile":
                theta, conv, err = _search_profile(d)
            else:
                theta, conv, models[opt] = _statsmodels_theta(d, opt)
                err = ""
            reml = _profile(d, theta)["reml"]
        except (np.linalg.LinAlgError, ValueError, RuntimeError) as e:
            theta, conv, reml, err = np.nan, False, -np.inf, f"{type(e).__name__}: {e}"
        rows.append({"optimizer": opt, "theta": theta, "reml": reml, "converged": conv,
                     "error": err})
    cand = pd.DataFrame(rows)
    ok = cand[np.isfinite(cand["reml"])]
    if ok.empty:
        raise ValueError(f"mixed model {formula!r} | {group}: every optimiser failed: "
                         f"{cand['error'].tolist()}")
    # best REML; among ties (1e-9) prefer a converged candidate
    best_ll = ok["reml"].max()
    tied = ok[ok["reml"] >= best_ll - 1e-9].sort_values("converged", ascending=False,
                                                       kind="stable")
    win = tied.iloc[0]
    theta, converged = float(win["theta"]), bool(win["converged"])
    at_zero = _profile(d, 0.0)
    boundary = theta == 0.0 or win["reml"] - at_zero["reml"] < BOUNDARY_TOL
    if boundary:
        theta = 0.0
        # the boundary is a maximum when the REML does not rise just inside it
        converged = _profile(d, 1e-8)["reml"] <= at_zero["reml"] + 1e-12
    fit = _profile(d, theta)
    sigma2 = fit["sigma2"]
    tau2 = theta * sigma2
    resid = d.y - d.X @ fit["beta"]
    blup = fit["c"] * _gsum(d, resid)
    return MixedFit(
        fe=pd.Series(fit["beta"], index=d.names),
        cov_fe=pd.DataFrame(sigma2 * fit["inv"], index=d.names, columns=d.names),
        group_var=float(tau2), residual_var=float(sigma2),
        share=float(tau2 / (tau2 + sigma2)), reml=float(fit["reml"]), converged=converged,
        boundary=bool(boundary), optimizer=str(win["optimizer"]), candidates=cand,
        blups=pd.DataFrame({group: d.levels, "blup": blup}), n=len(d.y),
        n_groups=len(d.levels), model=models.get(str(win["optimizer"])),
    )
