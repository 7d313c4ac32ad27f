"""Statistics for mystery-shopping benchmarks: tidy data in, tidy results out.

Every number a report shows is computed by one of these functions (see
docs/methodology.md and docs/methodology-items.md for methods, defaults and references).

>>> from benchlib import stats
>>> callable(stats.shop_vs_competitors) and callable(stats.training_effect)
True
"""

from benchlib.stats.adjusted import LeniencyAdjusted, MixAdjusted, leniency_adjusted, mix_adjusted
from benchlib.stats.calibration import (
    CalibrationSummary,
    calibration_summary,
    evaluator_leniency,
    icc,
    krippendorff_alpha,
)
from benchlib.stats.change import change_vs_previous
from benchlib.stats.compare import games_howell, hedges_g, shop_vs_competitors, welch_anova
from benchlib.stats.descriptives import by_dimension, describe_scores
from benchlib.stats.did import (
    TrainingEffect,
    event_study,
    training_effect,
    training_effect_by_dimension,
)
from benchlib.stats.ordinal import compare_ordinal, mann_whitney, ordinal_distribution
from benchlib.stats.planning import (
    minimum_detectable_change,
    n_for_proportions,
    n_per_group,
    plan_next_wave,
)
from benchlib.stats.proportions import (
    compare_proportions,
    compare_proportions_vs_previous,
    item_proportions,
    two_proportions,
)
from benchlib.stats.survival import km_curves, logrank_shop_vs_competitors, response_summary
from benchlib.stats.wording import describe_comparison, format_number, format_p

__all__ = [
    "CalibrationSummary", "LeniencyAdjusted", "MixAdjusted", "TrainingEffect", "by_dimension",
    "calibration_summary", "change_vs_previous", "compare_ordinal", "compare_proportions",
    "compare_proportions_vs_previous", "describe_comparison", "describe_scores",
    "evaluator_leniency", "event_study", "format_number", "format_p", "games_howell",
    "hedges_g", "icc", "item_proportions", "km_curves", "krippendorff_alpha",
    "leniency_adjusted", "logrank_shop_vs_competitors", "mann_whitney", "minimum_detectable_change",
    "mix_adjusted", "n_for_proportions", "n_per_group", "ordinal_distribution", "plan_next_wave",
    "response_summary", "shop_vs_competitors", "training_effect", "training_effect_by_dimension",
    "two_proportions", "welch_anova",
]
