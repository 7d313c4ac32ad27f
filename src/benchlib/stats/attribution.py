"""Can a net change be attributed to the training? Placebos, pre-trends, RTM, scale check.

:func:`attribution` runs every check and returns the verdict as data: ``consistent`` is True
("consistent with a training effect") only when every check passes; otherwise ``reasons``
lists stable keys (see :data:`REASONS`) that the reports translate. No prose here.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.genmod.families import Binomial

from ._common import DEFAULT_ALPHA, DEFAULT_MIN_N, check_alpha, holm, infer_shop, require_columns
from .did import DID_TERM, _did_data, did_design, training_effect

__all__ = ["Attribution", "attribution", "placebo_competitors", "placebo_time",
           "regression_to_mean", "training_effect_logit", "REASONS"]

REASONS: dict[str, str] = {
    "did_not_tested": "a cell has too few contacts for the DiD test",
    "did_not_significant": "the net change vs the market is not significant",
    "did_negative": "the net change vs the market is negative",
    "did_gated": "the net change is not claimed: the study's primary comparison is not "
                 "significant (gatekeeping)",
    "no_pretraining_wave": "no wave before the reference wave: parallel trends untestable",
    "pretrend_failed": "the shop's gap already moved before the training (leads ≠ 0)",
    "placebo_competitor_failed": "a competitor treated as if trained shows an 'effect'",
    "placebo_competitor_untestable": "fewer than two competitors: no competitor placebo",
    "placebo_time_failed": "a placebo DiD between two earlier waves shows an 'effect'",
    "placebo_time_untestable": "no earlier wave pair for a placebo in time",
    "placebo_time_trained": "a training was also held between the two earlier waves: no "
                            "training-free pair for a placebo in time",
    "regression_to_mean": "the training followed the shop's worst wave (relative to the "
                          "market): part of the rise is expected without any effect",
    "regression_to_mean_untestable": "only one wave before the training: cannot tell whether "
                                     "it was unusually bad",
    "scale_sensitive": "on the logit of the score share the net change is not significant "
                       "in the same direction (ceiling effect)",
}
"""Reason keys of :func:`attribution` with their meaning (texts live in the reports)."""


@dataclass(frozen=True)
class Attribution:
    """Result of :func:`attribution`.

    ``consistent``: every check passed. ``reasons``: keys of :data:`REASONS` for every check
    that failed or could not be run, in check order. ``checks``: check, status
    (``"pass" | "fail" | "untestable"``), estimate, p, reason. ``placebos``: the competitor
    placebo table (competitor, estimate, p, p_holm).
    """

    consistent: bool
    reasons: tuple[str, ...]
    checks: pd.DataFrame
    placebos: pd.DataFrame = field(repr=False)
    before: str = ""
    after: str = ""

    @property
    def verdict(self) -> str:
        """``"consistent_with_training_effect"`` or ``"cannot_attribute"``."""
        return "consistent_with_training_effect" if self.consistent else "cannot_attribute"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: verdict, consistent, reasons and the checks as records."""
        return {"verdict": self.verdict, "consistent": self.consistent,
                "reasons": list(self.reasons), "before": self.before, "after": self.after,
                "checks": self.checks.replace({np.nan: None}).to_dict("records")}


