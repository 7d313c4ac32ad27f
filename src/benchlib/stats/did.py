"""Training effect net of the market: difference-in-differences and an event study."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from ._common import (
    DEFAULT_ALPHA,
    DEFAULT_MIN_N,
    check_alpha,
    holm,
    infer_shop,
    require_columns,
    score_columns,
    welch,
)
from .clustered import cluster_contrast

__all__ = ["TrainingEffect", "training_effect", "training_effect_by_dimension", "event_study",
           "pretrend_test", "did_weights", "did_design"]

VCOVS = ("HC3", "CR2")


@dataclass(frozen=True)
class TrainingEffect:
    """Result of :func:`training_effect` (score points; ``estimate`` is the DiD).

    ``naive_*``: the shop's own change after − before (Welch); ``market_*``: the competitors'
    change (Welch). ``tested`` is False when a cell has fewer than ``min_n`` scored contacts;
    then the DiD's se, t, CI and p are NaN. ``fixed_effects``: company fixed effects (two-way
    FE, default); ``vcov``: "HC3" or "CR2" (evaluator clusters, Bell–McCaffrey df);
    ``weights``: each company's weight in the estimate (:func:`did_weights`).
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
    fixed_effects: bool = True
    vcov: str = "HC3"
    covariates_by_wave: bool = False
    weights: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """All scalar fields (not the model or the weights table), e.g. for a table row."""
        # not asdict(): it deep-copies the fitted model too (~40 ms a call)
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in ("model", "weights")}


PANELS = ("balanced", "all")


def _panel(data, dv, waves, wave_col, company, role, shop, covariates, panel="balanced",
           extra=()):
    """Scored rows of ``waves`` with a 0/1 ``treated`` column and the covariates that vary.

    ``panel="balanced"`` keeps only the competitors present in every wave of ``waves`` (a
    competitor that joins or leaves would otherwise shift the market's mean); ``"all"`` keeps
    every competitor. Returns the rows, the covariates used, the formula tail and the
    competitors used.
    """
    if panel not in PANELS:
        raise ValueError(f"panel must be one of {PANELS}, got {panel!r}")
    require_columns(data, [dv, wave_col, company, *covariates, *extra])
    for w in waves:
        if not (data[wave_col] == w).any():
            raise ValueError(f"wave {w!r} not found in column {wave_col!r}")
    shop = infer_shop(data, company, role, shop)
    d = data[list(dict.fromkeys([dv, wave_col, company, *covariates, *extra]))]  # columns
    d = d.loc[d[wave_col].isin(waves)].dropna().copy()  # first: rows of a narrow frame
    if panel == "balanced":
        present = d.groupby(company)[wave_col].nunique()
        d = d[d[company].isin(present[present == len(set(waves))].index)]
    d["treated"] = (d[company] == shop).astype(float)
    if d["treated"].nunique() < 2:
        raise ValueError("need contacts of the shop and of at least one competitor "
                         f"present in every wave of {list(waves)}")
    used = tuple(c for c in covariates if d[c].nunique() > 1)
    rhs = "".join(f" + C({c})" for c in used)
    competitors = tuple(sorted(d.loc[d["treated"] == 0, company].unique()))
    return d, used, rhs, competitors


def _welch_or_nan(x: np.ndarray, y: np.ndarray, alpha: float) -> dict[str, float]:
    if len(x) >= 2 and len(y) >= 2:
        return welch(x, y, alpha)
    return {"diff": np.mean(x) - np.mean(y) if len(x) and len(y) else np.nan,
            "ci_low": np.nan, "ci_high": np.nan, "p": np.nan}


