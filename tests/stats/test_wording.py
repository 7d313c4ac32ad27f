"""benchlib.stats.wording: sentences that never overclaim."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from benchlib.stats.wording import describe_comparison, format_number, format_p

M = "\u2212"
BASE = {"diff": 3.4, "ci_low": 1.2, "ci_high": 5.6, "p": 0.004, "shop": "Voltera",
        "competitor": "Mitbewerber A", "tested": True}


@dataclass(frozen=True)
class Cmp:
    diff: float
    ci_low: float
    ci_high: float
    p_holm: float
    tested: bool = True


def test_german_example_from_brief() -> None:
    assert describe_comparison(BASE) == (
        "Voltera ist um 3,4 Punkte besser als Mitbewerber A (95-%-KI 1,2 bis 5,6; p = 0,004).")


def test_english_better() -> None:
    assert describe_comparison(BASE, lang="en") == (
        "Voltera is 3.4 points better than Mitbewerber A (95% CI 1.2 to 5.6; p = 0.004).")


def test_negative_difference_is_worse() -> None:
    r = BASE | {"diff": -3.4, "ci_low": -5.6, "ci_high": -1.2}
    assert describe_comparison(r) == (
        f"Voltera ist um 3,4 Punkte schlechter als Mitbewerber A (95-%-KI {M}5,6 bis {M}1,2; "
        "p = 0,004).")
    assert "worse" in describe_comparison(r, lang="en")


def test_lower_is_better() -> None:
    r = BASE | {"diff": -3.4, "ci_low": -5.6, "ci_high": -1.2}
    s = describe_comparison(r, lang="en", unit="hours", higher_is_better=False)
    assert s.startswith("Voltera is 3.4 hours better than")


def test_p_equal_alpha_is_not_reliable() -> None:
    s = describe_comparison(BASE | {"p": 0.05}, lang="en")
    assert s.startswith("No reliable difference") and "p = 0.050" in s


def test_p_just_below_alpha_is_not_rounded_up() -> None:
    s = describe_comparison(BASE | {"p": 0.04996}, lang="en")
    assert "better" in s and "p = 0.04996" in s


@pytest.mark.parametrize(("lo", "hi"), [(0.0, 5.6), (-5.6, 0.0), (-0.5, 5.6)])
def test_ci_touching_or_covering_zero(lo: float, hi: float) -> None:
    s = describe_comparison(BASE | {"ci_low": lo, "ci_high": hi, "p": 0.001}, lang="en")
    assert s.startswith("No reliable difference between Voltera and Mitbewerber A: 3.4 points")
    assert "better" not in s and "worse" not in s


def test_significant_p_with_inconsistent_ci_sign() -> None:
    s = describe_comparison(BASE | {"diff": 3.4, "ci_low": -5.0, "ci_high": -1.0}, lang="en")
    assert s.startswith("No reliable difference")


def test_not_significant_german() -> None:
    r = BASE | {"diff": -1.25, "ci_low": -2.9, "ci_high": 0.5, "p": 0.21}
    assert describe_comparison(r) == (
        f"Kein belastbarer Unterschied zwischen Voltera und Mitbewerber A: {M}1,2 Punkte "
        f"(95-%-KI {M}2,9 bis 0,5; p = 0,210).")


def test_tiny_p_never_zero() -> None:
    s = describe_comparison(BASE | {"p": 0.0}, lang="en")
    assert "p < 0.001" in s and "p = 0" not in s
    assert "p < 0,001" in describe_comparison(BASE | {"p": 1e-12})


def test_too_few_contacts_gives_no_test() -> None:
    r = BASE | {"tested": False, "n_shop": 25, "n_comp": 6}
    assert describe_comparison(r, lang="en") == (
        "Too few contacts to compare Voltera with Mitbewerber A (n = 25 and 6); not tested.")
    s = describe_comparison(BASE | {"too_few": True})
    assert s.startswith("Zu wenige Kontakte") and "KI" not in s and "p =" not in s


@pytest.mark.parametrize("key", ["diff", "ci_low", "ci_high"])
def test_nan_inputs(key: str) -> None:
    s = describe_comparison(BASE | {key: np.nan}, lang="en")
    assert s.startswith("No comparison of Voltera with Mitbewerber A possible")


def test_nan_p_is_not_reliable() -> None:
    s = describe_comparison(BASE | {"p": np.nan}, lang="en")
    assert s.startswith("No reliable difference") and "p = n/a" in s


def test_p_key_and_adjusted_default() -> None:
    r = BASE | {"p": 0.01, "p_fdr": 0.08}
    assert "No reliable" in describe_comparison(r, lang="en")  # p_fdr used by default
    assert "better" in describe_comparison(r, lang="en", p_key="p")


def test_dataclass_and_series_input() -> None:
    c = Cmp(diff=0.12, ci_low=0.03, ci_high=0.21, p_holm=0.02)
    s = describe_comparison(c, lang="de", label_a="Voltera", label_b="B", unit="pp", scale=100)
    assert s == ("Voltera ist um 12,0 Prozentpunkte besser als B "
                 "(95-%-KI 3,0 bis 21,0; p = 0,020).")
    row = pd.Series(BASE | {"tested": np.bool_(True)})
    assert describe_comparison(row, lang="en").startswith("Voltera is 3.4 points better")


def test_comparison_table_row() -> None:
    from benchlib.stats.proportions import compare_proportions

    d = pd.DataFrame({"item": "correct", "company": np.repeat(["s", "b"], [70, 80]),
                      "value": [1] * 56 + [0] * 14 + [1] * 48 + [0] * 32})
    row = compare_proportions(d, shop="s").iloc[0]
    s = describe_comparison(row, lang="en", unit="pp", scale=100)
    assert s == ("s is 20.0 percentage points better than b (95% CI 5.2 to 33.4; p = 0.008).")


def test_format_number_and_p() -> None:
    assert format_number(1234.567, "de", 2) == "1234,57"
    assert format_number(-0.04, "en", 1) == "0.0"
    assert format_number(-2.5, "de", 0) == f"{M}2"
    assert format_p(0.001, "en") == "p = 0.001"
    assert format_p(0.00099, "en") == "p < 0.001"
    assert format_p(1.0, "de") == "p = 1,000"
    with pytest.raises(ValueError):
        format_p(0.1, "fr")


def test_format_p_rejects_invalid_and_never_prints_eight_decimals() -> None:
    from benchlib.stats.wording import check_p

    for bad in (-0.01, 1.2, -1e-6, "x"):
        with pytest.raises(ValueError):
            format_p(bad, "en")
    assert format_p(float("nan"), "en") == "p = n/a"  # missing test: explicit, not an error
    assert format_p(None, "de") == "p = k. A."
    assert format_p(1 + 1e-12, "en") == "p = 1.000"  # adjustment noise is clipped
    assert check_p(-1e-12) == 0.0
    assert format_p(0.049999999, "en", alpha=0.05) == "p < 0.050"
    assert format_p(0.049999999, "de", alpha=0.05) == "p < 0,050"
    assert format_p(0.0499, "en", alpha=0.05) == "p = 0.0499"
    assert format_p(0.050000001, "en", alpha=0.05) == "p = 0.050"
    assert format_p(0.0004, "en", alpha=0.05) == "p < 0.001"
    for p in np.linspace(0.0, 1.0, 2001):
        text = format_p(p, "en", alpha=0.05)
        assert len(text.split(" ")[-1]) <= 7  # at most 5 decimals
        assert ("<" in text or float(text.split(" ")[-1]) < 0.05) == (p < 0.05) or p < 0.001


def test_ci_touching_zero_never_beside_better() -> None:
    r = {"diff": 3.4, "ci_low": 0.04, "ci_high": 6.8, "p": 0.03, "shop": "A",
         "competitor": "B"}
    s = describe_comparison(r, lang="en")
    assert "better" in s and "0.04 to 6.80" in s  # more decimals, the bound is not "0.0"
    s = describe_comparison(r | {"ci_low": 0.0004}, lang="en")
    assert s.startswith("No reliable difference") and "0.0 to 6.8" in s
    with pytest.raises(ValueError):
        describe_comparison(r | {"p": -0.1}, lang="en")
