"""Statistics for mystery-shopping benchmarks: tidy data in, tidy results out.

Every number a report shows is computed by one of these functions (see
docs/methodology.md and docs/methodology-items.md for methods, defaults and references).

>>> from benchlib import stats
>>> callable(stats.shop_vs_competitors) and callable(stats.training_effect)
True
"""

from benchlib.stats.adjusted import LeniencyAdjusted, MixAdjusted, leniency_adjusted, mix_adjusted
from benchlib.stats.attribution import (
    REASONS,
    Attribution,
    attribution,
    placebo_competitors,
    placebo_time,
    regression_to_mean,
    training_effect_logit,
)
from benchlib.stats.calibration import (
    CalibrationSummary,
    calibration_summary,
    evaluator_leniency,
    icc,
    krippendorff_alpha,
)
from benchlib.stats.change import change_vs_previous
from benchlib.stats.clustered import (
    DesignDiagnostics,
    cluster_contrast,
    clustered_comparison,
    design_diagnostics,
    shop_vs_market,
)
from benchlib.stats.compare import games_howell, hedges_g, shop_vs_competitors, welch_anova
from benchlib.stats.descriptives import by_dimension, describe_scores
from benchlib.stats.did import (
    TrainingEffect,
    did_weights,
    event_study,
    pretrend_test,
    training_effect,
    training_effect_by_dimension,
)
from benchlib.stats.mixed import MixedFit, fit_random_intercept
from benchlib.stats.multiplicity import PrimaryEndpoint, apply_policy, bh, primary_endpoint
from benchlib.stats.ordinal import compare_ordinal, mann_whitney, ordinal_distribution
from benchlib.stats.planning import (
    design_effect,
    minimum_detectable_change,
    n_did,
    n_for_proportions,
    n_holm,
    n_per_group,
    n_with_clustering,
    plan_next_wave,
    sd_upper,
)
from benchlib.stats.proportions import (
    compare_proportions,
    compare_proportions_vs_previous,
    item_proportions,
    two_proportions,
)
from benchlib.stats.small_n import mean_ci_knockout, two_part_ci
from benchlib.stats.survival import km_curves, logrank_shop_vs_competitors, response_summary
from benchlib.stats.wording import check_p, describe_comparison, format_number, format_p

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