def training_effect_logit(
    data: pd.DataFrame,
    before: str,
    after: str,
    dv: str = "total",
    scale_max: float = 100.0,
    shop: str | None = None,
    covariates: Sequence[str] = ("scenario", "channel"),
    company: str = "company",
    role: str = "role",
    wave_col: str = "wave",
    alpha: float = DEFAULT_ALPHA,
    panel: str = "balanced",
) -> dict[str, float]:
    """DiD on the logit scale of the score share (fractional logit, Papke & Wooldridge 1996).

    ``dv / scale_max`` in [0, 1] (knockout zeros included) is modelled by a binomial GLM with
    logit link and the two-way FE DiD predictors of :func:`benchlib.stats.did.training_effect`
    (covariates by wave included);
    robust (HC0) standard errors, z reference. The scale has no ceiling: a shop far below 100
    points that moves more in points than competitors near the ceiling may show no net change
    in log-odds. Returns ``estimate`` (log-odds), ``se``, ``z``, ``p``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"company": rng.choice(["shop", "b", "c"], 300),
    ...                   "wave": rng.choice(["w1", "w2"], 300), "scenario": "s", "channel": "c"})
    >>> d["total"] = np.clip(70 + 8 * ((d.company == "shop") & (d.wave == "w2"))
    ...                      + rng.normal(0, 10, 300), 0, 100)
    >>> r = training_effect_logit(d, "w1", "w2", shop="shop")
    >>> r["estimate"] > 0 and r["p"] < 0.05
    True
    """
    check_alpha(alpha)
    d, used, _, by_wave = _did_data(data, dv, before, after, wave_col, company, role, shop,
                                    covariates, panel)  # the same rows and terms as the OLS DiD
    d["_share"] = d[dv] / scale_max
    if not d["_share"].between(0, 1).all():
        raise ValueError(f"column {dv!r}: values outside [0, {scale_max}]")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fractional outcome: statsmodels warns about non-integers
        y, X = did_design(d, "_share", used, by_wave, company)
        fit = sm.GLM(y, X, family=Binomial()).fit(cov_type="HC0")
    est, se = float(fit.params[DID_TERM]), float(fit.bse[DID_TERM])
    z = est / se
    crit = stats.norm.ppf(1 - alpha / 2)
    return {"estimate": est, "se": se, "z": z, "p": float(2 * stats.norm.sf(abs(z))),
            "ci_low": est - crit * se, "ci_high": est + crit * se}


def placebo_competitors(
    data: pd.DataFrame,
    before: str,
    after: str,
    dv: str = "total",
    shop: str | None = None,
    company: str = "company",
    role: str = "role",
    alpha: float = DEFAULT_ALPHA,
    **kwargs: Any,
) -> pd.DataFrame:
    """Each competitor in turn as a pseudo-treated "shop" against the other competitors.

    The real shop is left out. A competitor that was not trained should show no net change;
    ``p_holm`` is Holm over the competitors. Extra keyword arguments go to
    :func:`benchlib.stats.did.training_effect`. Returns ``competitor, estimate, se, p, tested,
    p_holm`` (empty with fewer than two competitors).
    """
    check_alpha(alpha)
    shop = infer_shop(data, company, role, shop)
    rest = data[data[company] != shop]
    comps = sorted(rest[company].dropna().unique())
    rows = []
    if len(comps) >= 2:
        for c in comps:
            try:
                r = training_effect(rest, before, after, dv=dv, shop=c, company=company,
                                    role=role, alpha=alpha, **kwargs)
            except ValueError:
                continue
            rows.append({"competitor": c, "estimate": r.estimate, "se": r.se, "p": r.p,
                         "tested": r.tested})
    out = pd.DataFrame(rows, columns=["competitor", "estimate", "se", "p", "tested"])
    out["p_holm"] = np.nan
    ok = out["tested"].astype(bool) & out["p"].notna()
    if ok.any():
        out.loc[ok, "p_holm"] = holm(out.loc[ok, "p"])
    return out


def _waves_up_to(data: pd.DataFrame, wave: str, wave_col: str) -> list[str]:
    return sorted(w for w in data[wave_col].dropna().unique() if w <= wave)


def placebo_time(
    data: pd.DataFrame,
    before: str,
    dv: str = "total",
    wave_col: str = "wave",
    trained_waves: Sequence[str] = (),
    **kwargs: Any,
) -> dict[str, Any]:
    """DiD between the wave preceding ``before`` and ``before`` (no training in between).

    ``trained_waves``: waves with a training before them; when ``before`` is one, the pair
    spans a real training and is no placebo (``trained`` True, not tested). Returns
    ``{"tested", "trained", "before", "after", "estimate", "p"}``; ``tested`` is False when no
    earlier wave exists, the pair spans a training, or a cell is too small.

    >>> d = pd.DataFrame({"company": ["s", "b"] * 4, "wave": ["w1"] * 4 + ["w2"] * 4,
    ...                   "total": [70.0, 71, 72, 70, 69, 70, 71, 72]})
    >>> placebo_time(d, "w2", shop="s", covariates=(), trained_waves=["w2"])["trained"]
    True
    """
    earlier = [w for w in _waves_up_to(data, before, wave_col) if w < before]
    if not earlier or before in set(trained_waves):
        return {"tested": False, "trained": bool(earlier), "before": None, "after": before,
                "estimate": np.nan, "p": np.nan}
    r = training_effect(data, earlier[-1], before, dv=dv, wave_col=wave_col, **kwargs)
    return {"tested": bool(r.tested), "trained": False, "before": earlier[-1],
            "after": before, "estimate": r.estimate, "p": r.p}


