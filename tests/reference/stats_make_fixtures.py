"""Generate the fixtures of the newer reference scripts (run once; outputs are committed).

    python tests/reference/stats_make_fixtures.py

Fixed seeds. ``lmm_boundary.csv``: one wave, 4 companies × 2 evaluators each, no evaluator
variance (lme4 reports a singular fit). ``nested.csv``: two waves, evaluators nested in
companies, knockout zeros (cluster-robust and two-way fixed-effects DiD references).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
COMPANIES = ["voltera", "amperio", "blitzmarkt", "kabelhaus"]
SCENARIOS = ["product_info", "order_payment", "returns", "complaint"]


def make_boundary(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i, comp in enumerate(COMPANIES):
        for e in range(2):
            n = int(rng.integers(8, 14))
            rows.append(pd.DataFrame({
                "company": comp, "role": "shop" if i == 0 else "competitor",
                "evaluator": f"E{2 * i + e + 1:02d}", "scenario": rng.choice(SCENARIOS, n),
                "total": np.clip(rng.normal(70 + 2 * i, 12, n), 0, 100).round(1)}))
    return pd.concat(rows, ignore_index=True)


def make_nested(seed: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lenient = rng.normal(0, 5, 8)
    rows = []
    for w, wave in enumerate(["2026-04", "2026-07"]):
        for i, comp in enumerate(COMPANIES):
            n = 10 if (comp == "kabelhaus" and w == 1) else int(rng.integers(16, 24))
            ev = rng.choice([2 * i, 2 * i + 1], n)
            sc = rng.choice(SCENARIOS, n)
            mu = 68 + 3 * i + lenient[ev] + 2 * w + np.where(sc == "complaint", -6, 0)
            total = np.clip(rng.normal(mu, 11), 0, 100)
            total[rng.random(n) < 0.08] = 0.0
            rows.append(pd.DataFrame({
                "wave": wave, "company": comp, "role": "shop" if i == 0 else "competitor",
                "evaluator": [f"E{k + 1:02d}" for k in ev], "scenario": sc,
                "total": total.round(1)}))
    return pd.concat(rows, ignore_index=True)


if __name__ == "__main__":
    make_boundary().to_csv(HERE / "lmm_boundary.csv", index=False)
    make_nested().to_csv(HERE / "nested.csv", index=False)
