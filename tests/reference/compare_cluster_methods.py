"""Compare candidate inferences for the primary comparison (shop vs market) under the null.

    python tests/reference/compare_cluster_methods.py     # ~2 min on one core

Fieldwork-shaped null studies from tests/stats/test_sim_fieldwork.py (8 evaluators, nested
2 per company or crossed; evaluator leniency SD 0.35 or 0.8 on the logit scale); 200 studies
per design (MC SE of a 5 % rate: 1.5 %). Prints the rejection rate at alpha = 5 % of Welch,
CR1, CR2 + Bell-McCaffrey df, CR3 and the evaluator mixed model (z). The table in
docs/methodology.md ("Clustering") is this script's output.
"""

import sys
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).parents[1] / "stats"))
from test_sim_fieldwork import fieldwork  # noqa: E402

from benchlib.stats._common import welch  # noqa: E402
from benchlib.stats.clustered import clustered_comparison  # noqa: E402
from benchlib.stats.mixed import fit_random_intercept  # noqa: E402

R = 200
NAME = "C(m, Treatment('shop'))[T.market]"

def main() -> None:
    for sd in (0.35, 0.8):
        for nested in (True, False):
            rng = np.random.default_rng(5)
            res = dict.fromkeys(("welch", "CR1", "CR2", "CR3", "LMM_z"), 0)
            for _ in range(R):
                w = fieldwork(rng, waves=("w1",), lenient_sd=sd, nested=nested)
                s = w.company == "shop"
                res["welch"] += welch(w.total[s].to_numpy(), w.total[~s].to_numpy())["p"] < 0.05
                for v in ("CR1", "CR2", "CR3"):
                    res[v] += clustered_comparison(w, vcov=v, market=True)["p"].iloc[0] < 0.05
                wm = w.assign(m=np.where(s, "shop", "market"))
                f = fit_random_intercept(wm, "total ~ C(m, Treatment('shop'))", "evaluator",
                                         optimizers=("profile",))
                z = f.fe[NAME] / np.sqrt(f.cov_fe.loc[NAME, NAME])
                res["LMM_z"] += 2 * stats.norm.sf(abs(z)) < 0.05
            print("nested" if nested else "crossed", sd, {k: round(v / R, 3) for k, v in res.items()},
                  flush=True)


if __name__ == "__main__":  # a script: importing it (test collection) must not run it
    main()
