"""Design diagnostics and evaluator-clustered comparisons (CR2 with Bell–McCaffrey df).

When evaluators are nested in companies (each company rated mostly by its own few
shoppers), an evaluator's leniency moves all of "their" company's contacts together: the
contacts are not independent and a Welch test rejects far too often. The comparisons here
fit OLS and use the cluster-robust CR2 covariance (Bell & McCaffrey 2002) with clusters =
evaluators and the Bell–McCaffrey / Imbens–Kolesár (2016) degrees of freedom, which hold
the nominal rate with 6–8 evaluators (docs/methodology.md, "Clustering"; simulation in
tests/stats/test_sim_fieldwork.py). CR1 and CR3 are available for comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from patsy import dmatrices
from scipy import stats

from ._common import (
    DEFAULT_ALPHA,
    DEFAULT_MIN_N,
    check_alpha,
    holm,
    infer_shop,
    require_columns,
    require_groups,
)

__all__ = ["DesignDiagnostics", "design_diagnostics", "cluster_contrast", "clustered_comparison",
           "shop_vs_market", "VCOV_TYPES"]

VCOV_TYPES = ("CR2", "CR1", "CR3")
NESTED_PURITY: float = 0.8
"""Evaluators count as nested in companies when at least this share of contacts is rated by
an evaluator who works (mostly) for that company (see :func:`design_diagnostics`)."""


@dataclass(frozen=True)
class DesignDiagnostics:
    """Result of :func:`design_diagnostics`.

    ``by_company`` / ``by_scenario``: tidy assignment tables (evaluator, company/scenario, n).
    ``purity``: share of contacts rated by an evaluator in his or her main company (1 = fully
    nested; 1/k for k companies evenly crossed). ``cramers_v``: association of evaluator and
    company (0 crossed, 1 nested). ``shop_own_share``: share of the shop's contacts rated by
    evaluators who rate (almost) only the shop. ``nested``: ``purity >= NESTED_PURITY``.
    """

    by_company: pd.DataFrame
    by_scenario: pd.DataFrame
    n_evaluators: int
    evaluators_per_company: pd.DataFrame
    purity: float
    cramers_v: float
    shop_own_share: float
    nested: bool

    def to_dict(self) -> dict[str, float | int | bool]:
        """The scalar measures (for results.json)."""
        return {"n_evaluators": self.n_evaluators, "purity": self.purity,
                "cramers_v": self.cramers_v, "shop_own_share": self.shop_own_share,
                "nested": self.nested}


def _purity(d: pd.DataFrame, company: str, evaluator: str) -> float:
    """Share of contacts rated by an evaluator in his or her main company."""
    counts = d.groupby([evaluator, company], observed=True).size()
    return float(counts.groupby(level=0).max().sum() / counts.sum())


def _cramers_v(tab: pd.DataFrame) -> float:
    if min(tab.shape) < 2:
        return float("nan")
    chi2 = stats.chi2_contingency(tab.to_numpy(), correction=False)[0]
    return float(np.sqrt(chi2 / (tab.to_numpy().sum() * (min(tab.shape) - 1))))


def design_diagnostics(
    data: pd.DataFrame,
    company: str = "company",
    evaluator: str = "evaluator",
    scenario: str = "scenario",
    shop: str | None = None,
    role: str = "role",
) -> DesignDiagnostics:
    """Who rated what: evaluator × company and × scenario tables and a nesting measure.

    ``purity = Σ_evaluator max_company n / n`` (the share of contacts whose evaluator mainly
    works for that company), Cramér's V of the evaluator × company table, and the share of the
    shop's contacts rated by evaluators with ≥ 90 % of their contacts at the shop.

    Examples
    --------
    >>> d = pd.DataFrame({"company": list("aaaabbbb"), "evaluator": list("xxyyzzww"),
    ...                   "scenario": list("stststst"), "role": ["shop"] * 4 + ["c"] * 4})
    >>> r = design_diagnostics(d)
    >>> r.purity, r.nested, r.shop_own_share
    (1.0, True, 1.0)
    """
    require_columns(data, [company, evaluator])
    d = data.dropna(subset=[company, evaluator])
    tab = pd.crosstab(d[evaluator], d[company])
    by_company = (d.groupby([evaluator, company], observed=True).size().rename("n")
                  .reset_index())
    if scenario in d.columns:
        by_scenario = (d.groupby([evaluator, scenario], observed=True).size().rename("n")
                       .reset_index())
    else:
        by_scenario = pd.DataFrame(columns=[evaluator, scenario, "n"])
    purity = _purity(d, company, evaluator) if len(d) else float("nan")
    epc = (d.groupby(company, observed=True)[evaluator].nunique().rename("n_evaluators")
           .reset_index())
    try:
        shop_id = infer_shop(d, company, role, shop)
        own = tab.index[(tab[shop_id] / tab.sum(axis=1)) >= 0.9]
        shop_own = float(tab.loc[own, shop_id].sum() / tab[shop_id].sum())
    except ValueError:
        shop_own = float("nan")
    return DesignDiagnostics(by_company=by_company, by_scenario=by_scenario,
                             n_evaluators=int(tab.shape[0]), evaluators_per_company=epc,
                             purity=purity, cramers_v=_cramers_v(tab), shop_own_share=shop_own,
                             nested=bool(purity >= NESTED_PURITY))


def _inv_sqrt_psd(a: np.ndarray) -> np.ndarray:
    """Symmetric (pseudo-)inverse square root, as clubSandwich for singular ``I − H_gg``."""
    w, v = np.linalg.eigh((a + a.T) / 2)
    keep = w > 1e-10 * max(w.max(), 1.0)
    inv = np.zeros_like(w)
    inv[keep] = 1 / np.sqrt(w[keep])
    return (v * inv) @ v.T


def cluster_contrast(
    y: np.ndarray,
    X: np.ndarray,
    cluster: np.ndarray,
    L: np.ndarray,
    vcov: str = "CR2",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """OLS contrasts ``L β`` with cluster-robust SEs and small-sample df (rows of ``L``).

    ``vcov="CR2"``: Bell–McCaffrey bias-reduced sandwich (clubSandwich ``vcovCR(type =
    "CR2")``) with the Bell–McCaffrey / Imbens–Kolesár df ``(Σλ)² / Σλ²`` of ``G'G``
    (``G_g = (I − H)_{·g} A_g X_g (X'X)⁻¹ ℓ``; clubSandwich ``coef_test(test =
    "Satterthwaite")``). ``"CR1"``: Stata's ``G/(G−1)·(n−1)/(n−p)`` scaling (statsmodels
    ``cov_type="cluster"``), df G − 1. ``"CR3"``: jackknife ``(I − H_gg)⁻¹`` adjustment
    scaled by (G−1)/G (pyfixest CRV3), df G − 1. Returns estimate, se, df per row of ``L``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.column_stack([np.ones(40), np.repeat([0.0, 1.0], 20)])
    >>> y = X @ [1.0, 0.5] + rng.normal(0, 1, 40)
    >>> est, se, df = cluster_contrast(y, X, np.repeat(np.arange(8), 5), np.array([[0.0, 1]]))
    >>> bool(se[0] > 0), round(float(df[0]), 2) <= 7
    (True, True)
    """
    if vcov not in VCOV_TYPES:
        raise ValueError(f"vcov must be one of {VCOV_TYPES}, got {vcov!r}")
    L = np.atleast_2d(np.asarray(L, dtype=float))
    n, p = X.shape
    M = np.linalg.pinv(X.T @ X)
    beta = M @ X.T @ y
    e = y - X @ beta
    codes, levels = pd.factorize(pd.Series(cluster), sort=True)
    G = len(levels)
    idx = [np.flatnonzero(codes == g) for g in range(G)]
    meat = np.zeros((p, p))
    adj = []
    for ix in idx:
        Xg = X[ix]
        if vcov == "CR1":
            A = np.eye(len(ix))
        else:
            Hgg = Xg @ M @ Xg.T
            IH = np.eye(len(ix)) - Hgg
            A = _inv_sqrt_psd(IH) if vcov == "CR2" else np.linalg.pinv(IH)
        adj.append(A)
        u = Xg.T @ (A @ e[ix])
        meat += np.outer(u, u)
    V = M @ meat @ M
    if vcov == "CR1":
        V *= G / (G - 1) * (n - 1) / (n - p)
    elif vcov == "CR3":
        V *= (G - 1) / G
    est = L @ beta
    se = np.sqrt(np.einsum("ij,jk,ik->i", L, V, L))
    if vcov != "CR2":
        return est, se, np.full(len(L), G - 1.0)
    IH_full = np.eye(n) - X @ M @ X.T
    df = np.empty(len(L))
    for r, ell in enumerate(L):
        w = M @ ell
        Gm = np.column_stack([IH_full[:, ix] @ (adj[g] @ (X[ix] @ w))
                              for g, ix in enumerate(idx)])
        GtG = Gm.T @ Gm
        df[r] = np.trace(GtG) ** 2 / np.sum(GtG * GtG)
    return est, se, df


def clustered_comparison(
    data: pd.DataFrame,
    dv: str = "total",
    company: str = "company",
    evaluator: str = "evaluator",
    covariates: Sequence[str] = (),
    shop: str | None = None,
    role: str = "role",
    vcov: str = "CR2",
    alpha: float = DEFAULT_ALPHA,
    min_n: int = DEFAULT_MIN_N,
    market: bool = False,
) -> pd.DataFrame:
    """Shop − competitor (or shop − market) mean differences with evaluator-clustered SEs.

    OLS of ``dv ~ C(company) [+ C(covariate)…]`` (or ``dv ~ shop`` with ``market=True``:
    the shop against all competitors' contacts pooled); contrasts shop − competitor with
    :func:`cluster_contrast` (default CR2 + Bell–McCaffrey df; clusters = evaluators), t
    reference, Holm over the competitors tested. Pairs with fewer than ``min_n`` contacts on a
    side are listed, untested. This is the primary comparison when evaluators are nested in
    or confounded with companies (docs/methodology.md, "Clustering").

    Returns
    -------
    DataFrame
        ``shop, competitor, n_shop, n_comp, diff, se, t, df, ci_low, ci_high, p,
        n_evaluators_shop, n_evaluators_comp, tested, p_holm, method, n_clusters``
        (``competitor`` is ``"__market__"`` with ``market``). A pair is tested only with
        ``min_n`` contacts and at least two evaluators on each side.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ev = np.repeat([f"E{i}" for i in range(8)], 15)
    >>> d = pd.DataFrame({"company": np.repeat(["shop", "b", "c", "e"], 30), "evaluator": ev,
    ...                   "total": rng.normal(70, 10, 120)})
    >>> r = clustered_comparison(d, shop="shop")
    >>> r[["competitor", "tested", "method"]].values.tolist()[0]
    ['b', True, 'CR2-BM']
    """
    check_alpha(alpha)
    require_columns(data, [dv, company, evaluator, *covariates])
    shop = infer_shop(data, company, role, shop)
    d = data.loc[data[dv].notna(), [dv, company, evaluator, *covariates]].dropna().copy()
    if market:
        d[company] = np.where(d[company] == shop, shop, "__market__")
    levels = require_groups(d, company)
    used = [c for c in covariates if d[c].nunique() > 1]
    rhs = " + ".join([f"C({company}, Treatment({shop!r}))", *(f"C({c})" for c in used)])
    y, X = dmatrices(f"{dv} ~ {rhs}", d, return_type="dataframe")
    names = list(X.columns)
    comps = [c for c in levels if c != shop]
    counts = d[company].value_counts()
    n_ev = d.groupby(company)[evaluator].nunique()
    L = np.zeros((len(comps), len(names)))
    for i, c in enumerate(comps):
        L[i, names.index(f"C({company}, Treatment({shop!r}))[T.{c}]")] = -1.0
    est, se, df = cluster_contrast(y.to_numpy(float).ravel(), X.to_numpy(float),
                                   d[evaluator].to_numpy(), L, vcov)
    t = est / se
    p = 2 * stats.t.sf(np.abs(t), df)
    crit = stats.t.ppf(1 - alpha / 2, df)
    out = pd.DataFrame({"shop": shop, "competitor": comps,
                        "n_shop": int(counts.get(shop, 0)),
                        "n_comp": [int(counts.get(c, 0)) for c in comps],
                        "diff": est, "se": se, "t": t, "df": df, "ci_low": est - crit * se,
                        "ci_high": est + crit * se, "p": p})
    out["n_evaluators_shop"] = int(n_ev.get(shop, 0))
    out["n_evaluators_comp"] = [int(n_ev.get(c, 0)) for c in comps]
    # a side rated by one evaluator only confounds company and evaluator completely
    out["tested"] = ((out["n_shop"] >= min_n) & (out["n_comp"] >= min_n) & np.isfinite(se)
                     & (out["n_evaluators_shop"] >= 2) & (out["n_evaluators_comp"] >= 2))
    for col in ("se", "t", "df", "ci_low", "ci_high", "p"):
        out.loc[~out["tested"], col] = np.nan
    out["p_holm"] = np.nan
    if out["tested"].any():
        out.loc[out["tested"], "p_holm"] = holm(out.loc[out["tested"], "p"])
    out["method"] = f"{vcov}-BM" if vcov == "CR2" else vcov
    out["n_clusters"] = d[evaluator].nunique()
    return out


def _lmm_market(d: pd.DataFrame, dv: str, company: str, evaluator: str, shop: str,
                alpha: float) -> dict[str, Any]:
    """Shop − market from the evaluator random-intercept model (z reference)."""
    from .mixed import fit_random_intercept

    m = d.assign(_side=np.where(d[company] == shop, "shop", "market"))
    f = fit_random_intercept(m, f"{dv} ~ C(_side, Treatment('shop'))", evaluator)
    name = "C(_side, Treatment('shop'))[T.market]"
    est, se = -float(f.fe[name]), float(np.sqrt(f.cov_fe.loc[name, name]))
    z, crit = est / se, stats.norm.ppf(1 - alpha / 2)
    return {"diff": est, "se": se, "t": z, "df": np.inf, "ci_low": est - crit * se,
            "ci_high": est + crit * se, "p": float(2 * stats.norm.sf(abs(z))),
            "converged": f.converged, "boundary": f.boundary}


def shop_vs_market(
    data: pd.DataFrame,
    dv: str = "total",
    company: str = "company",
    evaluator: str = "evaluator",
    shop: str | None = None,
    role: str = "role",
    alpha: float = DEFAULT_ALPHA,
    min_n: int = DEFAULT_MIN_N,
    method: str = "auto",
) -> pd.DataFrame:
    """The primary comparison of a wave: the shop against all competitors' contacts pooled.

    ``method="auto"`` (default) chooses by the design (:func:`design_diagnostics`):

    * evaluators **nested** in companies (purity ≥ :data:`NESTED_PURITY`) → ``"CR2-BM"``:
      OLS with evaluator-clustered CR2 SEs and Bell–McCaffrey df (:func:`clustered_comparison`,
      ``market=True``). Company and evaluator are confounded; CR2-BM is the only candidate
      that did not over-reject in the simulations (it is conservative);
    * evaluators **crossed** with companies → ``"LMM"``: the evaluator random-intercept
      model (:func:`benchlib.stats.mixed.fit_random_intercept`), z reference — nominal in the
      simulations, where Welch and CR1 over-reject slightly;
    * no evaluator column, or fewer than two evaluators on a side → ``"welch"``.

    ``"cr2"``, ``"lmm"`` or ``"welch"`` force one. The method used is in column ``method``.
    Comparison of the candidates: docs/methodology.md, "Clustering".

    Returns one row: ``shop, competitor ("__market__"), n_shop, n_comp, mean_shop, mean_comp,
    diff, se, t, df, ci_low, ci_high, p, tested, method``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"company": np.repeat(["shop", "b", "c", "e"], 30),
    ...                   "evaluator": np.repeat([f"E{i}" for i in range(8)], 15),
    ...                   "total": rng.normal(70, 10, 120)})
    >>> r = shop_vs_market(d, shop="shop").iloc[0]
    >>> r["competitor"], r["method"], bool(r["tested"])
    ('__market__', 'CR2-BM', True)
    >>> shop_vs_market(d.drop(columns="evaluator"), shop="shop")["method"].iloc[0]
    'welch'
    """
    from ._common import welch

    if method not in ("auto", "cr2", "lmm", "welch"):
        raise ValueError(f"method must be 'auto', 'cr2', 'lmm' or 'welch', got {method!r}")
    check_alpha(alpha)
    require_columns(data, [dv, company])
    shop = infer_shop(data, company, role, shop)
    d = data.loc[data[dv].notna()]
    is_shop = d[company] == shop
    x, y = d.loc[is_shop, dv].to_numpy(float), d.loc[~is_shop, dv].to_numpy(float)
    tested = len(x) >= min_n and len(y) >= min_n
    base = {"shop": shop, "competitor": "__market__", "n_shop": len(x), "n_comp": len(y),
            "mean_shop": x.mean() if len(x) else np.nan,
            "mean_comp": y.mean() if len(y) else np.nan}
    chosen = method
    if method == "auto":
        chosen = "welch"
        if evaluator in d.columns:
            ev = d.dropna(subset=[evaluator])
            if (ev.loc[ev[company] == shop, evaluator].nunique() >= 2
                    and ev.loc[ev[company] != shop, evaluator].nunique() >= 2):
                chosen = "cr2" if _purity(ev, company, evaluator) >= NESTED_PURITY else "lmm"
    if chosen == "cr2":
        r = clustered_comparison(d, dv, company, evaluator, shop=shop, role=role, alpha=alpha,
                                 min_n=min_n, market=True).iloc[0]
        row = base | {k: r[k] for k in ("diff", "se", "t", "df", "ci_low", "ci_high", "p")} \
            | {"tested": bool(r["tested"]), "method": "CR2-BM"}
    elif chosen == "lmm":
        r = _lmm_market(d.dropna(subset=[evaluator]), dv, company, evaluator, shop, alpha)
        row = base | {k: r[k] for k in ("diff", "se", "t", "df", "ci_low", "ci_high", "p")} \
            | {"tested": tested, "method": "LMM"}
    else:
        w = welch(x, y, alpha) if tested else dict.fromkeys(
            ["ci_low", "ci_high", "t", "df", "p"], np.nan)
        se = ((w["ci_high"] - w["ci_low"]) / (2 * stats.t.ppf(1 - alpha / 2, w["df"]))
              if tested else np.nan)
        row = base | {"diff": base["mean_shop"] - base["mean_comp"], "se": se,
                      "t": w["t"], "df": w["df"], "ci_low": w["ci_low"],
                      "ci_high": w["ci_high"], "p": w["p"], "tested": tested,
                      "method": "welch"}
    if not row["tested"]:
        row |= dict.fromkeys(["se", "t", "df", "ci_low", "ci_high", "p"], np.nan)
    return pd.DataFrame([row])
