"""Generate the small reference fixtures in this folder (run once; outputs are committed).

    python tests/reference/make_fixtures.py

Fixed seed; contacts.csv mimics data/processed/contacts.parquet (subset of columns).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
COMPANIES = {"voltera": ("shop", 0.0), "amperio": ("competitor", -4.0),
             "blitzmarkt": ("competitor", 2.0), "kabelhaus": ("competitor", -1.0)}
WAVES = ["2026-01", "2026-04", "2026-07"]
SCENARIOS = {"product_info": 3.0, "order_payment": 5.0, "returns": 0.0, "complaint": -8.0}
CHANNELS = {"call": 0.0, "mail": -3.0}
EVALUATORS = [f"E{i:02d}" for i in range(1, 7)]


def make_contacts(seed: int = 20261126) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lenient = dict(zip(EVALUATORS, rng.normal(0, 4, len(EVALUATORS)), strict=True))
    rows = []
    for w_i, wave in enumerate(WAVES):
        for comp, (role, eff) in COMPANIES.items():
            n = 6 if (comp == "kabelhaus" and wave == "2026-04") else int(rng.integers(14, 20))
            for _ in range(n):
                sc, ch = rng.choice(list(SCENARIOS)), rng.choice(list(CHANNELS))
                ev = rng.choice(EVALUATORS)
                trained = 6.0 if (role == "shop" and w_i == 2) else 0.0
                mu = 68 + eff + SCENARIOS[sc] + CHANNELS[ch] + lenient[ev] + 1.5 * w_i + trained
                sd = 9.0 if comp != "blitzmarkt" else 14.0
                rows.append({"wave": wave, "company": comp, "role": role, "scenario": sc,
                             "channel": ch, "evaluator": ev,
                             "total": float(np.clip(rng.normal(mu, sd), 0, 100)),
                             "dim_needs": float(np.clip(rng.normal(mu - 5, 15), 0, 100)),
                             "dim_closing": float(np.clip(rng.normal(mu - 15 + trained, 18),
                                                          0, 100))})
    d = pd.DataFrame(rows)
    d.insert(0, "contact_id", [f"C{i:04d}" for i in range(len(d))])
    for col in ("total", "dim_needs", "dim_closing"):
        d[col] = d[col].round(1)
    unscored = rng.choice(len(d), 5, replace=False)
    d.loc[unscored, "total"] = np.nan
    d.loc[rng.choice(len(d), 8, replace=False), "dim_closing"] = np.nan
    return d


if __name__ == "__main__":
    make_contacts().to_csv(HERE / "contacts.csv", index=False)