def regression_to_mean(
    data: pd.DataFrame,
    before: str,
    dv: str = "total",
    shop: str | None = None,
    company: str = "company",
    role: str = "role",
    wave_col: str = "wave",
) -> dict[str, Any]:
    """Did the training follow the shop's worst wave relative to the market?

    Gap = shop mean − mean of the competitors' company means, per wave up to ``before``.
    ``flag`` is True when ``before`` has the lowest gap of at least two waves: trainings are
    held after bad waves, and the next wave regresses towards the mean without any effect.
    Returns ``{"tested", "flag", "gap_before", "gaps"}`` (``gaps``: wave → gap).

    Examples
    --------
    >>> d = pd.DataFrame({"company": ["s", "b"] * 3, "role": ["shop", "c"] * 3,
    ...                   "wave": ["w1", "w1", "w2", "w2", "w3", "w3"],
    ...                   "total": [70.0, 70, 60, 70, 75, 71]})
    >>> regression_to_mean(d, "w2")["flag"]
    True
    """
    require_columns(data, [dv, company, wave_col])
    shop = infer_shop(data, company, role, shop)
    d = data[data[dv].notna()]
    gaps = {}
    for w in _waves_up_to(d, before, wave_col):
        dw = d[d[wave_col] == w]
        s = dw.loc[dw[company] == shop, dv]
        c = dw[dw[company] != shop].groupby(company)[dv].mean()
        if len(s) and len(c):
            gaps[w] = float(s.mean() - c.mean())
    tested = len(gaps) >= 2 and before in gaps
    flag = bool(tested and gaps[before] == min(gaps.values()))
    return {"tested": tested, "flag": flag, "gap_before": gaps.get(before, np.nan),
            "gaps": gaps}


