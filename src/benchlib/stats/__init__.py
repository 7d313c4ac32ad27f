"""Statistics for mystery-shopping benchmarks: tidy data in, tidy results out.

Every number a report shows is computed by one of these functions (see
docs/methodology.md and docs/methodology-items.md for methods, defaults and references).

>>> from benchlib import stats
>>> callable(stats.shop_vs_competitors) and callable(stats.training_effect)
True
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_WHERE: dict[str, str] = {
    "LeniencyAdjusted": "adjusted",
    "MixAdjusted": "adjusted",
    "leniency_adjusted": "adjusted",
    "mix_adjusted": "adjusted",
    "Attribution": "attribution",
    "REASONS": "attribution",
    "attribution": "attribution",
    "placebo_competitors": "attribution",
    "placebo_time": "attribution",
    "regression_to_mean": "attribution",
    "training_effect_logit": "attribution",
    "CalibrationSummary": "calibration",
    "calibration_summary": "calibration",
    "evaluator_leniency": "calibration",
    "icc": "calibration",
    "krippendorff_alpha": "calibration",
    "change_vs_previous": "change",
    "DesignDiagnostics": "clustered",
    "cluster_contrast": "clustered",
    "clustered_comparison": "clustered",
    "design_diagnostics": "clustered",
    "shop_vs_market": "clustered",
    "games_howell": "compare",
    "hedges_g": "compare",
    "shop_vs_competitors": "compare",
    "welch_anova": "compare",
    "by_dimension": "descriptives",
    "describe_scores": "descriptives",
    "TrainingEffect": "did",
    "did_weights": "did",
    "event_study": "did",
    "pretrend_test": "did",
    "training_effect": "did",
    "training_effect_by_dimension": "did",
    "MixedFit": "mixed",
    "fit_random_intercept": "mixed",
    "PrimaryEndpoint": "multiplicity",
    "apply_policy": "multiplicity",
    "bh": "multiplicity",
    "primary_endpoint": "multiplicity",
    "compare_ordinal": "ordinal",
    "mann_whitney": "ordinal",
    "ordinal_distribution": "ordinal",
    "design_effect": "planning",
    "minimum_detectable_change": "planning",
    "n_did": "planning",
    "n_for_proportions": "planning",
    "n_holm": "planning",
    "n_per_group": "planning",
    "n_with_clustering": "planning",
    "plan_next_wave": "planning",
    "sd_upper": "planning",
    "compare_proportions": "proportions",
    "compare_proportions_vs_previous": "proportions",
    "item_proportions": "proportions",
    "two_proportions": "proportions",
    "mean_ci_knockout": "small_n",
    "two_part_ci": "small_n",
    "km_curves": "survival",
    "logrank_shop_vs_competitors": "survival",
    "response_summary": "survival",
    "check_p": "wording",
    "describe_comparison": "wording",
    "format_number": "wording",
    "format_p": "wording",
}
"""Public name → the submodule that defines it (imported on first use: the report
notebooks need only :mod:`.wording`, not scipy, statsmodels or pingouin)."""

__all__ = [
    "REASONS", "Attribution", "CalibrationSummary", "DesignDiagnostics", "LeniencyAdjusted",
    "MixAdjusted", "MixedFit", "PrimaryEndpoint", "TrainingEffect", "apply_policy",
    "attribution", "bh", "by_dimension", "calibration_summary", "change_vs_previous",
    "check_p", "cluster_contrast", "clustered_comparison", "compare_ordinal",
    "compare_proportions", "compare_proportions_vs_previous", "describe_comparison",
    "describe_scores", "design_diagnostics", "design_effect", "did_weights",
    "evaluator_leniency", "event_study", "fit_random_intercept", "format_number", "format_p",
    "games_howell", "hedges_g", "icc", "item_proportions", "km_curves", "krippendorff_alpha",
    "leniency_adjusted", "logrank_shop_vs_competitors", "mann_whitney", "mean_ci_knockout",
    "minimum_detectable_change", "mix_adjusted", "n_did", "n_for_proportions", "n_holm",
    "n_per_group", "n_with_clustering", "ordinal_distribution", "placebo_competitors",
    "placebo_time", "plan_next_wave", "pretrend_test", "primary_endpoint", "regression_to_mean",
    "response_summary", "sd_upper", "shop_vs_competitors", "shop_vs_market", "training_effect",
    "training_effect_by_dimension", "training_effect_logit", "two_part_ci", "two_proportions",
    "welch_anova",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'benchlib.stats' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"benchlib.stats.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


class _Package(types.ModuleType):
    """Keeps a function whose name is its module's (``attribution``) when the import system
    binds that submodule to the package: ``stats.attribution`` stays the function, as it is
    with an eager import, however the submodule got imported first."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _WHERE.get(name) == name:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
