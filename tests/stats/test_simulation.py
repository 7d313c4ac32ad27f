"""Monte Carlo checks of error rates and coverage (slow; fixed seeds).

Acceptance bands are 99 % Monte Carlo bands around the nominal rate:
rate ± 2.576 · sqrt(rate (1 − rate) / n_sim). With 300 studies and 5 % that is
[1.8 %, 8.2 %]; coverage is counted over all 4 × 300 intervals: [93.4 %, 96.6 %].
The DiD's size and coverage are checked on fieldwork-shaped data in test_sim_fieldwork.py.
"""

import numpy as np
import pandas as pd
import pytest

from benchlib.stats.compare import shop_vs_competitors
from benchlib.stats.did import training_effect

pytestmark = pytest.mark.slow

N_SIM = 300
COMPANIES = ["shop", "c1", "c2", "c3"]
SCEN = {"product_info": 3.0, "order_payment": 5.0, "returns": 0.0, "complaint": -8.0}
CHAN = {"call": 0.0, "mail": -3.0}


def band(rate: float, n: int = N_SIM) -> tuple[float, float]:
    h = 2.576 * np.sqrt(rate * (1 - rate) / n)
    return rate - h, rate + h


def simulate(rng: np.random.Generator, n_per_cell: int = 30, effect: float = 0.0,
             market: float = 2.0, company_sd: dict | None = None) -> pd.DataFrame:
    """Two waves, four companies, unequal scenario/channel mix and unequal SDs."""
    rows = []
    for wave, post in (("w1", 0), ("w2", 1)):
        for i, comp in enumerate(COMPANIES):
            n = n_per_cell + 4 * i
            sc = rng.choice(list(SCEN), n, p=[0.4, 0.2, 0.2, 0.2] if i else [0.1, 0.3, 0.3, 0.3])
            ch = rng.choice(list(CHAN), n)
            sd = (company_sd or {}).get(comp, 8.0 + 2 * i)
            mu = (70 + i + np.vectorize(SCEN.get)(sc) + np.vectorize(CHAN.get)(ch)
                  + market * post + effect * post * (comp == "shop"))
            rows.append(pd.DataFrame({"company": comp, "role": "shop" if i == 0 else "competitor",
                                      "wave": wave, "scenario": sc, "channel": ch,
                                      "total": rng.normal(mu, sd)}))
    return pd.concat(rows, ignore_index=True)


def test_shop_vs_competitors_holm_familywise_and_welch_coverage():
    rng = np.random.default_rng(7)
    sizes, sds = [15, 25, 12, 40], [6.0, 9.0, 14.0, 11.0]  # unequal n and SD, equal means
    company = np.repeat(COMPANIES, sizes)
    role = np.where(company == "shop", "shop", "competitor")
    scale = np.repeat(sds, sizes)
    any_reject, covered, total = 0, 0, 0
    for _ in range(N_SIM):
        d = pd.DataFrame({"company": company, "role": role,
                          "total": 70 + scale * rng.standard_normal(len(company))})
        r = shop_vs_competitors(d)
        any_reject += bool((r["p_holm"] < 0.05).any())
        covered += int(((r["ci_low"] <= 0) & (r["ci_high"] >= 0)).sum())
        total += len(r)
    fwer, cover = any_reject / N_SIM, covered / total
    print(f"Holm FWER {fwer:.3f}; Welch coverage {cover:.4f} over {total} intervals")
    assert fwer <= band(0.05)[1]
    assert band(0.95, total)[0] <= cover <= band(0.95, total)[1]


def test_planted_effect_recovered():
    rng = np.random.default_rng(11)
    res = [training_effect(simulate(rng, n_per_cell=40, effect=6.0), "w1", "w2")
           for _ in range(60)]
    est = np.array([r.estimate for r in res])
    power = np.mean([r.p < 0.05 for r in res])
    naive = np.mean([r.naive_change for r in res])
    print(f"planted 6: mean estimate {est.mean():.2f}, power {power:.2f}, naive {naive:.2f}")
    assert abs(est.mean() - 6.0) < 4 * est.std(ddof=1) / np.sqrt(len(est))
    assert power > 0.45  # about 0.6 expected; MC SE with 60 studies 0.065
    assert naive == pytest.approx(8.0, abs=1.0)  # naive change also credits the market's +2