def attribution(
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
    vcov: str = "HC3",
    evaluator: str = "evaluator",
    scale_max: float = 100.0,
    did: Mapping[str, Any] | None = None,
    trained_waves: Sequence[str] = (),
) -> Attribution:
    """Verdict on attributing the shop's net change (``before`` → ``after``) to a training.

    Checks, in order (each ``pass``/``fail``/``untestable``):

    1. ``did``: two-way FE DiD (:func:`benchlib.stats.did.training_effect`) tested,
       positive and ``p < alpha``;
    2. ``pretrend``: joint F test of the event-study leads (waves before ``before``) is not
       significant (:func:`benchlib.stats.did.pretrend_test`); untestable without such waves;
    3. ``placebo_competitors``: no competitor as pseudo-treated has ``p_holm < alpha``;
    4. ``placebo_time``: the DiD between the two waves before the training is not significant;
    5. ``regression_to_mean``: ``before`` is not the shop's worst wave relative to the market;
    6. ``logit_scale``: the fractional-logit DiD is significant in the same direction.

    ``consistent`` only when all six pass; ``reasons`` lists the :data:`REASONS` keys of the
    others. Untestable counts against attribution: a check that cannot be run cannot support
    it.

    ``did``: the net change a report already states (``estimate``, ``p`` — the
    multiplicity-adjusted p the wording uses — ``tested`` and optionally ``claim``, the
    policy's verdict): check 1 then judges that number instead of refitting, so the verdict
    and the report's DiD cannot disagree (a claim withheld by gatekeeping fails with
    ``did_gated``). The other checks need ``data`` with every wave up to ``after``.
    ``trained_waves``: waves with a training before them (check 4 is no placebo when the
    earlier pair spans a training: ``placebo_time_trained``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"company": rng.choice(["shop", "b", "c"], 300), "scenario": "s",
    ...                   "channel": "c", "wave": rng.choice(["w1", "w2"], 300)})
    >>> d["total"] = np.clip(rng.normal(70, 10, 300), 0, 100)
    >>> a = attribution(d, "w1", "w2", shop="shop")
    >>> a.consistent, a.reasons[:2]
    (False, ('did_not_significant', 'no_pretraining_wave'))
    """
    from .did import pretrend_test

    check_alpha(alpha)
    kw = {"shop": shop, "covariates": covariates, "company": company, "role": role,
          "wave_col": wave_col}
    rows = []

    def add(check: str, status: str, reason: str | None, estimate=np.nan, p=np.nan) -> None:
        rows.append({"check": check, "status": status, "estimate": float(estimate),
                     "p": float(p), "reason": reason if status != "pass" else None})

    if did is None:
        te = training_effect(data, before, after, dv=dv, alpha=alpha, min_n=min_n, vcov=vcov,
                             evaluator=evaluator, **kw)
        did = {"estimate": te.estimate, "p": te.p, "tested": te.tested}
    est, p_did = float(did["estimate"]), float(did["p"]) if did.get("p") is not None else np.nan
    if not did.get("tested") or np.isnan(p_did):
        add("did", "untestable", "did_not_tested", est)
    elif not p_did < alpha:
        add("did", "fail", "did_not_significant", est, p_did)
    elif est <= 0:
        add("did", "fail", "did_negative", est, p_did)
    elif did.get("claim") is False:
        add("did", "fail", "did_gated", est, p_did)
    else:
        add("did", "pass", None, est, p_did)

    pt = pretrend_test(data, before, after, dv=dv, **kw)
    if not pt["tested"]:
        add("pretrend", "untestable", "no_pretraining_wave")
    else:
        add("pretrend", "fail" if pt["p"] < alpha else "pass", "pretrend_failed", p=pt["p"])

    pc = placebo_competitors(data, before, after, dv=dv, shop=shop, company=company, role=role,
                             alpha=alpha, covariates=covariates, wave_col=wave_col, min_n=min_n)
    if pc["p_holm"].notna().sum() < 2:
        add("placebo_competitors", "untestable", "placebo_competitor_untestable")
    else:
        worst = pc.loc[pc["p_holm"].idxmin()]
        add("placebo_competitors", "fail" if worst["p_holm"] < alpha else "pass",
            "placebo_competitor_failed", worst["estimate"], worst["p_holm"])

    pl = placebo_time(data, before, dv=dv, alpha=alpha, min_n=min_n,
                      trained_waves=trained_waves, **kw)
    if pl["trained"]:
        add("placebo_time", "untestable", "placebo_time_trained")
    elif not pl["tested"]:
        add("placebo_time", "untestable", "placebo_time_untestable", pl["estimate"])
    else:
        add("placebo_time", "fail" if pl["p"] < alpha else "pass", "placebo_time_failed",
            pl["estimate"], pl["p"])

    rtm = regression_to_mean(data, before, dv=dv, shop=shop, company=company, role=role,
                             wave_col=wave_col)
    if not rtm["tested"]:
        add("regression_to_mean", "untestable", "regression_to_mean_untestable",
            rtm["gap_before"])
    else:
        add("regression_to_mean", "fail" if rtm["flag"] else "pass", "regression_to_mean",
            rtm["gap_before"])

    lg = training_effect_logit(data, before, after, dv=dv, scale_max=scale_max, alpha=alpha,
                               **kw)
    same = np.sign(lg["estimate"]) == np.sign(est)
    add("logit_scale", "pass" if (same and lg["p"] < alpha) else "fail", "scale_sensitive",
        lg["estimate"], lg["p"])

    checks = pd.DataFrame(rows)
    reasons = tuple(checks.loc[checks["status"] != "pass", "reason"])
    return Attribution(consistent=not reasons, reasons=reasons, checks=checks, placebos=pc,
                       before=before, after=after)
