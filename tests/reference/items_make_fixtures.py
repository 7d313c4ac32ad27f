"""Write the small CSV fixtures used by the item / ordinal / calibration / survival R references.

Deterministic (fixed seed). Run from the repository root::

    .venv/bin/python tests/reference/items_make_fixtures.py

then the R scripts ``tests/reference/{items,ordinal,calib,surv}_*.R`` (``Rscript <file>``),
which write the ``*_r.csv`` outputs the Python tests compare with.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
SEED = 20261126
COMPANIES = {"voltera": ("shop", 1.0), "comp_a": ("competitor", 1.0),
             "comp_b": ("competitor", 0.8), "comp_c": ("competitor", 0.15)}


def _n(rng: np.random.Generator, size_factor: float) -> int:
    return max(4, int(round(rng.integers(28, 42) * size_factor)))


def yes_no(rng: np.random.Generator) -> pd.DataFrame:
    """Yes/no items; comp_c is small (not tested); 'apology' is near 100 % (Fisher)."""
    probs = {"correct": (0.75, 0.55, 0.7, 0.5), "closing_attempt": (0.45, 0.3, 0.5, 0.4),
             "apology": (0.97, 0.9, 0.95, 1.0)}
    rows = []
    for wave in ("2026-01", "2026-04"):
        for item, ps in probs.items():
            for (company, (role, f)), p in zip(COMPANIES.items(), ps, strict=True):
                n = _n(rng, f)
                up = 0.1 if wave == "2026-04" and role == "shop" else 0.0
                vals = rng.binomial(1, min(p + up, 1.0), n)
                status = np.where(rng.random(n) < 0.06, "missing", "answered")
                for v, s in zip(vals, status, strict=True):
                    rows.append({"wave": wave, "item": item, "company": company, "role": role,
                                 "scale": "yes_no", "value": float(v) if s == "answered"
                                 else np.nan, "status": s})
    return pd.DataFrame(rows)


def ordinal(rng: np.random.Generator) -> pd.DataFrame:
    """A Likert 1-5 item (5 best) and a school-grade 1-6 item (1 best), many ties."""
    specs = {"friendliness": ("likert5", [1, 2, 3, 4, 5]),
             "overall_grade": ("grade6", [1, 2, 3, 4, 5, 6])}
    shift = {"voltera": 0.8, "comp_a": 0.0, "comp_b": 0.3, "comp_c": 0.0}
    rows = []
    for item, (scale, cats) in specs.items():
        for company, (role, f) in COMPANIES.items():
            n = _n(rng, f)
            latent = rng.normal(2.5 + shift[company], 1.1, n)
            if scale == "grade6":
                latent = 7 - latent - 1.0
            vals = np.clip(np.round(latent), cats[0], cats[-1])
            for v in vals:
                rows.append({"wave": "2026-04", "item": item, "company": company, "role": role,
                             "scale": scale, "value": float(v), "status": "answered"})
    return pd.DataFrame(rows)


def calibration(rng: np.random.Generator) -> pd.DataFrame:
    """12 recordings x 5 evaluators; E03 lenient, E05 strict; two ratings missing."""
    bias = {"E01": 0.0, "E02": 1.0, "E03": 6.0, "E04": -1.0, "E05": -4.0}
    truth = rng.normal(70, 12, 12)
    rows = []
    for i, t in enumerate(truth, start=1):
        for ev, b in bias.items():
            total = round(float(np.clip(t + b + rng.normal(0, 4), 0, 100)), 1)
            rows.append({"recording_id": f"R{i:02d}", "evaluator": ev, "total": total})
    d = pd.DataFrame(rows)
    d.loc[(d["recording_id"] == "R04") & (d["evaluator"] == "E02"), "total"] = np.nan
    d.loc[(d["recording_id"] == "R09") & (d["evaluator"] == "E05"), "total"] = np.nan
    return d


def mail(rng: np.random.Generator) -> pd.DataFrame:
    """Mail response times (hours, 0.5-h resolution -> ties), censored at the 48-h window.

    ``comp_flat`` is hand-made so that S(t) equals 0.5 exactly on a flat stretch (R's median
    then averages 5 and 8 -> 6.5; "first time with S < 0.5" would give 8).
    """
    scale = {"voltera": 6.0, "comp_a": 25.0, "comp_b": 45.0, "comp_c": 9.0}
    rows = []
    for company, (role, f) in COMPANIES.items():
        n = _n(rng, max(f, 0.3))
        t = np.round(rng.exponential(scale[company], n) * 2) / 2 + 0.5
        for x in t:
            answered = bool(x <= 48)
            rows.append({"company": company, "role": role,
                         "response_h": float(min(x, 48.0)), "mail_answered": answered})
    flat = [(1, True), (2, True), (3, True), (4, True), (5, True), (8, True), (10, False),
            (12, True), (48, False), (48, False)]
    rows += [{"company": "comp_flat", "role": "competitor", "response_h": float(t),
              "mail_answered": e} for t, e in flat]
    return pd.DataFrame(rows)


def main() -> None:
    rng = np.random.default_rng(SEED)
    yes_no(rng).to_csv(HERE / "items_yesno.csv", index=False)
    ordinal(rng).to_csv(HERE / "ordinal_items.csv", index=False)
    calibration(rng).to_csv(HERE / "calib_ratings.csv", index=False)
    mail(rng).to_csv(HERE / "surv_mail.csv", index=False)


if __name__ == "__main__":
    main()