def did_weights(fit: Any, data: pd.DataFrame, term: str, company: str = "company",
                post: str = "post") -> pd.DataFrame:
    """Each company's weight in an OLS coefficient: ``Σ`` of its rows' weights after − before.

    The OLS estimate is linear in the scores, ``β_k = Σ_i a_i y_i`` with ``a`` the row ``k`` of
    ``(X'X)⁻¹X'``. Summing ``a_i`` over a company's contacts of the ``after`` wave gives its
    weight: +1 for the shop, and for the competitors minus their share of the market change
    (they sum to −1). With company fixed effects and no covariates a competitor's share is
    ``h_c / Σ h``, ``h_c = (1/n_c,before + 1/n_c,after)⁻¹`` (precision weights): a competitor
    whose sample shrinks counts less.

    Returns ``company, n_before, n_after, weight``.
    """
    X = np.asarray(fit.model.exog, dtype=float)
    k = list(fit.model.exog_names).index(term)
    e_k = np.zeros(X.shape[1])
    e_k[k] = 1.0
    a = X @ np.linalg.lstsq(X.T @ X, e_k, rcond=None)[0]  # row k of the OLS hat (X'X)^-1 X'
    codes, levels = pd.factorize(data[company], sort=True)
    after = data[post].to_numpy() == 1.0
    k_ = len(levels)
    return pd.DataFrame({
        company: list(levels),
        "n_before": np.bincount(codes[~after], minlength=k_).astype(int),
        "n_after": np.bincount(codes[after], minlength=k_).astype(int),
        "weight": np.bincount(codes[after], weights=a[after], minlength=k_)})


DID_TERM = "treated:post"
"""The DiD coefficient's name in every model of this module (and of the attribution's)."""


def _did_data(data, dv, before, after, wave_col, company, role, shop, covariates,
              panel="balanced", extra=(), fixed_effects=True, covariates_by_wave=True):
    """The DiD's rows (``treated``, ``post``) and terms, for every DiD model.

    :func:`_panel` on ``before``/``after`` plus ``post`` = 1 in ``after``; with company
    fixed effects and ``covariates_by_wave`` the covariate × post terms are added. Shared by
    :func:`training_effect` and :func:`benchlib.stats.attribution.training_effect_logit`.
    Returns the rows, the covariates used, the competitors and whether the covariates enter
    by wave (the design: :func:`did_design`).
    """
    d, used, _, comps = _panel(data, dv, [before, after], wave_col, company, role, shop,
                               covariates, panel, extra)
    d["post"] = (d[wave_col] == after).astype(float)
    by_wave = fixed_effects and covariates_by_wave and bool(used)
    return d, used, comps, by_wave


def _levels(s: pd.Series) -> list[Any]:
    """A factor's levels as patsy orders them: a categorical's categories, else sorted."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return list(s.cat.categories)
    return sorted(s.unique())


def did_design(d: pd.DataFrame, dv: str, covariates: Sequence[str] = (),
               by_wave: bool = False, company: str = "company",
               fixed_effects: bool = True) -> tuple[pd.Series, pd.DataFrame]:
    """The DiD's response and design matrix, built directly (no formula parser).

    Two-way FE: ``dv ~ C(company) + post + treated:post + C(cov)… [+ C(cov):post…]``;
    pooled (``fixed_effects=False``): ``dv ~ treated * post + C(cov)…``. The covariate ×
    post terms (``by_wave``) let a scenario that is harder in one wave move every company.
    Columns, names, order and values are exactly patsy's for those formulas (treatment
    coding, first level as reference, terms grouped by their numeric factors; checked against
    patsy in ``tests/stats/test_did.py``), so every fit is the formula fit to the last bit, at
    a fraction of the parser's cost. ``d`` needs 0/1 float columns ``treated`` and ``post``.

    >>> d = pd.DataFrame({"company": ["b", "shop", "b", "shop"], "post": [0., 0., 1., 1.],
    ...                   "treated": [0., 1., 0., 1.], "scenario": ["s1", "s1", "s2", "s2"],
    ...                   "total": [60., 70., 62., 80.]})
    >>> y, X = did_design(d, "total", ["scenario"], by_wave=True)
    >>> list(X.columns)
    ['Intercept', 'C(company)[T.shop]', 'C(scenario)[T.s2]', 'post', 'C(scenario)[T.s2]:post', 'treated:post']
    >>> X["treated:post"].tolist(), y.name
    ([0.0, 0.0, 0.0, 1.0], 'total')
    """
    post = d["post"].to_numpy(float)
    treated = d["treated"].to_numpy(float)
    dummies: dict[str, tuple[str, np.ndarray]] = {}
    for c in ([company] if fixed_effects else []) + list(covariates):
        v = d[c].to_numpy()
        for lev in _levels(d[c])[1:]:
            dummies[f"C({c})[T.{lev}]"] = (c, (v == lev).astype(float))
    cols: dict[str, np.ndarray] = {"Intercept": np.ones(len(d))}
    cols |= {name: x for name, (_, x) in dummies.items()}
    if fixed_effects:
        cols["post"] = post
        if by_wave:
            cols |= {f"{name}:post": x * post for name, (c, x) in dummies.items()
                     if c != company}
    else:
        cols["treated"] = treated
        cols["post"] = post
    cols[DID_TERM] = treated * post
    return d[dv].astype(float), pd.DataFrame(cols, index=d.index)


def _did_fit(d: pd.DataFrame, dv: str, used: Sequence[str], by_wave: bool, company: str,
             fixed_effects: bool):
    y, X = did_design(d, dv, used, by_wave, company, fixed_effects)
    return sm.OLS(y, X).fit(cov_type="HC3", use_t=True)


def _inference(fit: Any, d: pd.DataFrame, term: str, vcov: str, evaluator: str,
               alpha: float) -> list[float]:
    """se, t, df, ci_low, ci_high, p of ``term`` under ``vcov``."""
    if vcov == "HC3":
        ci = fit.conf_int(alpha).loc[term].to_numpy(float)
        return [fit.bse[term], fit.tvalues[term], fit.df_resid, *ci, fit.pvalues[term]]
    X = np.asarray(fit.model.exog, dtype=float)
    L = np.zeros((1, X.shape[1]))
    L[0, list(fit.model.exog_names).index(term)] = 1.0
    est, se, df = cluster_contrast(np.asarray(fit.model.endog, float), X,
                                   d[evaluator].to_numpy(), L, "CR2")
    t = est[0] / se[0]
    crit = stats.t.ppf(1 - alpha / 2, df[0])
    return [se[0], t, df[0], est[0] - crit * se[0], est[0] + crit * se[0],
            2 * stats.t.sf(abs(t), df[0])]


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
    fixed_effects: bool = True,
    vcov: str = "HC3",
    evaluator: str = "evaluator",
    covariates_by_wave: bool = True,
) -> TrainingEffect:
    """Difference-in-differences of the shop against the competitors across a training.

    Fits ``dv ~ C(company) + post + treated:post + C(scenario) + C(channel)`` on the waves
    ``before`` and ``after`` by OLS (two-way fixed effects: company and wave); ``treated`` = 1
    for the shop, ``post`` = 1 in ``after``. The coefficient of ``treated:post`` is the shop's
    change net of the competitors' (market) change, each competitor compared with itself, so
    a competitor whose sample shrinks or grows between the waves cannot shift the market
    (``weights`` on the result, :func:`did_weights`). ``fixed_effects=False`` gives the older
    pooled model ``dv ~ treated * post + …`` (biased when the competitors' mix changes).
    Standard errors: ``vcov="HC3"`` (default, t with residual df) or ``"CR2"`` (clusters =
    ``evaluator``, Bell–McCaffrey df) when evaluators are nested in companies. Assumes
    parallel trends: without the training the shop would have moved like the competitors
    (check with :func:`pretrend_test` and :func:`benchlib.stats.attribution.attribution`).
    By default only competitors present in both waves form the control group
    (``panel="balanced"``; ``"all"`` keeps every competitor); ``competitors`` lists them.
    ``covariates_by_wave`` (default, with ``fixed_effects``): the covariates' effects may
    differ between the two waves (``+ C(scenario):post``), so a scenario script that is harder
    in one wave — a shock to every company — is not credited to the shop when its scenario mix
    differs from the competitors'.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> n = 200
    >>> d = pd.DataFrame({"company": rng.choice(["shop", "b", "c"], n),
    ...                   "wave": rng.choice(["w1", "w2"], n),
    ...                   "scenario": rng.choice(["s1", "s2"], n), "channel": "call"})
    >>> d["total"] = 70 + 5 * ((d.company == "shop") & (d.wave == "w2")) + rng.normal(0, 8, n)
    >>> r = training_effect(d, "w1", "w2", shop="shop")
    >>> r.tested, r.covariates, r.ci_low < 5 < r.ci_high, r.weights["weight"].round(6).tolist()
    (True, ('scenario',), True, [-0.471413, -0.528587, 1.0])
    """
    check_alpha(alpha)
    if vcov not in VCOVS:
        raise ValueError(f"vcov must be one of {VCOVS}, got {vcov!r}")
    extra = [evaluator] if vcov == "CR2" else []
    d, used, comps, by_wave = _did_data(data, dv, before, after, wave_col, company, role,
                                        shop, covariates, panel, extra, fixed_effects,
                                        covariates_by_wave)
    tr, po, y = d["treated"].to_numpy(), d["post"].to_numpy(), d[dv].to_numpy(float)
    cells = {(t, p): y[(tr == t) & (po == p)] for t in (0.0, 1.0) for p in (0.0, 1.0)}
    tested = min(len(v) for v in cells.values()) >= min_n
    fit = _did_fit(d, dv, used, by_wave, company, fixed_effects)
    est = float(fit.params[DID_TERM])
    inf = (_inference(fit, d, DID_TERM, vcov, evaluator, alpha) if tested
           else [np.nan] * 6)
    naive = _welch_or_nan(cells[1.0, 1.0], cells[1.0, 0.0], alpha)
    market = _welch_or_nan(cells[0.0, 1.0], cells[0.0, 0.0], alpha)
    return TrainingEffect(
        est, *map(float, inf),
        naive["diff"], naive["ci_low"], naive["ci_high"], naive["p"],
        market["diff"], market["ci_low"], market["ci_high"], market["p"],
        len(cells[1.0, 0.0]), len(cells[1.0, 1.0]), len(cells[0.0, 0.0]),
        len(cells[0.0, 1.0]), tested, used, fit, panel=panel, competitors=comps,
        fixed_effects=fixed_effects, vcov=vcov, covariates_by_wave=by_wave,
        weights=did_weights(fit, d, DID_TERM, company))


def training_effect_by_dimension(
    data: pd.DataFrame,
    before: str,
    after: str,
    dims: Sequence[str] | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """:func:`training_effect` for ``total`` and every ``dim_*`` column, as a tidy table.

    Extra keyword arguments go to :func:`training_effect` (``dv`` is set per row).
    ``p_holm``: Holm over the tested dimension rows (the dimensions are one secondary family;
    the ``total`` row is not part of it and keeps ``p_holm`` = NaN).

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
    fam = (out["dimension"] != "total") & out["tested"].astype(bool) & out["p"].notna()
    out["p_holm"] = np.nan
    if fam.any():
        out.loc[fam, "p_holm"] = holm(out.loc[fam, "p"])
    return out


def _event_fit(data, reference_wave, dv, waves, shop, covariates, company, role, wave_col,
               panel, fixed_effects):
    waves = sorted(data[wave_col].dropna().unique()) if waves is None else list(waves)
    if reference_wave not in waves:
        raise ValueError(f"reference_wave {reference_wave!r} not in waves {waves}")
    d, used, rhs, comps = _panel(data, dv, waves, wave_col, company, role, shop, covariates,
                                 panel)
    wv = f"C({wave_col}, Treatment({reference_wave!r}))"
    unit = f"C({company})" if fixed_effects else "treated"
    # treated × wave indicators built by hand: without a `treated` main effect (absorbed by
    # the company effects) patsy would code the interaction with a redundant reference column
    names = {w: f"_treated_x_wave_{i}" for i, w in enumerate(waves) if w != reference_wave}
    for w, col in names.items():
        d[col] = d["treated"] * (d[wave_col] == w)
    formula = f"{dv} ~ {wv} + {unit} + " + " + ".join(names.values()) + rhs
    fit = smf.ols(formula, data=d).fit(cov_type="HC3", use_t=True)
    return fit, d, waves, names, comps


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
    fixed_effects: bool = True,
    after: str | None = None,
) -> pd.DataFrame:
    """Shop − competitor gap in each wave relative to ``reference_wave`` (event study).

    Fits ``dv ~ C(wave) + C(company) + treated:C(wave, Treatment(reference)) + C(scenario) +
    C(channel)`` by OLS, HC3, t reference (two-way fixed effects; ``fixed_effects=False``
    replaces ``C(company)`` by ``treated``, the older pooled model). Each wave's coefficient
    is the change of the shop's gap to the competitors since the reference wave (the
    reference row is 0 with NaN SE). With ``after`` (the first wave after the training) the
    column ``period`` says ``"lead"`` (before the training), ``"reference"`` or ``"lag"``;
    leads should be near 0 (parallel trends; joint test: :func:`pretrend_test`). With
    ``panel="balanced"`` (default) only competitors present in every wave are the control
    group; the column ``competitors`` names them.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> n = 240
    >>> d = pd.DataFrame({"company": rng.choice(["shop", "b"], n),
    ...                   "wave": rng.choice(["w1", "w2", "w3"], n),
    ...                   "scenario": "s", "channel": "c", "total": rng.normal(70, 8, n)})
    >>> event_study(d, "w2", shop="shop", after="w3")[["wave", "reference", "period"]]
      wave  reference     period
    0   w1      False       lead
    1   w2       True  reference
    2   w3      False        lag
    """
    check_alpha(alpha)
    fit, d, waves, names, comps = _event_fit(data, reference_wave, dv, waves, shop, covariates,
                                             company, role, wave_col, panel, fixed_effects)
    ci = fit.conf_int(alpha)
    rows = []
    for w in waves:
        if w == reference_wave:
            rows.append({"wave": w, "estimate": 0.0, "se": np.nan, "t": np.nan,
                         "ci_low": np.nan, "ci_high": np.nan, "p": np.nan})
            continue
        name = names[w]
        rows.append({"wave": w, "estimate": fit.params[name], "se": fit.bse[name],
                     "t": fit.tvalues[name], "ci_low": ci.loc[name, 0],
                     "ci_high": ci.loc[name, 1], "p": fit.pvalues[name]})
    out = pd.DataFrame(rows)
    out["df"] = float(fit.df_resid)
    out["reference"] = out["wave"] == reference_wave
    out["n"] = out["wave"].map(d[wave_col].value_counts()).astype(int)
    out["competitors"] = ", ".join(comps)
    if after is not None:
        if after not in waves:
            raise ValueError(f"after {after!r} not in waves {waves}")
        out["period"] = np.where(out["reference"], "reference",
                                 np.where(out["wave"] < after, "lead", "lag"))
    return out


def pretrend_test(
    data: pd.DataFrame,
    before: str,
    after: str,
    dv: str = "total",
    shop: str | None = None,
    covariates: Sequence[str] = ("scenario", "channel"),
    company: str = "company",
    role: str = "role",
    wave_col: str = "wave",
    panel: str = "balanced",
) -> dict[str, Any]:
    """Joint test that the shop's gap did not move before the training (parallel trends).

    Event study (:func:`event_study`, two-way FE, HC3) over every wave up to ``after`` with
    ``before`` as reference; the leads are the waves earlier than ``before``. Wald F test
    (HC3 covariance) that all leads are 0. Without an earlier wave there is nothing to test:
    ``tested = False``.

    Returns ``{"tested", "n_leads", "leads", "F", "df1", "df2", "p"}``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"company": rng.choice(["shop", "b"], 300), "scenario": "s",
    ...                   "channel": "c", "wave": rng.choice(["w1", "w2", "w3"], 300),
    ...                   "total": rng.normal(70, 8, 300)})
    >>> r = pretrend_test(d, "w2", "w3", shop="shop")
    >>> r["tested"], r["n_leads"], r["leads"]
    (True, 1, ('w1',))
    """
    waves = sorted(w for w in data[wave_col].dropna().unique() if w <= after)
    leads = tuple(w for w in waves if w < before)
    out: dict[str, Any] = {"tested": False, "n_leads": len(leads), "leads": leads, "F": np.nan,
                           "df1": np.nan, "df2": np.nan, "p": np.nan}
    if not leads:
        return out
    fit, _, _, names, _ = _event_fit(data, before, dv, waves, shop, covariates, company, role,
                                     wave_col, panel, True)
    exog = list(fit.model.exog_names)
    R = np.zeros((len(leads), len(exog)))
    for i, w in enumerate(leads):
        R[i, exog.index(names[w])] = 1.0
    ft = fit.f_test(R)
    return out | {"tested": True, "F": float(np.squeeze(ft.fvalue)), "df1": float(ft.df_num),
                  "df2": float(ft.df_denom), "p": float(ft.pvalue)}
